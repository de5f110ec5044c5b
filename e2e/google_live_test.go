package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regstack/regstack/e2e/internal/proc"
)

// googleApps: backend → the starter app generated with the defaults and
// --google, built once, with the fake OpenID provider's test binary
// (fakeIDPSource) built in the same host.
var googleApps = struct {
	sync.Mutex
	m map[string]*once[googleHost]
}{m: map[string]*once[googleHost]{}}

type googleHost struct {
	app, dir, idp string // app binary, host folder, fake provider binary
}

// googleStarterApp generates a starter with the defaults plus --google on
// backend, builds its main package and the fake provider (a test package
// written into the host, so it runs the host's own authtest code), once
// per run.
func googleStarterApp(t testing.TB, backend string) googleHost {
	t.Helper()
	regstackBin := regstack(t)
	googleApps.Lock()
	o := googleApps.m[backend]
	if o == nil {
		o = &once[googleHost]{}
		googleApps.m[backend] = o
	}
	googleApps.Unlock()
	return o.get(t, func() (googleHost, error) {
		dir := filepath.Join(fx.work, "google-"+backend)
		if out, err := run(fx.work, buildTimeout, regstackBin, "gen", "--yes", "--backend", backend, "--google", "--dir", dir); err != nil {
			return googleHost{}, fmt.Errorf("regstack gen --google (%s): %v\n%s", backend, err, tail(out, 80))
		}
		gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil {
			return googleHost{}, err
		}
		module := strings.TrimPrefix(lineMatching(gomod, "module "), "module ")
		src := strings.ReplaceAll(fakeIDPSource, "MODULE", module)
		if err := os.MkdirAll(filepath.Join(dir, "internal", "fakeidp"), 0o755); err != nil {
			return googleHost{}, err
		}
		if err := os.WriteFile(filepath.Join(dir, "internal", "fakeidp", "fakeidp_test.go"), []byte(src), 0o644); err != nil {
			return googleHost{}, err
		}
		h := googleHost{app: filepath.Join(fx.work, "google-app-"+backend), dir: dir, idp: filepath.Join(fx.work, "google-idp-"+backend)}
		if o, err := run(dir, buildTimeout, "go", "build", "-o", h.app, "."); err != nil {
			return googleHost{}, fmt.Errorf("go build -o app . (in %s): %v\n%s", dir, err, tail(o, 80))
		}
		if o, err := run(dir, buildTimeout, "go", "test", "-c", "-o", h.idp, "./internal/fakeidp/"); err != nil {
			return googleHost{}, fmt.Errorf("go test -c ./internal/fakeidp/ (in %s): %v\n%s", dir, err, tail(o, 80))
		}
		return h, nil
	})
}

// fakeIDPSource is the test package the e2e tests write into a generated
// host (internal/fakeidp) to run the host's own fake OpenID provider,
// authtest.NewOIDCProvider with its consent page, next to the live app:
// the e2e module cannot import the host's packages. Its one test prints
// the provider's issuer and client, then takes commands on stdin, one a
// line, answering each with "FAKEIDP ok":
//
//	identity <email> <name...>   who signs in from now on (verified address)
//	redirect <uri>               register a redirect URI (then only those are accepted)
//
// It ends when stdin closes.
const fakeIDPSource = `package fakeidp_test

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"MODULE/internal/auth/authtest"
)

// TestFakeIDP serves authtest's fake OpenID provider for the regstack e2e
// tests until stdin closes.
func TestFakeIDP(t *testing.T) {
	if os.Getenv("FAKEIDP") == "" {
		t.Skip("run by the regstack e2e tests (FAKEIDP=1)")
	}
	p := authtest.NewOIDCProvider(t, authtest.OIDCConsentPage())
	fmt.Printf("FAKEIDP issuer=%s client_id=%s client_secret=%s\n", p.Issuer(), p.ClientID, p.ClientSecret)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		cmd, arg, _ := strings.Cut(strings.TrimSpace(in.Text()), " ")
		switch cmd {
		case "identity":
			email, name, _ := strings.Cut(arg, " ")
			p.SetIdentity(authtest.Identity{Email: email, EmailVerified: true, Name: name})
		case "redirect":
			p.RegisterRedirectURI(arg)
		default:
			fmt.Printf("FAKEIDP error unknown command %q\n", cmd)
			continue
		}
		fmt.Println("FAKEIDP ok")
	}
}
`

