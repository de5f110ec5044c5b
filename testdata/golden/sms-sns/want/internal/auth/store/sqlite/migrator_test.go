// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
)

// embeddedCount is how many migration files this package embeds.
func embeddedCount(t *testing.T) int {
	t.Helper()
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("embedded migrations: %v (%d files)", err, len(files))
	}
	return len(files)
}

func openTempMigrator(t *testing.T, url string) *Migrator {
	t.Helper()
	m, err := OpenMigrator(t.Context(), url)
	if err != nil {
		t.Fatalf("OpenMigrator: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func tableExists(t *testing.T, m *Migrator, name string) bool {
	t.Helper()
	var n int
	if err := m.db.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_master WHERE name = ?`, name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

func TestMigratorLifecycle(t *testing.T) {
	ctx := t.Context()
	url := "sqlite:///" + filepath.Join(t.TempDir(), "auth.db")
	m := openTempMigrator(t, url)
	want := embeddedCount(t)

	// Opening and asking for the status apply nothing, not even goose's
	// version table.
	st, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != want {
		t.Fatalf("Status lists %d migrations, want %d", len(st), want)
	}
	for _, s := range st {
		if s.Applied || s.Version <= 0 || filepath.Ext(s.Name) != ".sql" {
			t.Errorf("fresh database: %+v, want a pending .sql migration", s)
		}
	}
	if tableExists(t, m, MigrationTable) || tableExists(t, m, "users") {
		t.Fatal("Status created tables on a fresh database")
	}

	applied, err := m.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != want || !applied[0].Applied || applied[0].Name != st[0].Name {
		t.Fatalf("Up applied %+v, want all %d", applied, want)
	}
	if !tableExists(t, m, "users") {
		t.Fatal("Up did not create users")
	}
	if again, err := m.Up(ctx); err != nil || len(again) != 0 {
		t.Fatalf("second Up: %+v, %v; want nothing applied", again, err)
	}
	st, err = m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if !s.Applied {
			t.Errorf("after Up: %+v not applied", s)
		}
	}

	// The store opens the migrated database without applying anything new.
	s, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	last := st[len(st)-1]
	down, err := m.Down(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if down.Version != last.Version || down.Applied {
		t.Fatalf("Down rolled back %+v, want %+v unapplied", down, last)
	}
	st, err = m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st[len(st)-1].Applied {
		t.Errorf("after Down the last migration is still applied")
	}
	if want == 1 && tableExists(t, m, "users") {
		t.Error("rolling back the only migration left the users table")
	}
	for range want - 1 {
		if _, err := m.Down(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Down(ctx); !errors.Is(err, ErrNothingToRollBack) {
		t.Fatalf("Down with nothing applied: %v, want ErrNothingToRollBack", err)
	}
}

func TestOpenMigratorBadURL(t *testing.T) {
	if _, err := OpenMigrator(t.Context(), "postgres://u:secret@h/db"); !errors.Is(err, ErrInvalidURL) {
		t.Fatalf("OpenMigrator(postgres URL): %v, want ErrInvalidURL", err)
	}
	missing := "sqlite:///" + filepath.Join(t.TempDir(), "no", "such", "folder", "x.db")
	if _, err := OpenMigrator(t.Context(), missing); err == nil {
		t.Fatal("OpenMigrator in a missing folder succeeded")
	}
}
