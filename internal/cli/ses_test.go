package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sesHostDir makes a host folder with a small regstack.toml.
func sesHostDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	config := `# Demo settings.
app_name = "Demo"

[email]
# How mail leaves.
backend = "console"
from_address = "noreply@example.com"
# from_name = ""

[sms]
backend = "null"
`
	if err := os.WriteFile(filepath.Join(dir, "regstack.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// offlineAWS keeps the checks away from the machine's AWS setup and from
// AWS itself: static credentials and an endpoint nothing listens on, so
// every check after the region fails fast on credentials.
func offlineAWS(t *testing.T) string {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	return "http://127.0.0.1:1"
}

func TestSESSetupUsageErrors(t *testing.T) {
	dir := sesHostDir(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--access-key-id", "AKIA"}, "go together"},
		{[]string{"--profile", "p", "--access-key-id", "AKIA", "--secret-access-key-file", "-"}, "exclude each other"},
		{[]string{"--from-address", "Demo <a@example.com>"}, "bare address"},
		{[]string{"--dir", t.TempDir()}, "has no regstack.toml"},
		{[]string{"--access-key-id", "AKIA", "--secret-access-key-file", filepath.Join(dir, "missing")}, "--secret-access-key-file"},
		{[]string{"--nope"}, "unknown flag"},
	}
	for _, tt := range tests {
		args := append([]string{"ses", "setup", "--headless", "--dir", dir}, tt.args...)
		r := runCLI(t, "", args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "regstack.toml")); !strings.Contains(string(got), `backend = "console"`) {
		t.Error("a usage error wrote regstack.toml")
	}
}

// TestSESSetupForm answers the form from a pipe (huh's accessible mode)
// and checks what is written, whatever the (offline) checks found.
func TestSESSetupForm(t *testing.T) {
	endpoint := offlineAWS(t)
	dir := sesHostDir(t)
	// region, from address (empty keeps it), from name, credentials (3:
	// an access key), configuration set, test recipient; then key id and
	// secret.
	stdin := "eu-west-1\n\nDemo Mail\n3\n\n\nAKIAFORM\ns3cret/form\n"
	r := runCLI(t, stdin, "ses", "setup", "--dir", dir, "--endpoint", endpoint)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (credentials fail offline)\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "✘ credentials") || strings.Contains(r.stdout+r.stderr, "s3cret/form") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	config, err := os.ReadFile(filepath.Join(dir, "regstack.toml"))
	if err != nil {
		t.Fatal(err)
	}
	want := `# Demo settings.
app_name = "Demo"

[email]
# How mail leaves.
backend = "ses"
from_address = "noreply@example.com"
from_name = "Demo Mail"
ses_region = "eu-west-1"

[sms]
backend = "null"
`
	if string(config) != want {
		t.Errorf("regstack.toml:\n%s\nwant:\n%s", config, want)
	}
	secrets, err := os.ReadFile(filepath.Join(dir, "regstack.secrets.env"))
	if err != nil {
		t.Fatal(err)
	}
	if string(secrets) != "REGSTACK_EMAIL__SES_ACCESS_KEY_ID=AKIAFORM\nREGSTACK_EMAIL__SES_SECRET_ACCESS_KEY=s3cret/form\n" {
		t.Errorf("regstack.secrets.env:\n%s", secrets)
	}
	if fi, err := os.Stat(filepath.Join(dir, "regstack.secrets.env")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secrets file: %v %v", fi.Mode(), err)
	}
}

// TestSESSetupSwitchToProfile moves a host from explicit keys to a profile:
// the keys in the secrets file are commented out, not left to clash.
func TestSESSetupSwitchToProfile(t *testing.T) {
	endpoint := offlineAWS(t)
	dir := sesHostDir(t)
	secretsPath := filepath.Join(dir, "regstack.secrets.env")
	if err := os.WriteFile(secretsPath, []byte("REGSTACK_JWT_SECRET=x\nREGSTACK_EMAIL__SES_ACCESS_KEY_ID=AKIA\nREGSTACK_EMAIL__SES_SECRET_ACCESS_KEY=old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", "ses", "setup", "--headless", "--dir", dir, "--endpoint", endpoint, "--region", "eu-west-1", "--profile", "mail", "--dry-run")
	if strings.Contains(r.stdout, "=old") || !strings.Contains(r.stdout, "+# REGSTACK_EMAIL__SES_SECRET_ACCESS_KEY=<hidden>") {
		t.Errorf("dry run:\n%s", r.stdout)
	}
	if got, _ := os.ReadFile(secretsPath); !strings.Contains(string(got), "\nREGSTACK_EMAIL__SES_SECRET_ACCESS_KEY=old\n") {
		t.Error("--dry-run wrote the secrets file")
	}
	runCLI(t, "", "ses", "setup", "--headless", "--dir", dir, "--endpoint", endpoint, "--region", "eu-west-1", "--profile", "mail")
	got, _ := os.ReadFile(secretsPath)
	if string(got) != "REGSTACK_JWT_SECRET=x\n# REGSTACK_EMAIL__SES_ACCESS_KEY_ID=AKIA\n# REGSTACK_EMAIL__SES_SECRET_ACCESS_KEY=old\n" {
		t.Errorf("regstack.secrets.env:\n%s", got)
	}
	if fi, _ := os.Stat(secretsPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("secrets file mode %04o, want 0600", fi.Mode().Perm())
	}
	config, _ := os.ReadFile(filepath.Join(dir, "regstack.toml"))
	if !strings.Contains(string(config), "ses_profile = \"mail\"\n") {
		t.Errorf("regstack.toml:\n%s", config)
	}
}

// TestSESSetupRefusesUneditableConfig: an [email] written as an inline
// table cannot be edited line by line; nothing is written and the checks
// do not run.
func TestSESSetupRefusesUneditableConfig(t *testing.T) {
	endpoint := offlineAWS(t)
	dir := t.TempDir()
	config := "email = { backend = \"smtp\", from_address = \"a@example.com\" }\n"
	if err := os.WriteFile(filepath.Join(dir, "regstack.toml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", "ses", "setup", "--headless", "--dir", dir, "--endpoint", endpoint, "--region", "eu-west-1")
	if r.code != exitError || !strings.Contains(r.stderr, "edit it by hand") || r.stdout != "" {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "regstack.toml")); string(got) != config {
		t.Errorf("regstack.toml changed:\n%s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "regstack.secrets.env")); err == nil {
		t.Error("a secrets file was written")
	}
}
