package e2e

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// pkgDir is where `--yes` puts the generated package.
const pkgDir = "internal/auth"

// ownedHeader starts every Go file the user owns (blueprints/README.md).
const ownedHeader = "// This file is part of your application: regstack wrote it, you own it.\n" +
	"// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.\n\n"

// TestScenarios generates each scenario into a scratch module, on every
// backend it applies to, and checks that the result is a healthy Go module:
// tidy, builds, vets, is gofmt'd and its generated test suite passes on that
// backend's test server.
func TestScenarios(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) { scenarios(t, backend) })
	}
}

func scenarios(t *testing.T, backend string) {
	t.Run("defaults", func(t *testing.T) {
		dir := defaultsHost(t, backend)
		checkStarter(t, dir, "example.com/demo")
		checkGenerated(t, dir, backend, features{verification: true, reset: true, deletion: true})
		verifyModule(t, dir, backend)
	})

	t.Run("minimal", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "host")
		gen(t, dir, "--yes", "--backend", backend, "--require-verification=false", "--password-reset=false", "--account-deletion=false", "--admin=false", "--pages=false")
		checkStarter(t, dir, "example.com/demo")
		checkGenerated(t, dir, backend, features{})
		verifyModule(t, dir, backend)
	})

	// Every feature on, SMS with the SNS sender and Sign in with Google
	// included: the SMS suite (codes, races, enrolment) and the Google
	// suite (the whole OpenID flow against authtest's fake provider,
	// linking, single-use exchange) on this backend's real database. The
	// SNS sender alone brings the AWS SDK; Google brings go-oidc.
	//
	// It is also the scenario that runs under Go 1.25 (oldGo, downloaded
	// through the module proxy; docs/go-versions.md): generation, tidy,
	// build, vet and the whole suite, so every pinned module is compiled
	// and tested by the older supported Go as well, on every backend,
	// while the other scenarios run under this module's Go. SES email is
	// on too, for the last SDK module.
	t.Run("all", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "host")
		env := []string{"GOTOOLCHAIN=" + oldGo}
		mustRunEnv(t, fx.work, buildTimeout, env, regstack(t), "gen", "--dir", dir, "--yes", "--backend", backend,
			"--sms", "--sms-backend", "sns", "--email-backend", "ses", "--google")
		checkGoLine(t, dir)
		checkGenerated(t, dir, backend, features{verification: true, reset: true, deletion: true})
		gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil {
			t.Fatal(err)
		}
		for _, dep := range []string{"github.com/aws/aws-sdk-go-v2/service/sns", "github.com/aws/aws-sdk-go-v2/service/sesv2", "github.com/nyaruka/phonenumbers", "github.com/coreos/go-oidc/v3", "golang.org/x/oauth2"} {
			if !bytes.Contains(gomod, []byte(dep+" ")) {
				t.Errorf("go.mod of a host with SMS (SNS sender) and Google lacks %s:\n%s", dep, gomod)
			}
		}
		verifyModule(t, dir, backend, env...)
	})

	// Adopting regstack in an existing module does not depend on the
	// database; one backend covers it.
	if backend != "sqlite" {
		return
	}
	t.Run("existing-module", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "host")
		for name, content := range hostFiles {
			writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), content)
		}
		// The host must be sound before regstack touches it, or a failure
		// below would prove nothing.
		mustRun(t, dir, buildTimeout, "go", "build", "./...")
		before := snapshot(t, dir)

		out := gen(t, dir, "--yes", "--backend", backend)
		// It tells the operator how to mount the package in their main.
		for _, want := range []string{`"example.com/host/internal/auth"`, "auth.New(ctx, cfg)", ".Handler()"} {
			if !strings.Contains(out, want) {
				t.Errorf("gen output for an existing module does not show %s in the lines to paste:\n%s", want, tail(out, 30))
			}
		}

		after := snapshot(t, dir)
		checkHostUntouched(t, before, after)
		checkGenerated(t, dir, backend, features{verification: true, reset: true, deletion: true})
		verifyModule(t, dir, backend)

		// The host can use the package through its documented API: this is
		// what the lines regstack prints for main amount to.
		writeFile(t, filepath.Join(dir, "cmd", "withauth", "main.go"), hostWiring)
		mustRun(t, dir, buildTimeout, "go", "build", "-o", os.DevNull, "./cmd/withauth")
		mustRun(t, dir, buildTimeout, "go", "vet", "./cmd/withauth")
	})
}

