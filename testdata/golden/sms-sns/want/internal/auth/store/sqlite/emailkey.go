// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
	"log/slog"

	sqlitedriver "modernc.org/sqlite"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/sqlite/sqlitedb"
)

// emailKeyFunc is store.EmailKey as an SQL function. Only
// migrations/00002_email_key.sql calls it, to fill the email_key columns
// of rows written before they existed; the queries get keys computed in
// Go, so SQLite never folds case itself (its lower() is ASCII only).
const emailKeyFunc = "regstack_email_key"

func init() {
	// The driver adds registered functions to every connection it opens,
	// so the migrator's connections have it.
	sqlitedriver.MustRegisterDeterministicScalarFunction(emailKeyFunc, 1, emailKeySQL)
}

func emailKeySQL(_ *sqlitedriver.FunctionContext, args []driver.Value) (driver.Value, error) {
	switch v := args[0].(type) {
	case string:
		return store.EmailKey(v), nil
	case []byte:
		return store.EmailKey(string(v)), nil
	case nil:
		return nil, nil
	default:
		return nil, fmt.Errorf("%s: want text, got %T", emailKeyFunc, v)
	}
}

// duplicateKeyPrefix starts the email_key the migration gave an account
// whose address an older account already had under the new key. No address
// has a key starting with NUL, so such an account is never found by email.
const duplicateKeyPrefix = "\x00duplicate:"

// warnDuplicateKeys logs every account that lost its email key that way,
// at each start, until an operator deletes it or gives it another address
// (SetEmail computes a fresh key). The range is an index scan: ';' follows
// ':', so it holds exactly the keys with the prefix.
func warnDuplicateKeys(ctx context.Context, q *sqlitedb.Queries, logger *slog.Logger) error {
	ids, err := q.UsersWithKeyInRange(ctx, sqlitedb.UsersWithKeyInRangeParams{
		From:  duplicateKeyPrefix,
		Below: "\x00duplicate;",
	})
	if err != nil {
		return fmt.Errorf("sqlite: look for duplicate addresses: %w", err)
	}
	for _, id := range ids {
		logger.WarnContext(ctx, "sqlite: account shares its address with an older account when compared by Unicode case and normal form; "+
			"it cannot sign in or be found by email until it is deleted or moved to another address",
			"user", id)
	}
	return nil
}
