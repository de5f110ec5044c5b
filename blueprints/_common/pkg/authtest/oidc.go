// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package authtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The client authentication methods of the token endpoint (RFC 6749
// section 2.3.1), as the discovery document names them.
const (
	ClientSecretBasic = "client_secret_basic"
	ClientSecretPost  = "client_secret_post"
)

// The provider's endpoints sit where Google's do, so a client that builds
// URLs itself instead of reading the discovery document fails here too.
const (
	oidcDiscoveryPath = "/.well-known/openid-configuration"
	oidcAuthPath      = "/o/oauth2/v2/auth"
	oidcConsentPath   = "/o/oauth2/v2/consent"
	oidcTokenPath     = "/token"
	oidcJWKSPath      = "/oauth2/v3/certs"
	oidcUserInfoPath  = "/v1/userinfo"
)

// Lifetimes as Google has them: a code is good for minutes, an ID token
// and an access token for an hour.
const (
	oidcCodeTTL  = 10 * time.Minute
	oidcTokenTTL = time.Hour
)

// Fault is one defect the fake provider builds into what it answers, so a
// test can prove the client refuses it. Each fault changes exactly one
// thing; everything else stays valid.
type Fault int

const (
	// NoFault answers correctly.
	NoFault Fault = iota
	// WrongIssuer sets iss to another provider (https://accounts.google.com).
	WrongIssuer
	// WrongAudience issues the ID token to another client (aud and azp).
	WrongAudience
	// Expired issues an ID token whose exp passed a minute ago.
	Expired
	// BadSignature signs with an RSA key other than the one the JWKS
	// serves, under the served key's kid.
	BadSignature
	// NoNonce leaves out the nonce claim.
	NoNonce
	// WrongNonce puts a nonce other than the authorization's.
	WrongNonce
	// AlgNone sends an unsigned token (header alg "none").
	AlgNone
	// AlgHS256 signs with HMAC-SHA256 keyed by the client secret: the
	// algorithm confusion a client must not fall for.
	AlgHS256
	// NoEmail leaves out email and email_verified.
	NoEmail
	// UnverifiedEmail sets email_verified to false.
	UnverifiedEmail
	// TokenEndpointError makes the token endpoint answer 500.
	TokenEndpointError
	// NoIAT leaves out the iat claim.
	NoIAT
)

var faultNames = [...]string{
	"NoFault", "WrongIssuer", "WrongAudience", "Expired", "BadSignature", "NoNonce",
	"WrongNonce", "AlgNone", "AlgHS256", "NoEmail", "UnverifiedEmail", "TokenEndpointError", "NoIAT",
}

