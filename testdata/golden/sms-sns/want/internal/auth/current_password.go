// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"

	"example.com/demo/internal/auth/store"
)

// confirmPassword is the re-authentication step of the methods that change
// an account: the signed-in user must also know the password.
// Accounts without a password (Google sign-in only) get ErrNoPassword; that
// is not a guess and is not counted. A wrong password is ErrWrongPassword.
//
// A wrong current password counts against the account's login lockout
// (lockout.go), the same counter and settings as Authenticate: someone
// holding a stolen session can make at most login_lockout_threshold guesses
// per window, after which every check, the right password included, is
// refused with a *LockedError, and the owner is told by email.
// TestCurrentPasswordLockout.
func (a *Auth) confirmPassword(ctx context.Context, u *store.User, plain string) error {
	if !u.HasPassword() {
		return ErrNoPassword
	}
	res, err := a.reserveAttempt(ctx, u.Email, a.now())
	if err != nil {
		return err
	}
	ok, err := a.hasher.Verify(ctx, plain, u.PasswordHash)
	if err != nil {
		// Not judged (hasher saturated, say): not the client's failure.
		if werr := a.withdraw(ctx, res); werr != nil {
			a.logger.ErrorContext(ctx, "auth: withdraw password attempt", "err", werr)
		}
		return err
	}
	if !ok {
		a.passwordFailed(ctx, u.Email, u, failureCurrentPassword, res)
		return ErrWrongPassword
	}
	// The right password proves the account, as a sign-in does: its
	// failures (this reservation included) are forgotten.
	return a.clearFailures(ctx, u.Email)
}
