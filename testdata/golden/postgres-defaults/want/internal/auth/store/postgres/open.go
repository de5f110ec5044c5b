// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"example.com/demo/internal/auth/store"
	"example.com/demo/internal/auth/store/postgres/pgdb"
)

// connectTimeout bounds establishing one connection when the URL does not
// set connect_timeout, so a server that never answers fails the request
// that needed it instead of hanging it.
const connectTimeout = 10 * time.Second

// Option adjusts Open and OpenMigrator.
type Option func(*settings)

type settings struct {
	logger *slog.Logger
}

// WithLogger receives the store's few log lines (accounts a migration
// could not carry over as they were); the default is slog.Default().
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

// Open connects to the PostgreSQL database named by databaseURL, applies
// pending migrations (under an advisory lock, so replicas starting
// together take turns) and returns a ready Store. Accepted forms:
//
//	postgres://user:password@host:5432/dbname?sslmode=require
//	postgresql://...             the same
//	postgresql+asyncpg://...     the Python reference's spelling, same meaning
//
// Query parameters are pgx's (libpq's): sslmode, connect_timeout,
// pool_max_conns, search_path (the schema the tables live in) and so on.
func Open(ctx context.Context, databaseURL string, opts ...Option) (*Store, error) {
	set := resolve(opts)
	pool, err := connect(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, pool, set.logger); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool, q: pgdb.New(pool)}, nil
}

// connect parses databaseURL, opens a pool and checks that the server
// answers.
func connect(ctx context.Context, databaseURL string) (*pgxpool.Pool, error) {
	cfg, err := parseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, redact(fmt.Errorf("postgres: open: %w", err), cfg.ConnConfig.Password)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		err = unavailable(fmt.Errorf("postgres: connect to %s: %w", describe(cfg), err))
		return nil, redact(err, cfg.ConnConfig.Password)
	}
	return pool, nil
}

// describe names the server and database for error messages, without the
// password.
func describe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("database %q on %s:%d as %q", c.Database, c.Host, c.Port, c.User)
}

// ErrInvalidURL is wrapped by every database URL error so callers can tell
// a bad setting from a database failure.
var ErrInvalidURL = errors.New("postgres: invalid database_url")

// parseURL understands postgres:// and postgresql:// URLs and the
// SQLAlchemy spellings of the Python reference (postgresql+asyncpg:// and
// friends). Errors never repeat the password.
func parseURL(databaseURL string) (*pgxpool.Config, error) {
	scheme, rest, ok := strings.Cut(databaseURL, "://")
	if !ok {
		return nil, fmt.Errorf("%w: want postgres://user:password@host:5432/dbname", ErrInvalidURL)
	}
	driver := ""
	switch scheme {
	case "postgres", "postgresql":
	case "postgresql+asyncpg", "postgresql+psycopg", "postgresql+psycopg2":
		driver = strings.TrimPrefix(scheme, "postgresql+")
	default:
		// Only the scheme is named: a URL meant for another backend may
		// carry a password too.
		return nil, fmt.Errorf("%w: scheme %q is not PostgreSQL; want postgres://user:password@host:5432/dbname", ErrInvalidURL, scheme)
	}
	u, err := url.Parse("postgres://" + rest)
	if err != nil {
		// url.Parse's message quotes the whole URL; keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, redact(fmt.Errorf("%w: %v", ErrInvalidURL, err), passwordOf(rest))
	}
	password, _ := u.User.Password()
	if driver == "asyncpg" {
		translateAsyncpgSSL(u)
	}
	cfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		return nil, redact(fmt.Errorf("%w: %v", ErrInvalidURL, err), password)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	return cfg, nil
}

// translateAsyncpgSSL rewrites asyncpg's ssl= parameter, which pgx would
// otherwise send to the server as an unknown setting, to libpq's sslmode=.
func translateAsyncpgSSL(u *url.URL) {
	q := u.Query()
	ssl, ok := q["ssl"]
	if !ok {
		return
	}
	q.Del("ssl")
	if _, set := q["sslmode"]; !set && len(ssl) > 0 {
		switch mode := strings.ToLower(ssl[0]); mode {
		case "true", "1":
			q.Set("sslmode", "require")
		case "false", "0":
			q.Set("sslmode", "disable")
		default:
			q.Set("sslmode", mode)
		}
	}
	u.RawQuery = q.Encode()
}

// passwordOf finds the password in the userinfo of a URL that url.Parse
// refused, so the error can be scrubbed of it.
func passwordOf(rest string) string {
	userinfo, _, ok := strings.Cut(rest, "@")
	if !ok {
		return ""
	}
	_, password, _ := strings.Cut(userinfo, ":")
	return password
}

// redactedError hides a password wherever it appears in the message of
// the error it wraps; errors.Is and errors.As still see the original.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with every spelling of password in its message
// replaced, since driver messages may quote the connection string.
func redact(err error, password string) error {
	if password == "" {
		return err
	}
	msg := err.Error()
	for _, form := range []string{password, url.QueryEscape(password), url.PathEscape(password)} {
		if form != "" {
			msg = strings.ReplaceAll(msg, form, "xxxxx")
		}
	}
	return &redactedError{msg: msg, err: err}
}

// unavailable marks err with store.ErrUnavailable when it means the server
// could not be reached or is not taking connections yet, so the account
// system starts anyway and retries. A server that answered and refused
// (wrong password, no such database) gives a permanent error instead.
func unavailable(err error) error {
	if err == nil || !isUnavailable(err) {
		return err
	}
	return unavailableError{err}
}

// unavailableError is err, also matching store.ErrUnavailable; its message
// is err's own, which already says what could not be reached.
type unavailableError struct{ err error }

func (e unavailableError) Error() string   { return e.err.Error() }
func (e unavailableError) Unwrap() []error { return []error{store.ErrUnavailable, e.err} }

func isUnavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57P01", "57P02", "57P03": // admin or crash shutdown; starting up
			return true
		case "53300": // too many connections, for now
			return true
		}
		// Class 08: connection exceptions.
		return strings.HasPrefix(pe.Code, "08")
	}
	var ne net.Error
	return errors.As(err, &ne) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, context.DeadlineExceeded) ||
		pgconn.Timeout(err)
}