// fakeIDP is the fake OpenID provider running as a process.
type fakeIDP struct {
	Issuer, ClientID, ClientSecret string

	stdin  io.WriteCloser
	lines  chan string
	output *proc.Output
}

var fakeIDPLine = regexp.MustCompile(`^FAKEIDP issuer=(\S+) client_id=(\S+) client_secret=(\S+)$`)

// startFakeIDP starts the host's fake provider binary and reads its
// issuer and client; it is stopped (stdin closed, then killed) at cleanup.
func startFakeIDP(t testing.TB, h googleHost) *fakeIDP {
	t.Helper()
	cmd := exec.Command(h.idp, "-test.run", "^TestFakeIDP$", "-test.v", "-test.count=1", "-test.timeout=20m")
	cmd.Dir = filepath.Join(h.dir, "internal", "fakeidp")
	cmd.Env = childEnv("FAKEIDP=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &fakeIDP{stdin: stdin, lines: make(chan string, 16), output: &proc.Output{}}
	cmd.Stderr = p.output
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the fake OpenID provider: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			l := sc.Text()
			fmt.Fprintln(p.output, l)
			if strings.HasPrefix(l, "FAKEIDP ") {
				p.lines <- l
			}
		}
		close(p.lines)
	}()
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("fake OpenID provider output:\n%s", tail(p.output.String(), 30))
		}
	})
	m := fakeIDPLine.FindStringSubmatch(p.next(t))
	if m == nil {
		t.Fatalf("the fake OpenID provider did not announce itself:\n%s", p.output.String())
	}
	p.Issuer, p.ClientID, p.ClientSecret = m[1], m[2], m[3]
	return p
}

// next waits for the provider's next FAKEIDP line.
func (p *fakeIDP) next(t testing.TB) string {
	t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			t.Fatalf("the fake OpenID provider exited:\n%s", tail(p.output.String(), 30))
		}
		return l
	case <-time.After(30 * time.Second):
		t.Fatalf("the fake OpenID provider said nothing for 30 s:\n%s", tail(p.output.String(), 30))
	}
	return ""
}

// command sends one command line and waits for its "FAKEIDP ok".
func (p *fakeIDP) command(t testing.TB, line string) {
	t.Helper()
	if _, err := fmt.Fprintln(p.stdin, line); err != nil {
		t.Fatalf("fake OpenID provider: %s: %v", line, err)
	}
	if got := p.next(t); got != "FAKEIDP ok" {
		t.Fatalf("fake OpenID provider: %s: %s", line, got)
	}
}

// SetIdentity chooses the Google account that signs in from now on.
func (p *fakeIDP) SetIdentity(t testing.TB, email, name string) {
	t.Helper()
	p.command(t, "identity "+email+" "+name)
}

// RegisterRedirectURI registers the app's callback, which the provider
// then compares exactly, as Google does.
func (p *fakeIDP) RegisterRedirectURI(t testing.TB, uri string) {
	t.Helper()
	p.command(t, "redirect "+uri)
}

// AppEnv points the app's [oauth] Google client at the provider.
func (p *fakeIDP) AppEnv() []string {
	return []string{
		"REGSTACK_ENABLE_OAUTH=true",
		"REGSTACK_OAUTH__GOOGLE_ISSUER=" + p.Issuer,
		"REGSTACK_OAUTH__GOOGLE_CLIENT_ID=" + p.ClientID,
		"REGSTACK_OAUTH__GOOGLE_CLIENT_SECRET=" + p.ClientSecret,
	}
}

