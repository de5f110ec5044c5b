package theme

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixtureHost copies testdata/host (page templates in the layout of
// docs/pages.md, core.css and theme.css) into a temporary folder.
func fixtureHost(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(dst, os.DirFS("testdata/host")); err != nil {
		t.Fatal(err)
	}
	return dst
}

type fixture struct {
	root, themePath string
	d               *Designer
	srv             *httptest.Server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	root := fixtureHost(t)
	pkg := filepath.Join(root, "internal", "auth")
	themePath := filepath.Join(StaticDir(pkg), "theme.css")
	d, err := New(Options{
		ThemePath: themePath,
		Display:   "internal/auth/pages/static/theme.css",
		CoreCSS:   filepath.Join(StaticDir(pkg), "core.css"),
		Preview:   HostPages{Dir: TemplatesDir(pkg), AppName: "Fixture"},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(d.Handler())
	t.Cleanup(srv.Close)
	return &fixture{root: root, themePath: themePath, d: d, srv: srv}
}

// url is the address of path below the designer's token.
func (f *fixture) url(path string) string { return f.srv.URL + "/" + f.d.Token() + "/" + path }

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func post(t *testing.T, url, body string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestTokenRequired(t *testing.T) {
	f := newFixture(t)
	tok := f.d.Token()
	last := "A"
	if strings.HasSuffix(tok, "A") {
		last = "B"
	}
	wrong := tok[:len(tok)-1] + last
	for _, path := range []string{
		"/", "/api/state", "/static/designer.js", "/preview/login", "/preview/core.css",
		"/" + wrong + "/", "/" + wrong + "/api/state", "/" + tok[:10] + "/api/state",
		"/" + tok + "x/api/state", "/x/" + tok + "/api/state",
	} {
		res, body := get(t, f.srv.URL+path)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s = %d, want 403", path, res.StatusCode)
		}
		if strings.Contains(body, "--rs-") {
			t.Errorf("GET %s leaked content: %s", path, body)
		}
	}
	res, _ := post(t, f.srv.URL+"/"+wrong+"/api/save", `{"light":{"--rs-accent":"#000000"}}`)
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("POST save with a wrong token = %d, want 403", res.StatusCode)
	}
	for _, path := range []string{"", "static/designer.js", "static/designer.css", "api/state", "preview/login", "preview/core.css", "preview/theme.css"} {
		if res, body := get(t, f.url(path)); res.StatusCode != http.StatusOK {
			t.Errorf("GET /<token>/%s = %d: %s", path, res.StatusCode, body)
		}
	}
	// The bare token redirects to the page, so a URL pasted without its
	// trailing slash still works.
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/"+tok, nil)
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "/"+tok+"/" {
		t.Errorf("GET /<token> = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestTokensDifferPerLaunch(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	if a.d.Token() == b.d.Token() || len(a.d.Token()) < 40 {
		t.Errorf("tokens %q and %q", a.d.Token(), b.d.Token())
	}
}

func TestIndexPage(t *testing.T) {
	f := newFixture(t)
	res, body := get(t, f.url(""))
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if res.Header.Get("Referrer-Policy") != "no-referrer" || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("headers %v", res.Header)
	}
	for _, want := range []string{
		`data-var="--rs-accent"`, `id="save"`, `id="scheme-dark"`, `id="preview-login"`, `id="preview-register"`, `id="preview-me"`,
		`<input type="text" id="input--rs-accent" name="--rs-accent" value="#2563eb"`, `<input type="color" class="d-picker" value="#2563eb"`,
		`id="contrast"`, `src="static/designer.js"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("index lacks %s", want)
		}
	}
	// No inline script or style: the CSP would refuse them.
	for _, bad := range []string{"<script>", "<style", "style=", "onclick"} {
		if strings.Contains(body, bad) {
			t.Errorf("index contains %s", bad)
		}
	}
	// Every variable has a row, in table order.
	last := -1
	for _, v := range Variables() {
		i := strings.Index(body, `data-var="`+v.Name+`"`)
		if i < last {
			t.Errorf("%s missing or out of order", v.Name)
		}
		last = i
	}
}

func TestStateAPI(t *testing.T) {
	f := newFixture(t)
	res, body := get(t, f.url("api/state"))
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	var st State
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	if st.Path != "internal/auth/pages/static/theme.css" || len(st.Variables) != len(Variables()) || st.AA != 4.5 {
		t.Errorf("state %+v", st)
	}
	if st.Theme.Light["--rs-accent"] != "#2563eb" || st.Theme.Dark["--rs-accent"] != "#60a5fa" {
		t.Errorf("theme %+v", st.Theme)
	}
	if strings.Join(st.Pages, ",") != "login,register,me" {
		t.Errorf("pages %v", st.Pages)
	}
	if len(st.Contrast) != 2*len(Pairs()) || len(st.Pairs) != len(Pairs()) {
		t.Errorf("%d contrast results, %d pairs", len(st.Contrast), len(st.Pairs))
	}
}

func TestSaveWritesAtomicallyAndRoundTrips(t *testing.T) {
	f := newFixture(t)
	// A hand edit outside the managed declarations, and a mode of the
	// operator's choosing: both survive the save.
	orig, err := os.ReadFile(f.themePath)
	if err != nil {
		t.Fatal(err)
	}
	edited := string(orig) + "\n/* mine */\n.rs-card { border-width: 2px; }\n"
	if err := os.WriteFile(f.themePath, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(f.themePath, 0o600); err != nil {
		t.Fatal(err)
	}
	var st State
	_, body := get(t, f.url("api/state"))
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatal(err)
	}
	next := st.Theme.Clone()
	next.Light["--rs-accent"] = "#0f766e"
	next.Light["--rs-radius"] = "10"
	next.Dark["--rs-accent"] = "#5eead4"
	delete(next.Dark, "--rs-shadow")
	payload, _ := json.Marshal(next)
	res, body := post(t, f.url("api/save"), string(payload))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("save = %d: %s", res.StatusCode, body)
	}
	var sr SaveResult
	if err := json.Unmarshal([]byte(body), &sr); err != nil || !sr.OK || sr.Path != "internal/auth/pages/static/theme.css" || sr.Bytes == 0 {
		t.Fatalf("save result %s (%v)", body, err)
	}
	got, err := os.ReadFile(f.themePath)
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	for _, want := range []string{"  --rs-accent: #0f766e;\n", "  --rs-radius: 10px;\n", "    --rs-accent: #5eead4;\n", "/* mine */\n.rs-card { border-width: 2px; }\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("saved file lacks %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "--rs-shadow") != 1 {
		t.Errorf("the dark shadow was not removed:\n%s", s)
	}
	if len(s) != sr.Bytes {
		t.Errorf("reported %d bytes, file has %d", sr.Bytes, len(s))
	}
	fi, err := os.Stat(f.themePath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 kept", fi.Mode().Perm())
	}
	// Written through a temporary sibling that is gone afterwards.
	entries, _ := os.ReadDir(filepath.Dir(f.themePath))
	for _, e := range entries {
		if e.Name() != "theme.css" && e.Name() != "core.css" {
			t.Errorf("left behind %s", e.Name())
		}
	}
	// Round trip: the state and the previews' stylesheet now say the same.
	_, body = get(t, f.url("api/state"))
	var st2 State
	if err := json.Unmarshal([]byte(body), &st2); err != nil {
		t.Fatal(err)
	}
	if st2.Theme.Light["--rs-accent"] != "#0f766e" || st2.Theme.Dark["--rs-accent"] != "#5eead4" || st2.Theme.Light["--rs-radius"] != "10px" {
		t.Errorf("state after save %+v", st2.Theme)
	}
	if _, css := get(t, f.url("preview/theme.css?scheme=dark")); !strings.Contains(css, "--rs-accent: #5eead4;") || !strings.Contains(css, "--rs-radius: 10px;") {
		t.Errorf("preview theme.css (dark):\n%s", css)
	}
	if _, css := get(t, f.url("preview/theme.css")); !strings.Contains(css, "--rs-accent: #0f766e;") {
		t.Errorf("preview theme.css (light):\n%s", css)
	}
	// Saving the same values again changes nothing.
	res, _ = post(t, f.url("api/save"), string(payload))
	if again, _ := os.ReadFile(f.themePath); res.StatusCode != http.StatusOK || string(again) != s {
		t.Errorf("second save changed the file:\n%s", again)
	}
}

func TestSaveRejectsInvalidValues(t *testing.T) {
	f := newFixture(t)
	before, _ := os.ReadFile(f.themePath)
	for _, tc := range []struct{ body, want string }{
		{`{"light":{"--rs-accent":"blue"},"dark":{}}`, `"name": "--rs-accent"`},
		{`{"light":{"--rs-radius":"big"},"dark":{}}`, `is not a length`},
		{`{"light":{},"dark":{"--rs-bg":"#12"}}`, `"scheme": "dark"`},
		{`{"light":{"--rs-font-body":"x; } body { display:none"},"dark":{}}`, `--rs-font-body`},
		{`{"light":{"--rs-nope":"#fff"},"dark":{}}`, `unknown variable --rs-nope`},
	} {
		res, body := post(t, f.url("api/save"), tc.body)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
			t.Errorf("save %s = %d %s; want 422 with %s", tc.body, res.StatusCode, body, tc.want)
		}
	}
	for _, body := range []string{`nonsense`, `{"light":"x"}`, `{}`, `{"light":{},"extra":1}`} {
		if res, b := post(t, f.url("api/save"), body); res.StatusCode != http.StatusBadRequest {
			t.Errorf("save %s = %d %s; want 400", body, res.StatusCode, b)
		}
	}
	if after, _ := os.ReadFile(f.themePath); string(after) != string(before) {
		t.Error("a refused save changed the file")
	}
}

func TestSaveRefusesCrossOrigin(t *testing.T) {
	f := newFixture(t)
	before, _ := os.ReadFile(f.themePath)
	res, _ := post(t, f.url("api/save"), `{"light":{"--rs-accent":"#000000"},"dark":{}}`, "Sec-Fetch-Site", "cross-site", "Origin", "http://evil.example")
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site save = %d, want 403", res.StatusCode)
	}
	if after, _ := os.ReadFile(f.themePath); string(after) != string(before) {
		t.Error("a cross-site save changed the file")
	}
}

func TestPreviewRendersHostTemplates(t *testing.T) {
	f := newFixture(t)
	tok := f.d.Token()
	res, body := get(t, f.url("preview/login?scheme=dark"))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("preview = %d: %s", res.StatusCode, body)
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "form-action 'none'") || !strings.Contains(csp, "frame-ancestors 'self'") {
		t.Errorf("preview CSP %q", csp)
	}
	for _, want := range []string{
		`<title>Sign in — Fixture</title>`,
		`<link rel="stylesheet" href="/` + tok + `/preview/core.css">`,
		`<link rel="stylesheet" href="/` + tok + `/preview/theme.css?scheme=dark">`,
		`class="rs-btn rs-btn-primary"`, `id="login-email"`, `value="ada@example.com"`, `Invalid email or password.`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("login preview lacks %s:\n%s", want, body)
		}
	}
	_, body = get(t, f.url("preview/me"))
	for _, want := range []string{"Ada Lovelace", "Your name was saved.", `<time datetime="2026-12-03T10:00:00Z">`} {
		if !strings.Contains(body, want) {
			t.Errorf("me preview lacks %s:\n%s", want, body)
		}
	}
	_, body = get(t, f.url("preview/register"))
	if !strings.Contains(body, "Use at least 8 characters.") || !strings.Contains(body, `aria-invalid="true"`) {
		t.Errorf("register preview:\n%s", body)
	}
	if res, _ := get(t, f.url("preview/forgot")); res.StatusCode != http.StatusNotFound {
		t.Errorf("preview of a page without a template = %d", res.StatusCode)
	}
	if _, css := get(t, f.url("preview/core.css")); !strings.Contains(css, "var(--rs-accent)") {
		t.Errorf("core.css:\n%s", css)
	}
	// The template is read per request, so the operator's edit shows on
	// the next reload.
	tpl := filepath.Join(f.root, "internal/auth/pages/templates/login.html")
	src, _ := os.ReadFile(tpl)
	os.WriteFile(tpl, []byte(strings.Replace(string(src), "Sign in</button>", "Log in now</button>", 1)), 0o644)
	if _, body := get(t, f.url("preview/login")); !strings.Contains(body, "Log in now") {
		t.Error("an edited template was not picked up")
	}
	// A broken template is reported, not served half-rendered.
	os.WriteFile(tpl, []byte(`{{define "content"}}{{.Nope.Deeper}`), 0o644)
	if res, body := get(t, f.url("preview/login")); res.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "login.html") {
		t.Errorf("broken template: %d %s", res.StatusCode, body)
	}
}

func TestServeStopsOnCancelAndDone(t *testing.T) {
	for _, how := range []string{"cancel", "done"} {
		t.Run(how, func(t *testing.T) {
			f := newFixture(t)
			ln, err := Listen(0)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(ln.Addr().String(), "127.0.0.1:") {
				t.Errorf("listening on %s", ln.Addr())
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := make(chan error, 1)
			go func() { errc <- f.d.Serve(ctx, ln) }()
			url := f.d.URL(ln.Addr())
			if res, _ := get(t, url+"api/state"); res.StatusCode != http.StatusOK {
				t.Fatalf("state = %d", res.StatusCode)
			}
			if how == "cancel" {
				cancel()
			} else if res, _ := post(t, url+"api/done", ""); res.StatusCode != http.StatusOK {
				t.Fatalf("done = %d", res.StatusCode)
			}
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("Serve = %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Serve did not return")
			}
			if _, err := http.Get(url); err == nil {
				t.Error("still serving after shutdown")
			}
		})
	}
}

func TestNewRefusesUnreadableTheme(t *testing.T) {
	root := fixtureHost(t)
	p := filepath.Join(root, "internal/auth/pages/static/theme.css")
	os.WriteFile(p, []byte(":root { --rs-bg: #fff;\n"), 0o644)
	_, err := New(Options{ThemePath: p})
	if err == nil || !strings.Contains(err.Error(), "delete it to start from the defaults") {
		t.Errorf("New = %v", err)
	}
}

func TestMissingThemeFileStartsFromDefaults(t *testing.T) {
	p := filepath.Join(t.TempDir(), "theme.css")
	d, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	assertTheme(t, Current(d), Defaults())
	if err := Write(p, d.Render(Current(d))); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(p)
	if err != nil || fi.Mode().Perm() != fs.FileMode(0o644) {
		t.Errorf("new file: %v %v", fi, err)
	}
}
