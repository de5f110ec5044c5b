// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
)

// badLogin is a login the server answers 401, without changing any state
// but the lockout (which is off in these tests, so only the rate limit can
// turn it into a 429).
func badLogin(t *testing.T, env *authtest.Env, headers ...authtest.Header) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/login", map[string]any{"email": "nobody@example.com", "password": pw1}, headers...)
}

// noLockout keeps the per-email lockout out of the way by raising its
// threshold; rate_limit_disabled would switch the IP limits off too.
func noLockout(c *config.Config) { c.LoginLockoutThreshold = 1000 }

func wantRateLimited(t *testing.T, r *authtest.Response, rule string, retryAfter int) {
	t.Helper()
	wantDetail(t, r, http.StatusTooManyRequests, "Rate limit exceeded: "+rule)
	if got := r.Header.Get("Retry-After"); got != strconv.Itoa(retryAfter) {
		t.Fatalf("Retry-After = %q, want %d", got, retryAfter)
	}
}

func TestRateLimitRefusesAndResetsAfterTheWindow(t *testing.T) {
	t.Parallel()
	env := newEnv(t, noLockout, func(c *config.Config) { c.LoginRateLimit = "3/minute" })
	for range 3 {
		wantDetail(t, badLogin(t, env), http.StatusUnauthorized, detailBadLogin)
	}
	wantRateLimited(t, badLogin(t, env), "3 per 1 minute", 60)

	// Retry-After counts down with the clock; refused requests do not
	// extend the window.
	env.Clock.Advance(45 * time.Second)
	wantRateLimited(t, badLogin(t, env), "3 per 1 minute", 15)
	env.Clock.Advance(14*time.Second + 500*time.Millisecond)
	wantRateLimited(t, badLogin(t, env), "3 per 1 minute", 1)
	env.Clock.Advance(500 * time.Millisecond) // exactly one window later
	for range 3 {
		wantDetail(t, badLogin(t, env), http.StatusUnauthorized, detailBadLogin)
	}
	wantRateLimited(t, badLogin(t, env), "3 per 1 minute", 60)
}

func TestRateLimitSeveralRules(t *testing.T) {
	t.Parallel()
	env := newEnv(t, noLockout, func(c *config.Config) { c.LoginRateLimit = "2/minute; 3 per hour" })
	wantStatus(t, badLogin(t, env), http.StatusUnauthorized)
	wantStatus(t, badLogin(t, env), http.StatusUnauthorized)
	wantRateLimited(t, badLogin(t, env), "2 per 1 minute", 60)
	env.Clock.Advance(time.Minute)
	wantStatus(t, badLogin(t, env), http.StatusUnauthorized)
	// The minute has room again, the hour does not: the answer names the
	// rule that decides the wait.
	wantRateLimited(t, badLogin(t, env), "3 per 1 hour", 3540)
	env.Clock.Advance(59 * time.Minute)
	wantStatus(t, badLogin(t, env), http.StatusUnauthorized)
}

func TestRateLimitIsPerRoute(t *testing.T) {
	t.Parallel()
	env := newEnv(t, noLockout, func(c *config.Config) {
		c.LoginRateLimit = "1/minute"
		c.RegisterRateLimit = "1/minute"
		c.ChangePasswordRateLimit = "2/hour"
	})
	wantStatus(t, badLogin(t, env), http.StatusUnauthorized)
	wantRateLimited(t, badLogin(t, env), "1 per 1 minute", 60)
	// Other routes have their own counters.
	wantStatus(t, env.Register(t, "alice@example.com", pw1), http.StatusCreated)
	r := env.Register(t, "bob@example.com", pw1)
	wantRateLimited(t, r, "1 per 1 minute", 60)
	// A limited bearer route counts before authentication: a flood without
	// a token is refused as cheaply as one with.
	body := map[string]any{"current_password": pw1, "new_password": pw2}
	want401(t, env.Do(t, http.MethodPost, "/change-password", body), detailAuthRequired)
	want401(t, env.Do(t, http.MethodPost, "/change-password", body), detailAuthRequired)
	wantRateLimited(t, env.Do(t, http.MethodPost, "/change-password", body), "2 per 1 hour", 3600)
	// Unlimited routes are not affected.
	wantStatus(t, env.Do(t, http.MethodGet, "/health", nil), http.StatusOK)
}

func TestRateLimitDefaultsAreOnAndGenerous(t *testing.T) {
	t.Parallel()
	def := config.Default()
	limits, err := def.RouteRateLimits()
	if err != nil {
		t.Fatal(err)
	}
	// Every route that takes a password or an address, or mails a link
	// (the optional flows' routes are checked with their keys, in
	// config/).
	want := []string{"POST /login", "POST /register", "POST /verify", "POST /resend-verification",
		"POST /change-password", "POST /change-email", "POST /confirm-email-change"}
	seen := map[string]bool{}
	for _, l := range limits {
		seen[l.Route] = true
		if len(l.Rates) == 0 {
			t.Errorf("%s (%s) is off by default", l.Key, l.Route)
		}
		for _, r := range l.Rates {
			if r.Period == time.Minute && r.Count < 10 {
				t.Errorf("%s allows only %s by default", l.Key, r)
			}
		}
	}
	for _, route := range want {
		if !seen[route] {
			t.Errorf("no default rate limit for %s", route)
		}
	}

	// The default login limit lets a person retry plenty.
	env := newEnv(t, noLockout)
	for i := range 20 {
		if r := badLogin(t, env); r.Status != http.StatusUnauthorized {
			t.Fatalf("login %d: %s", i+1, r)
		}
	}
}

