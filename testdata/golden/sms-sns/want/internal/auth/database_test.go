// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/store"
)

// flakyOpener stands in for openStore: it reports the database unavailable
// until setUp is called, then opens a store that answers Ping.
type flakyOpener struct {
	mu    sync.Mutex
	up    bool
	calls int
	err   error // returned while down; store.ErrUnavailable wrapped by default
}

func (f *flakyOpener) open(context.Context, config.Config, *slog.Logger) (store.Store, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if !f.up {
		if f.err != nil {
			return nil, f.err
		}
		return nil, fmt.Errorf("dial tcp 127.0.0.1:5432: connection refused: %w", store.ErrUnavailable)
	}
	return pingStore{}, nil
}

// pingStore is the store the stand-in opener hands out: only Ping and
// Close, which is all the gate and the probes call; any other method would
// panic on the nil embedded interface, failing the test loudly.
type pingStore struct{ store.Store }

func (pingStore) Ping(context.Context) error { return nil }
func (pingStore) Close() error               { return nil }

func (f *flakyOpener) setUp() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.up = true
}

func (f *flakyOpener) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// waitingAuth is an Auth as New builds it, minus the parts these tests do
// not reach, with the database opener replaced.
func waitingAuth(t *testing.T, opener *flakyOpener) (*Auth, http.Handler) {
	t.Helper()
	cfg := config.Default()
	a := &Auth{cfg: cfg, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	a.db.openStore = opener.open
	if err := a.openDatabase(context.Background()); err != nil {
		t.Fatalf("openDatabase with the database down: %v, want nil (retry in the background)", err)
	}
	t.Cleanup(func() {
		a.stopOpening()
		if a.ownsStore {
			a.store.Close()
		}
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+cfg.APIPrefix+"/health", a.handleHealth)
	mux.HandleFunc("GET "+cfg.APIPrefix+"/health/ready", a.handleReady)
	mux.HandleFunc("GET "+cfg.APIPrefix+"/me", func(w http.ResponseWriter, r *http.Request) {
		// Reached only once the store is open; it must be usable then.
		if err := a.store.Ping(r.Context()); err != nil {
			t.Errorf("store not usable behind the gate: %v", err)
		}
		writeJSON(w, http.StatusOK, statusResponse{Status: "me"})
	})
	return a, a.untilDatabaseOpen(mux)
}

func get(h http.Handler, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec
}

func TestDatabaseDownAtStartAnswers503ThenRecovers(t *testing.T) {
	opener := &flakyOpener{}
	a, h := waitingAuth(t, opener)

	if a.databaseOpen() {
		t.Fatal("databaseOpen() = true while the database is down")
	}
	if r := get(h, "/api/auth/health"); r.Code != http.StatusOK {
		t.Errorf("liveness while the database is down: %d %s, want 200", r.Code, r.Body)
	}
	if r := get(h, "/api/auth/health/ready"); r.Code != http.StatusServiceUnavailable || r.Body.String() != `{"status":"unavailable"}`+"\n" {
		t.Errorf("readiness while the database is down: %d %s, want 503 unavailable", r.Code, r.Body)
	}
	r := get(h, "/api/auth/me")
	if r.Code != http.StatusServiceUnavailable || r.Header().Get("Retry-After") == "" || r.Header().Get("Content-Type") != "application/json" {
		t.Errorf("API route while the database is down: %d %v %s, want a JSON 503 with Retry-After", r.Code, r.Header(), r.Body)
	}
	if r.Header().Get("X-Content-Type-Options") != "nosniff" || r.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("the 503 lacks the API's security headers: %v", r.Header())
	}

	// The opener keeps trying in the background.
	deadline := time.Now().Add(5 * time.Second)
	for opener.callCount() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d attempts to open the database in 5s", opener.callCount())
		}
		time.Sleep(10 * time.Millisecond)
	}

	opener.setUp()
	deadline = time.Now().Add(10 * time.Second)
	for get(h, "/api/auth/health/ready").Code != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("readiness still not 200 10s after the database came up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if r := get(h, "/api/auth/me"); r.Code != http.StatusOK {
		t.Errorf("API route after recovery: %d %s", r.Code, r.Body)
	}
	if !a.ownsStore {
		t.Error("the store opened in the background is not closed by Close")
	}
}

// A database that stays down: Close stops the retries promptly and leaves
// nothing to close.
func TestCloseStopsRetrying(t *testing.T) {
	opener := &flakyOpener{}
	a, _ := waitingAuth(t, opener)
	done := make(chan struct{})
	go func() { a.stopOpening(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("stopOpening did not return within 5s")
	}
	n := opener.callCount()
	time.Sleep(2 * openRetryFirst)
	if opener.callCount() != n {
		t.Error("the opener kept trying after stopOpening")
	}
	if a.databaseOpen() || a.ownsStore {
		t.Error("a database that never opened is marked open")
	}
}

// Only an unreachable database is waited for: a permanent error (a wrong
// URL, a failed migration) fails start-up at once.
func TestPermanentOpenErrorFailsStart(t *testing.T) {
	cfg := config.Default()
	a := &Auth{cfg: cfg, logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	wrong := errors.New("database_url: unsupported scheme")
	a.db.openStore = (&flakyOpener{err: wrong}).open
	if err := a.openDatabase(context.Background()); !errors.Is(err, wrong) {
		t.Fatalf("openDatabase = %v, want the permanent error", err)
	}
	if a.db.stop != nil {
		t.Error("a background opener was started for a permanent error")
	}
}

func TestUnreachable(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	for _, c := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("postgres: connect: %w", refused), true},
		{fmt.Errorf("mongo: %w", store.ErrUnavailable), true},
		{fmt.Errorf("server selection: %w", context.DeadlineExceeded), true},
		{errors.New("database_url: unsupported scheme"), false},
		{errors.New("migration 00002: syntax error"), false},
	} {
		if got := unreachable(c.err); got != c.want {
			t.Errorf("unreachable(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