// TestGenDeterministic generates the same answers twice and expects the same
// bytes: the generator's output depends only on the answers. The secrets
// file is random by design; .regstack/ provenance is compared separately by
// the generator's own tests.
func TestGenDeterministic(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a")
	b := filepath.Join(t.TempDir(), "b")
	gen(t, a, "--yes", "--no-tidy")
	gen(t, b, "--yes", "--no-tidy")
	sa, sb := snapshot(t, a), snapshot(t, b)
	skip := func(p string) bool { return p == "regstack.secrets.env" || strings.HasPrefix(p, ".regstack/") }
	for _, p := range sortedKeys(sa) {
		if skip(p) {
			continue
		}
		if other, ok := sb[p]; !ok {
			t.Errorf("%s written only by the first run", p)
		} else if !bytes.Equal(sa[p], other) {
			t.Errorf("%s differs between two runs with the same answers", p)
		}
	}
	for _, p := range sortedKeys(sb) {
		if _, ok := sa[p]; !ok && !skip(p) {
			t.Errorf("%s written only by the second run", p)
		}
	}
	if sa["regstack.secrets.env"] != nil && bytes.Equal(sa["regstack.secrets.env"], sb["regstack.secrets.env"]) {
		t.Error("two runs wrote the same JWT secret")
	}
}

type features struct{ verification, reset, deletion bool }

// verifyModule is what a user's CI would run on the host after generation.
// The generated suite runs against backend's test server.
func verifyModule(t *testing.T, dir, backend string, env ...string) {
	t.Helper()
	// gen ran without --no-tidy, so go.mod and go.sum must already be tidy.
	// If not, say so and tidy, so the remaining steps still report.
	t.Run("tidy", func(t *testing.T) {
		if out, err := runEnv(dir, buildTimeout, env, "go", "mod", "tidy", "-diff"); err != nil {
			t.Errorf("go.mod/go.sum are not tidy after regstack gen: %v", errOutput(err, out))
			mustRunEnv(t, dir, buildTimeout, env, "go", "mod", "tidy")
		}
	})
	t.Run("build", func(t *testing.T) {
		mustRunEnv(t, dir, buildTimeout, env, "go", "build", "./...")
	})
	t.Run("vet", func(t *testing.T) {
		mustRunEnv(t, dir, buildTimeout, env, "go", "vet", "./...")
	})
	t.Run("gofmt", func(t *testing.T) {
		out := mustRun(t, dir, genTimeout, gofmtPath(), "-l", ".")
		if strings.TrimSpace(out) != "" {
			t.Errorf("gofmt -l lists files that are not formatted:\n%s", out)
		}
	})
	t.Run("test", func(t *testing.T) {
		out := mustRunEnv(t, dir, testTimeout, append(env, testDatabaseEnv(t, backend)...), "go", "test", "-count=1", "-v", "./...")
		// On a server backend a skip means the suite never reached the
		// database: the variable was lost on the way.
		if skips := skipLines(out); len(skips) > 0 {
			t.Errorf("%d tests skipped on %s with REGSTACK_TEST_DATABASE_URL set, e.g.:\n%s", len(skips), backend, strings.Join(skips[:min(5, len(skips))], "\n"))
		}
		t.Logf("generated suite:\n%s", tail(packageLines(out), 40))
	})
	if backend != "sqlite" {
		// Without a server the suite skips, saying how to point it at one.
		t.Run("test-without-database", func(t *testing.T) {
			out := mustRunEnv(t, dir, testTimeout, env, "go", "test", "-count=1", "-v", "./"+pkgDir+"/...")
			if !strings.Contains(out, "REGSTACK_TEST_DATABASE_URL") || len(skipLines(out)) == 0 {
				t.Errorf("without REGSTACK_TEST_DATABASE_URL the %s suite does not skip with a hint:\n%s", backend, tail(out, 30))
			}
		})
	}
}

// skipLines are the "--- SKIP" lines of `go test -v` output.
func skipLines(out string) []string {
	var skips []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "--- SKIP") {
			skips = append(skips, strings.TrimSpace(l))
		}
	}
	return skips
}

