// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package store

import (
	"context"
	"time"
)

// Admin is what the admin API reads beyond the other concerns: the
// dashboard numbers and the user list.
type Admin interface {
	// Stats counts users by status, and the pending registrations that have
	// not expired at now.
	Stats(ctx context.Context, now time.Time) (Stats, error)
	// ListUsers returns one page of users ordered by CreatedAt descending
	// (ties by ID), and how many users match in total.
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
	Skip        int
	Limit       int
}
