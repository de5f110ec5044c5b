// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"example.com/demo/internal/auth/jwt"
	"example.com/demo/internal/auth/store"
)

// session is an authenticated request: the user and the token's claims.
type session struct {
	user   *store.User
	claims jwt.Claims
}

// sessionFromRequest authenticates r. Today the credential is the bearer
// token of the Authorization header; a cookie carrying the same session JWT
// would be read here too, and every route would accept it unchanged.
func (a *Auth) sessionFromRequest(r *http.Request) (*session, error) {
	token, ok := bearerToken(r)
	if !ok {
		return nil, ErrAuthRequired
	}
	return a.sessionFromToken(r.Context(), token)
}

// bearerToken returns the token of an "Authorization: Bearer <token>"
// header; the scheme is case-insensitive.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// sessionFromToken checks a session JWT: signature, purpose, expiry,
// logout, the user's existence and status, and bulk revocation. Every
// refusal is ErrInvalidToken (ErrAuthRequired and ErrInvalidToken are the
// only two answers, so a caller learns nothing about why a token was
// refused); other errors are the database's.
func (a *Auth) sessionFromToken(ctx context.Context, token string) (*session, error) {
	claims, err := a.tokens.Parse(token, jwt.PurposeSession, a.now())
	if err != nil {
		return nil, ErrInvalidToken
	}
	// One store call: the user and the logout check together.
	u, revoked, err := a.store.SessionUser(ctx, claims.Subject, claims.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidToken
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	if revoked {
		return nil, ErrInvalidToken
	}
	if !u.IsActive || revokedInBulk(u, claims.IssuedAt) {
		return nil, ErrInvalidToken
	}
	return &session{user: u, claims: claims}, nil
}

// revokedInBulk reports whether a token of u's issued at issued was
// revoked by a bulk revocation (a password change, sign-out everywhere, a
// disable): it was issued at or before u's cutoff. Equal counts as
// revoked, so the request that bumped the cutoff cannot keep its token.
func revokedInBulk(u *store.User, issued time.Time) bool {
	return !u.TokensInvalidatedAfter.IsZero() && !issued.After(u.TokensInvalidatedAfter)
}

// UserByToken authenticates a session token the way RequireUser does (the
// same checks: signature, expiry, logout, the account's status, bulk
// revocation) and returns its account. Every refusal is ErrInvalidToken.
// For a host that receives the token some other way than an HTTP request
// (a gRPC call's metadata, a WebSocket message).
func (a *Auth) UserByToken(ctx context.Context, token string) (*store.User, error) {
	s, err := a.sessionFromToken(ctx, token)
	if err != nil {
		return nil, err
	}
	return s.user, nil
}

// authed wraps a handler that needs a signed-in user. Authentication comes
// before anything else, body validation included.
func (a *Auth) authed(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := a.sessionFromRequest(r)
		if err != nil {
			a.writeError(w, r, err)
			return
		}
		h(w, r, s)
	}
}

type userKey struct{}

// RequireUser protects a route of your own: without a valid session it
// answers 401 like the API does; with one it calls next with the user in the
// request context (read it with UserFrom).
func (a *Auth) RequireUser(next http.Handler) http.Handler {
	return a.untilDatabaseOpen(a.authed(func(w http.ResponseWriter, r *http.Request, s *session) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, s.user)))
	}))
}

// RequireAdmin is RequireUser for superusers only; other users get 403.
func (a *Auth) RequireAdmin(next http.Handler) http.Handler {
	return a.RequireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, ok := UserFrom(r.Context()); !ok || !u.IsSuperuser {
			writeDetail(w, http.StatusForbidden, "Administrator privileges required.")
			return
		}
		next.ServeHTTP(w, r)
	}))
}

// OptionalUser is for routes that serve everyone but treat a signed-in
// user differently (a home page that greets them): with a valid session it
// puts the user in the request context, as RequireUser does; without one,
// or with one that is not valid, it calls next unchanged.
func (a *Auth) OptionalUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.databaseOpen() {
			if s, err := a.sessionFromRequest(r); err == nil {
				r = r.WithContext(context.WithValue(r.Context(), userKey{}, s.user))
			}
		}
		next.ServeHTTP(w, r)
	})
}

// UserFrom returns the user RequireUser or OptionalUser put in the context.
func UserFrom(ctx context.Context) (*store.User, bool) {
	u, ok := ctx.Value(userKey{}).(*store.User)
	return u, ok
}
