// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	// The pure-Go SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"

	"example.com/demo/internal/auth/store/sqlite/sqlitedb"
)

// busyTimeoutMS is how long a connection waits for another connection's
// write lock before giving up with SQLITE_BUSY.
const busyTimeoutMS = 10000

// Open opens (creating if needed) the SQLite database named by databaseURL,
// applies pending migrations and returns a ready Store. Accepted forms:
//
//	sqlite:///./relative.db      relative to the working directory
//	sqlite:////absolute/path.db  absolute
//	sqlite+aiosqlite:///...      the Python reference's spelling, same meaning
//	sqlite:///:memory:           a private in-memory database (also sqlite://)
//	file:path.db?mode=rwc        a SQLite URI, passed through
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	db, err := openDB(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, q: sqlitedb.New(db)}, nil
}

// openDB opens and pings the database without touching its schema.
func openDB(ctx context.Context, databaseURL string) (*sql.DB, error) {
	src, err := parseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", src.dsn())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	if src.memory {
		// Every connection to :memory: is a separate, empty database, so
		// the pool must hold exactly one connection and never recycle it.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		// The usual cause is a folder that does not exist or is not
		// writable; SQLite creates the file but never its folder.
		return nil, fmt.Errorf("sqlite: open %s (its folder must exist and be writable): %w", src.uri, err)
	}
	return db, nil
}

// source is a parsed database URL.
type source struct {
	// uri is a SQLite URI filename ("file:..."), without the connection
	// settings dsn adds.
	uri string
	// memory is true for an in-memory database.
	memory bool
}

// dsn adds the connection settings every connection needs:
//   - foreign_keys: SQLite leaves them off unless asked, per connection;
//   - busy_timeout: wait for a competing writer instead of failing at once;
//   - journal_mode WAL (files only): readers do not block the writer;
//   - synchronous NORMAL: durable enough with WAL and much faster;
//   - _txlock=immediate: transactions take the write lock at BEGIN, so two
//     read-then-write transactions queue behind the busy timeout instead of
//     one failing with SQLITE_BUSY when it tries to upgrade its lock.
func (s source) dsn() string {
	params := []string{
		fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeoutMS),
		"_pragma=foreign_keys(1)",
		"_pragma=synchronous(NORMAL)",
		"_txlock=immediate",
	}
	if !s.memory {
		params = append(params, "_pragma=journal_mode(WAL)")
	}
	sep := "?"
	if strings.Contains(s.uri, "?") {
		sep = "&"
	}
	return s.uri + sep + strings.Join(params, "&")
}

// ErrInvalidURL is wrapped by every database URL error so callers can tell a bad
// setting from a database failure.
var ErrInvalidURL = errors.New("sqlite: invalid database_url")

// parseURL understands the SQLAlchemy-style sqlite URLs of the Python
// reference and SQLite's own file: URIs. Errors name only the scheme, never
// the whole URL, in case a URL meant for another backend carries a password.
func parseURL(databaseURL string) (source, error) {
	if strings.HasPrefix(databaseURL, "file:") {
		return parseFileURI(databaseURL)
	}
	scheme, rest, ok := strings.Cut(databaseURL, "://")
	if !ok {
		return source{}, fmt.Errorf("%w: want sqlite:///path.db, sqlite:////absolute/path.db or file:path.db", ErrInvalidURL)
	}
	switch scheme {
	case "sqlite", "sqlite+aiosqlite", "sqlite+pysqlite":
	default:
		return source{}, fmt.Errorf("%w: scheme %q is not SQLite; want sqlite:///path.db or file:path.db", ErrInvalidURL, scheme)
	}
	if strings.ContainsAny(rest, "?#") {
		return source{}, fmt.Errorf("%w: query parameters are not supported in sqlite: URLs; use a file: URI for SQLite URI parameters", ErrInvalidURL)
	}
	if rest == "" {
		// SQLAlchemy reads a bare sqlite:// as an in-memory database.
		return source{uri: "file::memory:", memory: true}, nil
	}
	path, ok := strings.CutPrefix(rest, "/")
	if !ok {
		return source{}, fmt.Errorf("%w: a sqlite URL has no host part; write sqlite:///relative.db or sqlite:////absolute.db", ErrInvalidURL)
	}
	switch path {
	case "":
		return source{}, fmt.Errorf("%w: no database path after %s:///", ErrInvalidURL, scheme)
	case ":memory:":
		return source{uri: "file::memory:", memory: true}, nil
	}
	return source{uri: "file:" + escapeURIPath(path)}, nil
}

// parseFileURI accepts a SQLite URI filename as it is, recognising the two
// ways it can name an in-memory database.
func parseFileURI(uri string) (source, error) {
	path, query, _ := strings.Cut(strings.TrimPrefix(uri, "file:"), "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return source{}, fmt.Errorf("%w: file: URI query: %v", ErrInvalidURL, err)
	}
	if path == "" && q.Get("mode") != "memory" {
		return source{}, fmt.Errorf("%w: no database path after file:", ErrInvalidURL)
	}
	memory := path == ":memory:" || q.Get("mode") == "memory"
	return source{uri: uri, memory: memory}, nil
}

// escapeURIPath makes a filesystem path safe inside a SQLite URI: only %,
// ? and # have a meaning there.
func escapeURIPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}
