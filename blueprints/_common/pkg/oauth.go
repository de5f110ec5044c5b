// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"regstack.example/app/internal/auth/config"
)

// OAuthProvider is an OpenID Connect provider users may sign in with. The
// flow (PKCE, nonce, state bound to the browser, ID token checks, linking
// policy) is the same for all; a provider only says where it is and how
// its ID token's claims become an identity. Google is built in
// (GoogleProvider); WithOAuthProvider adds another, such as Microsoft:
//
//	auth.WithOAuthProvider(myProvider{...})
//
// docs/google.md shows one in full.
type OAuthProvider interface {
	// Name is the provider's URL segment (/oauth/{name}/start) and the
	// key of its identities: lowercase letters, digits and dashes.
	Name() string
	// Issuer is the OpenID Connect issuer whose discovery document
	// (Issuer + "/.well-known/openid-configuration") names the endpoints
	// and the signing keys.
	Issuer() string
	// Client is the OAuth client registered with the provider.
	Client() OAuthClient
	// Scopes are requested beside "openid".
	Scopes() []string
	// AuthCodeOptions are extra parameters of the authorization request
	// (Google: prompt=select_account).
	AuthCodeOptions() []oauth2.AuthCodeOption
	// Identity reads the verified ID token's claims. An identity without
	// an email address is refused (email_missing).
	Identity(tok *oidc.IDToken) (OAuthClaims, error)
}

// OAuthClient is an OAuth client registered with a provider.
type OAuthClient struct {
	ID, Secret string
	// RedirectURL is the callback registered with the provider; empty
	// means {base_url}{api_prefix}/oauth/{name}/callback.
	RedirectURL string
}

// OAuthClaims is who the provider says signed in.
type OAuthClaims struct {
	// Subject is the provider's stable account id (sub).
	Subject string
	Email   string
	// EmailVerified is the provider's word that Email belongs to the
	// account; only then may a sign-in be linked to an existing account
	// of that address (oauth.auto_link_verified_emails).
	EmailVerified bool
	Name          string
}

// GoogleProvider is Sign in with Google, configured by [oauth].
type GoogleProvider struct {
	cfg config.OAuthConfig
}

// NewGoogleProvider returns the Google provider of the [oauth] settings.
func NewGoogleProvider(cfg config.OAuthConfig) GoogleProvider { return GoogleProvider{cfg: cfg} }

func (GoogleProvider) Name() string     { return "google" }
func (g GoogleProvider) Issuer() string { return g.cfg.GoogleIssuer }
func (g GoogleProvider) Client() OAuthClient {
	return OAuthClient{ID: g.cfg.GoogleClientID, Secret: g.cfg.GoogleClientSecret, RedirectURL: g.cfg.GoogleRedirectURI}
}
func (GoogleProvider) Scopes() []string { return []string{"email", "profile"} }

// AuthCodeOptions lets a user with several Google accounts choose one
// every time, instead of being signed in silently with the last used.
func (GoogleProvider) AuthCodeOptions() []oauth2.AuthCodeOption {
	return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "select_account"), oauth2.AccessTypeOnline}
}

func (GoogleProvider) Identity(tok *oidc.IDToken) (OAuthClaims, error) {
	var c struct {
		Email         string `json:"email"`
		EmailVerified bool   `json:"email_verified"`
		Name          string `json:"name"`
	}
	if err := tok.Claims(&c); err != nil {
		return OAuthClaims{}, err
	}
	return OAuthClaims{Subject: tok.Subject, Email: c.Email, EmailVerified: c.EmailVerified, Name: c.Name}, nil
}

// oauthProvider is a provider as the flow uses it: the OAuth client
// configuration and the ID token verifier, built from the provider's
// discovery document on first use (so the application starts while the
// provider is unreachable) and kept.
type oauthProvider struct {
	OAuthProvider
	redirectURL string
	timeout     time.Duration

	mu         sync.Mutex
	discovered *oauthEndpoints
	// failed and failedAt keep the last discovery failure for a while, so
	// an unreachable provider costs one timeout per retryDiscovery, not
	// one per page view.
	failed   error
	failedAt time.Time
}

// retryDiscovery is how long a failed discovery is answered from memory.
const retryDiscovery = 30 * time.Second

type oauthEndpoints struct {
	config   oauth2.Config
	verifier *oidc.IDTokenVerifier
	// authOrigin is the authorization endpoint's origin, which a page
	// whose form leads there must allow in its CSP form-action.
	authOrigin string
}

