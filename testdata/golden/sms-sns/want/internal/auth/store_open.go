// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"log/slog"

	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/sqlite"
)

// openStore opens the database this package was generated for. It is the
// one place that names the backend; everything else sees store.Store.
func openStore(ctx context.Context, cfg config.Config, logger *slog.Logger) (store.Store, error) {
	s, err := sqlite.Open(ctx, cfg.DatabaseURL, sqlite.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openMigrator opens the database's schema steps for the operator commands
// (`regstack migrate`, `regstack doctor`) without applying anything.
func openMigrator(ctx context.Context, cfg config.Config, logger *slog.Logger) (store.Migrator, error) {
	m, err := sqlite.OpenMigrator(ctx, cfg.DatabaseURL, sqlite.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	return m, nil
}