// callbackPath is the Google callback of the API.
const callbackPath = apiPrefix + "/oauth/google/callback"

// browserClient is a Go client that behaves like a browser's cookie store
// but follows no redirect on its own, so each hop can be checked.
func browserClient(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// hop sends one request and returns the status, the resolved Location (nil
// without one) and the body.
func hop(t testing.TB, c *http.Client, method, target string, form url.Values) (int, *url.URL, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var loc *url.URL
	if l := resp.Header.Get("Location"); l != "" {
		if loc, err = resp.Request.URL.Parse(l); err != nil {
			t.Fatalf("%s %s: Location %q: %v", method, target, l, err)
		}
	}
	return resp.StatusCode, loc, string(raw)
}

var (
	consentAction  = regexp.MustCompile(`<form method="post" action="([^"]+)">`)
	consentPending = regexp.MustCompile(`name="pending" value="([^"]+)"`)
	consentEmail   = regexp.MustCompile(`<span id="email">([^<]*)</span>`)
)

// googleSignIn walks c from GET startURL through the fake provider's
// consent page (GET, then its Continue form) and returns the callback URL
// the provider redirects to, not yet followed.
func googleSignIn(t testing.TB, c *http.Client, idp *fakeIDP, startURL, wantEmail string) *url.URL {
	t.Helper()
	status, auth, body := hop(t, c, "GET", startURL, nil)
	if status != http.StatusFound || auth == nil {
		t.Fatalf("GET %s: %d, want 302 to the provider\n%s", startURL, status, body)
	}
	if !strings.HasPrefix(auth.String(), idp.Issuer+"/") {
		t.Fatalf("the start redirected to %s, not to the provider %s", auth, idp.Issuer)
	}
	q := auth.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("nonce") == "" || q.Get("state") == "" || q.Get("client_id") != idp.ClientID {
		t.Errorf("authorization request %s lacks PKCE S256, a nonce, a state or the client", auth)
	}
	status, _, page := hop(t, c, "GET", auth.String(), nil)
	if status != http.StatusOK {
		t.Fatalf("GET the provider's authorization endpoint: %d, want 200 (the consent page)\n%s", status, page)
	}
	action, pending, email := consentAction.FindStringSubmatch(page), consentPending.FindStringSubmatch(page), consentEmail.FindStringSubmatch(page)
	if action == nil || pending == nil || email == nil {
		t.Fatalf("the consent page has no form, pending field or account:\n%s", page)
	}
	if got := html.UnescapeString(email[1]); got != wantEmail {
		t.Errorf("the consent page signs in %s, want %s", got, wantEmail)
	}
	target, err := auth.Parse(html.UnescapeString(action[1]))
	if err != nil {
		t.Fatal(err)
	}
	status, callback, body := hop(t, c, "POST", target.String(), url.Values{"pending": {html.UnescapeString(pending[1])}, "action": {"continue"}})
	if status != http.StatusFound || callback == nil {
		t.Fatalf("Continue on the consent page: %d, want 302 back to the app\n%s", status, body)
	}
	if callback.Query().Get("code") == "" || callback.Query().Get("state") != q.Get("state") {
		t.Fatalf("the provider sent the browser back to %s, without a code or with another state", callback)
	}
	return callback
}

// followCallback GETs the callback and returns the completion id of the
// {ui}/oauth-complete page it redirects to.
func followCallback(t testing.TB, c *http.Client, callback *url.URL) string {
	t.Helper()
	status, loc, body := hop(t, c, "GET", callback.String(), nil)
	if status != http.StatusFound || loc == nil {
		t.Fatalf("GET the callback: %d, want 302\n%s", status, body)
	}
	if loc.Path != uiPrefix+"/oauth-complete" || loc.Query().Get("id") == "" {
		t.Fatalf("the callback redirected to %s, want %s/oauth-complete?id=…", loc, uiPrefix)
	}
	if strings.Contains(loc.RawQuery, "token") {
		t.Errorf("the completion URL %s carries a token", loc)
	}
	return loc.Query().Get("id")
}

// wantBadState: replaying callback in c redirects to the login page with
// error=bad_state.
func wantBadState(t testing.TB, what string, c *http.Client, callback *url.URL) {
	t.Helper()
	status, loc, body := hop(t, c, "GET", callback.String(), nil)
	if status != http.StatusFound || loc == nil || loc.Path != uiPrefix+"/login" || loc.Query().Get("error") != "bad_state" {
		t.Errorf("%s: %d to %v, want 302 to %s/login?error=bad_state\n%s", what, status, loc, uiPrefix, body)
	}
}

// exchange redeems a completion id on app and returns the session token.
func exchange(t testing.TB, app *liveApp, id string) map[string]any {
	t.Helper()
	r := app.Do(t, "POST", apiPrefix+"/oauth/exchange", "", map[string]any{"id": id})
	if r.Status != http.StatusOK || r.JSON()["access_token"] == nil || r.JSON()["token_type"] != "bearer" {
		t.Fatalf("POST /oauth/exchange: %s, want 200 with a bearer token", r)
	}
	return r.JSON()
}

// TestLiveGoogleSignIn runs the starter app generated with --google as a
// real process on SQLite, its Google client pointed at the host's own
// fake OpenID provider (authtest, in a process of its own, the callback
// registered exactly). A client with a cookie store and no automatic
// redirects walks the whole sign-in as a browser would: the start (302 to
// the provider, the browser cookie set), the consent page and its
// Continue form, the callback (302 to oauth-complete with an id, no
// token), the exchange (the session), /me (the Google address, a new
// account). The id is single-use; the callback replayed in another
// browser (no cookie) and in the same one (state used) ends at the login
// page with bad_state.
func TestLiveGoogleSignIn(t *testing.T) {
	h := googleStarterApp(t, "sqlite")
	idp := startFakeIDP(t, h)
	sink := startSink(t)
	app := startApp(t, h.app, h.dir, appEnv(t, sink, "sqlite", append([]string{"REGSTACK_REQUIRE_VERIFICATION=true"}, idp.AppEnv()...)...))
	idp.RegisterRedirectURI(t, app.BaseURL+callbackPath)
	const email = "google-live@example.com"
	idp.SetIdentity(t, email, "Live Google")
	start := time.Now()

	c := browserClient(t)
	callback := googleSignIn(t, c, idp, app.BaseURL+apiPrefix+"/oauth/google/start", email)
	if got := callback.Scheme + "://" + callback.Host + callback.Path; got != app.BaseURL+callbackPath {
		t.Fatalf("the provider redirected to %s, want the app's callback %s", got, app.BaseURL+callbackPath)
	}
	id := followCallback(t, c, callback)
	res := exchange(t, app, id)
	if res["was_new_account"] != true {
		t.Errorf("exchange: was_new_account = %v, want true", res["was_new_account"])
	}
	token := res["access_token"].(string)
	r := app.Do(t, "GET", apiPrefix+"/me", token, nil)
	if r.Status != http.StatusOK || r.JSON()["email"] != email {
		t.Fatalf("me after the Google sign-in: %s, want %s", r, email)
	}
	// Google verified the address: the account is verified, even with
	// require_verification on.
	if r.JSON()["is_verified"] != true {
		t.Errorf("me: is_verified = %v, want true (Google says email_verified)", r.JSON()["is_verified"])
	}
	r = app.Do(t, "GET", apiPrefix+"/oauth/providers", token, nil)
	var providers struct {
		Available []string `json:"available"`
		Linked    []struct {
			Provider, Email string
		} `json:"linked"`
	}
	if err := json.Unmarshal(r.Body, &providers); r.Status != http.StatusOK || err != nil ||
		len(providers.Linked) != 1 || providers.Linked[0].Provider != "google" || providers.Linked[0].Email != email {
		t.Errorf("GET /oauth/providers: %s, want google linked as %s", r, email)
	}

	// Single use: the id, then the callback (in a browser without the
	// cookie, and in this one: the state is spent).
	if r := app.Do(t, "POST", apiPrefix+"/oauth/exchange", "", map[string]any{"id": id}); r.Status != http.StatusNotFound {
		t.Errorf("the same completion id again: %s, want 404", r)
	}
	wantBadState(t, "the callback replayed in another browser (no cookie)", browserClient(t), callback)
	wantBadState(t, "the callback replayed in the same browser", c, callback)

	// A second sign-in of the same Google account finds the account.
	id = followCallback(t, c, googleSignIn(t, c, idp, app.BaseURL+apiPrefix+"/oauth/google/start", email))
	if res := exchange(t, app, id); res["was_new_account"] != false {
		t.Errorf("second sign-in: was_new_account = %v, want false", res["was_new_account"])
	}
	t.Logf("Google sign-in through the live app: %s", time.Since(start).Round(time.Millisecond))
}

// TestLiveGoogleAcrossReplicas runs two replicas of the Google starter app
// on one PostgreSQL database: the sign-in starts on replica A, the
// provider sends the browser to the callback on replica B, and the
// completion id is redeemed on A. The state (with its PKCE verifier,
// nonce and browser binding) and the completion live in the database, so
// no replica needs to be the one that started.
func TestLiveGoogleAcrossReplicas(t *testing.T) {
	h := googleStarterApp(t, "postgres")
	idp := startFakeIDP(t, h)
	sink := startSink(t)
	env := appEnv(t, sink, "postgres", append([]string{"REGSTACK_REQUIRE_VERIFICATION=false"}, idp.AppEnv()...)...)
	// Behind a load balancer both replicas have one public base_url, and
	// the redirect_uri registered with Google is that address: the
	// provider sends the browser there, and the balancer picks a replica.
	// Here the "public address" is replica B's, for both replicas: so a
	// start on A really hands over to B, through the redirect_uri A puts
	// in the authorization request, exactly as deployed. (Rewriting the
	// callback's host in the client instead would test a redirect no
	// provider ever makes.) The browser cookie follows, as a cookie is
	// not bound to a port: both replicas are on 127.0.0.1.
	b := startApp(t, h.app, h.dir, env)
	a := startApp(t, h.app, h.dir, append(env, "REGSTACK_BASE_URL="+b.BaseURL))
	idp.RegisterRedirectURI(t, b.BaseURL+callbackPath)
	const email = "google-replicas@example.com"
	idp.SetIdentity(t, email, "Replica Google")

	c := browserClient(t)
	callback := googleSignIn(t, c, idp, a.BaseURL+apiPrefix+"/oauth/google/start", email)
	if got := callback.Scheme + "://" + callback.Host + callback.Path; got != b.BaseURL+callbackPath {
		t.Fatalf("the provider redirected to %s, want replica B's callback %s", got, b.BaseURL+callbackPath)
	}
	if len(c.Jar.Cookies(callback)) == 0 {
		t.Fatalf("the browser would send no cookie to replica B's callback %s", callback)
	}
	id := followCallback(t, c, callback)
	res := exchange(t, a, id)
	token, _ := res["access_token"].(string)
	if r := b.Do(t, "GET", apiPrefix+"/me", token, nil); r.Status != http.StatusOK || r.JSON()["email"] != email {
		t.Errorf("me on B with the session from A's exchange: %s, want %s", r, email)
	}
	if r := b.Do(t, "POST", apiPrefix+"/oauth/exchange", "", map[string]any{"id": id}); r.Status != http.StatusNotFound {
		t.Errorf("the id redeemed on A, again on B: %s, want 404", r)
	}
	wantBadState(t, "the callback replayed on A", c, &url.URL{Scheme: "http", Host: strings.TrimPrefix(a.BaseURL, "http://"), Path: callback.Path, RawQuery: callback.RawQuery})
}
