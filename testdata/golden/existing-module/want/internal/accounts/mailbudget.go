// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package accounts

import (
	"context"
	"time"

	"github.com/acme/shop/internal/accounts/mail"
	"github.com/acme/shop/internal/accounts/store"
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
	_, ok, _, err := a.reserveBudget(ctx, mailBudgetKey(to), limit, mailBudgetWindow, a.now())
	if err != nil {
		// The budget limits abuse; it does not guard an account. A mail the
		// budget cannot be checked for goes out rather than a user missing
		// their link because of a database hiccup.
		a.logger.ErrorContext(ctx, "auth: mail budget unavailable; sending anyway", "kind", kind, "err", err)
		return true
	}
	if ok {
		return true
	}
	a.logger.WarnContext(ctx, "auth: mail suppressed: per-address budget used up", "kind", kind, "to", to, "limit_per_hour", limit)
	a.emit(ctx, MailSuppressed{Kind: kind, To: to})
	return false
}

// reserveBudget counts one use of key's budget of limit per window, in the
// attempts table so replicas share it, and reports whether it fits. A use
// that does not fit is withdrawn again (a refusal never counts, so the
// budget refills a window after the uses that went through, however long
// a flood lasts), and wait is how long until the oldest counted use ages
// out. The mail budget and the SMS budget are both this.
func (a *Auth) reserveBudget(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (att store.LoginAttempt, ok bool, wait time.Duration, err error) {
	att, err = a.store.ReserveLoginAttempt(ctx, key, now, now.Add(-window))
	if err != nil {
		return att, false, 0, err
	}
	if len(att.Recent) <= limit {
		return att, true, 0, nil
	}
	if err := a.store.WithdrawLoginAttempt(ctx, att.ID); err != nil {
		a.logger.ErrorContext(ctx, "auth: withdraw budget count", "key", key, "err", err)
	}
	// Recent is oldest first and includes the withdrawn use at its end.
	return att, false, att.Recent[len(att.Recent)-1-limit].Add(window).Sub(now), nil
}
