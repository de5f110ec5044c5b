// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package authtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"
)

// oidcApp is a client of the fake provider written the way an application
// writes one with go-oidc and x/oauth2: discovery, PKCE, nonce, RS256 only.
type oidcApp struct {
	provider *oidc.Provider
	config   oauth2.Config
}

const oidcTestRedirect = "http://127.0.0.1:1/oauth/google/callback"

func newOIDCApp(t *testing.T, p *OIDCProvider, style oauth2.AuthStyle) *oidcApp {
	t.Helper()
	op, err := oidc.NewProvider(t.Context(), p.Issuer())
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	endpoint := op.Endpoint()
	endpoint.AuthStyle = style
	return &oidcApp{provider: op, config: oauth2.Config{
		ClientID:     p.ClientID,
		ClientSecret: p.ClientSecret,
		Endpoint:     endpoint,
		RedirectURL:  oidcTestRedirect,
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}}
}

// noRedirects is a browser that stops at the provider's redirect.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// oidcFlow is one sign-in in progress.
type oidcFlow struct {
	state, nonce, verifier string
	code                   string
}

// authorize sends the browser to the provider and returns the code of
// its redirect. It fails the test when there is none.
func (a *oidcApp) authorize(t *testing.T) *oidcFlow {
	t.Helper()
	f, err := a.tryAuthorize()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// tryAuthorize is authorize for other goroutines and expected refusals.
func (a *oidcApp) tryAuthorize() (*oidcFlow, error) {
	f := &oidcFlow{state: oidcRandom(oidcBase64URL, 22), nonce: oidcRandom(oidcBase64URL, 22), verifier: oauth2.GenerateVerifier()}
	authURL := a.config.AuthCodeURL(f.state, oauth2.S256ChallengeOption(f.verifier), oidc.Nonce(f.nonce))
	resp, err := noRedirects.Get(authURL)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("authorize: %d %s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return nil, err
	}
	if loc.Scheme+"://"+loc.Host+loc.Path != a.config.RedirectURL || loc.Query().Get("state") != f.state {
		return nil, fmt.Errorf("redirect %s, want %s with state %s", loc, a.config.RedirectURL, f.state)
	}
	if f.code = loc.Query().Get("code"); f.code == "" {
		return nil, fmt.Errorf("redirect without code: %s", loc)
	}
	return f, nil
}

// oidcChecks are the checks of the ID token; skip turns one off, to show
// that a fault breaks that one and nothing else.
type oidcChecks struct {
	skip string // "issuer", "audience", "expiry", "signature", "nonce", "iat", "email", "verified"
}

// finish exchanges the code and checks the ID token as an application
// does. The error says which step refused.
func (a *oidcApp) finish(ctx context.Context, f *oidcFlow, c oidcChecks) (*oidc.IDToken, error) {
	tok, err := a.config.Exchange(ctx, f.code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		return nil, fmt.Errorf("exchange: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return nil, errors.New("exchange: no id_token")
	}
	cfg := &oidc.Config{
		ClientID:             a.config.ClientID,
		SupportedSigningAlgs: []string{oidc.RS256},
		SkipIssuerCheck:      c.skip == "issuer",
		SkipClientIDCheck:    c.skip == "audience",
		SkipExpiryCheck:      c.skip == "expiry",
	}
	if c.skip == "signature" {
		// HS256 must parse before the signature check can be skipped.
		cfg.SupportedSigningAlgs = append(cfg.SupportedSigningAlgs, "HS256")
		cfg.InsecureSkipSignatureCheck = true
	}
	idt, err := a.provider.Verifier(cfg).Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	if c.skip != "signature" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, fmt.Errorf("at_hash: %w", err)
		}
	}
	var claims struct {
		Email         *string `json:"email"`
		EmailVerified *bool   `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		return nil, err
	}
	switch {
	case c.skip != "nonce" && idt.Nonce != f.nonce:
		return nil, fmt.Errorf("nonce %q, want %q", idt.Nonce, f.nonce)
	case c.skip != "iat" && idt.IssuedAt.IsZero():
		return nil, errors.New("no iat")
	case c.skip != "email" && (claims.Email == nil || *claims.Email == ""):
		return nil, errors.New("no email")
	case c.skip != "email" && c.skip != "verified" && (claims.EmailVerified == nil || !*claims.EmailVerified):
		return nil, errors.New("email not verified")
	}
	return idt, nil
}

func (a *oidcApp) signIn(t *testing.T) (*oidc.IDToken, error) {
	t.Helper()
	return a.finish(t.Context(), a.authorize(t), oidcChecks{})
}

func TestOIDCHappyPath(t *testing.T) {
	p := NewOIDCProvider(t)
	if !strings.HasPrefix(p.Issuer(), "http://127.0.0.1:") ||
		!strings.HasSuffix(p.ClientID, ".apps.googleusercontent.com") || !strings.HasPrefix(p.ClientSecret, "GOCSPX-") {
		t.Fatalf("issuer %s, client %s / %s", p.Issuer(), p.ClientID, p.ClientSecret)
	}
	id := Identity{Subject: "109876543210987654321", Email: "ada@example.com", EmailVerified: true, Name: "Ada Lovelace", Picture: "https://example.com/ada.png"}
	p.SetIdentity(id)
	app := newOIDCApp(t, p, oauth2.AuthStyleInHeader)

	var disc struct {
		Methods    []string `json:"token_endpoint_auth_methods_supported"`
		Algs       []string `json:"id_token_signing_alg_values_supported"`
		Challenges []string `json:"code_challenge_methods_supported"`
	}
	if err := app.provider.Claims(&disc); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(disc.Methods, []string{ClientSecretBasic, ClientSecretPost}) || !slices.Equal(disc.Algs, []string{"RS256"}) || !slices.Equal(disc.Challenges, []string{"S256"}) {
		t.Fatalf("discovery: %+v", disc)
	}

	f := app.authorize(t)
	a := p.LastAuthorization(t)
	if a.Refused != "" || a.ClientID != p.ClientID || a.RedirectURI != oidcTestRedirect || a.State != f.state || a.Nonce != f.nonce ||
		a.CodeChallengeMethod != "S256" || !slices.Contains(a.Scopes, "email") {
		t.Fatalf("recorded authorization: %+v", a)
	}
	idt, err := app.finish(t.Context(), f, oidcChecks{})
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		Email, Name, Picture, Azp string
		Verified                  bool `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	if idt.Subject != id.Subject || idt.Issuer != p.Issuer() || claims.Email != id.Email || !claims.Verified ||
		claims.Name != id.Name || claims.Picture != id.Picture || claims.Azp != p.ClientID {
		t.Fatalf("token %+v, claims %+v", idt, claims)
	}

	// Signing in again reuses the cached keys.
	if _, err := app.signIn(t); err != nil {
		t.Fatal(err)
	}
	if got := p.JWKSRequests(); got != 1 {
		t.Fatalf("JWKS fetched %d times, want 1", got)
	}
	if got := p.TokenRequests(); got != 2 {
		t.Fatalf("%d token requests, want 2", got)
	}
}

func TestOIDCUserInfo(t *testing.T) {
	p := NewOIDCProvider(t)
	app := newOIDCApp(t, p, oauth2.AuthStyleInParams)
	f := app.authorize(t)
	tok, err := app.config.Exchange(t.Context(), f.code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		t.Fatal(err)
	}
	info, err := app.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	if want := p.Identity(); info.Subject != want.Subject || info.Email != want.Email || !info.EmailVerified {
		t.Fatalf("userinfo %+v, identity %+v", info, want)
	}
	if _, err := app.provider.UserInfo(t.Context(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "ya29.forged"})); err == nil {
		t.Fatal("userinfo answered a forged access token")
	}
}

