package generate

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/mod/modfile"

	"github.com/regstack/regstack/blueprints"
	"github.com/regstack/regstack/internal/golden"
	"github.com/regstack/regstack/internal/manifest"
	"github.com/regstack/regstack/internal/spec"
)

// goldenDir is testdata/golden at the repository root; its README.md
// describes the layout of a case.
var goldenDir = filepath.Join("..", "..", "testdata", "golden")

// goldenVersion is the generator version the golden manifests record, so
// that they do not change with every build.
const goldenVersion = "v0.1.0-dev"

// goldenCases finds the cases below dir: every folder holding an
// answers.toml (its own subfolders, want/ and host/, are not searched).
func goldenCases(t *testing.T, dir string) []string {
	t.Helper()
	var cases []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		if _, err := os.Stat(filepath.Join(p, "answers.toml")); err == nil {
			cases = append(cases, p)
			return filepath.SkipDir
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(cases)
	return cases
}

// caseSpec builds the spec of a case the way gen does: the defaults for
// the kind of host, the answers file over them, and for an existing module
// (host/go.mod) the module path from its go.mod.
func caseSpec(dir string) (*spec.Spec, error) {
	data, err := os.ReadFile(filepath.Join(dir, "answers.toml"))
	if err != nil {
		return nil, err
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "host", "go.mod"))
	starter := errors.Is(err, fs.ErrNotExist)
	if err != nil && !starter {
		return nil, err
	}
	a, err := spec.DecodeAnswers(data, spec.DefaultsFor(starter))
	if err != nil {
		return nil, err
	}
	if !starter {
		if a.Module = modfile.ModulePath(gomod); a.Module == "" {
			return nil, errors.New("host/go.mod: no module line")
		}
	}
	return spec.New(a, starter, goldenVersion)
}

// TestGolden generates each case under testdata/golden and compares every
// file with the case's want/ tree, or the error with its error.txt. The
// snapshot is not stored: it must decode to exactly the rendered files.
// Refresh with
//
//	make golden
func TestGolden(t *testing.T) {
	tree, err := LoadBlueprints(blueprints.FS)
	if err != nil {
		t.Fatal(err)
	}
	cases := goldenCases(t, goldenDir)
	if len(cases) == 0 {
		t.Fatalf("no golden cases under %s", goldenDir)
	}
	for _, dir := range cases {
		name, _ := filepath.Rel(goldenDir, dir)
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			errFile := filepath.Join(dir, "error.txt")
			_, statErr := os.Stat(errFile)
			wantErr := statErr == nil
			s, err := caseSpec(dir)
			var files []File
			if err == nil {
				files, err = Generate(s, tree)
			}
			if wantErr {
				if err == nil {
					t.Fatalf("generated %d files; want the error in %s", len(files), errFile)
				}
				golden.CheckFile(t, errFile, []byte(err.Error()+"\n"))
				return
			}
			if err != nil {
				t.Fatalf("%v (a failure case has an error.txt)", err)
			}
			got := map[string][]byte{}
			for _, f := range files {
				if f.Path != manifest.SnapshotPath {
					got[f.Path] = f.Data
				}
			}
			checkSnapshot(t, files)
			golden.Check(t, filepath.Join(dir, "want"), got)
		})
	}
}

// checkSnapshot: the snapshot holds exactly the rendered files.
func checkSnapshot(t *testing.T, files []File) {
	t.Helper()
	snap, err := manifest.ReadSnapshot(Provenance(files)[manifest.SnapshotPath])
	if err != nil {
		t.Fatal(err)
	}
	rendered := Rendered(files)
	if len(snap) != len(rendered) {
		t.Errorf("snapshot has %d files, the render %d", len(snap), len(rendered))
	}
	for _, f := range rendered {
		if b, ok := snap[f.Path]; !ok || !bytes.Equal(b, f.Data) {
			t.Errorf("%s: missing from the snapshot or different there", f.Path)
		}
	}
}

// TestGoldenCasesDiscovered: the walk finds nested cases and stops at a
// case's own folders.
func TestGoldenCasesDiscovered(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"a/answers.toml", "a/want/.regstack/answers.toml", "group/b/answers.toml", "group/b/host/go.mod", "empty/x.txt"} {
		name := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, c := range goldenCases(t, dir) {
		rel, _ := filepath.Rel(dir, c)
		got = append(got, filepath.ToSlash(rel))
	}
	if strings.Join(got, " ") != "a group/b" {
		t.Errorf("cases = %v, want [a group/b]", got)
	}
}
