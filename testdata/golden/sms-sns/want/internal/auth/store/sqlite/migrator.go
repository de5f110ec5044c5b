// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"path"

	"github.com/pressly/goose/v3"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/sqlite/sqlitedb"
)

// ErrNothingToRollBack is returned by Migrator.Down when no migration is
// applied.
var ErrNothingToRollBack = errors.New("sqlite: no applied migration to roll back")

// Migrator drives the embedded migrations of one database for the
// operator commands (`regstack migrate`, `regstack doctor`). It implements
// store.Migrator.
type Migrator struct {
	db     *sql.DB
	p      *goose.Provider
	logger *slog.Logger
}

var _ store.Migrator = (*Migrator)(nil)

// OpenMigrator opens the database named by databaseURL (the forms Open
// accepts) without applying anything. Close it when done.
func OpenMigrator(ctx context.Context, databaseURL string, opts ...Option) (*Migrator, error) {
	set := resolve(opts)
	db, err := openDB(ctx, databaseURL, set)
	if err != nil {
		return nil, err
	}
	p, err := newProvider(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Migrator{db: db, p: p, logger: set.logger}, nil
}

// Status lists every embedded migration in version order with whether the
// database has it. It only reads: on a database that never ran a migration
// (no version table yet) everything is pending and nothing is created.
func (m *Migrator) Status(ctx context.Context) ([]store.Migration, error) {
	var tables int
	err := m.db.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, MigrationTable).Scan(&tables)
	if err != nil {
		return nil, fmt.Errorf("sqlite: migration status: %w", err)
	}
	if tables == 0 {
		sources := m.p.ListSources()
		out := make([]store.Migration, len(sources))
		for i, s := range sources {
			out[i] = migrationOf(s, false)
		}
		return out, nil
	}
	status, err := m.p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: migration status: %w", err)
	}
	out := make([]store.Migration, len(status))
	for i, s := range status {
		out[i] = migrationOf(s.Source, s.State == goose.StateApplied)
	}
	return out, nil
}

// Up applies every pending migration, each in its own transaction, and
// returns the ones it applied (none when the schema is current).
func (m *Migrator) Up(ctx context.Context) ([]store.Migration, error) {
	results, err := m.p.Up(ctx)
	// A failure part way still reports the migrations applied before it.
	var partial *goose.PartialError
	if errors.As(err, &partial) {
		results = partial.Applied
	}
	applied := make([]store.Migration, 0, len(results))
	for _, r := range results {
		applied = append(applied, migrationOf(r.Source, true))
	}
	if err != nil {
		return applied, fmt.Errorf("sqlite: migrate up: %w", err)
	}
	if len(applied) > 0 {
		// The email-key migration may have had to set accounts aside.
		if err := warnDuplicateKeys(ctx, sqlitedb.New(m.db), m.logger); err != nil {
			return applied, err
		}
	}
	return applied, nil
}

// Down rolls back the most recently applied migration and returns it.
func (m *Migrator) Down(ctx context.Context) (store.Migration, error) {
	r, err := m.p.Down(ctx)
	switch {
	case errors.Is(err, goose.ErrNoNextVersion):
		return store.Migration{}, ErrNothingToRollBack
	case err != nil:
		return store.Migration{}, fmt.Errorf("sqlite: migrate down: %w", err)
	}
	return migrationOf(r.Source, false), nil
}

// Close closes the database.
func (m *Migrator) Close() error {
	return m.p.Close()
}

func migrationOf(s *goose.Source, applied bool) store.Migration {
	return store.Migration{Version: s.Version, Name: path.Base(s.Path), Applied: applied}
}