// packageLines keeps the per-package result lines of `go test -v` output.
func packageLines(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "ok ") || strings.HasPrefix(l, "FAIL") || strings.HasPrefix(l, "?") || strings.HasPrefix(l, "--- FAIL") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// checkStarter checks what a fresh folder gets besides the package.
func checkStarter(t *testing.T, dir, module string) {
	t.Helper()
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if got := lineMatching(gomod, "module "); got != "module "+module {
		t.Errorf("go.mod: %q, want module %s", got, module)
	}
	if _, err := os.Stat(filepath.Join(dir, "main.go")); err != nil {
		t.Errorf("the starter has no main.go: %v", err)
	}
}

// checkGenerated checks the package layout, the owned-file header, the
// secrets file and the feature switches, from the files alone.
func checkGenerated(t *testing.T, dir, backend string, f features) {
	t.Helper()
	files := snapshot(t, dir)

	for _, want := range []string{"regstack.toml", "regstack.secrets.env", pkgDir + "/openapi.json"} {
		if files[want] == nil {
			t.Errorf("%s was not written", want)
		}
	}
	hasManifest := false
	for p := range files {
		if strings.HasPrefix(p, ".regstack/") {
			hasManifest = true
		}
	}
	if !hasManifest {
		t.Error(".regstack/ provenance was not written")
	}

	// Every Go file in the package is either owned (header, no "generated"
	// markers linters would skip) or managed sqlc output.
	for _, p := range sortedKeys(files) {
		if !strings.HasPrefix(p, pkgDir+"/") || path.Ext(p) != ".go" {
			continue
		}
		body := files[p]
		switch {
		case bytes.HasPrefix(body, []byte("// Code generated")):
			if !strings.Contains(p, "/store/") {
				t.Errorf("%s is managed (Code generated) but only store code may be", p)
			}
		case bytes.HasPrefix(body, []byte(ownedHeader)):
			lower := bytes.ToLower(body)
			if bytes.Contains(lower, []byte("code generated")) || bytes.Contains(lower, []byte("do not edit")) {
				t.Errorf("%s is owned but contains \"code generated\" or \"do not edit\"", p)
			}
		default:
			t.Errorf("%s starts with neither the owned-file header nor a Code generated line:\n%s", p, firstLines(body, 3))
		}
	}

	checkBackend(t, files, backend)

	// The JWT secret is private and long enough for the app to start.
	secrets := filepath.Join(dir, "regstack.secrets.env")
	if st, err := os.Stat(secrets); err == nil {
		if mode := st.Mode().Perm(); mode != 0o600 {
			t.Errorf("regstack.secrets.env has mode %o, want 600", mode)
		}
		line := lineMatching(files["regstack.secrets.env"], "REGSTACK_JWT_SECRET=")
		if len(strings.TrimPrefix(line, "REGSTACK_JWT_SECRET=")) < 32 {
			t.Errorf("regstack.secrets.env has no REGSTACK_JWT_SECRET of at least 32 characters")
		}
	}

	// Feature switches decide which flows exist.
	exists := func(glob string) bool {
		m, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(pkgDir), glob))
		return len(m) > 0
	}
	openapi := string(files[pkgDir+"/openapi.json"])
	if got := exists("reset*.go"); got != f.reset {
		t.Errorf("reset*.go present = %v, want %v", got, f.reset)
	}
	if got := exists("delete_account*.go"); got != f.deletion {
		t.Errorf("delete_account*.go present = %v, want %v", got, f.deletion)
	}
	if openapi != "" {
		for _, route := range []string{"/forgot-password", "/reset-password"} {
			if got := strings.Contains(openapi, route); got != f.reset {
				t.Errorf("openapi.json lists %s = %v, want %v", route, got, f.reset)
			}
		}
		for _, route := range []string{"/register", "/login", "/logout", "/me", "/verify"} {
			if !strings.Contains(openapi, `"`+route) {
				t.Errorf("openapi.json does not list %s", route)
			}
		}
	}
	if !f.verification {
		if !regexp.MustCompile(`(?m)^\s*require_verification\s*=\s*false\b`).Match(files["regstack.toml"]) {
			t.Errorf("--require-verification=false but regstack.toml does not set require_verification = false:\n%s", files["regstack.toml"])
		}
	}
}

// backendFiles says, per backend, where its store lives, which driver
// module go.mod requires and how regstack.toml's database_url starts.
var backendFiles = map[string]struct{ storeDir, driver, urlPrefix string }{
	"sqlite":   {"store/sqlite/", "modernc.org/sqlite", `database_url = "sqlite:`},
	"postgres": {"store/postgres/", "github.com/jackc/pgx/v5", `database_url = "postgres://`},
	"mongo":    {"store/mongo/", "go.mongodb.org/mongo-driver/v2", `database_url = "mongodb://`},
}

