// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"golang.org/x/oauth2"

	"regstack.example/app/internal/auth/emailaddr"
	"regstack.example/app/internal/auth/store"
)

// oauthCookie names the cookie that binds a sign-in to the browser that
// started it. Its value is a random key; the state row keeps only the
// key's hash. A callback is honoured only when it arrives with the cookie
// of the browser that started the flow, so an attacker cannot make a
// victim's browser complete the attacker's sign-in (login CSRF;
// TestOAuthCallbackBoundToBrowser). Over https the name carries the
// __Host- prefix, which keeps a sibling subdomain from planting a key of
// its choosing.
const oauthCookie = "regstack_oauth"

// oauthCookieName is the cookie's name and path: __Host- (which requires
// Path=/) over https; over plain http, scoped to the oauth routes.
func (a *Auth) oauthCookieName() (name, path string) {
	if strings.HasPrefix(a.cfg.BaseURL, "https://") {
		return "__Host-" + oauthCookie, "/"
	}
	return oauthCookie, strings.TrimRight(a.cfg.APIPrefix, "/") + "/oauth/"
}

// OAuthStart is a sign-in on its way to the provider.
type OAuthStart struct {
	// AuthorizationURL is where to send the browser.
	AuthorizationURL string
	// BrowserKey must reach the browser as the regstack_oauth cookie
	// (SetOAuthCookie): the callback needs it back.
	BrowserKey string
	ExpiresAt  time.Time
}

// StartOAuth begins a sign-in through the named provider; with linking
// set, a link of the provider's account to that signed-in user. redirectTo
// is where the user lands at the end: "" for the default, a path on this
// site, or an absolute URL of the same origin as base_url (anything else:
// ErrBadRedirect). browserKey is the value of the browser's regstack_oauth
// cookie, if it sent one: reusing it lets two tabs sign in at once.
func (a *Auth) StartOAuth(ctx context.Context, provider, redirectTo, browserKey string, linking *store.User) (*OAuthStart, error) {
	p, err := a.provider(provider)
	if err != nil {
		return nil, err
	}
	if redirectTo, err = a.oauthRedirect(redirectTo); err != nil {
		return nil, err
	}
	e, err := p.endpoints(ctx)
	if err != nil {
		a.logger.WarnContext(ctx, "auth: oauth provider unreachable", "provider", provider, "err", err)
		return nil, ErrOAuthUnavailable
	}
	if !wellFormedKey(browserKey) {
		browserKey, _ = newOneTimeToken()
	}
	stateID, _ := newOneTimeToken()
	nonce, _ := newOneTimeToken()
	now := a.now()
	st := &store.OAuthState{
		ID:           stateID,
		Provider:     provider,
		CodeVerifier: oauth2.GenerateVerifier(),
		Nonce:        nonce,
		BrowserHash:  hashToken(browserKey),
		RedirectTo:   redirectTo,
		Mode:         store.OAuthModeSignIn,
		CreatedAt:    now,
		ExpiresAt:    now.Add(seconds(a.cfg.OAuth.StateTTLSeconds)),
	}
	if linking != nil {
		st.Mode, st.LinkingUserID = store.OAuthModeLink, linking.ID
	}
	if err := a.store.CreateOAuthState(ctx, st); err != nil {
		return nil, err
	}
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(st.CodeVerifier), oidcNonce(nonce)}, p.AuthCodeOptions()...)
	ev := OAuthSignInStarted{Provider: provider, Mode: st.Mode}
	if linking != nil {
		ev.User = snapshot(linking)
	}
	a.emit(ctx, ev)
	return &OAuthStart{AuthorizationURL: e.config.AuthCodeURL(stateID, opts...), BrowserKey: browserKey, ExpiresAt: st.ExpiresAt}, nil
}

func oidcNonce(n string) oauth2.AuthCodeOption { return oauth2.SetAuthURLParam("nonce", n) }

