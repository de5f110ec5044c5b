// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mail

// Kinds of email the account system sends.
const (
	KindVerification  = "verification"   // confirm a new account
	KindPasswordReset = "password_reset" // reset link
	KindEmailChange   = "email_change"   // confirm a new address (sent to the new address)
	KindEmailChanged  = "email_changed"  // notice sent to the old address after a change
	KindAccountLocked = "account_locked" // warning: too many wrong passwords, sign-in paused
	KindMFAEnabled    = "mfa_enabled"    // notice: SMS codes were switched on
	KindMFADisabled   = "mfa_disabled"   // notice: SMS codes were switched off
)

// Kinds lists every kind Compose knows.
func Kinds() []string {
	return []string{
		KindVerification,
		KindPasswordReset,
		KindEmailChange,
		KindEmailChanged,
		KindAccountLocked,
		KindMFAEnabled,
		KindMFADisabled,
	}
}
