// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"net/http"
	"time"

	"example.com/demo/internal/auth/jwt"
	"example.com/demo/internal/auth/store"
)

// tokenResponse is a successful sign-in.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// Session is a signed-in session: the bearer token to present and what it
// was issued for.
type Session struct {
	// Token is the session JWT: "Authorization: Bearer <Token>".
	Token string
	// IssuedAt is when the credential check began; ExpiresAt is when the
	// token stops being accepted (sooner if it is revoked).
	IssuedAt, ExpiresAt time.Time
	// User is the account as the password check read it (before this
	// sign-in was recorded in its last_login).
	User *store.User
}

// LoginResult is what a correct password leads to: a Session.
type LoginResult struct {
	Session *Session
}

// POST /login {"email", "password"}
func (a *Auth) handleLogin(w http.ResponseWriter, r *http.Request) {
	var email, plain string
	if !a.decodeBody(w, r, emailField("email", &email), newPasswordField("password", &plain)) {
		return
	}
	res, err := a.Authenticate(a.requestContext(r), email, plain)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: res.Session.Token, TokenType: "bearer", ExpiresIn: a.cfg.JWTTTLSeconds})
}

// Authenticate signs in with an address and a password, as POST /login
// does, and is what to call from a handler of your own (a GraphQL
// resolver, a gRPC method, a CLI). Put the client's address in ctx with
// WithClientAddr so failures are logged and reported with it.
//
// Errors: ErrInvalidCredentials (unknown address, no password, wrong
// password: one answer), ErrDisabled, ErrNotVerified (only with
// require_verification), a *LockedError (errors.Is ErrLocked) while the
// address is locked, ErrBusy when the hasher is saturated; anything else
// is unexpected.
//
// The order matters for security: the lockout is checked (and the attempt
// recorded) before anything else; an unknown address costs the same Argon2
// work as a known one; the password is verified before the account's status
// is looked at, so only someone who knows the password learns that an
// account is disabled or unverified. Every ErrInvalidCredentials,
// ErrDisabled and ErrNotVerified keeps its recorded failure; success clears
// them.
func (a *Auth) Authenticate(ctx context.Context, email, plain string) (LoginResult, error) {
	now := a.now()
	res, err := a.reserveAttempt(ctx, email, now)
	if err != nil {
		return LoginResult{}, err
	}
	u, ok, err := a.checkPassword(ctx, email, plain)
	if err != nil {
		// The attempt could not be judged (hasher saturated, database
		// error): it is not a failure of the client.
		if werr := a.withdraw(ctx, res); werr != nil {
			a.logger.ErrorContext(ctx, "auth: withdraw login attempt", "err", werr)
		}
		return LoginResult{}, err
	}
	switch {
	case !ok:
		// u is the account when the address has one: for the log and the
		// lockout notice only, never for the answer.
		a.passwordFailed(ctx, email, u, failureBadLogin, res)
		return LoginResult{}, ErrInvalidCredentials
	case !u.IsActive:
		a.passwordFailed(ctx, email, u, failureDisabled, res)
		return LoginResult{}, ErrDisabled
	case a.cfg.RequireVerification && !u.IsVerified:
		a.passwordFailed(ctx, email, u, failureUnverified, res)
		return LoginResult{}, ErrNotVerified
	}
	out, err := a.passwordAccepted(ctx, u, plain, now)
	if errors.Is(err, errStaleLogin) {
		// The password changed (or the account was disabled or signed out
		// everywhere) while this one was being checked: it is no longer the
		// account's password, and the attempt stays a failure.
		a.passwordFailed(ctx, email, u, failureStale, res)
		return LoginResult{}, ErrInvalidCredentials
	}
	if err != nil {
		return LoginResult{}, err
	}
	return out, nil
}

