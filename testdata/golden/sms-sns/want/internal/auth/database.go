// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/store"
)

// The database may be down when the process starts: a replica scheduled
// before its database, both restarted at once. New does not fail then. It
// answers 503 (health/ready included) and keeps trying to open the database
// in the background; once that succeeds every route works, with no restart.
// A database that goes away later needs nothing from here: the drivers
// reconnect, failed requests get a JSON 500 and health/ready a 503.

// Pauses between attempts to open the database: short at first, so a
// database that is merely a little late costs little, then capped so a long
// outage costs one attempt (and one log line) every few seconds.
const (
	openRetryFirst = 250 * time.Millisecond
	openRetryMax   = 5 * time.Second
)

// dbState tracks the database of an Auth whose store New opened.
type dbState struct {
	// openStore opens the database; nil means the package's openStore
	// (store_open.go). Tests put a stand-in here.
	openStore func(ctx context.Context, cfg config.Config, logger *slog.Logger) (store.Store, error)
	// open is set once a.store is usable. Readers load it before touching
	// a.store, which the background opener writes before setting it.
	open atomic.Bool
	// stop and stopped belong to the background opener; both are nil when
	// the database opened at once (or WithStore gave the store).
	stop    context.CancelFunc
	stopped chan struct{}
}

// openDatabase opens the store for New. An unreachable database is logged
// and retried in the background; any other failure is returned, because
// retrying cannot fix a malformed URL or a refused password.
func (a *Auth) openDatabase(ctx context.Context) error {
	if a.db.openStore == nil {
		a.db.openStore = openStore
	}
	s, err := a.db.openStore(ctx, a.cfg, a.logger)
	if err == nil {
		a.useStore(s, true)
		return nil
	}
	if ctx.Err() != nil || !unreachable(err) {
		return fmt.Errorf("auth: open database: %w", err)
	}
	a.logger.WarnContext(ctx, "auth: database unavailable; answering 503 and retrying in the background", "err", err)
	// The opener outlives New's context (callers often pass one with a
	// deadline for start-up); Close stops it.
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.db.stop = stop
	a.db.stopped = make(chan struct{})
	go a.keepOpening(bg)
	return nil
}

// keepOpening retries openStore until it succeeds or Close stops it.
func (a *Auth) keepOpening(ctx context.Context) {
	defer close(a.db.stopped)
	pause := openRetryFirst
	timer := time.NewTimer(pause)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		s, err := a.db.openStore(ctx, a.cfg, a.logger)
		if err == nil {
			a.useStore(s, true)
			a.logger.InfoContext(ctx, "auth: database open; serving requests")
			return
		}
		if ctx.Err() != nil {
			return
		}
		if unreachable(err) {
			a.logger.WarnContext(ctx, "auth: database still unavailable", "err", err, "retry_in", pause.String())
		} else {
			// Reachable but not usable (a migration failed, say): keep
			// answering 503 so the operator can fix it without a restart.
			a.logger.ErrorContext(ctx, "auth: opening the database failed", "err", err, "retry_in", pause.String())
		}
		timer.Reset(pause)
		pause = min(2*pause, openRetryMax)
	}
}

// unreachable reports whether err means the database server could not be
// reached, which waiting may cure: the store said so (store.ErrUnavailable),
// or a network operation failed (refused, timed out, a host name that does
// not resolve yet, as while a cluster's database service is being created).
func unreachable(err error) bool {
	var netErr net.Error
	return errors.Is(err, store.ErrUnavailable) || errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded)
}

// useStore makes s the store; from then on requests reach it.
func (a *Auth) useStore(s store.Store, owned bool) {
	a.store = s
	a.ownsStore = owned
	a.db.open.Store(true)
}

// databaseOpen reports whether a.store may be used.
func (a *Auth) databaseOpen() bool { return a.db.open.Load() }

// stopOpening stops the background opener, if any, and waits for it, so
// a.store and a.ownsStore are settled when it returns.
func (a *Auth) stopOpening() {
	if a.db.stop != nil {
		a.db.stop()
		<-a.db.stopped
	}
}

// untilDatabaseOpen answers 503 for as long as the database has not been
// opened, except the liveness probe (the process is alive) and the
// readiness probe (which says "unavailable" itself).
func (a *Auth) untilDatabaseOpen(next http.Handler) http.Handler {
	prefix := strings.TrimRight(a.cfg.APIPrefix, "/")
	waiting := a.middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeUnavailable(w)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.databaseOpen() || r.URL.Path == prefix+"/health" || r.URL.Path == prefix+"/health/ready" {
			next.ServeHTTP(w, r)
			return
		}
		waiting.ServeHTTP(w, r)
	})
}
