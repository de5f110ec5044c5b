// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"context"
	"net/http"
	"testing"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
)

func TestHealth(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	for _, path := range []string{"/health", "/health/ready"} {
		r := env.Do(t, http.MethodGet, path, nil)
		wantStatus(t, r, http.StatusOK)
		if string(r.Body) != `{"status":"ok"}`+"\n" && string(r.Body) != `{"status":"ok"}` {
			t.Fatalf("GET %s: %q", path, r.Body)
		}
	}
}

func TestReadinessFailsWithoutDatabase(t *testing.T) {
	t.Parallel()
	// A store that is already closed stands for a database that went away.
	cfg := config.Default()
	cfg.DatabaseURL = authtest.DatabaseURL(t)
	s, err := auth.OpenStoreForTest(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	env := authtest.NewWith(t, []auth.Option{auth.WithStore(s)})
	r := env.Do(t, http.MethodGet, "/health/ready", nil)
	if r.Status != http.StatusServiceUnavailable || r.Str("status") == "ok" {
		t.Fatalf("readiness with a closed database: %s, want 503", r)
	}
	// Liveness does not depend on the database.
	wantStatus(t, env.Do(t, http.MethodGet, "/health", nil), http.StatusOK)
}