// checkBackend: the package holds exactly one store implementation, go.mod
// requires exactly one database driver, and regstack.toml points at that
// kind of database.
func checkBackend(t *testing.T, files map[string][]byte, backend string) {
	t.Helper()
	for name, b := range backendFiles {
		hasStore := false
		for p := range files {
			if strings.HasPrefix(p, pkgDir+"/"+b.storeDir) {
				hasStore = true
				break
			}
		}
		if want := name == backend; hasStore != want {
			t.Errorf("backend %s: %s%s present = %v, want %v", backend, pkgDir+"/", b.storeDir, hasStore, want)
		}
		if required := bytes.Contains(files["go.mod"], []byte(b.driver+" ")); required != (name == backend) {
			t.Errorf("backend %s: go.mod requires %s = %v, want %v", backend, b.driver, required, name == backend)
		}
	}
	if b := backendFiles[backend]; !bytes.Contains(files["regstack.toml"], []byte("\n"+b.urlPrefix)) {
		t.Errorf("backend %s: regstack.toml has no line starting %s", backend, b.urlPrefix)
	}
}

func firstLines(b []byte, n int) string {
	lines := strings.SplitN(string(b), "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// checkHostUntouched: generating into an existing module leaves the host's
// own files byte for byte (go.mod may only gain requirements) and adds only
// the package, regstack.toml, regstack.secrets.env, .regstack/ and go.sum.
func checkHostUntouched(t *testing.T, before, after map[string][]byte) {
	t.Helper()
	for _, p := range sortedKeys(before) {
		got, ok := after[p]
		switch {
		case !ok:
			t.Errorf("host file %s was removed", p)
		case p == "go.mod":
			for _, prefix := range []string{"module ", "go "} {
				if a, b := lineMatching(before[p], prefix), lineMatching(got, prefix); a != b {
					t.Errorf("go.mod: %q became %q", a, b)
				}
			}
		case !bytes.Equal(before[p], got):
			t.Errorf("host file %s was modified", p)
		}
	}
	for _, p := range sortedKeys(after) {
		if _, ok := before[p]; ok {
			continue
		}
		switch {
		case strings.HasPrefix(p, pkgDir+"/"), strings.HasPrefix(p, ".regstack/"),
			p == "regstack.toml", p == "regstack.secrets.env", p == "go.sum":
		default:
			t.Errorf("regstack added %s outside the package (host modules get no starter files)", p)
		}
	}
}

// hostFiles is a small existing application: a module with its own main,
// a package, a test and a README, none of which regstack may touch.
var hostFiles = map[string]string{
	"go.mod": "module example.com/host\n\ngo 1.26.0\n",
	"main.go": `// Command host is an existing application that adopts regstack.
package main

import (
	"log"
	"net/http"
	"os"

	"example.com/host/internal/greet"
)

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(greet.Hello("world")))
	})
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	log.Fatal(http.ListenAndServe(addr, mux))
}
`,
	"internal/greet/greet.go": `// Package greet says hello.
package greet

// Hello greets name.
func Hello(name string) string { return "hello, " + name + "\n" }
`,
	"internal/greet/greet_test.go": `package greet

import "testing"

func TestHello(t *testing.T) {
	if got := Hello("x"); got != "hello, x\n" {
		t.Fatalf("Hello = %q", got)
	}
}
`,
	"README.md":  "# host\n\nAn application that existed before regstack.\n",
	".gitignore": "/host\n*.db\n",
}

// hostWiring mounts the generated package in a host main using only the
// API the package promises (config.Load, auth.New, Handler, RequireUser,
// UserFrom, Close).
const hostWiring = `package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"

	"example.com/host/internal/auth"
	"example.com/host/internal/auth/config"
)

func main() {
	ctx := context.Background()
	cfg, err := config.Load(config.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	a, err := auth.New(ctx, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer a.Close()

	mux := http.NewServeMux()
	mux.Handle(cfg.APIPrefix+"/", a.Handler())
	mux.Handle("GET /hello", a.RequireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := auth.UserFrom(r.Context())
		if !ok {
			http.Error(w, "no user", http.StatusInternalServerError)
			return
		}
		fmt.Fprintf(w, "hello %s\n", u.Email)
	})))
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	log.Fatal(http.ListenAndServe(addr, mux))
}
`
