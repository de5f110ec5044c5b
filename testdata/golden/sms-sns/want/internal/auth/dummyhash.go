// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"example.com/demo/internal/auth/store"
)

// Timing equality across Argon2 parameter changes.
//
// A sign-in for an unknown address verifies against a dummy hash so that it
// costs what a real one costs. Verification uses the parameters stored in
// each hash, though, and after password_hash_* is raised the accounts
// hashed earlier keep their cheaper parameters until they sign in again (and
// are rehashed, login.go). A dummy made with the current parameters would
// then be slower than those accounts, and the timing would tell them apart
// from unknown addresses.
//
// So an unknown address is verified with one of the parameter sets in use,
// drawn in proportion to how many accounts have it, and drawn
// deterministically from the address (an HMAC under a key derived from the
// JWT secret): asking about the same address again gives the same cost, as
// it does for a real account, and the costs of unknown addresses are
// distributed like those of real ones. TestUnknownEmailCostsLikeStoredHashes.

// dummyParamsTTL is how long the census of parameter sets is trusted.
const dummyParamsTTL = 10 * time.Minute

// dummyParams keeps the census of password-hash parameter sets in use.
type dummyParams struct {
	key    []byte
	st     func() store.Store
	now    func() time.Time
	logger *slog.Logger

	mu        sync.Mutex
	sets      []paramCount // sorted by params, so the draw is stable
	total     int
	refreshed time.Time
	refresh   bool // a refresh is running
}

type paramCount struct {
	params string
	count  int
}

// newDummyParams derives the draw's key from the JWT secret, so every
// replica draws the same parameters for an address, and nobody without the
// secret can predict the draw.
func newDummyParams(secret string, st func() store.Store, now func() time.Time, logger *slog.Logger) *dummyParams {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("regstack dummy password parameters"))
	return &dummyParams{key: mac.Sum(nil), st: st, now: now, logger: logger}
}

// pick returns the PHC parameter prefix to verify an unknown email's dummy
// with, or "" for the hasher's current parameters (no census yet, or no
// account has a password). A stale census is refreshed in the background;
// the answer never waits for the database.
func (d *dummyParams) pick(ctx context.Context, email string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.refresh && d.now().Sub(d.refreshed) >= dummyParamsTTL {
		d.refresh = true
		go d.load(context.WithoutCancel(ctx))
	}
	if d.total == 0 {
		return ""
	}
	mac := hmac.New(sha256.New, d.key)
	mac.Write([]byte(store.EmailKey(email)))
	n := int(binary.BigEndian.Uint64(mac.Sum(nil)) % uint64(d.total))
	for _, s := range d.sets {
		if n < s.count {
			return s.params
		}
		n -= s.count
	}
	return ""
}

// load takes a new census from the store.
func (d *dummyParams) load(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	counts, err := d.st().PasswordParams(ctx)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.refresh = false
	d.refreshed = d.now()
	if err != nil {
		d.logger.WarnContext(ctx, "auth: census of password parameters failed; retrying later", "err", err)
		return
	}
	d.sets = d.sets[:0]
	d.total = 0
	for params, n := range counts {
		d.sets = append(d.sets, paramCount{params, n})
		d.total += n
	}
	slices.SortFunc(d.sets, func(a, b paramCount) int { return strings.Compare(a.params, b.params) })
}