// wellFormedKey reports whether a cookie value can be a browser key of
// ours (43 base64url characters), so junk is replaced, not stored.
func wellFormedKey(k string) bool {
	if len(k) != 43 {
		return false
	}
	for _, c := range k {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// SetOAuthCookie sets the browser-binding cookie of a started sign-in.
// SameSite=Lax because the provider sends the browser back with a
// top-level cross-site GET, which Lax lets the cookie ride on and Strict
// would not; HttpOnly because no script needs it.
func (a *Auth) SetOAuthCookie(w http.ResponseWriter, s *OAuthStart) {
	name, path := a.oauthCookieName()
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    s.BrowserKey,
		Path:     path,
		MaxAge:   a.cfg.OAuth.StateTTLSeconds,
		HttpOnly: true,
		Secure:   strings.HasPrefix(a.cfg.BaseURL, "https://"),
		SameSite: http.SameSiteLaxMode,
	})
}

// oauthBrowserKey is the browser's key from its cookie, "" for none.
func (a *Auth) oauthBrowserKey(r *http.Request) string {
	name, _ := a.oauthCookieName()
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

// oauthRedirect checks a redirect_to (CONTRACT §2.8): a path with a
// single leading slash, or an absolute URL with base_url's scheme and
// host; never a control character.
func (a *Auth) oauthRedirect(s string) (string, error) {
	if s == "" {
		return a.defaultRedirect(), nil
	}
	if safeNext(s) != "" {
		return s, nil
	}
	if len(s) > 2048 || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == '\\' }) {
		return "", ErrBadRedirect
	}
	u, err := url.Parse(s)
	base, berr := url.Parse(a.cfg.BaseURL)
	if err != nil || berr != nil || u.User != nil || !strings.EqualFold(u.Scheme, base.Scheme) || !strings.EqualFold(u.Host, base.Host) {
		return "", ErrBadRedirect
	}
	return s, nil
}

// defaultRedirect is where a sign-in without redirect_to ends: the account
// page.
func (a *Auth) defaultRedirect() string {
	return strings.TrimRight(a.cfg.UIPrefix, "/") + "/me"
}

// OAuthError is a failed callback. Code is what the browser is sent back
// to the login page with (?error=<code>), one of the reference's codes
// plus email_missing and registration_disabled.
type OAuthError struct {
	Code string
	// Err is the cause, for the log; never shown.
	Err error
}

func (e *OAuthError) Error() string {
	if e.Err != nil {
		return "auth: oauth sign-in failed: " + e.Code + ": " + e.Err.Error()
	}
	return "auth: oauth sign-in failed: " + e.Code
}

func (e *OAuthError) Unwrap() error { return e.Err }

func oauthFail(code string, err error) error { return &OAuthError{Code: code, Err: err} }

// CompleteOAuth is the provider sending the browser back: query is the
// callback's query string and browserKey the browser's regstack_oauth
// cookie. On success it returns the completion id, which the browser
// exchanges for a session once (ExchangeOAuth). The checks run in the
// reference's order; every refusal is an *OAuthError.
func (a *Auth) CompleteOAuth(ctx context.Context, provider string, query url.Values, browserKey string) (string, error) {
	if e := query.Get("error"); e != "" {
		return "", oauthFail("oauth_failed", fmt.Errorf("provider said %q", truncate(e, 100)))
	}
	code, stateID := query.Get("code"), query.Get("state")
	if code == "" || stateID == "" {
		return "", oauthFail("missing_code_or_state", nil)
	}
	p, ok := a.oauth[provider]
	if !ok {
		return "", oauthFail("unknown_provider", nil)
	}
	if !wellFormedKey(browserKey) {
		return "", oauthFail("bad_state", errors.New("no browser cookie"))
	}
	now := a.now()
	st, err := a.store.ClaimOAuthState(ctx, stateID, hashToken(browserKey), now)
	if errors.Is(err, store.ErrNotFound) {
		return "", oauthFail("bad_state", errors.New("unknown, used, or started in another browser"))
	}
	if err != nil {
		return "", err
	}
	if st.Provider != provider {
		return "", oauthFail("bad_state", errors.New("started with another provider"))
	}
	if now.After(st.ExpiresAt) {
		return "", oauthFail("state_expired", nil)
	}
	claims, err := a.redeemCode(ctx, p, st, code)
	if err != nil {
		return "", err
	}
	u, wasNew, err := a.resolveOAuthUser(ctx, p.Name(), st, claims, now)
	if err != nil {
		return "", err
	}
	completion, hash := newOneTimeToken()
	if err := a.store.CompleteOAuthState(ctx, st.ID, hash, u.ID, wasNew, now.Add(seconds(a.cfg.OAuth.CompletionTTLSeconds))); err != nil {
		return "", err
	}
	a.emit(ctx, OAuthSignInCompleted{User: snapshot(u), Provider: provider, Mode: st.Mode, WasNew: wasNew})
	if st.Mode == store.OAuthModeLink && !wasNew {
		a.emit(ctx, OAuthAccountLinked{User: snapshot(u), Provider: provider})
	}
	return completion, nil
}

