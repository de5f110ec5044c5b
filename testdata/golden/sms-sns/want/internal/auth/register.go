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
// confirmed. expires_at is formatted with a +00:00 offset (formatISO), the
// form existing regstack clients parse.
type pendingResponse struct {
	Status    string `json:"status"`
	Email     string `json:"email"`
	ExpiresAt string `json:"expires_at"`
}

// Errors of Register.
var (
	// ErrRegistrationClosed: allow_registration is false.
	ErrRegistrationClosed = newError("auth: registration is disabled", http.StatusForbidden, "Registration is disabled.")
	// ErrEmailTaken: an account already has the address.
	ErrEmailTaken = newError("auth: email address already registered", http.StatusConflict, "An account with that email already exists.")
)

// Registration is the result of Register: the new account when it exists at
// once (require_verification off), otherwise the pending registration that
// waits for its emailed link.
type Registration struct {
	User    *store.User
	Pending *store.PendingRegistration
}

// POST /register {"email", "password", "full_name"?}
func (a *Auth) handleRegister(w http.ResponseWriter, r *http.Request) {
	var email, plain string
	var fullName *string
	if !a.decodeBody(w, r, emailField("email", &email), newPasswordField("password", &plain), fullNameField(&fullName, nil)) {
		return
	}
	reg, err := a.Register(a.requestContext(r), email, plain, fullName)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	if p := reg.Pending; p != nil {
		writeJSON(w, http.StatusCreated, pendingResponse{Status: "pending_verification", Email: p.Email, ExpiresAt: formatISO(p.ExpiresAt)})
		return
	}
	writeJSON(w, http.StatusCreated, NewUserPublic(reg.User))
}

// Register signs up an address with a password (and an optional full
// name), as POST /register does. email, plain and fullName must already
// satisfy the API's rules (the JSON API checks them while decoding the
// request: emailaddr, 8 to 128 characters).
//
// With require_verification the account only exists once the emailed link
// is followed (Verify); until then a pending registration holds the
// password hash. An existing account is ErrEmailTaken: registration is
// deliberately not anti-enumerated (the address owner would be told
// anyway). A pending registration is never replaced by a later one: see
// registerPending.
//
// Errors: ErrRegistrationClosed, ErrEmailTaken, ErrBusy.
func (a *Auth) Register(ctx context.Context, email, plain string, fullName *string) (Registration, error) {
	if !a.cfg.AllowRegistration {
		return Registration{}, ErrRegistrationClosed
	}
	switch _, err := a.store.UserByEmail(ctx, email); {
	case err == nil:
		return Registration{}, ErrEmailTaken
	case !errors.Is(err, store.ErrNotFound):
		return Registration{}, err
	}
	if a.cfg.RequireVerification {
		p, err := a.registerPending(ctx, email, plain, fullName)
		if err != nil {
			return Registration{}, err
		}
		return Registration{Pending: p}, nil
	}
	hash, err := a.hasher.Hash(ctx, plain)
	if err != nil {
		return Registration{}, err
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
			return Registration{}, ErrEmailTaken
		}
		return Registration{}, err
	}
	a.emit(ctx, UserRegistered{User: snapshot(u)})
	return Registration{User: u}, nil
}

// pendingKeep is how many pending registrations one address holds at most;
// AddPending drops the oldest beyond it. Any two already make the address
// contested, so the cap costs no safety.
const pendingKeep = 5

// registerPending records a sign-up that waits for its emailed link.
//
// Whoever registers an address first does not own it, and neither does
// whoever registers it last: only the mailbox does. So a registration never
// replaces another one's password. The same person registering again (the
// first mail went missing) gives the same password, and gets a fresh link
// for their registration. A different password is stored beside the first
// as a second registration with its own link, and the address becomes
// contested: following either link then creates the account without a
// password and mails a link to choose one (verify.go), so an attacker who
// registered the victim's address before or after them never learns the
// password of the account the victim's click creates.
// TestRegisterTwiceDifferentPasswords and TestPreHijackingRegistration.
func (a *Auth) registerPending(ctx context.Context, email, plain string, fullName *string) (*store.PendingRegistration, error) {
	pending, err := a.store.PendingByEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	if len(pending) > 0 {
		// One Argon2 verification: the same cost as the hash a new
		// registration spends, so the timing does not say which path ran
		// (TestRegisterPendingAddressSpendsHashWork).
		newest := pending[0]
		same, err := a.hasher.Verify(ctx, plain, newest.PasswordHash)
		if err != nil {
			return nil, err
		}
		if same {
			return a.renewVerification(ctx, newest)
		}
	}
	hash, err := a.hasher.Hash(ctx, plain)
	if err != nil {
		return nil, err
	}
	return a.startVerification(ctx, &store.PendingRegistration{Email: email, PasswordHash: hash, FullName: fullName})
}

// startVerification stores p as a new pending registration with a fresh
// token and emails the link. p.Email, PasswordHash and FullName must be set.
func (a *Auth) startVerification(ctx context.Context, p *store.PendingRegistration) (*store.PendingRegistration, error) {
	raw, hash := newOneTimeToken()
	now := a.now()
	p.TokenHash = hash
	p.CreatedAt = now
	p.ExpiresAt = now.Add(seconds(a.cfg.VerificationTokenTTLSeconds))
	if err := a.store.AddPending(ctx, p, pendingKeep); err != nil {
		return nil, err
	}
	a.mailVerification(ctx, p, raw)
	return p, nil
}

// renewVerification gives an existing pending registration a fresh link
// (the previous one stops working) and emails it. A registration consumed
// meanwhile by its link needs nothing more.
func (a *Auth) renewVerification(ctx context.Context, p *store.PendingRegistration) (*store.PendingRegistration, error) {
	raw, hash := newOneTimeToken()
	now := a.now()
	expires := now.Add(seconds(a.cfg.VerificationTokenTTLSeconds))
	switch err := a.store.RenewPending(ctx, p.ID, hash, now, expires); {
	case errors.Is(err, store.ErrNotFound):
		return p, nil
	case err != nil:
		return nil, err
	}
	p.TokenHash, p.CreatedAt, p.ExpiresAt = hash, now, expires
	a.mailVerification(ctx, p, raw)
	return p, nil
}

// mailVerification emails the link for raw to the address of p. The
// address is not verified yet, so the mail carries nothing the registrant
// typed except the address itself (no name: see mail/templates).
func (a *Auth) mailVerification(ctx context.Context, p *store.PendingRegistration, raw string) {
	url := a.link(linkVerify, a.cfg.VerifyURLTemplate, raw)
	data := mail.Data{AppName: a.cfg.AppName, URL: url, TTLMinutes: ttlMinutes(a.cfg.VerificationTokenTTLSeconds)}
	a.sendBudgeted(ctx, mail.KindVerification, p.Email, data)
	a.emit(ctx, VerificationRequested{Email: p.Email, URL: url, URLWithoutToken: redactToken(url, raw)})
}
