package upgrade

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regstack/regstack/internal/apply"
	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/generate"
	"github.com/regstack/regstack/internal/manifest"
	"github.com/regstack/regstack/internal/merge"
	"github.com/regstack/regstack/internal/spec"
)

// The two miniature blueprint versions (testdata/upgrade/v1 and v2):
// v2 fixes Normalize in auth.go (and its test), rewords README.txt, drops
// legacy.go and legacy.txt, adds ratelimit.go and a second migration,
// changes the first migration, the managed sqlitedb/models.go and the
// once-only regstack.toml.
func tree(t testing.TB, version string) *blueprint.Tree {
	t.Helper()
	tr, err := generate.LoadBlueprints(os.DirFS(filepath.Join("..", "..", "testdata", "upgrade", version)))
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func testAnswers() spec.Answers {
	a := spec.Defaults()
	a.Module = "example.com/up"
	return a
}

// genHost does what `regstack gen` does in a fresh folder: write every
// file generate.Generate returns (the secrets aside).
func genHost(t testing.TB, dir string, tr *blueprint.Tree, a spec.Answers, version string) {
	t.Helper()
	s, err := spec.New(a, true, version)
	if err != nil {
		t.Fatal(err)
	}
	files, err := generate.Generate(s, tr)
	if err != nil {
		t.Fatal(err)
	}
	var out []apply.File
	for _, f := range files {
		out = append(out, apply.File{Path: f.Path, Data: f.Data, Perm: f.Perm})
	}
	if err := apply.WriteAll(dir, out, nil); err != nil {
		t.Fatal(err)
	}
}

func read(t testing.TB, dir, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func write(t testing.TB, dir, p, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(p)), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func replaceIn(t testing.TB, dir, p, old, new string) {
	t.Helper()
	s := read(t, dir, p)
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not contain %q", p, old)
	}
	write(t, dir, p, strings.Replace(s, old, new, 1))
}

func exists(dir, p string) bool {
	_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p)))
	return err == nil
}

