// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mail

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/acme/shop/internal/accounts/config"
)

// NewSender returns the Sender that cfg.Backend names. Choosing the console
// backend logs a warning once: nothing is delivered, and the log receives
// every emailed link, live tokens included.
func NewSender(cfg config.EmailConfig, logger *slog.Logger) (Sender, error) {
	switch cfg.Backend {
	case "", "console":
		if logger != nil {
			logger.Warn("email backend is console: emails are logged, not sent, and the log gets their links (live tokens); use smtp in production")
		}
		return &Console{Logger: logger, LogBodies: cfg.LogBodies}, nil
	case "smtp":
		if cfg.SMTPHost == "" {
			return nil, errors.New("mail: email.smtp_host is required for the SMTP backend")
		}
		timeout := time.Duration(cfg.SMTPTimeoutSeconds) * time.Second
		if timeout <= 0 {
			timeout = 10 * time.Second
		}
		return &SMTP{
			Host:     cfg.SMTPHost,
			Port:     cfg.SMTPPort,
			StartTLS: cfg.SMTPStartTLS,
			Username: cfg.SMTPUsername,
			Password: cfg.SMTPPassword,
			Timeout:  timeout,
		}, nil
	}
	return nil, fmt.Errorf("mail: unknown email backend %q (use console or smtp)", cfg.Backend)
}
