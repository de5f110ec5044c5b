// Package golden compares generated output with a committed copy under
// testdata/golden/ (a tree, or one file such as a case's error.txt) and
// rewrites the copy when the tests that use it run with -update:
//
//	make golden    # go test <the packages importing this one> -update
//
// The flag is defined here, so it exists only in the test binaries that
// import this package. Run -update on those packages alone: the go command
// passes the flag to every test binary it runs, and one that does not
// define it fails with "flag provided but not defined".
package golden

import (
	"bytes"
	"flag"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// Update is the -update flag.
var Update = flag.Bool("update", false, "rewrite the golden trees under testdata/golden from the current output")

// Tree reads every regular file below root into slash path → content,
// skipping the slash paths in exclude.
func Tree(t testing.TB, root string, exclude ...string) map[string][]byte {
	t.Helper()
	skip := map[string]bool{}
	for _, e := range exclude {
		skip[e] = true
	}
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if skip[rel] {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Check compares got (slash path → content) with the tree in dir. With
// -update it replaces dir by got instead. Every difference is reported:
// missing, extra and changed files.
func Check(t testing.TB, dir string, got map[string][]byte) {
	t.Helper()
	if *Update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		for p, b := range got {
			name := filepath.Join(dir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("updated %s (%d files)", dir, len(got))
		return
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("no golden tree at %s; create it with: make golden", dir)
	}
	want := Tree(t, dir)
	paths := Paths(want, got)
	bad := 0
	for _, p := range paths {
		w, inWant := want[p]
		g, inGot := got[p]
		switch {
		case !inGot:
			t.Errorf("%s: in the golden tree but not generated", p)
		case !inWant:
			t.Errorf("%s: generated but not in the golden tree", p)
		case !bytes.Equal(w, g):
			t.Errorf("%s: differs from the golden copy\n%s", p, firstDiff(w, g))
		default:
			continue
		}
		bad++
	}
	if bad > 0 {
		t.Logf("%d of %d files differ; if the change is intended, refresh with: make golden", bad, len(paths))
	}
}

// CheckFile compares got with the file name. With -update it writes got to
// name instead.
func CheckFile(t testing.TB, name string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.WriteFile(name, got, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", name)
		return
	}
	want, err := os.ReadFile(name)
	if err != nil {
		t.Fatalf("%v; create it with: make golden", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs; if the change is intended, refresh with: make golden\n%s", name, firstDiff(want, got))
	}
}

// firstDiff shows the first differing line, enough to see what changed
// without flooding the log.
func firstDiff(want, got []byte) string {
	wl := bytes.Split(want, []byte("\n"))
	gl := bytes.Split(got, []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			if !utf8Text(w) || !utf8Text(g) {
				return "  (binary content)"
			}
			return "  line " + strconv.Itoa(i+1) + ":\n  golden:    " + string(w) + "\n  generated: " + string(g)
		}
	}
	return ""
}

func utf8Text(b []byte) bool {
	return !bytes.ContainsRune(b, 0) && bytes.Equal(bytes.ToValidUTF8(b, nil), b)
}

// Paths returns the paths of both trees, sorted, each once.
func Paths(a, b map[string][]byte) []string {
	all := map[string][]byte{}
	maps.Copy(all, a)
	maps.Copy(all, b)
	return slices.Sorted(maps.Keys(all))
}
