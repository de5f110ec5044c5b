// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package mail composes the account system's emails from templates and
// sends them, either to the log (Console, for development) or through a
// mail service (SMTP, and any other sender NewSender knows). NewSender
// picks one from the configuration; anything with a Send method can stand
// in for them.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
)

// Message is one email. From is a header value ("Name <addr>" or "addr");
// To is a bare address. Text is required; HTML is an optional alternative.
type Message struct {
	From, To, Subject, Text, HTML string
}

// Sender delivers a message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrInvalidMessage is wrapped by Send when a message cannot be sent as
// given: a bad address, or a line break in a header (which would let the
// value inject headers of its own).
var ErrInvalidMessage = errors.New("mail: invalid message")

// addresses checks m's headers and returns the parsed sender and recipient.
func (m Message) addresses() (from, to *mail.Address, err error) {
	for _, h := range []struct{ name, value string }{{"From", m.From}, {"To", m.To}, {"Subject", m.Subject}} {
		if strings.ContainsAny(h.value, "\r\n") {
			return nil, nil, fmt.Errorf("%w: line break in %s header", ErrInvalidMessage, h.name)
		}
	}
	if from, err = mail.ParseAddress(m.From); err != nil {
		return nil, nil, fmt.Errorf("%w: From %q: %v", ErrInvalidMessage, m.From, err)
	}
	if to, err = mail.ParseAddress(m.To); err != nil {
		return nil, nil, fmt.Errorf("%w: To %q: %v", ErrInvalidMessage, m.To, err)
	}
	return from, to, nil
}