func TestRateLimitOff(t *testing.T) {
	t.Parallel()
	for name, configure := range map[string]func(*config.Config){
		"off":                 func(c *config.Config) { c.LoginRateLimit = "off" },
		"empty":               func(c *config.Config) { c.LoginRateLimit = "" },
		"rate_limit_disabled": func(c *config.Config) { c.LoginRateLimit = "1/hour"; c.RateLimitDisabled = true },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env := newEnv(t, noLockout, configure)
			for i := range 5 {
				if r := badLogin(t, env); r.Status != http.StatusUnauthorized {
					t.Fatalf("login %d: %s", i+1, r)
				}
			}
		})
	}
}

func TestRateLimitIgnoresForwardedForFromUntrustedPeers(t *testing.T) {
	t.Parallel()
	// The test server's peer is 127.0.0.1, which is not trusted here.
	env := newEnv(t, noLockout, func(c *config.Config) {
		c.LoginRateLimit = "2/minute"
		c.TrustedProxies = "10.0.0.0/8"
	})
	wantStatus(t, badLogin(t, env, xff("203.0.113.1")), http.StatusUnauthorized)
	wantStatus(t, badLogin(t, env, xff("203.0.113.2")), http.StatusUnauthorized)
	wantRateLimited(t, badLogin(t, env, xff("203.0.113.3")), "2 per 1 minute", 60)
	wantRateLimited(t, badLogin(t, env), "2 per 1 minute", 60)
}

func xff(v string) authtest.Header { return authtest.Header{Key: "X-Forwarded-For", Value: v} }

func TestRateLimitBelievesTrustedProxies(t *testing.T) {
	t.Parallel()
	env := newEnv(t, noLockout, func(c *config.Config) {
		c.LoginRateLimit = "1/minute"
		c.TrustedProxies = "127.0.0.1, 10.0.0.0/8"
	})
	// Each client address has its own counter.
	wantStatus(t, badLogin(t, env, xff("203.0.113.1")), http.StatusUnauthorized)
	wantStatus(t, badLogin(t, env, xff("203.0.113.2")), http.StatusUnauthorized)
	wantRateLimited(t, badLogin(t, env, xff("203.0.113.1")), "1 per 1 minute", 60)

	// The client is the right-most address that is not a trusted proxy;
	// whatever it wrote further left is ignored.
	wantRateLimited(t, badLogin(t, env, xff("198.51.100.7, 203.0.113.1")), "1 per 1 minute", 60)
	wantRateLimited(t, badLogin(t, env, xff("198.51.100.8, 203.0.113.1, 10.1.2.3")), "1 per 1 minute", 60)
	// Two header lines are one list.
	req := loginRequest(t, env)
	req.Header.Add("X-Forwarded-For", "203.0.113.9")
	req.Header.Add("X-Forwarded-For", "203.0.113.2, 10.0.0.1")
	wantRateLimited(t, env.Send(t, req), "1 per 1 minute", 60)
	// A value no proxy would write counts against the last proxy vouched
	// for, not as a fresh client.
	wantStatus(t, badLogin(t, env, xff("garbage, 10.9.9.9")), http.StatusUnauthorized)
	wantRateLimited(t, badLogin(t, env, xff("other-garbage, 10.9.9.9")), "1 per 1 minute", 60)
	// Without the header the peer itself is the client.
	wantStatus(t, badLogin(t, env), http.StatusUnauthorized)
	wantRateLimited(t, badLogin(t, env), "1 per 1 minute", 60)

	// IPv6 clients are counted per /64.
	wantStatus(t, badLogin(t, env, xff("2001:db8:1:2::1")), http.StatusUnauthorized)
	wantRateLimited(t, badLogin(t, env, xff("2001:db8:1:2:ffff::9")), "1 per 1 minute", 60)
	wantStatus(t, badLogin(t, env, xff("[2001:db8:1:3::1]:4711")), http.StatusUnauthorized)
	// An IPv4 address with a port, as some proxies write it.
	wantRateLimited(t, badLogin(t, env, xff("203.0.113.2:5555")), "1 per 1 minute", 60)
}

func loginRequest(t *testing.T, env *authtest.Env) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.URL("/login"), strings.NewReader(`{"email":"nobody@example.com","password":"`+pw1+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

func TestRateLimitConfigErrorsNameTheKey(t *testing.T) {
	t.Parallel()
	for key, configure := range map[string]func(*config.Config){
		"login_rate_limit":                func(c *config.Config) { c.LoginRateLimit = "ten/minute" },
		"register_rate_limit":             func(c *config.Config) { c.RegisterRateLimit = "5/fortnight" },
		"change_password_rate_limit":      func(c *config.Config) { c.ChangePasswordRateLimit = "0/minute" },
		"confirm_email_change_rate_limit": func(c *config.Config) { c.ConfirmEmailChangeRateLimit = "5/minute;" + "x" },
		"trusted_proxies":                 func(c *config.Config) { c.TrustedProxies = "10.0.0.0/8, proxy.internal" },
	} {
		cfg := config.Default()
		cfg.JWTSecret = strings.Repeat("k", 32)
		cfg.DatabaseURL = authtest.DatabaseURL(t)
		configure(&cfg)
		_, err := auth.New(context.Background(), cfg)
		if err == nil || !strings.Contains(err.Error(), "config: "+key+":") {
			t.Errorf("%s: auth.New error %v, want one naming the key", key, err)
		}
	}
}
