// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"example.com/demo/internal/auth/store"
)

// ErrNothingToRollBack is returned by Migrator.Down when no migration is
// applied.
var ErrNothingToRollBack = errors.New("postgres: no applied migration to roll back")

// Migrator drives the embedded migrations of one database for the
// operator commands (`regstack migrate`, `regstack doctor`). It implements
// store.Migrator. Up and Down hold the same advisory lock as Open, so
// they are safe while replicas are starting.
type Migrator struct {
	pool *pgxpool.Pool
	db   *sql.DB
	p    *goose.Provider
}

var _ store.Migrator = (*Migrator)(nil)

// OpenMigrator connects to the database named by databaseURL (the forms
// Open accepts, and the same options) without applying anything. Close it
// when done.
func OpenMigrator(ctx context.Context, databaseURL string, opts ...Option) (*Migrator, error) {
	set := resolve(opts)
	pool, err := connect(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	p, err := newProvider(ctx, db, set.logger)
	if err != nil {
		db.Close()
		pool.Close()
		return nil, err
	}
	return &Migrator{pool: pool, db: db, p: p}, nil
}

// Status lists every embedded migration in version order with whether the
// database has it. It only reads: on a database that never ran a migration
// (no version table yet) everything is pending and nothing is created.
func (m *Migrator) Status(ctx context.Context) ([]store.Migration, error) {
	var exists bool
	err := m.db.QueryRowContext(ctx,
		`SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1)`,
		MigrationTable).Scan(&exists)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: migration status: %w", err))
	}
	if !exists {
		sources := m.p.ListSources()
		out := make([]store.Migration, len(sources))
		for i, s := range sources {
			out[i] = migrationOf(s, false)
		}
		return out, nil
	}
	status, err := m.p.Status(ctx)
	if err != nil {
		return nil, unavailable(fmt.Errorf("postgres: migration status: %w", err))
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
		return applied, unavailable(fmt.Errorf("postgres: migrate up: %w", err))
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
		return store.Migration{}, unavailable(fmt.Errorf("postgres: migrate down: %w", err))
	}
	return migrationOf(r.Source, false), nil
}

// Close closes the database/sql view and then the pool under it.
func (m *Migrator) Close() error {
	err := m.p.Close()
	m.pool.Close()
	return err
}

func migrationOf(s *goose.Source, applied bool) store.Migration {
	name := path.Base(s.Path)
	if s.Type == goose.TypeGo {
		// A Go migration has no file in migrations/ to be named after.
		name = goMigrationNames[s.Version]
	}
	return store.Migration{Version: s.Version, Name: name, Applied: applied}
}
