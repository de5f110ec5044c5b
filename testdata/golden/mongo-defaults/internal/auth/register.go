// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"net/http"

	"example.com/demo/internal/auth/mail"
	"example.com/demo/internal/auth/store"
)

// pendingResponse answers a registration that waits for its email to be
// confirmed. expires_at uses Python's isoformat (+00:00), as regstack's
// clients expect.
type pendingResponse struct {
	Status    string `json:"status"`
	Email     string `json:"email"`
	ExpiresAt string `json:"expires_at"`
}

// POST /register {"email", "password", "full_name"?}
//
// With require_verification the account only exists once the emailed link
// is followed; until then a pending registration holds the password hash.
// An existing account answers 409: registration is deliberately not
// anti-enumerated (the address owner would be told anyway).
func (a *Auth) handleRegister(w http.ResponseWriter, r *http.Request) {
	var email, plain string
	var fullName *string
	if !a.decodeBody(w, r, emailField("email", &email), newPasswordField("password", &plain), fullNameField(&fullName, nil)) {
		return
	}
	if !a.cfg.AllowRegistration {
		writeDetail(w, http.StatusForbidden, "Registration is disabled.")
		return
	}
	ctx := r.Context()
	switch _, err := a.store.UserByEmail(ctx, email); {
	case err == nil:
		writeDetail(w, http.StatusConflict, "An account with that email already exists.")
		return
	case !errors.Is(err, store.ErrNotFound):
		a.serverError(w, r, err)
		return
	}
	hash, err := a.hasher.Hash(ctx, plain)
	if err != nil {
		a.failed(w, r, err)
		return
	}
	if a.cfg.RequireVerification {
		p, err := a.startVerification(ctx, &store.PendingRegistration{Email: email, PasswordHash: hash, FullName: fullName})
		if err != nil {
			a.serverError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, pendingResponse{Status: "pending_verification", Email: p.Email, ExpiresAt: formatISO(p.ExpiresAt)})
		return
	}
	now := a.now()
	u := &store.User{
		Email:        email,
		PasswordHash: hash,
		IsActive:     true,
		IsVerified:   true,
		FullName:     fullName,
		CreatedAt:    now,
		UpdatedAt:    now,
	}
	if err := a.store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrEmailTaken) { // lost a race with another sign-up
			writeDetail(w, http.StatusConflict, "An account with that email already exists.")
			return
		}
		a.serverError(w, r, err)
		return
	}
	a.emit(ctx, UserRegistered{User: snapshot(u)})
	writeJSON(w, http.StatusCreated, NewUserPublic(u))
}

// startVerification stores p (replacing any earlier pending registration
// for the address, whose link then stops working) with a fresh token, and
// emails the link. p.Email, PasswordHash and FullName must be set.
func (a *Auth) startVerification(ctx context.Context, p *store.PendingRegistration) (*store.PendingRegistration, error) {
	raw, hash := newOneTimeToken()
	now := a.now()
	p.TokenHash = hash
	p.CreatedAt = now
	p.ExpiresAt = now.Add(seconds(a.cfg.VerificationTokenTTLSeconds))
	if err := a.store.UpsertPending(ctx, p); err != nil {
		return nil, err
	}
	url := a.link(linkVerify, raw)
	data := mail.Data{AppName: a.cfg.AppName, URL: url, TTLMinutes: ttlMinutes(a.cfg.VerificationTokenTTLSeconds)}
	if p.FullName != nil {
		data.FullName = *p.FullName
	}
	a.mail.send(mail.KindVerification, p.Email, data)
	a.emit(ctx, VerificationRequested{Email: p.Email, URL: url, URLWithoutToken: redactToken(url, raw)})
	return p, nil
}