// String returns the constant's name.
func (f Fault) String() string {
	if f >= 0 && int(f) < len(faultNames) {
		return faultNames[f]
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Identity is the account that signs in at the fake provider.
type Identity struct {
	// Subject is the provider's stable account id (sub). SetIdentity
	// derives one from Email when it is empty, so the same address signs
	// in as the same account.
	Subject string
	// Email and EmailVerified are sent with the email scope; an empty
	// Email sends neither.
	Email         string
	EmailVerified bool
	// Name and Picture are sent with the profile scope when set.
	Name    string
	Picture string
}

// Authorization is one request to the authorization endpoint, as the
// browser sent it.
type Authorization struct {
	// Params are all query parameters.
	Params              url.Values
	ClientID            string
	RedirectURI         string
	Scopes              []string
	State               string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	Prompt              string
	// Refused is why the provider refused the request (an OAuth error
	// code and a description), or "" when it accepted it.
	Refused string
}

// OIDCOption configures NewOIDCProvider.
type OIDCOption func(*oidcSettings)

type oidcSettings struct {
	consent     bool
	authMethods []string
	now         func() time.Time
}

// OIDCConsentPage makes the authorization endpoint show a consent page (plain
// HTML, no script: the account and Continue / Cancel buttons) instead of
// redirecting at once, for tests that drive a browser.
func OIDCConsentPage() OIDCOption {
	return func(s *oidcSettings) { s.consent = true }
}

// OIDCAuthMethods sets how the client may authenticate at the token
// endpoint (ClientSecretBasic, ClientSecretPost); the discovery document
// announces them and the token endpoint refuses any other. The default is
// both, in Google's order.
func OIDCAuthMethods(methods ...string) OIDCOption {
	return func(s *oidcSettings) { s.authMethods = methods }
}

// OIDCClock sets the clock the provider stamps tokens and codes with
// (default time.Now): pass the Clock of the code under test when its
// verifier reads that clock.
func OIDCClock(now func() time.Time) OIDCOption {
	return func(s *oidcSettings) { s.now = now }
}

// OIDCProvider is a fake OpenID Connect provider, shaped like Google's,
// served over HTTP on 127.0.0.1 for one test. It speaks the real protocol
// (discovery, authorization code with PKCE S256 and nonce, RS256 ID tokens
// and a JWKS, userinfo), so the unmodified go-oidc and x/oauth2 client code
// of the application runs against it, and a browser can go through it.
// Each Misbehave fault makes it answer with one defect. It is safe for
// concurrent use.
type OIDCProvider struct {
	// ClientID and ClientSecret are the one client registered with the
	// provider, shaped like Google's. Read them; do not change them.
	ClientID     string
	ClientSecret string

	server   *httptest.Server
	settings oidcSettings
	keys     oidcKeys
	kid      string
	t        testing.TB

	mu             sync.Mutex
	identity       Identity
	fault          Fault
	deny           bool
	redirectURIs   []string
	authorizations []Authorization
	grants         map[string]*oidcGrant
	pending        map[string]*oidcGrant
	accessTokens   map[string]*oidcGrant
	tokenRequests  int
	jwksRequests   int
}

// oidcGrant is what an authorization granted: the request it answered
// and who signed in. It becomes a pending consent, then a code, then an
// access token.
type oidcGrant struct {
	auth     Authorization
	identity Identity
	expires  time.Time
	used     bool
}

// NewOIDCProvider starts a fake provider that closes when the test ends.
// Until SetIdentity, a random account with a verified address signs in;
// until RegisterRedirectURI, any http redirect URI on a loopback address
// is accepted.
func NewOIDCProvider(t testing.TB, opts ...OIDCOption) *OIDCProvider {
	t.Helper()
	s := oidcSettings{authMethods: []string{ClientSecretBasic, ClientSecretPost}, now: time.Now}
	for _, o := range opts {
		o(&s)
	}
	if len(s.authMethods) == 0 {
		t.Fatal("authtest: OIDCAuthMethods: name at least one method")
	}
	for _, m := range s.authMethods {
		if m != ClientSecretBasic && m != ClientSecretPost {
			t.Fatalf("authtest: OIDCAuthMethods: unknown method %q", m)
		}
	}
	keys, err := sharedOIDCKeys()
	if err != nil {
		t.Fatalf("authtest: RSA key: %v", err)
	}
	p := &OIDCProvider{
		ClientID:     oidcRandom(oidcDigits, 12) + "-" + oidcRandom(oidcLowerAlnum, 32) + ".apps.googleusercontent.com",
		ClientSecret: "GOCSPX-" + oidcRandom(oidcBase64URL, 28),
		settings:     s,
		keys:         keys,
		// A kid of its own: a token of another provider in the same test
		// binary (which shares the key) names a key this one does not serve.
		kid:          oidcRandom(oidcHex, 40),
		t:            t,
		grants:       map[string]*oidcGrant{},
		pending:      map[string]*oidcGrant{},
		accessTokens: map[string]*oidcGrant{},
	}
	p.identity = completeIdentity(Identity{
		Email:         "user-" + oidcRandom(oidcHex, 8) + "@example.com",
		EmailVerified: true,
		Name:          "Test User",
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET "+oidcDiscoveryPath, p.serveDiscovery)
	mux.HandleFunc("GET "+oidcAuthPath, p.serveAuthorize)
	mux.HandleFunc("POST "+oidcConsentPath, p.serveConsent)
	mux.HandleFunc("POST "+oidcTokenPath, p.serveToken)
	mux.HandleFunc("GET "+oidcJWKSPath, p.serveJWKS)
	mux.HandleFunc("GET "+oidcUserInfoPath, p.serveUserInfo)
	p.server = httptest.NewServer(mux)
	t.Cleanup(p.server.Close)
	return p
}

// Issuer returns the issuer URL (http://127.0.0.1:port), which is also
// the base of the discovery document's address.
func (p *OIDCProvider) Issuer() string { return p.server.URL }

// SetIdentity chooses the account that signs in from now on (a code
// carries the account of the moment it was issued).
func (p *OIDCProvider) SetIdentity(id Identity) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.identity = completeIdentity(id)
}

// Identity returns the account that signs in next.
func (p *OIDCProvider) Identity() Identity {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.identity
}

// Misbehave builds f into every later answer; Misbehave(NoFault) answers
// correctly again. ID token faults apply when the token endpoint issues
// the token.
func (p *OIDCProvider) Misbehave(f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fault = f
}

// DenyAccess makes every later authorization end as when the user
// cancels: a redirect with error=access_denied and the state, without a
// consent page. DenyAccess(false) grants again.
func (p *OIDCProvider) DenyAccess(deny bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deny = deny
}

// RegisterRedirectURI registers redirect URIs of the client. Once one is
// registered, the authorization endpoint accepts only registered ones,
// compared exactly as Google does.
func (p *OIDCProvider) RegisterRedirectURI(uris ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.redirectURIs = append(p.redirectURIs, uris...)
}

// Authorizations returns every request to the authorization endpoint so
// far, oldest first, refused ones included.
func (p *OIDCProvider) Authorizations() []Authorization {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.authorizations)
}

// LastAuthorization returns the newest request to the authorization
// endpoint. It fails the test when there was none.
func (p *OIDCProvider) LastAuthorization(t testing.TB) Authorization {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.authorizations) == 0 {
		t.Fatal("authtest: no request reached the OpenID provider's authorization endpoint")
		return Authorization{}
	}
	return p.authorizations[len(p.authorizations)-1]
}

// TokenRequests returns how many requests reached the token endpoint,
// refused ones included.
func (p *OIDCProvider) TokenRequests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tokenRequests
}

