// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sms

import (
	"embed"
	"fmt"
	"net/url"
	"strings"
	"text/template"
	"time"

	"golang.org/x/net/idna"
)

// Kinds of text message the account system sends; the same names as the
// kinds of the codes in the store.
const (
	KindLoginMFA   = "login_mfa"   // the code of a sign-in's second step
	KindPhoneSetup = "phone_setup" // the code that confirms a new phone number
)

// Kinds lists every kind Compose knows.
func Kinds() []string {
	return []string{KindLoginMFA, KindPhoneSetup}
}

// templateFiles holds the messages, templates/sms_<kind>.txt, as
// text/templates over Data.
//
//go:embed templates/*.txt
var templateFiles embed.FS

// templates is parsed once, when the program starts, so a broken template
// fails at once rather than at the first sign-in; it is never changed
// afterwards, and executing a template is safe for concurrent use.
var templates = template.Must(template.ParseFS(templateFiles, "templates/*.txt"))

// Data is what the templates see: {{.AppName}}, {{.Code}}, {{.Host}} and
// {{.TTLMinutes}}.
type Data struct {
	AppName string
	// Code is the one-time code.
	Code string
	// TTL is how long the code stays valid.
	TTL time.Duration
	// Host is the host of base_url, without scheme or port (HostOf): the
	// last line of every message binds the code to it, in the format of
	// https://wicg.github.io/sms-one-time-codes/ ("@example.com #123456"),
	// so phones offer the code for autofill on that site only.
	Host string
}

// TTLMinutes is TTL in whole minutes, at least 1: "expires in 0 minutes"
// would read as already expired.
func (d Data) TTLMinutes() int {
	return max(int(d.TTL/time.Minute), 1)
}

// Compose renders the text message of kind.
func Compose(kind string, d Data) (string, error) {
	t := templates.Lookup("sms_" + kind + ".txt")
	if t == nil {
		return "", fmt.Errorf("sms: unknown message kind %q", kind)
	}
	// Either would break the origin-bound line, which is "@host #code"
	// with nothing else in it.
	if d.Code == "" || strings.ContainsAny(d.Code, " \t\r\n#@") {
		return "", fmt.Errorf("sms: code %q cannot go into a message", d.Code)
	}
	if d.Host == "" || strings.ContainsAny(d.Host, " \t\r\n#@/") {
		return "", fmt.Errorf("sms: host %q is not a host name", d.Host)
	}
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("sms: %w", err)
	}
	// The origin-bound line must be the message's last.
	return strings.TrimRight(b.String(), " \t\r\n"), nil
}

// HostOf returns the host of baseURL as the origin-bound line needs it:
// lower case, without the port, an internationalised name in its ASCII
// (punycode) form. It returns "" when baseURL has no host.
func HostOf(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if ascii, err := idna.Lookup.ToASCII(host); err == nil {
		host = ascii
	}
	return host
}
