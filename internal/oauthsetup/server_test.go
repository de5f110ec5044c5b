package oauthsetup

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regstack/regstack/internal/hostfiles"
)

type wizardFixture struct {
	dir string
	wz  *Wizard
	srv *httptest.Server
}

func newWizard(t *testing.T, config string, o Options) *wizardFixture {
	t.Helper()
	o.Dir = writeHost(t, config, "")
	wz, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(wz.Handler())
	t.Cleanup(srv.Close)
	return &wizardFixture{dir: o.Dir, wz: wz, srv: srv}
}

func (f *wizardFixture) url(path string) string { return f.srv.URL + "/" + f.wz.Token() + "/" + path }

func do(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// post sends the form as a same-origin browser does.
func (f *wizardFixture) post(t *testing.T, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.url(path), strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return do(t, req)
}

func validForm() url.Values {
	return url.Values{
		"action": {"save"}, "base_url": {"https://app.example.com/"},
		"client_id": {"123-abc.apps.googleusercontent.com"}, "client_secret": {"GOCSPX-wizard-secret"},
	}
}

func TestWizardToken(t *testing.T) {
	f := newWizard(t, commentedConfig, Options{})
	for _, path := range []string{"/", "/nope/", "/static/wizard.css", "/api/done", "/" + f.wz.Token() + "x/"} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			req, _ := http.NewRequest(method, f.srv.URL+path, nil)
			if res, _ := do(t, req); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s without the token: %d, want 403", method, path, res.StatusCode)
			}
		}
	}
	select {
	case <-f.wz.Done():
		t.Error("a POST without the token stopped the wizard")
	default:
	}
}

func TestWizardForm(t *testing.T) {
	f := newWizard(t, commentedConfig, Options{})
	req, _ := http.NewRequest(http.MethodGet, f.url(""), nil)
	res, body := do(t, req)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET: %d\n%s", res.StatusCode, body)
	}
	if got := res.Header.Get("Content-Security-Policy"); got != CSP {
		t.Errorf("CSP %q", got)
	}
	for _, want := range []string{
		`<code class="paste" id="origin">https://app.example.com</code>`,
		`<code class="paste" id="redirect">https://app.example.com/auth/oauth/google/callback</code>`,
		`<label for="client_id">`, `<label for="client_secret">`, `<label for="base_url">`, `<label for="auto_link">`,
		`href="/` + f.wz.Token() + `/static/wizard.css"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	if strings.Contains(body, "<script") || strings.Contains(body, "style=") {
		t.Error("the page has a script or an inline style")
	}
	req, _ = http.NewRequest(http.MethodGet, f.url("static/wizard.css"), nil)
	if res, css := do(t, req); res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || !strings.Contains(css, "prefers-color-scheme") {
		t.Errorf("stylesheet: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	// Another base URL recomputes the addresses without writing.
	res, body = f.post(t, "", url.Values{"action": {"refresh"}, "base_url": {"https://prod.example.com"}})
	if res.StatusCode != 200 || !strings.Contains(body, `id="redirect">https://prod.example.com/auth/oauth/google/callback<`) {
		t.Errorf("refresh: %d\n%s", res.StatusCode, body)
	}
	if got, _ := os.ReadFile(filepath.Join(f.dir, hostfiles.ConfigFile)); string(got) != commentedConfig {
		t.Error("refresh wrote regstack.toml")
	}
}

func TestWizardInvalid(t *testing.T) {
	f := newWizard(t, commentedConfig, Options{})
	form := validForm()
	form.Set("client_id", "nope")
	form.Set("client_secret", "short-but-secret-ish")
	form.Set("base_url", "ftp://x")
	res, body := f.post(t, "", form)
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("invalid form: %d, want 422", res.StatusCode)
	}
	for _, want := range []string{
		`id="client_id-error"`, "Client ID must end with .apps.googleusercontent.com.",
		`aria-describedby="client_id-hint client_id-error" aria-invalid="true"`,
		`id="base_url-error"`, "URL must start with http:// or https://.",
		"Enter the client secret again",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("answer lacks %s", want)
		}
	}
	if strings.Contains(body, "short-but-secret-ish") {
		t.Error("the page echoes the secret")
	}
	if got, _ := os.ReadFile(filepath.Join(f.dir, hostfiles.ConfigFile)); string(got) != commentedConfig {
		t.Error("an invalid form wrote regstack.toml")
	}
	if _, err := os.Stat(filepath.Join(f.dir, hostfiles.SecretsFile)); !errors.Is(err, os.ErrNotExist) {
		t.Error("an invalid form wrote the secrets file")
	}
}