func TestOIDCDefaultIdentity(t *testing.T) {
	p := NewOIDCProvider(t)
	id := p.Identity()
	if id.Subject == "" || !strings.HasSuffix(id.Email, "@example.com") || !id.EmailVerified {
		t.Fatalf("default identity %+v", id)
	}
	if NewOIDCProvider(t).Identity().Email == id.Email {
		t.Fatal("two providers share a default address")
	}
	// The same address without a subject is the same account.
	p.SetIdentity(Identity{Email: "bob@example.com"})
	first := p.Identity().Subject
	p.SetIdentity(Identity{Email: "bob@example.com"})
	if first == "" || p.Identity().Subject != first || len(first) != 21 {
		t.Fatalf("subjects %q, %q", first, p.Identity().Subject)
	}
}

// TestOIDCFaults proves that each fault is refused, and that it is its
// only defect: with that one check skipped, the sign-in succeeds.
func TestOIDCFaults(t *testing.T) {
	cases := []struct {
		fault Fault
		skip  string
	}{
		{WrongIssuer, "issuer"},
		{WrongAudience, "audience"},
		{Expired, "expiry"},
		{BadSignature, "signature"},
		{NoNonce, "nonce"},
		{WrongNonce, "nonce"},
		{AlgNone, "signature"},
		{AlgHS256, "signature"},
		{NoEmail, "email"},
		{UnverifiedEmail, "verified"},
		{NoIAT, "iat"},
	}
	p := NewOIDCProvider(t)
	app := newOIDCApp(t, p, oauth2.AuthStyleInHeader)
	for _, c := range cases {
		t.Run(c.fault.String(), func(t *testing.T) {
			p.Misbehave(c.fault)
			defer p.Misbehave(NoFault)
			if _, err := app.signIn(t); err == nil {
				t.Fatal("a token with the fault was accepted")
			} else {
				t.Logf("refused: %v", err)
			}
			if _, err := app.finish(t.Context(), app.authorize(t), oidcChecks{skip: c.skip}); err != nil {
				t.Fatalf("with the %s check skipped: %v", c.skip, err)
			}
		})
	}
	if _, err := app.signIn(t); err != nil {
		t.Fatalf("after Misbehave(NoFault): %v", err)
	}
}

