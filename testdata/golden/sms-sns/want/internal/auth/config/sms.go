// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
)

// smsE164 is an E.164 phone number: a plus, a country code that does not
// start with 0, at most 15 digits in all.
var smsE164 = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)

// smsSenderID is an alphanumeric sender ID: up to 11 letters, digits and
// spaces (what the GSM network carries in place of a number).
var smsSenderID = regexp.MustCompile(`^[A-Za-z0-9 ]{1,11}$`)

// validate checks the [sms] keys beyond the bounds of the key table.
func (s SMSConfig) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: sms.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if s.Backend == "twilio" {
		if s.TwilioAccountSID == "" {
			bad("twilio_account_sid", "required when sms.backend is \"twilio\"")
		}
		if s.TwilioAuthToken == "" {
			bad("twilio_auth_token", "required when sms.backend is \"twilio\" (put it in regstack.secrets.env)")
		}
		if s.FromNumber == "" {
			bad("from_number", "required when sms.backend is \"twilio\"")
		}
	}
	if s.FromNumber != "" && !smsE164.MatchString(s.FromNumber) && !isSenderID(s.FromNumber) {
		bad("from_number", "%q is neither an E.164 number (+ then up to 15 digits) nor a sender ID (1 to 11 letters, digits or spaces, at least one letter)", s.FromNumber)
	}
	if hasControl(s.TwilioAccountSID) || strings.ContainsAny(s.TwilioAccountSID, " /?#") {
		bad("twilio_account_sid", "must be an account SID such as AC0123...")
	}
	if hasControl(s.TwilioAuthToken) {
		bad("twilio_auth_token", "must not contain control characters")
	}
	// Empty means Twilio's own, like the default.
	if s.TwilioBaseURL != "" {
		if err := checkTwilioBaseURL(s.TwilioBaseURL); err != nil {
			bad("twilio_base_url", "%v", err)
		}
	}
	return errs
}

// isSenderID reports whether s is an alphanumeric sender ID. The letter
// tells it apart from a mistyped number.
func isSenderID(s string) bool {
	return smsSenderID.MatchString(s) && strings.ContainsFunc(s, func(r rune) bool {
		return (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z')
	})
}

// checkTwilioBaseURL accepts an https URL, or an http one on a loopback
// address (a local fake in tests): anywhere else, plain http would carry
// the auth token and the codes in the clear.
func checkTwilioBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		if strings.Contains(s, "@") {
			// Perhaps credentials: keep the value out of the message.
			return errors.New("is not an http(s) URL")
		}
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	// A password in the URL stays out of the message.
	shown := u.Redacted()
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not contain credentials, a query or a fragment", shown)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("%q must use https (http only on a loopback address)", shown)
	}
	return nil
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
