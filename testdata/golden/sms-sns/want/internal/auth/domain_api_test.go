// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
)

// The domain API is what a host calls from its own handlers (a GraphQL
// resolver, a gRPC method, a CLI). These tests call it directly, the way
// such a host would, and check that it keeps the JSON API's rules.

// A host signs a user in with accounts.Authenticate and gets a session token
// the JSON API accepts; a wrong password is ErrInvalidCredentials, and the
// lockout is a *LockedError with the time it lasts.
func TestAuthenticateDomainAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "alice@example.com", pw1)
	ctx := auth.WithClientAddr(context.Background(), netip.MustParseAddr("192.0.2.7"))

	res, err := env.Auth.Authenticate(ctx, "alice@example.com", pw1)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if res.Session == nil || res.Session.Token == "" || res.Session.User == nil || res.Session.User.Email != "alice@example.com" {
		t.Fatalf("Authenticate result %+v", res)
	}
	if want := res.Session.IssuedAt.Add(time.Duration(env.Config.JWTTTLSeconds) * time.Second); !res.Session.ExpiresAt.Equal(want.Truncate(time.Second)) {
		t.Errorf("ExpiresAt %v, want %v", res.Session.ExpiresAt, want)
	}
	wantStatus(t, env.Me(t, res.Session.Token), http.StatusOK)
	if u, err := env.Auth.UserByToken(ctx, res.Session.Token); err != nil || u.Email != "alice@example.com" {
		t.Fatalf("UserByToken: %v, %v", u, err)
	}

	env.Events.Reset()
	for i := range 5 {
		_, err := env.Auth.Authenticate(ctx, "alice@example.com", pw2)
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("wrong password %d: %v, want ErrInvalidCredentials", i+1, err)
		}
	}
	// The client address given in the context reaches the events.
	failed := authtest.Of[auth.LoginFailed](env.Events)
	if len(failed) != 5 || failed[0].ClientAddr != "192.0.2.7" {
		t.Fatalf("login_failed events %+v", failed)
	}
	if locked := authtest.Of[auth.AccountLocked](env.Events); len(locked) != 1 || locked[0].ClientAddr != "192.0.2.7" {
		t.Fatalf("account_locked events %+v", locked)
	}
	// Locked: the right password is refused too, through the API as over
	// HTTP, and both count against one lockout.
	_, err = env.Auth.Authenticate(ctx, "alice@example.com", pw1)
	var locked *auth.LockedError
	if !errors.Is(err, auth.ErrLocked) || !errors.As(err, &locked) || locked.RetryAfter != 900*time.Second {
		t.Fatalf("locked: %v, want a *LockedError with RetryAfter 900s", err)
	}
	if got := want429(t, env.Login(t, "alice@example.com", pw1)); got != 900 {
		t.Fatalf("Retry-After %d over HTTP, want 900", got)
	}
	env.Clock.Advance(900 * time.Second)
	if _, err := env.Auth.Authenticate(ctx, "alice@example.com", pw1); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}

	// Without a client address in the context the call works all the same.
	if _, err := env.Auth.Authenticate(context.Background(), "alice@example.com", pw1); err != nil {
		t.Fatalf("without a client address: %v", err)
	}
}

// The account's status is told only to someone who knows the password, as
// at POST /login.
func TestAuthenticateDomainAPIAccountStatus(t *testing.T) {
	t.Parallel()
	env := newEnv(t, withVerification)
	createUser(t, env, "off@example.com", pw1, false, true)
	createUser(t, env, "new@example.com", pw1, true, false)
	createUser(t, env, "google@example.com", "", true, true)
	ctx := context.Background()
	for _, c := range []struct {
		email, pw string
		want      error
	}{
		{"off@example.com", pw2, auth.ErrInvalidCredentials},
		{"off@example.com", pw1, auth.ErrDisabled},
		{"new@example.com", pw2, auth.ErrInvalidCredentials},
		{"new@example.com", pw1, auth.ErrNotVerified},
		{"google@example.com", pw1, auth.ErrInvalidCredentials},
		{"nobody@example.com", pw1, auth.ErrInvalidCredentials},
	} {
		if _, err := env.Auth.Authenticate(ctx, c.email, c.pw); !errors.Is(err, c.want) {
			t.Errorf("Authenticate(%s, %s): %v, want %v", c.email, c.pw, err, c.want)
		}
	}
}

// ChangePassword re-authenticates with the current password and signs out
// every session.
func TestChangePasswordDomainAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "alice@example.com", pw1)
	ctx := context.Background()
	res, err := env.Auth.Authenticate(ctx, "alice@example.com", pw1)
	if err != nil {
		t.Fatal(err)
	}
	u := res.Session.User
	if _, err := env.Auth.ChangePassword(ctx, u, pw2, pw2); !errors.Is(err, auth.ErrWrongPassword) {
		t.Fatalf("wrong current password: %v, want ErrWrongPassword", err)
	}
	if _, err := env.Auth.ChangePassword(ctx, u, pw1, pw1); !errors.Is(err, auth.ErrSamePassword) {
		t.Fatalf("same password: %v, want ErrSamePassword", err)
	}
	env.Clock.Advance(time.Second)
	if _, err := env.Auth.ChangePassword(ctx, u, pw1, pw2); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	want401(t, env.Me(t, res.Session.Token), detailBadToken)
	if _, err := env.Auth.UserByToken(ctx, res.Session.Token); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("UserByToken after the change: %v, want ErrInvalidToken", err)
	}
	env.Clock.Advance(time.Second)
	if _, err := env.Auth.Authenticate(ctx, "alice@example.com", pw2); err != nil {
		t.Fatalf("sign-in with the new password: %v", err)
	}

	// An account without a password cannot confirm a change.
	google := createUser(t, env, "google@example.com", "", true, true)
	if _, err := env.Auth.ChangePassword(ctx, google, pw1, pw2); !errors.Is(err, auth.ErrNoPassword) {
		t.Fatalf("password-less account: %v, want ErrNoPassword", err)
	}
}

