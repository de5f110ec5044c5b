// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"example.com/demo/internal/auth/store"
)

// Rows that can no longer matter (expired pending registrations, account
// tokens and revoked-token rows, attempts older than every counting window)
// would otherwise stay forever: nothing reads them again, and anyone can
// create them. A goroutine started by New deletes them every
// purge_interval_seconds; `regstack doctor --purge` runs the same purge on
// demand.

// purgeLoop is the handle of the background purge; the zero value means it
// is not running.
type purgeLoop struct {
	stop    context.CancelFunc
	stopped chan struct{}
}

// startPurge starts the background purge unless purge_interval_seconds is
// 0. The first run comes one interval after New, not at once: a fleet of
// replicas restarted together should not all purge in the same second, and
// a process that only runs a command should not purge at all.
func (a *Auth) startPurge() {
	if interval := seconds(a.cfg.PurgeIntervalSeconds); interval > 0 {
		a.purge = a.runPurges(interval)
	}
}

// stopPurge stops the background purge and waits for a run in progress to
// end, so Close can close the store after it.
func (a *Auth) stopPurge() {
	if a.purge.stop != nil {
		a.purge.stop()
		<-a.purge.stopped
	}
}

// runPurges purges every interval ±10 % until stopped. The jitter keeps
// replicas started together from purging in lockstep.
func (a *Auth) runPurges(interval time.Duration) purgeLoop {
	ctx, stop := context.WithCancel(context.Background())
	loop := purgeLoop{stop: stop, stopped: make(chan struct{})}
	go func() {
		defer close(loop.stopped)
		timer := time.NewTimer(jittered(interval))
		defer timer.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-timer.C:
			}
			a.purgeAndLog(ctx)
			timer.Reset(jittered(interval))
		}
	}()
	return loop
}

// jittered returns d changed by a random amount of up to ±10 %.
func jittered(d time.Duration) time.Duration {
	j := d / 10
	if j <= 0 {
		return d
	}
	return d - j + rand.N(2*j+1)
}

// purgeAndLog runs one purge of the loop. A failure is logged and the next
// run tries again: a table that keeps a few expired rows a little longer
// harms nothing, so it is no reason to stop the application.
func (a *Auth) purgeAndLog(ctx context.Context) {
	if !a.databaseOpen() {
		a.logger.DebugContext(ctx, "auth: purge skipped: the database is not open yet")
		return
	}
	start := time.Now()
	n, err := a.PurgeExpired(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
		// Close interrupted the run; the next process purges.
	case err != nil:
		a.logger.ErrorContext(ctx, "auth: purging expired rows failed; retrying at the next interval", "err", err)
	case n > 0:
		a.logger.InfoContext(ctx, "auth: purged expired rows", "deleted", n, "took", time.Since(start).String())
	default:
		a.logger.DebugContext(ctx, "auth: purged expired rows", "deleted", n)
	}
}

// PurgeExpired deletes, once, the rows that can no longer matter: pending
// registrations, account tokens and revoked-token rows that have expired,
// and recorded attempts (login failures, mails per address) older than the
// longest window that counts them. It returns how many rows it deleted.
// New runs it in the background every purge_interval_seconds; call it
// yourself, or use `regstack doctor --purge`, to purge on demand.
func (a *Auth) PurgeExpired(ctx context.Context) (int64, error) {
	if !a.databaseOpen() {
		return 0, fmt.Errorf("auth: purge: %w", store.ErrUnavailable)
	}
	now := a.now()
	n, err := a.store.PurgeExpired(ctx, now, now.Add(-a.attemptsKept()))
	if err != nil {
		return n, fmt.Errorf("auth: purge: %w", err)
	}
	return n, nil
}

// attemptsKept is how long a recorded attempt can still count: the longest
// of the windows that count them (the login lockout, the per-address mail
// budget). An attempt at or before now minus this counts nowhere.
func (a *Auth) attemptsKept() time.Duration {
	return max(seconds(a.cfg.LoginLockoutWindowSeconds), mailBudgetWindow)
}
