// Package ferret runs FerretDB v1 inside the current process as a
// MongoDB-wire server for tests, with its SQLite handler keeping the data in
// a folder. It starts in milliseconds and needs no external binary.
//
// FerretDB is a stand-in, not MongoDB: it lacks TTL, partial and collation
// indexes and multi-document transactions, and it ignores the sparse index
// option. The MongoDB store regstack generates stays within what both
// support, so a suite that passes here exercises the same code paths as on
// a real server (see docs/backends.md).
//
// FerretDB's own command (`go install .../cmd/ferretdb`) panics at start
// because its module zip lacks build/version/version.txt; embedding the
// github.com/FerretDB/FerretDB/ferretdb package does not have that problem.
package ferret

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Options configure a server.
type Options struct {
	// Addr is the TCP address to listen on; "" means 127.0.0.1:0 (a free
	// port).
	Addr string
	// Dir is the folder the SQLite handler keeps one database file per
	// MongoDB database in. It is created if missing. Required.
	Dir string
	// Logger receives FerretDB's own log; nil discards it.
	Logger *slog.Logger
}

// Server is a running FerretDB.
type Server struct {
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
}

// Start starts FerretDB and returns once it accepts connections. Stop it
// with Close.
func Start(opts Options) (*Server, error) {
	if opts.Dir == "" {
		return nil, errors.New("ferret: Options.Dir is required")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("ferret: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("ferret: state folder: %w", err)
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: addr},
		Handler:  "sqlite",
		// A directory URI: it must end in a slash.
		SQLiteURL: (&url.URL{Scheme: "file", Opaque: filepath.ToSlash(dir) + "/"}).String(),
		Logger:    logger,
	})
	if err != nil {
		return nil, fmt.Errorf("ferret: start: %w", err)
	}
	// New has already bound the listener, so the address is known before
	// Run starts accepting.
	uri := f.MongoDBURI()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{uri: uri, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = f.Run(ctx) // always nil; it returns when ctx is cancelled
	}()
	return s, nil
}

// URI is the server's connection string, e.g. mongodb://127.0.0.1:40123/.
func (s *Server) URI() string { return s.uri }

// Close stops accepting, closes every connection and the SQLite files, and
// waits until that is done. It is safe to call more than once.
func (s *Server) Close() error {
	s.cancel()
	<-s.done
	return nil
}
