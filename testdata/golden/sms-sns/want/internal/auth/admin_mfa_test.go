// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
)

const detailAdminCannotEnableMFA = "SMS two-factor can only be switched on by the user, with a code sent to their phone."

// mfaSession signs an account with SMS codes on in, code and all, and
// returns the session token.
func mfaSession(t *testing.T, env *authtest.Env, email, phone string) string {
	t.Helper()
	pending, code := loginForCode(t, env, email, phone)
	r := mfaConfirm(t, env, pending, code)
	wantStatus(t, r, http.StatusOK)
	return r.Str("access_token")
}

// An operator can switch a user's SMS codes off (a lost phone): the
// number goes, the user's sessions end, and the owner is told.
func TestAdminSwitchesMFAOff(t *testing.T) {
	t.Parallel()
	env, adminID, token := adminEnv(t)
	id := mfaUser(t, env, "alice@example.com", phoneAlice)
	session := mfaSession(t, env, "alice@example.com", phoneAlice)
	if g := env.Admin(t, token, http.MethodGet, "/admin/users/"+id, nil); g.JSON["is_mfa_enabled"] != true || g.Str("phone_number") != phoneAlice {
		t.Fatalf("admin view of the user: %s", g)
	}
	env.Events.Reset()

	r := patchUser(t, env, token, id, map[string]any{"is_mfa_enabled": false})
	wantStatus(t, r, http.StatusOK)
	wantUserPublic(t, r)
	if r.JSON["is_mfa_enabled"] != false || r.JSON["phone_number"] != nil || r.JSON["is_active"] != true {
		t.Fatalf("patch answered %s", r)
	}
	want401(t, env.Me(t, session), detailBadToken)
	wantNotice(t, env, "alice@example.com", "turned off")
	if names := env.Events.Names(); !slices.Equal(names, []string{"mfa_disabled", "admin_user_updated"}) {
		t.Fatalf("events %v", names)
	}
	if ev := authtest.Of[auth.AdminUserUpdated](env.Events); len(ev) != 1 || ev[0].Admin == nil || ev[0].Admin.ID != adminID ||
		ev[0].User == nil || ev[0].User.IsMFAEnabled {
		t.Fatalf("admin_user_updated events %+v", ev)
	}

	// The user signs in with the password alone again.
	env.Clock.Advance(time.Millisecond)
	wantStatus(t, env.Me(t, env.MustLogin(t, "alice@example.com", pw1)), http.StatusOK)
	if n := len(env.Phones.To(phoneAlice)); n != 2 {
		t.Fatalf("%d text messages, want the enrolment's and one sign-in's", n)
	}
}

// Only the user can switch SMS codes on, by proving the number with a
// code: an operator's true is refused unless they are on already.
func TestAdminCannotSwitchMFAOn(t *testing.T) {
	t.Parallel()
	env, _, token := adminEnv(t)
	id, session := signUp(t, env, "alice@example.com", pw1)
	wantDetail(t, patchUser(t, env, token, id, map[string]any{"is_mfa_enabled": true}), http.StatusBadRequest, detailAdminCannotEnableMFA)
	// Nothing of a refused patch is applied.
	wantDetail(t, patchUser(t, env, token, id, map[string]any{"is_mfa_enabled": true, "full_name": "Alice"}), http.StatusBadRequest, detailAdminCannotEnableMFA)
	if me := env.Me(t, session); me.JSON["is_mfa_enabled"] != false || me.JSON["full_name"] != nil {
		t.Fatalf("refused patch changed the user: %s", me)
	}
	wantValidation(t, patchUser(t, env, token, id, map[string]any{"is_mfa_enabled": "no"}), "is_mfa_enabled", "bool_type")
	// false for a user without codes changes nothing and ends no session.
	wantStatus(t, patchUser(t, env, token, id, map[string]any{"is_mfa_enabled": false}), http.StatusOK)
	wantStatus(t, env.Me(t, session), http.StatusOK)

	// true for a user who has them on already is no change.
	bob := mfaUser(t, env, "bob@example.com", phoneBob)
	bobSession := mfaSession(t, env, "bob@example.com", phoneBob)
	r := patchUser(t, env, token, bob, map[string]any{"is_mfa_enabled": true})
	wantStatus(t, r, http.StatusOK)
	if r.JSON["is_mfa_enabled"] != true || r.Str("phone_number") != phoneBob {
		t.Fatalf("patch answered %s", r)
	}
	wantStatus(t, env.Me(t, bobSession), http.StatusOK)
}
