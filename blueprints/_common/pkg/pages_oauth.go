// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"regstack.example/app/internal/auth/store"
)

// oauthButton is a "Sign in with …" link. It is a plain link to GET
// {api}/oauth/{provider}/start, which sets the browser-binding cookie and
// sends the browser on to the provider: no script, and no form whose
// redirect the CSP would have to allow.
type oauthButton struct {
	Provider, Label, URL string
}

// pageConnection is one provider in the account page's connected
// accounts.
type pageConnection struct {
	Provider, Label string
	// Linked: Email is the address the provider gave, Since and LastUsed
	// dates for people (LastUsed "" for never), SinceISO for <time>.
	Linked                   bool
	Email, Since, SinceISO   string
	LastUsed                 string
	LinkAction, UnlinkAction string
	// Unavailable: the provider cannot be reached now, so linking is not
	// offered (unlinking is, it needs no provider).
	Unavailable bool
}

// providerLabel is a provider's name for people: "google" → "Google".
func providerLabel(name string) string {
	r, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToUpper(r)) + name[n:]
}

// addOAuthButtons adds the providers' sign-in links to the login and
// register pages; next is where to land afterwards ("" for the account
// page).
func (ps *pageServer) addOAuthButtons(d *pageData, next string) {
	api := strings.TrimRight(ps.a.cfg.APIPrefix, "/")
	for _, name := range ps.a.OAuthProviders() {
		u := api + "/oauth/" + name + "/start"
		if next != "" {
			u += "?redirect_to=" + url.QueryEscape(next)
		}
		d.OAuth = append(d.OAuth, oauthButton{Provider: name, Label: providerLabel(name), URL: u})
	}
}

// oauthErrorMessage is the login page's message for the error code a
// failed provider sign-in comes back with; "" for no code.
func oauthErrorMessage(code string) string {
	switch code {
	case "":
		return ""
	case "oauth_failed":
		return "Sign-in with the provider failed. Please try again."
	case "missing_code_or_state":
		return "Sign-in with the provider failed: missing parameters."
	case "unknown_provider":
		return "That sign-in provider is not configured."
	case "bad_state":
		return "The sign-in expired or was started in another browser. Please try again."
	case "state_expired":
		return "The sign-in expired. Please try again."
	case "token_exchange_failed":
		return "The provider rejected the sign-in code. Please try again."
	case "id_token_failed":
		return "The provider returned an invalid identity. Please try again."
	case "email_missing":
		return "The provider did not share an email address, which an account needs. Allow it and try again."
	case "email_in_use":
		return "An account with that email already exists. Sign in with your password, then connect the provider from your account page."
	case "identity_in_use":
		return "That account is already connected to another user."
	case "already_linked":
		return "That account is already connected to yours."
	case "user_inactive":
		return "The matching account is disabled."
	case "registration_disabled":
		return "New accounts cannot be created at the moment."
	}
	return "Sign-in failed."
}

// GET {ui}/oauth-complete?id=…: where the provider's callback sends the
// browser. The page posts the id back (a button: a GET must not sign
// anyone in, and the id is single-use), so a link checker or prefetch
// cannot spend it. A malformed id goes to the login page.
func (ps *pageServer) showOAuthComplete(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	if n := len(id); n < 8 || n > 128 {
		redirect(w, r, ps.links.Login+"?error=bad_state")
		return
	}
	d := ps.newPage("oauth-complete", "Finish signing in")
	d.CompletionID = id
	ps.render(w, r, http.StatusOK, d)
}

// POST {ui}/oauth-complete: id. ExchangeOAuth as POST {api}/oauth/exchange
// (same rate limit); the session goes into the cookie.
func (ps *pageServer) submitOAuthComplete(w http.ResponseWriter, r *http.Request) {
	if !ps.parseForm(w, r) {
		return
	}
	res, err := ps.a.ExchangeOAuth(ps.a.requestContext(r), r.PostForm.Get("id"))
	switch {
	case errors.Is(err, ErrOAuthStateExpired):
		redirect(w, r, ps.links.Login+"?error=state_expired")
		return
	case errors.Is(err, ErrOAuthStateNotFound):
		redirect(w, r, ps.links.Login+"?error=bad_state")
		return
	case err != nil:
		ps.fail(w, r, ps.newPage("message", "Sign in"), "", err)
		return
	}
	ps.setSession(w, res.Session)
	// RedirectTo was checked when the sign-in started: a path here or an
	// address of this origin.
	redirect(w, r, orDefault(res.RedirectTo, ps.links.Me))
}

// addConnections fills the account page's connected accounts: every
// provider offered, and any still linked that is no longer offered (so it
// can be unlinked). A provider whose authorization origin is known gets a
// Connect form, and its origin goes into the page's form-action.
func (ps *pageServer) addConnections(ctx context.Context, d *pageData, u *store.User) error {
	ids, err := ps.a.store.IdentitiesOf(ctx, u.ID)
	if err != nil {
		return err
	}
	names := ps.a.OAuthProviders()
	for _, id := range ids {
		if !slices.Contains(names, id.Provider) {
			names = append(names, id.Provider)
		}
	}
	for _, name := range names {
		c := pageConnection{
			Provider:     name,
			Label:        providerLabel(name),
			LinkAction:   ps.ui + "/oauth/" + name + "/link",
			UnlinkAction: ps.ui + "/oauth/" + name + "/unlink",
		}
		if i := slices.IndexFunc(ids, func(id store.OAuthIdentity) bool { return id.Provider == name }); i >= 0 {
			id := ids[i]
			c.Linked, c.Email = true, id.Email
			c.Since, c.SinceISO = id.LinkedAt.UTC().Format("2 January 2006"), formatTime(id.LinkedAt)
			if !id.LastUsedAt.IsZero() {
				c.LastUsed = id.LastUsedAt.UTC().Format("2 January 2006")
			}
		} else if p, ok := ps.a.oauth[name]; ok {
			if e, err := p.endpoints(ctx); err == nil {
				d.formOrigins = append(d.formOrigins, e.authOrigin)
			} else {
				c.Unavailable = true
			}
		} else {
			continue
		}
		d.Connections = append(d.Connections, c)
	}
	return nil
}

// POST {ui}/oauth/{provider}/link: the Connect button. StartOAuth in link
// mode, then on to the provider; the sign-in comes back through
// oauth-complete to the account page.
func (ps *pageServer) submitOAuthLink(w http.ResponseWriter, r *http.Request, s *session) {
	start, err := ps.a.StartOAuth(ps.a.requestContext(r), r.PathValue("provider"), ps.links.Me+"?done=linked", ps.a.oauthBrowserKey(r), s.user)
	if err != nil {
		ps.fail(w, r, ps.accountPage(r, s), "", err)
		return
	}
	ps.a.SetOAuthCookie(w, start)
	redirect(w, r, start.AuthorizationURL)
}

// POST {ui}/oauth/{provider}/unlink: the Disconnect button.
func (ps *pageServer) submitOAuthUnlink(w http.ResponseWriter, r *http.Request, s *session) {
	if err := ps.a.UnlinkOAuth(ps.a.requestContext(r), s.user, r.PathValue("provider")); err != nil {
		ps.fail(w, r, ps.accountPage(r, s), "", err)
		return
	}
	redirect(w, r, ps.links.Me+"?done=unlinked")
}
