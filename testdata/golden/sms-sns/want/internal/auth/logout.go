// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"net/http"
)

// POST /logout (bearer; any body is ignored)
func (a *Auth) handleLogout(w http.ResponseWriter, r *http.Request, s *session) {
	if err := a.logout(a.requestContext(r), s); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeMessage(w, http.StatusOK, "Logged out.")
}

// Logout signs out the session of token, as POST /logout does: the token
// is revoked until it would have expired anyway. Other sessions of the same
// user stay valid. A token that is not a valid session is ErrInvalidToken.
func (a *Auth) Logout(ctx context.Context, token string) error {
	s, err := a.sessionFromToken(ctx, token)
	if err != nil {
		return err
	}
	return a.logout(ctx, s)
}

// logout revokes an authenticated session and fires UserLoggedOut.
func (a *Auth) logout(ctx context.Context, s *session) error {
	if err := a.store.RevokeToken(ctx, s.claims.ID, s.claims.ExpiresAt); err != nil {
		return err
	}
	a.emit(ctx, UserLoggedOut{User: snapshot(s.user)})
	return nil
}