func prepare(t testing.TB, dir string, o Options) *Plan {
	t.Helper()
	o.Root = dir
	if o.Tree == nil {
		o.Tree = tree(t, "v2")
	}
	if o.Version == "" {
		o.Version = "v2.0.0"
	}
	p, err := Prepare(o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func upgrade(t testing.TB, dir string, o Options) *Plan {
	t.Helper()
	p := prepare(t, dir, o)
	if err := p.Apply(nil); err != nil {
		t.Fatal(err)
	}
	if Pending(dir) {
		t.Fatal("journal left behind after a complete run")
	}
	return p
}

func actions(p *Plan) map[string]Action {
	m := map[string]Action{}
	for _, c := range p.Changes {
		m[c.Path] = c.Action
	}
	return m
}

func wantActions(t testing.TB, p *Plan, want map[string]Action) {
	t.Helper()
	got := actions(p)
	for path, a := range want {
		if got[path] != a {
			t.Errorf("%s: action %q, want %q", path, got[path], a)
		}
	}
}

// rendered returns what generating with v2 into a fresh folder writes for
// path.
func rendered(t testing.TB, a spec.Answers, p string) string {
	t.Helper()
	dir := t.TempDir()
	genHost(t, dir, tree(t, "v2"), a, "v2.0.0")
	return read(t, dir, p)
}

const pkg = "internal/auth/"

func TestUntouchedHostUpgradesCleanly(t *testing.T) {
	dir := t.TempDir()
	genHost(t, dir, tree(t, "v1"), testAnswers(), "v1.0.0")
	p := upgrade(t, dir, Options{})
	wantActions(t, p, map[string]Action{
		pkg + "auth.go":      Replace,
		pkg + "auth_test.go": Replace,
		pkg + "README.txt":   Replace,
		pkg + "ratelimit.go": Add,
		pkg + "legacy.go":    Remove,
		pkg + "legacy.txt":   Remove,
		pkg + "reset.go":     Keep,
		"main.go":            Keep,
		"regstack.toml":      Keep,
		pkg + "store/sqlite/migrations/00002_names.sql": Add,
		pkg + "store/sqlite/migrations/00001_init.sql":  Skip,
		pkg + "store/sqlite/sqlitedb/models.go":         Replace,
	})
	if len(p.Conflicts()) != 0 {
		t.Errorf("conflicts: %v", p.Conflicts())
	}
	// The result is exactly a fresh v2 generation, except the once file
	// and the append-only migration, which an upgrade never rewrites.
	fresh := t.TempDir()
	genHost(t, fresh, tree(t, "v2"), testAnswers(), "v2.0.0")
	for _, c := range p.Changes {
		if c.Action == Remove {
			if exists(dir, c.Path) {
				t.Errorf("%s not removed", c.Path)
			}
			continue
		}
		if c.Path == "regstack.toml" || strings.HasSuffix(c.Path, "00001_init.sql") {
			if read(t, dir, c.Path) == read(t, fresh, c.Path) {
				t.Errorf("%s was rewritten", c.Path)
			}
			continue
		}
		if got, want := read(t, dir, c.Path), read(t, fresh, c.Path); got != want {
			t.Errorf("%s differs from a fresh v2 render:\n%s", c.Path, merge.Unified("upgraded", "fresh", []byte(got), []byte(want)))
		}
	}
	if got, want := read(t, dir, manifest.Path), read(t, fresh, manifest.Path); got != want {
		t.Errorf("manifest differs from a fresh v2 generation")
	}
	if got, want := read(t, dir, manifest.SnapshotPath), read(t, fresh, manifest.SnapshotPath); got != want {
		t.Errorf("snapshot differs from a fresh v2 generation")
	}
	// Upgrading again changes nothing.
	again := prepare(t, dir, Options{})
	if again.Changed() {
		for _, c := range again.Changes {
			if c.Writes() {
				t.Errorf("second upgrade would %s %s", c.Action, c.Path)
			}
		}
	}
	buildAndTest(t, dir)
}

func TestEditsFarFromTheFixAreKept(t *testing.T) {
	dir := t.TempDir()
	genHost(t, dir, tree(t, "v1"), testAnswers(), "v1.0.0")
	// The user raises the lockout threshold, far from Normalize, and
	// reformats a line badly; and edits README.txt away from the change.
	replaceIn(t, dir, pkg+"auth.go", "return 5\n", "return 10\n")
	replaceIn(t, dir, pkg+"auth.go", "\treturn 8\n", "        return 8\n")
	replaceIn(t, dir, pkg+"README.txt", "The auth package.", "The auth package, customised.")
	p := upgrade(t, dir, Options{})
	wantActions(t, p, map[string]Action{pkg + "auth.go": Merge, pkg + "README.txt": Merge})
	got := read(t, dir, pkg+"auth.go")
	for _, want := range []string{"return 10\n", "strings.ToLower(strings.TrimSpace(email))", "\treturn 8\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("merged auth.go lacks %q:\n%s", want, got)
		}
	}
	if got := read(t, dir, pkg+"README.txt"); got != "The auth package, customised.\n\nIt is small.\nVersion two.\n" {
		t.Errorf("README.txt = %q", got)
	}
	// The new manifest records the new render, so the merged (edited)
	// file still counts as edited and the next upgrade merges again.
	m, err := manifest.Parse([]byte(read(t, dir, manifest.Path)))
	if err != nil {
		t.Fatal(err)
	}
	e, _ := m.Lookup(pkg + "auth.go")
	if e.SHA256 != manifest.Hash([]byte(rendered(t, testAnswers(), pkg+"auth.go"))) {
		t.Error("manifest hash of a merged file is not the hash of the new render")
	}
	buildAndTest(t, dir)
}

func TestEditsOnTheSameLinesConflict(t *testing.T) {
	dir := t.TempDir()
	genHost(t, dir, tree(t, "v1"), testAnswers(), "v1.0.0")
	replaceIn(t, dir, pkg+"auth.go", "return strings.ToLower(email)", "return strings.ToUpper(email) // mine")
	p := upgrade(t, dir, Options{})
	wantActions(t, p, map[string]Action{pkg + "auth.go": Conflict})
	if got := p.Conflicts(); len(got) != 1 || got[0] != pkg+"auth.go" {
		t.Fatalf("Conflicts() = %v", got)
	}
	got := read(t, dir, pkg+"auth.go")
	want := "<<<<<<< yours\n\treturn strings.ToUpper(email) // mine\n" +
		"||||||| regstack v1.0.0\n\treturn strings.ToLower(email)\n" +
		"=======\n\treturn strings.ToLower(strings.TrimSpace(email))\n" +
		">>>>>>> regstack v2.0.0\n"
	if !strings.Contains(got, want) {
		t.Fatalf("auth.go lacks the conflict block:\n%s", got)
	}

	// Re-running before the conflict is resolved reports it again and
	// does not nest markers.
	again := upgrade(t, dir, Options{})
	wantActions(t, again, map[string]Action{pkg + "auth.go": Unresolved})
	if read(t, dir, pkg+"auth.go") != got {
		t.Error("a re-run rewrote the conflicted file")
	}

	// The user resolves by keeping both ideas; the next upgrade (same
	// version) is clean and leaves the resolution alone.
	resolved := strings.Replace(got, want, "\treturn strings.ToUpper(strings.TrimSpace(email)) // mine\n", 1)
	write(t, dir, pkg+"auth.go", resolved)
	after := upgrade(t, dir, Options{})
	if len(after.Conflicts()) != 0 || read(t, dir, pkg+"auth.go") != resolved {
		t.Errorf("after resolving: conflicts %v", after.Conflicts())
	}
}

func TestUserDeletedFileStaysDeleted(t *testing.T) {
	dir := t.TempDir()
	genHost(t, dir, tree(t, "v1"), testAnswers(), "v1.0.0")
	for _, p := range []string{pkg + "auth_test.go", pkg + "reset.go"} {
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
			t.Fatal(err)
		}
	}
	p := upgrade(t, dir, Options{})
	wantActions(t, p, map[string]Action{pkg + "auth_test.go": KeepDeleted, pkg + "reset.go": KeepDeleted})
	for _, c := range p.Changes {
		if c.Path == pkg+"auth_test.go" && !strings.Contains(c.Note, "were not applied") {
			t.Errorf("note for a deleted file the generator changed: %q", c.Note)
		}
	}
	if exists(dir, pkg+"auth_test.go") || exists(dir, pkg+"reset.go") {
		t.Error("a deleted file came back")
	}
	// And on the next upgrade too.
	again := upgrade(t, dir, Options{})
	wantActions(t, again, map[string]Action{pkg + "auth_test.go": KeepDeleted})
	if exists(dir, pkg+"auth_test.go") {
		t.Error("a deleted file came back on the second upgrade")
	}
}

