package cli

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const oauthHostConfig = `# Demo settings.
app_name = "Demo"
base_url = "http://localhost:8000"

[oauth]
# Filled in by regstack oauth setup.
google_client_id = ""
google_issuer = "http://127.0.0.1:1/issuer"
`

// oauthHostDir makes a host folder with a small commented regstack.toml.
func oauthHostDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "regstack.toml"), []byte(oauthHostConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestOAuthSetupInvalid(t *testing.T) {
	dir := oauthHostDir(t)
	r := runCLI(t, "short\n", "oauth", "setup", "--headless", "--dir", dir, "--client-id", "nope", "--client-secret-file", "-", "--base-url", "ftp://x")
	if r.code != exitUsage {
		t.Errorf("exit %d, want 2\n%s", r.code, r.stderr)
	}
	for _, want := range []string{
		"validation failed; nothing was written",
		"  - base_url: URL must start with http:// or https://.",
		"  - client_id: Client ID must end with .apps.googleusercontent.com.",
		"  - client_secret: Client secret length must be 8 to 128 characters.",
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if got := readFile(t, filepath.Join(dir, "regstack.toml")); string(got) != oauthHostConfig {
		t.Error("invalid input wrote regstack.toml")
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--client-secret-file", "-"}, "--client-secret-file works only with --headless"},
		{[]string{"--headless", "--port", "70000"}, "not a port number"},
		{[]string{"--headless", "--dir", t.TempDir()}, "has no regstack.toml"},
		{[]string{"--headless", "--client-secret-file", filepath.Join(dir, "missing")}, "--client-secret-file"},
	} {
		r := runCLI(t, "", append([]string{"oauth", "setup", "--dir", dir}, tt.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, r.code, r.stderr, tt.want)
		}
	}
}

func TestOAuthSetupDryRunJSON(t *testing.T) {
	dir := oauthHostDir(t)
	r := runCLI(t, "GOCSPX-from-stdin\n", "oauth", "setup", "--dry-run", "--json", "--dir", dir,
		"--client-id", "123-abc.apps.googleusercontent.com", "--client-secret-file", "-", "--auto-link")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	keys := slices.Sorted(maps.Keys(got))
	if want := []string{"config_diff", "config_path", "dry_run", "redirect_uri", "replaced_existing", "secrets_diff", "secrets_path"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	if got["config_path"] != filepath.Join(dir, "regstack.toml") || got["secrets_path"] != filepath.Join(dir, "regstack.secrets.env") ||
		got["dry_run"] != true || got["replaced_existing"] != false || got["redirect_uri"] != "http://localhost:8000/api/auth/oauth/google/callback" {
		t.Errorf("values: %v", got)
	}
	for _, want := range []string{`+enable_oauth = true`, `+google_client_id = "123-abc.apps.googleusercontent.com"`, `+auto_link_verified_emails = true`} {
		if !strings.Contains(got["config_diff"].(string), want) {
			t.Errorf("config_diff lacks %s:\n%s", want, got["config_diff"])
		}
	}
	if s := got["secrets_diff"].(string); !strings.Contains(s, "+REGSTACK_OAUTH__GOOGLE_CLIENT_SECRET=<hidden") || strings.Contains(s, "GOCSPX") {
		t.Errorf("secrets_diff:\n%s", s)
	}
	if strings.Contains(r.stdout+r.stderr, "GOCSPX") {
		t.Error("the output holds the secret")
	}
	if got := readFile(t, filepath.Join(dir, "regstack.toml")); string(got) != oauthHostConfig {
		t.Error("--dry-run wrote regstack.toml")
	}
	if _, err := os.Stat(filepath.Join(dir, "regstack.secrets.env")); err == nil {
		t.Error("--dry-run wrote regstack.secrets.env")
	}
}

func TestOAuthSetupHeadless(t *testing.T) {
	dir := oauthHostDir(t)
	secret := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(secret, []byte("GOCSPX-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", "oauth", "setup", "--headless", "--dir", dir, "--client-id", "123-abc.apps.googleusercontent.com", "--client-secret-file", secret)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"wrote regstack.toml: enable_oauth added, oauth.google_client_id replaced, oauth.auto_link_verified_emails added",
		"wrote regstack.secrets.env (mode 0600): REGSTACK_OAUTH__GOOGLE_CLIENT_SECRET added",
		"redirect URI to register with Google: http://localhost:8000/api/auth/oauth/google/callback"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	config := string(readFile(t, filepath.Join(dir, "regstack.toml")))
	if !strings.Contains(config, "# Filled in by regstack oauth setup.\ngoogle_client_id = \"123-abc.apps.googleusercontent.com\"\ngoogle_issuer") {
		t.Errorf("regstack.toml:\n%s", config)
	}
	if fi, err := os.Stat(filepath.Join(dir, "regstack.secrets.env")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secrets file: %v %v", err, fi)
	}

	// The answers say the package has no Google: --upgrade is needed.
	if err := os.MkdirAll(filepath.Join(dir, ".regstack"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".regstack", "answers.toml"), []byte("[features]\ngoogle = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runCLI(t, "", "oauth", "setup", "--headless", "--dir", dir, "--auto-link")
	if r.code != exitUsage || !strings.Contains(r.stderr, "add --upgrade") {
		t.Errorf("package without Google: exit %d\n%s", r.code, r.stderr)
	}
}
