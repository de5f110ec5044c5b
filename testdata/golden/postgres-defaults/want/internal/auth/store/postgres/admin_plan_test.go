// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"example.com/demo/internal/auth/store/postgres/pgdb"
)

// explainer is a pgdb.DBTX that runs EXPLAIN (FORMAT JSON) for every
// statement a query method sends, with its arguments, records the plan,
// and answers with no rows: the real sqlc methods are what is explained.
type explainer struct {
	t    *testing.T
	conn *pgxpool.Conn
	plan []map[string]any
}

func (e *explainer) explain(ctx context.Context, query string, args ...any) {
	e.t.Helper()
	var out []byte
	if err := e.conn.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+query, args...).Scan(&out); err != nil {
		e.t.Fatalf("EXPLAIN: %v\n%s", err, query)
	}
	var plans []struct {
		Plan map[string]any `json:"Plan"`
	}
	if err := json.Unmarshal(out, &plans); err != nil || len(plans) != 1 {
		e.t.Fatalf("EXPLAIN output %s: %v", out, err)
	}
	e.plan = append(e.plan, plans[0].Plan)
}

const noRows = "SELECT 1 WHERE false"

func (e *explainer) Exec(ctx context.Context, query string, args ...any) (pgconn.CommandTag, error) {
	e.explain(ctx, query, args...)
	return pgconn.NewCommandTag("UPDATE 0"), nil
}

func (e *explainer) Query(ctx context.Context, query string, args ...any) (pgx.Rows, error) {
	e.explain(ctx, query, args...)
	return e.conn.Query(ctx, noRows)
}

func (e *explainer) QueryRow(ctx context.Context, query string, args ...any) pgx.Row {
	e.explain(ctx, query, args...)
	return e.conn.QueryRow(ctx, noRows)
}

// nodes flattens a plan tree into "Node Type[ on relation][ using index]".
func nodes(n map[string]any, out []string) []string {
	s, _ := n["Node Type"].(string)
	if rel, ok := n["Relation Name"].(string); ok {
		s += " on " + rel
	}
	if ix, ok := n["Index Name"].(string); ok {
		s += " using " + ix
	}
	out = append(out, s)
	children, _ := n["Plans"].([]any)
	for _, c := range children {
		if m, ok := c.(map[string]any); ok {
			out = nodes(m, out)
		}
	}
	return out
}

// The hot queries and the admin API's read the users table through an
// index, never by scanning it, whatever its size. The table is empty, so
// sequential scans are switched off for the session: the planner then
// picks a sequential scan only when no index can serve the query, which
// is what fails here; so does a sort for the list's own order.
func TestQueryPlans(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "RESET enable_seqscan") }()

	for _, c := range []struct {
		name     string
		sortOK   bool // the matches of a prefix range are sorted by time
		optional bool
	}{
		{name: "UserByID"},
		{name: "UserByEmail"},
		{name: "SessionUser", optional: true}, // the session lookup (GET /me and every authenticated request)
		{name: "IsTokenRevoked"},
		{name: "RecordLogin"},
		{name: "Stats"},
		{name: "UserTotal"},
		{name: "ListUsers"},
		{name: "ListUsersAfter"},
		{name: "ListUsersByPrefix", sortOK: true},
		{name: "ListUsersByPrefixAfter", sortOK: true},
		{name: "CountUsersByPrefix"},
	} {
		e := &explainer{t: t, conn: conn}
		m := reflect.ValueOf(pgdb.New(e)).MethodByName(c.name)
		if !m.IsValid() {
			if !c.optional {
				t.Errorf("pgdb has no method %s", c.name)
			}
			continue
		}
		args := []reflect.Value{reflect.ValueOf(ctx)}
		for i := 1; i < m.Type().NumIn(); i++ {
			args = append(args, reflect.Zero(m.Type().In(i)))
		}
		m.Call(args)
		if len(e.plan) == 0 {
			t.Fatalf("%s sent no statement", c.name)
		}
		var all []string
		for _, p := range e.plan {
			all = nodes(p, all)
		}
		t.Logf("%s: %s", c.name, strings.Join(all, " | "))
		for _, n := range all {
			switch {
			case strings.HasPrefix(n, "Seq Scan"):
				t.Errorf("%s scans a table: %q in %q", c.name, n, all)
			case n == "Sort" && !c.sortOK, n == "Incremental Sort" && !c.sortOK:
				t.Errorf("%s sorts: %q", c.name, fmt.Sprint(all))
			}
		}
	}
}
