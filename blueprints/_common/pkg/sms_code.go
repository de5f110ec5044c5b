// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"time"

	"regstack.example/app/internal/auth/jwt"
	"regstack.example/app/internal/auth/sms"
	"regstack.example/app/internal/auth/store"
)

// The purposes of the pending tokens that carry a sign-in or a phone
// enrolment from its first step to the SMS code. Each has its own signing
// key (jwt.Codec), so neither is ever accepted as the other or as a session.
const (
	purposeLoginMFA   = store.MFAKindLogin
	purposePhoneSetup = store.MFAKindPhoneSetup
)

// smsBudgetWindow is the period sms.max_per_number_per_hour counts over.
const smsBudgetWindow = time.Hour

var (
	// ErrSMSUnavailable: the provider did not take the message. Nothing
	// usable was left behind (the code was deleted); the caller may retry.
	ErrSMSUnavailable = newError("auth: sms could not be sent", http.StatusServiceUnavailable,
		"The SMS code could not be sent. Try again in a few minutes.")
	// ErrInvalidPhone: not an E.164 number, or not a number that exists.
	ErrInvalidPhone = newError("auth: phone number is not valid E.164", http.StatusBadRequest,
		"Phone number must be in E.164 format (e.g. +14155552671).")
	// ErrPhoneCannotReceive: a valid number of a kind that cannot receive
	// a code, or costs the sender more than a code is worth (premium rate,
	// shared cost, toll free, pagers, landlines, ...).
	ErrPhoneCannotReceive = newError("auth: phone number cannot receive sms codes", http.StatusBadRequest,
		"This phone number cannot receive SMS codes (premium-rate, shared-cost, toll-free, pager and landline numbers are refused). Use a mobile number.")
)

// SMSLimitError refuses a code that would exceed a sending limit: the
// cooldown between two codes of one kind for one user
// (sms.resend_cooldown_seconds), or the codes one number may receive in an
// hour (sms.max_per_number_per_hour). RetryAfter is when asking again can
// succeed, in whole seconds (at least one).
type SMSLimitError struct {
	RetryAfter time.Duration
	// Cooldown is true for the per-user cooldown, false for the
	// per-number budget.
	Cooldown bool
}

func (e *SMSLimitError) Error() string {
	return fmt.Sprintf("auth: sms limit reached (cooldown %v); retry in %v", e.Cooldown, e.RetryAfter)
}

func (e *SMSLimitError) answer() (int, string, time.Duration) {
	detail := "Too many codes were sent to this phone number. Try again later."
	if e.Cooldown {
		detail = "A code was sent moments ago. Wait before asking for a new one."
	}
	return http.StatusTooManyRequests, detail, e.RetryAfter
}

// CodeError is a refused SMS code. Outcome says why; Remaining is the
// number of checks left after a wrong code.
type CodeError struct {
	// Kind is store.MFAKindLogin or store.MFAKindPhoneSetup.
	Kind    string
	Outcome CodeOutcome
	// Remaining is set for CodeWrong.
	Remaining int
}

// CodeOutcome is why a code was refused.
type CodeOutcome string

// The outcomes of a refused code, with the reference's names.
const (
	// CodeMissing: no code is waiting for this pending token (never sent,
	// already used, replaced by a newer one, or deleted after too many
	// wrong tries or its expiry).
	CodeMissing CodeOutcome = "missing"
	CodeExpired CodeOutcome = "expired"
	// CodeLocked: the code's checks are used up; it is deleted.
	CodeLocked CodeOutcome = "locked"
	CodeWrong  CodeOutcome = "wrong"
)

func (e *CodeError) Error() string {
	return fmt.Sprintf("auth: %s code %s (%d attempts remaining)", e.Kind, e.Outcome, e.Remaining)
}

// answer is the reference's wording: the sign-in step sends the user back
// to the password, enrolment asks for a new code.
func (e *CodeError) answer() (int, string, time.Duration) {
	login := e.Kind == store.MFAKindLogin
	var detail string
	switch e.Outcome {
	case CodeWrong:
		detail = fmt.Sprintf("Wrong code; %d attempts remaining.", e.Remaining)
	case CodeExpired:
		detail = "Verification code has expired. Request a new one."
		if login {
			detail = "Sign-in code has expired. Try logging in again."
		}
	case CodeLocked:
		detail = "Too many wrong attempts — request a new code."
		if login {
			detail = "Too many wrong attempts — start the login flow again."
		}
	default:
		detail = "No pending verification code — request a new one."
		if login {
			detail = "No pending sign-in code — start the login flow again."
		}
	}
	return http.StatusBadRequest, detail, 0
}

