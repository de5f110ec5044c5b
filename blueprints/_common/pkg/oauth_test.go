// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"regstack.example/app/internal/auth"
	"regstack.example/app/internal/auth/authtest"
	"regstack.example/app/internal/auth/config"
	"regstack.example/app/internal/auth/store"
)

// googleEnv is an Env whose Google is the fake provider idp.
func googleEnv(t *testing.T, configure ...func(*config.Config)) (*authtest.Env, *authtest.OIDCProvider) {
	t.Helper()
	return googleEnvWith(t, nil, configure...)
}

// googleEnvWith is googleEnv with options for the fake provider.
func googleEnvWith(t *testing.T, opts []authtest.OIDCOption, configure ...func(*config.Config)) (*authtest.Env, *authtest.OIDCProvider) {
	t.Helper()
	idp := authtest.NewOIDCProvider(t, opts...)
	env := newEnv(t, append([]func(*config.Config){func(c *config.Config) {
		c.OAuth.GoogleIssuer = idp.Issuer()
		c.OAuth.GoogleClientID = idp.ClientID
		c.OAuth.GoogleClientSecret = idp.ClientSecret
	}}, configure...)...)
	return env, idp
}

// browser is a user agent: it keeps cookies and does not follow
// redirects, so each hop of the flow can be checked.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, c: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       10 * time.Second,
	}}
}

// get fetches u and returns the answer's status and Location.
func (b *browser) get(u string) (int, *url.URL) {
	b.t.Helper()
	resp, err := b.c.Get(u)
	if err != nil {
		b.t.Fatalf("GET %s: %v", u, err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	return resp.StatusCode, loc
}

// follow expects a 302 from u and returns where it leads.
func (b *browser) follow(u string) *url.URL {
	b.t.Helper()
	status, loc := b.get(u)
	if status != http.StatusFound || loc == nil {
		b.t.Fatalf("GET %s: %d to %v, want 302", u, status, loc)
	}
	return loc
}

// signInWithGoogle walks b through the flow up to the callback's answer:
// start, the provider's consent, the callback. It returns where the
// callback sent the browser.
func signInWithGoogle(t *testing.T, env *authtest.Env, b *browser, query string) *url.URL {
	t.Helper()
	authz := b.follow(env.URL("/oauth/google/start" + query))
	cb := b.follow(authz.String())
	return b.follow(cb.String())
}

// linkGoogle walks b through linking Google to the account of the session
// token: the link start (a fetch from the signed-in page, whose cookie
// binds the flow to the browser as the sign-in's does), the provider's
// consent, the callback. It returns where the callback sent the browser.
func linkGoogle(t *testing.T, env *authtest.Env, b *browser, token, query string) *url.URL {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.URL("/oauth/google/link/start"+query), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		AuthorizationURL string `json:"authorization_url"`
	}
	decodeJSON(t, resp, &body)
	return b.follow(b.follow(body.AuthorizationURL).String())
}

// completion returns the completion id of a callback's redirect, failing
// unless it went to oauth-complete.
func completion(t *testing.T, env *authtest.Env, loc *url.URL) string {
	t.Helper()
	if loc.Path != env.Config.UIPrefix+"/oauth-complete" || loc.Query().Get("id") == "" {
		t.Fatalf("callback went to %s, want %s/oauth-complete?id=…", loc, env.Config.UIPrefix)
	}
	return loc.Query().Get("id")
}

// wantCallbackError checks that the callback sent the browser to the
// login page with code.
func wantCallbackError(t *testing.T, env *authtest.Env, loc *url.URL, code string) {
	t.Helper()
	if loc.Path != env.Config.UIPrefix+"/login" || loc.Query().Get("error") != code {
		t.Fatalf("callback went to %s, want %s/login?error=%s", loc, env.Config.UIPrefix, code)
	}
}

func exchange(t *testing.T, env *authtest.Env, id string) *authtest.Response {
	t.Helper()
	return env.Do(t, http.MethodPost, "/oauth/exchange", map[string]string{"id": id})
}

func TestGoogleSignInCreatesAccount(t *testing.T) {
	env, idp := googleEnv(t)
	idp.SetIdentity(authtest.Identity{Subject: "g-1", Email: "Ada@Example.com", EmailVerified: true, Name: "Ada Lovelace"})
	b := newBrowser(t)
	loc := signInWithGoogle(t, env, b, "?redirect_to=/welcome")

	// The authorization request: PKCE S256, a nonce, a long state.
	q := idp.LastAuthorization(t).Params
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" {
		t.Errorf("authorization request %v lacks PKCE S256 or a nonce", q)
	}
	if len(q.Get("state")) < 43 {
		t.Errorf("state %q is shorter than 256 bits", q.Get("state"))
	}
	if !strings.HasSuffix(q.Get("redirect_uri"), env.Config.APIPrefix+"/oauth/google/callback") || !strings.Contains(q.Get("scope"), "openid") {
		t.Errorf("authorization request %v: redirect_uri or scope wrong", q)
	}

	r := exchange(t, env, completion(t, env, loc))
	wantStatus(t, r, http.StatusOK)
	if r.Str("token_type") != "bearer" || r.Str("redirect_to") != "/welcome" || r.JSON["was_new_account"] != true {
		t.Fatalf("exchange = %s", r)
	}
	me := env.Me(t, r.Str("access_token"))
	wantStatus(t, me, http.StatusOK)
	if me.Str("email") != "ada@example.com" && me.Str("email") != "Ada@example.com" {
		t.Errorf("email = %q", me.Str("email"))
	}
	if me.JSON["is_verified"] != true || me.Str("full_name") != "Ada Lovelace" {
		t.Errorf("me = %s", me)
	}
	names := env.Events.Names()
	for _, want := range []string{"oauth_signin_started", "user_registered", "oauth_signin_completed"} {
		if !contains(names, want) {
			t.Errorf("events %v lack %s", names, want)
		}
	}
	if c := authtest.Of[auth.OAuthSignInCompleted](env.Events); len(c) != 1 || !c[0].WasNew || c[0].Mode != "signin" {
		t.Errorf("OAuthSignInCompleted = %+v", c)
	}

	// A second sign-in finds the same account by its subject.
	loc = signInWithGoogle(t, env, newBrowser(t), "")
	r = exchange(t, env, completion(t, env, loc))
	wantStatus(t, r, http.StatusOK)
	if r.JSON["was_new_account"] != false || r.Str("redirect_to") != env.Config.UIPrefix+"/me" {
		t.Errorf("second exchange = %s", r)
	}
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }

