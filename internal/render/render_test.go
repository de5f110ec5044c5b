package render

import (
	"bytes"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/regstack/regstack/blueprints"
	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/spec"
)

const header = "// This file is part of your application: regstack wrote it, you own it.\n" +
	"// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.\n\n"

func testFS() fstest.MapFS {
	return fstest.MapFS{
		"catalog.toml": {Data: []byte(`
[[rule]]
match = "pkg/reset*"
when = ["password_reset"]

[[rule]]
match = "host/regstack.toml.tmpl"
mode = "once"
`)},
		"_common/pkg/auth.go": {Data: []byte(header + `// Package auth is the account system.
package auth

import "regstack.example/app/internal/auth/store"

// New returns a store.
func New() store.Store { return store.Store{} }
`)},
		"_common/pkg/reset.go": {Data: []byte(header + "package auth\n\nfunc reset() {}\n")},
		"_common/pkg/auth_test.go": {Data: []byte(header + `package auth_test

import (
	"testing"

	"regstack.example/app/internal/auth"
)

func TestNew(t *testing.T) { _ = auth.New() }
`)},
		"_common/pkg/store/store.go": {Data: []byte(header + "package store\n\ntype Store struct{}\n")},
		"_common/pkg/authtest/server.go": {Data: []byte(header + `package authtest

import "regstack.example/app/internal/auth"

func Server() {
	_ = auth.New()
	auth := struct{ New int }{}
	_ = auth.New
}
`)},
		"_common/starter/main.go.tmpl": {Data: []byte(header + `package main

import (
	"fmt"

	"regstack.example/app/internal/auth"
)

func main() {
	fmt.Println({{% quote .AppName %}}, auth.New())
}
`)},
		"_common/host/regstack.toml.tmpl":     {Data: []byte("app_name = {{% quote .AppName %}}\nbase_url = \"{{% .BaseURL %}}\"\n{{% if .Features.RequireVerification %}}require_verification = true\n{{% end %}}")},
		"_sqlite/pkg/store/sqlite/schema.sql": {Data: []byte("CREATE TABLE users (id TEXT);\n")},
	}
}

func mustSpec(t testing.TB, change func(*spec.Answers), starter bool) *spec.Spec {
	t.Helper()
	a := spec.Defaults()
	if change != nil {
		change(&a)
	}
	s, err := spec.New(a, starter, "v0.0.0-test")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func renderTest(t *testing.T, fsys fstest.MapFS, s *spec.Spec) map[string]File {
	t.Helper()
	tree, err := blueprint.Load(fsys, spec.Conditions())
	if err != nil {
		t.Fatal(err)
	}
	files, err := Render(s, tree)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]File{}
	for _, f := range files {
		out[f.Path] = f
	}
	return out
}

func TestRenderDestinationsAndConditions(t *testing.T) {
	files := renderTest(t, testFS(), mustSpec(t, nil, true))
	want := []string{
		"go.mod", "internal/auth/auth.go", "internal/auth/auth_test.go", "internal/auth/authtest/server.go",
		"internal/auth/reset.go", "internal/auth/store/sqlite/schema.sql", "internal/auth/store/store.go",
		"main.go", "regstack.toml",
	}
	delete(files, "go.mod") // the test tree has no starter go.mod
	want = want[1:]
	if len(files) != len(want) {
		t.Errorf("rendered %d files, want %d: %v", len(files), len(want), keys(files))
	}
	for _, p := range want {
		if _, ok := files[p]; !ok {
			t.Errorf("missing %s (have %v)", p, keys(files))
		}
	}
	if f := files["regstack.toml"]; f.Mode != blueprint.Once || f.Template != "common/host/regstack.toml.tmpl" {
		t.Errorf("regstack.toml: mode %q template %q", f.Mode, f.Template)
	}
	if got := string(files["regstack.toml"].Data); got != "app_name = \"Demo\"\nbase_url = \"http://127.0.0.1:8000\"\nrequire_verification = true\n" {
		t.Errorf("regstack.toml = %q", got)
	}

	noStarter := renderTest(t, testFS(), mustSpec(t, func(a *spec.Answers) {
		a.Features.PasswordReset = false
		a.Features.RequireVerification = false
	}, false))
	for _, p := range []string{"main.go", "internal/auth/reset.go"} {
		if _, ok := noStarter[p]; ok {
			t.Errorf("%s rendered although its condition does not hold", p)
		}
	}
	if strings.Contains(string(noStarter["regstack.toml"].Data), "require_verification") {
		t.Error("template condition on .Features.RequireVerification ignored")
	}
}

