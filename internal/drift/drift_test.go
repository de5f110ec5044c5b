package drift

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/manifest"
	"github.com/regstack/regstack/internal/render"
	"github.com/regstack/regstack/internal/spec"
)

func file(path, mode, data string) render.File {
	return render.File{Path: path, Template: "common/pkg/" + path, Mode: blueprint.Mode(mode), Data: []byte(data)}
}

func TestCheck(t *testing.T) {
	generated := []render.File{
		file("a.go", "owned", "a"),
		file("b.go", "owned", "b"),
		file("gone.go", "owned", "g"),
		file("db.go", "managed", "d"),
		file("regstack.toml", "once", "t"),
		file("old.go", "owned", "o"),
		file("go.mod", "owned", "module x"),
	}
	root := t.TempDir()
	for _, f := range generated {
		if err := os.WriteFile(filepath.Join(root, f.Path), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := manifest.New("v1", spec.Defaults(), generated)
	// The host edits a.go, db.go and its config, and deletes gone.go.
	for name, data := range map[string]string{"a.go": "a!", "db.go": "d!", "regstack.toml": "mine", "go.mod": "module x\n\nrequire y v1\n"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(root, "gone.go")); err != nil {
		t.Fatal(err)
	}
	// The new generator changes b.go, adds new.go, drops old.go.
	current := []render.File{
		file("a.go", "owned", "a"),
		file("b.go", "owned", "b2"),
		file("gone.go", "owned", "g"),
		file("db.go", "managed", "d"),
		file("regstack.toml", "once", "t2"),
		file("new.go", "owned", "n"),
	}
	got, err := Check(root, m, current)
	if err != nil {
		t.Fatal(err)
	}
	want := Report{
		Checked:         5,
		Modified:        []string{"a.go", "db.go"},
		Missing:         []string{"gone.go"},
		ManagedModified: []string{"db.go"},
		Newer:           []string{"b.go"},
		Added:           []string{"new.go"},
		Dropped:         []string{"old.go"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}
