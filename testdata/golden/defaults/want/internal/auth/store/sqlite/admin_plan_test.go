// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"context"
	"database/sql"
	"reflect"
	"slices"
	"strings"
	"testing"

	"example.com/demo/internal/auth/store/sqlite/sqlitedb"
)

// explainer is a sqlitedb.DBTX that runs EXPLAIN QUERY PLAN for every
// statement a query method sends, records the plan, and answers with no
// rows: the real sqlc methods are what is explained, with their own SQL.
type explainer struct {
	t    *testing.T
	db   *sql.DB
	plan []string
}

func (e *explainer) explain(ctx context.Context, query string, args ...any) {
	e.t.Helper()
	rows, err := e.db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		e.t.Fatalf("EXPLAIN QUERY PLAN: %v\n%s", err, query)
	}
	defer rows.Close()
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			e.t.Fatal(err)
		}
		e.plan = append(e.plan, detail)
	}
	if err := rows.Err(); err != nil {
		e.t.Fatal(err)
	}
}

const noRows = "SELECT 1 WHERE 0"

func (e *explainer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	e.explain(ctx, query, args...)
	return e.db.ExecContext(ctx, noRows)
}

func (e *explainer) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	e.t.Fatal("PrepareContext is not explained")
	return nil, nil
}

func (e *explainer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	e.explain(ctx, query, args...)
	return e.db.QueryContext(ctx, noRows)
}

func (e *explainer) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	e.explain(ctx, query, args...)
	return e.db.QueryRowContext(ctx, noRows)
}

// planOf explains the sqlitedb method called name, with zero arguments
// (SQLite's plans do not depend on the values). ok is false when there is
// no such method.
func planOf(t *testing.T, db *sql.DB, name string) (plan []string, ok bool) {
	t.Helper()
	e := &explainer{t: t, db: db}
	m := reflect.ValueOf(sqlitedb.New(e)).MethodByName(name)
	if !m.IsValid() {
		return nil, false
	}
	args := []reflect.Value{reflect.ValueOf(t.Context())}
	for i := 1; i < m.Type().NumIn(); i++ {
		args = append(args, reflect.Zero(m.Type().In(i)))
	}
	m.Call(args)
	if len(e.plan) == 0 {
		t.Fatalf("%s sent no statement", name)
	}
	return e.plan, true
}

// The hot queries and the admin API's read the users table through an
// index, never by scanning it, whatever its size: a plan that scans users
// (or counts it through a whole index), or that sorts for the list's own
// order, fails here.
func TestQueryPlans(t *testing.T) {
	s := openTemp(t)
	for _, c := range []struct {
		name string
		// sortOK: the matches of a range are sorted by time (the prefix
		// search); the bare list reads ix_users_created_at_id in order.
		sortOK   bool
		optional bool
		// covering, if set, must be in the plan as a covering index: the
		// prefix search sorts its matches from the index alone.
		covering string
	}{
		{name: "UserByID"},
		{name: "UserByEmail"},
		{name: "SessionUser", optional: true}, // the session lookup (GET /me and every authenticated request)
		{name: "IsTokenRevoked"},
		{name: "RecordLogin"},
		{name: "UserCounts"},
		{name: "CountLivePending"},
		{name: "ListUsers"},
		{name: "ListUsersAfter"},
		{name: "ListUsersByPrefix", sortOK: true, covering: "ix_users_email_key_created_at_id"},
		{name: "ListUsersByPrefixAfter", sortOK: true, covering: "ix_users_email_key_created_at_id"},
		{name: "CountUsersByPrefix"},
	} {
		plan, ok := planOf(t, s.db, c.name)
		if !ok {
			if !c.optional {
				t.Errorf("sqlitedb has no method %s", c.name)
			}
			continue
		}
		t.Logf("%s: %s", c.name, strings.Join(plan, " | "))
		if c.covering != "" && !slices.ContainsFunc(plan, func(step string) bool {
			return strings.HasPrefix(step, "SEARCH ") && strings.Contains(step, " USING COVERING INDEX "+c.covering+" ")
		}) {
			t.Errorf("%s does not search the covering index %s: %q", c.name, c.covering, plan)
		}
		for _, step := range plan {
			switch {
			case step == "SCAN users" || strings.HasPrefix(step, "SCAN users USING COVERING INDEX"):
				t.Errorf("%s scans users: %q in %q", c.name, step, plan)
			case strings.HasPrefix(step, "SCAN ") && step != "SCAN CONSTANT ROW" &&
				!strings.HasPrefix(step, "SCAN users USING INDEX ix_users_created_at_id"):
				t.Errorf("%s scans a table: %q in %q", c.name, step, plan)
			case strings.Contains(step, "TEMP B-TREE") && !c.sortOK:
				t.Errorf("%s sorts: %q in %q", c.name, step, plan)
			}
		}
	}
}
