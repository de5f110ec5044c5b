// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// MigrationTable is the table goose records applied versions in. It is not
// goose's default (goose_db_version) so the account system's migrations
// never mix with a host application's own goose history in the same
// schema.
const MigrationTable = "regstack_goose_version"

// How long a replica waits for another one's migrations: it asks for the
// lock every lockRetrySeconds, lockAttempts times (five minutes in all),
// or until its context ends.
const (
	lockRetrySeconds = 1
	lockAttempts     = 300
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies every pending migration. Running it again is a no-op,
// and replicas running it at once take turns (see newProvider).
func migrate(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	// goose speaks database/sql; this view borrows the pool's connections
	// and closing it leaves the pool open.
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := newProvider(ctx, db, logger)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return unavailable(fmt.Errorf("postgres: migrate: %w", err))
	}
	return nil
}

// newProvider returns the goose provider for the migrations, holding a
// PostgreSQL session (advisory) lock while it changes the schema: two
// replicas starting at once would otherwise both try to create the same
// tables, and one would fail. The Go migrations (goMigrations) report to
// logger.
func newProvider(ctx context.Context, db *sql.DB, logger *slog.Logger) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	id, err := migrationLockID(ctx, db)
	if err != nil {
		return nil, err
	}
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(id),
		lock.WithLockTimeout(lockRetrySeconds, lockAttempts),
	)
	if err != nil {
		return nil, fmt.Errorf("postgres: migration lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithTableName(MigrationTable),
		goose.WithSessionLocker(locker),
		// Go migrations a host registered globally with goose belong to the
		// host's own history, not to this one.
		goose.WithDisableGlobalRegistry(true),
		goose.WithGoMigrations(goMigrations(logger)...),
		// An optional feature's migration may arrive with a later
		// `regstack gen --upgrade` that switches the feature on, after the
		// database already ran a core migration numbered above it. Each
		// feature migration creates tables of its own that no other
		// migration touches, so applying it late, out of number order,
		// gives the same schema as applying it in order.
		goose.WithAllowOutofOrder(true),
		goose.WithLogger(goose.NopLogger()),
	)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	return p, nil
}

// migrationLockID names the advisory lock after the schema the migrations
// go into (the first existing one in search_path). Replicas sharing a
// schema compute the same id and take turns; applications in other
// schemas of the same database, such as parallel tests, do not wait for
// each other; and the id differs from goose's default, so a host's own
// goose migrations never contend with these.
func migrationLockID(ctx context.Context, db *sql.DB) (int64, error) {
	var schema sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		return 0, unavailable(fmt.Errorf("postgres: migrations: reading the current schema: %w", err))
	}
	if !schema.Valid {
		return 0, errors.New("postgres: migrations: no schema to create tables in: search_path names no existing schema")
	}
	h := fnv.New64a()
	h.Write([]byte("regstack:" + schema.String + "." + MigrationTable))
	return int64(h.Sum64()), nil
}
