package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInitWritesConfigLikeGen(t *testing.T) {
	flags := []string{"--yes", "--app-name", "Shop", "--base-url", "https://shop.example.com", "--require-verification=false", "--password-reset=false"}
	gendir := t.TempDir()
	mustGen(t, append(flags, "--no-tidy", "--dir", gendir)...)

	dir := filepath.Join(t.TempDir(), "etc", "shop")
	r := runCLI(t, "", append([]string{"init", "--dir", dir}, flags...)...)
	if r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	got := readFile(t, filepath.Join(dir, "regstack.toml"))
	if want := readFile(t, filepath.Join(gendir, "regstack.toml")); !bytes.Equal(got, want) {
		t.Fatalf("init's regstack.toml differs from gen's:\n--- init\n%s\n--- gen\n%s", got, want)
	}
	if !bytes.Contains(got, []byte(`app_name = "Shop"`)) || !bytes.Contains(got, []byte("require_verification = false")) {
		t.Errorf("the answers did not reach regstack.toml:\n%s", got)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("init wrote %d entries, want only the two files", len(entries))
	}
	secretsPath := filepath.Join(dir, SecretsFile)
	fi, err := os.Stat(secretsPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file: %v, mode %v", err, fi.Mode())
	}
	secrets := readFile(t, secretsPath)
	if !bytes.Contains(secrets, []byte("REGSTACK_JWT_SECRET=")) {
		t.Fatalf("secrets file:\n%s", secrets)
	}

	// A second run refuses; --force rewrites the config and keeps the secret.
	r = runCLI(t, "", "init", "--yes", "--dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "already exists") || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("init over an existing config: %+v", r)
	}
	if !bytes.Equal(readFile(t, filepath.Join(dir, "regstack.toml")), got) {
		t.Fatal("a refused init changed regstack.toml")
	}
	r = runCLI(t, "", "init", "--yes", "--force", "--dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "kept ") {
		t.Fatalf("init --force: %+v", r)
	}
	if !bytes.Contains(readFile(t, filepath.Join(dir, "regstack.toml")), []byte(`app_name = "Demo"`)) {
		t.Error("init --force did not rewrite regstack.toml")
	}
	if !bytes.Equal(readFile(t, secretsPath), secrets) {
		t.Error("init --force replaced the secret")
	}
}

// Without --yes, init asks gen's questions except the module path and the
// package folder, which do not appear in the configuration.
func TestInitInterviewFromPipe(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, "Pipe Shop\nhttps://pipe.example.com\n\nn\n", "init", "--dir", dir)
	if r.code != 0 {
		t.Fatalf("init from a pipe: %+v", r)
	}
	if strings.Contains(r.stdout, "module path") || strings.Contains(r.stdout, "Package folder") {
		t.Errorf("init asked for the module or package:\n%s", r.stdout)
	}
	got := string(readFile(t, filepath.Join(dir, "regstack.toml")))
	for _, want := range []string{`app_name = "Pipe Shop"`, `base_url = "https://pipe.example.com"`, "require_verification = false"} {
		if !strings.Contains(got, want) {
			t.Errorf("regstack.toml lacks %q:\n%s", want, got)
		}
	}
}

func TestInitUsage(t *testing.T) {
	if r := runCLI(t, "", "init", "--yes", "--dir", t.TempDir(), "--base-url", "ftp://x"); r.code != exitUsage {
		t.Errorf("bad --base-url: %+v", r)
	}
	file := filepath.Join(t.TempDir(), "f")
	writeTestFile(t, file, "")
	if r := runCLI(t, "", "init", "--yes", "--dir", file); r.code != exitUsage {
		t.Errorf("--dir is a file: %+v", r)
	}
}
