package manifest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/render"
	"github.com/regstack/regstack/internal/spec"
)

func sampleFiles() []render.File {
	return []render.File{
		{Path: "regstack.toml", Template: "common/host/regstack.toml.tmpl", Mode: blueprint.Once, Data: []byte("app_name = \"Demo\"\n"), Perm: 0o644},
		{Path: "internal/auth/auth.go", Template: "common/pkg/auth.go", Mode: blueprint.Owned, Data: []byte("package auth\n"), Perm: 0o644},
		{Path: "internal/auth/store/sqlite/migrations/00001_init.sql", Template: "sqlite/pkg/store/sqlite/migrations/00001_init.sql", Mode: blueprint.Append, Data: []byte("-- +goose Up\n"), Perm: 0o644},
	}
}

func TestManifestSortedHashedDeterministic(t *testing.T) {
	files := sampleFiles()
	m := New("v1.2.3", spec.Defaults(), files)
	a, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// Reordering the input must not change the output.
	rev := []render.File{files[2], files[0], files[1]}
	b, err := New("v1.2.3", spec.Defaults(), rev).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("manifest depends on input order:\n%s\n%s", a, b)
	}

	var raw map[string]any
	if err := json.Unmarshal(a, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"format", "generator", "answers", "files"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("manifest lacks %q:\n%s", k, a)
		}
	}
	if raw["format"] != float64(1) {
		t.Errorf("format = %v", raw["format"])
	}
	if strings.Contains(string(a), "time") {
		t.Errorf("manifest mentions a time:\n%s", a)
	}
	paths := []string{}
	for _, f := range m.Files {
		paths = append(paths, f.Path)
	}
	want := []string{"internal/auth/auth.go", "internal/auth/store/sqlite/migrations/00001_init.sql", "regstack.toml"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
	sum := sha256.Sum256([]byte("package auth\n"))
	f, ok := m.Lookup("internal/auth/auth.go")
	if !ok || f.SHA256 != hex.EncodeToString(sum[:]) || f.Mode != "owned" || f.Template != "common/pkg/auth.go" {
		t.Errorf("Lookup(auth.go) = %+v, %v", f, ok)
	}
	if _, ok := m.Lookup("regstack.secrets.env"); ok {
		t.Error("Lookup found a file that was never rendered")
	}
}

func TestParseRoundTripAndFormat(t *testing.T) {
	m := New("v1.2.3", spec.Defaults(), sampleFiles())
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	future := bytes.Replace(data, []byte(`"format": 1`), []byte(`"format": 2`), 1)
	if _, err := Parse(future); err == nil || !strings.Contains(err.Error(), "format 2") {
		t.Errorf("Parse(format 2) = %v, want a format error", err)
	}
	if _, err := Parse([]byte("{")); err == nil {
		t.Error("Parse(broken JSON) = nil error")
	}
	if _, err := Parse([]byte(`{"format":1,"generator":"v1","surprise":true}`)); err == nil {
		t.Error("Parse(unknown field) = nil error")
	}
}

func TestSnapshotDeterministicAndReadable(t *testing.T) {
	files := sampleFiles()
	a, err := Snapshot(files)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond) // a time-dependent header would now differ
	b, err := Snapshot([]render.File{files[1], files[2], files[0]})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("Snapshot is not deterministic")
	}

	zr, err := gzip.NewReader(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header carries name %q, time %v", zr.Name, zr.ModTime)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, hdr.Name)
		if hdr.ModTime.Unix() != 0 || hdr.Uname != "" || hdr.Uid != 0 {
			t.Errorf("%s: mtime %v uname %q uid %d", hdr.Name, hdr.ModTime, hdr.Uname, hdr.Uid)
		}
	}
	want := []string{"internal/auth/auth.go", "internal/auth/store/sqlite/migrations/00001_init.sql", "regstack.toml"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("archive order (-want +got):\n%s", diff)
	}

	got, err := ReadSnapshot(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if !bytes.Equal(got[f.Path], f.Data) {
			t.Errorf("%s: read back %q, want %q", f.Path, got[f.Path], f.Data)
		}
	}
	if len(got) != len(files) {
		t.Errorf("read back %d files, want %d", len(got), len(files))
	}
	if _, err := ReadSnapshot([]byte("not gzip")); err == nil {
		t.Error("ReadSnapshot(garbage) = nil error")
	}
	if _, err := Snapshot([]render.File{files[0], files[0]}); err == nil {
		t.Error("Snapshot with a duplicate path = nil error")
	}
}

func TestStarter(t *testing.T) {
	m := &Manifest{Files: []File{{Path: "internal/auth/a.go", Template: "common/pkg/a.go"}}}
	if m.Starter() {
		t.Error("a package-only manifest counts as a starter")
	}
	m.Files = append(m.Files, File{Path: "main.go", Template: "common/starter/main.go"})
	if !m.Starter() {
		t.Error("a manifest with main.go does not count as a starter")
	}
}
