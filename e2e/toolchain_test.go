package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// oldGo is the Go 1.25 toolchain generated hosts are tested with: the older
// of the two Go releases the Go team supports (README.md, Requirements).
// GOTOOLCHAIN=oldGo makes the go command on PATH fetch it from the module
// proxy (golang.org/toolchain, about 75 MB, once per module cache) and run
// it. Keep it at the newest go1.25 patch release the proxy serves.
const oldGo = "go1.25.14"

// hostGoLine is the go line of a generated starter's go.mod
// (blueprints/_common/starter/go.mod.tmpl), which the pins for it
// (blueprints/catalog.toml [deps], the "go1.25" key) must not raise.
const hostGoLine = "go 1.25.0"

// TestGoToolchains proves that generated hosts build and pass their suites
// on Go 1.25 as well as on the Go that runs the rest of this module (1.26,
// covered by every other test here; docs/go-versions.md). One starter per
// backend, with the features that bring every pinned module: the
// defaults, SMS with the SNS sender and SES email (and Google on SQLite),
// so toml, jwt, goose, x/crypto, x/net, x/text, the driver, phonenumbers,
// the AWS SDK, go-oidc and x/oauth2 are all compiled and tested by Go 1.25.
//
// Everything runs with GOTOOLCHAIN=oldGo: `regstack gen` (its go get of
// the pins and go mod tidy, which a Go 1.25 toolchain refuses when a module
// needs Go 1.26), then go vet and go test. The module and build caches
// are the ones every other test uses, so the dependencies are downloaded
// once; the build cache keeps Go 1.25's objects apart. Measured on two
// shared cores: about 100 s per backend with warm caches, nearly all of it
// the generated suite itself, and 45 s for the newest-pins subtests; a cold
// build cache adds about two minutes of compiling with Go 1.25 (the SQLite
// driver above all).
func TestGoToolchains(t *testing.T) {
	env := []string{"GOTOOLCHAIN=" + oldGo}
	out := mustRunEnv(t, fx.work, toolchainTimeout, env, "go", "version")
	if !strings.Contains(out, oldGo+" ") {
		t.Fatalf("GOTOOLCHAIN=%s go version printed %q: the toolchain switch did not happen", oldGo, strings.TrimSpace(out))
	}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "host")
			args := []string{"gen", "--dir", dir, "--yes", "--backend", backend, "--sms", "--sms-backend", "sns", "--email-backend", "ses"}
			// The whole suite runs once, on SQLite, with Google too (go-oidc
			// and x/oauth2 under Go 1.25); the server backends vet
			// everything (which compiles every test) and run their store
			// suites, the only code that differs per backend. That keeps
			// this test's share of CI near three minutes.
			pkgs := "./" + pkgDir + "/store/..."
			if backend == "sqlite" {
				args, pkgs = append(args, "--google"), "./..."
			}
			mustRunEnv(t, fx.work, buildTimeout, env, regstack(t), args...)
			checkGoLine(t, dir)
			mustRunEnv(t, dir, buildTimeout, env, "go", "vet", "./...")
			out := mustRunEnv(t, dir, testTimeout, append(env, testDatabaseEnv(t, backend)...), "go", "test", "-count=1", "-v", pkgs)
			if skips := skipLines(out); len(skips) > 0 {
				t.Errorf("%d tests skipped on %s under %s, e.g.:\n%s", len(skips), backend, oldGo, strings.Join(skips[:min(5, len(skips))], "\n"))
			}
			t.Logf("generated suite under %s:\n%s", oldGo, tail(packageLines(out), 40))
		})
	}
	// The newest pins go to hosts on Go 1.26 (an existing module whose
	// go.mod says so); every other test generates starters, which get the
	// Go 1.25 pins. The existing-module scenario runs SQLite's whole suite
	// on the newest pins; here the server backends build, vet and run their
	// store suites (goose's migrations included) on them, with this Go.
	for _, backend := range []string{"postgres", "mongo"} {
		t.Run("newest-pins/"+backend, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "host")
			writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/host\n\ngo 1.26.0\n")
			writeFile(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() {}\n")
			gen(t, dir, "--yes", "--backend", backend, "--sms", "--sms-backend", "sns", "--email-backend", "ses")
			// Which pins a go line gets is the generator's unit tests'
			// business (internal/cli TestTidyPinsFollowHostGoLine).
			mustRun(t, dir, buildTimeout, "go", "vet", "./...")
			mustRunEnv(t, dir, testTimeout, testDatabaseEnv(t, backend), "go", "test", "-count=1", "./"+pkgDir+"/store/...")
		})
	}
}

// toolchainTimeout bounds the first `go version` under GOTOOLCHAIN=oldGo,
// which downloads the toolchain on a fresh machine.
const toolchainTimeout = 5 * time.Minute

// checkGoLine fails when the tidied go.mod of a generated host needs more
// than Go 1.25: a raised go line or a toolchain line means a pinned module
// (or one it requires) declares a newer go.
func checkGoLine(t *testing.T, dir string) {
	t.Helper()
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if got := lineMatching(gomod, "go "); got != hostGoLine {
		t.Errorf("go.mod after regstack gen says %q, want %q:\n%s", got, hostGoLine, gomod)
	}
	if got := lineMatching(gomod, "toolchain "); got != "" {
		t.Errorf("go.mod after regstack gen has %q:\n%s", got, gomod)
	}
}
