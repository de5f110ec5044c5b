// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
)

func TestEventNames(t *testing.T) {
	t.Parallel()
	want := map[auth.Event]string{
		auth.UserRegistered{}:        "user_registered",
		auth.VerificationRequested{}: "verification_requested",
		auth.UserVerified{}:          "user_verified",
		auth.UserLoggedIn{}:          "user_logged_in",
		auth.UserLoggedOut{}:         "user_logged_out",
		auth.PasswordChanged{}:       "password_changed",
		auth.EmailChangeRequested{}:  "email_change_requested",
		auth.EmailChanged{}:          "email_changed",
	}
	checkEventNames(t, want)
}

// checkEventNames compares each event's EventName with the name wanted.
func checkEventNames(t *testing.T, want map[auth.Event]string) {
	t.Helper()
	for e, name := range want {
		if e.EventName() != name {
			t.Errorf("%T.EventName() = %q, want %q", e, e.EventName(), name)
		}
	}
}

// TestEventsOfAnAccountsLife walks one account through every core flow and
// checks the sequence of events and their payloads.
func TestEventsOfAnAccountsLife(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, withVerification)

	wantStatus(t, env.Do(t, http.MethodPost, "/register", map[string]any{"email": "alice@example.com", "password": pw1, "full_name": "Alice"}), http.StatusCreated)
	verifyTok := authtest.Token(env.Mail.WaitFor(t, "alice@example.com"))
	u := verify(t, env, verifyTok)
	wantStatus(t, u, http.StatusOK)
	id := u.Str("id")
	env.Clock.Advance(time.Second)
	session := env.MustLogin(t, "alice@example.com", pw1)
	wantStatus(t, env.Do(t, http.MethodPost, "/logout", nil, authtest.Bearer(session)), http.StatusOK)
	session = env.MustLogin(t, "alice@example.com", pw1)
	env.Clock.Advance(time.Second)
	wantStatus(t, changePassword(t, env, session, pw1, pw2), http.StatusOK)
	env.Clock.Advance(time.Second)
	session = env.MustLogin(t, "alice@example.com", pw2)
	wantStatus(t, changeEmail(t, env, session, "alice.new@example.com", pw2), http.StatusAccepted)
	changeTok := authtest.Token(env.Mail.WaitFor(t, "alice.new@example.com"))
	wantStatus(t, confirmEmailChange(t, env, changeTok), http.StatusOK)

	wantNames := []string{"verification_requested", "user_verified", "user_logged_in", "user_logged_out", "user_logged_in",
		"password_changed", "user_logged_in", "email_change_requested", "email_changed"}
	if got := env.Events.Names(); !slices.Equal(got, wantNames) {
		t.Fatalf("events %v, want %v", got, wantNames)
	}
	for _, e := range env.Events.Events() {
		var user string
		switch e := e.(type) {
		case auth.VerificationRequested:
			if e.Email != "alice@example.com" || !strings.Contains(e.URL, verifyTok) {
				t.Errorf("verification_requested %+v", e)
			}
			checkRedacted(t, e.URL, e.URLWithoutToken, verifyTok)
			continue
		case auth.UserVerified:
			user = e.User.ID
		case auth.UserLoggedIn:
			user = e.User.ID
		case auth.UserLoggedOut:
			user = e.User.ID
		case auth.PasswordChanged:
			user = e.User.ID
			if e.User.PasswordHash == "" {
				t.Error("password_changed carries no user state")
			}
		case auth.EmailChangeRequested:
			user = e.User.ID
			if e.NewEmail != "alice.new@example.com" || e.User.Email != "alice@example.com" || !strings.Contains(e.URL, changeTok) {
				t.Errorf("email_change_requested %+v", e)
			}
			checkRedacted(t, e.URL, e.URLWithoutToken, changeTok)
		case auth.EmailChanged:
			user = e.User.ID
			if e.User.Email != "alice.new@example.com" || e.PreviousEmail != "alice@example.com" {
				t.Errorf("email_changed %+v", e)
			}
		default:
			t.Errorf("unexpected event %T", e)
			continue
		}
		if user != id {
			t.Errorf("%s carries user %q, want %q", e.EventName(), user, id)
		}
	}
}

// checkRedacted: the redacted URL is the URL with the token replaced.
func checkRedacted(t *testing.T, url, redacted, token string) {
	t.Helper()
	if token == "" || strings.Contains(redacted, token) || redacted != strings.ReplaceAll(url, token, "[REDACTED]") {
		t.Errorf("url_without_token %q for url %q", redacted, url)
	}
}

func TestEventHandlersRunBeforeTheResponse(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen []string
	)
	env := authtest.NewWith(t, []auth.Option{auth.WithEventHandler(func(ctx context.Context, e auth.Event) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, e.EventName())
		return nil
	})}, noVerification)
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	// The handler ran synchronously: its effect is visible as soon as the
	// response is.
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(seen, []string{"user_registered"}) {
		t.Fatalf("handler saw %v by the time the response arrived", seen)
	}
}

func TestFailingEventHandlersDoNotBreakRequests(t *testing.T) {
	t.Parallel()
	after := &authtest.EventLog{}
	env := authtest.NewWith(t, []auth.Option{
		auth.WithEventHandler(func(context.Context, auth.Event) error { return errors.New("handler broke") }),
		auth.WithEventHandler(func(context.Context, auth.Event) error { panic("handler panicked") }),
		auth.WithEventHandler(func(_ context.Context, e auth.Event) error {
			var nilMap map[string]int
			nilMap[e.EventName()]++ // a runtime panic, not just panic(value)
			return nil
		}),
		auth.WithEventHandler(after.Handle),
	}, noVerification)

	r := env.Register(t, "alice@example.com", pw1)
	wantStatus(t, r, http.StatusCreated)
	wantUserPublic(t, r)
	tok := env.MustLogin(t, "alice@example.com", pw1)
	wantStatus(t, env.Me(t, tok), http.StatusOK)
	wantMessage(t, env.Do(t, http.MethodPost, "/logout", nil, authtest.Bearer(tok)), http.StatusOK, "Logged out.")
	want := []string{"user_registered", "user_logged_in", "user_logged_out"}
	if got := env.Events.Names(); !slices.Equal(got, want) {
		t.Fatalf("first handler saw %v, want %v", got, want)
	}
	if got := after.Names(); !slices.Equal(got, want) {
		t.Fatalf("handler after the failing ones saw %v, want %v", got, want)
	}
}

func TestEventUserIsACopy(t *testing.T) {
	t.Parallel()
	env := authtest.NewWith(t, []auth.Option{auth.WithEventHandler(func(_ context.Context, e auth.Event) error {
		if e, ok := e.(auth.UserRegistered); ok {
			e.User.Email = "mallory@example.com"
			e.User.IsSuperuser = true
		}
		return nil
	})}, noVerification)
	r := env.Register(t, "alice@example.com", pw1)
	wantStatus(t, r, http.StatusCreated)
	if r.Str("email") != "alice@example.com" || r.JSON["is_superuser"] != false {
		t.Fatalf("a handler changed the response: %s", r)
	}
	if me := env.Me(t, env.MustLogin(t, "alice@example.com", pw1)); me.Str("email") != "alice@example.com" || me.JSON["is_superuser"] != false {
		t.Fatalf("a handler changed the account: %s", me)
	}
}