// JWKSRequests returns how many times the signing keys were fetched, so
// a test can check that the client caches them.
func (p *OIDCProvider) JWKSRequests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.jwksRequests
}

// Authorize plays the browser at the provider for an API-level test: it
// opens authURL (the authorization request the application redirected
// to), presses Continue when the consent page shows, and returns the
// redirect back to the application, with code and state (or error). It
// fails the test when the provider answers anything but that redirect.
func (p *OIDCProvider) Authorize(t testing.TB, authURL string) *url.URL {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatalf("authtest: authorization request: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK && p.settings.consent {
		m := consentPendingField.FindSubmatch(body)
		if m == nil {
			t.Fatalf("authtest: consent page without a pending field:\n%s", body)
		}
		resp, err = client.PostForm(p.server.URL+oidcConsentPath, url.Values{"pending": {string(m[1])}, "action": {"continue"}})
		if err != nil {
			t.Fatalf("authtest: consent: %v", err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authtest: the OpenID provider answered %d, not a redirect: %s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatalf("authtest: redirect: %v", err)
	}
	return loc
}

var consentPendingField = regexp.MustCompile(`name="pending" value="([^"]+)"`)

// --- endpoints ---

func (p *OIDCProvider) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	iss := p.Issuer()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + oidcAuthPath,
		"token_endpoint":                        iss + oidcTokenPath,
		"jwks_uri":                              iss + oidcJWKSPath,
		"userinfo_endpoint":                     iss + oidcUserInfoPath,
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": p.settings.authMethods,
		"code_challenge_methods_supported":      []string{"S256"},
		"grant_types_supported":                 []string{"authorization_code"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"claims_supported": []string{
			"aud", "azp", "email", "email_verified", "exp", "iat", "iss", "name", "nonce", "picture", "sub",
		},
	})
}