// redeemCode trades the code for tokens (with the PKCE verifier) and
// verifies the ID token: RS256 with the provider's published keys, the
// issuer exactly, our client ID as audience, not expired, issued at a
// time, and the nonce of this sign-in.
func (a *Auth) redeemCode(ctx context.Context, p *oauthProvider, st *store.OAuthState, code string) (OAuthClaims, error) {
	e, err := p.endpoints(ctx)
	if err != nil {
		return OAuthClaims{}, oauthFail("oauth_failed", err)
	}
	tok, err := e.config.Exchange(context.WithValue(ctx, oauth2.HTTPClient, p.httpClient()), code, oauth2.VerifierOption(st.CodeVerifier))
	if err != nil {
		return OAuthClaims{}, oauthFail("token_exchange_failed", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return OAuthClaims{}, oauthFail("token_exchange_failed", errors.New("no id_token in the token response"))
	}
	idt, err := e.verifier.Verify(ctx, raw)
	if err != nil {
		return OAuthClaims{}, oauthFail("id_token_failed", err)
	}
	if idt.IssuedAt.IsZero() {
		return OAuthClaims{}, oauthFail("id_token_failed", errors.New("no iat"))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(st.Nonce)) != 1 {
		return OAuthClaims{}, oauthFail("id_token_failed", errors.New("nonce mismatch"))
	}
	c, err := p.Identity(idt)
	if err != nil || c.Subject == "" {
		return OAuthClaims{}, oauthFail("id_token_failed", fmt.Errorf("claims: %v", err))
	}
	if c.Email == "" {
		return OAuthClaims{}, oauthFail("email_missing", nil)
	}
	return c, nil
}

// resolveOAuthUser finds or makes the user a verified sign-in stands for
// (the reference's §3.9):
//  1. the provider account is linked already: its user (link mode: refused,
//     identity_in_use or already_linked);
//  2. link mode: attach it to the user who asked;
//  3. an account has the email address: link only if
//     oauth.auto_link_verified_emails is on and the provider says the
//     address is verified, else refuse (email_in_use): linking on the
//     provider's word would hand the account to whoever holds that
//     address there;
//  4. otherwise a new account without a password, verified if the
//     provider says so (unless allow_registration is off).
func (a *Auth) resolveOAuthUser(ctx context.Context, provider string, st *store.OAuthState, c OAuthClaims, now time.Time) (*store.User, bool, error) {
	id, err := a.store.IdentityBySubject(ctx, provider, c.Subject)
	switch {
	case err == nil:
		if st.Mode == store.OAuthModeLink {
			if id.UserID != st.LinkingUserID {
				return nil, false, oauthFail("identity_in_use", nil)
			}
			return nil, false, oauthFail("already_linked", nil)
		}
		u, err := a.activeUser(ctx, id.UserID)
		if err != nil {
			return nil, false, err
		}
		a.touchIdentity(ctx, id.ID, now)
		return u, false, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, false, err
	}
	email, emailErr := emailaddr.Normalize(c.Email)
	identity := &store.OAuthIdentity{Provider: provider, Subject: c.Subject, Email: truncate(c.Email, 320), LinkedAt: now, LastUsedAt: now}
	if st.Mode == store.OAuthModeLink {
		u, err := a.activeUser(ctx, st.LinkingUserID)
		if err != nil {
			return nil, false, err
		}
		return u, false, a.linkIdentity(ctx, u, identity)
	}
	if emailErr != nil {
		return nil, false, oauthFail("email_missing", fmt.Errorf("unusable email: %w", emailErr))
	}
	existing, err := a.store.UserByEmail(ctx, email)
	switch {
	case err == nil:
		if !a.cfg.OAuth.AutoLinkVerifiedEmails || !c.EmailVerified {
			return nil, false, oauthFail("email_in_use", nil)
		}
		if !existing.IsActive {
			return nil, false, oauthFail("user_inactive", nil)
		}
		return existing, false, a.linkIdentity(ctx, existing, identity)
	case !errors.Is(err, store.ErrNotFound):
		return nil, false, err
	}
	if !a.cfg.AllowRegistration {
		return nil, false, oauthFail("registration_disabled", nil)
	}
	u := &store.User{
		Email:      email,
		IsActive:   true,
		IsVerified: c.EmailVerified,
		FullName:   displayName(c.Name),
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	switch err := a.store.CreateUserWithIdentity(ctx, u, identity); {
	case errors.Is(err, store.ErrEmailTaken):
		// Someone registered the address since we looked.
		return nil, false, oauthFail("email_in_use", err)
	case errors.Is(err, store.ErrIdentityTaken):
		// The same provider account signed in twice at once; the other
		// sign-in made the account.
		return nil, false, oauthFail("identity_in_use", err)
	case err != nil:
		return nil, false, err
	}
	a.emit(ctx, UserRegistered{User: snapshot(u)})
	return u, true, nil
}

func (a *Auth) activeUser(ctx context.Context, id string) (*store.User, error) {
	u, err := a.store.UserByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.IsActive) {
		return nil, oauthFail("user_inactive", err)
	}
	return u, err
}

func (a *Auth) linkIdentity(ctx context.Context, u *store.User, id *store.OAuthIdentity) error {
	id.UserID = u.ID
	switch err := a.store.LinkIdentity(ctx, id); {
	case errors.Is(err, store.ErrIdentityTaken):
		return oauthFail("identity_in_use", err)
	case errors.Is(err, store.ErrNotFound):
		return oauthFail("user_inactive", err)
	default:
		return err
	}
}

// touchIdentity records a sign-in with the identity; failing to is logged,
// never fatal (the date is informational).
func (a *Auth) touchIdentity(ctx context.Context, id string, now time.Time) {
	if err := a.store.TouchIdentity(ctx, id, now); err != nil {
		a.logger.WarnContext(ctx, "auth: recording identity use failed", "err", err)
	}
}

// displayName is the provider's name for the user as a full name: text
// only, at most as long as a full name may be; nil when nothing is left.
func displayName(name string) *string {
	name = strings.TrimSpace(name)
	if name == "" || hasUnsafeText(name) {
		return nil
	}
	name = truncate(name, fullNameMaxLen)
	return &name
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// OAuthResult is a completed sign-in handed over.
type OAuthResult struct {
	Session *Session
	// RedirectTo is where the sign-in was asked to end.
	RedirectTo string
	// WasNewAccount tells whether the sign-in made the account.
	WasNewAccount bool
}

// ExchangeOAuth trades a completion id for a session, once: of concurrent
// exchanges of one id exactly one succeeds (TestOAuthExchangeSingleUse).
// An id whose sign-in has not completed is ErrOAuthStateNotFound and is
// left alone.
func (a *Auth) ExchangeOAuth(ctx context.Context, completionID string) (*OAuthResult, error) {
	st, err := a.store.ConsumeOAuthCompletion(ctx, hashToken(completionID))
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrOAuthStateNotFound
	}
	if err != nil {
		return nil, err
	}
	now := a.now()
	if now.After(st.ExpiresAt) {
		return nil, ErrOAuthStateExpired
	}
	u, err := a.store.UserByID(ctx, st.ResultUserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.IsActive) {
		return nil, ErrOAuthStateNotFound
	}
	if err != nil {
		return nil, err
	}
	s, err := a.openSession(ctx, u, "", now)
	if err != nil {
		return nil, err
	}
	return &OAuthResult{Session: s, RedirectTo: st.RedirectTo, WasNewAccount: st.WasNew}, nil
}