// TestOIDCSignatureFaults looks at how the bad tokens are made: the
// confusion attack is a valid HMAC under the client secret, and the bad
// signature names the served key.
func TestOIDCSignatureFaults(t *testing.T) {
	p := NewOIDCProvider(t)
	app := newOIDCApp(t, p, oauth2.AuthStyleInHeader)
	rawToken := func(f Fault) string {
		p.Misbehave(f)
		defer p.Misbehave(NoFault)
		fl := app.authorize(t)
		tok, err := app.config.Exchange(t.Context(), fl.code, oauth2.VerifierOption(fl.verifier))
		if err != nil {
			t.Fatal(err)
		}
		return tok.Extra("id_token").(string)
	}
	parse := func(raw, alg string, key any) (*jwt.Token, error) {
		parser := jwt.NewParser(jwt.WithAudience(p.ClientID), jwt.WithIssuer(p.Issuer()), jwt.WithValidMethods([]string{alg}))
		return parser.Parse(raw, func(*jwt.Token) (any, error) { return key, nil })
	}

	if _, err := parse(rawToken(AlgHS256), "HS256", []byte(p.ClientSecret)); err != nil {
		t.Fatalf("AlgHS256 token is not HMAC-signed with the client secret: %v", err)
	}
	none := rawToken(AlgNone)
	if _, err := parse(none, "none", jwt.UnsafeAllowNoneSignatureType); err != nil || !strings.HasSuffix(none, ".") {
		t.Fatalf("AlgNone token %q: %v", none, err)
	}
	tok, err := parse(rawToken(BadSignature), "RS256", &p.keys.signing.PublicKey)
	if !errors.Is(err, jwt.ErrTokenSignatureInvalid) || tok.Header["kid"] != p.kid {
		t.Fatalf("BadSignature token: %v, header %v", err, tok.Header)
	}
	if _, err := parse(rawToken(NoFault), "RS256", &p.keys.signing.PublicKey); err != nil {
		t.Fatalf("good token: %v", err)
	}
}

func TestOIDCTokenEndpointError(t *testing.T) {
	p := NewOIDCProvider(t)
	app := newOIDCApp(t, p, oauth2.AuthStyleInHeader)
	p.Misbehave(TokenEndpointError)
	_, err := app.signIn(t)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusInternalServerError {
		t.Fatalf("want a 500 from the token endpoint, got %v", err)
	}
}

// exchangeError returns the OAuth error code of a refused exchange.
func exchangeError(t *testing.T, err error) string {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("want a refused exchange, got %v", err)
	}
	return re.ErrorCode
}

