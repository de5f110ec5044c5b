// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mongo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"example.com/demo/internal/auth/store"
)

// DefaultDatabase is the database used when the URL names none and no
// WithDefaultDatabase option is given; it matches config's
// mongodb_database default.
const DefaultDatabase = "regstack"

// connectTimeout bounds the first round trip in Open, so a server that is
// down makes Open fail (with store.ErrUnavailable) in seconds rather than
// after the driver's 30 s server-selection timeout; the account system then
// starts anyway and retries. Later operations are bounded by
// serverSelectionTimeout and the caller's context.
const connectTimeout = 5 * time.Second

// serverSelectionTimeout bounds how long an operation waits for a reachable
// server when the URL does not set serverSelectionTimeoutMS.
const serverSelectionTimeout = 5 * time.Second

// closeTimeout bounds Close's wait for connections to finish.
const closeTimeout = 10 * time.Second

// ErrInvalidURL is wrapped by every database URL error so callers can tell
// a bad setting from a database failure.
var ErrInvalidURL = errors.New("mongo: invalid database_url")

// Option adjusts Open and OpenMigrator.
type Option func(*settings)

type settings struct {
	database string
	logger   *slog.Logger
}

// WithDefaultDatabase names the database to use when the URL has no path
// (config's mongodb_database). A database in the URL wins.
func WithDefaultDatabase(name string) Option {
	return func(s *settings) {
		if name != "" {
			s.database = name
		}
	}
}

// WithLogger receives the store's few log lines (a skipped TTL index);
// the default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(s *settings) {
		if l != nil {
			s.logger = l
		}
	}
}

func resolve(opts []Option) settings {
	s := settings{database: DefaultDatabase, logger: slog.Default()}
	for _, o := range opts {
		o(&s)
	}
	return s
}

// Open connects to the MongoDB server named by databaseURL, applies the
// pending index steps (migrate.go) and returns a ready Store. Accepted forms:
//
//	mongodb://user:password@host1:27017,host2:27017/dbname?replicaSet=rs0
//	mongodb+srv://user:password@cluster.example.net/dbname
//
// The database is the URL's path, else WithDefaultDatabase's, else
// "regstack". A server that cannot be reached gives an error wrapping
// store.ErrUnavailable; errors never repeat the URL's password.
func Open(ctx context.Context, databaseURL string, opts ...Option) (*Store, error) {
	set := resolve(opts)
	client, db, err := connect(ctx, databaseURL, set)
	if err != nil {
		return nil, err
	}
	if _, err := applySteps(ctx, db, set.logger); err != nil {
		disconnect(client)
		return nil, unavailable(err)
	}
	return newStore(client, db), nil
}

// connect parses the URL, creates the client and makes one round trip, so
// a wrong host or password shows up here rather than on the first request.
func connect(ctx context.Context, databaseURL string, set settings) (*mongo.Client, *mongo.Database, error) {
	src, err := parseURL(databaseURL, set.database)
	if err != nil {
		return nil, nil, err
	}
	opts := options.Client().ApplyURI(src.uri)
	if opts.ServerSelectionTimeout == nil {
		// The driver's default is 30 s: during an outage every request
		// would hang that long. Failing within a few seconds lets the HTTP
		// layer answer 503 well inside a request timeout.
		opts.SetServerSelectionTimeout(serverSelectionTimeout)
	}
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalidURL, redact(err, src.password))
	}
	pingCtx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := client.Ping(pingCtx, nil); err != nil {
		disconnect(client)
		return nil, nil, unavailable(fmt.Errorf("mongo: connect: %w", redact(err, src.password)))
	}
	return client, client.Database(src.database), nil
}

func disconnect(client *mongo.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = client.Disconnect(ctx)
}

// source is a parsed database URL.
type source struct {
	// uri is what the driver gets: the URL as given, scheme lower-cased.
	uri string
	// database is the database name: the URL's path or the default.
	database string
	// password is the URL's password (unescaped), kept only to redact it
	// from error messages.
	password string
}