// Logout revokes exactly the session it is given.
func TestLogoutDomainAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "alice@example.com", pw1)
	ctx := context.Background()
	one, err := env.Auth.Authenticate(ctx, "alice@example.com", pw1)
	if err != nil {
		t.Fatal(err)
	}
	two, err := env.Auth.Authenticate(ctx, "alice@example.com", pw1)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Auth.Logout(ctx, one.Session.Token); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	want401(t, env.Me(t, one.Session.Token), detailBadToken)
	wantStatus(t, env.Me(t, two.Session.Token), http.StatusOK)
	if err := env.Auth.Logout(ctx, one.Session.Token); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("second Logout: %v, want ErrInvalidToken", err)
	}
	if err := env.Auth.Logout(ctx, "not a token"); !errors.Is(err, auth.ErrInvalidToken) {
		t.Fatalf("Logout of garbage: %v, want ErrInvalidToken", err)
	}
}

// UpdateProfile and ChangeEmail take the signed-in user, as the routes do.
func TestProfileAndEmailDomainAPI(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	signUp(t, env, "alice@example.com", pw1)
	ctx := context.Background()
	res, err := env.Auth.Authenticate(ctx, "alice@example.com", pw1)
	if err != nil {
		t.Fatal(err)
	}
	name := "Alice"
	u, err := env.Auth.UpdateProfile(ctx, res.Session.User, &name)
	if err != nil || u.FullName == nil || *u.FullName != "Alice" {
		t.Fatalf("UpdateProfile: %+v, %v", u, err)
	}
	if err := env.Auth.ChangeEmail(ctx, u, "ALICE@example.com", pw1); !errors.Is(err, auth.ErrSameEmail) {
		t.Fatalf("same address: %v, want ErrSameEmail", err)
	}
	if err := env.Auth.ChangeEmail(ctx, u, "alice2@example.com", pw2); !errors.Is(err, auth.ErrWrongPassword) {
		t.Fatalf("wrong password: %v, want ErrWrongPassword", err)
	}
	if err := env.Auth.ChangeEmail(ctx, u, "alice2@example.com", pw1); err != nil {
		t.Fatalf("ChangeEmail: %v", err)
	}
	if reqs := authtest.Of[auth.EmailChangeRequested](env.Events); len(reqs) != 1 || reqs[0].NewEmail != "alice2@example.com" {
		t.Fatalf("email_change_requested events %+v", reqs)
	}
}

// New refuses a nil option, a nil value and an option given twice.
func TestNewRejectsBadOptions(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ctx := context.Background()
	clock := authtest.NewClock(authtest.Start())
	for name, opts := range map[string][]auth.Option{
		"nil option":   {nil},
		"nil clock":    {auth.WithClock(nil)},
		"nil logger":   {auth.WithLogger(nil)},
		"nil handler":  {auth.WithEventHandler(nil)},
		"clock twice":  {auth.WithClock(clock), auth.WithClock(clock)},
		"mailer twice": {auth.WithMailer(env.Mail), auth.WithMailer(env.Mail)},
		"store twice":  {auth.WithStore(sideStore(t, env)), auth.WithStore(sideStore(t, env))},
	} {
		a, err := auth.New(ctx, env.Config, opts...)
		if err == nil {
			a.Close()
			t.Errorf("%s: New succeeded", name)
		}
	}
	// Several event handlers are fine.
	a, err := auth.New(ctx, env.Config, auth.WithStore(sideStore(t, env)),
		auth.WithEventHandler(env.Events.Handle), auth.WithEventHandler(env.Events.Handle))
	if err != nil {
		t.Fatalf("two event handlers: %v", err)
	}
	a.Close()
}

// Every error of the domain API answers over HTTP with its own status and
// detail: the one mapping the handlers use.
func TestDomainErrorsCarryTheirAnswer(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		err    *auth.Error
		status int
		detail string
	}{
		{auth.ErrInvalidCredentials, http.StatusUnauthorized, detailBadLogin},
		{auth.ErrDisabled, http.StatusForbidden, detailDisabled},
		{auth.ErrNotVerified, http.StatusForbidden, detailNotVerified},
		{auth.ErrWrongPassword, http.StatusBadRequest, detailWrongPassword},
		{auth.ErrNoPassword, http.StatusBadRequest, detailNoPasswordSet},
		{auth.ErrAuthRequired, http.StatusUnauthorized, detailAuthRequired},
		{auth.ErrInvalidToken, http.StatusUnauthorized, detailBadToken},
	} {
		if c.err.Status() != c.status || c.err.Detail() != c.detail {
			t.Errorf("%v answers %d %q, want %d %q", c.err, c.err.Status(), c.err.Detail(), c.status, c.detail)
		}
	}
}