func TestRenderRewritesImports(t *testing.T) {
	files := renderTest(t, testFS(), mustSpec(t, func(a *spec.Answers) { a.Module = "github.com/acme/shop" }, true))
	for p, f := range files {
		if bytes.Contains(f.Data, []byte("regstack.example")) {
			t.Errorf("%s still mentions the placeholder module:\n%s", p, f.Data)
		}
	}
	if !bytes.Contains(files["main.go"].Data, []byte(`"github.com/acme/shop/internal/auth"`)) {
		t.Errorf("main.go does not import the host package:\n%s", files["main.go"].Data)
	}
}

func TestRenderPackageRename(t *testing.T) {
	s := mustSpec(t, func(a *spec.Answers) {
		a.Module = "github.com/acme/shop"
		a.PackageDir = "internal/accounts"
	}, true)
	files := renderTest(t, testFS(), s)
	checks := map[string][]string{
		"internal/accounts/auth.go":            {"package accounts\n", `"github.com/acme/shop/internal/accounts/store"`},
		"internal/accounts/reset.go":           {"package accounts\n"},
		"internal/accounts/auth_test.go":       {"package accounts_test\n", `"github.com/acme/shop/internal/accounts"`, "accounts.New()"},
		"internal/accounts/store/store.go":     {"package store\n"},
		"internal/accounts/authtest/server.go": {"package authtest\n", "_ = accounts.New()", "auth := struct", "_ = auth.New\n"},
		"main.go":                              {"package main\n", "accounts.New()"},
	}
	for p, wants := range checks {
		f, ok := files[p]
		if !ok {
			t.Errorf("missing %s (have %v)", p, keys(files))
			continue
		}
		for _, w := range wants {
			if !bytes.Contains(f.Data, []byte(w)) {
				t.Errorf("%s lacks %q:\n%s", p, w, f.Data)
			}
		}
		if !bytes.HasPrefix(f.Data, []byte(header)) {
			t.Errorf("%s lost the owned-file header:\n%s", p, f.Data)
		}
	}
	if bytes.Contains(files["main.go"].Data, []byte("auth.New")) {
		t.Errorf("main.go still calls auth.New:\n%s", files["main.go"].Data)
	}
}

func TestRenderErrors(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"bad go":         {"_common/pkg/x.go": {Data: []byte("package auth\nfunc {\n")}},
		"missing field":  {"_common/pkg/x.txt.tmpl": {Data: []byte("{{% .NoSuchField %}}")}},
		"bad template":   {"_common/pkg/x.txt.tmpl": {Data: []byte("{{% if %}}")}},
		"duplicate path": {"_common/pkg/x.txt": {Data: []byte("a")}, "_common/pkg/x.txt.tmpl": {Data: []byte("b")}},
		"bad condition":  {"_common/pkg/x.txt": {Data: []byte("a")}, "catalog.toml": {Data: []byte("[[rule]]\nmatch = \"pkg/x.txt\"\nwhen = [\"sso\"]\n")}},
	}
	for name, fsys := range tests {
		t.Run(name, func(t *testing.T) {
			if _, ok := fsys["catalog.toml"]; !ok {
				fsys["catalog.toml"] = &fstest.MapFile{Data: []byte("")}
			}
			fsys["_sqlite/pkg/ok.txt"] = &fstest.MapFile{Data: []byte("ok")}
			// "sso" passes the load (which would refuse it) so that Render
			// meets a condition the spec cannot decide.
			tree, err := blueprint.Load(fsys, append(spec.Conditions(), "sso"))
			if err != nil {
				t.Fatal(err)
			}
			files, err := Render(mustSpec(t, nil, true), tree)
			if err == nil {
				t.Fatalf("Render = %d files, nil error", len(files))
			}
			if files != nil {
				t.Errorf("Render returned files along with error %v", err)
			}
		})
	}
}

