package cli

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/regstack/regstack/internal/golden"
	"github.com/regstack/regstack/internal/manifest"
	"github.com/regstack/regstack/internal/spec"
)

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t testing.TB, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func mustGen(t testing.TB, args ...string) result {
	t.Helper()
	r := runCLI(t, "", append([]string{"gen"}, args...)...)
	if r.code != 0 {
		t.Fatalf("regstack gen %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func listDir(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	for p := range golden.Tree(t, dir) {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func readAnswers(t testing.TB, dir string) spec.Answers {
	t.Helper()
	a, err := spec.DecodeAnswers(readFile(t, filepath.Join(dir, ".regstack", "answers.toml")), spec.Answers{})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestGenYesFreshFolder(t *testing.T) {
	dir := t.TempDir()
	r := mustGen(t, "--yes", "--no-tidy", "--dir", dir)

	for _, p := range []string{"go.mod", "main.go", "internal/auth/auth.go", ".regstack/answers.toml", ".regstack/manifest.json", ".regstack/base.tar.gz", SecretsFile} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s not written: %v", p, err)
		}
	}
	if !strings.Contains(r.stdout, "go run .") {
		t.Errorf("a fresh folder should be told to `go run .`:\n%s", r.stdout)
	}
	if diff := cmp.Diff(spec.Defaults(), readAnswers(t, dir)); diff != "" {
		t.Errorf("saved answers (-want +got):\n%s", diff)
	}

	// The manifest lists exactly the rendered files, with their hashes, and
	// the snapshot holds exactly their bytes; gen's own files and the
	// secrets are in neither.
	m, err := manifest.Parse(readFile(t, filepath.Join(dir, manifest.Path)))
	if err != nil {
		t.Fatal(err)
	}
	if m.Generator != Version || m.Format != manifest.Format {
		t.Errorf("manifest generator %q format %d", m.Generator, m.Format)
	}
	snap, err := manifest.ReadSnapshot(readFile(t, filepath.Join(dir, manifest.SnapshotPath)))
	if err != nil {
		t.Fatal(err)
	}
	onDisk := golden.Tree(t, dir, SecretsFile, spec.AnswersFile, manifest.Path, manifest.SnapshotPath)
	if len(m.Files) != len(onDisk) || len(snap) != len(onDisk) {
		t.Errorf("manifest has %d files, snapshot %d, disk %d", len(m.Files), len(snap), len(onDisk))
	}
	for _, f := range m.Files {
		data, ok := onDisk[f.Path]
		if !ok {
			t.Errorf("manifest lists %s, which is not on disk", f.Path)
			continue
		}
		sum := sha256.Sum256(data)
		if f.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: manifest hash does not match the file", f.Path)
		}
		if !bytes.Equal(snap[f.Path], data) {
			t.Errorf("%s: snapshot differs from the file", f.Path)
		}
		if f.Template == "" || f.Mode == "" {
			t.Errorf("%s: template %q mode %q", f.Path, f.Template, f.Mode)
		}
	}
	if _, ok := snap[SecretsFile]; ok {
		t.Error("the secrets file is in the snapshot")
	}
	if bytes.Contains(readFile(t, filepath.Join(dir, manifest.Path)), []byte(SecretsFile)) {
		t.Error("the manifest mentions the secrets file")
	}
}

func TestSecretsFile(t *testing.T) {
	dir := t.TempDir()
	mustGen(t, "--yes", "--no-tidy", "--dir", dir)
	name := filepath.Join(dir, SecretsFile)
	fi, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("%s mode = %v, want 0600", SecretsFile, fi.Mode().Perm())
	}
	body := readFile(t, name)
	var secret string
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, "REGSTACK_JWT_SECRET="); ok {
			secret = v
		}
	}
	key, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil || len(key) != 64 {
		t.Fatalf("REGSTACK_JWT_SECRET %q: %d bytes, %v; want 64 bytes of base64url", secret, len(key), err)
	}

	other := t.TempDir()
	mustGen(t, "--yes", "--no-tidy", "--dir", other)
	if bytes.Equal(body, readFile(t, filepath.Join(other, SecretsFile))) {
		t.Error("two runs produced the same secret")
	}

	// --force rewrites the generated files but keeps the secret.
	r := mustGen(t, "--yes", "--no-tidy", "--force", "--dir", dir)
	if !bytes.Equal(body, readFile(t, name)) {
		t.Error("--force replaced the existing secret")
	}
	if !strings.Contains(r.stdout, "kept "+SecretsFile) {
		t.Errorf("output does not say the secret was kept:\n%s", r.stdout)
	}
}

