// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package storetest

import (
	"testing"

	"example.com/demo/internal/auth/store"
)

// Run runs the suite. open must return a new, empty store for each call;
// Run closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	s := suite{open: open}
	t.Run("Ping", s.ping)
	t.Run("UserRoundTrip", s.userRoundTrip)
	t.Run("TimePrecision", s.timePrecision)
	t.Run("EmailUniqueCaseInsensitive", s.emailUnique)
	t.Run("EmailKeyUnicode", s.emailKeyUnicode)
	t.Run("UserLookups", s.userLookups)
	t.Run("SetFullName", s.setFullName)
	t.Run("SetPassword", s.setPassword)
	t.Run("SetEmail", s.setEmail)
	t.Run("MarkVerifiedAndRecordLogin", s.markVerifiedAndRecordLogin)
	t.Run("DeleteUser", s.deleteUser)
	t.Run("AccountToken", s.accountToken)
	t.Run("AccountTokenOnePerPurpose", s.accountTokenOnePerPurpose)
	t.Run("ConsumeAccountTokenConcurrent", s.consumeAccountTokenConcurrent)
	t.Run("RevokeToken", s.revokeToken)
	t.Run("SessionUser", s.sessionUser)
	t.Run("LoginAttempts", s.loginAttempts)
	t.Run("LoginAttemptKeysAsGiven", s.attemptKeysAsGiven)
	t.Run("ReserveLoginAttemptConcurrent", s.reserveConcurrent)
	t.Run("PurgeExpired", s.purgeExpired)
	s.runLogin(t)
	s.runPending(t)
	s.runUpdate(t)
	s.runAdmin(t)
}
