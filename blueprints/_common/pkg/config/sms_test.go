// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"errors"
	"strings"
	"testing"
)

// twilioSMS is a complete Twilio configuration.
func twilioSMS() SMSConfig {
	s := Default().SMS
	s.Backend = "twilio"
	s.TwilioAccountSID = "AC00000000000000000000000000000001"
	s.TwilioAuthToken = "tok-3f9a1c7e5b2d4a6c8e0f1a3b5c7d9e1f"
	s.FromNumber = "+15005550006"
	return s
}

func TestSMSValidDefaults(t *testing.T) {
	if errs := Default().SMS.validate(); len(errs) > 0 {
		t.Errorf("defaults: %v", errors.Join(errs...))
	}
	if errs := twilioSMS().validate(); len(errs) > 0 {
		t.Errorf("twilio: %v", errors.Join(errs...))
	}
	for name, mutate := range map[string]func(*SMSConfig){
		"sender id":           func(s *SMSConfig) { s.FromNumber = "Acme Shop" },
		"short sender id":     func(s *SMSConfig) { s.FromNumber = "A" },
		"twilio on loopback":  func(s *SMSConfig) { s.TwilioBaseURL = "http://127.0.0.1:4010" },
		"twilio on localhost": func(s *SMSConfig) { s.TwilioBaseURL = "http://localhost:4010/" },
		"twilio on ::1":       func(s *SMSConfig) { s.TwilioBaseURL = "http://[::1]:4010" },
		"twilio's own":        func(s *SMSConfig) { s.TwilioBaseURL = "" },
		"console, no number":  func(s *SMSConfig) { s.Backend, s.FromNumber = "console", "" },
	} {
		s := twilioSMS()
		mutate(&s)
		if errs := s.validate(); len(errs) > 0 {
			t.Errorf("%s: %v", name, errors.Join(errs...))
		}
	}
}

func TestSMSValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*SMSConfig)
		want   string
	}{
		{"twilio without sid", func(s *SMSConfig) { s.TwilioAccountSID = "" },
			`config: sms.twilio_account_sid: required when sms.backend is "twilio"`},
		{"twilio without token", func(s *SMSConfig) { s.TwilioAuthToken = "" },
			`config: sms.twilio_auth_token: required when sms.backend is "twilio" (put it in regstack.secrets.env)`},
		{"twilio without number", func(s *SMSConfig) { s.FromNumber = "" },
			`config: sms.from_number: required when sms.backend is "twilio"`},
		{"number without plus", func(s *SMSConfig) { s.FromNumber = "15005550006" },
			`config: sms.from_number: "15005550006" is neither an E.164 number`},
		{"number from zero", func(s *SMSConfig) { s.FromNumber = "+05005550006" },
			`config: sms.from_number: "+05005550006" is neither`},
		{"number too long", func(s *SMSConfig) { s.FromNumber = "+1234567890123456" },
			`config: sms.from_number: "+1234567890123456" is neither`},
		{"sender id too long", func(s *SMSConfig) { s.FromNumber = "AcmeShopLtd1" },
			`config: sms.from_number: "AcmeShopLtd1" is neither`},
		{"sender id punctuation", func(s *SMSConfig) { s.FromNumber = "Acme-Shop" },
			`config: sms.from_number: "Acme-Shop" is neither`},
		{"sender id without letter", func(s *SMSConfig) { s.FromNumber = "12345" },
			`config: sms.from_number: "12345" is neither`},
		{"sid with a slash", func(s *SMSConfig) { s.TwilioAccountSID = "AC1/../x" },
			"config: sms.twilio_account_sid: must be an account SID"},
		{"token with a line break", func(s *SMSConfig) { s.TwilioAuthToken = "tok\n" },
			"config: sms.twilio_auth_token: must not contain control characters"},
		{"base url plain http", func(s *SMSConfig) { s.TwilioBaseURL = "http://api.twilio.com" },
			`config: sms.twilio_base_url: "http://api.twilio.com" must use https (http only on a loopback address)`},
		{"base url not a url", func(s *SMSConfig) { s.TwilioBaseURL = "api.twilio.com" },
			`config: sms.twilio_base_url: "api.twilio.com" is not an http(s) URL`},
		{"base url with credentials", func(s *SMSConfig) { s.TwilioBaseURL = "https://AC1:tok@api.twilio.com" },
			"config: sms.twilio_base_url: "},
	} {
		s := twilioSMS()
		tc.mutate(&s)
		err := errors.Join(s.validate()...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// Messages name the key and never a secret's value.
func TestSMSValidationHidesTheToken(t *testing.T) {
	s := twilioSMS()
	s.TwilioAuthToken = "secret-token\x7f"
	s.TwilioBaseURL = "https://AC1:secret-token@api.twilio.com"
	err := errors.Join(s.validate()...)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), "secret-token") {
		t.Errorf("error %q holds the auth token", err)
	}
}
