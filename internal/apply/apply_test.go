package apply

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// entries lists every name in dir, so a test can see stray temp files.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestWriteFileCreatesAndReplaces(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a", "b", "c.txt")
	if err := WriteFile(name, []byte("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(name, []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(name)
	if err != nil || string(got) != "two" {
		t.Fatalf("content = %q, %v", got, err)
	}
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	if names := entries(t, filepath.Dir(name)); !slices.Equal(names, []string{"c.txt"}) {
		t.Errorf("folder holds %v, want only c.txt", names)
	}
}

func TestWriteFileFailingWriteKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(name, []byte("old content"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	err := writeFile(name, []byte("new content that never fully lands"), 0o644, func(f *os.File, b []byte) error {
		if _, err := f.Write(b[:5]); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("writeFile = %v, want %v", err, boom)
	}
	got, err := os.ReadFile(name)
	if err != nil || string(got) != "old content" {
		t.Errorf("after a failed write the file holds %q (%v), want the old content", got, err)
	}
	if names := entries(t, dir); !slices.Equal(names, []string{"config.toml"}) {
		t.Errorf("folder holds %v, want no temp files", names)
	}
}

func TestWriteFileFailingRenameLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	// A non-empty folder where the file should go makes the rename fail.
	target := filepath.Join(dir, "main.go")
	if err := os.MkdirAll(filepath.Join(target, "inner"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(target, []byte("package main\n"), 0o644); err == nil {
		t.Fatal("WriteFile over a non-empty folder = nil error")
	}
	if names := entries(t, dir); !slices.Equal(names, []string{"main.go"}) {
		t.Errorf("folder holds %v, want no temp files", names)
	}
	if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
		t.Errorf("the folder in the way was changed: %v %v", fi, err)
	}
}

func TestExistingAndWriteAll(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "main.go"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Existing(dir, []string{"internal/auth/auth.go", "go.mod", "main.go", "regstack.toml"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"go.mod", "main.go"}) {
		t.Errorf("Existing = %v", got)
	}

	var written []string
	files := []File{
		{Path: "internal/auth/auth.go", Data: []byte("package auth\n"), Perm: 0o644},
		{Path: "regstack.toml", Data: []byte("x = 1\n"), Perm: 0o644},
	}
	if err := WriteAll(dir, files, func(p string) { written = append(written, p) }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(written, []string{"internal/auth/auth.go", "regstack.toml"}) {
		t.Errorf("written callback saw %v", written)
	}
	b, err := os.ReadFile(filepath.Join(dir, "internal", "auth", "auth.go"))
	if err != nil || string(b) != "package auth\n" {
		t.Errorf("auth.go = %q, %v", b, err)
	}
}

func TestRefusesPathsOutsideRoot(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"../evil.go", "/etc/passwd", "a/../../b"} {
		if err := WriteAll(dir, []File{{Path: p, Data: []byte("x"), Perm: 0o644}}, nil); err == nil {
			t.Errorf("WriteAll(%q) = nil error", p)
		}
		if _, err := Existing(dir, []string{p}); err == nil {
			t.Errorf("Existing(%q) = nil error", p)
		}
	}
}

// WriteAll stages every file before renaming any: a file that cannot be
// renamed into place (a folder is in the way) stops the run after the files
// before it, and no temporary file is left behind, staged or not.
func TestWriteAllFailingRenameLeavesNoTemps(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "b.go", "inner"), 0o755); err != nil {
		t.Fatal(err)
	}
	var written []string
	files := []File{
		{Path: "a.go", Data: []byte("package a\n"), Perm: 0o644},
		{Path: "b.go", Data: []byte("package b\n"), Perm: 0o644},
		{Path: "c.go", Data: []byte("package c\n"), Perm: 0o644},
	}
	if err := WriteAll(dir, files, func(p string) { written = append(written, p) }); err == nil {
		t.Fatal("WriteAll over a non-empty folder = nil error")
	}
	if !slices.Equal(written, []string{"a.go"}) {
		t.Errorf("written callback saw %v, want [a.go]", written)
	}
	if names := entries(t, dir); !slices.Equal(names, []string{"a.go", "b.go"}) {
		t.Errorf("folder holds %v, want a.go and the folder b.go only", names)
	}
}