func TestOIDCPKCE(t *testing.T) {
	p := NewOIDCProvider(t)
	app := newOIDCApp(t, p, oauth2.AuthStyleInHeader)

	f := app.authorize(t)
	_, err := app.config.Exchange(t.Context(), f.code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	if code := exchangeError(t, err); code != "invalid_grant" {
		t.Fatalf("wrong verifier: %s", code)
	}
	f = app.authorize(t)
	_, err = app.config.Exchange(t.Context(), f.code)
	if code := exchangeError(t, err); code != "invalid_grant" {
		t.Fatalf("no verifier: %s", code)
	}
}

func TestOIDCCodeSingleUse(t *testing.T) {
	p := NewOIDCProvider(t)
	app := newOIDCApp(t, p, oauth2.AuthStyleInHeader)
	f := app.authorize(t)
	if _, err := app.finish(t.Context(), f, oidcChecks{}); err != nil {
		t.Fatal(err)
	}
	_, err := app.config.Exchange(t.Context(), f.code, oauth2.VerifierOption(f.verifier))
	if code := exchangeError(t, err); code != "invalid_grant" {
		t.Fatalf("second use: %s", code)
	}
}

func TestOIDCRedirectURIMustMatchAtExchange(t *testing.T) {
	p := NewOIDCProvider(t)
	app := newOIDCApp(t, p, oauth2.AuthStyleInHeader)
	f := app.authorize(t)
	other := app.config
	other.RedirectURL = "http://127.0.0.1:1/elsewhere"
	_, err := other.Exchange(t.Context(), f.code, oauth2.VerifierOption(f.verifier))
	if code := exchangeError(t, err); code != "invalid_grant" {
		t.Fatalf("other redirect_uri: %s", code)
	}
}

func TestOIDCClientAuth(t *testing.T) {
	for _, c := range []struct {
		name    string
		methods []string
		ok, bad oauth2.AuthStyle
	}{
		{"basic only", []string{ClientSecretBasic}, oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams},
		{"post only", []string{ClientSecretPost}, oauth2.AuthStyleInParams, oauth2.AuthStyleInHeader},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := NewOIDCProvider(t, OIDCAuthMethods(c.methods...))
			refused := newOIDCApp(t, p, c.bad)
			f := refused.authorize(t)
			_, err := refused.finish(t.Context(), f, oidcChecks{})
			if code := exchangeError(t, err); code != "invalid_client" {
				t.Fatalf("refused method: %s", code)
			}
			if re := (*oauth2.RetrieveError)(nil); errors.As(err, &re) && re.Response.StatusCode != http.StatusUnauthorized {
				t.Fatalf("refused method: status %d", re.Response.StatusCode)
			}
			// An unauthenticated attempt leaves the code usable.
			accepted := newOIDCApp(t, p, c.ok)
			if _, err := accepted.finish(t.Context(), f, oidcChecks{}); err != nil {
				t.Fatal(err)
			}
			// x/oauth2's probing (header first, then parameters) ends up
			// authenticated either way.
			if _, err := newOIDCApp(t, p, oauth2.AuthStyleAutoDetect).signIn(t); err != nil {
				t.Fatalf("auto-detect: %v", err)
			}
		})
	}
	t.Run("wrong secret", func(t *testing.T) {
		p := NewOIDCProvider(t)
		app := newOIDCApp(t, p, oauth2.AuthStyleInParams)
		app.config.ClientSecret = "GOCSPX-wrong"
		_, err := app.signIn(t)
		if code := exchangeError(t, err); code != "invalid_client" {
			t.Fatalf("wrong secret: %s", code)
		}
	})
}

