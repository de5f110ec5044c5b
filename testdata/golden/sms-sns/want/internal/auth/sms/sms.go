// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package sms composes the account system's text messages (sign-in and
// phone confirmation codes) from templates and sends them: to the log
// (Console, for development), nowhere (Null, for tests) or through a
// provider. New picks the sender that the [sms] configuration names;
// anything with a Send method can stand in for them.
package sms

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Message is one text message. To is an E.164 number ("+15551234567");
// Body is the text, which holds a one-time code: treat it like a password
// (never log it outside development, never put it in an error).
type Message struct {
	To, Body string
}

// Sender delivers a message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// The errors Send wraps, so a caller can tell what went wrong with
// errors.Is without knowing the provider.
var (
	// ErrInvalidMessage: the message was not sent because it cannot be as
	// given (a recipient that is not an E.164 number, an empty body). The
	// provider was not contacted.
	ErrInvalidMessage = errors.New("sms: invalid message")
	// ErrRejected: the provider refused this message for a reason tied to
	// it (a number it cannot deliver to, a recipient who opted out).
	// Sending it again will not help; the user may have to give another
	// number.
	ErrRejected = errors.New("sms: message refused by the provider")
	// ErrUnavailable: the message could not be sent now, through no fault
	// of the user: the provider could not be reached, failed, throttled
	// us, or refused our credentials. Trying later (or fixing the
	// configuration) may help.
	ErrUnavailable = errors.New("sms: provider unavailable")
)

// ProviderError is a provider's refusal or failure, as it explained it. It
// wraps ErrRejected or ErrUnavailable. Its text never holds the message
// body or a credential: Message is scrubbed of both, because a provider
// may quote a request back.
type ProviderError struct {
	Provider   string // the sender's name, e.g. "twilio"
	HTTPStatus int    // the provider's HTTP status; 0 when unknown
	Code       string // the provider's error code, e.g. Twilio's "21211"
	Message    string // the provider's explanation
	MoreInfo   string // a link to the provider's documentation of Code
	Err        error  // ErrRejected or ErrUnavailable
}

func (e *ProviderError) Error() string {
	var b strings.Builder
	b.WriteString("sms: " + e.Provider + ": ")
	if errors.Is(e.Err, ErrRejected) {
		b.WriteString("message refused")
	} else {
		b.WriteString("unavailable")
	}
	var details []string
	if e.HTTPStatus != 0 {
		details = append(details, fmt.Sprintf("HTTP %d", e.HTTPStatus))
	}
	if e.Code != "" {
		details = append(details, "code "+e.Code)
	}
	if len(details) > 0 {
		b.WriteString(" (" + strings.Join(details, ", ") + ")")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.MoreInfo != "" {
		b.WriteString(" (see " + e.MoreInfo + ")")
	}
	return b.String()
}

func (e *ProviderError) Unwrap() error { return e.Err }

// e164 is an E.164 phone number: a plus, a country code that does not
// start with 0, at most 15 digits in all.
var e164 = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)

// IsE164 reports whether s has the shape of an E.164 number (it says
// nothing of whether the number exists).
func IsE164(s string) bool { return e164.MatchString(s) }

// check reports why m cannot be sent, wrapping ErrInvalidMessage, or nil.
// Every sender checks, so a mistake shows up in development with the
// console backend rather than first in production.
func (m Message) check() error {
	if !IsE164(m.To) {
		return fmt.Errorf("%w: recipient %q is not an E.164 number (+ and up to 15 digits)", ErrInvalidMessage, m.To)
	}
	if strings.TrimSpace(m.Body) == "" {
		return fmt.Errorf("%w: empty body", ErrInvalidMessage)
	}
	return nil
}

// codeLike finds the digit runs of a body that may be a one-time code.
var codeLike = regexp.MustCompile(`\d{4,}`)

// digitRun finds whole runs of digits.
var digitRun = regexp.MustCompile(`\d+`)

// scrub removes from text a provider returned every secret (a credential)
// and the message body, and any digit run equal to a code of the body, so
// the text can go into an error that ends up in a log.
func scrub(text, body string, secrets ...string) string {
	for _, s := range append(secrets, body) {
		if s != "" {
			text = strings.ReplaceAll(text, s, "[redacted]")
		}
	}
	codes := codeLike.FindAllString(body, -1)
	if len(codes) == 0 {
		return text
	}
	return digitRun.ReplaceAllStringFunc(text, func(run string) string {
		for _, c := range codes {
			if run == c {
				return "[redacted]"
			}
		}
		return run
	})
}
