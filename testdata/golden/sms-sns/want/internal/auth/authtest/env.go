// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package authtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/config"
)

// Env is a running account system for one test: its own database, clock,
// mailbox, phones and event log, served by an httptest.Server.
type Env struct {
	Auth   *auth.Auth
	Server *httptest.Server
	Clock  *Clock
	Mail   *Mailbox
	// Phones records every SMS instead of sending it.
	Phones *Phones
	Config config.Config
	Events *EventLog

	closeOnce sync.Once
	closeErr  error
	logs      *testWriter
}

// Start is the instant every Env's clock starts at, so tests are
// reproducible.
func Start() time.Time {
	return time.Date(2030, time.January, 2, 3, 4, 5, 0, time.UTC)
}

// Cheap Argon2id parameters: the suite hashes hundreds of passwords, and
// the cost parameters do not change any behaviour under test.
const (
	testHashMemoryKiB   = 1024
	testHashTimeCost    = 1
	testHashParallelism = 1
)

// New starts an account system with config.Default(), a fresh database and
// secret, cheap password hashing and the console mail backend, then applies
// configure in order. The server and the Auth are closed when the test ends.
func New(t testing.TB, configure ...func(*config.Config)) *Env {
	t.Helper()
	return NewWith(t, nil, configure...)
}

// NewWith is New with extra options for auth.New, applied after the Env's
// own (clock, mailbox, phones, event log, logger), so they can add event
// handlers or give a store or a password hasher. auth.New refuses an
// option given twice, so they cannot replace the Env's own.
func NewWith(t testing.TB, opts []auth.Option, configure ...func(*config.Config)) *Env {
	t.Helper()
	// The listener exists before the server starts, so the base URL in
	// emailed links can point at this very server.
	srv := httptest.NewUnstartedServer(nil)

	cfg := config.Default()
	cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	// DatabaseURL (database.go, one per backend) gives every Env fresh,
	// isolated data.
	cfg.DatabaseURL = DatabaseURL(t)
	cfg.JWTSecret = randomSecret(t)
	cfg.PasswordHashMemoryKiB = testHashMemoryKiB
	cfg.PasswordHashTimeCost = testHashTimeCost
	cfg.PasswordHashParallelism = testHashParallelism
	cfg.Email.Backend = "console"
	for _, f := range configure {
		f(&cfg)
	}

	env := &Env{
		Server: srv,
		Clock:  NewClock(Start()),
		Mail:   &Mailbox{},
		Phones: &Phones{},
		Config: cfg,
		Events: &EventLog{},
		logs:   &testWriter{t: t},
	}
	all := []auth.Option{
		auth.WithClock(env.Clock),
		auth.WithMailer(env.Mail),
		auth.WithSMSSender(env.Phones),
		auth.WithEventHandler(env.Events.Handle),
		auth.WithLogger(slog.New(slog.NewTextHandler(env.logs, nil))),
	}
	all = append(all, opts...)

	a, err := auth.New(context.Background(), cfg, all...)
	if err != nil {
		srv.Close()
		t.Fatalf("auth.New: %v", err)
	}
	env.Auth = a
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(func() {
		if err := env.Close(); err != nil {
			t.Errorf("closing the account system: %v", err)
		}
	})
	return env
}

// Close stops the server and closes the Auth, which waits for mail still
// being sent. After Close the mailbox holds every message the requests
// caused, so a test can assert that some address got nothing. Calling it
// more than once is safe.
func (e *Env) Close() error {
	e.closeOnce.Do(func() {
		e.Server.Close()
		e.closeErr = e.Auth.Close()
		e.logs.stop()
	})
	return e.closeErr
}

// randomSecret returns a fresh 64-character jwt_secret.
func randomSecret(t testing.TB) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random secret: %v", err)
	}
	return hex.EncodeToString(b)
}

// Logs returns every line the account system logged so far, so a test can
// check what an operator would see (and what must never be there).
func (e *Env) Logs() string {
	e.logs.mu.Lock()
	defer e.logs.mu.Unlock()
	return e.logs.all.String()
}

// testWriter sends the account system's log lines to t.Log until the
// environment is closed (logging after a test ends would panic), and keeps
// a copy for Logs.
type testWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
	all  strings.Builder
}

func (w *testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.all.Write(p)
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func (w *testWriter) stop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
}
