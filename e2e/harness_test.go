package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Timeouts for the commands the harness runs. A cold build of the SQLite
// driver takes a minute or two on two cores; everything else is seconds,
// except the fourteen generated suites of TestFeatureCombinations in one
// go test (about seven minutes on two idle cores).
const (
	genTimeout   = 2 * time.Minute
	buildTimeout = 10 * time.Minute
	testTimeout  = 15 * time.Minute
)

// fixture holds what several tests share: the scratch folder, the regstack
// binary, the database servers and, per backend, the generated `defaults`
// host with its built app. Each piece is made once, on first use, so
// `go test -run TestLive/sqlite` pays only for what it needs.
type fixture struct {
	repo string // repository root (parent of e2e/)
	work string // scratch folder, removed after the run

	regstackOnce sync.Once
	regstackBin  string
	regstackErr  error

	servers *servers

	defaults map[string]*once[string] // backend → defaults host folder
	apps     map[string]*once[string] // backend → its starter app binary
	// smsApps: backend → the starter app with every feature and SMS (both
	// Twilio and SNS senders), built once for the live SMS tests.
	smsApps map[string]*once[[2]string]
}

// once is a value made on first use; every later caller gets the same
// value or the same error.
type once[T any] struct {
	once sync.Once
	v    T
	err  error
}

func (o *once[T]) get(t testing.TB, make func() (T, error)) T {
	t.Helper()
	o.once.Do(func() { o.v, o.err = make() })
	if o.err != nil {
		t.Fatal(o.err)
	}
	return o.v
}

var fx *fixture

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	// The harness drives the go command as a user would. Without it there
	// is nothing to test, and passing vacuously would hide that.
	if _, err := exec.LookPath("go"); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: the go command is not on PATH:", err)
		return 1
	}
	if _, err := exec.LookPath(gofmtPath()); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: gofmt not found:", err)
		return 1
	}
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	repo := filepath.Dir(wd)
	if _, err := os.Stat(filepath.Join(repo, "blueprints", "catalog.toml")); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: expected the regstack repository above", wd, ":", err)
		return 1
	}
	work, err := os.MkdirTemp("", "regstack-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	fx = &fixture{repo: repo, work: work, servers: &servers{}, defaults: map[string]*once[string]{}, apps: map[string]*once[string]{}, smsApps: map[string]*once[[2]string]{}}
	for _, b := range backends {
		fx.defaults[b], fx.apps[b], fx.smsApps[b] = &once[string]{}, &once[string]{}, &once[[2]string]{}
	}
	code := m.Run()
	// The database servers and the browser started on first use stop
	// here, pass or fail.
	fx.servers.close()
	closeBrowser()
	if os.Getenv("REGSTACK_E2E_KEEP") != "" {
		fmt.Fprintln(os.Stderr, "e2e: kept scratch folder", work)
	} else {
		os.RemoveAll(work)
	}
	return code
}

// gofmtPath is the gofmt of the go command in use (PATH may lack it).
func gofmtPath() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", "gofmt")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "gofmt"
}

// childEnv is the environment of every command and app the harness starts:
// ours, minus anything that would change what the generated code sees
// (REGSTACK_* settings, ADDR, a go.work file).
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "REGSTACK_") || k == "ADDR" || k == "GOWORK" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "GOWORK=off")
	return append(env, extra...)
}

// run runs name args in dir and returns its combined output.
func run(dir string, timeout time.Duration, name string, args ...string) (string, error) {
	return runEnv(dir, timeout, nil, name, args...)
}

// runEnv is run with extra environment entries (KEY=value).
func runEnv(dir string, timeout time.Duration, env []string, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = childEnv(env...)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (timed out after %s)", err, timeout)
	}
	return string(out), err
}

// mustRun fails the test when the command fails, showing its output.
func mustRun(t testing.TB, dir string, timeout time.Duration, name string, args ...string) string {
	t.Helper()
	return mustRunEnv(t, dir, timeout, nil, name, args...)
}

// mustRunEnv is mustRun with extra environment entries.
func mustRunEnv(t testing.TB, dir string, timeout time.Duration, env []string, name string, args ...string) string {
	t.Helper()
	start := time.Now()
	out, err := runEnv(dir, timeout, env, name, args...)
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, tail(out, 150))
	}
	t.Logf("%s %s: ok in %s", name, strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return out
}