func TestRefuseOverwriteListsEveryFile(t *testing.T) {
	dir := t.TempDir()
	// An existing module, so that both runs plan the same files (a second
	// run in a starter folder sees its go.mod and leaves the starter alone).
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGen(t, "--yes", "--no-tidy", "--dir", dir)
	edited := filepath.Join(dir, "internal", "auth", "auth.go")
	if err := os.WriteFile(edited, []byte("// my edit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := golden.Tree(t, dir)

	r := runCLI(t, "", "gen", "--yes", "--no-tidy", "--dir", dir)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "--force") {
		t.Errorf("error does not mention --force:\n%s", r.stderr)
	}
	// Every file gen would write is listed: all it wrote before except the
	// secrets, which are kept rather than overwritten.
	var listed, want []string
	for _, line := range strings.Split(r.stderr, "\n") {
		if p, ok := strings.CutPrefix(line, "  "); ok {
			listed = append(listed, p)
		}
	}
	for p := range before {
		if p != SecretsFile && p != "go.mod" {
			want = append(want, p)
		}
	}
	sort.Strings(listed)
	sort.Strings(want)
	if diff := cmp.Diff(want, listed); diff != "" {
		t.Errorf("listed clashes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(before, golden.Tree(t, dir)); diff != "" {
		t.Errorf("a refused run changed files:\n%s", diff)
	}
}

func TestForceOverwrites(t *testing.T) {
	dir := t.TempDir()
	mustGen(t, "--yes", "--no-tidy", "--dir", dir)
	edited := filepath.Join(dir, "internal", "auth", "auth.go")
	want := readFile(t, edited)
	if err := os.WriteFile(edited, []byte("// my edit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustGen(t, "--yes", "--no-tidy", "--force", "--dir", dir)
	if got := readFile(t, edited); !bytes.Equal(got, want) {
		t.Errorf("--force did not restore auth.go: %q", got)
	}
	for _, p := range listDir(t, dir) {
		if strings.Contains(p, ".regstack-") {
			t.Errorf("temporary file left behind: %s", p)
		}
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, "", "gen", "--yes", "--dry-run", "--dir", dir)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("dry run wrote %v", got)
	}
	for _, p := range []string{"would write go.mod", "would write internal/auth/auth.go", "would write " + SecretsFile, "would write .regstack/manifest.json", "nothing written"} {
		if !strings.Contains(r.stdout, p) {
			t.Errorf("dry-run output lacks %q:\n%s", p, r.stdout)
		}
	}

	// Into a folder that has the files: still nothing written, and the
	// clashes are reported the way a real run would.
	mustGen(t, "--yes", "--no-tidy", "--dir", dir)
	before := golden.Tree(t, dir)
	r = runCLI(t, "", "gen", "--yes", "--dry-run", "--dir", dir, "--app-name", "Other")
	if r.code != 1 || !strings.Contains(r.stdout, "(exists") || !strings.Contains(r.stderr, "--force") {
		t.Errorf("dry run over existing files: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "gen", "--yes", "--dry-run", "--force", "--dir", dir, "--app-name", "Other")
	if r.code != 0 || !strings.Contains(r.stdout, "would keep "+SecretsFile) {
		t.Errorf("dry run --force: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if diff := cmp.Diff(before, golden.Tree(t, dir)); diff != "" {
		t.Errorf("dry run changed files:\n%s", diff)
	}
}

func TestExistingModule(t *testing.T) {
	dir := t.TempDir()
	hostFiles := map[string]string{
		"go.mod":  "module github.com/acme/shop\n\ngo 1.26.0\n",
		"main.go": "package main\n\nfunc main() {}\n",
	}
	for p, body := range hostFiles {
		if err := os.WriteFile(filepath.Join(dir, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := mustGen(t, "--yes", "--no-tidy", "--dir", dir, "--package", "internal/accounts")

	for p, body := range hostFiles {
		if got := string(readFile(t, filepath.Join(dir, p))); got != body {
			t.Errorf("host file %s changed:\n%s", p, got)
		}
	}
	m, err := manifest.Parse(readFile(t, filepath.Join(dir, manifest.Path)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if !strings.HasPrefix(f.Path, "internal/accounts/") && f.Path != "regstack.toml" {
			t.Errorf("wrote %s outside the package in an existing module", f.Path)
		}
		if strings.HasPrefix(f.Template, "common/starter/") {
			t.Errorf("starter file %s written into an existing module", f.Path)
		}
	}
	if got := readAnswers(t, dir).Module; got != "github.com/acme/shop" {
		t.Errorf("answers module = %q, want the go.mod path", got)
	}
	auth := readFile(t, filepath.Join(dir, "internal", "accounts", "auth.go"))
	if !bytes.Contains(auth, []byte("package accounts")) {
		t.Errorf("auth.go is not package accounts")
	}
	for _, want := range []string{`"github.com/acme/shop/internal/accounts"`, `"github.com/acme/shop/internal/accounts/config"`, "accounts.New(ctx, cfg)", "mux.Handle(", "not changed"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("paste instructions lack %q:\n%s", want, r.stdout)
		}
	}

	// --module that contradicts go.mod is a usage error.
	r = runCLI(t, "", "gen", "--yes", "--no-tidy", "--force", "--dir", dir, "--module", "example.com/other")
	if r.code != 2 || !strings.Contains(r.stderr, "github.com/acme/shop") {
		t.Errorf("--module mismatch: exit %d\n%s", r.code, r.stderr)
	}
}

func TestAnswersReplay(t *testing.T) {
	first := t.TempDir()
	mustGen(t, "--yes", "--no-tidy", "--dir", first,
		"--app-name", "Acme Shop", "--module", "github.com/acme/shop", "--base-url", "https://shop.example.com",
		"--package", "internal/users", "--require-verification=false", "--account-deletion=false")
	saved := filepath.Join(first, ".regstack", "answers.toml")
	want := readAnswers(t, first)
	if want.AppName != "Acme Shop" || want.Features.RequireVerification || !want.Features.PasswordReset {
		t.Fatalf("flags not saved: %+v", want)
	}

	second := t.TempDir()
	mustGen(t, "--answers", saved, "--no-tidy", "--dir", second)
	if diff := cmp.Diff(want, readAnswers(t, second)); diff != "" {
		t.Errorf("replayed answers (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(golden.Tree(t, first, SecretsFile), golden.Tree(t, second, SecretsFile)); diff != "" {
		t.Errorf("replay generated different files:\n%s", diff)
	}

	// An explicit flag beats the file.
	third := t.TempDir()
	mustGen(t, "--answers", saved, "--no-tidy", "--dir", third, "--app-name", "Renamed", "--password-reset=false")
	got := readAnswers(t, third)
	want.AppName, want.Features.PasswordReset = "Renamed", false
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flags over answers (-want +got):\n%s", diff)
	}
}

func TestBrokenAnswersWriteNothing(t *testing.T) {
	tests := map[string]struct{ body, key string }{
		"syntax":       {"app_name = \n", "app_name"},
		"wrong type":   {"[features]\npassword_reset = \"yes\"\n", "features.password_reset"},
		"unknown key":  {"colour = \"blue\"\n", "colour"},
		"invalid":      {"package_dir = \"../outside\"\n", "package_dir"},
		"bad url":      {"base_url = \"localhost\"\n", "base_url"},
		"bad backend":  {"backend = \"oracle\"\n", "backend"},
		"missing file": {"", "no such file"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(t.TempDir(), "answers.toml")
			if name != "missing file" {
				if err := os.WriteFile(file, []byte(tt.body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := runCLI(t, "", "gen", "--answers", file, "--no-tidy", "--dir", dir)
			if r.code != 1 {
				t.Errorf("exit %d, want 1", r.code)
			}
			if !strings.Contains(r.stderr, tt.key) {
				t.Errorf("error does not name %q:\n%s", tt.key, r.stderr)
			}
			if got := listDir(t, dir); len(got) != 0 {
				t.Errorf("wrote %v", got)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := [][]string{
		{"gen", "--no-such-flag"},
		{"gen", "--yes", "--dir", dir, "--package", "../outside"},
		{"gen", "--yes", "--dir", dir, "--backend", "oracle"},
		{"gen", "--yes", "--dir", dir, "--base-url", "ftp://x"},
		{"gen", "--yes", "--dir", dir, "--app-name", ""},
		{"gen", "extra-arg"},
		{"frobnicate"},
		{"version", "extra"},
		{"gen", "--yes", "--require-verification=maybe"},
	}
	for _, args := range tests {
		r := runCLI(t, "", args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
		if !strings.Contains(r.stderr, "--help") {
			t.Errorf("%v: usage error does not point at --help:\n%s", args, r.stderr)
		}
	}
	if got := listDir(t, dir); len(got) != 0 {
		t.Errorf("usage errors wrote %v", got)
	}
}

func TestVersionHelpCompletion(t *testing.T) {
	r := runCLI(t, "", "version")
	if r.code != 0 || r.stdout != "regstack "+Version+"\n" {
		t.Errorf("version: exit %d %q", r.code, r.stdout)
	}
	r = runCLI(t, "", "--help")
	if r.code != 0 {
		t.Fatalf("--help: exit %d", r.code)
	}
	for _, cmd := range []string{"gen", "version", "completion"} {
		if !strings.Contains(r.stdout, "  "+cmd+" ") {
			t.Errorf("--help does not list %s:\n%s", cmd, r.stdout)
		}
	}
	for _, args := range [][]string{{"gen", "--help"}, {"version", "--help"}, {"completion", "--help"}, {"help", "gen"}} {
		r := runCLI(t, "", args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Usage:") {
			t.Errorf("%v: exit %d\n%s", args, r.code, r.stdout)
		}
	}
	r = runCLI(t, "", "gen", "--help")
	for _, flag := range []string{"--app-name", "--module", "--base-url", "--package", "--backend", "--require-verification", "--password-reset", "--account-deletion", "--yes", "--answers", "--force", "--dry-run", "--no-tidy", "--dir"} {
		if !strings.Contains(r.stdout, flag) {
			t.Errorf("gen --help lacks %s", flag)
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := runCLI(t, "", "completion", shell)
		if r.code != 0 || !strings.Contains(r.stdout, "regstack") {
			t.Errorf("completion %s: exit %d, %d bytes", shell, r.code, len(r.stdout))
		}
	}
}

// TestGenInterviewFromPipe runs gen without --yes on a non-terminal stdin:
// the questions are answered line by line through huh's accessible mode,
// and every answer must reach the generated files.
func TestGenInterviewFromPipe(t *testing.T) {
	dir := t.TempDir()
	in := strings.Join([]string{
		"Piped App",             // app name
		"github.com/piped/app",  // module (fresh folder)
		"https://piped.example", // base URL
		"internal/members",      // package folder
		"1",                     // backend: sqlite
		"n",                     // require verification
		"n",                     // password reset
		"y",                     // account deletion
		"n",                     // admin API
		"y",                     // pages
		"2",                     // email sender: smtp
		"y",                     // SMS
		"2",                     // SMS provider (asked after yes): sns
	}, "\n") + "\n"
	r := runCLI(t, in, "gen", "--no-tidy", "--dir", dir)
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	want := spec.Answers{
		AppName: "Piped App", Module: "github.com/piped/app", BaseURL: "https://piped.example",
		PackageDir: "internal/members", Backend: "sqlite",
		Features: spec.Features{RequireVerification: false, PasswordReset: false, AccountDeletion: true, Pages: true, EmailBackend: "smtp", SMS: true, SMSBackend: "sns"},
	}
	if diff := cmp.Diff(want, readAnswers(t, dir)); diff != "" {
		t.Errorf("answers (-want +got):\n%s\n%s", diff, r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "internal", "members", "auth.go")); err != nil {
		t.Errorf("package not written under internal/members: %v", err)
	}

	// In an existing module the module question is not asked, and a flag
	// answers its question up front.
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "go.mod"), []byte("module example.org/host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "Host App\n\n\n\ny\nn\n", "gen", "--no-tidy", "--dir", host, "--base-url", "https://host.example", "--password-reset=false")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "Go module path") || strings.Contains(r.stdout, "Public base URL") || strings.Contains(r.stdout, "password reset") {
		t.Errorf("asked a question that was already answered:\n%s", r.stdout)
	}
	got := readAnswers(t, host)
	want = spec.Answers{
		AppName: "Host App", Module: "example.org/host", BaseURL: "https://host.example",
		PackageDir: "internal/auth", Backend: "sqlite",
		// sms_backend is not asked without SMS and keeps its default.
		Features: spec.Features{RequireVerification: true, PasswordReset: false, AccountDeletion: true, EmailBackend: "console", SMSBackend: "twilio"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s\n%s", diff, r.stdout)
	}
}

// fakeGo puts a go command on PATH that logs its arguments and fails on
// "mod tidy" when fail is set.
func fakeGo(t *testing.T, fail bool) string {
	t.Helper()
	bin := t.TempDir()
	log := filepath.Join(bin, "calls.log")
	script := "#!/bin/sh\necho \"$*\" >> " + log + "\n"
	if fail {
		script += "if [ \"$1\" = mod ]; then echo 'go: example.com/demo/internal/auth imports nowhere.example/x: cannot find module' >&2; exit 1; fi\n"
	}
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	return log
}

func TestTidyRunsPinnedGetThenTidy(t *testing.T) {
	log := fakeGo(t, false)
	dir := t.TempDir()
	r := mustGen(t, "--yes", "--dir", dir)
	calls := strings.Split(strings.TrimSpace(string(readFile(t, log))), "\n")
	if len(calls) != 2 || !strings.HasPrefix(calls[0], "get ") || calls[1] != "mod tidy" {
		t.Fatalf("go calls = %q", calls)
	}
	// The starter's go.mod says go 1.25.0: the pins of catalog.toml's
	// "go1.25" key, which Go 1.25 builds.
	for _, pin := range []string{"modernc.org/sqlite@v1.59.0", "github.com/pressly/goose/v3@v3.27.0", "golang.org/x/text@v0.41.0"} {
		if !strings.Contains(calls[0], pin) {
			t.Errorf("go get lacks %s: %s", pin, calls[0])
		}
	}
	if !strings.Contains(r.stdout, "running go mod tidy") {
		t.Errorf("no progress line on a non-terminal:\n%s", r.stdout)
	}
}

// TestTidyPinsFollowHostGoLine: a host whose go.mod says go 1.26 gets the
// newest pins, one on go 1.25 those that Go 1.25 builds.
func TestTidyPinsFollowHostGoLine(t *testing.T) {
	for goLine, want := range map[string][]string{
		"1.26.0": {"modernc.org/sqlite@v1.62.0", "github.com/pressly/goose/v3@v3.30.0", "golang.org/x/text@v0.44.0"},
		"1.25.7": {"modernc.org/sqlite@v1.59.0", "github.com/pressly/goose/v3@v3.27.0", "golang.org/x/text@v0.41.0"},
	} {
		log := fakeGo(t, false)
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/shop\n\ngo "+goLine+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		mustGen(t, "--yes", "--dir", dir)
		calls := strings.Split(strings.TrimSpace(string(readFile(t, log))), "\n")
		if len(calls) != 2 || !strings.HasPrefix(calls[0], "get ") {
			t.Fatalf("go %s: go calls = %q", goLine, calls)
		}
		for _, pin := range want {
			if !strings.Contains(calls[0], pin) {
				t.Errorf("go %s: go get lacks %s: %s", goLine, pin, calls[0])
			}
		}
	}
}

func TestTidyFailureKeepsFiles(t *testing.T) {
	fakeGo(t, true)
	dir := t.TempDir()
	r := runCLI(t, "", "gen", "--yes", "--dir", dir)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"cannot find module", "stay in place", "go mod tidy"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, manifest.Path)); err != nil {
		t.Errorf("files were not kept: %v", err)
	}
}

func TestGenTwiceIdentical(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	mustGen(t, "--yes", "--no-tidy", "--dir", a)
	mustGen(t, "--yes", "--no-tidy", "--dir", b)
	if diff := cmp.Diff(golden.Tree(t, a, SecretsFile), golden.Tree(t, b, SecretsFile)); diff != "" {
		t.Errorf("two runs differ:\n%s", diff)
	}
}

func TestMainWritesToProcessStreams(t *testing.T) {
	// Main is the process entry point; with "version" it must succeed.
	stdout := os.Stdout
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	os.Stdout = wr
	code := Main([]string{"version"})
	os.Stdout = stdout
	wr.Close()
	out, _ := io.ReadAll(rd)
	if code != 0 || !strings.Contains(string(out), Version) {
		t.Errorf("Main(version) = %d, %q", code, out)
	}
}
