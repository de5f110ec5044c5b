// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"log/slog"

	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/mongo"
)

// openStore opens the database this package was generated for. It is the
// one place that names the backend; everything else sees store.Store.
// A database_url without a database name uses mongodb_database.
func openStore(ctx context.Context, cfg config.Config, logger *slog.Logger) (store.Store, error) {
	s, err := mongo.Open(ctx, cfg.DatabaseURL, mongo.WithDefaultDatabase(cfg.MongoDBDatabase), mongo.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openMigrator connects to the database for `regstack migrate` and
// `regstack doctor` without applying anything.
func openMigrator(ctx context.Context, cfg config.Config, logger *slog.Logger) (store.Migrator, error) {
	m, err := mongo.OpenMigrator(ctx, cfg.DatabaseURL, mongo.WithDefaultDatabase(cfg.MongoDBDatabase), mongo.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	return m, nil
}