func TestWizardCrossSite(t *testing.T) {
	f := newWizard(t, commentedConfig, Options{})
	req, _ := http.NewRequest(http.MethodPost, f.url(""), strings.NewReader(validForm().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if res, _ := do(t, req); res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d, want 403", res.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodPost, f.url(""), strings.NewReader(validForm().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if res, _ := do(t, req); res.StatusCode != http.StatusForbidden {
		t.Errorf("POST from another Origin: %d, want 403", res.StatusCode)
	}
	if got, _ := os.ReadFile(filepath.Join(f.dir, hostfiles.ConfigFile)); string(got) != commentedConfig {
		t.Error("a cross-site POST wrote regstack.toml")
	}
}

func TestWizardSave(t *testing.T) {
	f := newWizard(t, commentedConfig, Options{})
	form := validForm()
	form.Set("auto_link", "on")
	res, body := f.post(t, "", form)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "<h1>Saved</h1>") {
		t.Fatalf("save: %d\n%s", res.StatusCode, body)
	}
	if strings.Contains(body, "GOCSPX") {
		t.Error("the saved page shows the secret")
	}
	config, _ := os.ReadFile(filepath.Join(f.dir, hostfiles.ConfigFile))
	for _, want := range []string{"enable_oauth = true # not yet", `google_client_id = "123-abc.apps.googleusercontent.com"`, "auto_link_verified_emails = true", `google_issuer = "http://127.0.0.1:9/issuer"`, "[sms]"} {
		if !strings.Contains(string(config), want) {
			t.Errorf("regstack.toml lacks %s:\n%s", want, config)
		}
	}
	secrets, _ := os.ReadFile(filepath.Join(f.dir, hostfiles.SecretsFile))
	if string(secrets) != SecretEnv+"=GOCSPX-wizard-secret\n" {
		t.Errorf("secrets file %q", secrets)
	}

	// Now there is a client: another one needs the confirmation.
	form.Set("client_id", "456-def.apps.googleusercontent.com")
	res, body = f.post(t, "", form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Confirm you want to replace the existing Google client.") {
		t.Errorf("replacing without confirmation: %d\n%s", res.StatusCode, body)
	}
	form.Set("confirm_replace", "on")
	if res, body = f.post(t, "", form); res.StatusCode != http.StatusOK || !strings.Contains(body, "The previous Google client was replaced.") {
		t.Errorf("replacing with confirmation: %d\n%s", res.StatusCode, body)
	}

	res, body = f.post(t, "api/done", nil)
	if res.StatusCode != 200 || !strings.Contains(body, "stopped") {
		t.Errorf("done: %d\n%s", res.StatusCode, body)
	}
	select {
	case <-f.wz.Done():
	default:
		t.Error("done did not stop the wizard")
	}
}

// TestWizardUpgrade: a package generated without Google needs the
// upgrade ticked; the upgrade runs before the files are written.
func TestWizardUpgrade(t *testing.T) {
	var upgraded bool
	var dir string
	f := newWizard(t, commentedConfig, Options{Upgrade: func(_ context.Context, out io.Writer) error {
		upgraded = true
		io.WriteString(out, "upgrade regstack v1 → v2: 3 added\n")
		return os.WriteFile(filepath.Join(dir, ".regstack", "answers.toml"), []byte("[features]\ngoogle = true\n"), 0o644)
	}})
	dir = f.dir
	if err := os.MkdirAll(filepath.Join(dir, ".regstack"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".regstack", "answers.toml"), []byte("[features]\ngoogle = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, body := f.post(t, "", validForm())
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="upgrade-error"`) || upgraded {
		t.Errorf("without the upgrade ticked: %d, upgraded %v\n%s", res.StatusCode, upgraded, body)
	}
	form := validForm()
	form.Set("upgrade", "on")
	res, body = f.post(t, "", form)
	if res.StatusCode != http.StatusOK || !upgraded || !strings.Contains(body, "3 added") {
		t.Errorf("with the upgrade: %d, upgraded %v\n%s", res.StatusCode, upgraded, body)
	}
}

func TestCheckDiscovery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/good/.well-known/openid-configuration":
			io.WriteString(w, `{"issuer": "x", "authorization_endpoint": "y"}`)
		case "/html/.well-known/openid-configuration":
			io.WriteString(w, "<html>")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	for path, want := range map[string]string{"/good": "pass", "/good/": "pass", "/html": "warn", "/missing": "warn"} {
		if c := CheckDiscovery(context.Background(), srv.Client(), srv.URL+path); string(c.Status) != want {
			t.Errorf("%s: %s (%s), want %s", path, c.Status, c.Detail, want)
		}
	}
}
