// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"net/http"
	"slices"
	"sort"
	"testing"
	"time"

	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/password"
)

// TestRegisterPendingAddressSpendsHashWork checks the claim in
// registerPending: registering an address that already has a pending
// registration costs Argon2id work like registering a fresh one, with the
// real default parameters, so the time taken does not say that someone
// registered the address before. Like TestLoginUnknownEmailSpendsHashWork it
// compares medians with a generous factor: a path that skipped the hash
// would answer two orders of magnitude faster.
func TestRegisterPendingAddressSpendsHashWork(t *testing.T) {
	if testing.Short() {
		t.Skip("measures real Argon2id cost")
	}
	// Not parallel: it runs alone, before the parallel tests start.
	env := authtest.New(t, withVerification, func(c *config.Config) {
		p := password.DefaultParams()
		c.PasswordHashMemoryKiB = int(p.MemoryKiB)
		c.PasswordHashTimeCost = int(p.TimeCost)
		c.PasswordHashParallelism = int(p.Parallelism)
		c.RateLimitDisabled = true
		c.Email.MaxPerAddressPerHour = 0
	})
	wantStatus(t, env.Register(t, "pending@example.com", pw1), http.StatusCreated)

	timed := func(email string) time.Duration {
		start := time.Now()
		wantStatus(t, env.Register(t, email, pw1), http.StatusCreated)
		return time.Since(start)
	}
	var fresh, again []time.Duration
	for i := range 3 {
		fresh = append(fresh, timed("fresh"+string(rune('a'+i))+"@example.com"))
		again = append(again, timed("pending@example.com"))
	}
	f, a := median(fresh), median(again)
	t.Logf("median fresh registration %v, registration of a pending address %v", f, a)
	if a*10 < f || f*10 < a {
		t.Fatalf("registering a pending address (%v) and a fresh one (%v) differ by more than a factor of 10: one path skips the hash", a, f)
	}
}

// median returns the middle of d (the upper middle for an even count).
func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
