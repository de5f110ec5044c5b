// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"example.com/demo/internal/auth/store"
)

// MigrationCollection records which index steps a database has: one
// document per applied step, {_id: version, name, applied_at}.
const MigrationCollection = "regstack_migrations"

// MongoDB's answer to an index option the server does not implement
// (FerretDB to expireAfterSeconds).
const codeNotImplemented = 238

// Steps are append-only, like SQL migrations: a database that recorded a
// version never runs it again, so change an index by adding a step. Every
// part of a step is idempotent (creating or dropping an index, rewriting
// documents to what they should be), so two replicas starting at once both
// run it harmlessly, and a step a crash interrupted is simply run again:
// only a completed step is recorded.
//
// Collections need no creating: MongoDB creates one with its first index
// or document.
func steps() []step {
	return []step{
		{version: 1, name: "00001_indexes", indexes: []index{
			// email_key is the address's key (store.EmailKey since step 3,
			// ASCII letters lower-cased before): a plain unique index gives
			// case-insensitive uniqueness without a collation (which
			// FerretDB lacks).
			{usersCollection, "email_unique", bson.D{{Key: "email_key", Value: 1}}, unique},
			// Serves the user list's order (newest first, ties by id).
			{usersCollection, "ix_users_created_at", bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}, plain},
			{pendingCollection, "pending_email_unique", bson.D{{Key: "email_key", Value: 1}}, unique},
			{pendingCollection, "pending_token_unique", bson.D{{Key: "token_hash", Value: 1}}, unique},
			{pendingCollection, "ix_pending_expires_at", bson.D{{Key: "expires_at", Value: 1}}, plain},
			// token_blacklist's _id is the jti, unique by itself.
			{blacklistCollection, "ix_blacklist_exp", bson.D{{Key: "exp", Value: 1}}, plain},
			// The per-key sequence that makes the lockout count exact
			// (attempts.go); it also serves every lookup by key.
			{loginAttemptsCollection, "login_attempts_email_seq_unique", bson.D{{Key: "email_key", Value: 1}, {Key: "seq", Value: 1}}, unique},
			{loginAttemptsCollection, "ix_login_attempts_when", bson.D{{Key: "when", Value: 1}}, plain},
			// account_tokens' _id is the token hash.
			{accountTokensCollection, "ix_account_tokens_user_id", bson.D{{Key: "user_id", Value: 1}}, plain},
			{accountTokensCollection, "ix_account_tokens_expires_at", bson.D{{Key: "expires_at", Value: 1}}, plain},
		}},
		// TTL indexes let the server reap expired rows by itself. They watch
		// the BSON date twins (see doc.go); nothing depends on them, because
		// every read checks expiry and PurgeExpired deletes what is left.
		{version: 2, name: "00002_ttl_indexes", indexes: []index{
			{pendingCollection, "pending_ttl", bson.D{{Key: "expires_at_date", Value: 1}}, ttl},
			{blacklistCollection, "exp_ttl", bson.D{{Key: "exp_date", Value: 1}}, ttl},
			{loginAttemptsCollection, "when_ttl", bson.D{{Key: "expires_date", Value: 1}}, ttl},
			{accountTokensCollection, "account_tokens_ttl", bson.D{{Key: "expires_at_date", Value: 1}}, ttl},
		}},
		// Addresses are compared by store.EmailKey (NFC, Unicode lower case)
		// instead of ASCII lower case, and an address may have several
		// pending registrations, so their email_key index is no longer
		// unique. Its replacement leads with email_key too (a server keeps
		// one index per key pattern, so it cannot be the same keys without
		// the unique flag) and also holds the newest-first order; it is
		// built before the unique one is dropped, so lookups stay indexed
		// throughout. rekey (rekey.go) then recomputes the stored keys. The
		// step cannot be rolled back: the old keys are gone, and the pending
		// rows may no longer fit a unique index.
		{version: 3, name: "00003_email_key", indexes: []index{
			{pendingCollection, "ix_pending_email_key_created_at", bson.D{{Key: "email_key", Value: 1}, {Key: "created_at", Value: -1}}, plain},
		}, drop: []index{
			{pendingCollection, "pending_email_unique", bson.D{{Key: "email_key", Value: 1}}, unique},
		}, data: rekey},
		// The user counts (the dashboard's numbers) read these instead of the
		// documents: countDocuments on an indexed flag counts index keys.
		// The user list's order and keyset pages use ix_users_created_at
		// (step 1).
		{version: 6, name: "00006_user_flags", indexes: []index{
			{usersCollection, "ix_users_is_active", bson.D{{Key: "is_active", Value: 1}}, plain},
			{usersCollection, "ix_users_is_verified", bson.D{{Key: "is_verified", Value: 1}}, plain},
			{usersCollection, "ix_users_is_superuser", bson.D{{Key: "is_superuser", Value: 1}}, plain},
		}},
	}
}

// step is one versioned set of index changes, optionally followed by a
// rewrite of documents.
type step struct {
	version int64
	name    string
	// indexes are created, then drop is dropped (an index already missing
	// is fine), then data runs.
	indexes []index
	drop    []index
	// data rewrites documents. Such a step cannot be undone, which is also
	// why undo has no need to recreate what drop removed; a step that
	// drops an index without rewriting documents would have to teach undo
	// that first.
	data func(ctx context.Context, db *mongo.Database, logger *slog.Logger) error
}