// TestRenderEmbeddedDeterministic renders the real blueprints twice per
// scenario and requires identical bytes, gofmt'd Go, no leftover
// placeholders and the owned-file rules.
func TestRenderEmbeddedDeterministic(t *testing.T) {
	tree, err := blueprint.Load(blueprints.FS, spec.Conditions())
	if err != nil {
		t.Fatal(err)
	}
	forbidden := regexp.MustCompile(`(?i)code generated|do not edit`)
	scenarios := map[string]*spec.Spec{
		"defaults": mustSpec(t, nil, true),
		"minimal": mustSpec(t, func(a *spec.Answers) {
			a.Features = spec.Features{}
		}, false),
		"accounts": mustSpec(t, func(a *spec.Answers) {
			a.Module = "github.com/acme/shop"
			a.PackageDir = "internal/accounts"
		}, true),
	}
	for name, s := range scenarios {
		t.Run(name, func(t *testing.T) {
			first, err := Render(s, tree)
			if err != nil {
				t.Fatal(err)
			}
			second, err := Render(s, tree)
			if err != nil {
				t.Fatal(err)
			}
			if len(first) != len(second) {
				t.Fatalf("rendered %d then %d files", len(first), len(second))
			}
			for i := range first {
				if first[i].Path != second[i].Path || !bytes.Equal(first[i].Data, second[i].Data) {
					t.Errorf("%s: second render differs", first[i].Path)
				}
				if i > 0 && first[i-1].Path >= first[i].Path {
					t.Errorf("files not sorted: %s before %s", first[i-1].Path, first[i].Path)
				}
				f := first[i]
				if bytes.Contains(f.Data, []byte("regstack.example/app")) {
					t.Errorf("%s mentions the placeholder module", f.Path)
				}
				if strings.HasSuffix(f.Path, ".go") && f.Mode != blueprint.Managed {
					if !bytes.HasPrefix(f.Data, []byte(header)) {
						t.Errorf("%s (owned) does not start with the owned-file header", f.Path)
					}
					if forbidden.Match(f.Data) {
						t.Errorf("%s (owned) contains %q; linters would skip it", f.Path, forbidden.Find(f.Data))
					}
				}
			}
		})
	}
}

func keys(m map[string]File) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A .emit blueprint names a Go emitter; its output takes the place of the
// file, under the catalog's conditions and modes, through gofmt and the
// placeholder rewrite like any blueprint.
func TestEmitters(t *testing.T) {
	fsys := testFS()
	fsys["catalog.toml"] = &fstest.MapFile{Data: append(fsys["catalog.toml"].Data, []byte(`
[[rule]]
match = "host/regstack.toml.emit"
mode = "once"
`)...)}
	delete(fsys, "_common/host/regstack.toml.tmpl")
	fsys["_common/host/regstack.toml.emit"] = &fstest.MapFile{Data: []byte("emitter = \"regstack.toml\"\n")}
	fsys["_common/pkg/config/config.go.emit"] = &fstest.MapFile{Data: []byte("# The Config struct.\nemitter = \"config.go\"\n")}
	fsys["_common/pkg/config/fields.go.emit"] = &fstest.MapFile{Data: []byte("emitter = \"fields.go\"\n")}

	for _, admin := range []bool{true, false} {
		files := renderTest(t, fsys, mustSpec(t, func(a *spec.Answers) {
			a.Features.Admin = admin
			a.PackageDir = "internal/accounts"
		}, true))
		cfg, ok := files["internal/accounts/config/config.go"]
		if !ok || cfg.Template != "common/pkg/config/config.go.emit" || cfg.Mode != blueprint.Owned || !bytes.HasPrefix(cfg.Data, []byte(header)) {
			t.Fatalf("config.go: %+v", cfg)
		}
		if _, ok := files["internal/accounts/config/fields.go"]; !ok {
			t.Error("fields.go not emitted")
		}
		toml := files["regstack.toml"]
		if toml.Mode != blueprint.Once || !strings.Contains(string(toml.Data), "app_name = \"Demo\"") {
			t.Errorf("regstack.toml: mode %q\n%s", toml.Mode, toml.Data)
		}
		for _, f := range []File{cfg, files["internal/accounts/config/fields.go"], toml} {
			has := strings.Contains(string(f.Data), "EnableAdminRouter") || strings.Contains(string(f.Data), "enable_admin_router")
			if has != admin {
				t.Errorf("admin=%v: %s mentions enable_admin_router: %v", admin, f.Path, has)
			}
		}
	}

	for marker, want := range map[string]string{
		"emitter = \"nope.go\"\n":              `unknown emitter "nope.go"`,
		"emitter = \"config.go\"\nextra = 1\n": "unknown keys",
	} {
		fsys["_common/pkg/config/config.go.emit"] = &fstest.MapFile{Data: []byte(marker)}
		tree, err := blueprint.Load(fsys, spec.Conditions())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Render(mustSpec(t, nil, true), tree); err == nil || !strings.Contains(err.Error(), want) ||
			!strings.Contains(err.Error(), "common/pkg/config/config.go.emit") {
			t.Errorf("marker %q: err %v, want one naming the blueprint and %q", marker, err, want)
		}
	}
}

