// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"errors"
	"strings"
	"testing"
)

const sesTestSecret = "ses-secret-9c2e4a6b8d0f1e3a5c7b9d1f"

// sesEmail is a complete SES configuration with explicit keys.
func sesEmail() EmailConfig {
	e := Default().Email
	e.Backend = "ses"
	e.SESRegion = "eu-west-1"
	e.SESAccessKeyID = "AKIAREGSTACKTEST0001"
	e.SESSecretAccessKey = sesTestSecret
	e.SESConfigurationSet = "regstack-transactional"
	return e
}

func TestSESValid(t *testing.T) {
	if errs := Default().Email.validateSES(); len(errs) > 0 {
		t.Errorf("defaults: %v", errors.Join(errs...))
	}
	for name, mutate := range map[string]func(*EmailConfig){
		"explicit keys":        func(e *EmailConfig) {},
		"standard chain":       func(e *EmailConfig) { e.SESAccessKeyID, e.SESSecretAccessKey, e.SESRegion = "", "", "" },
		"named profile":        func(e *EmailConfig) { e.SESAccessKeyID, e.SESSecretAccessKey, e.SESProfile = "", "", "mailer" },
		"endpoint https":       func(e *EmailConfig) { e.SESEndpoint = "https://email.eu-west-1.amazonaws.com" },
		"emulator on loopback": func(e *EmailConfig) { e.SESEndpoint = "http://127.0.0.1:5005" },
		"emulator localhost":   func(e *EmailConfig) { e.SESEndpoint = "http://localhost:5005/" },
		"emulator on ::1":      func(e *EmailConfig) { e.SESEndpoint = "http://[::1]:5005" },
	} {
		e := sesEmail()
		mutate(&e)
		if errs := e.validateSES(); len(errs) > 0 {
			t.Errorf("%s: %v", name, errors.Join(errs...))
		}
	}
}

func TestSESValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*EmailConfig)
		want   string
	}{
		{"key ID without secret", func(e *EmailConfig) { e.SESSecretAccessKey = "" },
			"config: email.ses_secret_access_key: required with email.ses_access_key_id (put it in regstack.secrets.env)"},
		{"secret without key ID", func(e *EmailConfig) { e.SESAccessKeyID = "" },
			"config: email.ses_access_key_id: required with email.ses_secret_access_key"},
		{"keys and a profile", func(e *EmailConfig) { e.SESProfile = "mailer" },
			"config: email.ses_profile: set either ses_profile or ses_access_key_id, not both"},
		{"key ID with a space", func(e *EmailConfig) { e.SESAccessKeyID = "AKIA REGSTACK" },
			"config: email.ses_access_key_id: must be an access key ID"},
		{"profile with brackets", func(e *EmailConfig) { e.SESAccessKeyID, e.SESSecretAccessKey, e.SESProfile = "", "", "[mailer]" },
			`config: email.ses_profile: "[mailer]" is not a profile name`},
		{"region upper case", func(e *EmailConfig) { e.SESRegion = "EU-WEST-1" },
			`config: email.ses_region: "EU-WEST-1" is not an AWS region such as eu-west-1`},
		{"region with a dot", func(e *EmailConfig) { e.SESRegion = "eu-west-1.evil.example" },
			`config: email.ses_region: "eu-west-1.evil.example" is not an AWS region`},
		{"configuration set with a slash", func(e *EmailConfig) { e.SESConfigurationSet = "a/b" },
			`config: email.ses_configuration_set: "a/b" is not a configuration set name`},
		{"endpoint plain http", func(e *EmailConfig) { e.SESEndpoint = "http://email.eu-west-1.amazonaws.com" },
			`config: email.ses_endpoint: "http://email.eu-west-1.amazonaws.com" must use https (http only on a loopback address)`},
		{"endpoint not a URL", func(e *EmailConfig) { e.SESEndpoint = "email.eu-west-1.amazonaws.com" },
			`config: email.ses_endpoint: "email.eu-west-1.amazonaws.com" is not an http(s) URL`},
		{"endpoint with a query", func(e *EmailConfig) { e.SESEndpoint = "https://ses.example/?x=1" },
			`config: email.ses_endpoint: "https://ses.example/?x=1" must not contain credentials, a query or a fragment`},
	} {
		e := sesEmail()
		tc.mutate(&e)
		err := errors.Join(e.validateSES()...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

// Messages name the key and never the secret's value, wherever it was
// mistakenly put.
func TestSESValidationHidesTheSecret(t *testing.T) {
	e := sesEmail()
	e.SESSecretAccessKey = sesTestSecret + "\x7f"
	e.SESEndpoint = "https://AKIA:" + sesTestSecret + "@ses.example"
	err := errors.Join(e.validateSES()...)
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), sesTestSecret) {
		t.Errorf("error %q holds the secret", err)
	}
}

// Config.Validate runs the SES checks, and ses is a backend of this host.
func TestSESInConfigValidate(t *testing.T) {
	c := valid()
	c.Email = sesEmail()
	if err := c.Validate(); err != nil {
		t.Fatalf("SES configuration: %v", err)
	}
	c.Email.SESSecretAccessKey = ""
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "email.ses_secret_access_key") {
		t.Errorf("half a key pair: %v", err)
	}
}
