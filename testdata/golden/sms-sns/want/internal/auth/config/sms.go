// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"fmt"
	"regexp"
	"strings"
)

// smsE164 is an E.164 phone number: a plus, a country code that does not
// start with 0, at most 15 digits in all. (sms.IsE164 is the same check;
// the sms package imports this one, so it cannot be shared from there.)
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
		if err := checkServiceURL(s.TwilioBaseURL); err != nil {
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
