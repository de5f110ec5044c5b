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

	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/render"
	"github.com/regstack/regstack/internal/spec"
)

// sqlcStores are the stores whose queries sqlc compiles: each store
// folder of a host holds the sqlc inputs (sqlc.yaml, the *.sql query
// files, migrations/) and the committed output in out/.
var sqlcStores = []struct {
	backend, out string
}{
	{"sqlite", "sqlitedb"},
	{"postgres", "pgdb"},
}

// TestSQLCOutputIsFresh renders hosts of each SQL backend, runs the pinned
// sqlc (tools/go.mod) inside each host's store folder on the host's own
// query files and migrations, and requires the result to equal the host's
// generated sqlc output byte for byte. So a query or migration edit cannot
// ship without its generated code, and a host can run `go generate` (see
// generate.go) and get exactly what regstack wrote.
//
// Two hosts per backend: every optional feature on and every one off. The
// inputs and the output both depend on the features (admin.sql and the
// SMS codes' migration and queries are gated by the catalog, and
// models.go is a template, since sqlc puts every table's model there), and
// these two hosts hold every gated sqlc input and none.
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
	tree, err := blueprint.Load(FS, spec.Conditions())
	if err != nil {
		t.Fatal(err)
	}
	hosts := []struct {
		name     string
		features spec.Features
	}{
		{"all-features", spec.Features{
			RequireVerification: true, PasswordReset: true, AccountDeletion: true,
			Admin: true, Pages: true, SMS: true, SMSBackend: "twilio", Google: true,
		}},
		{"no-features", spec.Features{SMSBackend: "twilio"}},
	}
	for _, st := range sqlcStores {
		for _, h := range hosts {
			t.Run(st.backend+"/"+h.name, func(t *testing.T) {
				a := spec.Defaults()
				a.Backend = st.backend
				a.Features = h.features
				s, err := spec.New(a, false, "v0.0.0-test")
				if err != nil {
					t.Fatal(err)
				}
				files, err := render.Render(s, tree)
				if err != nil {
					t.Fatal(err)
				}
				checkSQLCOutput(t, goBin, repo, files, path.Join(s.PackageDir, "store", st.backend), st.out)
			})
		}
	}
}

// checkSQLCOutput writes the sqlc inputs of the rendered store folder
// storeDir to a scratch folder, runs sqlc there and compares the generated
// outDir folder with the rendered one.
func checkSQLCOutput(t *testing.T, goBin, repo string, files []render.File, storeDir, outDir string) {
	work := t.TempDir()
	want := map[string][]byte{}
	queries, copied := 0, 0
	for _, f := range files {
		rel, ok := strings.CutPrefix(f.Path, storeDir+"/")
		if !ok {
			continue
		}
		isInput := rel == "sqlc.yaml" || strings.HasPrefix(rel, "migrations/") ||
			(path.Ext(rel) == ".sql" && !strings.Contains(rel, "/"))
		switch {
		case strings.HasPrefix(rel, outDir+"/"):
			want[strings.TrimPrefix(rel, outDir+"/")] = f.Data
			continue
		case !isInput:
			continue
		case path.Dir(rel) == ".":
			if path.Ext(rel) == ".sql" {
				queries++
			}
		}
		target := filepath.Join(work, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		copied++
	}
	if queries == 0 || copied < 3 || len(want) == 0 {
		t.Fatalf("rendered only %d sqlc input files (%d query files) and %d output files in %s", copied, queries, len(want), storeDir)
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
	if len(got) == 0 {
		t.Fatal("sqlc generated no files")
	}
	var stale []string
	for _, name := range sortedKeys(got, want) {
		g, inGot := got[name]
		w, inWant := want[name]
		switch {
		case !inWant:
			stale = append(stale, name+": generated but not written into the host")
		case !inGot:
			stale = append(stale, name+": written into the host but no longer generated")
		case !bytes.Equal(g, w):
			stale = append(stale, name+": differs from the generated file ("+firstDiff(g, w)+")")
		}
	}
	if len(stale) > 0 {
		t.Errorf("the sqlc output in %s/%s is stale; run `make sqlc` and commit the result (models.go goes into models.go.tmpl):\n  %s",
			storeDir, outDir, strings.Join(stale, "\n  "))
	}
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
