package e2e

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/regstack/regstack/e2e/internal/proc"
)

// TestOAuthSetup generates a host with Sign in with Google, points its
// issuer at a local discovery document, runs `regstack oauth setup
// --no-open` and drives the wizard in Chromium with page scripts off: a
// request without the URL's token is refused; the page shows the exact
// origin and redirect URI; a bad client ID comes back with the error next
// to its field and nothing written; a good one is saved, the discovery
// check passes, and both host files hold the client (regstack.toml
// otherwise byte for byte as it was, the secrets file 0600); Done stops
// the command. Each page is captured (light, dark, 1280 and 375 px) with
// the accessibility and CSP checks.
func TestOAuthSetup(t *testing.T) {
	bin := regstack(t)
	host := filepath.Join(t.TempDir(), "host")
	mustRun(t, fx.work, genTimeout, bin, "gen", "--yes", "--no-tidy", "--google", "--dir", host)

	discovery := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"issuer": "http://`+r.Host+`", "authorization_endpoint": "http://`+r.Host+`/auth"}`)
	}))
	defer discovery.Close()
	configPath := filepath.Join(host, "regstack.toml")
	secretsPath := filepath.Join(host, "regstack.secrets.env")
	const issuerLine = `# google_issuer = "https://accounts.google.com"`
	config := readHostFile(t, configPath)
	if !strings.Contains(config, issuerLine) {
		t.Fatalf("the generated regstack.toml has no line %s", issuerLine)
	}
	config = strings.Replace(config, issuerLine, `google_issuer = "`+discovery.URL+`"`, 1)
	writeFile(t, configPath, config)
	secrets := readHostFile(t, secretsPath)

	w := startOAuthWizard(t, bin, host)
	u := strings.TrimSuffix(w.url, "/")
	base := u[:strings.LastIndex(u, "/")]
	for _, bad := range []string{base + "/", base + "/not-the-token/", base + "/static/wizard.css"} {
		resp, err := http.Get(bad)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s (without the token): %d, want 403", bad, resp.StatusCode)
		}
	}

	p := browserTab(t)
	if status := p.open(w.url); status != http.StatusOK {
		t.Fatalf("GET the wizard: %d", status)
	}
	if got := p.text("#origin"); got != "http://127.0.0.1:8000" {
		t.Errorf("JavaScript origin %q", got)
	}
	const redirect = "http://127.0.0.1:8000/api/auth/oauth/google/callback"
	if got := p.text("#redirect"); got != redirect {
		t.Errorf("redirect URI %q, want %s", got, redirect)
	}
	p.capture("form")

	p.fill("#client_id", "not-a-google-client")
	p.fill("#client_secret", "GOCSPX-e2e-secret-1")
	if status := p.submitLabelled("Save"); status != http.StatusUnprocessableEntity {
		t.Errorf("save with a bad client ID: %d, want 422", status)
	}
	if got := p.text("#client_id-error"); !strings.Contains(got, "Client ID must end with .apps.googleusercontent.com.") {
		t.Errorf("client ID error %q", got)
	}
	if got := p.attr("#client_id", "aria-describedby"); !strings.Contains(got, "client_id-error") {
		t.Errorf("the client ID field is not described by its error: %q", got)
	}
	if got := eval[string](p, "the secret field", `document.getElementById("client_secret").value`); got != "" {
		t.Errorf("the secret came back into the page: %q", got)
	}
	p.capture("errors")
	if readHostFile(t, configPath) != config || readHostFile(t, secretsPath) != secrets {
		t.Error("a refused save changed the host files")
	}

	const clientID = "123-e2e.apps.googleusercontent.com"
	p.fill("#client_id", clientID)
	p.fill("#client_secret", "GOCSPX-e2e-secret-2")
	p.do("tick auto-link", chromedp.Click(chromedp.ID("auto_link"), chromedp.NodeVisible))
	if status := p.submitLabelled("Save"); status != http.StatusOK {
		t.Fatalf("save: %d, want 200 (%s)", status, p.text("main"))
	}
	if got := p.attr("#discovery", "class"); got != "outcome pass" {
		t.Errorf("discovery check: class %q, %s", got, p.text("#discovery"))
	}
	if strings.Contains(p.text("main"), "GOCSPX") {
		t.Error("the saved page shows the secret")
	}
	p.capture("saved")

	want := strings.NewReplacer(
		`google_client_id = ""`, `google_client_id = "`+clientID+`"`,
		"auto_link_verified_emails = false", "auto_link_verified_emails = true",
	).Replace(config)
	if got := readHostFile(t, configPath); got != want {
		t.Errorf("regstack.toml after the save is not the original with the two settings changed:\n%s", got)
	}
	if got := readHostFile(t, secretsPath); got != secrets+"REGSTACK_OAUTH__GOOGLE_CLIENT_SECRET=GOCSPX-e2e-secret-2\n" {
		t.Errorf("regstack.secrets.env after the save:\n%s", strings.ReplaceAll(got, "GOCSPX", "<secret>"))
	}
	if fi, err := os.Stat(secretsPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("regstack.secrets.env: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}

	if status := p.submitLabelled("Done: stop the wizard"); status != http.StatusOK {
		t.Errorf("done: %d", status)
	}
	select {
	case <-w.exited:
		if w.err != nil {
			t.Errorf("regstack oauth setup after Done: %v\n%s", w.err, w.output.String())
		}
	case <-time.After(10 * time.Second):
		t.Errorf("regstack oauth setup still runs 10 s after Done:\n%s", w.output.String())
	}
	if strings.Contains(w.output.String(), "GOCSPX") {
		t.Error("the command's output holds the secret")
	}
}

// oauthWizard is a running `regstack oauth setup`.
type oauthWizard struct {
	url    string
	output *proc.Output
	exited chan struct{}
	err    error // valid once exited is closed
}

// startOAuthWizard starts `regstack oauth setup --dir host --no-open` and
// waits for the URL it prints. It is killed at cleanup if still running.
func startOAuthWizard(t *testing.T, bin, host string) *oauthWizard {
	t.Helper()
	cmd := exec.Command(bin, "oauth", "setup", "--dir", host, "--no-open")
	cmd.Env = childEnv()
	w := &oauthWizard{output: &proc.Output{}, exited: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = w.output
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			w.output.Write([]byte(line + "\n"))
			if rest, ok := strings.CutPrefix(line, "Wizard URL: "); ok {
				select {
				case urls <- strings.TrimSpace(rest):
				default:
				}
			}
		}
		w.err = cmd.Wait()
		close(w.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-w.exited:
		default:
			cmd.Process.Kill()
			<-w.exited
		}
	})
	select {
	case w.url = <-urls:
	case <-w.exited:
		t.Fatalf("regstack oauth setup exited before printing its URL: %v\n%s", w.err, w.output.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("regstack oauth setup printed no URL within 30 s:\n%s", w.output.String())
	}
	return w
}
