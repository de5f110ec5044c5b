package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// previousRelease is the commit whose generator wrote the hosts in
// TestUpgradeFromPreviousRelease: the last one before the store interfaces
// were split by concern and the config package came to be emitted from the
// generator's key table. Move it forward when a later change reshapes
// generated code again, so the test always covers the newest reshaping.
const previousRelease = "5e87eb92bb16d018f5f76dc3064347600aa0d795"

// TestUpgradeFromPreviousRelease builds regstack as it was at
// previousRelease (from this repository's own history), generates hosts
// with it, edits them as an owner would, and upgrades them with the
// current binary. The merge must be clean (no conflict markers), the
// owner's edits must survive, and the upgraded host must build, vet, be
// gofmt'd and pass its suite, and the configuration the previous release
// wrote must still load.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	oldBin := buildPreviousRelease(t)
	cases := []struct {
		name  string
		flags []string
	}{
		{"defaults", nil},
		{"minimal", []string{"--require-verification=false", "--password-reset=false", "--account-deletion=false", "--admin=false"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "host")
			mustRun(t, fx.work, genTimeout, oldBin, append([]string{"gen", "--yes", "--dir", dir}, c.flags...)...)

			// The owner's edits: a comment in auth.go, a changed
			// setting in regstack.toml and a note in the README.
			edits := map[string][2]string{
				filepath.Join(dir, pkgDir, "auth.go"): {"package auth\n", "package auth\n\n// Reviewed by our security team on 2026-11-30.\n"},
				filepath.Join(dir, "regstack.toml"):   {"jwt_ttl_seconds = 7200", "jwt_ttl_seconds = 3600"},
				filepath.Join(dir, "README.md"):       {"", "Our shop.\n\n"},
			}
			for file, e := range edits {
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				edited := strings.Replace(string(b), e[0], e[1], 1)
				if e[0] == "" {
					edited = e[1] + string(b)
				}
				if edited == string(b) {
					t.Fatalf("%s: nothing to edit (%q not found)", file, e[0])
				}
				writeFile(t, file, edited)
			}

			out := gen(t, dir, "--upgrade")
			t.Logf("upgrade from %s:\n%s", previousRelease, tail(out, 40))
			if strings.Contains(out, "conflict") {
				t.Errorf("the upgrade from %s reported conflicts:\n%s", previousRelease, out)
			}
			for file, e := range edits {
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(string(b), e[1]) {
					t.Errorf("%s lost the owner's edit %q", file, e[1])
				}
			}
			checkHost(t, dir)
			// The app still reads the owner's regstack.toml (written by the
			// previous release; the upgrade only comments out settings the
			// host no longer reads): migrate and doctor load it as the app
			// does, and doctor then finds nothing wrong.
			ops(t, dir, nil, "", 0, "migrate", "up")
			ops(t, dir, nil, "", 0, "doctor")
		})
	}
}

// buildPreviousRelease extracts previousRelease from the repository's git
// history and builds its regstack binary.
func buildPreviousRelease(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git binary: the previous release is built from the repository's history")
	}
	if out, err := run(fx.repo, genTimeout, "git", "cat-file", "-e", previousRelease+"^{commit}"); err != nil {
		t.Skipf("commit %s is not in this checkout (a shallow clone?): %v %s", previousRelease, err, out)
	}
	src := filepath.Join(t.TempDir(), "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "previous.tar")
	mustRun(t, fx.repo, genTimeout, "git", "archive", "--format=tar", "-o", archive, previousRelease)
	mustRun(t, src, genTimeout, "tar", "-xf", archive)
	bin := filepath.Join(fx.work, "bin", "regstack-previous")
	mustRun(t, src, buildTimeout, "go", "build", "-buildvcs=false", "-ldflags", "-X github.com/regstack/regstack/generator/cli.Version=v0.1.0-prev", "-o", bin, ".")
	return bin
}
