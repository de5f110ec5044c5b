// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package store

import (
	"context"
	"time"
	"unicode/utf8"
)

// Admin is what the admin API reads beyond the other concerns: the
// dashboard numbers and the user list.
type Admin interface {
	// Stats counts users by status, and the pending registrations that have
	// not expired at now.
	Stats(ctx context.Context, now time.Time) (Stats, error)
	// ListUsers returns one page of users ordered by CreatedAt descending
	// (ties by ID), and how many users match in total. A page after a
	// cursor (ListUsersParams.After) is read from an index, however deep;
	// Skip is counted row by row and is meant for shallow pages.
	ListUsers(ctx context.Context, p ListUsersParams) ([]*User, int, error)
}

// Stats are the numbers behind the admin dashboard.
type Stats struct {
	TotalUsers    int
	ActiveUsers   int
	VerifiedUsers int
	Superusers    int
	// PendingRegistrations counts only those that have not expired.
	PendingRegistrations int
}

// ListUsersParams selects one page of users, newest first.
type ListUsersParams struct {
	// EmailPrefix keeps users whose EmailKey starts with
	// EmailKey(EmailPrefix); "" keeps everyone.
	EmailPrefix string
	// After, when set, keeps only the users that come after it in the
	// list's order (older, or as old with a smaller ID): the keyset of the
	// previous page's last user. Skip then counts from there.
	After *UserCursor
	Skip  int
	Limit int
}

// UserCursor is a position in the user list: the CreatedAt and ID of the
// user a page ended with.
type UserCursor struct {
	CreatedAt time.Time
	ID        string
}

// CursorOf is the cursor just past u.
func CursorOf(u *User) *UserCursor {
	return &UserCursor{CreatedAt: u.CreatedAt, ID: u.ID}
}

// KeyPrefixEnd is the least string greater than every string that starts
// with prefix, in code point order (which is also UTF-8 byte order): the
// exclusive upper end of a range scan for the prefix on an index that
// orders by code point. ok is false when there is none (prefix is empty or
// only U+10FFFF), and the range is then open above.
func KeyPrefixEnd(prefix string) (end string, ok bool) {
	runes := []rune(prefix)
	for i := len(runes) - 1; i >= 0; i-- {
		r := runes[i]
		switch {
		case r >= utf8.MaxRune:
			continue
		case r == 0xD7FF:
			r = 0xE000 // the surrogates are no characters
		default:
			r++
		}
		return string(runes[:i]) + string(r), true
	}
	return "", false
}
