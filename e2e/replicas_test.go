package e2e

import (
	"net/http"
	"testing"
)

// serverBackends are the backends several app processes can share.
var serverBackends = []string{"postgres", "mongo"}

// TestReplicas runs two processes of the starter app on one database, as
// two replicas behind a load balancer would, and checks that they behave as
// one: a session signed out through A is refused by B, and failed sign-ins
// through A and B add up to one lockout.
func TestReplicas(t *testing.T) {
	for _, backend := range serverBackends {
		t.Run(backend, func(t *testing.T) { replicas(t, backend) })
	}
}

func replicas(t *testing.T, backend string) {
	bin, host := starterApp(t, backend)
	sink := startSink(t)
	// One environment for both: the same database and the same JWT secret.
	env := appEnv(t, sink, backend,
		"REGSTACK_REQUIRE_VERIFICATION=false",
		"REGSTACK_LOGIN_LOCKOUT_THRESHOLD=3",
	)
	a := startApp(t, bin, host, env)
	b := startApp(t, bin, host, env)

	const (
		email    = "replica@example.com"
		password = "replicas-share-one-db-1"
	)
	if r := a.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": email, "password": password}); r.Status != http.StatusCreated {
		t.Fatalf("register through A: %s", r)
	}

	t.Run("logout", func(t *testing.T) {
		// Signed in through B, the session works on both.
		token := login(t, b, email, password)
		for name, app := range map[string]*liveApp{"A": a, "B": b} {
			if r := app.Do(t, "GET", apiPrefix+"/me", token, nil); r.Status != http.StatusOK {
				t.Fatalf("me through %s before logout: %s", name, r)
			}
		}
		if r := a.Do(t, "POST", apiPrefix+"/logout", token, nil); r.Status != http.StatusOK {
			t.Fatalf("logout through A: %s", r)
		}
		wantDetail(t, "me through B after logout through A", b.Do(t, "GET", apiPrefix+"/me", token, nil),
			http.StatusUnauthorized, "Invalid or expired token.")
	})

	t.Run("password change revokes everywhere", func(t *testing.T) {
		old := login(t, a, email, password)
		fresh := login(t, b, email, password)
		const next = "replicas-share-one-db-2"
		r := b.Do(t, "POST", apiPrefix+"/change-password", fresh, map[string]any{"current_password": password, "new_password": next})
		if r.Status != http.StatusOK {
			t.Fatalf("change-password through B: %s", r)
		}
		wantDetail(t, "an older session through A after a password change through B", a.Do(t, "GET", apiPrefix+"/me", old, nil),
			http.StatusUnauthorized, "Invalid or expired token.")
		// Back to the first password for the lockout below.
		tok := login(t, a, email, next)
		if r := a.Do(t, "POST", apiPrefix+"/change-password", tok, map[string]any{"current_password": next, "new_password": password}); r.Status != http.StatusOK {
			t.Fatalf("change-password back through A: %s", r)
		}
	})

	t.Run("lockout", func(t *testing.T) {
		// Threshold 3: two failures through A and one through B lock the
		// address on both, even for the right password.
		for i, app := range []*liveApp{a, b, a} {
			wantDetail(t, "failed login", app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": "wrong-password-" + string(rune('0'+i))}),
				http.StatusUnauthorized, "Invalid email or password.")
		}
		for name, app := range map[string]*liveApp{"A": a, "B": b} {
			r := app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": password})
			if r.Status != http.StatusTooManyRequests {
				t.Errorf("login through %s after 3 failures spread over A and B: %s, want 429", name, r)
			}
		}
	})
}
