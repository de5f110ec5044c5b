// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package mail

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
)

// Console "sends" mail by logging it, for development and tests: each
// message is one INFO line with its recipient, sender, subject and the
// links in its text body, which is what a developer needs to follow a
// verification link. The links carry live one-time tokens, which
// is why the console backend is for development only (NewSender warns when
// it is chosen). The whole text body is logged only when LogBodies is set.
type Console struct {
	// Logger receives the messages; nil means slog.Default().
	Logger    *slog.Logger
	LogBodies bool
}

// linkPattern finds the http(s) links of a text body: up to white space or
// a character that cannot be part of one.
var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// findLinks returns the http(s) links in text, in order, without punctuation
// that ends the sentence around them ("visit https://x/help." → https://x/help).
func findLinks(text string) []string {
	links := linkPattern.FindAllString(text, -1)
	for i, l := range links {
		links[i] = strings.TrimRight(l, ".,;:!?)'")
	}
	return links
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
	if links := findLinks(m.Text); len(links) > 0 {
		attrs = append(attrs, "links", links)
	}
	if c.LogBodies {
		attrs = append(attrs, "text", m.Text)
	}
	logger.InfoContext(ctx, "email (console backend, not sent)", attrs...)
	return nil
}