func TestFileRemovedByTheGenerator(t *testing.T) {
	dir := t.TempDir()
	genHost(t, dir, tree(t, "v1"), testAnswers(), "v1.0.0")
	replaceIn(t, dir, pkg+"legacy.go", `"sha1"`, `"sha1" // still used by our importer`)
	p := upgrade(t, dir, Options{})
	wantActions(t, p, map[string]Action{pkg + "legacy.go": KeepOrphan, pkg + "legacy.txt": Remove})
	if !exists(dir, pkg+"legacy.go") || exists(dir, pkg+"legacy.txt") {
		t.Error("want the edited legacy.go kept and the untouched legacy.txt removed")
	}
	m, err := manifest.Parse([]byte(read(t, dir, manifest.Path)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Lookup(pkg + "legacy.go"); ok {
		t.Error("a file the generator no longer emits is still in the manifest")
	}
	buildAndTest(t, dir)
}

func TestModes(t *testing.T) {
	dir := t.TempDir()
	genHost(t, dir, tree(t, "v1"), testAnswers(), "v1.0.0")
	replaceIn(t, dir, "regstack.toml", `app_name = "Demo"`, `app_name = "Mine"`)
	replaceIn(t, dir, pkg+"store/sqlite/sqlitedb/models.go", "Email string", "Email string // edited")
	replaceIn(t, dir, pkg+"store/sqlite/migrations/00001_init.sql", "users", "accounts")
	before := read(t, dir, pkg+"store/sqlite/migrations/00001_init.sql")
	p := upgrade(t, dir, Options{})
	wantActions(t, p, map[string]Action{
		"regstack.toml":                                 Keep,
		pkg + "store/sqlite/sqlitedb/models.go":         Regenerate,
		pkg + "store/sqlite/migrations/00001_init.sql":  Skip,
		pkg + "store/sqlite/migrations/00002_names.sql": Add,
	})
	if !strings.Contains(read(t, dir, "regstack.toml"), `"Mine"`) || strings.Contains(read(t, dir, "regstack.toml"), "max_attempts") {
		t.Error("the once file was touched")
	}
	if read(t, dir, pkg+"store/sqlite/sqlitedb/models.go") != rendered(t, testAnswers(), pkg+"store/sqlite/sqlitedb/models.go") {
		t.Error("the managed file was not regenerated")
	}
	if read(t, dir, pkg+"store/sqlite/migrations/00001_init.sql") != before {
		t.Error("an applied migration was edited")
	}
}

func TestRenamedAnswerKeys(t *testing.T) {
	dir := t.TempDir()
	a := testAnswers()
	a.Features.Admin = false
	genHost(t, dir, tree(t, "v1"), a, "v1.0.0")
	// Pretend v1 called the reset question "features.reset" and had no
	// admin question at all: rewrite the saved answers and manifest.
	replaceIn(t, dir, spec.AnswersFile, "password_reset = true", "reset = true")
	replaceIn(t, dir, spec.AnswersFile, "admin = false\n", "")
	var doc map[string]any
	if err := json.Unmarshal([]byte(read(t, dir, manifest.Path)), &doc); err != nil {
		t.Fatal(err)
	}
	feats := doc["answers"].(map[string]any)["features"].(map[string]any)
	feats["reset"] = feats["password_reset"]
	delete(feats, "password_reset")
	delete(feats, "admin")
	b, _ := json.Marshal(doc)
	write(t, dir, manifest.Path, string(b))

	renames := map[string]string{"features.reset": "features.password_reset"}
	p := upgrade(t, dir, Options{Renames: renames})
	if !p.Answers.Features.PasswordReset {
		t.Error("the renamed answer was lost: password reset turned off")
	}
	if p.Answers.Features.Admin {
		t.Error("a feature unknown to the old answers was switched on")
	}
	wantActions(t, p, map[string]Action{pkg + "reset.go": Keep})
	if !exists(dir, pkg+"reset.go") || exists(dir, pkg+"admin.go") {
		t.Error("want reset.go kept and no admin.go")
	}
	if !strings.Contains(read(t, dir, spec.AnswersFile), "password_reset = true") {
		t.Errorf("answers.toml not migrated:\n%s", read(t, dir, spec.AnswersFile))
	}
	found := false
	for _, n := range p.Notes {
		found = found || strings.Contains(n, "features.reset is now called features.password_reset")
	}
	if !found {
		t.Errorf("no note about the renamed key: %v", p.Notes)
	}
	// Without the rename the old key is an error, not silently dropped.
	write(t, dir, spec.AnswersFile, "[features]\nreset = true\n")
	if _, err := Prepare(Options{Root: dir, Tree: tree(t, "v2"), Version: "v2", Renames: map[string]string{}}); err == nil || !strings.Contains(err.Error(), "reset") {
		t.Errorf("unknown old key: err = %v", err)
	}
}

func TestSetAddsAFeature(t *testing.T) {
	dir := t.TempDir()
	a := testAnswers()
	a.Features.Admin, a.Features.PasswordReset = false, false
	genHost(t, dir, tree(t, "v1"), a, "v1.0.0")
	replaceIn(t, dir, pkg+"auth.go", "return 5\n", "return 10\n")
	p := upgrade(t, dir, Options{Set: []string{"features.admin=true", "features.password_reset=true"}})
	wantActions(t, p, map[string]Action{pkg + "admin.go": Add, pkg + "reset.go": Add, pkg + "auth.go": Merge})
	if !p.Answers.Features.Admin || !p.Answers.Features.PasswordReset || !p.AnswersChanged {
		t.Errorf("answers not changed: %+v", p.Answers.Features)
	}
	saved, err := spec.DecodeAnswers([]byte(read(t, dir, spec.AnswersFile)), spec.Answers{})
	if err != nil || !saved.Features.Admin {
		t.Errorf("saved answers: %+v, %v", saved.Features, err)
	}
	buildAndTest(t, dir)

	// Turning a feature off removes its untouched files and keeps edited
	// ones.
	replaceIn(t, dir, pkg+"admin.go", `"/admin"`, `"/staff"`)
	off := upgrade(t, dir, Options{Set: []string{"features.admin=false", "features.password_reset=false"}})
	wantActions(t, off, map[string]Action{pkg + "admin.go": KeepOrphan, pkg + "reset.go": Remove})

	// Every refusal is a SetError (a usage error) that says why: the
	// answers table knows the key, the kind, the validation and whether an
	// upgrade may change it.
	for bad, why := range map[string]string{
		"features.nope=true":     "unknown answer (known: app_name, base_url, backend, features.require_verification",
		"features=true":          "unknown answer",
		"features.admin=maybe":   `"maybe" is not true or false`,
		"package_dir=internal/x": "moving the generated package is not an upgrade",
		"novalue":                "want key=value",
		"module=x.y/z":           "the module path comes from go.mod",
		"backend=oracle":         `backend "oracle": choose one of sqlite, postgres, mongo`,
		"base_url=ftp://x":       "base_url",
	} {
		_, err := Prepare(Options{Root: dir, Tree: tree(t, "v2"), Version: "v2", Set: []string{bad}})
		var setErr *SetError
		if !errors.As(err, &setErr) || !strings.Contains(err.Error(), why) {
			t.Errorf("--set %s: %v, want a SetError containing %q", bad, err, why)
		}
	}
}

func TestMissingSnapshotNeverLosesEdits(t *testing.T) {
	dir := t.TempDir()
	genHost(t, dir, tree(t, "v1"), testAnswers(), "v1.0.0")
	replaceIn(t, dir, pkg+"auth.go", "return 5\n", "return 10\n")
	if err := os.Remove(filepath.Join(dir, filepath.FromSlash(manifest.SnapshotPath))); err != nil {
		t.Fatal(err)
	}
	p := upgrade(t, dir, Options{})
	wantActions(t, p, map[string]Action{pkg + "auth.go": Conflict, pkg + "README.txt": Replace})
	got := read(t, dir, pkg+"auth.go")
	if !strings.Contains(got, "return 10\n") || !strings.Contains(got, "TrimSpace") {
		t.Errorf("auth.go lost a side:\n%s", got)
	}
	if len(p.Notes) == 0 {
		t.Error("no note about the missing snapshot")
	}
}

func TestNotGenerated(t *testing.T) {
	if _, err := Prepare(Options{Root: t.TempDir(), Tree: tree(t, "v2"), Version: "v2"}); err != ErrNotGenerated {
		t.Errorf("err = %v", err)
	}
}

func TestDiff(t *testing.T) {
	dir := t.TempDir()
	genHost(t, dir, tree(t, "v1"), testAnswers(), "v1.0.0")
	p := prepare(t, dir, Options{Set: []string{"features.admin=false"}})
	var buf bytes.Buffer
	if err := p.Diff(&buf); err != nil {
		t.Fatal(err)
	}
	d := buf.String()
	for _, want := range []string{
		"--- a/internal/auth/auth.go\n+++ b/internal/auth/auth.go\n",
		"-\treturn strings.ToLower(email)\n+\treturn strings.ToLower(strings.TrimSpace(email))\n",
		"--- /dev/null\n+++ b/internal/auth/ratelimit.go\n",
		"--- a/internal/auth/admin.go\n+++ /dev/null\n",
		"--- a/.regstack/answers.toml\n",
		"-admin = true\n+admin = false\n",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
	// Prepare and Diff wrote nothing.
	if exists(dir, pkg+"ratelimit.go") || !exists(dir, pkg+"admin.go") {
		t.Error("dry run touched the host")
	}
}

// buildAndTest runs the upgraded host's own tests: the upgrade must leave
// a module that builds and passes them. It needs no network (the miniature
// blueprints import only the standard library).
func buildAndTest(t *testing.T, dir string) {
	t.Helper()
	if testing.Short() {
		return
	}
	for _, args := range [][]string{{"build", "./..."}, {"vet", "./..."}, {"test", "-count=1", "./..."}} {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in the upgraded host: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestStarterGoLineIsTheHosts: a new starter go line alone (v2 with go
// 1.25.0 where v1 wrote 1.26.0) reaches neither a go.mod that tidy filled
// with requirements (no conflict) nor an untouched one (not lowered):
// regstack gen picks the pins by the host's go line, and go get raises it.
func TestStarterGoLineIsTheHosts(t *testing.T) {
	src := filepath.Join(t.TempDir(), "v2")
	if err := os.CopyFS(src, os.DirFS(filepath.Join("..", "..", "testdata", "upgrade", "v2"))); err != nil {
		t.Fatal(err)
	}
	gomodTmpl := filepath.Join(src, "_common", "starter", "go.mod.tmpl")
	b, err := os.ReadFile(gomodTmpl)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("\ngo 1.26.0\n")) {
		t.Fatalf("%s: no go 1.26.0 line to change:\n%s", gomodTmpl, b)
	}
	if err := os.WriteFile(gomodTmpl, bytes.Replace(b, []byte("\ngo 1.26.0\n"), []byte("\ngo 1.25.0\n"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	v2, err := generate.LoadBlueprints(os.DirFS(src))
	if err != nil {
		t.Fatal(err)
	}
	for name, tidied := range map[string]string{
		"tidied":    "\nrequire example.com/dep v1.0.0\n",
		"untouched": "",
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			genHost(t, dir, tree(t, "v1"), testAnswers(), "v1.0.0")
			gomod := read(t, dir, "go.mod") + tidied
			write(t, dir, "go.mod", gomod)
			p := upgrade(t, dir, Options{Tree: v2})
			if a := actions(p)["go.mod"]; a != Keep {
				t.Errorf("go.mod: %s, want %s", a, Keep)
			}
			if got := read(t, dir, "go.mod"); got != gomod {
				t.Errorf("go.mod after the upgrade:\n%s\nwant it unchanged:\n%s", got, gomod)
			}
		})
	}
}
