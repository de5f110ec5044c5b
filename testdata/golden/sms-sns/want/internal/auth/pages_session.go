// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"example.com/demo/internal/auth/jwt"
)

// The pages' session is a cookie holding a session token, the same token
// the JSON API hands out as a bearer token, checked by the same code
// (sessionFromToken: signature, expiry, logout, bulk revocation, disabled
// or deleted account). Only the pages read it: the JSON API takes bearer
// tokens alone (session.go), so a cookie the browser sends along can never
// authorize an API call (TestPagesCookieIgnoredByAPI).

// setSession hands the browser the cookie of s: HttpOnly (no script reads
// it), Secure (never over plain http; browsers make an exception for
// localhost), SameSite=Lax (not sent on another site's form posts: a
// second line behind the cross-origin check) and Path=/ (the __Host-
// prefix requires it). It lasts as long as the token.
func (ps *pageServer) setSession(w http.ResponseWriter, s *Session) {
	http.SetCookie(w, &http.Cookie{
		Name:     ps.cookie,
		Value:    s.Token,
		Path:     "/",
		MaxAge:   max(int(s.ExpiresAt.Sub(ps.a.now()).Seconds()), 1),
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	})
}

// clearSession tells the browser to drop the cookie. Signing out also
// revokes the token itself (Logout), so a copy of the cookie is worthless.
func (ps *pageServer) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name:     ps.cookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	})
}

// session returns the request's session, nil when it has none or one that
// is no longer valid. The error is the database's.
func (ps *pageServer) session(r *http.Request) (*session, error) {
	c, err := r.Cookie(ps.cookie)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	s, err := ps.a.sessionFromToken(r.Context(), c.Value)
	if errors.Is(err, ErrInvalidToken) {
		return nil, nil
	}
	return s, err
}

// signedIn wraps a page that needs a session. Without one the visitor is
// sent to sign in, and back here afterwards (a GET) or to the account page
// (a form post, which cannot be replayed after a redirect).
func (ps *pageServer) signedIn(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := ps.session(r)
		if err != nil {
			ps.fail(w, r, ps.newPage("message", "Something went wrong"), "", err)
			return
		}
		if s == nil {
			if _, err := r.Cookie(ps.cookie); err == nil {
				ps.clearSession(w) // a revoked or expired cookie: drop it
			}
			next := ps.links.Me
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				next = r.URL.RequestURI()
			}
			redirect(w, r, ps.links.Login+"?next="+url.QueryEscape(next))
			return
		}
		h(w, r, s)
	}
}

// SignOutOtherSessions ends every session of the account of token except
// the caller's: the account's sessions are revoked in bulk (as a password
// change does) and a fresh session token, issued just after the cutoff, is
// returned in place of token. "Sign out of all other devices" on the
// account page. ErrInvalidToken when token is not a valid session.
func (a *Auth) SignOutOtherSessions(ctx context.Context, token string) (*Session, error) {
	s, err := a.sessionFromToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return a.signOutOthers(ctx, s)
}

func (a *Auth) signOutOthers(ctx context.Context, s *session) (*Session, error) {
	u, err := a.store.RevokeSessions(ctx, s.user.ID, a.now())
	if err != nil {
		return nil, accountGone(err)
	}
	// Tokens issued at or before the cutoff are revoked; the replacement
	// is issued one tick (the stores' microsecond) after it.
	at := u.TokensInvalidatedAfter.Add(time.Microsecond)
	token, claims, err := a.tokens.Issue(jwt.PurposeSession, u.ID, at, seconds(a.cfg.JWTTTLSeconds), nil)
	if err != nil {
		return nil, err
	}
	return &Session{Token: token, IssuedAt: claims.IssuedAt, ExpiresAt: claims.ExpiresAt, User: u}, nil
}