// pkceChallenge is a base64url SHA-256 digest without padding, the only
// shape an S256 code_challenge has.
var pkceChallenge = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// serveAuthorize checks the authorization request. A refused request gets
// an error page and no redirect, as at Google: that keeps the reason in
// front of whoever debugs the test, and a redirect to an unchecked
// redirect_uri would be an open redirect.
func (p *OIDCProvider) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	a := Authorization{
		Params:              q,
		ClientID:            q.Get("client_id"),
		RedirectURI:         q.Get("redirect_uri"),
		Scopes:              strings.Fields(q.Get("scope")),
		State:               q.Get("state"),
		Nonce:               q.Get("nonce"),
		CodeChallenge:       q.Get("code_challenge"),
		CodeChallengeMethod: q.Get("code_challenge_method"),
		Prompt:              q.Get("prompt"),
	}

	p.mu.Lock()
	a.Refused = p.refusal(a, q.Get("response_type"))
	p.authorizations = append(p.authorizations, a)
	deny, identity := p.deny, p.identity
	p.mu.Unlock()

	if a.Refused != "" {
		p.t.Logf("authtest: OpenID provider refused an authorization request: %s", a.Refused)
		writeErrorPage(w, a.Refused)
		return
	}
	if deny {
		redirectBack(w, a, url.Values{"error": {"access_denied"}})
		return
	}
	g := &oidcGrant{auth: a, identity: identity, expires: p.settings.now().Add(oidcCodeTTL)}
	if p.settings.consent {
		id := oidcRandom(oidcBase64URL, 32)
		p.mu.Lock()
		p.pending[id] = g
		p.mu.Unlock()
		p.writeConsentPage(w, id, g)
		return
	}
	p.issueCode(w, g)
}

// refusal returns why the request is refused ("" when it is not); p.mu
// is held.
func (p *OIDCProvider) refusal(a Authorization, responseType string) string {
	switch {
	case a.ClientID != p.ClientID:
		return fmt.Sprintf("invalid_client: unknown client_id %q", a.ClientID)
	case !p.redirectAllowed(a.RedirectURI):
		return fmt.Sprintf("redirect_uri_mismatch: redirect_uri %q is not registered", a.RedirectURI)
	case responseType != "code":
		return fmt.Sprintf("unsupported_response_type: response_type %q (only code)", responseType)
	case !slices.Contains(a.Scopes, "openid"):
		return fmt.Sprintf("invalid_scope: scope %q lacks openid", strings.Join(a.Scopes, " "))
	case a.State == "":
		return "invalid_request: missing state"
	case a.Nonce == "":
		return "invalid_request: missing nonce"
	case a.CodeChallengeMethod != "S256":
		return fmt.Sprintf("invalid_request: code_challenge_method %q (only S256)", a.CodeChallengeMethod)
	case !pkceChallenge.MatchString(a.CodeChallenge):
		return fmt.Sprintf("invalid_request: code_challenge %q is not a base64url SHA-256 digest", a.CodeChallenge)
	}
	return ""
}

