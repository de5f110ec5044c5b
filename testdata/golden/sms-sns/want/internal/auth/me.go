// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"net/http"

	"example.com/demo/internal/auth/store"
)

// GET /me (bearer)
func (a *Auth) handleMe(w http.ResponseWriter, r *http.Request, s *session) {
	writeJSON(w, http.StatusOK, NewUserPublic(s.user))
}

// PATCH /me {"full_name": string|null} (bearer)
//
// A key that is not sent is left alone: {} changes nothing, while
// {"full_name": null} clears the name.
func (a *Auth) handleUpdateMe(w http.ResponseWriter, r *http.Request, s *session) {
	var fullName *string
	var sent bool
	if !a.decodeBody(w, r, fullNameField(&fullName, &sent)) {
		return
	}
	u := s.user
	if sent {
		var err error
		if u, err = a.UpdateProfile(a.requestContext(r), u, fullName); err != nil {
			a.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, NewUserPublic(u))
}

// UpdateProfile sets the full name of u, the signed-in user (nil clears
// it), and returns the updated account, as PATCH /me does. The name must
// already satisfy the API's rules (the JSON API checks them while decoding
// the request). ErrInvalidToken when the account no longer exists.
func (a *Auth) UpdateProfile(ctx context.Context, u *store.User, fullName *string) (*store.User, error) {
	u, err := a.store.SetFullName(ctx, u.ID, fullName, a.now())
	if err != nil {
		return nil, accountGone(err)
	}
	return u, nil
}
