// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package storetest

import (
	"testing"
	"time"

	"example.com/demo/internal/auth/store"
)

// runUpdate adds an operator's changes to a user (UpdateUser, which
// BootstrapAdmin promotes with) and RevokeSessions to the suite.
func (s suite) runUpdate(t *testing.T) {
	t.Run("UpdateUser", s.updateUser)
	t.Run("UpdateUserDisableRevokesSessions", s.updateUserDisable)
	t.Run("RevokeSessions", s.revokeSessions)
}

func boolPtr(b bool) *bool { return &b }

func (s suite) updateUser(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "patch@example.com")
	now := t0.Add(time.Hour)

	// An empty patch changes nothing, not even UpdatedAt.
	got, err := st.UpdateUser(ctx, u.ID, store.UserPatch{}, now)
	if err != nil {
		t.Fatalf("UpdateUser({}): %v", err)
	}
	checkUser(t, got, u)

	got, err = st.UpdateUser(ctx, u.ID, store.UserPatch{IsSuperuser: boolPtr(true), FullName: ptr("Pat Operator")}, now)
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	want := *u
	want.IsSuperuser, want.FullName, want.UpdatedAt = true, ptr("Pat Operator"), now
	checkUser(t, got, &want)
	checkUser(t, mustUser(t, st, u.ID), &want)

	// Fields left nil stay; enabling an active user revokes nothing.
	later := now.Add(time.Minute)
	got, err = st.UpdateUser(ctx, u.ID, store.UserPatch{IsActive: boolPtr(true), IsSuperuser: boolPtr(false)}, later)
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	want.IsSuperuser, want.UpdatedAt = false, later
	checkUser(t, got, &want)

	_, err = st.UpdateUser(ctx, "no-such-user", store.UserPatch{IsActive: boolPtr(false)}, now)
	wantNotFound(t, "UpdateUser of an unknown id", err)
	_, err = st.UpdateUser(ctx, "no-such-user", store.UserPatch{}, now)
	wantNotFound(t, "empty UpdateUser of an unknown id", err)
}

func (s suite) updateUserDisable(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "disable@example.com")
	other := mustCreate(t, st, "bystander@example.com")
	tokens := mustTokens(t, st, u, other)
	off := t0.Add(time.Hour)

	got, err := st.UpdateUser(ctx, u.ID, store.UserPatch{IsActive: boolPtr(false)}, off)
	if err != nil {
		t.Fatalf("UpdateUser(disable): %v", err)
	}
	want := *u
	want.IsActive, want.UpdatedAt, want.TokensInvalidatedAfter = false, off, off
	checkUser(t, got, &want)
	checkUser(t, mustUser(t, st, u.ID), &want)
	checkUser(t, mustUser(t, st, other.ID), other)
	// A link mailed before the disable must not work after it.
	tokens.check(t, st, "disabling", t0)

	// Re-enabling keeps the cutoff: sessions from before the disable stay
	// dead.
	on := off.Add(time.Hour)
	got, err = st.UpdateUser(ctx, u.ID, store.UserPatch{IsActive: boolPtr(true)}, on)
	if err != nil {
		t.Fatalf("UpdateUser(enable): %v", err)
	}
	want.IsActive, want.UpdatedAt = true, on
	checkUser(t, got, &want)

	// A patch that does not disable keeps the user's tokens.
	tok := &store.AccountToken{
		TokenHash: "after-enable", UserID: u.ID, Purpose: purposeOther, Email: u.Email,
		CreatedAt: on, ExpiresAt: on.Add(time.Hour),
	}
	if err := st.CreateAccountToken(ctx, tok); err != nil {
		t.Fatalf("CreateAccountToken: %v", err)
	}
	for _, patch := range []store.UserPatch{{IsSuperuser: boolPtr(true)}, {IsActive: boolPtr(true)}, {FullName: ptr("Still Here")}} {
		if _, err := st.UpdateUser(ctx, u.ID, patch, on); err != nil {
			t.Fatalf("UpdateUser(%+v): %v", patch, err)
		}
	}
	if _, err := st.ConsumeAccountToken(ctx, tok.TokenHash, tok.Purpose, on); err != nil {
		t.Errorf("the user's token after patches that do not disable: %v", err)
	}
}

func (s suite) revokeSessions(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "revoke@example.com")
	other := mustCreate(t, st, "bystander@example.com")
	at := t0.Add(time.Hour + 123*time.Microsecond)

	got, err := st.RevokeSessions(ctx, u.ID, at)
	if err != nil {
		t.Fatalf("RevokeSessions: %v", err)
	}
	// Only the cutoff moves: the account itself did not change.
	want := *u
	want.TokensInvalidatedAfter = at
	checkUser(t, got, &want)
	checkUser(t, mustUser(t, st, u.ID), &want)
	checkUser(t, mustUser(t, st, other.ID), other)

	_, err = st.RevokeSessions(ctx, "no-such-user", at)
	wantNotFound(t, "RevokeSessions of an unknown id", err)
}
