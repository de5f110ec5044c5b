package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regstack/regstack/internal/upgrade"
)

// The miniature blueprint versions shared with internal/upgrade's tests.
var (
	bpV1 = filepath.Join("..", "..", "testdata", "upgrade", "v1")
	bpV2 = filepath.Join("..", "..", "testdata", "upgrade", "v2")
)

// v1Host generates a host from the v1 miniature blueprints.
func v1Host(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "host")
	mustGen(t, "--yes", "--no-tidy", "--dir", dir, "--blueprints", bpV1)
	return dir
}

func edit(t *testing.T, name, old, new string) {
	t.Helper()
	b := readFile(t, name)
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s lacks %q", name, old)
	}
	if err := os.WriteFile(name, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGenBlueprintsFolder(t *testing.T) {
	dir := v1Host(t)
	if _, err := os.Stat(filepath.Join(dir, "internal/auth/legacy.txt")); err != nil {
		t.Errorf("--blueprints v1 did not write its files: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "internal/auth/login.go")); err == nil {
		t.Error("--blueprints still rendered the embedded blueprints")
	}
	r := runCLI(t, "", "gen", "--yes", "--dir", t.TempDir(), "--blueprints", filepath.Join(t.TempDir(), "missing"))
	if r.code != 2 || !strings.Contains(r.stderr, "--blueprints") {
		t.Errorf("missing --blueprints folder: exit %d, %s", r.code, r.stderr)
	}
}

func TestUpgradeCheckAndDryRun(t *testing.T) {
	dir := v1Host(t)
	before := listDir(t, dir)
	auth := readFile(t, filepath.Join(dir, "internal/auth/auth.go"))

	r := runCLI(t, "", "gen", "--upgrade", "--check", "--dir", dir, "--blueprints", bpV2)
	if r.code != 2 || !strings.Contains(r.stderr, "would change files") || strings.Contains(r.stderr, "--help") {
		t.Errorf("--check with an upgrade available: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, "", "gen", "--upgrade", "--dry-run", "--dir", dir, "--blueprints", bpV2)
	if r.code != 0 {
		t.Fatalf("--dry-run: exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"--- a/internal/auth/auth.go\n+++ b/internal/auth/auth.go\n",
		"+\treturn strings.ToLower(strings.TrimSpace(email))\n",
		"--- /dev/null\n+++ b/internal/auth/ratelimit.go\n",
		"(nothing written)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("--dry-run output lacks %q:\n%s", want, r.stdout)
		}
	}
	if got := listDir(t, dir); strings.Join(got, " ") != strings.Join(before, " ") || string(readFile(t, filepath.Join(dir, "internal/auth/auth.go"))) != string(auth) {
		t.Error("--dry-run or --check wrote to the host")
	}

	mustGen(t, "--upgrade", "--no-tidy", "--dir", dir, "--blueprints", bpV2)
	r = runCLI(t, "", "gen", "--upgrade", "--check", "--dir", dir, "--blueprints", bpV2)
	if r.code != 0 {
		t.Errorf("--check after upgrading: exit %d\n%s", r.code, r.stderr)
	}
}

func TestUpgradeConflictExitsNonZero(t *testing.T) {
	dir := v1Host(t)
	edit(t, filepath.Join(dir, "internal/auth/auth.go"), "strings.ToLower(email)", "strings.ToUpper(email)")
	edit(t, filepath.Join(dir, "internal/auth/README.txt"), "The auth package.", "Ours.")
	r := runCLI(t, "", "gen", "--upgrade", "--no-tidy", "--dir", dir, "--blueprints", bpV2)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "1 files have conflicts") || !strings.Contains(r.stderr, "\n  internal/auth/auth.go") {
		t.Errorf("conflicts not listed:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "merge       internal/auth/README.txt  (your edits kept)") {
		t.Errorf("report:\n%s", r.stdout)
	}
	got := string(readFile(t, filepath.Join(dir, "internal/auth/auth.go")))
	if !strings.Contains(got, "<<<<<<< yours\n") || !strings.Contains(got, ">>>>>>> regstack "+Version+"\n") {
		t.Errorf("no markers:\n%s", got)
	}
	// Still unresolved on the next run: exit 1 again, file untouched.
	r = runCLI(t, "", "gen", "--upgrade", "--no-tidy", "--dir", dir, "--blueprints", bpV2)
	if r.code != 1 || string(readFile(t, filepath.Join(dir, "internal/auth/auth.go"))) != got {
		t.Errorf("re-run with unresolved markers: exit %d\n%s", r.code, r.stderr)
	}
}

func TestUpgradeSet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "host")
	mustGen(t, "--yes", "--no-tidy", "--dir", dir, "--blueprints", bpV1, "--admin=false")
	if _, err := os.Stat(filepath.Join(dir, "internal/auth/admin.go")); err == nil {
		t.Fatal("admin.go written with --admin=false")
	}
	r := mustGen(t, "--upgrade", "--no-tidy", "--dir", dir, "--blueprints", bpV1, "--set", "features.admin=true")
	if !strings.Contains(r.stdout, "add         internal/auth/admin.go") {
		t.Errorf("report:\n%s", r.stdout)
	}
	if !readAnswers(t, dir).Features.Admin {
		t.Error("answers.toml not updated")
	}
	for _, args := range [][]string{
		{"--set", "features.admin=yes please"},
		{"--set", "features.bogus=true"},
		{"--admin"},
		{"--answers", "x.toml"},
	} {
		r := runCLI(t, "", append([]string{"gen", "--upgrade", "--dir", dir}, args...)...)
		if r.code != 2 {
			t.Errorf("gen --upgrade %v: exit %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
	if r := runCLI(t, "", "gen", "--dir", dir, "--set", "features.admin=true"); r.code != 2 || !strings.Contains(r.stderr, "--upgrade") {
		t.Errorf("--set without --upgrade: exit %d %s", r.code, r.stderr)
	}
}

func TestUpgradeNotGenerated(t *testing.T) {
	r := runCLI(t, "", "gen", "--upgrade", "--dir", t.TempDir())
	if r.code != 1 || !strings.Contains(r.stderr, "not generated by regstack") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

func TestUpgradeRefusesDirtyGitTree(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := v1Host(t)
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "v1")
	edit(t, filepath.Join(dir, "internal/auth/auth.go"), "return 5\n", "return 6\n")

	r := runCLI(t, "", "gen", "--upgrade", "--no-tidy", "--dir", dir, "--blueprints", bpV2)
	if r.code != 1 || !strings.Contains(r.stderr, "uncommitted changes") || !strings.Contains(r.stderr, "internal/auth/auth.go") {
		t.Fatalf("dirty tree: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "internal/auth/ratelimit.go")); err == nil {
		t.Fatal("refused upgrade wrote files")
	}
	// --check and --dry-run write nothing, so they run on a dirty tree.
	if r := runCLI(t, "", "gen", "--upgrade", "--check", "--dir", dir, "--blueprints", bpV2); r.code != 2 {
		t.Errorf("--check on a dirty tree: exit %d %s", r.code, r.stderr)
	}
	mustGen(t, "--upgrade", "--no-tidy", "--force", "--dir", dir, "--blueprints", bpV2)

	// Committed: runs without --force.
	git("add", "-A")
	git("commit", "-q", "-m", "v2")
	mustGen(t, "--upgrade", "--no-tidy", "--dir", dir, "--blueprints", bpV2)
}

func TestUpgradePendingJournal(t *testing.T) {
	dir := v1Host(t)
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(upgrade.JournalPath)), []byte(`{"format":1,"from":"x","to":"y"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "", "gen", "--upgrade", "--check", "--dir", dir, "--blueprints", bpV2); r.code != 2 || !strings.Contains(r.stderr, "interrupted upgrade") {
		t.Errorf("--check with a pending journal: exit %d %s", r.code, r.stderr)
	}
	// A journal that belongs to another manifest is refused, not replayed.
	if r := runCLI(t, "", "gen", "--upgrade", "--no-tidy", "--dir", dir, "--blueprints", bpV2); r.code != 1 || !strings.Contains(r.stderr, "another manifest") {
		t.Errorf("stale journal: exit %d %s", r.code, r.stderr)
	}
}

// TestUpgradeRetiresSettingsOfRemovedFeatures turns password reset off in a
// host generated with it: the host's regstack.toml (written once, the
// operator's since) sets enable_password_reset, which the upgraded config
// package would refuse as unknown, so the upgrade comments it out.
func TestUpgradeRetiresSettingsOfRemovedFeatures(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "host")
	mustGen(t, "--yes", "--no-tidy", "--dir", dir)
	config := filepath.Join(dir, ConfigFile)
	edit(t, config, "enable_password_reset = true", "enable_password_reset = false # ours")
	r := mustGen(t, "--upgrade", "--no-tidy", "--dir", dir, "--set", "features.password_reset=false")
	if !strings.Contains(r.stdout, "edit        regstack.toml  (commented out enable_password_reset: this host no longer reads them)") {
		t.Errorf("report:\n%s", r.stdout)
	}
	got := string(readFile(t, config))
	if !strings.Contains(got, "\n# enable_password_reset = false # ours\n") || strings.Contains(got, "\nenable_password_reset") {
		t.Errorf("regstack.toml after turning password reset off:\n%s", got)
	}
	// Turning it back on leaves the commented line alone: the default
	// applies until the operator uncomments it.
	mustGen(t, "--upgrade", "--no-tidy", "--dir", dir, "--set", "features.password_reset=true")
	if again := string(readFile(t, config)); again != got {
		t.Errorf("regstack.toml changed when the feature came back:\n%s", again)
	}
}
