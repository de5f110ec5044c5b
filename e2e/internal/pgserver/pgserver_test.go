package pgserver

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLifecycle starts a server, creates a database, writes a row, restarts
// the server and reads the row back, then removes everything.
func TestLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	s, err := Start(ctx)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Logf("PostgreSQL up on port %d in %s", s.Port, time.Since(start).Round(time.Millisecond))
	closed := false
	defer func() {
		if !closed {
			s.Close()
		}
	}()

	url, err := s.CreateDatabase(ctx, "lifecycle")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "postgres://postgres@127.0.0.1:") || !strings.Contains(url, "/lifecycle?") {
		t.Errorf("URL = %s", url)
	}
	if _, err := s.Exec(ctx, "lifecycle", "CREATE TABLE t (v text); INSERT INTO t VALUES ('kept')"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateDatabase(ctx, "Bad-Name"); err == nil {
		t.Error("CreateDatabase accepted a name that needs quoting")
	}

	if err := s.Down(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Exec(ctx, "lifecycle", "SELECT 1"); err == nil {
		t.Fatal("the server still answers after Down")
	}
	if err := s.Up(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := s.Exec(ctx, "lifecycle", "SELECT v FROM t")
	if err != nil || strings.TrimSpace(out) != "kept" {
		t.Fatalf("after a restart: %q, %v; want the committed row", out, err)
	}

	dir := s.Dir
	closed = true
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Close left %s behind (%v)", dir, err)
	}
}
