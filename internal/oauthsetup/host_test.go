package oauthsetup

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/regstack/regstack/internal/configkeys"
	"github.com/regstack/regstack/internal/hostfiles"
)

// commentedConfig is a hand-edited regstack.toml: comments, trailing
// comments, odd key order, settings regstack does not manage and tables on
// both sides of [oauth].
const commentedConfig = `# My app's settings.
app_name = "Demo"   # shown in mail
base_url = "https://app.example.com/"
api_prefix = "/auth"
enable_oauth = false # not yet

[email]
# How mail leaves.
backend = "console"

[oauth]
# The client registered with Google.
google_client_id = ""
# google_redirect_uri = ""
google_issuer = "http://127.0.0.1:9/issuer"
state_ttl_seconds = 600  # slow users

[sms]
backend = "null"
`

func writeHost(t *testing.T, config, secrets string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, hostfiles.ConfigFile), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	if secrets != "" {
		if err := os.WriteFile(filepath.Join(dir, hostfiles.SecretsFile), []byte(secrets), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readHost(t *testing.T, dir string) *Host {
	t.Helper()
	h, err := ReadHost(dir)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSecretEnvIsTheConfigKeys(t *testing.T) {
	for _, k := range configkeys.Keys() {
		if k.Name == "oauth.google_client_secret" {
			if k.Env() != SecretEnv {
				t.Errorf("SecretEnv = %s, the config reads %s", SecretEnv, k.Env())
			}
			return
		}
	}
	t.Error("configkeys has no oauth.google_client_secret")
}

func TestReadHost(t *testing.T) {
	h := readHost(t, writeHost(t, commentedConfig, ""))
	if h.BaseURL != "https://app.example.com/" || h.APIPrefix != "/auth" || h.Issuer != "http://127.0.0.1:9/issuer" || h.UIPrefix != "/account" {
		t.Errorf("settings = %q %q %q %q", h.BaseURL, h.APIPrefix, h.Issuer, h.UIPrefix)
	}
	if h.HaveSecret || h.Secrets != nil || h.NeedsGoogle {
		t.Errorf("HaveSecret %v, Secrets %q, NeedsGoogle %v; want none", h.HaveSecret, h.Secrets, h.NeedsGoogle)
	}
	if got := h.EffectiveRedirectURI(h.Defaults()); got != "https://app.example.com/auth/oauth/google/callback" {
		t.Errorf("redirect URI = %s", got)
	}

	// Defaults of the generated app where the file says nothing.
	h = readHost(t, writeHost(t, "app_name = \"x\"\n", ""))
	if h.BaseURL != "http://localhost:8000" || h.APIPrefix != "/api/auth" || h.Issuer != "https://accounts.google.com" {
		t.Errorf("defaults = %q %q %q", h.BaseURL, h.APIPrefix, h.Issuer)
	}

	dir := writeHost(t, commentedConfig, "")
	if err := os.MkdirAll(filepath.Join(dir, ".regstack"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".regstack", "answers.toml"), []byte("app_name = \"Demo\"\n[features]\ngoogle = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !readHost(t, dir).NeedsGoogle {
		t.Error("answers with google = false: NeedsGoogle is false")
	}

	if _, err := ReadHost(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no regstack.toml") {
		t.Errorf("a folder without regstack.toml: %v", err)
	}
}

// TestPlanKeepsEverythingElse merges into a commented regstack.toml: only
// the managed lines change, every other byte is kept.
func TestPlanKeepsEverythingElse(t *testing.T) {
	dir := writeHost(t, commentedConfig, "")
	h := readHost(t, dir)
	in := h.Defaults()
	in.ClientID, in.ClientSecret, in.AutoLink = "123-abc.apps.googleusercontent.com", "GOCSPX-s3cret", true
	p, err := h.Plan(in)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.NewReplacer(
		"enable_oauth = false # not yet", "enable_oauth = true # not yet",
		`google_client_id = ""`, `google_client_id = "123-abc.apps.googleusercontent.com"`,
		"state_ttl_seconds = 600  # slow users\n", "state_ttl_seconds = 600  # slow users\nauto_link_verified_emails = true\n",
	).Replace(commentedConfig)
	if string(p.Config) != want {
		t.Errorf("regstack.toml after the merge:\n%s\nwant:\n%s\ndiff:\n%s", p.Config, want, p.ConfigDiff)
	}
	if p.ReplacedExisting {
		t.Error("ReplacedExisting for a host without a client")
	}
	if p.RedirectURI != "https://app.example.com/auth/oauth/google/callback" {
		t.Errorf("RedirectURI = %s", p.RedirectURI)
	}
	if got := Summary(p.ConfigChanges); got != "enable_oauth replaced, oauth.google_client_id replaced, oauth.auto_link_verified_emails added" {
		t.Errorf("changes: %s", got)
	}
	if strings.Contains(string(p.SecretsDiff), "GOCSPX") || strings.Contains(string(p.ConfigDiff), "GOCSPX") {
		t.Errorf("a diff shows the secret:\n%s%s", p.ConfigDiff, p.SecretsDiff)
	}
	if err := p.Write(dir); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, hostfiles.ConfigFile)); string(got) != want {
		t.Errorf("written regstack.toml differs from the plan:\n%s", got)
	}

	// Merging the same input again changes nothing.
	p, err = readHost(t, dir).Plan(in)
	if err != nil {
		t.Fatal(err)
	}
	if p.ConfigDiff != nil || p.SecretsDiff != nil || p.ReplacedExisting {
		t.Errorf("a second identical merge changes:\n%s%s", p.ConfigDiff, p.SecretsDiff)
	}
}

func TestPlanRedirectURI(t *testing.T) {
	pinned := strings.Replace(commentedConfig, `# google_redirect_uri = ""`, `google_redirect_uri = "https://old.example.com/cb"`, 1)
	tests := []struct {
		name, config string
		edit         func(*Input)
		line         string // the google_redirect_uri line after the merge
		redirect     string
	}{
		{"computed stays computed", commentedConfig, func(*Input) {}, `# google_redirect_uri = ""`, "https://app.example.com/auth/oauth/google/callback"},
		{"custom is written", commentedConfig, func(in *Input) { in.RedirectURI = "https://auth.example.com/cb" },
			`google_redirect_uri = "https://auth.example.com/cb"`, "https://auth.example.com/cb"},
		{"another base URL pins its redirect", commentedConfig, func(in *Input) { in.BaseURL = "https://prod.example.com" },
			`google_redirect_uri = "https://prod.example.com/auth/oauth/google/callback"`, "https://prod.example.com/auth/oauth/google/callback"},
		{"the same base URL without its slash pins nothing", commentedConfig, func(in *Input) { in.BaseURL = "https://app.example.com" },
			`# google_redirect_uri = ""`, "https://app.example.com/auth/oauth/google/callback"},
		{"a pinned one is kept", pinned, func(*Input) {}, `google_redirect_uri = "https://old.example.com/cb"`, "https://old.example.com/cb"},
		{"emptied, a pinned one is commented out", pinned, func(in *Input) { in.RedirectURI = "" },
			`# google_redirect_uri = "https://old.example.com/cb"`, "https://app.example.com/auth/oauth/google/callback"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := readHost(t, writeHost(t, tt.config, ""))
			in := h.Defaults()
			in.ClientID, in.ClientSecret = "1.apps.googleusercontent.com", "GOCSPX-s3cret"
			tt.edit(&in)
			p, err := h.Plan(in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(strings.Split(string(p.Config), "\n"), tt.line) {
				t.Errorf("no line %q in:\n%s", tt.line, p.Config)
			}
			if p.RedirectURI != tt.redirect {
				t.Errorf("RedirectURI = %s, want %s", p.RedirectURI, tt.redirect)
			}
		})
	}
}

func TestPlanAddsMissingTable(t *testing.T) {
	config := "# Mine.\napp_name = \"Demo\"\n\n[email]\nbackend = \"console\"\n"
	h := readHost(t, writeHost(t, config, ""))
	in := h.Defaults()
	in.ClientID, in.ClientSecret = "1.apps.googleusercontent.com", "GOCSPX-s3cret"
	p, err := h.Plan(in)
	if err != nil {
		t.Fatal(err)
	}
	want := "# Mine.\napp_name = \"Demo\"\nenable_oauth = true\n\n[email]\nbackend = \"console\"\n\n[oauth]\ngoogle_client_id = \"1.apps.googleusercontent.com\"\nauto_link_verified_emails = false\n"
	if string(p.Config) != want {
		t.Errorf("got:\n%s\nwant:\n%s", p.Config, want)
	}
}

// TestSecretsFile: the secret replaces its line in place, every other
// line stays, and the file ends up 0600 even when it was looser.
func TestSecretsFile(t *testing.T) {
	secrets := "# Keep out of git.\nREGSTACK_JWT_SECRET=jwt\nREGSTACK_OAUTH__GOOGLE_CLIENT_SECRET=old-secret-1\n# trailing note\nREGSTACK_OTHER=x\n"
	config := strings.Replace(commentedConfig, `google_client_id = ""`, `google_client_id = "old.apps.googleusercontent.com"`, 1)
	dir := writeHost(t, config, secrets)
	h := readHost(t, dir)
	if !h.HaveSecret || h.ClientID != "old.apps.googleusercontent.com" {
		t.Fatalf("HaveSecret %v, ClientID %q", h.HaveSecret, h.ClientID)
	}
	in := h.Defaults()
	in.ClientSecret = "new-secret-2"
	p, err := h.Plan(in)
	if err != nil {
		t.Fatal(err)
	}
	if !p.ReplacedExisting {
		t.Error("replacing the secret: ReplacedExisting is false")
	}
	if err := p.Write(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, hostfiles.SecretsFile)
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(secrets, "old-secret-1", "new-secret-2", 1); string(got) != want {
		t.Errorf("secrets file:\n%s\nwant:\n%s", got, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("secrets file mode %o, want 600", fi.Mode().Perm())
	}
	if strings.Contains(string(p.SecretsDiff), "secret-") {
		t.Errorf("the secrets diff shows a value:\n%s", p.SecretsDiff)
	}

	// An empty secret keeps the file as it is.
	h = readHost(t, dir)
	in = h.Defaults()
	in.ClientID = "new.apps.googleusercontent.com"
	if p, err = h.Plan(in); err != nil {
		t.Fatal(err)
	}
	if p.SecretsDiff != nil || !p.ReplacedExisting {
		t.Errorf("new client ID, no secret: secrets diff %q, ReplacedExisting %v", p.SecretsDiff, p.ReplacedExisting)
	}

	// A host without a secrets file gets a new one at 0600.
	dir = writeHost(t, commentedConfig, "")
	h = readHost(t, dir)
	in = h.Defaults()
	in.ClientID, in.ClientSecret = "1.apps.googleusercontent.com", "GOCSPX-s3cret"
	if p, err = h.Plan(in); err != nil {
		t.Fatal(err)
	}
	if err := p.Write(dir); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, hostfiles.SecretsFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new secrets file: %v, mode %v", err, fi)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, hostfiles.SecretsFile)); string(got) != SecretEnv+"=GOCSPX-s3cret\n" {
		t.Errorf("new secrets file: %q", got)
	}
}

// TestPlanRefusesWhatItCannotEdit: an [oauth] written as an inline table
// is not rewritten behind the operator's back.
func TestPlanRefusesWhatItCannotEdit(t *testing.T) {
	h := readHost(t, writeHost(t, "app_name = \"x\"\noauth = { google_client_id = \"\" }\n", ""))
	in := h.Defaults()
	in.ClientID, in.ClientSecret = "1.apps.googleusercontent.com", "GOCSPX-s3cret"
	if _, err := h.Plan(in); err == nil || !strings.Contains(err.Error(), "by hand") {
		t.Errorf("inline [oauth]: %v, want a request to edit by hand", err)
	}
}
