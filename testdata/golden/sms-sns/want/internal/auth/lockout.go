// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"time"

	"example.com/demo/internal/auth/mail"
	"example.com/demo/internal/auth/store"
)

// Login lockout: after login_lockout_threshold failures for one address
// within login_lockout_window_seconds, sign-in is refused (429) until enough
// failures have aged out of the window, whatever the password. The state is
// in the database, so replicas share it.
//
// Every password guess against an account counts, wherever it is made: a
// wrong password at /login and a wrong current_password on the routes that
// change an account (current_password.go) share one counter, so a
// stolen session does not open a second, unlimited guessing channel.

// lockoutKey is the key failures are counted under: the address in the one
// form every part of the system compares it in (store.EmailKey), so
// "Östen@" and "östen@" are one account with one counter.
func lockoutKey(email string) string { return store.EmailKey(email) }

// mailBudgetKey is the key mails that carry a link to one address are
// counted under (mailbudget.go). The store's attempts table holds both
// kinds of counter; an address cannot start with "mail:" (a colon is not
// allowed in an unquoted local part, and quoted ones are refused), so the
// two never meet.
func mailBudgetKey(email string) string { return "mail:" + store.EmailKey(email) }

// reservation is a failure recorded before the password check. It is kept
// when the attempt fails and withdrawn otherwise.
type reservation struct {
	id     int64
	active bool
	// failures is how many failures the window holds if this attempt fails.
	failures int
}

// locks reports whether this attempt, if it fails, is the one that reaches
// the threshold: the moment to log the lockout and tell the owner.
func (r reservation) locks(threshold int) bool {
	return r.active && r.failures == threshold
}

// reserveAttempt records an attempt for email before the password is
// looked at. Recording first keeps the limit exact under concurrency: of N
// parallel attempts each sees a distinct count, so at most threshold of
// them get to check a password. When the address is locked it withdraws the
// attempt again, logs the refusal and returns a *LockedError saying how
// long the lockout lasts.
func (a *Auth) reserveAttempt(ctx context.Context, email string, now time.Time) (reservation, error) {
	if a.cfg.RateLimitDisabled {
		return reservation{}, nil
	}
	window := seconds(a.cfg.LoginLockoutWindowSeconds)
	att, err := a.store.ReserveLoginAttempt(ctx, lockoutKey(email), now, now.Add(-window))
	if err != nil {
		return reservation{}, err
	}
	threshold := a.cfg.LoginLockoutThreshold
	// failures counts this attempt as if it will fail: the caller keeps the
	// reservation exactly when it does.
	res := reservation{id: att.ID, active: true, failures: len(att.Recent)}
	if len(att.Recent) <= threshold {
		return res, nil
	}
	if err := a.store.WithdrawLoginAttempt(ctx, att.ID); err != nil {
		return reservation{}, err
	}
	secs := retryAfter(withoutOne(att.Recent, now), threshold, window, now)
	a.logger.InfoContext(ctx, "auth: attempt refused while locked", "email", email,
		"client", clientFrom(ctx), "retry_after", secs)
	return reservation{}, &LockedError{RetryAfter: seconds(secs)}
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

// Why a password check failed, for the log and the LoginFailed event. An
// unknown address, a password-less account and a wrong password are one
// reason, as they are one answer: the log is the operator's, but nothing
// the attacker sees depends on which it was.
const (
	failureBadLogin        = "invalid_credentials"
	failureDisabled        = "account_disabled"
	failureUnverified      = "email_unverified"
	failureStale           = "password_changed_during_login"
	failureCurrentPassword = "wrong_current_password"
)

// passwordFailed reports a failed password check: a structured log line
// (never the password) and LoginFailed. When this failure is the one that
// reaches the threshold it also reports the lockout (AccountLocked) and,
// for an existing account, tells its owner by email, so an attack on an
// account is visible to the operator and to the person it targets.
//
// The client address in the log and the events is the one ctx carries
// (WithClientAddr).
func (a *Auth) passwordFailed(ctx context.Context, email string, u *store.User, reason string, res reservation) {
	client := clientFrom(ctx)
	a.logger.WarnContext(ctx, "auth: password check failed", "email", email, "reason", reason,
		"client", client, "failures", res.failures, "threshold", a.cfg.LoginLockoutThreshold)
	var snap *store.User
	if u != nil {
		snap = snapshot(u)
	}
	a.emit(ctx, LoginFailed{Email: email, User: snap, Reason: reason, ClientAddr: client})
	if !res.locks(a.cfg.LoginLockoutThreshold) {
		return
	}
	window := a.cfg.LoginLockoutWindowSeconds
	a.logger.WarnContext(ctx, "auth: account locked", "email", email, "client", client,
		"failures", res.failures, "window_seconds", window)
	a.emit(ctx, AccountLocked{Email: email, User: snap, Failures: res.failures, ClientAddr: client})
	if u != nil {
		a.sendBudgeted(ctx, mail.KindAccountLocked, u.Email, mail.Data{
			AppName:    a.cfg.AppName,
			TTLMinutes: ttlMinutes(window),
		})
	}
}
