package generate

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/regstack/regstack/internal/manifest"
	"github.com/regstack/regstack/internal/spec"
)

func miniTree(extra fstest.MapFS) fstest.MapFS {
	fsys := fstest.MapFS{
		"catalog.toml":                    {Data: []byte("[[rule]]\nmatch = \"pkg/admin*\"\nwhen = [\"admin\"]\n")},
		"_common/pkg/auth.txt":            {Data: []byte("auth\n")},
		"_common/pkg/admin.txt":           {Data: []byte("admin\n")},
		"_common/host/regstack.toml.tmpl": {Data: []byte("app_name = {{% quote .AppName %}}\n")},
		"_sqlite/pkg/store.txt":           {Data: []byte("sqlite\n")},
	}
	for k, v := range extra {
		fsys[k] = v
	}
	return fsys
}

func mustSpec(t *testing.T) *spec.Spec {
	t.Helper()
	s, err := spec.New(spec.Defaults(), true, "v9.9.9")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGenerate: the rendered files sorted by path, then the provenance in
// write order, manifest last; the same inputs give the same bytes.
func TestGenerate(t *testing.T) {
	tree, err := LoadBlueprints(miniTree(nil))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Generate(mustSpec(t), tree)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
		if f.Provenance != strings.HasPrefix(f.Path, ".regstack/") {
			t.Errorf("%s: Provenance = %v", f.Path, f.Provenance)
		}
	}
	want := "internal/auth/admin.txt internal/auth/auth.txt internal/auth/store.txt regstack.toml " +
		spec.AnswersFile + " " + manifest.SnapshotPath + " " + manifest.Path
	if got := strings.Join(paths, " "); got != want {
		t.Errorf("paths\n got %s\nwant %s", got, want)
	}
	if len(Rendered(files)) != 4 || len(Provenance(files)) != 3 {
		t.Errorf("Rendered %d, Provenance %d", len(Rendered(files)), len(Provenance(files)))
	}
	m, err := manifest.Parse(Provenance(files)[manifest.Path])
	if err != nil || m.Generator != "v9.9.9" || len(m.Files) != 4 {
		t.Errorf("manifest: %+v, %v", m, err)
	}
	again, err := Generate(mustSpec(t), tree)
	if err != nil {
		t.Fatal(err)
	}
	for i := range files {
		if !bytes.Equal(files[i].Data, again[i].Data) {
			t.Errorf("%s differs between two runs", files[i].Path)
		}
	}
}

// TestGenerateRefusesRegstacksOwnFiles: no blueprint may write the
// provenance or the secrets.
func TestGenerateRefusesRegstacksOwnFiles(t *testing.T) {
	for _, p := range []string{"_common/host/.regstack/answers.toml", "_common/host/" + SecretsFile} {
		tree, err := LoadBlueprints(miniTree(fstest.MapFS{p: {Data: []byte("x")}}))
		if err != nil {
			t.Fatal(err)
		}
		if files, err := Generate(mustSpec(t), tree); err == nil || !strings.Contains(err.Error(), "regstack itself owns") {
			t.Errorf("%s: %d files, %v", p, len(files), err)
		}
	}
}

// TestLoadBlueprintsChecksTheVocabulary: a condition the answers table does
// not drive fails at load.
func TestLoadBlueprintsChecksTheVocabulary(t *testing.T) {
	_, err := LoadBlueprints(miniTree(fstest.MapFS{"catalog.toml": {Data: []byte("[[rule]]\nmatch = \"pkg/sso*\"\nwhen = [\"sso\"]\n")}}))
	if err == nil || !strings.Contains(err.Error(), `rule 1 (match "pkg/sso*"): unknown condition "sso"`) {
		t.Errorf("LoadBlueprints = %v", err)
	}
}
