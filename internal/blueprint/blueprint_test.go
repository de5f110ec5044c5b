package blueprint

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/regstack/regstack/blueprints"
	"github.com/regstack/regstack/internal/spec"
)

// testConditions is the vocabulary the test catalogs use.
var testConditions = []string{"starter", "password_reset", "backend:sqlite"}

const testCatalog = `
[deps]
"" = ["golang.org/x/crypto@v0.59.0", "github.com/BurntSushi/toml@v1.6.0"]
"backend:sqlite" = ["modernc.org/sqlite@v1.62.0"]
"password_reset" = ["golang.org/x/crypto@v0.59.0"]

[[rule]]
match = "pkg/reset*"
when = ["password_reset"]

[[rule]]
match = "pkg/migrations/**"
mode = "append"

[[rule]]
match = "pkg/migrations/0002_*"
when = ["backend:sqlite"]

[[rule]]
match = "host/regstack.toml.tmpl"
mode = "once"
`

func testTree() fstest.MapFS {
	return fstest.MapFS{
		"catalog.toml":                         {Data: []byte(testCatalog)},
		"_common/pkg/auth.go":                  {Data: []byte("package auth\n")},
		"_common/pkg/reset.go":                 {Data: []byte("package auth\n")},
		"_common/host/regstack.toml.tmpl":      {Data: []byte("app_name = {{% quote .AppName %}}\n")},
		"_sqlite/pkg/migrations/0001_init.sql": {Data: []byte("--\n")},
		"_sqlite/pkg/migrations/0002_more.sql": {Data: []byte("--\n")},
	}
}

func TestEntries(t *testing.T) {
	tree, err := Load(testTree(), testConditions)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tree.Entries("common", "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{ID: "common/host/regstack.toml.tmpl", Layer: "common", Source: "_common/host/regstack.toml.tmpl", Path: "host/regstack.toml.tmpl", Mode: Once},
		{ID: "common/pkg/auth.go", Layer: "common", Source: "_common/pkg/auth.go", Path: "pkg/auth.go", Mode: Owned},
		{ID: "common/pkg/reset.go", Layer: "common", Source: "_common/pkg/reset.go", Path: "pkg/reset.go", When: []string{"password_reset"}, Mode: Owned},
		{ID: "sqlite/pkg/migrations/0001_init.sql", Layer: "sqlite", Source: "_sqlite/pkg/migrations/0001_init.sql", Path: "pkg/migrations/0001_init.sql", Mode: Append},
		{ID: "sqlite/pkg/migrations/0002_more.sql", Layer: "sqlite", Source: "_sqlite/pkg/migrations/0002_more.sql", Path: "pkg/migrations/0002_more.sql", When: []string{"backend:sqlite"}, Mode: Append},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Entries (-want +got):\n%s", diff)
	}
}

func TestEntriesUnknownLayer(t *testing.T) {
	tree, err := Load(testTree(), testConditions)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.Entries("common", "postgres"); err == nil || !strings.Contains(err.Error(), "postgres") {
		t.Errorf("Entries(postgres) error = %v, want one naming the layer", err)
	}
}

