// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"time"

	"example.com/demo/internal/auth/store"
)

// UserPublic is the only view of a user the API ever returns. The keys and
// their order are part of the wire contract; nulls are emitted, never
// omitted. The password hash and the revocation cutoff are never exposed.
type UserPublic struct {
	ID           string  `json:"id"`
	Email        string  `json:"email"`
	IsActive     bool    `json:"is_active"`
	IsVerified   bool    `json:"is_verified"`
	IsSuperuser  bool    `json:"is_superuser"`
	FullName     *string `json:"full_name"`
	PhoneNumber  *string `json:"phone_number"`
	IsMFAEnabled bool    `json:"is_mfa_enabled"`
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
	LastLogin    *string `json:"last_login"`
}

// NewUserPublic projects u.
func NewUserPublic(u *store.User) UserPublic {
	p := UserPublic{
		ID:           u.ID,
		Email:        u.Email,
		IsActive:     u.IsActive,
		IsVerified:   u.IsVerified,
		IsSuperuser:  u.IsSuperuser,
		FullName:     u.FullName,
		IsMFAEnabled: u.IsMFAEnabled,
		CreatedAt:    formatTime(u.CreatedAt),
		UpdatedAt:    formatTime(u.UpdatedAt),
	}
	if u.UpdatedAt.IsZero() {
		p.UpdatedAt = p.CreatedAt
	}
	if u.PhoneNumber != "" {
		phone := u.PhoneNumber
		p.PhoneNumber = &phone
	}
	if !u.LastLogin.IsZero() {
		last := formatTime(u.LastLogin)
		p.LastLogin = &last
	}
	return p
}

// formatTime renders t as pydantic does: RFC 3339 in UTC ending in Z, with
// six fractional digits only when the microseconds are not zero
// (2026-05-02T12:00:00Z, 2026-05-02T12:00:00.120000Z).
func formatTime(t time.Time) string {
	return pyTime(t, "Z")
}

// formatISO renders t as Python's datetime.isoformat() does for a UTC value,
// with +00:00 instead of Z; the pending-registration response uses it.
func formatISO(t time.Time) string {
	return pyTime(t, "+00:00")
}

func pyTime(t time.Time, zone string) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05") + zone
	}
	return t.Format("2006-01-02T15:04:05.000000") + zone
}