// codeChallenge is a code on its way: the pending token that goes with it
// and when that token expires.
type codeChallenge struct {
	PendingToken string
	ExpiresAt    time.Time
}

// sendCode issues a code of kind for u, sends it to phone and returns the
// pending token bound to it. In order:
//   - the number's hourly budget is counted (shared by every replica, in
//     the attempts table), so no one can pump paid messages to one number;
//   - the code is stored, hashed, replacing u's previous code of the kind,
//     unless one was issued within the cooldown;
//   - the message is sent; if the provider refuses it, the code is deleted
//     again and ErrSMSUnavailable returned, so no code exists that the user
//     never got.
//
// extra are claims of the pending token (the phone being enrolled).
func (a *Auth) sendCode(ctx context.Context, u *store.User, kind, phone string, now time.Time, extra map[string]string) (codeChallenge, error) {
	budget, err := a.reserveSMS(ctx, phone, now)
	if err != nil {
		return codeChallenge{}, err
	}
	release := func() {
		if budget == nil {
			return
		}
		if err := a.store.WithdrawLoginAttempt(ctx, budget.ID); err != nil {
			a.logger.ErrorContext(ctx, "auth: withdraw sms budget count", "err", err)
		}
	}
	ttl := seconds(a.cfg.MFAPendingTokenTTLSeconds)
	token, claims, err := a.tokens.Issue(kind, u.ID, now, ttl, extra)
	if err != nil {
		release()
		return codeChallenge{}, err
	}
	code := newSMSCode(a.cfg.SMSCodeLength)
	var notBefore time.Time
	if cd := a.cfg.SMS.ResendCooldownSeconds; cd > 0 {
		notBefore = now.Add(-seconds(cd))
	}
	existing, err := a.store.PutMFACode(ctx, &store.MFACode{
		UserID:      u.ID,
		Kind:        kind,
		CodeHash:    hashToken(code),
		PendingID:   claims.ID,
		Phone:       phone,
		MaxAttempts: a.cfg.SMSCodeMaxAttempts,
		CreatedAt:   now,
		ExpiresAt:   now.Add(seconds(a.cfg.SMSCodeTTLSeconds)),
	}, notBefore)
	if errors.Is(err, store.ErrCooldown) {
		release()
		wait := existing.CreatedAt.Add(seconds(a.cfg.SMS.ResendCooldownSeconds)).Sub(now)
		return codeChallenge{}, &SMSLimitError{RetryAfter: wholeSeconds(wait), Cooldown: true}
	}
	if err != nil {
		release()
		return codeChallenge{}, err
	}
	body, err := sms.Compose(kind, sms.Data{
		AppName: a.cfg.AppName,
		Code:    code,
		TTL:     seconds(a.cfg.SMSCodeTTLSeconds),
		Host:    sms.HostOf(a.cfg.BaseURL),
	})
	if err == nil {
		err = a.sms.Send(ctx, sms.Message{To: phone, Body: body})
	}
	if err != nil {
		// The error may quote the provider, never the code or credentials
		// (package sms).
		a.logger.ErrorContext(ctx, "auth: sms not sent; its code is withdrawn", "kind", kind, "user", u.ID, "err", err)
		if derr := a.store.DeleteMFACode(ctx, u.ID, kind, claims.ID); derr != nil && !errors.Is(derr, store.ErrNotFound) {
			a.logger.ErrorContext(ctx, "auth: delete unsent sms code", "err", derr)
		}
		release()
		return codeChallenge{}, ErrSMSUnavailable
	}
	return codeChallenge{PendingToken: token, ExpiresAt: claims.ExpiresAt}, nil
}

// reserveSMS counts one message to phone against sms.max_per_number_per_hour
// and returns the count to withdraw if the message is not sent after all;
// nil when the budget is off. Unlike the mail budget it fails closed: each
// message costs money, and a refused code is a visible error the user can
// retry, not a silently missing link.
func (a *Auth) reserveSMS(ctx context.Context, phone string, now time.Time) (*store.LoginAttempt, error) {
	limit := a.cfg.SMS.MaxPerNumberPerHour
	if limit <= 0 {
		return nil, nil
	}
	att, ok, wait, err := a.reserveBudget(ctx, smsBudgetKey(phone), limit, smsBudgetWindow, now)
	if err != nil {
		return nil, err
	}
	if !ok {
		a.logger.WarnContext(ctx, "auth: sms refused: per-number budget used up", "limit_per_hour", limit)
		return nil, &SMSLimitError{RetryAfter: wholeSeconds(wait)}
	}
	return &att, nil
}

