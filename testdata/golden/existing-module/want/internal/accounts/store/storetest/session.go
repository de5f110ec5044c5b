// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/acme/shop/internal/accounts/store"
)

// sessionUser checks SessionUser, the one store call of every
// authenticated request.
func (s suite) sessionUser(t *testing.T) {
	t.Run("LiveRevokedUnknown", s.sessionUserBasic)
	t.Run("ManyLogouts", s.sessionUserManyLogouts)
	t.Run("ConcurrentLogouts", s.sessionUserConcurrentLogouts)
}

// sessionUserBasic: a live token gives the user, a logged-out one is
// reported revoked, an unknown user is ErrNotFound whatever the token.
func (s suite) sessionUserBasic(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "session@example.com")
	other := mustCreate(t, st, "other-session@example.com")

	got, revoked, err := st.SessionUser(ctx, u.ID, "live")
	if err != nil || revoked || got == nil || got.ID != u.ID || got.Email != u.Email || !got.IsActive {
		t.Fatalf("SessionUser(live) = %+v, %v, %v; want the user, not revoked", got, revoked, err)
	}

	exp := t0.Add(time.Hour)
	if err := st.RevokeToken(ctx, "gone", exp); err != nil {
		t.Fatalf("RevokeToken: %v", err)
	}
	if got, revoked, err := st.SessionUser(ctx, u.ID, "gone"); err != nil || !revoked || got == nil || got.ID != u.ID {
		t.Errorf("SessionUser(revoked) = %+v, %v, %v; want the user, revoked", got, revoked, err)
	}
	if _, revoked, err := st.SessionUser(ctx, u.ID, "live"); err != nil || revoked {
		t.Errorf("SessionUser(live) after another token's logout = %v, %v; want not revoked", revoked, err)
	}
	if _, revoked, err := st.SessionUser(ctx, other.ID, "live"); err != nil || revoked {
		t.Errorf("SessionUser(other user, live) = %v, %v; want not revoked", revoked, err)
	}
	// IsTokenRevoked, the other reader of the revocations, agrees.
	if revoked, err := st.IsTokenRevoked(ctx, "gone"); err != nil || !revoked {
		t.Errorf("IsTokenRevoked(gone) = %v, %v; want true", revoked, err)
	}

	for _, jti := range []string{"live", "gone"} {
		if got, revoked, err := st.SessionUser(ctx, "no-such-user", jti); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SessionUser(unknown user, %s) = %+v, %v, %v; want ErrNotFound", jti, got, revoked, err)
		}
	}

	// The bulk cutoff is the caller's to compare; SessionUser returns it.
	after, err := st.RevokeSessions(ctx, u.ID, t0.Add(time.Minute))
	if err != nil {
		t.Fatalf("RevokeSessions: %v", err)
	}
	if got, _, err := st.SessionUser(ctx, u.ID, "live"); err != nil || !got.TokensInvalidatedAfter.Equal(after.TokensInvalidatedAfter) {
		t.Errorf("SessionUser cutoff = %v, %v; want %v", got, err, after.TokensInvalidatedAfter)
	}
}

// sessionUserManyLogouts logs out many live sessions of one user, then
// checks every one of them is still revoked and a live one is not (a store
// that kept a bounded copy of the logouts beside the user would have to
// get this right too).
func (s suite) sessionUserManyLogouts(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "many-logouts@example.com")
	const n = 40
	for i := range n {
		now := t0.Add(time.Duration(i) * time.Second)
		if err := st.RevokeToken(ctx, fmt.Sprintf("jti-%03d", i), now.Add(time.Hour)); err != nil {
			t.Fatalf("RevokeToken %d: %v", i, err)
		}
	}
	for i := range n {
		if _, revoked, err := st.SessionUser(ctx, u.ID, fmt.Sprintf("jti-%03d", i)); err != nil || !revoked {
			t.Fatalf("SessionUser(jti-%03d) = %v, %v; want revoked", i, revoked, err)
		}
	}
	if _, revoked, err := st.SessionUser(ctx, u.ID, "live"); err != nil || revoked {
		t.Errorf("SessionUser(live) = %v, %v; want not revoked", revoked, err)
	}
	// A logout long after the others have expired, then the same checks.
	later := t0.Add(2 * time.Hour)
	if err := st.RevokeToken(ctx, "late", later.Add(time.Hour)); err != nil {
		t.Fatalf("RevokeToken(late): %v", err)
	}
	if _, revoked, err := st.SessionUser(ctx, u.ID, "late"); err != nil || !revoked {
		t.Errorf("SessionUser(late) = %v, %v; want revoked", revoked, err)
	}
	if _, revoked, err := st.SessionUser(ctx, u.ID, "live"); err != nil || revoked {
		t.Errorf("SessionUser(live) after the late logout = %v, %v; want not revoked", revoked, err)
	}
}

// sessionUserConcurrentLogouts signs out many sessions of one user at once
// (a store that rewrites a per-user copy must not lose one to a race).
func (s suite) sessionUserConcurrentLogouts(t *testing.T) {
	st := s.store(t)
	ctx := t.Context()
	u := mustCreate(t, st, "concurrent-logouts@example.com")
	exp := t0.Add(time.Hour)
	for i, err := range race(func(i int) error {
		return st.RevokeToken(ctx, fmt.Sprintf("jti-%02d", i), exp)
	}) {
		if err != nil {
			t.Fatalf("RevokeToken %d: %v", i, err)
		}
	}
	for i := range concurrency {
		if _, revoked, err := st.SessionUser(ctx, u.ID, fmt.Sprintf("jti-%02d", i)); err != nil || !revoked {
			t.Errorf("SessionUser(jti-%02d) = %v, %v; want revoked", i, revoked, err)
		}
	}
	if _, revoked, err := st.SessionUser(ctx, u.ID, "live"); err != nil || revoked {
		t.Errorf("SessionUser(live) = %v, %v; want not revoked", revoked, err)
	}
}