// checkPassword looks the address up and verifies plain. ok is true only
// for an existing account whose password plain is; u is the account
// whenever there is one. An unknown address, an account without a password
// and a wrong password each spend one Argon2 verification of the same cost
// as the stored hashes (dummyhash.go), so the time taken does not tell them
// apart (TestLoginUnknownEmailSpendsHashWork,
// TestUnknownEmailCostsLikeStoredHashes).
func (a *Auth) checkPassword(ctx context.Context, email, plain string) (u *store.User, ok bool, err error) {
	u, err = a.store.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		u, err = nil, nil
	}
	if err != nil {
		return nil, false, err
	}
	if u == nil || !u.HasPassword() {
		return u, false, a.hasher.VerifyDummy(ctx, plain, a.dummyParams.pick(ctx, email))
	}
	ok, err = a.hasher.Verify(ctx, plain, u.PasswordHash)
	return u, ok && err == nil, err
}

// errStaleLogin means the account changed between the password check and
// the moment the sign-in was to be recorded; no session is issued.
var errStaleLogin = errors.New("auth: account changed during sign-in")

// passwordAccepted decides what a correct password leads to: a session.
// checked is when the password check began.
func (a *Auth) passwordAccepted(ctx context.Context, u *store.User, plain string, checked time.Time) (LoginResult, error) {
	s, err := a.startSession(ctx, u, a.rehash(ctx, u, plain), checked)
	if err != nil {
		return LoginResult{}, err
	}
	return LoginResult{Session: s}, nil
}

// rehash returns the password hashed with the current parameters when the
// stored hash was made with others (the cost was raised since), so that
// RecordLogin upgrades it in the same step that records the sign-in; "" when
// there is nothing to do. A busy hasher only postpones the upgrade to the
// next sign-in: it never fails this one.
func (a *Auth) rehash(ctx context.Context, u *store.User, plain string) string {
	if !a.hasher.NeedsRehash(u.PasswordHash) {
		return ""
	}
	hash, err := a.hasher.Hash(ctx, plain)
	if err != nil {
		a.logger.InfoContext(ctx, "auth: password rehash postponed", "user", u.ID, "err", err)
		return ""
	}
	return hash
}

// startSession is the last step of every sign-in: it issues the session
// token, records the login only if the account still has the password that
// was verified and nothing revoked its sessions since, forgets the
// address's failed attempts and fires UserLoggedIn. Checking and recording
// in one store step is what keeps a sign-in that raced a password change,
// disable or sign-out-everywhere from outliving it (errStaleLogin);
// see TestLoginRacingPasswordChange.
//
// The session's iat (and the recorded login time) is at, the moment the
// credential check began, not the moment it ended: so any revocation that
// committed while the check ran has a cutoff at or after iat and wins.
func (a *Auth) startSession(ctx context.Context, u *store.User, rehash string, at time.Time) (*Session, error) {
	s, err := a.openSession(ctx, u, rehash, at)
	if err != nil {
		return nil, err
	}
	if err := a.clearFailures(ctx, u.Email); err != nil {
		return nil, err
	}
	a.emit(ctx, UserLoggedIn{User: snapshot(u)})
	return s, nil
}

// openSession issues the session token and records the login, unless the
// account changed since u was read (errStaleLogin): the part of a sign-in
// every way of signing in shares.
func (a *Auth) openSession(ctx context.Context, u *store.User, rehash string, at time.Time) (*Session, error) {
	token, claims, err := a.tokens.Issue(jwt.PurposeSession, u.ID, at, seconds(a.cfg.JWTTTLSeconds), nil)
	if err != nil {
		return nil, err
	}
	err = a.store.RecordLogin(ctx, u.ID, store.LoginRecord{At: claims.IssuedAt, PasswordHash: u.PasswordHash, Rehash: rehash})
	if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotFound) {
		return nil, errStaleLogin
	}
	if err != nil {
		return nil, err
	}
	return &Session{Token: token, IssuedAt: claims.IssuedAt, ExpiresAt: claims.ExpiresAt, User: u}, nil
}
