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
		a.lockedOut(w, r, email, lockedFor)
		return
	}
	u, ok, err := a.checkPassword(ctx, email, plain)
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
	case !ok:
		// u is the account when the address has one: for the log and the
		// lockout notice only, never for the answer.
		a.passwordFailed(r, email, u, failureBadLogin, res)
		writeDetail(w, http.StatusUnauthorized, "Invalid email or password.")
		return
	case !u.IsActive:
		a.passwordFailed(r, email, u, failureDisabled, res)
		writeDetail(w, http.StatusForbidden, "Account is disabled.")
		return
	case a.cfg.RequireVerification && !u.IsVerified:
		a.passwordFailed(r, email, u, failureUnverified, res)
		writeDetail(w, http.StatusForbidden, "Email address has not been verified.")
		return
	}
	out, err := a.passwordAccepted(ctx, u, plain, now)
	if errors.Is(err, errStaleLogin) {
		// The password changed (or the account was disabled or signed out
		// everywhere) while this one was being checked: it is no longer the
		// account's password, and the attempt stays a failure.
		a.passwordFailed(r, email, u, failureStale, res)
		writeDetail(w, http.StatusUnauthorized, "Invalid email or password.")
		return
	}
	if err != nil {
		a.serverError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// checkPassword looks the address up and verifies plain. ok is true only
// for an existing account whose password plain is; u is the account
// whenever there is one. An unknown address, an account without a password
// and a wrong password each spend one Argon2 verification of the same cost
// as the stored hashes (dummyhash.go), so the time taken does not tell them
// apart.
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

// passwordAccepted decides what a correct password leads to. Today that is
// always a session; a second factor would return an "mfa_required" answer
// here instead and call startSession once the code is confirmed. checked is
// when the password check began.
func (a *Auth) passwordAccepted(ctx context.Context, u *store.User, plain string, checked time.Time) (any, error) {
	return a.startSession(ctx, u, a.rehash(ctx, u, plain), checked)
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
// reset, disable or sign-out-everywhere from outliving it (errStaleLogin);
// see TestLoginRacingPasswordChange.
//
// The session's iat (and the recorded login time) is at, the moment the
// credential check began, not the moment it ended: so any revocation that
// committed while the check ran has a cutoff at or after iat and wins.
func (a *Auth) startSession(ctx context.Context, u *store.User, rehash string, at time.Time) (tokenResponse, error) {
	ttl := a.cfg.JWTTTLSeconds
	token, claims, err := a.tokens.Issue(jwt.PurposeSession, u.ID, at, seconds(ttl), nil)
	if err != nil {
		return tokenResponse{}, err
	}
	err = a.store.RecordLogin(ctx, u.ID, store.LoginRecord{At: claims.IssuedAt, PasswordHash: u.PasswordHash, Rehash: rehash})
	if errors.Is(err, store.ErrStale) || errors.Is(err, store.ErrNotFound) {
		return tokenResponse{}, errStaleLogin
	}
	if err != nil {
		return tokenResponse{}, err
	}
	if err := a.clearFailures(ctx, u.Email); err != nil {
		return tokenResponse{}, err
	}
	a.emit(ctx, UserLoggedIn{User: snapshot(u)})
	return tokenResponse{AccessToken: token, TokenType: "bearer", ExpiresIn: ttl}, nil
}
