// Command ferretdb-sqlite runs FerretDB v1.24.2 with its SQLite handler as a
// MongoDB-wire server for tests and local development:
//
//	go run ./cmd/ferretdb-sqlite -addr 127.0.0.1:27017 -dir /tmp/ferret
//
// It prints the mongodb:// URI on the first line of standard output once
// the server accepts connections, logs warnings to standard error, and runs
// until SIGINT or SIGTERM.
//
// It exists because `go install github.com/FerretDB/FerretDB/cmd/ferretdb`
// builds a binary that panics at start (the module zip lacks its version
// file); embedding FerretDB's ferretdb package does not.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/regstack/regstack/e2e/internal/ferret"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free one)")
	dir := flag.String("dir", "", "folder for the SQLite database files (required; created if missing)")
	flag.Parse()
	if *dir == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: ferretdb-sqlite -dir FOLDER [-addr HOST:PORT]")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, err := ferret.Start(ferret.Options{Addr: *addr, Dir: *dir, Logger: logger})
	if err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-sqlite:", err)
		os.Exit(1)
	}
	fmt.Println(s.URI())

	<-ctx.Done()
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb-sqlite:", err)
		os.Exit(1)
	}
}