func TestOIDCAuthorizeRefusals(t *testing.T) {
	p := NewOIDCProvider(t)
	app := newOIDCApp(t, p, oauth2.AuthStyleInHeader)
	verifier := oauth2.GenerateVerifier()
	good := func() url.Values {
		u, _ := url.Parse(app.config.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-1")))
		return u.Query()
	}
	cases := map[string]struct {
		mutate  func(url.Values)
		refusal string
	}{
		"no PKCE":         {func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, "invalid_request"},
		"plain PKCE":      {func(q url.Values) { q.Set("code_challenge_method", "plain"); q.Set("code_challenge", verifier) }, "invalid_request"},
		"no nonce":        {func(q url.Values) { q.Del("nonce") }, "invalid_request"},
		"no state":        {func(q url.Values) { q.Del("state") }, "invalid_request"},
		"no openid":       {func(q url.Values) { q.Set("scope", "email profile") }, "invalid_scope"},
		"implicit flow":   {func(q url.Values) { q.Set("response_type", "id_token") }, "unsupported_response_type"},
		"unknown client":  {func(q url.Values) { q.Set("client_id", "1-x.apps.googleusercontent.com") }, "invalid_client"},
		"remote redirect": {func(q url.Values) { q.Set("redirect_uri", "http://evil.example/cb") }, "redirect_uri_mismatch"},
		"non-loopback":    {func(q url.Values) { q.Set("redirect_uri", "https://127.0.0.1.evil.example/cb") }, "redirect_uri_mismatch"},
	}
	authURL := app.config.Endpoint.AuthURL
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			q := good()
			c.mutate(q)
			resp, err := noRedirects.Get(authURL + "?" + q.Encode())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
				t.Fatalf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			if a := p.LastAuthorization(t); !strings.HasPrefix(a.Refused, c.refusal+":") {
				t.Fatalf("refusal %q, want %s", a.Refused, c.refusal)
			}
		})
	}

	// Once a redirect URI is registered, only it is accepted.
	p.RegisterRedirectURI("http://127.0.0.1:1/registered")
	if _, err := app.tryAuthorize(); err == nil {
		t.Fatal("an unregistered loopback redirect was accepted")
	}
	if a := p.LastAuthorization(t); !strings.HasPrefix(a.Refused, "redirect_uri_mismatch") {
		t.Fatalf("refusal %q", a.Refused)
	}
	p.RegisterRedirectURI(oidcTestRedirect)
	if _, err := app.signIn(t); err != nil {
		t.Fatal(err)
	}
}

func TestOIDCDenyAccess(t *testing.T) {
	p := NewOIDCProvider(t)
	app := newOIDCApp(t, p, oauth2.AuthStyleInHeader)
	p.DenyAccess(true)
	loc := p.Authorize(t, app.config.AuthCodeURL("state-1", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oidc.Nonce("n")))
	if q := loc.Query(); q.Get("error") != "access_denied" || q.Get("state") != "state-1" || q.Has("code") {
		t.Fatalf("redirect %s", loc)
	}
	p.DenyAccess(false)
	if _, err := app.signIn(t); err != nil {
		t.Fatal(err)
	}
}

func TestOIDCConsentPage(t *testing.T) {
	p := NewOIDCProvider(t, OIDCConsentPage())
	p.SetIdentity(Identity{Email: "eve@example.com", EmailVerified: true, Name: "Eve <script>"})
	app := newOIDCApp(t, p, oauth2.AuthStyleInHeader)
	verifier := oauth2.GenerateVerifier()
	authURL := app.config.AuthCodeURL("state-1", oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-1"))

	resp, err := noRedirects.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "eve@example.com") ||
		strings.Contains(page, "<script") || !strings.Contains(page, `method="post"`) || !strings.Contains(page, ">Continue</button>") {
		t.Fatalf("consent page %d:\n%s", resp.StatusCode, page)
	}
	pending := consentPendingField.FindStringSubmatch(page)[1]

	// Cancel answers access_denied; the page cannot be answered twice.
	resp, err = noRedirects.PostForm(p.Issuer()+oidcConsentPath, url.Values{"pending": {pending}, "action": {"cancel"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc, _ := url.Parse(resp.Header.Get("Location")); loc == nil || loc.Query().Get("error") != "access_denied" {
		t.Fatalf("cancel: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, err = noRedirects.PostForm(p.Issuer()+oidcConsentPath, url.Values{"pending": {pending}, "action": {"continue"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("consent answered twice: %d", resp.StatusCode)
	}

	// Continue (through Authorize, which presses it) completes the sign-in.
	loc := p.Authorize(t, authURL)
	idt, err := app.finish(t.Context(), &oidcFlow{state: "state-1", nonce: "nonce-1", verifier: verifier, code: loc.Query().Get("code")}, oidcChecks{})
	if err != nil {
		t.Fatal(err)
	}
	if idt.Subject != p.Identity().Subject {
		t.Fatalf("subject %s", idt.Subject)
	}
}

func TestOIDCConcurrentSignIns(t *testing.T) {
	p := NewOIDCProvider(t)
	app := newOIDCApp(t, p, oauth2.AuthStyleInHeader)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			f, err := app.tryAuthorize()
			if err == nil {
				_, err = app.finish(t.Context(), f, oidcChecks{})
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := p.TokenRequests(); got != 8 {
		t.Fatalf("%d token requests, want 8", got)
	}
}
