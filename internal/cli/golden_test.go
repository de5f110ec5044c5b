package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/regstack/regstack/internal/golden"
	"github.com/regstack/regstack/internal/manifest"
)

// goldenDir is testdata/golden at the repository root (README.md there
// describes a case).
var goldenDir = filepath.Join("..", "..", "testdata", "golden")

// TestGenWritesGolden runs gen itself, through flags and through
// --answers, and requires that it writes exactly a golden case's want/
// tree (plus the secrets and the snapshot, which the tree leaves out):
// internal/generate's TestGolden pins Generate, this pins that gen writes
// what Generate returns for the answers it resolved. It only compares;
// `make golden` refreshes the trees from TestGolden.
func TestGenWritesGolden(t *testing.T) {
	if *golden.Update {
		// make golden runs this package and internal/generate at once;
		// the trees are being rewritten there, so comparing now would race.
		t.Skip("-update: internal/generate's TestGolden rewrites the trees")
	}
	tests := map[string]struct {
		golden string
		args   []string
	}{
		"flags":           {"minimal", []string{"--require-verification=false", "--password-reset=false", "--account-deletion=false", "--admin=false", "--pages=false"}},
		"flag":            {"postgres-defaults", []string{"--backend", "postgres"}},
		"answers file":    {"minimal", []string{"--answers", filepath.Join(goldenDir, "minimal", "answers.toml")}},
		"existing module": {"existing-module", []string{"--answers", filepath.Join(goldenDir, "existing-module", "answers.toml")}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			host := filepath.Join(goldenDir, tc.golden, "host")
			hostFiles := map[string][]byte{}
			if _, err := os.Stat(host); err == nil {
				hostFiles = golden.Tree(t, host)
				for p, b := range hostFiles {
					if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			mustGen(t, append([]string{"--yes", "--no-tidy", "--dir", dir}, tc.args...)...)
			got := golden.Tree(t, dir, SecretsFile, manifest.SnapshotPath)
			for p, b := range hostFiles {
				if bytes.Equal(got[p], b) {
					delete(got, p)
				}
			}
			want := golden.Tree(t, filepath.Join(goldenDir, tc.golden, "want"))
			for _, p := range golden.Paths(want, got) {
				w, inWant := want[p]
				g, inGot := got[p]
				switch {
				case !inGot:
					t.Errorf("%s: in %s/want/ but not written by gen", p, tc.golden)
				case !inWant:
					t.Errorf("%s: written by gen but not in %s/want/", p, tc.golden)
				case !bytes.Equal(w, g):
					t.Errorf("%s: differs from %s/want/ (if TestGolden fails too, refresh with make golden)", p, tc.golden)
				}
			}
		})
	}
}
