// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	// The pure-Go SQLite driver, registered as "sqlite".
	_ "modernc.org/sqlite"

	"example.com/demo/internal/auth/store/sqlite/sqlitedb"
)

// busyTimeoutMS is how long a connection waits for another connection's
// write lock before giving up with SQLITE_BUSY.
const busyTimeoutMS = 10000

// Idle connections the pool keeps, and for how long. database/sql keeps
// two by default, so a server with more requests in flight than that
// closes a connection after nearly every query and opens a new one, and a
// new SQLite connection runs its pragmas, reads the schema and prepares
// its statements again: a fifth of GET /me's CPU in bench/floor.sh.
// Keeping them costs little (each holds its page cache); a quiet server
// closes them after the idle time. TestPoolKeepsConnectionsUnderLoad.
const (
	maxIdleConns    = 32
	connMaxIdleTime = 2 * time.Minute
)

// Option adjusts Open and OpenMigrator.
type Option func(*settings)

type settings struct {
	logger *slog.Logger
}

// WithLogger receives the store's few log lines (a database file others
// could read, an account whose address duplicates another's); the default
// is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) {
		if l != nil {
			s.logger = l
		}
	}
}

func resolve(opts []Option) settings {
	s := settings{logger: slog.Default()}
	for _, o := range opts {
		o(&s)
	}
	return s
}

// Open opens (creating if needed) the SQLite database named by databaseURL,
// applies pending migrations and returns a ready Store. Accepted forms:
//
//	sqlite:///./relative.db      relative to the working directory
//	sqlite:////absolute/path.db  absolute
//	sqlite+aiosqlite:///...      the Python reference's spelling, same meaning
//	sqlite:///:memory:           a private in-memory database (also sqlite://)
//	file:path.db?mode=rwc        a SQLite URI, passed through
//
// A database file is readable and writable by its owner only (0600).
func Open(ctx context.Context, databaseURL string, opts ...Option) (*Store, error) {
	set := resolve(opts)
	db, err := openDB(ctx, databaseURL, set)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	q := sqlitedb.New(db)
	if err := warnDuplicateKeys(ctx, q, set.logger); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, q: q}, nil
}

// openDB opens and pings the database without touching its schema.
func openDB(ctx context.Context, databaseURL string, set settings) (*sql.DB, error) {
	src, err := parseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	if err := src.makePrivate(set.logger); err != nil {
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
	} else {
		db.SetMaxIdleConns(maxIdleConns)
		db.SetConnMaxIdleTime(connMaxIdleTime)
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
	// path is the database file's path, "" when there is no file or the
	// URI names it in a way this package does not interpret (another VFS,
	// a remote authority).
	path string
	// readOnly is true for mode=ro: the file must already exist.
	readOnly bool
}

// privateMode is the database file's permission: it holds password hashes
// and every account's address.
const privateMode fs.FileMode = 0o600

// makePrivate keeps the database file from other users. SQLite would
// create it 0644 (less the umask), and it gives the -wal and -shm files it
// creates later the main file's mode, so creating the main file 0600
// before the driver opens it covers all three. An existing file that group
// or others may access, and its companions, are restricted to 0600 with a
// warning. Errors creating the file are returned (usually a missing
// folder); a file that cannot be restricted is logged and used as it is.
func (s source) makePrivate(logger *slog.Logger) error {
	if s.path == "" || s.memory {
		return nil
	}
	if !s.readOnly {
		f, err := os.OpenFile(s.path, os.O_RDWR|os.O_CREATE|os.O_EXCL, privateMode)
		if err == nil {
			return f.Close()
		}
		if !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("sqlite: create %s (its folder must exist and be writable): %w", s.path, err)
		}
	}
	// Windows has no group and other permission bits to restrict.
	if runtime.GOOS == "windows" {
		return nil
	}
	for _, name := range []string{s.path, s.path + "-wal", s.path + "-shm", s.path + "-journal"} {
		info, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		was := info.Mode().Perm()
		if was&0o077 == 0 {
			continue
		}
		if err := os.Chmod(name, privateMode); err != nil {
			logger.Error("sqlite: database file is accessible to other users and could not be restricted",
				"file", name, "mode", was.String(), "err", err)
			continue
		}
		logger.Warn("sqlite: database file was accessible to other users; restricted it to its owner",
			"file", name, "was", was.String(), "now", privateMode.String())
	}
	return nil
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
	return source{uri: "file:" + escapeURIPath(path), path: path}, nil
}

// parseFileURI accepts a SQLite URI filename as it is, recognising the two
// ways it can name an in-memory database and finding the file's path.
func parseFileURI(uri string) (source, error) {
	path, query, _ := strings.Cut(strings.TrimPrefix(uri, "file:"), "?")
	path, _, _ = strings.Cut(path, "#")
	q, err := url.ParseQuery(query)
	if err != nil {
		return source{}, fmt.Errorf("%w: file: URI query: %v", ErrInvalidURL, err)
	}
	if path == "" && q.Get("mode") != "memory" {
		return source{}, fmt.Errorf("%w: no database path after file:", ErrInvalidURL)
	}
	src := source{
		uri:      uri,
		memory:   path == ":memory:" || q.Get("mode") == "memory",
		readOnly: q.Get("mode") == "ro",
	}
	if !src.memory && q.Get("vfs") == "" {
		src.path = fileURIPath(path)
	}
	return src, nil
}

// fileURIPath turns the path part of a file: URI into a filesystem path,
// the way SQLite reads it: an authority must be empty or "localhost", and
// %XX escapes are decoded. It returns "" for anything else.
func fileURIPath(p string) string {
	if rest, ok := strings.CutPrefix(p, "//"); ok {
		authority, tail, _ := strings.Cut(rest, "/")
		if authority != "" && authority != "localhost" {
			return ""
		}
		p = "/" + tail
	}
	decoded, err := url.PathUnescape(p)
	if err != nil {
		return ""
	}
	return decoded
}

// escapeURIPath makes a filesystem path safe inside a SQLite URI: only %,
// ? and # have a meaning there.
func escapeURIPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}
