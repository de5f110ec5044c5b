// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"strings"
	"time"
)

// Login lockout: after login_lockout_threshold failures for one address
// within login_lockout_window_seconds, sign-in is refused (429) until enough
// failures have aged out of the window, whatever the password. The state is
// in the database, so replicas share it.

// lockoutKey is the address failures are counted under. Addresses are one
// account regardless of case, so their failures are counted together.
func lockoutKey(email string) string { return strings.ToLower(email) }

// reservation is a failure recorded before the password check. It is kept
// when the attempt fails and withdrawn otherwise.
type reservation struct {
	id     int64
	active bool
}

// reserveAttempt records an attempt for email before the password is
// looked at. Recording first keeps the limit exact under concurrency: of N
// parallel attempts each sees a distinct count, so at most threshold of
// them get to check a password. When the address is locked it withdraws the
// attempt again and returns how many seconds remain.
func (a *Auth) reserveAttempt(ctx context.Context, email string, now time.Time) (reservation, int, error) {
	if a.cfg.RateLimitDisabled {
		return reservation{}, 0, nil
	}
	window := seconds(a.cfg.LoginLockoutWindowSeconds)
	att, err := a.store.ReserveLoginAttempt(ctx, lockoutKey(email), now, now.Add(-window))
	if err != nil {
		return reservation{}, 0, err
	}
	res := reservation{id: att.ID, active: true}
	threshold := a.cfg.LoginLockoutThreshold
	if len(att.Recent) <= threshold {
		return res, 0, nil
	}
	if err := a.store.WithdrawLoginAttempt(ctx, att.ID); err != nil {
		return reservation{}, 0, err
	}
	return reservation{}, retryAfter(withoutOne(att.Recent, now), threshold, window, now), nil
}

// withdraw removes the reservation: the attempt turned out not to be a
// failure (or could not be judged).
func (a *Auth) withdraw(ctx context.Context, res reservation) error {
	if !res.active {
		return nil
	}
	return a.store.WithdrawLoginAttempt(ctx, res.id)
}

// withoutOne drops this attempt (recorded at now) from the failure times.
func withoutOne(times []time.Time, now time.Time) []time.Time {
	out := append([]time.Time(nil), times...)
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].Equal(now) {
			return append(out[:i], out[i+1:]...)
		}
	}
	return out[:len(out)-1]
}

// retryAfter is the number of seconds, rounded up, until the lockout ends:
// the moment so many of the failures (oldest first) have aged out of the
// window that fewer than threshold remain. Right after the last allowed
// failure that is the full window.
func retryAfter(failures []time.Time, threshold int, window time.Duration, now time.Time) int {
	if len(failures) < threshold {
		return 1
	}
	ends := failures[len(failures)-threshold].Add(window)
	left := ends.Sub(now)
	secs := int(left / time.Second)
	if left%time.Second != 0 {
		secs++
	}
	return max(1, secs)
}

// clearFailures forgets the failures of an address after it proved its
// password (sign-in, change or reset of the password, change of address).
func (a *Auth) clearFailures(ctx context.Context, email string) error {
	return a.store.ClearLoginFailures(ctx, lockoutKey(email))
}