func TestDepsFor(t *testing.T) {
	tree, err := Load(testTree(), testConditions)
	if err != nil {
		t.Fatal(err)
	}
	has := func(conds ...string) func(string) (bool, error) {
		return func(c string) (bool, error) {
			for _, h := range conds {
				if h == c {
					return true, nil
				}
			}
			return false, nil
		}
	}
	got, err := tree.Catalog.DepsFor(has("backend:sqlite", "password_reset"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"github.com/BurntSushi/toml@v1.6.0", "golang.org/x/crypto@v0.59.0", "modernc.org/sqlite@v1.62.0"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DepsFor (-want +got):\n%s", diff)
	}
	got, err = tree.Catalog.DepsFor(has())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[:2], got); diff != "" {
		t.Errorf("DepsFor without conditions (-want +got):\n%s", diff)
	}
	boom := errors.New("unknown condition")
	if _, err := tree.Catalog.DepsFor(func(string) (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Errorf("DepsFor with a failing condition = %v, want %v", err, boom)
	}
}

// TestDepsForGo: the pins of a go-line key replace those of the same
// module for hosts on that Go or older, only for modules a holding
// condition selected; the lowest applicable go line wins.
func TestDepsForGo(t *testing.T) {
	fsys := testTree()
	fsys["catalog.toml"] = &fstest.MapFile{Data: []byte(`
[deps]
"" = ["golang.org/x/crypto@v0.59.0", "github.com/BurntSushi/toml@v1.6.0"]
"backend:sqlite" = ["modernc.org/sqlite@v1.62.0"]
"go1.25" = ["golang.org/x/crypto@v0.55.0", "modernc.org/sqlite@v1.59.0"]
"go1.24" = ["golang.org/x/crypto@v0.40.0"]
`)}
	tree, err := Load(fsys, testConditions)
	if err != nil {
		t.Fatal(err)
	}
	sqlite := func(c string) (bool, error) { return c == "backend:sqlite", nil }
	none := func(string) (bool, error) { return false, nil }
	tests := []struct {
		goLine string
		has    func(string) (bool, error)
		want   []string
	}{
		{"", sqlite, []string{"github.com/BurntSushi/toml@v1.6.0", "golang.org/x/crypto@v0.59.0", "modernc.org/sqlite@v1.62.0"}},
		{"1.26.0", sqlite, []string{"github.com/BurntSushi/toml@v1.6.0", "golang.org/x/crypto@v0.59.0", "modernc.org/sqlite@v1.62.0"}},
		{"1.27", sqlite, []string{"github.com/BurntSushi/toml@v1.6.0", "golang.org/x/crypto@v0.59.0", "modernc.org/sqlite@v1.62.0"}},
		{"1.25.0", sqlite, []string{"github.com/BurntSushi/toml@v1.6.0", "golang.org/x/crypto@v0.55.0", "modernc.org/sqlite@v1.59.0"}},
		{"1.25.7", none, []string{"github.com/BurntSushi/toml@v1.6.0", "golang.org/x/crypto@v0.55.0"}},
		{"1.25rc1", none, []string{"github.com/BurntSushi/toml@v1.6.0", "golang.org/x/crypto@v0.55.0"}},
		{"1.24", sqlite, []string{"github.com/BurntSushi/toml@v1.6.0", "golang.org/x/crypto@v0.40.0", "modernc.org/sqlite@v1.59.0"}},
	}
	for _, tt := range tests {
		got, err := tree.Catalog.DepsForGo(tt.has, tt.goLine)
		if err != nil {
			t.Errorf("DepsForGo(%q): %v", tt.goLine, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("DepsForGo(%q) (-want +got):\n%s", tt.goLine, diff)
		}
	}
	if _, err := tree.Catalog.DepsForGo(none, "banana"); err == nil {
		t.Error("DepsForGo with a go line that is no Go version = nil error")
	}
	// DepsFor ignores the go-line keys: the newest pins.
	got, err := tree.Catalog.DepsFor(sqlite)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tests[0].want, got); diff != "" {
		t.Errorf("DepsFor (-want +got):\n%s", diff)
	}
}

func TestLoadRejects(t *testing.T) {
	tests := map[string]string{
		"unknown key":              "colour = 1\n",
		"bad mode":                 "[[rule]]\nmatch = \"pkg/*\"\nmode = \"sometimes\"\n",
		"bad pattern":              "[[rule]]\nmatch = \"pkg/[\"\n",
		"dep without pin":          "[deps]\n\"\" = [\"modernc.org/sqlite\"]\n",
		"go line replaces nothing": "[deps]\n\"\" = [\"golang.org/x/text@v0.44.0\"]\n\"go1.25\" = [\"golang.org/x/txt@v0.41.0\"]\n",
		"go line without pin":      "[deps]\n\"\" = [\"golang.org/x/text@v0.44.0\"]\n\"go1.25\" = [\"golang.org/x/text\"]\n",
		"syntax":                   "[deps\n",
	}
	for name, cat := range tests {
		t.Run(name, func(t *testing.T) {
			fsys := testTree()
			fsys["catalog.toml"] = &fstest.MapFile{Data: []byte(cat)}
			if _, err := Load(fsys, testConditions); err == nil {
				t.Errorf("Load(%q) = nil error", cat)
			}
		})
	}
	if _, err := Load(fstest.MapFS{}, testConditions); err == nil {
		t.Error("Load without catalog.toml = nil error")
	}
}

// TestLoadRejectsUnknownConditions: a condition outside the vocabulary
// fails at load, naming the rule or deps key, so a typo never waits for the
// one spec that reaches it.
func TestLoadRejectsUnknownConditions(t *testing.T) {
	tests := map[string]string{
		"[[rule]]\nmatch = \"pkg/x*\"\nwhen = [\"password_reset\"]\n[[rule]]\nmatch = \"pkg/sso*\"\nwhen = [\"sso\"]\n": `rule 2 (match "pkg/sso*"): unknown condition "sso"`,
		"[[rule]]\nmatch = \"pkg/x*\"\nwhen = [\"!passwordreset\"]\n":                                                   `rule 1 (match "pkg/x*"): unknown condition "!passwordreset"`,
		"[[rule]]\nmatch = \"pkg/x*\"\nwhen = [\"backend:oracle\"]\n":                                                   `unknown condition "backend:oracle"`,
		"[deps]\n\"sso\" = [\"example.com/sso@v1.0.0\"]\n":                                                              `deps "sso": unknown condition "sso"`,
		"[[rule]]\nmatch = \"pkg/x*\"\nwhen = [\"password_reset|sso\"]\n":                                               `rule 1 (match "pkg/x*"): unknown condition "sso"`,
	}
	for cat, want := range tests {
		fsys := testTree()
		fsys["catalog.toml"] = &fstest.MapFile{Data: []byte(cat)}
		_, err := Load(fsys, testConditions)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "known: starter, password_reset, backend:sqlite") {
			t.Errorf("Load(%q) = %v, want an error containing %q and the vocabulary", cat, err, want)
		}
	}
	fsys := testTree()
	fsys["catalog.toml"] = &fstest.MapFile{Data: []byte("[[rule]]\nmatch = \"pkg/x*\"\nwhen = [\"!starter\", \"!backend:sqlite\"]\n")}
	if _, err := Load(fsys, testConditions); err != nil {
		t.Errorf("negated known conditions: %v", err)
	}
}

// TestEmbeddedCatalog loads the real blueprint tree: every rule must parse,
// every layer must be listable, and every dependency must carry a pin.
func TestEmbeddedCatalog(t *testing.T) {
	tree, err := Load(blueprints.FS, spec.Conditions())
	if err != nil {
		t.Fatal(err)
	}
	entries, err := tree.Entries("common", "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("the embedded tree has no entries")
	}
	if _, ok := tree.Catalog.Deps[""]; !ok {
		t.Error(`catalog.toml has no unconditional deps ("" key)`)
	}
}