// parseURL checks the scheme and finds the database name and password.
// The driver parses the rest (hosts, options) itself. Errors name only the
// scheme, never the URL, which may carry a password.
func parseURL(databaseURL, defaultDatabase string) (source, error) {
	scheme, rest, ok := strings.Cut(databaseURL, "://")
	if !ok {
		return source{}, fmt.Errorf("%w: want mongodb://host/dbname or mongodb+srv://host/dbname", ErrInvalidURL)
	}
	scheme = strings.ToLower(scheme)
	if scheme != "mongodb" && scheme != "mongodb+srv" {
		return source{}, fmt.Errorf("%w: scheme %q is not MongoDB; want mongodb:// or mongodb+srv://", ErrInvalidURL, scheme)
	}
	// The authority ends at the first / or ?; a password containing either
	// must be percent-encoded, as the MongoDB URI format requires.
	end := strings.IndexAny(rest, "/?")
	authority, tail := rest, ""
	if end >= 0 {
		authority, tail = rest[:end], rest[end:]
	}
	src := source{uri: scheme + "://" + rest, database: defaultDatabase}
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		if _, pw, ok := strings.Cut(authority[:at], ":"); ok {
			if src.password, ok = unescape(pw); !ok {
				src.password = pw
			}
		}
		authority = authority[at+1:]
	}
	if authority == "" {
		return source{}, fmt.Errorf("%w: no host after %s://", ErrInvalidURL, scheme)
	}
	path, _, _ := strings.Cut(strings.TrimPrefix(tail, "/"), "?")
	if strings.HasPrefix(tail, "/") && path != "" {
		name, ok := unescape(path)
		if !ok {
			return source{}, fmt.Errorf("%w: the database name is not valid percent-encoding", ErrInvalidURL)
		}
		src.database = name
	}
	if err := checkDatabaseName(src.database); err != nil {
		return source{}, err
	}
	return src, nil
}

func unescape(s string) (string, bool) {
	u, err := url.PathUnescape(s)
	return u, err == nil
}

// checkDatabaseName applies MongoDB's rules for database names, so a typo
// fails here with a clear message rather than on the first write.
func checkDatabaseName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: no database name (put it in the URL path or set mongodb_database)", ErrInvalidURL)
	case len(name) > 63:
		return fmt.Errorf("%w: database name %q is longer than 63 bytes", ErrInvalidURL, name)
	case strings.ContainsAny(name, "/\\. \"$*<>:|?\x00"):
		return fmt.Errorf("%w: database name %q contains a character MongoDB does not allow (/\\. \"$*<>:|?)", ErrInvalidURL, name)
	}
	return nil
}

// redactedError keeps an error's chain (for errors.Is/As) but replaces its
// message, which had the password in it.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact removes every spelling of password from err's message.
func redact(err error, password string) error {
	if err == nil || password == "" {
		return err
	}
	msg := err.Error()
	if !strings.Contains(msg, password) && !strings.Contains(msg, url.QueryEscape(password)) && !strings.Contains(msg, url.PathEscape(password)) {
		return err
	}
	for _, form := range []string{password, url.QueryEscape(password), url.PathEscape(password)} {
		msg = strings.ReplaceAll(msg, form, "xxxxx")
	}
	return &redactedError{msg: msg, err: err}
}

// unavailable marks err with store.ErrUnavailable when it means the server
// could not be reached (refused, timed out, no primary yet), so the account
// system starts anyway and retries. A server that answered and refused (a
// wrong password, say) gives a permanent error instead.
func unavailable(err error) error {
	if err == nil || errors.Is(err, store.ErrUnavailable) {
		return err
	}
	if mongo.IsNetworkError(err) || mongo.IsTimeout(err) || errors.Is(err, mongo.ErrClientDisconnected) {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return err
}
