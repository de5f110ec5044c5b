// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sms

import (
	"context"
	"fmt"
	"log/slog"

	"example.com/demo/internal/auth/config"
)

// New returns the Sender that cfg.Backend names. Choosing the console
// backend logs a warning once: nothing is delivered, and the log receives
// every code.
func New(cfg config.SMSConfig, logger *slog.Logger) (Sender, error) {
	switch cfg.Backend {
	case "", "console":
		if logger != nil {
			logger.Warn("sms backend is console: text messages are logged, not sent, and the log gets their codes; use a provider in production")
		}
		return &Console{Logger: logger, From: cfg.FromNumber}, nil
	case "null":
		return Null{}, nil
	case "twilio":
		return NewTwilio(cfg)
	case "sns":
		// Loading the AWS configuration reads the environment and the
		// shared files only; credentials are fetched at the first send.
		return NewSNS(context.Background(), cfg)
	}
	return nil, fmt.Errorf("sms: unknown sms backend %q (use console, null, twilio or sns)", cfg.Backend)
}
