// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/pressly/goose/v3"

	"example.com/demo/internal/auth/store"
)

// Migrations written in Go, for the steps SQL cannot express. goose runs
// them in version order among the files in migrations/, each in its own
// transaction, and records them in the same table. Like the files, they
// are append-only: never change what a released version does.
const emailKeyBackfillVersion = 3

// goMigrationNames names the Go migrations for Migrator.Status, as the
// file names do the SQL ones.
var goMigrationNames = map[int64]string{
	emailKeyBackfillVersion: "00003_email_key_backfill.go",
}

// goMigrations returns the Go migrations; what they have to report (rows
// they could not migrate as they were) goes to logger.
func goMigrations(logger *slog.Logger) []*goose.Migration {
	return []*goose.Migration{
		goose.NewGoMigration(emailKeyBackfillVersion,
			&goose.GoFunc{RunTx: func(ctx context.Context, tx *sql.Tx) error {
				return backfillEmailKeys(ctx, tx, logger)
			}},
			// Nothing to undo: 00002's Down drops the keys this step wrote.
			nil,
		),
	}
}

// backfillBatch is how many rows one UPDATE of the backfill writes.
const backfillBatch = 1000

// backfillEmailKeys replaces the placeholder keys 00002_email_key.sql gave
// existing users and pending registrations with store.EmailKey of their
// address.
//
// Two accounts whose addresses differ only in ways EmailKey folds (case
// outside ASCII, composed or decomposed accents) cannot both have the key
// the unique index now demands. The earliest-created keeps it; each later
// one gets duplicateKey, so it can no longer be found by address (no
// sign-in, no reset) until an operator resolves the clash, and a warning
// names both accounts. Refusing to migrate instead would keep the whole
// account system from starting over what may be one stale account.
//
// Pending registrations may share a key; those that do were made with
// different spellings of one address, so they are marked contested.
func backfillEmailKeys(ctx context.Context, tx *sql.Tx, logger *slog.Logger) error {
	users, err := readAddresses(ctx, tx, "SELECT id, email FROM users ORDER BY created_at, id")
	if err != nil {
		return fmt.Errorf("reading users: %w", err)
	}
	owner := make(map[string]string, len(users)) // key → id of the account that has it
	for i := range users {
		u := &users[i]
		key := store.EmailKey(u.email)
		if kept, taken := owner[key]; taken {
			u.key = duplicateKey(u.id)
			// Ids rather than addresses, to keep the addresses out of logs.
			logger.Warn("postgres: migration 3: account shares its email address (compared by store.EmailKey) with an older account; "+
				"it keeps its address but cannot be found by it, so nobody can sign in to it, until an operator changes or removes one of the two",
				"user_id", u.id, "older_user_id", kept)
			continue
		}
		owner[key] = u.id
		u.key = key
	}
	if err := writeKeys(ctx, tx, "users", users); err != nil {
		return err
	}

	pending, err := readAddresses(ctx, tx, "SELECT id, email FROM pending_registrations")
	if err != nil {
		return fmt.Errorf("reading pending registrations: %w", err)
	}
	for i := range pending {
		pending[i].key = store.EmailKey(pending[i].email)
	}
	if err := writeKeys(ctx, tx, "pending_registrations", pending); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE pending_registrations SET contested = TRUE
WHERE email_key IN (SELECT email_key FROM pending_registrations GROUP BY email_key HAVING count(*) > 1)`)
	if err != nil {
		return fmt.Errorf("marking contested pending registrations: %w", err)
	}
	return nil
}

// duplicateKey is the email_key of an account that lost its address's key
// to an older account. EmailKey lower-cases, so a key with upper-case
// letters is never one a lookup asks for; the id keeps it unique.
// (PostgreSQL text cannot hold a NUL byte, the other obvious marker.)
func duplicateKey(id string) string { return "DUPLICATE " + id }

// address is one row being backfilled.
type address struct{ id, email, key string }

func readAddresses(ctx context.Context, tx *sql.Tx, query string) ([]address, error) {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []address
	for rows.Next() {
		var a address
		if err := rows.Scan(&a.id, &a.email); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// writeKeys sets email_key of table's rows, a batch per statement.
func writeKeys(ctx context.Context, tx *sql.Tx, table string, rows []address) error {
	query := "UPDATE " + table + " SET email_key = k.key FROM unnest($1::text[], $2::text[]) AS k(id, key) WHERE " + table + ".id = k.id"
	for start := 0; start < len(rows); start += backfillBatch {
		batch := rows[start:min(start+backfillBatch, len(rows))]
		ids, keys := make([]string, len(batch)), make([]string, len(batch))
		for i, a := range batch {
			ids[i], keys[i] = a.id, a.key
		}
		if _, err := tx.ExecContext(ctx, query, ids, keys); err != nil {
			return fmt.Errorf("writing %s.email_key: %w", table, err)
		}
	}
	return nil
}
