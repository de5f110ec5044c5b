// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"regstack.example/app/internal/auth/store"
)

// oauthRoutes are the routes of OpenID Connect sign-in (the reference's
// §1.6), relative to the API prefix.
func (a *Auth) oauthRoutes() []route {
	return []route{
		{http.MethodGet, "/oauth/providers", a.authed(a.handleOAuthProviders)},
		{http.MethodPost, "/oauth/exchange", a.handleOAuthExchange},
		{http.MethodGet, "/oauth/{provider}/start", a.handleOAuthStart},
		{http.MethodPost, "/oauth/{provider}/link/start", a.authed(a.handleOAuthLinkStart)},
		{http.MethodDelete, "/oauth/{provider}/link", a.authed(a.handleOAuthUnlink)},
		{http.MethodGet, "/oauth/{provider}/callback", a.handleOAuthCallback},
	}
}

// handleOAuthStart sends the browser to the provider.
func (a *Auth) handleOAuthStart(w http.ResponseWriter, r *http.Request) {
	start, err := a.StartOAuth(a.requestContext(r), r.PathValue("provider"), r.URL.Query().Get("redirect_to"), a.oauthBrowserKey(r), nil)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.SetOAuthCookie(w, start)
	http.Redirect(w, r, start.AuthorizationURL, http.StatusFound)
}

// handleOAuthLinkStart answers the URL a signed-in page navigates to, to
// link the provider's account to the user.
func (a *Auth) handleOAuthLinkStart(w http.ResponseWriter, r *http.Request, s *session) {
	start, err := a.StartOAuth(a.requestContext(r), r.PathValue("provider"), r.URL.Query().Get("redirect_to"), a.oauthBrowserKey(r), s.user)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	a.SetOAuthCookie(w, start)
	writeJSON(w, http.StatusOK, struct {
		AuthorizationURL string `json:"authorization_url"`
	}{start.AuthorizationURL})
}

// handleOAuthCallback always answers 302: to the completion page with a
// single-use id, or to the login page with an error code. No token ever
// travels in a URL.
func (a *Auth) handleOAuthCallback(w http.ResponseWriter, r *http.Request) {
	ui := strings.TrimRight(a.cfg.UIPrefix, "/")
	ctx := a.requestContext(r)
	id, err := a.CompleteOAuth(ctx, r.PathValue("provider"), r.URL.Query(), a.oauthBrowserKey(r))
	if err != nil {
		var refused *OAuthError
		code := "oauth_failed"
		if errors.As(err, &refused) {
			code = refused.Code
			a.logger.InfoContext(ctx, "auth: oauth sign-in refused", "provider", r.PathValue("provider"), "code", code, "err", err, "client", clientFrom(ctx))
		} else {
			a.logger.ErrorContext(ctx, "auth: oauth callback failed", "provider", r.PathValue("provider"), "err", err)
		}
		http.Redirect(w, r, ui+"/login?error="+url.QueryEscape(code), http.StatusFound)
		return
	}
	http.Redirect(w, r, ui+"/oauth-complete?id="+url.QueryEscape(id), http.StatusFound)
}

// exchangeResponse is a completed sign-in handed to the page that
// redeems it.
type exchangeResponse struct {
	AccessToken   string `json:"access_token"`
	TokenType     string `json:"token_type"`
	ExpiresIn     int    `json:"expires_in"`
	RedirectTo    string `json:"redirect_to"`
	WasNewAccount bool   `json:"was_new_account"`
}

func (a *Auth) handleOAuthExchange(w http.ResponseWriter, r *http.Request) {
	var id string
	if !a.decodeBody(w, r, field{name: "id", required: true, minLen: 8, maxLen: 128, str: &id}) {
		return
	}
	res, err := a.ExchangeOAuth(a.requestContext(r), id)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, exchangeResponse{
		AccessToken:   res.Session.Token,
		TokenType:     "bearer",
		ExpiresIn:     a.cfg.JWTTTLSeconds,
		RedirectTo:    res.RedirectTo,
		WasNewAccount: res.WasNewAccount,
	})
}

func (a *Auth) handleOAuthUnlink(w http.ResponseWriter, r *http.Request, s *session) {
	provider := r.PathValue("provider")
	if err := a.UnlinkOAuth(a.requestContext(r), s.user, provider); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeMessage(w, http.StatusOK, "Unlinked "+provider+".")
}

// UnlinkOAuth removes the user's link to the provider (which need not be
// configured any more). Refused with ErrLastSignInMethod when it is the
// only way the user can sign in; ErrNotLinked when there is no link.
func (a *Auth) UnlinkOAuth(ctx context.Context, u *store.User, provider string) error {
	switch err := a.store.UnlinkIdentity(ctx, u.ID, provider); {
	case errors.Is(err, store.ErrNotFound):
		return ErrNotLinked
	case errors.Is(err, store.ErrLastSignInMethod):
		return ErrLastSignInMethod
	case err != nil:
		return err
	}
	a.emit(ctx, OAuthAccountUnlinked{User: snapshot(u), Provider: provider})
	return nil
}

// linkedIdentity is one identity as GET /oauth/providers lists it.
type linkedIdentity struct {
	Provider   string  `json:"provider"`
	Email      *string `json:"email"`
	LinkedAt   string  `json:"linked_at"`
	LastUsedAt *string `json:"last_used_at"`
}

func (a *Auth) handleOAuthProviders(w http.ResponseWriter, r *http.Request, s *session) {
	ids, err := a.store.IdentitiesOf(a.requestContext(r), s.user.ID)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	linked := make([]linkedIdentity, 0, len(ids))
	for _, id := range ids {
		l := linkedIdentity{Provider: id.Provider, LinkedAt: formatISO(id.LinkedAt)}
		if id.Email != "" {
			l.Email = &id.Email
		}
		if !id.LastUsedAt.IsZero() {
			last := formatISO(id.LastUsedAt)
			l.LastUsedAt = &last
		}
		linked = append(linked, l)
	}
	writeJSON(w, http.StatusOK, struct {
		Available []string         `json:"available"`
		Linked    []linkedIdentity `json:"linked"`
	}{a.OAuthProviders(), linked})
}
