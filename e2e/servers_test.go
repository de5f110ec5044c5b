package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/regstack/regstack/e2e/internal/pgserver"
	"github.com/regstack/regstack/e2e/internal/proc"
)

// backends are the --backend values, each run through every scenario that
// applies to it. sqlite needs no server; postgres and mongo get throwaway
// servers the harness starts on first use and stops when the run ends.
var backends = []string{"sqlite", "postgres", "mongo"}

// serverStartTimeout bounds starting one test server (initdb + pg_ctl, or
// the FerretDB build and start).
const serverStartTimeout = 10 * time.Minute

// servers holds the shared database servers of the run.
type servers struct {
	pgOnce sync.Once
	pg     *pgserver.Server
	pgErr  error

	ferretOnce sync.Once
	ferretBin  string
	ferretErr  error

	mongoOnce sync.Once
	mongo     *proc.Ferret
	mongoErr  error

	motoOnce sync.Once
	moto     *motoServer
	motoErr  error
}

// close stops whatever was started; TestMain calls it after the tests.
func (s *servers) close() {
	if s.pg != nil {
		if err := s.pg.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: stopping PostgreSQL:", err)
		}
	}
	if s.mongo != nil {
		if err := s.mongo.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: stopping FerretDB:", err)
		}
		os.RemoveAll(s.mongo.Dir())
	}
	if s.moto != nil {
		s.moto.stop()
	}
}

// postgres returns the shared PostgreSQL server, starting it on first use.
// A machine without PostgreSQL fails the test: a skipped backend would
// look like a passing one.
func postgres(t testing.TB) *pgserver.Server {
	t.Helper()
	s := fx.servers
	s.pgOnce.Do(func() { s.pg, s.pgErr = startPostgres() })
	if s.pgErr != nil {
		t.Fatalf("the PostgreSQL test server did not start: %v", s.pgErr)
	}
	return s.pg
}

func startPostgres() (*pgserver.Server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), serverStartTimeout)
	defer cancel()
	start := time.Now()
	pg, err := pgserver.Start(ctx)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "e2e: PostgreSQL (%s) on 127.0.0.1:%d, started in %s\n", pg.BinDir, pg.Port, time.Since(start).Round(time.Millisecond))
	return pg, nil
}

// mongo returns the shared MongoDB-wire server (FerretDB on SQLite),
// starting it on first use.
func mongo(t testing.TB) *proc.Ferret {
	t.Helper()
	s := fx.servers
	s.mongoOnce.Do(func() {
		bin, err := ferretBinary()
		if err != nil {
			s.mongoErr = err
			return
		}
		dir, err := os.MkdirTemp("", "regstack-ferret-")
		if err != nil {
			s.mongoErr = err
			return
		}
		start := time.Now()
		p, err := proc.StartFerret(bin, dir, "127.0.0.1:0", childEnv())
		if err != nil {
			os.RemoveAll(dir)
			s.mongoErr = err
			return
		}
		fmt.Fprintf(os.Stderr, "e2e: FerretDB on %s, started in %s\n", p.URI, time.Since(start).Round(time.Millisecond))
		s.mongo = p
	})
	if s.mongoErr != nil {
		t.Fatalf("the MongoDB test server (FerretDB) did not start: %v", s.mongoErr)
	}
	return s.mongo
}

// ferretBinary returns the FerretDB launcher: $E2E_FERRETDB (make builds
// it there), else cmd/ferretdb-sqlite of this module built once (from the
// module cache; the first build on a cold cache compiles FerretDB, about a
// minute on two cores).
func ferretBinary() (string, error) {
	s := fx.servers
	s.ferretOnce.Do(func() {
		if bin := os.Getenv("E2E_FERRETDB"); bin != "" {
			if _, err := os.Stat(bin); err != nil {
				s.ferretErr = fmt.Errorf("E2E_FERRETDB: %w", err)
				return
			}
			s.ferretBin = bin
			return
		}
		bin := filepath.Join(fx.work, "bin", "ferretdb-sqlite")
		start := time.Now()
		out, err := run(filepath.Join(fx.repo, "e2e"), buildTimeout, "go", "build", "-o", bin, "./cmd/ferretdb-sqlite")
		if err != nil {
			s.ferretErr = fmt.Errorf("go build ./cmd/ferretdb-sqlite: %v\n%s", err, tail(out, 60))
			return
		}
		fmt.Fprintf(os.Stderr, "e2e: built ferretdb-sqlite in %s\n", time.Since(start).Round(time.Millisecond))
		s.ferretBin = bin
	})
	return s.ferretBin, s.ferretErr
}

// databaseURL returns the URL of a fresh, empty database on backend's
// test server, for one scenario or one app: a SQLite file in a temp
// folder, a new PostgreSQL database, or an unused MongoDB database name.
func databaseURL(t testing.TB, backend string) string {
	t.Helper()
	name := "e2e_" + randomHex(6)
	switch backend {
	case "sqlite":
		return "sqlite:///" + t.TempDir() + "/app.db"
	case "postgres":
		pg := postgres(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		url, err := pg.CreateDatabase(ctx, name)
		if err != nil {
			t.Fatalf("creating a PostgreSQL database: %v", err)
		}
		return url
	case "mongo":
		return mongo(t).DatabaseURL(name)
	}
	t.Fatalf("unknown backend %q", backend)
	return ""
}

// testDatabaseEnv is the environment the generated test suite of a host on
// backend needs: REGSTACK_TEST_DATABASE_URL naming a fresh database on the
// test server (the suite isolates each test inside it). SQLite ignores it.
func testDatabaseEnv(t testing.TB, backend string) []string {
	t.Helper()
	if backend == "sqlite" {
		return nil
	}
	return []string{"REGSTACK_TEST_DATABASE_URL=" + databaseURL(t, backend)}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// privateServers are for tests that stop and start their database (the
// shared servers must stay up for everyone else).

// privatePostgres starts a PostgreSQL server of the test's own, stopped and
// removed when the test ends.
func privatePostgres(t testing.TB) *pgserver.Server {
	t.Helper()
	postgres(t) // the shared one must work first; its error is the clearer one
	ctx, cancel := context.WithTimeout(context.Background(), serverStartTimeout)
	defer cancel()
	pg, err := pgserver.Start(ctx)
	if err != nil {
		t.Fatalf("starting a private PostgreSQL server: %v", err)
	}
	t.Cleanup(func() {
		if err := pg.Close(); err != nil {
			t.Errorf("stopping the private PostgreSQL server: %v", err)
		}
	})
	return pg
}

// privateFerret starts a FerretDB process of the test's own.
func privateFerret(t testing.TB) *proc.Ferret {
	t.Helper()
	mongo(t)
	bin, err := ferretBinary()
	if err != nil {
		t.Fatal(err)
	}
	p, err := proc.StartFerret(bin, t.TempDir(), "127.0.0.1:"+strconv.Itoa(freePort(t)), childEnv())
	if err != nil {
		t.Fatalf("starting a private FerretDB: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Stop(); err != nil {
			t.Errorf("stopping the private FerretDB: %v", err)
		}
	})
	return p
}