// redirectAllowed compares exactly with the registered URIs, or accepts
// any http URI on a loopback address while none is registered (a test's
// application usually listens on a port it learns late). p.mu is held.
func (p *OIDCProvider) redirectAllowed(uri string) bool {
	if len(p.redirectURIs) > 0 {
		return slices.Contains(p.redirectURIs, uri)
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme != "http" || u.Fragment != "" || u.User != nil {
		return false
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return strings.EqualFold(host, "localhost")
}

// serveConsent is the consent page's form: Continue issues the code,
// Cancel answers access_denied.
func (p *OIDCProvider) serveConsent(w http.ResponseWriter, r *http.Request) {
	id := r.PostFormValue("pending")
	p.mu.Lock()
	g := p.pending[id]
	delete(p.pending, id)
	if g != nil {
		// Whoever is chosen when the button is pressed signs in.
		g.identity = p.identity
	}
	p.mu.Unlock()
	if g == nil {
		writeErrorPage(w, "invalid_request: this consent page has expired or was already answered")
		return
	}
	if r.PostFormValue("action") != "continue" {
		redirectBack(w, g.auth, url.Values{"error": {"access_denied"}})
		return
	}
	p.issueCode(w, g)
}

func (p *OIDCProvider) issueCode(w http.ResponseWriter, g *oidcGrant) {
	// Google's codes start "4/0A" and hold a slash, which catches a
	// client that does not escape the code.
	code := "4/0A" + oidcRandom(oidcBase64URL, 70)
	p.mu.Lock()
	p.grants[code] = g
	p.mu.Unlock()
	redirectBack(w, g.auth, url.Values{
		"code":     {code},
		"scope":    {strings.Join(g.auth.Scopes, " ")},
		"authuser": {"0"},
	})
}

// redirectBack sends the browser to the authorization's redirect URI with
// params and the state added to its query.
func redirectBack(w http.ResponseWriter, a Authorization, params url.Values) {
	u, _ := url.Parse(a.RedirectURI) // checked by redirectAllowed
	q := u.Query()
	for k, v := range params {
		q[k] = v
	}
	q.Set("state", a.State)
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", u.String())
	w.WriteHeader(http.StatusFound)
}

var consentPage = template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in – test OpenID provider</title></head>
<body>
<h1>Sign in</h1>
<p>to continue to client <code>{{.ClientID}}</code> as</p>
<p id="account"><strong>{{.Name}}</strong> &lt;<span id="email">{{.Email}}</span>&gt;</p>
<form method="post" action="{{.Action}}">
<input type="hidden" name="pending" value="{{.Pending}}">
<button type="submit" name="action" value="continue">Continue</button>
<button type="submit" name="action" value="cancel">Cancel</button>
</form>
</body>
</html>
`))

func (p *OIDCProvider) writeConsentPage(w http.ResponseWriter, pending string, g *oidcGrant) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// No form-action: browsers apply it to the redirect that follows the
	// form, which leads to the application's origin.
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	_ = consentPage.Execute(w, map[string]string{
		"ClientID": g.auth.ClientID,
		"Name":     g.identity.Name,
		"Email":    g.identity.Email,
		"Action":   oidcConsentPath,
		"Pending":  pending,
	})
}

func writeErrorPage(w http.ResponseWriter, reason string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, "400. That's an error.\n\nError 400: %s\n", reason)
}

// tokenError is an RFC 6749 section 5.2 error answer.
func tokenError(w http.ResponseWriter, status int, code, description string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
	}
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// serveToken exchanges a code. The client is authenticated before the code
// is looked at, so an attempt with the wrong method (x/oauth2 probing
// client_secret_basic first) leaves the code usable; after that the code
// is spent by the first exchange, successful or not.
func (p *OIDCProvider) serveToken(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.tokenRequests++
	fault := p.fault
	p.mu.Unlock()
	if fault == TokenEndpointError {
		tokenError(w, http.StatusInternalServerError, "server_error", "the test asked for an internal error")
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		tokenError(w, http.StatusBadRequest, "invalid_request", fmt.Sprintf("Content-Type %q, want application/x-www-form-urlencoded", ct))
		return
	}
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	form := r.PostForm // parameters belong in the body, never the query
	if status, code, desc := p.authenticateClient(r, form); code != "" {
		tokenError(w, status, code, desc)
		return
	}
	if gt := form.Get("grant_type"); gt != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("grant_type %q", gt))
		return
	}

	p.mu.Lock()
	g := p.grants[form.Get("code")]
	wasUsed := g != nil && g.used
	if g != nil {
		g.used = true
	}
	p.mu.Unlock()
	switch {
	case g == nil:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown code")
		return
	case wasUsed:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code already used")
		return
	case p.settings.now().After(g.expires):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code expired")
		return
	case form.Get("redirect_uri") != g.auth.RedirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", fmt.Sprintf("redirect_uri %q differs from the authorization's", form.Get("redirect_uri")))
		return
	case !pkceMatches(form.Get("code_verifier"), g.auth.CodeChallenge):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
		return
	}

	accessToken := "ya29." + oidcRandom(oidcBase64URL, 120)
	idToken, err := p.idToken(g, accessToken, fault)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	p.mu.Lock()
	p.accessTokens[accessToken] = &oidcGrant{auth: g.auth, identity: g.identity, expires: p.settings.now().Add(oidcTokenTTL)}
	p.mu.Unlock()
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": accessToken,
		"token_type":   "Bearer",
		"expires_in":   int(oidcTokenTTL.Seconds()) - 1,
		"id_token":     idToken,
		"scope":        strings.Join(g.auth.Scopes, " "),
	})
}

// authenticateClient checks the client's credentials by the one method
// it used, which must be an allowed one. It returns an error answer, or
// an empty code when the client is authenticated.
func (p *OIDCProvider) authenticateClient(r *http.Request, form url.Values) (status int, code, desc string) {
	user, pass, basic := r.BasicAuth()
	post := form.Has("client_secret")
	var id, secret, method string
	switch {
	case basic && post:
		return http.StatusBadRequest, "invalid_request", "more than one client authentication method"
	case basic:
		// RFC 6749 2.3.1: both halves are form-encoded before Basic.
		var err1, err2 error
		id, err1 = url.QueryUnescape(user)
		secret, err2 = url.QueryUnescape(pass)
		if err1 != nil || err2 != nil {
			return http.StatusUnauthorized, "invalid_client", "malformed Basic credentials"
		}
		method = ClientSecretBasic
		if fid := form.Get("client_id"); fid != "" && fid != id {
			return http.StatusBadRequest, "invalid_request", "client_id differs from the Basic credentials"
		}
	case post:
		id, secret, method = form.Get("client_id"), form.Get("client_secret"), ClientSecretPost
	default:
		return http.StatusUnauthorized, "invalid_client", "no client authentication"
	}
	if !slices.Contains(p.settings.authMethods, method) {
		return http.StatusUnauthorized, "invalid_client", method + " is not allowed for this client"
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		return http.StatusUnauthorized, "invalid_client", "wrong client_id or client_secret"
	}
	return 0, "", ""
}

// pkceVerifier is RFC 7636's code_verifier: 43 to 128 unreserved characters.
var pkceVerifier = regexp.MustCompile(`^[A-Za-z0-9._~-]{43,128}$`)

// pkceMatches reports whether base64url(SHA-256(verifier)) is challenge.
func pkceMatches(verifier, challenge string) bool {
	if !pkceVerifier.MatchString(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	return subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) == 1
}

// idToken returns the signed ID token of g with fault built in.
func (p *OIDCProvider) idToken(g *oidcGrant, accessToken string, fault Fault) (string, error) {
	now := p.settings.now()
	id := g.identity
	claims := jwt.MapClaims{
		"iss":     p.Issuer(),
		"azp":     p.ClientID,
		"aud":     p.ClientID,
		"sub":     id.Subject,
		"at_hash": atHash(accessToken),
		"nonce":   g.auth.Nonce,
		"iat":     now.Unix(),
		"exp":     now.Add(oidcTokenTTL).Unix(),
	}
	// Like Google, the claims follow the scopes: a client that forgets to
	// ask for email gets none.
	if slices.Contains(g.auth.Scopes, "email") && id.Email != "" {
		claims["email"] = id.Email
		claims["email_verified"] = id.EmailVerified
	}
	if slices.Contains(g.auth.Scopes, "profile") {
		if id.Name != "" {
			claims["name"] = id.Name
		}
		if id.Picture != "" {
			claims["picture"] = id.Picture
		}
	}

	var method jwt.SigningMethod = jwt.SigningMethodRS256
	var key any = p.keys.signing
	switch fault {
	case WrongIssuer:
		claims["iss"] = "https://accounts.google.com"
	case WrongAudience:
		other := oidcRandom(oidcDigits, 12) + "-" + oidcRandom(oidcLowerAlnum, 32) + ".apps.googleusercontent.com"
		claims["aud"], claims["azp"] = other, other
	case Expired:
		claims["iat"] = now.Add(-oidcTokenTTL - time.Minute).Unix()
		claims["exp"] = now.Add(-time.Minute).Unix()
	case BadSignature:
		key = p.keys.other
	case NoNonce:
		delete(claims, "nonce")
	case WrongNonce:
		claims["nonce"] = oidcRandom(oidcBase64URL, 22)
	case AlgNone:
		method, key = jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType
	case AlgHS256:
		method, key = jwt.SigningMethodHS256, []byte(p.ClientSecret)
	case NoEmail:
		delete(claims, "email")
		delete(claims, "email_verified")
	case UnverifiedEmail:
		claims["email_verified"] = false
	case NoIAT:
		delete(claims, "iat")
	}
	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = p.kid
	return tok.SignedString(key)
}

// atHash is the at_hash claim of an RS256 token: the left half of the
// access token's SHA-256, base64url.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}

func (p *OIDCProvider) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	p.jwksRequests++
	p.mu.Unlock()
	pub := p.keys.signing.PublicKey
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA",
		"use": "sig",
		"alg": "RS256",
		"kid": p.kid,
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// serveUserInfo answers the claims of a valid access token.
func (p *OIDCProvider) serveUserInfo(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	g := p.accessTokens[token]
	p.mu.Unlock()
	if !ok || g == nil || p.settings.now().After(g.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	claims := map[string]any{"sub": g.identity.Subject}
	if slices.Contains(g.auth.Scopes, "email") && g.identity.Email != "" {
		claims["email"] = g.identity.Email
		claims["email_verified"] = g.identity.EmailVerified
	}
	if slices.Contains(g.auth.Scopes, "profile") {
		if g.identity.Name != "" {
			claims["name"] = g.identity.Name
		}
		if g.identity.Picture != "" {
			claims["picture"] = g.identity.Picture
		}
	}
	writeJSON(w, http.StatusOK, claims)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// --- keys and random values ---

// oidcKeys are the provider's signing key and the other key BadSignature
// signs with.
type oidcKeys struct {
	signing, other *rsa.PrivateKey
}

// sharedOIDCKeys are generated once per test binary: a 2048-bit key costs
// tens of milliseconds (far more under -race), and a suite starts many
// providers. Each provider serves the key under a kid of its own.
var sharedOIDCKeys = sync.OnceValues(func() (oidcKeys, error) {
	signing, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return oidcKeys{}, err
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return oidcKeys{}, err
	}
	return oidcKeys{signing: signing, other: other}, nil
})

const (
	oidcDigits     = "0123456789"
	oidcHex        = "0123456789abcdef"
	oidcLowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	oidcBase64URL  = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
)

// oidcRandom returns n characters drawn from alphabet. The slight modulo
// bias of the shorter alphabets does not matter for test values.
func oidcRandom(alphabet string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// completeIdentity fills an empty Subject with a Google-like 21-digit id
// derived from the email address, so the same address is the same account.
func completeIdentity(id Identity) Identity {
	if id.Subject != "" {
		return id
	}
	sum := sha256.Sum256([]byte(strings.ToLower(id.Email)))
	n := new(big.Int).SetBytes(sum[:])
	digits := n.Text(10)
	id.Subject = "1" + digits[:20]
	return id
}
