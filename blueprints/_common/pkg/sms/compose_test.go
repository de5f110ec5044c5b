// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package sms_test

import (
	"strings"
	"testing"
	"time"

	"regstack.example/app/internal/auth/sms"
)

// The kinds are the store's names for the codes.
func TestKindNames(t *testing.T) {
	if sms.KindLoginMFA != "login_mfa" || sms.KindPhoneSetup != "phone_setup" {
		t.Errorf("kinds %q, %q; want login_mfa, phone_setup", sms.KindLoginMFA, sms.KindPhoneSetup)
	}
}

func TestCompose(t *testing.T) {
	d := sms.Data{AppName: "Acme", Code: "482913", TTL: 10 * time.Minute, Host: "example.com"}
	for kind, first := range map[string]string{
		sms.KindLoginMFA:   "Acme sign-in code: 482913. Expires in 10 minutes. If you didn't try to sign in, ignore this message.",
		sms.KindPhoneSetup: "Acme verification code: 482913. It expires in 10 minutes.",
	} {
		body, err := sms.Compose(kind, d)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		// The text, a blank line, then the origin-bound line, last.
		lines := strings.Split(body, "\n")
		if len(lines) != 3 || lines[0] != first || lines[1] != "" || lines[2] != "@example.com #482913" {
			t.Errorf("%s: body %q, want %q, a blank line and the origin-bound line", kind, body, first)
		}
	}
}

func TestComposeCoversEveryKind(t *testing.T) {
	for _, kind := range sms.Kinds() {
		body, err := sms.Compose(kind, sms.Data{AppName: "Acme", Code: "0042", TTL: time.Hour, Host: "example.com"})
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if !strings.Contains(body, "0042") || !strings.HasSuffix(body, "\n\n@example.com #0042") {
			t.Errorf("%s: body %q", kind, body)
		}
	}
}

func TestComposeTTLMinutes(t *testing.T) {
	for ttl, want := range map[time.Duration]string{
		5 * time.Minute:  "Expires in 5 minutes.",
		90 * time.Second: "Expires in 1 minutes.",
		30 * time.Second: "Expires in 1 minutes.",
		0:                "Expires in 1 minutes.",
		time.Hour:        "Expires in 60 minutes.",
	} {
		body, err := sms.Compose(sms.KindLoginMFA, sms.Data{AppName: "Acme", Code: "123456", TTL: ttl, Host: "example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, want) {
			t.Errorf("TTL %v: body %q, want %q", ttl, body, want)
		}
	}
}

func TestComposeRefuses(t *testing.T) {
	good := sms.Data{AppName: "Acme", Code: "123456", TTL: time.Minute, Host: "example.com"}
	for name, c := range map[string]struct {
		kind   string
		change func(*sms.Data)
	}{
		"unknown kind":     {"welcome", func(*sms.Data) {}},
		"no code":          {sms.KindLoginMFA, func(d *sms.Data) { d.Code = "" }},
		"code with space":  {sms.KindLoginMFA, func(d *sms.Data) { d.Code = "12 34" }},
		"no host":          {sms.KindPhoneSetup, func(d *sms.Data) { d.Host = "" }},
		"host with a path": {sms.KindPhoneSetup, func(d *sms.Data) { d.Host = "example.com/x" }},
		"host with space":  {sms.KindPhoneSetup, func(d *sms.Data) { d.Host = "example.com #1" }},
	} {
		d := good
		c.change(&d)
		if body, err := sms.Compose(c.kind, d); err == nil {
			t.Errorf("%s: composed %q", name, body)
		}
	}
}

func TestHostOf(t *testing.T) {
	for in, want := range map[string]string{
		"https://Example.COM":          "example.com",
		"https://app.example.com:8443": "app.example.com",
		"http://localhost:8000":        "localhost",
		"http://127.0.0.1:8000":        "127.0.0.1",
		"https://bücher.example":       "xn--bcher-kva.example",
		"not a url":                    "",
	} {
		if got := sms.HostOf(in); got != want {
			t.Errorf("HostOf(%q) = %q, want %q", in, got, want)
		}
	}
}
