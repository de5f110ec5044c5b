// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"strconv"
	"strings"
	"time"
)

// SMTP sends each message over a fresh connection to an SMTP server
// (submission port 587 with STARTTLS is the usual setup).
type SMTP struct {
	Host string
	Port int
	// StartTLS upgrades the connection before anything else is said. If the
	// server does not offer STARTTLS, Send fails rather than continue in
	// clear text.
	StartTLS bool
	// Username, when set, authenticates with AUTH PLAIN. net/smtp refuses
	// to send the password over an unencrypted connection except to
	// localhost.
	Username, Password string
	// Timeout bounds connecting and the whole conversation together
	// (default 10 s).
	Timeout time.Duration
	// TLSConfig, if set, is used for STARTTLS (e.g. a private CA). By
	// default the system roots verify Host.
	TLSConfig *tls.Config
}

// Send delivers m. It honours ctx for dialling and aborts the conversation
// when ctx is done.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	from, to, err := m.addresses()
	if err != nil {
		return err
	}
	body, err := buildMessage(m, from, to, time.Now())
	if err != nil {
		return err
	}

	// One deadline covers connecting and the whole conversation, so a
	// server that accepts the connection and then never answers (or
	// answers a byte a minute) cannot hold a send longer than Timeout.
	deadline := time.Now().Add(s.timeout())
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	dialer := net.Dialer{Deadline: deadline}
	conn, err := dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("mail: connecting to %s: %w", addr, err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return fmt.Errorf("mail: %w", err)
	}
	// A done context interrupts any blocked read or write. (Its deadline is
	// not copied onto the connection, so that the error says which fired.)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	if err := s.converse(conn, from.Address, to.Address, body); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("mail: sending via %s: %w", addr, ctx.Err())
		}
		return fmt.Errorf("mail: sending via %s: %w", addr, err)
	}
	return nil
}

// timeout is Timeout, or 10 s when it is not set.
func (s *SMTP) timeout() time.Duration {
	if s.Timeout <= 0 {
		return 10 * time.Second
	}
	return s.Timeout
}

// MaxSendTime is the longest one Send can take. The account system bounds
// how long Close waits for background mail by it.
func (s *SMTP) MaxSendTime() time.Duration { return s.timeout() }

func (s *SMTP) converse(conn net.Conn, from, to string, body []byte) error {
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(heloName()); err != nil {
		return err
	}
	if s.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("server does not offer STARTTLS, refusing to send in clear text (set email.smtp_starttls = false only for a trusted local relay)")
		}
		cfg := &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
		if s.TLSConfig != nil {
			cfg = s.TLSConfig.Clone()
			if cfg.ServerName == "" {
				cfg.ServerName = s.Host
			}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(body); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	return c.Quit()
}

// heloName is the name this machine gives in EHLO.
func heloName() string {
	if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \r\n") {
		return h
	}
	return "localhost"
}
