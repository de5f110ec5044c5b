// Package pgserver runs a throwaway PostgreSQL server for tests: initdb
// into a fresh folder under the system temp dir, pg_ctl start on a free
// 127.0.0.1 port with trust authentication, and pg_ctl stop plus removal of
// the folder at the end. It uses the server binaries of Debian's postgresql
// package (/usr/lib/postgresql/<version>/bin) or those named by PG_BINDIR.
//
// As root the server runs as the postgres user (initdb refuses root), so
// the folder lives under /tmp where that user can reach it.
package pgserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Server is one running (or stopped) PostgreSQL instance.
type Server struct {
	BinDir string // folder of initdb, pg_ctl and psql
	Dir    string // temp folder: data/, the socket and server.log
	Port   int

	runAs string // "postgres" when we are root, else ""
}

// BinDir finds the PostgreSQL server binaries: $PG_BINDIR, else the newest
// /usr/lib/postgresql/*/bin holding initdb, else the folder of an initdb on
// PATH. The error says how to install them.
func BinDir() (string, error) {
	if d := os.Getenv("PG_BINDIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			return "", fmt.Errorf("PG_BINDIR=%s has no initdb: %w", d, err)
		}
		return d, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(matches, func(i, j int) bool { return version(matches[i]) > version(matches[j]) })
	if len(matches) > 0 {
		return filepath.Dir(matches[0]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no PostgreSQL server binaries: install them (Debian: apt-get install postgresql; .ci/run does) or set PG_BINDIR to the folder holding initdb and pg_ctl")
}

// version is the major version in /usr/lib/postgresql/<v>/bin/initdb.
func version(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

// Start creates a fresh cluster and starts it. Stop it with Close.
func Start(ctx context.Context) (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	s := &Server{BinDir: bin}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL must run as the postgres user, which does not exist (the postgresql package creates it): %w", err)
		}
		s.runAs = "postgres"
	}
	if s.Dir, err = os.MkdirTemp("", "regstack-pg-"); err != nil {
		return nil, err
	}
	if s.runAs != "" {
		if err := chownToPostgres(s.Dir); err != nil {
			os.RemoveAll(s.Dir)
			return nil, err
		}
	}
	if err := s.initdb(ctx); err != nil {
		os.RemoveAll(s.Dir)
		return nil, err
	}
	if s.Port, err = freePort(); err != nil {
		os.RemoveAll(s.Dir)
		return nil, err
	}
	if err := s.Up(ctx); err != nil {
		os.RemoveAll(s.Dir)
		return nil, err
	}
	return s, nil
}

func chownToPostgres(dir string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return err
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

func (s *Server) initdb(ctx context.Context) error {
	_, err := s.run(ctx, "initdb", "-D", s.dataDir(), "-U", "postgres", "--auth=trust", "--no-sync",
		"-E", "UTF8", "--locale=C.UTF-8", "--no-instructions")
	return err
}

func (s *Server) dataDir() string { return filepath.Join(s.Dir, "data") }

// Up starts the server (again) on its port and waits until it accepts
// connections. Settings favour speed over durability against a machine
// crash (fsync off); a clean stop still keeps every commit.
func (s *Server) Up(ctx context.Context) error {
	opts := strings.Join([]string{
		"-p", strconv.Itoa(s.Port),
		"-k", s.Dir,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=300",
	}, " ")
	_, err := s.run(ctx, "pg_ctl", "-D", s.dataDir(), "-l", filepath.Join(s.Dir, "server.log"), "-w", "-t", "60", "-o", opts, "start")
	if err != nil {
		return fmt.Errorf("%w\nserver.log:\n%s", err, s.Log())
	}
	return nil
}

// Down stops the server with a fast shutdown: open sessions are ended,
// committed data stays. Up starts it again with the same data.
func (s *Server) Down(ctx context.Context) error {
	_, err := s.run(ctx, "pg_ctl", "-D", s.dataDir(), "-m", "fast", "-w", "-t", "60", "stop")
	return err
}

// Close stops the server (if running) and removes its folder.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var err error
	if s.running(ctx) {
		err = s.Down(ctx)
	}
	if rmErr := os.RemoveAll(s.Dir); err == nil {
		err = rmErr
	}
	return err
}

func (s *Server) running(ctx context.Context) bool {
	_, err := s.run(ctx, "pg_ctl", "-D", s.dataDir(), "status")
	return err == nil
}

// URL is the connection URL of database db.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.Port, db)
}

// CreateDatabase creates an empty database and returns its URL.
func (s *Server) CreateDatabase(ctx context.Context, name string) (string, error) {
	if !validName(name) {
		return "", fmt.Errorf("database name %q: use lower-case letters, digits and _", name)
	}
	if _, err := s.Exec(ctx, "postgres", "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return s.URL(name), nil
}

// Exec runs SQL through psql on database db and returns psql's output
// (unaligned, tuples only).
func (s *Server) Exec(ctx context.Context, db, sql string) (string, error) {
	return s.run(ctx, filepath.Join(s.BinDir, "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
		"-h", "127.0.0.1", "-p", strconv.Itoa(s.Port), "-U", "postgres", "-d", db, "-c", sql)
}

// Log is the server's log so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "server.log"))
	return string(b)
}

func validName(n string) bool {
	if n == "" || len(n) > 63 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// run runs a PostgreSQL program (a name in BinDir, or a path) as the
// server's user.
func (s *Server) run(ctx context.Context, prog string, args ...string) (string, error) {
	if !filepath.IsAbs(prog) {
		prog = filepath.Join(s.BinDir, prog)
	}
	name, argv := prog, args
	if s.runAs != "" {
		name, argv = "runuser", append([]string{"-u", s.runAs, "--", prog}, args...)
	}
	cmd := exec.CommandContext(ctx, name, argv...)
	cmd.Dir = os.TempDir() // a cwd the postgres user can read
	// pg_ctl's server inherits these; keep them from holding our pipes open.
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %v\n%s", filepath.Base(prog), strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
