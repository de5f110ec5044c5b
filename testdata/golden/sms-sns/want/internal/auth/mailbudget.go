// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"time"

	"example.com/demo/internal/auth/mail"
)

// mailBudgetWindow is the period email.max_per_address_per_hour counts over.
const mailBudgetWindow = time.Hour

// sendBudgeted sends a mail unless its address has already been sent
// email.max_per_address_per_hour such mails within the last hour. Every
// mail anyone can trigger for an address they do not own (verification,
// email change, the lockout warning, ...) goes through here, so
// the application cannot be used to flood one inbox however many client
// addresses the sender has; the per-IP rate limits alone cannot promise
// that. The caller answers as usual either way (anti-enumeration); a
// suppressed mail is logged and fires MailSuppressed.
// TestMailBudgetPerAddress.
func (a *Auth) sendBudgeted(ctx context.Context, kind, to string, data mail.Data) {
	if a.mailAllowed(ctx, kind, to) {
		a.mail.send(kind, to, data)
	}
}

// mailAllowed counts one mail to the address and reports whether it fits
// the budget. The count is kept in the database (the attempts table, under
// mailBudgetKey), so replicas share one budget. A suppressed mail is not
// counted, so the budget refills an hour after the mails that were sent,
// however long a flood lasts.
func (a *Auth) mailAllowed(ctx context.Context, kind, to string) bool {
	limit := a.cfg.Email.MaxPerAddressPerHour
	if limit <= 0 {
		return true
	}
	now := a.now()
	att, err := a.store.ReserveLoginAttempt(ctx, mailBudgetKey(to), now, now.Add(-mailBudgetWindow))
	if err != nil {
		// The budget limits abuse; it does not guard an account. A mail the
		// budget cannot be checked for goes out rather than a user missing
		// their link because of a database hiccup.
		a.logger.ErrorContext(ctx, "auth: mail budget unavailable; sending anyway", "kind", kind, "err", err)
		return true
	}
	if len(att.Recent) <= limit {
		return true
	}
	if err := a.store.WithdrawLoginAttempt(ctx, att.ID); err != nil {
		a.logger.ErrorContext(ctx, "auth: withdraw mail budget count", "err", err)
	}
	a.logger.WarnContext(ctx, "auth: mail suppressed: per-address budget used up", "kind", kind, "to", to, "limit_per_hour", limit)
	a.emit(ctx, MailSuppressed{Kind: kind, To: to})
	return false
}
