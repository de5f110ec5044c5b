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

// TestGoToolchains: generated hosts build and pass their suites on Go 1.25
// as well as on the Go that runs the rest of this module (1.26;
// docs/go-versions.md). The Go 1.25 runs are TestScenarios' "all"
// scenario on every backend (every feature, so every pinned module), run
// with GOTOOLCHAIN=oldGo; this test checks that the switch really
// happens, and runs the other pin set: the newest pins, which hosts whose
// go.mod says 1.26 get.
func TestGoToolchains(t *testing.T) {
	env := []string{"GOTOOLCHAIN=" + oldGo}
	out := mustRunEnv(t, fx.work, toolchainTimeout, env, "go", "version")
	if !strings.Contains(out, oldGo+" ") {
		t.Fatalf("GOTOOLCHAIN=%s go version printed %q: the toolchain switch did not happen", oldGo, strings.TrimSpace(out))
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
