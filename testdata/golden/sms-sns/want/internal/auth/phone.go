// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"net/http"
	"time"

	"github.com/nyaruka/phonenumbers"

	"example.com/demo/internal/auth/mail"
	"example.com/demo/internal/auth/sms"
	"example.com/demo/internal/auth/store"
)

// ErrPendingTokenInvalid: the pending token of a phone enrolment is
// malformed, expired, of another purpose, or older than the account's last
// revocation.
var ErrPendingTokenInvalid = newError("auth: pending token is invalid or has expired", http.StatusBadRequest,
	"Pending token is invalid or has expired.")

// phoneStartedResponse is POST /phone/start's answer.
type phoneStartedResponse struct {
	Status       string `json:"status"`
	PendingToken string `json:"pending_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// phoneField is a phone number as typed: 4..20 characters, as the
// reference checks it; normalisePhone decides the rest.
func phoneField(dst *string) field {
	return field{name: "phone_number", required: true, minLen: 4, maxLen: 20, str: dst}
}

// POST /phone/start {"phone_number", "current_password"} (bearer)
func (a *Auth) handlePhoneStart(w http.ResponseWriter, r *http.Request, s *session) {
	var phone, current string
	if !a.decodeBody(w, r, phoneField(&phone), stringField("current_password", &current)) {
		return
	}
	ch, err := a.StartPhoneSetup(a.requestContext(r), s.user, phone, current)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	// The configured lifetime, as for POST /login's mfa_required answer
	// (login_mfa.go).
	writeJSON(w, http.StatusAccepted, phoneStartedResponse{
		Status:       "code_sent",
		PendingToken: ch.PendingToken,
		ExpiresIn:    a.cfg.MFAPendingTokenTTLSeconds,
	})
}

// PhoneChallenge is an enrolment waiting for its code: a code was sent to
// the new number.
type PhoneChallenge struct {
	// PendingToken carries the enrolment to ConfirmPhone; it holds the
	// number and is bound to the code just sent.
	PendingToken string
	// ExpiresAt is when PendingToken stops working
	// (mfa_pending_token_ttl_seconds); the code expires sooner.
	ExpiresAt time.Time
}

// StartPhoneSetup begins turning on SMS codes for u, the signed-in user,
// as POST /phone/start does: once current proves the password, a code is
// sent to phone, which becomes the account's only after ConfirmPhone gets
// that code. Nothing on the account changes yet.
//
// Errors: ErrInvalidPhone, ErrPhoneCannotReceive, ErrNoPassword,
// ErrWrongPassword (counted against the lockout), a *LockedError, ErrBusy,
// an *SMSLimitError (cooldown or the number's hourly budget),
// ErrSMSUnavailable.
func (a *Auth) StartPhoneSetup(ctx context.Context, u *store.User, phone, current string) (PhoneChallenge, error) {
	phone, err := normalisePhone(phone)
	if err != nil {
		return PhoneChallenge{}, err
	}
	if err := a.confirmPassword(ctx, u, current); err != nil {
		return PhoneChallenge{}, err
	}
	ch, err := a.sendCode(ctx, u, store.MFAKindPhoneSetup, phone, a.now(), map[string]string{"phone": phone})
	if err != nil {
		return PhoneChallenge{}, err
	}
	a.emit(ctx, PhoneSetupStarted{User: snapshot(u), Phone: phone})
	return PhoneChallenge{PendingToken: ch.PendingToken, ExpiresAt: ch.ExpiresAt}, nil
}

// POST /phone/confirm {"pending_token", "code"}: public, the pending token
// is the credential.
func (a *Auth) handlePhoneConfirm(w http.ResponseWriter, r *http.Request) {
	var token, code string
	if !a.decodeBody(w, r, stringField("pending_token", &token), codeField(&code)) {
		return
	}
	u, err := a.ConfirmPhone(a.requestContext(r), token, code)
	if err != nil {
		a.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewUserPublic(u))
}

// ConfirmPhone finishes an enrolment StartPhoneSetup began, as POST
// /phone/confirm does: with the code sent to the new number, the number
// becomes the account's and every later sign-in asks for a code. The
// account's owner is told by email.
//
// Errors: ErrPendingTokenInvalid, ErrPendingAccountInactive, a *CodeError.
func (a *Auth) ConfirmPhone(ctx context.Context, pendingToken, code string) (*store.User, error) {
	now := a.now()
	u, claims, err := a.pendingUser(ctx, pendingToken, purposePhoneSetup, now, ErrPendingTokenInvalid, ErrPendingAccountInactive)
	if err != nil {
		return nil, err
	}
	phone := claims.Extra["phone"]
	if _, err := normalisePhone(phone); err != nil {
		// Signed by us, so only a token from an older, laxer version.
		return nil, ErrPendingTokenInvalid
	}
	if err := a.checkCode(ctx, u.ID, store.MFAKindPhoneSetup, claims.ID, code, now); err != nil {
		return nil, err
	}
	u, err = a.store.EnableMFA(ctx, u.ID, phone, now)
	if err != nil {
		return nil, accountGone(err)
	}
	a.mail.send(mail.KindMFAEnabled, u.Email, mail.Data{AppName: a.cfg.AppName, FullName: a.mailName(u)})
	a.emit(ctx, MFAEnabled{User: snapshot(u)})
	return u, nil
}

// DELETE /phone {"current_password"} (bearer)
func (a *Auth) handlePhoneDisable(w http.ResponseWriter, r *http.Request, s *session) {
	var current string
	if !a.decodeBody(w, r, stringField("current_password", &current)) {
		return
	}
	if _, err := a.DisablePhone(a.requestContext(r), s.user, current); err != nil {
		a.writeError(w, r, err)
		return
	}
	writeMessage(w, http.StatusOK, "SMS 2FA disabled.")
}

// DisablePhone turns SMS codes off for u, the signed-in user, once current
// proves the password, as DELETE /phone does: the number and any code
// waiting are removed. It succeeds when codes were not on, too. The
// account's owner is told by email when they were.
//
// Errors: ErrNoPassword, ErrWrongPassword, a *LockedError, ErrBusy.
func (a *Auth) DisablePhone(ctx context.Context, u *store.User, current string) (*store.User, error) {
	if err := a.confirmPassword(ctx, u, current); err != nil {
		return nil, err
	}
	return a.disableMFA(ctx, u, false)
}

// disableMFA turns SMS codes off for u; revoke also signs u out
// everywhere (an operator's switch-off).
func (a *Auth) disableMFA(ctx context.Context, u *store.User, revoke bool) (*store.User, error) {
	wasOn := u.IsMFAEnabled
	u, err := a.store.DisableMFA(ctx, u.ID, a.now(), revoke)
	if err != nil {
		return nil, accountGone(err)
	}
	if wasOn {
		a.mail.send(mail.KindMFADisabled, u.Email, mail.Data{AppName: a.cfg.AppName, FullName: a.mailName(u)})
	}
	a.emit(ctx, MFADisabled{User: snapshot(u)})
	return u, nil
}

// normalisePhone checks that raw is an E.164 number that exists
// (github.com/nyaruka/phonenumbers, Google's libphonenumber data) and can
// receive a code, and returns it in E.164 form.
func normalisePhone(raw string) (string, error) {
	// The shape first: phonenumbers alone would read letters as keypad
	// digits and accept "+1415abc2671".
	if !sms.IsE164(raw) {
		return "", ErrInvalidPhone
	}
	num, err := phonenumbers.Parse(raw, "")
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", ErrInvalidPhone
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE, phonenumbers.VOIP, phonenumbers.PERSONAL_NUMBER:
	default:
		// Premium-rate and shared-cost numbers bill the sender; toll-free,
		// pager, UAN, voicemail and landline numbers cannot take an SMS.
		return "", ErrPhoneCannotReceive
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}
