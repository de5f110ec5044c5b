// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"example.com/demo/internal/auth/jwt"
	"example.com/demo/internal/auth/store"
)

// tokenResponse is a successful sign-in.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// POST /login {"email", "password"}
//
// The order matters for security: the lockout is checked (and the attempt
// recorded) before anything else; an unknown address costs the same Argon2
// work as a known one; the password is verified before the account's status
// is looked at, so only someone who knows the password learns that an
// account is disabled or unverified. Every 401 and 403 keeps its recorded
// failure; success clears them.
func (a *Auth) handleLogin(w http.ResponseWriter, r *http.Request) {
	var email, plain string
	if !a.decodeBody(w, r, emailField("email", &email), newPasswordField("password", &plain)) {
		return
	}
	ctx := r.Context()
	now := a.now()
	res, lockedFor, err := a.reserveAttempt(ctx, email, now)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	if lockedFor > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(lockedFor))
		writeDetail(w, http.StatusTooManyRequests, fmt.Sprintf("Too many failed attempts. Try again in %d seconds.", lockedFor))
		return
	}
	u, err := a.checkPassword(ctx, email, plain)
	if err != nil {
		// The attempt could not be judged (hasher saturated, database
		// error): it is not a failure of the client.
		if werr := a.withdraw(ctx, res); werr != nil {
			a.logger.ErrorContext(ctx, "auth: withdraw login attempt", "err", werr)
		}
		a.failed(w, r, err)
		return
	}
	switch {
	case u == nil:
		writeDetail(w, http.StatusUnauthorized, "Invalid email or password.")
		return
	case !u.IsActive:
		writeDetail(w, http.StatusForbidden, "Account is disabled.")
		return
	case a.cfg.RequireVerification && !u.IsVerified:
		writeDetail(w, http.StatusForbidden, "Email address has not been verified.")
		return
	}
	out, err := a.passwordAccepted(ctx, u)
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// checkPassword returns the user whose password plain is, or nil when the
// address is unknown, the account has no password or the password is
// wrong. All three spend one Argon2 verification, so the time taken does
// not tell them apart.
func (a *Auth) checkPassword(ctx context.Context, email, plain string) (*store.User, error) {
	u, err := a.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	encoded := ""
	if u != nil {
		encoded = u.PasswordHash
	}
	// Verify with "" does the same work as a real hash and reports false.
	ok, err := a.hasher.Verify(ctx, plain, encoded)
	if err != nil {
		return nil, err
	}
	if !ok || u == nil {
		return nil, nil
	}
	return u, nil
}

// passwordAccepted decides what a correct password leads to. Today that is
// always a session; a second factor would return an "mfa_required" answer
// here instead and call startSession once the code is confirmed.
func (a *Auth) passwordAccepted(ctx context.Context, u *store.User) (any, error) {
	return a.startSession(ctx, u)
}

// startSession is the last step of every sign-in: it issues the session
// token, forgets the address's failed attempts, records the login time (the
// token's iat) and fires UserLoggedIn.
func (a *Auth) startSession(ctx context.Context, u *store.User) (tokenResponse, error) {
	ttl := a.cfg.JWTTTLSeconds
	token, claims, err := a.tokens.Issue(jwt.PurposeSession, u.ID, a.now(), seconds(ttl), nil)
	if err != nil {
		return tokenResponse{}, err
	}
	if err := a.clearFailures(ctx, u.Email); err != nil {
		return tokenResponse{}, err
	}
	if err := a.store.RecordLogin(ctx, u.ID, claims.IssuedAt); err != nil {
		return tokenResponse{}, err
	}
	a.emit(ctx, UserLoggedIn{User: snapshot(u)})
	return tokenResponse{AccessToken: token, TokenType: "bearer", ExpiresIn: ttl}, nil
}
