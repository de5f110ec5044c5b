// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"example.com/demo/internal/auth/store"
)

// ErrNothingToRollBack is returned by Migrator.Down when no step is
// applied.
var ErrNothingToRollBack = errors.New("mongo: no applied index step to roll back")

// ErrIrreversible is returned by Migrator.Down when the most recent step
// rewrote stored documents (step 3 recomputed every email key), which
// cannot be undone; restore a backup taken before it instead.
var ErrIrreversible = errors.New("mongo: the index step rewrote stored documents and cannot be rolled back")

// Migrator drives the index steps of one database for the operator
// commands (`regstack migrate`, `regstack doctor`). It implements
// store.Migrator.
type Migrator struct {
	client *mongo.Client
	db     *mongo.Database
	logger *slog.Logger
}

var _ store.Migrator = (*Migrator)(nil)

// OpenMigrator connects to the database named by databaseURL (the forms
// Open accepts) without applying anything. Close it when done.
func OpenMigrator(ctx context.Context, databaseURL string, opts ...Option) (*Migrator, error) {
	set := resolve(opts)
	client, db, err := connect(ctx, databaseURL, set)
	if err != nil {
		return nil, err
	}
	return &Migrator{client: client, db: db, logger: set.logger}, nil
}

// Status lists every step in version order with whether the database has
// it. It only reads.
func (m *Migrator) Status(ctx context.Context) ([]store.Migration, error) {
	applied, err := appliedVersions(ctx, m.db)
	if err != nil {
		return nil, err
	}
	var out []store.Migration
	for _, st := range steps() {
		out = append(out, store.Migration{Version: st.version, Name: st.name, Applied: applied[st.version]})
	}
	return out, nil
}

// Up applies every pending step and returns the ones it applied (none when
// the database is current).
func (m *Migrator) Up(ctx context.Context) ([]store.Migration, error) {
	return applySteps(ctx, m.db, m.logger)
}

// Down undoes the index changes of the most recently applied step and
// forgets it. The documents stay as they are. Rolling back step 1 removes
// the unique indexes, so do it only to rebuild them; a step that rewrote
// documents (step 3) is refused with ErrIrreversible.
func (m *Migrator) Down(ctx context.Context) (store.Migration, error) {
	applied, err := appliedVersions(ctx, m.db)
	if err != nil {
		return store.Migration{}, err
	}
	all := steps()
	for i := len(all) - 1; i >= 0; i-- {
		st := all[i]
		if !applied[st.version] {
			continue
		}
		if err := st.undo(ctx, m.db); err != nil {
			return store.Migration{}, err
		}
		if _, err := m.db.Collection(MigrationCollection).DeleteOne(ctx, bson.D{{Key: "_id", Value: st.version}}); err != nil {
			return store.Migration{}, fmt.Errorf("mongo: forget step %s: %w", st.name, err)
		}
		return store.Migration{Version: st.version, Name: st.name, Applied: false}, nil
	}
	return store.Migration{}, ErrNothingToRollBack
}

// Close closes the connection.
func (m *Migrator) Close() error {
	disconnect(m.client)
	return nil
}