// index is one index of a step.
type index struct {
	collection string
	name       string
	keys       bson.D
	kind       indexKind
}

type indexKind int

const (
	plain indexKind = iota
	unique
	// ttl deletes a document once the date in its (single) key field has
	// passed.
	ttl
)

func (ix index) model() mongo.IndexModel {
	opts := options.Index().SetName(ix.name)
	switch ix.kind {
	case unique:
		opts.SetUnique(true)
	case ttl:
		opts.SetExpireAfterSeconds(0)
	}
	return mongo.IndexModel{Keys: ix.keys, Options: opts}
}

// migrationDoc is a regstack_migrations document.
type migrationDoc struct {
	Version   int64  `bson:"_id"`
	Name      string `bson:"name"`
	AppliedAt int64  `bson:"applied_at"`
	// TTLSkipped records that the server refused the step's TTL indexes.
	TTLSkipped bool `bson:"ttl_skipped,omitempty"`
}

// appliedVersions reads which steps the database has.
func appliedVersions(ctx context.Context, db *mongo.Database) (map[int64]bool, error) {
	cur, err := db.Collection(MigrationCollection).Find(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("mongo: read %s: %w", MigrationCollection, err)
	}
	var docs []migrationDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("mongo: read %s: %w", MigrationCollection, err)
	}
	applied := make(map[int64]bool, len(docs))
	for _, d := range docs {
		applied[d.Version] = true
	}
	return applied, nil
}

// applySteps applies every step the database has not recorded, in order,
// and returns the ones it applied. Running it again is a no-op.
func applySteps(ctx context.Context, db *mongo.Database, logger *slog.Logger) ([]store.Migration, error) {
	return applyStepList(ctx, db, logger, steps())
}

// applyStepList is applySteps over a given list of steps (the tests build
// databases as older versions left them).
func applyStepList(ctx context.Context, db *mongo.Database, logger *slog.Logger, list []step) ([]store.Migration, error) {
	applied, err := appliedVersions(ctx, db)
	if err != nil {
		return nil, err
	}
	var (
		done []store.Migration
		// One line about missing TTL indexes says it all, however many
		// steps have some.
		ttlLogged bool
	)
	for _, st := range list {
		if applied[st.version] {
			continue
		}
		ttlSkipped, err := st.apply(ctx, db, logger)
		if err != nil {
			return done, err
		}
		if ttlSkipped && !ttlLogged {
			ttlLogged = true
			logger.InfoContext(ctx, "mongo: the server does not implement TTL indexes; expired rows stay until PurgeExpired deletes them (reads check expiry themselves)",
				"step", st.name)
		}
		rec := migrationDoc{Version: st.version, Name: st.name, AppliedAt: micros(time.Now()), TTLSkipped: ttlSkipped}
		// A replica starting at the same moment may have recorded it first.
		if _, err := db.Collection(MigrationCollection).InsertOne(ctx, rec); err != nil && !mongo.IsDuplicateKeyError(err) {
			return done, fmt.Errorf("mongo: record step %s: %w", st.name, err)
		}
		done = append(done, store.Migration{Version: st.version, Name: st.name, Applied: true})
	}
	return done, nil
}

// apply creates the step's indexes, drops the ones it replaces and runs
// its data rewrite. A TTL index the server answers NotImplemented for is
// skipped, and so are the step's other TTL indexes: ttlSkipped reports it,
// for one log line.
func (st step) apply(ctx context.Context, db *mongo.Database, logger *slog.Logger) (ttlSkipped bool, err error) {
	for _, ix := range st.indexes {
		if ix.kind == ttl && ttlSkipped {
			continue
		}
		_, err := db.Collection(ix.collection).Indexes().CreateOne(ctx, ix.model())
		if ix.kind == ttl && isNotImplemented(err) {
			ttlSkipped = true
			continue
		}
		if err != nil {
			return false, fmt.Errorf("mongo: step %s: index %s.%s: %w", st.name, ix.collection, ix.name, err)
		}
	}
	for _, ix := range st.drop {
		err := db.Collection(ix.collection).Indexes().DropOne(ctx, ix.name)
		if err != nil && !isMissing(err) {
			return false, fmt.Errorf("mongo: step %s: drop index %s.%s: %w", st.name, ix.collection, ix.name, err)
		}
	}
	if st.data != nil {
		if err := st.data(ctx, db, logger); err != nil {
			return false, fmt.Errorf("mongo: step %s: %w", st.name, err)
		}
	}
	return ttlSkipped, nil
}

// undo drops the step's indexes; ones already missing are fine. A step
// that rewrote documents (the only kind that drops indexes so far)
// refuses with ErrIrreversible, changing nothing.
func (st step) undo(ctx context.Context, db *mongo.Database) error {
	if st.data != nil {
		return fmt.Errorf("%w: %s", ErrIrreversible, st.name)
	}
	for i := len(st.indexes) - 1; i >= 0; i-- {
		ix := st.indexes[i]
		err := db.Collection(ix.collection).Indexes().DropOne(ctx, ix.name)
		if err != nil && !isMissing(err) {
			return fmt.Errorf("mongo: undo step %s: drop index %s.%s: %w", st.name, ix.collection, ix.name, err)
		}
	}
	return nil
}

func isNotImplemented(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == codeNotImplemented
}

// isMissing reports a dropIndexes of an index or collection that does not
// exist: IndexNotFound (27) or NamespaceNotFound (26).
func isMissing(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && (ce.Code == 27 || ce.Code == 26)
}
