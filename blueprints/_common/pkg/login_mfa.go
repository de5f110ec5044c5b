// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"regstack.example/app/internal/auth/store"
)

var (
	// ErrMFATokenInvalid: the pending token of the sign-in code step is
	// malformed, expired, of another purpose, or older than the account's
	// last revocation.
	ErrMFATokenInvalid = newError("auth: mfa token is invalid or has expired", http.StatusBadRequest,
		"MFA token is invalid or has expired.")
	// ErrPendingAccountInactive: the account of a pending token is gone or
	// disabled.
	ErrPendingAccountInactive = newError("auth: pending token does not match an active account", http.StatusBadRequest,
		"Token does not match an active account.")
)

// MFAChallenge is the sign-in step still to take after a correct password
// for an account with SMS codes on: a code was sent to its phone.
type MFAChallenge struct {
	// PendingToken carries the sign-in to ConfirmLoginCode. It is bound to
	// the code just sent: no other code completes it.
	PendingToken string
	// ExpiresAt is when PendingToken stops working
	// (mfa_pending_token_ttl_seconds); the code itself expires sooner
	// (sms_code_ttl_seconds).
	ExpiresAt time.Time
	// PhoneHint is the number with all but its last two digits masked,
	// for "we sent a code to …": whoever knows only the password does not
	// learn the number.
	PhoneHint string
}

// mfaRequiredResponse is POST /login's answer for the SMS step.
type mfaRequiredResponse struct {
	Status          string `json:"status"`
	Delivery        string `json:"delivery"`
	MFAPendingToken string `json:"mfa_pending_token"`
	ExpiresIn       int    `json:"expires_in"`
}

// expires_in is the pending token's configured lifetime, as the reference
// answers: computed from c.ExpiresAt (whole seconds, counted from when the
// password check began) it would come out a second short.
func (a *Auth) mfaRequired(c *MFAChallenge) mfaRequiredResponse {
	return mfaRequiredResponse{
		Status:          "mfa_required",
		Delivery:        "sms",
		MFAPendingToken: c.PendingToken,
		ExpiresIn:       a.cfg.MFAPendingTokenTTLSeconds,
	}
}

// startLoginMFA sends a sign-in code to u's phone and returns the step to
// take. at is when the password check began.
func (a *Auth) startLoginMFA(ctx context.Context, u *store.User, at time.Time) (LoginResult, error) {
	ch, err := a.sendCode(ctx, u, store.MFAKindLogin, u.PhoneNumber, at, nil)
	if err != nil {
		return LoginResult{}, err
	}
	a.emit(ctx, MFALoginStarted{User: snapshot(u)})
	return LoginResult{MFA: &MFAChallenge{
		PendingToken: ch.PendingToken,
		ExpiresAt:    ch.ExpiresAt,
		PhoneHint:    maskPhone(u.PhoneNumber),
	}}, nil
}

// POST /login/mfa-confirm {"mfa_pending_token", "code"}
func (a *Auth) handleLoginMFAConfirm(w http.ResponseWriter, r *http.Request) {
	var token, code string
	if !a.decodeBody(w, r, stringField("mfa_pending_token", &token), codeField(&code)) {
		return
	}
	s, err := a.ConfirmLoginCode(a.requestContext(r), token, code)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: s.Token, TokenType: "bearer", ExpiresIn: a.cfg.JWTTTLSeconds})
}

// ConfirmLoginCode completes a sign-in that Authenticate answered with an
// MFAChallenge, as POST /login/mfa-confirm does: code must be the one sent
// with pendingToken. The code works once; so does the pending token, whose
// code is gone once used.
//
// Errors: ErrMFATokenInvalid, ErrPendingAccountInactive, a *CodeError
// (missing, expired, locked, or wrong with the checks left), ErrBusy never.
// Every refused code fires MFALoginFailed.
func (a *Auth) ConfirmLoginCode(ctx context.Context, pendingToken, code string) (*Session, error) {
	now := a.now()
	u, claims, err := a.pendingUser(ctx, pendingToken, purposeLoginMFA, now, ErrMFATokenInvalid, ErrPendingAccountInactive)
	if err != nil {
		return nil, err
	}
	if err := a.checkCode(ctx, u.ID, store.MFAKindLogin, claims.ID, code, now); err != nil {
		var ce *CodeError
		if errors.As(err, &ce) {
			a.logger.WarnContext(ctx, "auth: sign-in code refused", "user", u.ID, "outcome", string(ce.Outcome), "client", clientFrom(ctx))
			a.emit(ctx, MFALoginFailed{User: snapshot(u), Reason: string(ce.Outcome), ClientAddr: clientFrom(ctx)})
		}
		return nil, err
	}
	s, err := a.startSession(ctx, u, "", now)
	if errors.Is(err, errStaleLogin) {
		// Revoked, disabled or re-passworded in the instant since the
		// token was checked.
		return nil, ErrMFATokenInvalid
	}
	if err != nil {
		return nil, err
	}
	a.emit(ctx, MFALoginCompleted{User: snapshot(u)})
	return s, nil
}

// codeField is an SMS code: 4..10 characters, as the reference checks it
// (the digits are the comparison's business).
func codeField(dst *string) field {
	return field{name: "code", required: true, minLen: 4, maxLen: 10, str: dst}
}

// maskPhone keeps the country code's "+" and the last two digits:
// "+14155552671" → "+•••••••••71".
func maskPhone(phone string) string {
	if len(phone) < 4 {
		return strings.Repeat("•", len(phone))
	}
	return "+" + strings.Repeat("•", len(phone)-3) + phone[len(phone)-2:]
}
