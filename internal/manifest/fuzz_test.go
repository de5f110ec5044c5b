package manifest

import (
	"bytes"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/regstack/regstack/internal/render"
	"github.com/regstack/regstack/internal/spec"
)

// FuzzParse reads arbitrary .regstack/manifest.json files (hand-edited,
// merged by git, truncated). Properties: it never panics; what it accepts
// has this Format and a generator version; every file it lists is found by
// Lookup, the way upgrade and doctor find them; and written back by
// Marshal it parses to the same manifest.
func FuzzParse(f *testing.F) {
	good, err := New("v1.2.3", spec.Defaults(), sampleFiles()).Marshal()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(good),
		"",
		"{",
		"null",
		"[]",
		`{"format":1}`,
		`{"format":1,"generator":"v1"}`,
		`{"format":1,"generator":"v1","files":null}`,
		`{"format":2,"generator":"v1"}`,
		`{"format":1.0,"generator":"v1"}`,
		`{"format":"1","generator":"v1"}`,
		`{"format":1,"generator":"v1","surprise":true}`,
		`{"format":1,"generator":"v1","format":2}`,
		`{"format":1,"generator":"v1","files":[{"path":"b"},{"path":"a"}]}`,
		`{"format":1,"generator":"v1","files":[{"path":"a","sha256":"x"},{"path":"a","sha256":"y"}]}`,
		`{"format":1,"generator":"v1","files":[{"path":"../etc/passwd","template":"x","mode":"owned","sha256":""}]}`,
		`{"format":1,"generator":"v1","answers":{"app_name":1}}`,
		`{"format":1,"generator":"v1","answers":{"features":{"admin":true,"bogus":1}}}`,
		`{"format":1,"generator":"v1"} trailing`,
		"\ufeff{\"format\":1,\"generator\":\"v1\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			if m != nil {
				t.Fatalf("Parse(%q) returned a manifest and error %v", data, err)
			}
			if !strings.HasPrefix(err.Error(), Path) {
				t.Fatalf("Parse(%q): error %q does not name %s", data, err, Path)
			}
			return
		}
		if m.Format != Format || m.Generator == "" {
			t.Fatalf("Parse(%q) accepted format %d, generator %q", data, m.Format, m.Generator)
		}
		for _, e := range m.Files {
			if got, ok := m.Lookup(e.Path); !ok || got != e {
				t.Fatalf("Parse(%q): Lookup(%q) = %+v, %v; the manifest lists %+v", data, e.Path, got, ok, e)
			}
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("Marshal of %+v: %v", m, err)
		}
		again, err := Parse(out)
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("Parse(%q) = %+v, written back as %q, which parses to %+v, %v", data, m, out, again, err)
		}
	})
}

// FuzzReadSnapshot reads arbitrary .regstack/base.tar.gz files. The
// seeds are real snapshots; the fuzzer mostly finds damaged gzip, which
// is the point: a damaged snapshot must be an error (upgrade then merges
// against nothing), never a panic. Properties: every path it returns is a
// valid relative path with content within the size bound, and packing
// what it returns again reads back the same.
func FuzzReadSnapshot(f *testing.F) {
	for _, files := range [][]render.File{
		sampleFiles(),
		nil,
		{{Path: "a", Data: nil}, {Path: "b/c", Data: []byte("x\x00y")}},
		{{Path: strings.Repeat("d/", 60) + "long.go", Data: []byte("package d\n")}},
	} {
		snap, err := Snapshot(files)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(snap)
	}
	f.Add([]byte{})
	f.Add([]byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff")) // a gzip header and nothing more
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadSnapshot(data)
		if err != nil {
			if got != nil {
				t.Fatalf("ReadSnapshot returned files and error %v", err)
			}
			return
		}
		files := make([]render.File, 0, len(got))
		for name, b := range got {
			if !fs.ValidPath(name) || len(b) > maxSnapshotFile {
				t.Fatalf("ReadSnapshot returned %q (%d bytes)", name, len(b))
			}
			files = append(files, render.File{Path: name, Data: b})
		}
		repacked, err := Snapshot(files)
		if err != nil {
			t.Fatalf("what ReadSnapshot returned does not pack again: %v", err)
		}
		again, err := ReadSnapshot(repacked)
		if err != nil || !sameFiles(again, got) {
			t.Fatalf("repacked snapshot reads back differently (%v)", err)
		}
	})
}

// FuzzSnapshotRoundTrip packs arbitrary file sets (newline-separated
// paths, contents cut from data) and reads them back. Property: whatever
// Snapshot packs, ReadSnapshot reads back exactly, and the bytes depend
// only on the files, not on their order.
func FuzzSnapshotRoundTrip(f *testing.F) {
	f.Add("regstack.toml\ninternal/auth/auth.go", []byte("app_name = 1\npackage auth\n"))
	f.Add("a\na", []byte("xy"))
	f.Add("../x\n/abs\na//b\n./c\n.", []byte("12345"))
	f.Add(strings.Repeat("p/", 80)+"f", []byte("deep"))
	f.Add("ünïcödé.txt\nsp ace\nback\\slash", []byte("abc"))
	f.Fuzz(func(t *testing.T, paths string, data []byte) {
		var files []render.File
		for i, p := range strings.Split(paths, "\n") {
			lo := min(i*3, len(data))
			files = append(files, render.File{Path: p, Data: data[lo:min(lo+3+i, len(data))], Perm: 0o644})
		}
		snap, err := Snapshot(files)
		if err != nil {
			return
		}
		got, err := ReadSnapshot(snap)
		if err != nil {
			t.Fatalf("Snapshot packed %q, ReadSnapshot refuses it: %v", paths, err)
		}
		want := map[string][]byte{}
		for _, fl := range files {
			want[fl.Path] = fl.Data
		}
		if !sameFiles(got, want) {
			t.Fatalf("round trip of %q changed the files", paths)
		}
		rev := make([]render.File, len(files))
		for i, fl := range files {
			rev[len(files)-1-i] = fl
		}
		if snap2, _ := Snapshot(rev); !bytes.Equal(snap, snap2) {
			t.Fatalf("Snapshot of %q depends on the order of the files", paths)
		}
	})
}

func sameFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	names := make([]string, 0, len(a))
	for n := range a {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		bb, ok := b[n]
		if !ok || !bytes.Equal(a[n], bb) {
			return false
		}
	}
	return true
}