// smsBudgetKey is the attempts key counting the messages sent to a number.
func smsBudgetKey(phone string) string { return "sms:" + phone }

// wholeSeconds rounds d up to whole seconds, at least one, for Retry-After.
func wholeSeconds(d time.Duration) time.Duration {
	if d < time.Second {
		return time.Second
	}
	return (d + time.Second - 1).Truncate(time.Second)
}

// newSMSCode returns n random decimal digits. rand.Int draws uniformly
// below 10^n (it rejects and redraws rather than reduce modulo), so every
// code is equally likely.
func newSMSCode(n int) string {
	max := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
	v, err := rand.Int(rand.Reader, max)
	if err != nil {
		// crypto/rand does not fail on supported platforms; a code that is
		// not random must never be sent.
		panic("auth: crypto/rand: " + err.Error())
	}
	return fmt.Sprintf("%0*d", n, v.Int64())
}

// checkCode checks code against u's code of kind issued with pendingID, as
// the reference orders it: none → missing; out of checks → deleted,
// locked; expired → deleted, expired; wrong → counted, and locked when that
// was the last check; right → deleted, so it works once. The check is
// counted before the comparison (store.ReserveMFAAttempt), so concurrent
// guesses cannot exceed sms_code_max_attempts, and of concurrent right
// answers exactly one deletes the code and wins
// (TestLoginCodeSingleUseUnderRace, TestLoginCodeGuessesBoundedUnderRace).
func (a *Auth) checkCode(ctx context.Context, userID, kind, pendingID, code string, now time.Time) error {
	c, reserved, err := a.store.ReserveMFAAttempt(ctx, userID, kind, pendingID, now)
	if errors.Is(err, store.ErrNotFound) {
		return &CodeError{Kind: kind, Outcome: CodeMissing}
	}
	if err != nil {
		return err
	}
	if !reserved {
		if c.Attempts >= c.MaxAttempts {
			// Its checks are all taken, by requests still running: one of
			// them may hold the right code and must find it to delete it
			// (of N concurrent right answers exactly one wins). The last
			// wrong check deletes it, or the next code replaces it.
			return &CodeError{Kind: kind, Outcome: CodeLocked}
		}
		a.deleteCode(ctx, userID, kind, pendingID)
		return &CodeError{Kind: kind, Outcome: CodeExpired}
	}
	if subtle.ConstantTimeCompare([]byte(hashToken(code)), []byte(c.CodeHash)) != 1 {
		remaining := c.MaxAttempts - c.Attempts
		if remaining <= 0 {
			a.deleteCode(ctx, userID, kind, pendingID)
			return &CodeError{Kind: kind, Outcome: CodeLocked}
		}
		return &CodeError{Kind: kind, Outcome: CodeWrong, Remaining: remaining}
	}
	switch err := a.store.DeleteMFACode(ctx, userID, kind, pendingID); {
	case errors.Is(err, store.ErrNotFound):
		// Another request with the same code won.
		return &CodeError{Kind: kind, Outcome: CodeMissing}
	case err != nil:
		return err
	}
	return nil
}

func (a *Auth) deleteCode(ctx context.Context, userID, kind, pendingID string) {
	if err := a.store.DeleteMFACode(ctx, userID, kind, pendingID); err != nil && !errors.Is(err, store.ErrNotFound) {
		a.logger.ErrorContext(ctx, "auth: delete sms code", "kind", kind, "err", err)
	}
}

// pendingUser checks a pending token of purpose and loads its account. The
// token must be valid, its account active, and no revocation may have
// happened since it was issued (a password change, sign-out everywhere or
// disable between the two steps ends the step too). invalid and inactive
// are the flow's answers.
func (a *Auth) pendingUser(ctx context.Context, token, purpose string, now time.Time, invalid, inactive error) (*store.User, jwt.Claims, error) {
	claims, err := a.tokens.Parse(token, purpose, now)
	if err != nil {
		return nil, jwt.Claims{}, invalid
	}
	u, err := a.store.UserByID(ctx, claims.Subject)
	if errors.Is(err, store.ErrNotFound) {
		return nil, jwt.Claims{}, inactive
	}
	if err != nil {
		return nil, jwt.Claims{}, err
	}
	if !u.IsActive {
		return nil, jwt.Claims{}, inactive
	}
	if revokedInBulk(u, claims.IssuedAt) {
		return nil, jwt.Claims{}, invalid
	}
	return u, claims, nil
}
