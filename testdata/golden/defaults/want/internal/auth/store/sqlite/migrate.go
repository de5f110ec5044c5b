// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
)

// MigrationTable is the table goose records applied versions in. It is not
// goose's default (goose_db_version) so the account system's migrations
// never mix with a host application's own goose history in the same file.
const MigrationTable = "regstack_goose_version"

//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies every pending migration. Running it again is a no-op.
func migrate(ctx context.Context, db *sql.DB) error {
	p, err := newProvider(db)
	if err != nil {
		return err
	}
	// p.Close would close db, which the Store still needs, so it is not
	// called; the provider holds nothing else.
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// newProvider returns a goose provider for the embedded migrations on db.
// Creating it reads the migration files only; it does not touch db.
func newProvider(db *sql.DB) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys,
		goose.WithTableName(MigrationTable),
		// Go migrations a host registered globally with goose belong to the
		// host's own history, not to this one.
		goose.WithDisableGlobalRegistry(true),
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
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	return p, nil
}
