package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	mongooptions "go.mongodb.org/mongo-driver/mongo/options"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"

	"github.com/regstack/regstack/e2e/internal/ferret"
	"github.com/regstack/regstack/e2e/internal/pgserver"
	"github.com/regstack/regstack/e2e/internal/proc"
)

// database is the app's database for one run: its URL for the app, a way
// to count the rows of every table, and how to stop its server.
type database struct {
	URL    string
	counts func(context.Context) (map[string]int64, error)
	close  []func() error
}

// Close disconnects and stops the server, if any, in reverse order.
func (d *database) Close() {
	for i := len(d.close) - 1; i >= 0; i-- {
		if err := d.close[i](); err != nil {
			fmt.Fprintln(os.Stderr, "soak: cleanup:", err)
		}
	}
}

// Counts returns the row count of each table (collection) of the app's
// database, found by listing them, so new tables show up unasked.
func (d *database) Counts(ctx context.Context) (map[string]int64, error) {
	return d.counts(ctx)
}

// startDatabase starts an empty database of backend under dir.
func startDatabase(ctx context.Context, backend, dir, ferretBin string) (*database, error) {
	switch backend {
	case "sqlite":
		return sqliteDatabase(filepath.Join(dir, "app.db"))
	case "postgres":
		return postgresDatabase(ctx)
	case "mongo":
		return mongoDatabase(ctx, filepath.Join(dir, "ferret"), ferretBin)
	}
	return nil, fmt.Errorf("unknown backend %q (want sqlite, postgres or mongo)", backend)
}

func sqliteDatabase(path string) (*database, error) {
	// The app creates the file; we only read it, through WAL, so our counts
	// never block its writer.
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return nil, err
	}
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	return &database{
		URL:    "sqlite:///" + path,
		counts: func(ctx context.Context) (map[string]int64, error) { return sqlCounts(ctx, db, list) },
		close:  []func() error{db.Close},
	}, nil
}

func postgresDatabase(ctx context.Context) (*database, error) {
	pg, err := pgserver.Start(ctx)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL: %w", err)
	}
	d := &database{close: []func() error{pg.Close}}
	if d.URL, err = pg.CreateDatabase(ctx, "soak"); err != nil {
		d.Close()
		return nil, err
	}
	db, err := sql.Open("pgx", d.URL)
	if err != nil {
		d.Close()
		return nil, err
	}
	db.SetMaxOpenConns(2)
	d.close = append(d.close, db.Close)
	list := `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`
	d.counts = func(ctx context.Context) (map[string]int64, error) { return sqlCounts(ctx, db, list) }
	return d, nil
}

// sqlCounts lists the tables with list and counts each one's rows.
func sqlCounts(ctx context.Context, db *sql.DB, list string) (map[string]int64, error) {
	rows, err := db.QueryContext(ctx, list)
	if err != nil {
		return nil, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Strings(tables)
	out := map[string]int64{}
	for _, t := range tables {
		var n int64
		q := `SELECT count(*) FROM "` + strings.ReplaceAll(t, `"`, `""`) + `"`
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// mongoDatabase starts FerretDB: the launcher binary when given (a process
// of its own, so its memory is not mixed with ours), else in this process.
func mongoDatabase(ctx context.Context, dir, ferretBin string) (*database, error) {
	d := &database{}
	var uri string
	if ferretBin != "" {
		p, err := proc.StartFerret(ferretBin, dir, "127.0.0.1:0", childEnv())
		if err != nil {
			return nil, err
		}
		uri = p.URI
		d.close = append(d.close, p.Stop)
	} else {
		s, err := ferret.Start(ferret.Options{Dir: dir})
		if err != nil {
			return nil, err
		}
		uri = s.URI()
		d.close = append(d.close, s.Close)
	}
	d.URL = strings.TrimSuffix(uri, "/") + "/soak"
	client, err := mongo.Connect(ctx, mongooptions.Client().ApplyURI(uri))
	if err != nil {
		d.Close()
		return nil, err
	}
	d.close = append(d.close, func() error { return client.Disconnect(context.Background()) })
	db := client.Database("soak")
	d.counts = func(ctx context.Context) (map[string]int64, error) {
		names, err := db.ListCollectionNames(ctx, bson.D{})
		if err != nil {
			return nil, err
		}
		out := map[string]int64{}
		for _, n := range names {
			c, err := db.Collection(n).CountDocuments(ctx, bson.D{})
			if err != nil {
				return nil, fmt.Errorf("count %s: %w", n, err)
			}
			out[n] = c
		}
		return out, nil
	}
	return d, nil
}