// oauthProviders are the providers of cfg (Google when it is configured)
// and of WithOAuthProvider, by name.
func oauthProviders(cfg config.Config, extra []OAuthProvider) (map[string]*oauthProvider, error) {
	var all []OAuthProvider
	if cfg.OAuth.GoogleConfigured() {
		all = append(all, NewGoogleProvider(cfg.OAuth))
	}
	all = append(all, extra...)
	out := map[string]*oauthProvider{}
	for _, p := range all {
		name := p.Name()
		if !validProviderName(name) {
			return nil, fmt.Errorf("auth: oauth provider name %q: use lowercase letters, digits and dashes", name)
		}
		if c := p.Client(); c.ID == "" || c.Secret == "" {
			return nil, fmt.Errorf("auth: oauth provider %s: client ID and secret are required", name)
		}
		redirect := p.Client().RedirectURL
		if redirect == "" {
			redirect = strings.TrimRight(cfg.BaseURL, "/") + strings.TrimRight(cfg.APIPrefix, "/") + "/oauth/" + name + "/callback"
		}
		// Replaces a provider of the same name: a host's own google wins.
		out[name] = &oauthProvider{OAuthProvider: p, redirectURL: redirect, timeout: seconds(cfg.OAuth.TimeoutSeconds)}
	}
	return out, nil
}

func validProviderName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// httpClient bounds every request to the provider: discovery, the token
// exchange and the signing keys.
func (p *oauthProvider) httpClient() *http.Client {
	return &http.Client{Timeout: p.timeout}
}

// endpoints discovers the provider once. A failure is kept for
// retryDiscovery, then the next caller tries again.
func (p *oauthProvider) endpoints(ctx context.Context) (*oauthEndpoints, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.discovered != nil {
		return p.discovered, nil
	}
	if p.failed != nil && time.Since(p.failedAt) < retryDiscovery {
		return nil, p.failed
	}
	e, err := p.discover(ctx)
	if err != nil {
		p.failed, p.failedAt = err, time.Now()
		return nil, err
	}
	p.discovered, p.failed = e, nil
	return e, nil
}

// discover fetches the discovery document and builds the client and the
// verifier from it.
func (p *oauthProvider) discover(ctx context.Context) (*oauthEndpoints, error) {
	// go-oidc keeps the client of this context for the signing keys it
	// fetches later, so they get the same timeout.
	ctx = oidc.ClientContext(ctx, p.httpClient())
	op, err := oidc.NewProvider(ctx, p.Issuer())
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", p.Issuer(), err)
	}
	style, err := authStyle(op)
	if err != nil {
		return nil, err
	}
	endpoint := op.Endpoint()
	endpoint.AuthStyle = style
	client := p.Client()
	e := &oauthEndpoints{
		config: oauth2.Config{
			ClientID:     client.ID,
			ClientSecret: client.Secret,
			Endpoint:     endpoint,
			RedirectURL:  p.redirectURL,
			Scopes:       append([]string{oidc.ScopeOpenID}, p.Scopes()...),
		},
		// RS256 only: the alg header of a token never chooses the check
		// (none and HS256 are refused; TestOAuthRefusesBadIDTokens).
		verifier: op.Verifier(&oidc.Config{ClientID: client.ID, SupportedSigningAlgs: []string{oidc.RS256}}),
	}
	if e.authOrigin, err = origin(endpoint.AuthURL); err != nil {
		return nil, fmt.Errorf("discover %s: authorization_endpoint: %w", p.Issuer(), err)
	}
	return e, nil
}

// authStyle is how the client authenticates at the token endpoint, as the
// discovery document says: client_secret_basic (the OpenID default when it
// says nothing) or client_secret_post.
func authStyle(op *oidc.Provider) (oauth2.AuthStyle, error) {
	var d struct {
		Methods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := op.Claims(&d); err != nil {
		return 0, err
	}
	switch {
	case len(d.Methods) == 0 || slices.Contains(d.Methods, "client_secret_basic"):
		return oauth2.AuthStyleInHeader, nil
	case slices.Contains(d.Methods, "client_secret_post"):
		return oauth2.AuthStyleInParams, nil
	}
	return 0, fmt.Errorf("provider supports neither client_secret_basic nor client_secret_post (%s)", strings.Join(d.Methods, ", "))
}

// provider returns the provider of the URL segment, or an error that
// answers 404 as the reference does.
func (a *Auth) provider(name string) (*oauthProvider, error) {
	if p, ok := a.oauth[name]; ok {
		return p, nil
	}
	detail := "OAuth provider is not configured."
	if validProviderName(name) { // never echo arbitrary path text
		detail = fmt.Sprintf("OAuth provider '%s' is not configured.", name)
	}
	return nil, newError("auth: oauth provider not configured", http.StatusNotFound, detail)
}

// OAuthProviders returns the names of the providers users can sign in
// with, sorted.
func (a *Auth) OAuthProviders() []string {
	names := make([]string, 0, len(a.oauth))
	for n := range a.oauth {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// origin is the scheme and host of an absolute URL.
func origin(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute URL", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}