// Every emitter the embedded tree names exists and its output renders.
func TestEmbeddedEmitters(t *testing.T) {
	tree, err := blueprint.Load(blueprints.FS, spec.Conditions())
	if err != nil {
		t.Fatal(err)
	}
	files, err := Render(mustSpec(t, nil, true), tree)
	if err != nil {
		t.Fatal(err)
	}
	emitted := 0
	for _, f := range files {
		if strings.HasSuffix(f.Template, emitSuffix) {
			emitted++
		}
	}
	if emitted != 3 {
		t.Errorf("%d emitted files, want config.go, fields.go and regstack.toml", emitted)
	}
}

// Options.GofmtedGo lets a plain .go blueprint skip gofmt when its package
// keeps its name, on the grounds that the blueprint is gofmt'd and that
// rewriting its placeholder import paths leaves it so. A path could only
// change the layout where gofmt aligns text after it (a trailing comment in
// a block), so check every such blueprint of the embedded tree with module
// paths shorter and longer than the placeholder: the skipped gofmt must be
// a no-op.
func TestGofmtedGoSkipsOnlyNoOps(t *testing.T) {
	tree, err := blueprint.Load(blueprints.FS, spec.Conditions())
	if err != nil {
		t.Fatal(err)
	}
	specs := []*spec.Spec{
		mustSpec(t, func(a *spec.Answers) { a.Module = "m" }, true),
		mustSpec(t, nil, true),
		mustSpec(t, func(a *spec.Answers) {
			a.Module = "github.com/an-organisation-with-a-long-name/and-a-long-repository-name/v2"
			a.PackageDir = "internal/platform/identity/auth"
		}, false),
	}
	checked := 0
	for _, backend := range spec.Backends() {
		entries, err := tree.Entries("common", backend)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Path, ".go") {
				continue
			}
			src, err := fs.ReadFile(tree.FS, e.Source)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range specs {
				if s.PackageName != placeholderName {
					t.Fatalf("%s: package %s; this test needs specs that keep the placeholder's name", s.Module, s.PackageName)
				}
				kept, err := renderGo(s, src, true)
				if err != nil {
					t.Fatal(err)
				}
				formatted, err := renderGo(s, src, false)
				if err != nil {
					t.Fatalf("%s: %v", e.ID, err)
				}
				if !bytes.Equal(kept, formatted) {
					t.Errorf("%s with module %s: gofmt changes the file; run gofmt on the blueprint", e.ID, s.Module)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no plain .go blueprints found")
	}
}

// Rendering with GofmtedGo gives the same bytes as without, for whole
// hosts of every backend.
func TestGofmtedGoSameOutput(t *testing.T) {
	tree, err := blueprint.Load(blueprints.FS, spec.Conditions())
	if err != nil {
		t.Fatal(err)
	}
	for _, backend := range spec.Backends() {
		s := mustSpec(t, func(a *spec.Answers) { a.Backend = backend }, true)
		want, err := Render(s, tree)
		if err != nil {
			t.Fatal(err)
		}
		got, err := RenderWith(s, tree, Options{GofmtedGo: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d files with GofmtedGo, %d without", backend, len(got), len(want))
		}
		for i := range want {
			if got[i].Path != want[i].Path || !bytes.Equal(got[i].Data, want[i].Data) {
				t.Errorf("%s: %s differs with GofmtedGo", backend, want[i].Path)
			}
		}
	}
}
