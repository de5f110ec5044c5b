// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mail

import (
	"context"
	"log/slog"
)

// Console "sends" mail by logging it, for development and tests. Bodies
// contain live links (verification, password reset), so they are logged
// only when LogBodies is set.
type Console struct {
	// Logger receives the messages; nil means slog.Default().
	Logger    *slog.Logger
	LogBodies bool
}

// Send logs m at INFO.
func (c *Console) Send(ctx context.Context, m Message) error {
	if _, _, err := m.addresses(); err != nil {
		return err
	}
	logger := c.Logger
	if logger == nil {
		logger = slog.Default()
	}
	attrs := []any{"to", m.To, "from", m.From, "subject", m.Subject}
	if c.LogBodies {
		attrs = append(attrs, "text", m.Text)
	}
	logger.InfoContext(ctx, "email (console backend, not sent)", attrs...)
	return nil
}
