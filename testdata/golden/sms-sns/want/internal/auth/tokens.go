// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"example.com/demo/internal/auth/store"
)

// newOneTimeToken returns a fresh emailed credential (32 random bytes,
// base64url, 43 characters) and the hash that is stored instead of it, so a
// leaked database does not leak usable links.
func newOneTimeToken() (raw, hash string) {
	b := make([]byte, 32)
	// crypto/rand.Read never returns an error; it crashes the program
	// rather than hand out predictable bytes.
	_, _ = rand.Read(b)
	raw = base64.RawURLEncoding.EncodeToString(b)
	return raw, hashToken(raw)
}

// hashToken is the lowercase hex SHA-256 of a raw token, as stored.
func hashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// Links in emails. Each goes to a page that exists when pages are
// generated: {base_url}{email_link_prefix}/verify?token=..., unless the
// flow's URL template (verify_url_template, ...; {base_url} and {token}
// placeholders) is set.
const (
	linkVerify      = "/verify"
	linkEmailChange = "/confirm-email-change"
)

// link builds the emailed URL for token: the flow's URL template tmpl when
// it is set, else path (one of the link* constants) under email_link_prefix.
func (a *Auth) link(path, tmpl, token string) string {
	base := strings.TrimRight(a.cfg.BaseURL, "/")
	if tmpl != "" {
		return strings.NewReplacer("{base_url}", base, "{token}", token).Replace(tmpl)
	}
	return base + strings.TrimRight(a.cfg.EmailLinkPrefix, "/") + path + "?token=" + token
}

// ttlMinutes is how long a link lasts, as the emails word it (at least 1).
func ttlMinutes(seconds int) int {
	return max(seconds/60, 1)
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }

// redeemAccountToken consumes a one-time account token (single use, also
// under races: TestConfirmEmailChangeSingleUseUnderConcurrency) and loads the active user it belongs to. It fails with
// invalid for an unknown, used or expired token, or one issued while the
// account had another address, and with inactive when the account is gone
// or disabled; each flow passes its own two errors.
func (a *Auth) redeemAccountToken(ctx context.Context, token, purpose string, now time.Time, invalid, inactive error) (*store.AccountToken, *store.User, error) {
	t, err := a.store.ConsumeAccountToken(ctx, hashToken(token), purpose, now)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, invalid
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := a.store.UserByID(ctx, t.UserID)
	if err == nil && store.EmailKey(t.Email) != store.EmailKey(u.Email) {
		// The account moved to another address since the link was mailed
		// (SetEmail deletes such tokens too; this holds even for one that
		// slipped past, e.g. a row written by an older version).
		// TestTokenBoundToIssuingAddress.
		return nil, nil, invalid
	}
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.IsActive) {
		return nil, nil, inactive
	}
	if err != nil {
		return nil, nil, err
	}
	return t, u, nil
}