// decodeJSON reads a 200 answer's JSON body into v.
func decodeJSON(t *testing.T, resp *http.Response, v any) {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

func TestGoogleUnverifiedEmailMakesUnverifiedAccount(t *testing.T) {
	env, idp := googleEnv(t)
	idp.SetIdentity(authtest.Identity{Subject: "g-2", Email: "bob@example.com", EmailVerified: false})
	r := exchange(t, env, completion(t, env, signInWithGoogle(t, env, newBrowser(t), "")))
	wantStatus(t, r, http.StatusOK)
	if me := env.Me(t, r.Str("access_token")); me.JSON["is_verified"] != false {
		t.Errorf("me = %s, want is_verified false", me)
	}
}

// TestOAuthCallbackBoundToBrowser: the callback link of a sign-in,
// opened in another browser (an attacker's link in the victim's), fails
// with bad_state and its code is never redeemed; the browser that started
// it can still finish.
func TestOAuthCallbackBoundToBrowser(t *testing.T) {
	env, idp := googleEnv(t)
	started := newBrowser(t)
	authz := started.follow(env.URL("/oauth/google/start"))
	cb := started.follow(authz.String())

	wantCallbackError(t, env, newBrowser(t).follow(cb.String()), "bad_state")
	if n := idp.TokenRequests(); n != 0 {
		t.Fatalf("%d token requests after a callback from another browser, want 0", n)
	}
	completion(t, env, started.follow(cb.String()))
	// Single use: the same callback again is refused.
	wantCallbackError(t, env, started.follow(cb.String()), "bad_state")
}

func TestOAuthCallbackErrors(t *testing.T) {
	env, _ := googleEnv(t)
	b := newBrowser(t)
	for _, c := range []struct{ query, code string }{
		{"?error=access_denied&state=x", "oauth_failed"},
		{"", "missing_code_or_state"},
		{"?code=abc", "missing_code_or_state"},
		{"?state=abc", "missing_code_or_state"},
		{"?code=abc&state=unknown", "bad_state"},
	} {
		wantCallbackError(t, env, b.follow(env.URL("/oauth/google/callback"+c.query)), c.code)
	}
	wantCallbackError(t, env, b.follow(env.URL("/oauth/github/callback?code=a&state=b")), "unknown_provider")
}

func TestOAuthStateExpires(t *testing.T) {
	env, _ := googleEnv(t)
	b := newBrowser(t)
	authz := b.follow(env.URL("/oauth/google/start"))
	cb := b.follow(authz.String())
	env.Clock.Advance(time.Duration(env.Config.OAuth.StateTTLSeconds+1) * time.Second)
	wantCallbackError(t, env, b.follow(cb.String()), "state_expired")
}

// TestOAuthRefusesBadIDTokens: every defect of the ID token or the token
// endpoint fails the sign-in with its code, and makes no account.
func TestOAuthRefusesBadIDTokens(t *testing.T) {
	for _, c := range []struct {
		fault authtest.Fault
		code  string
	}{
		{authtest.WrongIssuer, "id_token_failed"},
		{authtest.WrongAudience, "id_token_failed"},
		{authtest.Expired, "id_token_failed"},
		{authtest.BadSignature, "id_token_failed"},
		{authtest.NoNonce, "id_token_failed"},
		{authtest.WrongNonce, "id_token_failed"},
		{authtest.AlgNone, "id_token_failed"},
		{authtest.AlgHS256, "id_token_failed"},
		{authtest.NoIAT, "id_token_failed"},
		{authtest.NoEmail, "email_missing"},
		{authtest.TokenEndpointError, "token_exchange_failed"},
	} {
		t.Run(c.code+"/"+c.fault.String(), func(t *testing.T) {
			env, idp := googleEnv(t)
			idp.Misbehave(c.fault)
			wantCallbackError(t, env, signInWithGoogle(t, env, newBrowser(t), ""), c.code)
			if n := len(env.Events.Names()); contains(env.Events.Names(), "user_registered") {
				t.Errorf("an account was made (%d events)", n)
			}
		})
	}
}

func TestOAuthExistingEmailIsRefusedByDefault(t *testing.T) {
	env, idp := googleEnv(t)
	signUp(t, env, "carol@example.com", "correct horse battery")
	idp.SetIdentity(authtest.Identity{Subject: "g-3", Email: "carol@example.com", EmailVerified: true})
	wantCallbackError(t, env, signInWithGoogle(t, env, newBrowser(t), ""), "email_in_use")
}

func TestOAuthAutoLinkOnlyVerifiedEmails(t *testing.T) {
	env, idp := googleEnv(t, func(c *config.Config) { c.OAuth.AutoLinkVerifiedEmails = true })
	id, _ := signUp(t, env, "dan@example.com", "correct horse battery")

	idp.SetIdentity(authtest.Identity{Subject: "g-4", Email: "dan@example.com", EmailVerified: false})
	wantCallbackError(t, env, signInWithGoogle(t, env, newBrowser(t), ""), "email_in_use")

	idp.SetIdentity(authtest.Identity{Subject: "g-4", Email: "dan@example.com", EmailVerified: true})
	r := exchange(t, env, completion(t, env, signInWithGoogle(t, env, newBrowser(t), "")))
	wantStatus(t, r, http.StatusOK)
	if me := env.Me(t, r.Str("access_token")); me.Str("id") != id || r.JSON["was_new_account"] != false {
		t.Errorf("signed in as %s (new %v), want the existing %s", me.Str("id"), r.JSON["was_new_account"], id)
	}
}

func TestOAuthRegistrationDisabled(t *testing.T) {
	env, _ := googleEnv(t, func(c *config.Config) { c.AllowRegistration = false })
	wantCallbackError(t, env, signInWithGoogle(t, env, newBrowser(t), ""), "registration_disabled")
}

func TestOAuthDisabledUserRefused(t *testing.T) {
	env, idp := googleEnv(t)
	idp.SetIdentity(authtest.Identity{Subject: "g-5", Email: "erin@example.com", EmailVerified: true})
	r := exchange(t, env, completion(t, env, signInWithGoogle(t, env, newBrowser(t), "")))
	wantStatus(t, r, http.StatusOK)
	uid := env.Me(t, r.Str("access_token")).Str("id")
	f := false
	if _, err := sideStore(t, env).UpdateUser(t.Context(), uid, store.UserPatch{IsActive: &f}, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	wantCallbackError(t, env, signInWithGoogle(t, env, newBrowser(t), ""), "user_inactive")
}

// TestOAuthExchangeSingleUse: of concurrent exchanges of one completion id
// exactly one gets a session; a second try is 404.
func TestOAuthExchangeSingleUse(t *testing.T) {
	env, _ := googleEnv(t)
	id := completion(t, env, signInWithGoogle(t, env, newBrowser(t), ""))
	counts := race(20, func() int { return exchange(t, env, id).Status })
	if counts[http.StatusOK] != 1 || counts[http.StatusNotFound] != 19 {
		t.Fatalf("statuses %v, want one 200 and 19 404", counts)
	}
	wantDetail(t, exchange(t, env, id), http.StatusNotFound, "OAuth state not found or already consumed.")
}

func TestOAuthExchangeFailures(t *testing.T) {
	env, _ := googleEnv(t)
	wantDetail(t, exchange(t, env, "no-such-completion-id"), http.StatusNotFound, "OAuth state not found or already consumed.")
	wantValidation(t, exchange(t, env, "short"), "id", "string_too_short")
	wantStatus(t, env.Do(t, http.MethodGet, "/oauth/exchange", nil), http.StatusMethodNotAllowed)

	// The state id of a sign-in in flight is not a completion id, and
	// trying it does not destroy the sign-in.
	b := newBrowser(t)
	authz := b.follow(env.URL("/oauth/google/start"))
	state := authz.Query().Get("state")
	wantStatus(t, exchange(t, env, state), http.StatusNotFound)
	cb := b.follow(authz.String())
	id := completion(t, env, b.follow(cb.String()))

	// Too late.
	env.Clock.Advance(time.Duration(env.Config.OAuth.CompletionTTLSeconds+1) * time.Second)
	wantDetail(t, exchange(t, env, id), http.StatusBadRequest, "OAuth state has expired.")
}

func TestOAuthStartRedirectTo(t *testing.T) {
	env, _ := googleEnv(t)
	b := newBrowser(t)
	for _, ok := range []string{"/x", "/a/b?c=d", env.Config.BaseURL + "/landing"} {
		if status, _ := b.get(env.URL("/oauth/google/start?redirect_to=" + url.QueryEscape(ok))); status != http.StatusFound {
			t.Errorf("redirect_to %q: %d, want 302", ok, status)
		}
	}
	for _, bad := range []string{"//evil.example", `/\evil.example`, "https://evil.example/x", "javascript:alert(1)", "/a\nb", "http://" + strings.TrimPrefix(env.Config.BaseURL, "http://") + ".evil.example/"} {
		r := env.Do(t, http.MethodGet, "/oauth/google/start?redirect_to="+url.QueryEscape(bad), nil)
		wantDetail(t, r, http.StatusBadRequest, "redirect_to must be same-origin.")
	}
	wantDetail(t, env.Do(t, http.MethodGet, "/oauth/github/start", nil), http.StatusNotFound, "OAuth provider 'github' is not configured.")
}

func TestOAuthStartCookie(t *testing.T) {
	env, _ := googleEnv(t)
	resp, err := newBrowser(t).c.Get(env.URL("/oauth/google/start"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("start: %d, want 302", resp.StatusCode)
	}
	c := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"regstack_oauth=", "HttpOnly", "SameSite=Lax", "Path=" + env.Config.APIPrefix + "/oauth/"} {
		if !strings.Contains(c, want) {
			t.Errorf("Set-Cookie %q lacks %q", c, want)
		}
	}
}

func TestOAuthLinkAndUnlink(t *testing.T) {
	env, idp := googleEnv(t)
	id, token := signUp(t, env, "fay@example.com", "correct horse battery")
	b := newBrowser(t)

	r := env.Do(t, http.MethodPost, "/oauth/google/link/start", nil)
	want401(t, r, "Authentication required.")
	idp.SetIdentity(authtest.Identity{Subject: "g-6", Email: "fay.other@gmail.example", EmailVerified: true})
	r = exchange(t, env, completion(t, env, linkGoogle(t, env, b, token, "?redirect_to=/settings")))
	wantStatus(t, r, http.StatusOK)
	if env.Me(t, r.Str("access_token")).Str("id") != id || r.Str("redirect_to") != "/settings" {
		t.Fatalf("link exchange = %s", r)
	}
	if len(authtest.Of[auth.OAuthAccountLinked](env.Events)) != 1 {
		t.Errorf("events %v lack oauth_account_linked", env.Events.Names())
	}

	p := env.Do(t, http.MethodGet, "/oauth/providers", nil, authtest.Bearer(token))
	wantStatus(t, p, http.StatusOK)
	linked, _ := p.JSON["linked"].([]any)
	if len(linked) != 1 || linked[0].(map[string]any)["provider"] != "google" || linked[0].(map[string]any)["email"] != "fay.other@gmail.example" {
		t.Errorf("providers = %s", p)
	}

	// Signing in with Google now finds Fay.
	r = exchange(t, env, completion(t, env, signInWithGoogle(t, env, newBrowser(t), "")))
	if env.Me(t, r.Str("access_token")).Str("id") != id {
		t.Errorf("Google sign-in after linking: %s", r)
	}

	wantMessage(t, env.Do(t, http.MethodDelete, "/oauth/google/link", nil, authtest.Bearer(token)), http.StatusOK, "Unlinked google.")
	wantDetail(t, env.Do(t, http.MethodDelete, "/oauth/google/link", nil, authtest.Bearer(token)), http.StatusNotFound, "That provider is not linked to your account.")
	if len(authtest.Of[auth.OAuthAccountUnlinked](env.Events)) != 1 {
		t.Errorf("events %v lack oauth_account_unlinked", env.Events.Names())
	}
}

// TestOAuthLinkConflicts: a Google account linked to someone else cannot
// be linked again (identity_in_use), nor twice to the same user
// (already_linked).
func TestOAuthLinkConflicts(t *testing.T) {
	env, idp := googleEnv(t)
	idp.SetIdentity(authtest.Identity{Subject: "g-7", Email: "gus@example.com", EmailVerified: true})
	r := exchange(t, env, completion(t, env, signInWithGoogle(t, env, newBrowser(t), "")))
	gusToken := r.Str("access_token")
	_, token := signUp(t, env, "hal@example.com", "correct horse battery")

	wantCallbackError(t, env, linkGoogle(t, env, newBrowser(t), token, ""), "identity_in_use")
	wantCallbackError(t, env, linkGoogle(t, env, newBrowser(t), gusToken, ""), "already_linked")
}

// TestOAuthPasswordlessAccount: an account made by Google has no password:
// password sign-in fails like a wrong password, routes that confirm with
// the current password say there is none, and unlinking its only way to
// sign in is refused.
func TestOAuthPasswordlessAccount(t *testing.T) {
	env, idp := googleEnv(t)
	idp.SetIdentity(authtest.Identity{Subject: "g-8", Email: "ivy@example.com", EmailVerified: true})
	token := exchange(t, env, completion(t, env, signInWithGoogle(t, env, newBrowser(t), ""))).Str("access_token")

	wantDetail(t, env.Login(t, "ivy@example.com", "any password at all"), http.StatusUnauthorized, "Invalid email or password.")
	r := env.Do(t, http.MethodPost, "/change-password", map[string]string{"current_password": "whatever1", "new_password": "another password"}, authtest.Bearer(token))
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.HasPrefix(r.Detail(), "No password set on this account.") {
		t.Errorf("change-password = %s", r)
	}
	r = env.Do(t, http.MethodDelete, "/oauth/google/link", nil, authtest.Bearer(token))
	wantStatus(t, r, http.StatusBadRequest)
	if !strings.HasPrefix(r.Detail(), "Cannot unlink your only sign-in method.") {
		t.Errorf("unlink = %s", r)
	}
}

func TestOAuthRoutesAnswer404WhenNotConfigured(t *testing.T) {
	env := newEnv(t)
	wantDetail(t, env.Do(t, http.MethodGet, "/oauth/google/start", nil), http.StatusNotFound, "OAuth provider 'google' is not configured.")
	off := newEnv(t, func(c *config.Config) { c.EnableOAuth = false })
	wantStatus(t, off.Do(t, http.MethodGet, "/oauth/google/start", nil), http.StatusNotFound)
	wantStatus(t, off.Do(t, http.MethodPost, "/oauth/exchange", map[string]string{"id": "abcdefgh"}), http.StatusNotFound)
}

func TestOAuthEventNames(t *testing.T) {
	for e, want := range map[auth.Event]string{
		auth.OAuthSignInStarted{}:   "oauth_signin_started",
		auth.OAuthSignInCompleted{}: "oauth_signin_completed",
		auth.OAuthAccountLinked{}:   "oauth_account_linked",
		auth.OAuthAccountUnlinked{}: "oauth_account_unlinked",
	} {
		if got := e.EventName(); got != want {
			t.Errorf("%T.EventName() = %q, want %q", e, got, want)
		}
	}
}

// TestOAuthProviderUnreachable: while the provider's discovery document
// cannot be fetched, a sign-in start answers 503 (the application itself
// started and serves everything else).
func TestOAuthProviderUnreachable(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	issuer := closed.URL
	closed.Close()
	env := newEnv(t, func(c *config.Config) {
		c.OAuth.GoogleIssuer = issuer
		c.OAuth.GoogleClientID = "unreachable.apps.googleusercontent.com"
		c.OAuth.GoogleClientSecret = "GOCSPX-unreachable"
	})
	r := env.Do(t, http.MethodGet, "/oauth/google/start", nil)
	wantDetail(t, r, http.StatusServiceUnavailable, "The sign-in provider cannot be reached; try again shortly.")
	wantStatus(t, env.Do(t, http.MethodGet, "/health", nil), http.StatusOK)
}

// TestOAuthClientAuthFollowsDiscovery: the client authenticates at the
// token endpoint the way the discovery document offers, basic or post, and
// the signing keys are fetched once for several sign-ins.
func TestOAuthClientAuthFollowsDiscovery(t *testing.T) {
	for _, method := range []string{authtest.ClientSecretBasic, authtest.ClientSecretPost} {
		t.Run(method, func(t *testing.T) {
			env, idp := googleEnvWith(t, []authtest.OIDCOption{authtest.OIDCAuthMethods(method)})
			for range 2 {
				wantStatus(t, exchange(t, env, completion(t, env, signInWithGoogle(t, env, newBrowser(t), ""))), http.StatusOK)
			}
			if n := idp.TokenRequests(); n != 2 {
				t.Errorf("%d token requests for 2 sign-ins, want 2 (no failed first try)", n)
			}
			if n := idp.JWKSRequests(); n != 1 {
				t.Errorf("%d fetches of the signing keys for 2 sign-ins, want 1", n)
			}
		})
	}
}