// tail keeps the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return s
	}
	return fmt.Sprintf("... (%d lines omitted)\n%s", len(lines)-n, strings.Join(lines[len(lines)-n:], "\n"))
}

// regstack returns the regstack binary, built once from the repository with
// `go build`, exactly as `make build` does.
func regstack(t testing.TB) string {
	t.Helper()
	fx.regstackOnce.Do(func() {
		bin := filepath.Join(fx.work, "bin", "regstack")
		out, err := run(fx.repo, buildTimeout, "go", "build", "-buildvcs=false", "-o", bin, ".")
		if err != nil {
			fx.regstackErr = fmt.Errorf("go build of regstack: %v\n%s", err, tail(out, 80))
			return
		}
		fx.regstackBin = bin
	})
	if fx.regstackErr != nil {
		t.Fatal(fx.regstackErr)
	}
	return fx.regstackBin
}

// gen runs `regstack gen args... --dir dir` and returns its output.
func gen(t testing.TB, dir string, args ...string) string {
	t.Helper()
	args = append([]string{"gen", "--dir", dir}, args...)
	return mustRun(t, fx.work, genTimeout, regstack(t), args...)
}

// defaultsHost returns a fresh folder generated with `regstack gen --yes
// --backend backend` (the generator writes the starter and runs go mod
// tidy), made once per backend and shared by the scenario test, the live
// tests and the benchmarks. Callers must not modify it.
func defaultsHost(t testing.TB, backend string) string {
	t.Helper()
	bin := regstack(t)
	return fx.defaults[backend].get(t, func() (string, error) {
		dir := filepath.Join(fx.work, "defaults-"+backend)
		out, err := run(fx.work, buildTimeout, bin, "gen", "--yes", "--backend", backend, "--dir", dir)
		if err != nil {
			return "", fmt.Errorf("regstack gen --yes --backend %s --dir %s: %v\n%s", backend, dir, err, tail(out, 80))
		}
		return dir, nil
	})
}

// starterApp builds the defaults host's main package of backend once
// (`go build -o app .`) and returns the binary.
func starterApp(t testing.TB, backend string) (bin, hostDir string) {
	t.Helper()
	dir := defaultsHost(t, backend)
	bin = fx.apps[backend].get(t, func() (string, error) {
		out := filepath.Join(fx.work, "app-"+backend)
		if o, err := run(dir, buildTimeout, "go", "build", "-o", out, "."); err != nil {
			return "", fmt.Errorf("go build -o app . (in %s): %v\n%s", dir, err, tail(o, 80))
		}
		return out, nil
	})
	return bin, dir
}

// smsStarterApp generates a starter with the defaults plus SMS (Twilio and
// SNS senders) on backend and builds its main package, once per run; it
// returns the binary and the host folder.
func smsStarterApp(t testing.TB, backend string) (bin, hostDir string) {
	t.Helper()
	regstackBin := regstack(t)
	v := fx.smsApps[backend].get(t, func() ([2]string, error) {
		dir := filepath.Join(fx.work, "sms-"+backend)
		if out, err := run(fx.work, buildTimeout, regstackBin, "gen", "--yes", "--backend", backend, "--sms", "--sms-backend", "sns", "--dir", dir); err != nil {
			return [2]string{}, fmt.Errorf("regstack gen --sms (%s): %v\n%s", backend, err, tail(out, 80))
		}
		out := filepath.Join(fx.work, "sms-app-"+backend)
		if o, err := run(dir, buildTimeout, "go", "build", "-o", out, "."); err != nil {
			return [2]string{}, fmt.Errorf("go build -o app . (in %s): %v\n%s", dir, err, tail(o, 80))
		}
		return [2]string{out, dir}, nil
	})
	return v[0], v[1]
}

// snapshot reads every regular file under dir, keyed by slash path.
func snapshot(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func writeFile(t testing.TB, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// errOutput reports a command failure with its output, for t.Error paths
// that must not stop the test.
func errOutput(err error, out string) error {
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("exit status %d\n%s", ee.ExitCode(), tail(out, 150))
	}
	return fmt.Errorf("%v\n%s", err, tail(out, 150))
}

// lineMatching returns the first line of b that starts with prefix.
func lineMatching(b []byte, prefix string) string {
	for _, l := range bytes.Split(b, []byte("\n")) {
		if s := strings.TrimSpace(string(l)); strings.HasPrefix(s, prefix) {
			return s
		}
	}
	return ""
}
