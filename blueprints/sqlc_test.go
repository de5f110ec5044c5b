package blueprints

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// sqlcStores are the stores whose queries sqlc compiles: each blueprint
// folder holds the sqlc inputs (sqlc.yaml, the *.sql query files,
// migrations/) and the committed output in out/.
var sqlcStores = []struct {
	name, dir, out string
}{
	{"sqlite", "_sqlite/pkg/store/sqlite", "sqlitedb"},
	{"postgres", "_postgres/pkg/store/postgres", "pgdb"},
}

// TestSQLCOutputIsFresh regenerates each store's sqlc output from the
// embedded query files and migrations with the pinned sqlc (tools/go.mod) and
// requires it to equal the committed output byte for byte, so a query or
// migration edit cannot ship without its generated code.
func TestSQLCOutputIsFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs sqlc; skipped with -short")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to run the pinned sqlc: %v", err)
	}
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sqlcStores {
		t.Run(st.name, func(t *testing.T) {
			checkSQLCOutput(t, goBin, repo, st.dir, st.out)
		})
	}
}

// checkSQLCOutput runs sqlc on a copy of dir's inputs and compares the
// generated outDir folder with the committed one.
func checkSQLCOutput(t *testing.T, goBin, repo, dir, outDir string) {
	work := t.TempDir()
	queries, err := fs.Glob(FS, path.Join(dir, "*.sql"))
	if err != nil {
		t.Fatal(err)
	}
	copied := 0
	for _, name := range []string{"sqlc.yaml", "migrations"} {
		copied += copyTree(t, path.Join(dir, name), filepath.Join(work, name))
	}
	for _, q := range queries {
		copied += copyTree(t, q, filepath.Join(work, path.Base(q)))
	}
	if len(queries) == 0 || copied < 3 {
		t.Fatalf("copied only %d sqlc input files from %s", copied, dir)
	}

	// -modfile keeps sqlc's dependencies in tools/go.mod; the go command
	// still wants to run inside a module, so it runs from the repo root.
	cmd := exec.Command(goBin, "tool", "-modfile="+filepath.Join(repo, "tools", "go.mod"),
		"sqlc", "generate", "-f", filepath.Join(work, "sqlc.yaml"))
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}

	got := readTree(t, os.DirFS(filepath.Join(work, outDir)))
	want := readTree(t, mustSub(t, path.Join(dir, outDir)))
	if len(got) == 0 {
		t.Fatal("sqlc generated no files")
	}
	var stale []string
	for _, name := range sortedKeys(got, want) {
		g, inGot := got[name]
		w, inWant := want[name]
		switch {
		case !inWant:
			stale = append(stale, name+": generated but not committed")
		case !inGot:
			stale = append(stale, name+": committed but no longer generated")
		case !bytes.Equal(g, w):
			stale = append(stale, name+": differs from the generated file ("+firstDiff(g, w)+")")
		}
	}
	if len(stale) > 0 {
		t.Errorf("blueprints/%s/%s is stale; run `make sqlc` and commit the result:\n  %s",
			dir, outDir, strings.Join(stale, "\n  "))
	}
}

// copyTree copies a file or folder from the embedded FS to dst and returns
// the number of files copied.
func copyTree(t *testing.T, src, dst string) int {
	t.Helper()
	n := 0
	err := fs.WalkDir(FS, src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, filepath.FromSlash(strings.TrimPrefix(p, src)))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := fs.ReadFile(FS, p)
		if err != nil {
			return err
		}
		n++
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
	return n
}

func mustSub(t *testing.T, dir string) fs.FS {
	t.Helper()
	sub, err := fs.Sub(FS, dir)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}

// readTree reads every file below the root of fsys, keyed by slash path.
func readTree(t *testing.T, fsys fs.FS) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		files[p] = b
		return err
	})
	if err != nil {
		t.Fatalf("reading generated files: %v", err)
	}
	return files
}

func sortedKeys(maps ...map[string][]byte) []string {
	seen := map[string]bool{}
	var keys []string
	for _, m := range maps {
		for k := range m {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// firstDiff names the first line where generated and committed differ.
func firstDiff(generated, committed []byte) string {
	g := strings.Split(string(generated), "\n")
	c := strings.Split(string(committed), "\n")
	for i := 0; i < len(g) || i < len(c); i++ {
		var gl, cl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(c) {
			cl = c[i]
		}
		if gl != cl {
			return fmt.Sprintf("line %d: generated %q, committed %q", i+1, gl, cl)
		}
	}
	return "same lines"
}
