// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sms

import (
	"context"
	"log/slog"
)

// Console "sends" text messages by logging them, for development: each
// message is one INFO line with its recipient, sender and whole body. The
// body holds a live one-time code (whoever reads the log can use it), which
// is the point in development and why the console backend must never run
// in production (New warns when it is chosen).
type Console struct {
	// Logger receives the messages; nil means slog.Default().
	Logger *slog.Logger
	// From is logged as the sender (sms.from_number); it may be empty.
	From string
}

// Send logs m at INFO.
func (c *Console) Send(ctx context.Context, m Message) error {
	if err := m.check(); err != nil {
		return err
	}
	logger := c.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.InfoContext(ctx, "sms (console backend, not sent)", "to", m.To, "from", c.From, "body", m.Body)
	return nil
}
