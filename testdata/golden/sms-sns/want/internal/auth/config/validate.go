// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"example.com/demo/internal/auth/emailaddr"
)

// Validate reports every problem at once, joined. Messages name the key
// and never contain a secret's value.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...)))
	}

	if err := CheckJWTSecret(c.JWTSecret); err != nil {
		bad("jwt_secret", "%v", err)
	}
	if c.DatabaseURL == "" {
		bad("database_url", "not set")
	}
	if c.AppName == "" || hasControl(c.AppName) {
		bad("app_name", "must be non-empty text without control characters")
	}
	if err := checkBaseURL(c.BaseURL); err != nil {
		bad("base_url", "%v", err)
	}

	// The bounds and allowed values the key table (fields.go) gives.
	for _, f := range fields() {
		if err := f.check(&c); err != nil {
			bad(f.name, "%v", err)
		}
	}
	if c.MaxBodyBytes <= 0 {
		bad("max_body_bytes", "must be positive")
	}
	// libargon2 needs 8 KiB per lane; 1 GiB per hash is already absurd.
	if m, lo := c.PasswordHashMemoryKiB, 8*max(c.PasswordHashParallelism, 1); m < lo || m > 1<<20 {
		bad("password_hash_memory_kib", "%d is out of range %d..%d", m, lo, 1<<20)
	}

	for _, p := range []struct {
		key, value string
		optional   bool
	}{
		{"api_prefix", c.APIPrefix, false},
		{"ui_prefix", c.UIPrefix, false},
		{"static_prefix", c.StaticPrefix, false},
		{"email_link_prefix", c.EmailLinkPrefix, true},
	} {
		if err := checkPrefix(p.value, p.optional); err != nil {
			bad(p.key, "%v", err)
		}
	}
	// Every *_url_template replaces an emailed link, which is useless
	// without its token.
	for _, f := range fields() {
		if !strings.HasSuffix(f.name, "_url_template") {
			continue
		}
		if t := *f.ref(&c).(*string); t != "" && !strings.Contains(t, "{token}") {
			bad(f.name, "must contain {token}")
		}
	}

	if _, err := c.RouteRateLimits(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.TrustedProxyPrefixes(); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.validatePages()...)
	errs = append(errs, c.Email.validate()...)
	errs = append(errs, c.SMS.validate()...)
	errs = append(errs, c.SMS.validateSNS()...)
	return errors.Join(errs...)
}

func (e EmailConfig) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: email.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if e.Backend == "smtp" && e.SMTPHost == "" {
		bad("smtp_host", "required when email.backend is \"smtp\"")
	}
	if e.FromAddress == "" {
		bad("from_address", "not set")
	} else if _, err := emailaddr.Normalize(e.FromAddress); err != nil || strings.ContainsAny(e.FromAddress, "<>") {
		bad("from_address", "%q is not a plain email address", e.FromAddress)
	}
	if hasControl(e.FromName) {
		bad("from_name", "must not contain control characters")
	}
	if hasControl(e.SMTPHost) || strings.ContainsAny(e.SMTPHost, " /") {
		bad("smtp_host", "must be a host name")
	}
	if e.SMTPPort < 1 || e.SMTPPort > 65535 {
		bad("smtp_port", "%d is not a TCP port", e.SMTPPort)
	}
	if e.SMTPTimeoutSeconds < 1 {
		bad("smtp_timeout_seconds", "must be at least 1")
	}
	if e.MaxPerAddressPerHour < 0 {
		bad("max_per_address_per_hour", "%d is negative; use 0 to turn the cap off", e.MaxPerAddressPerHour)
	}
	if hasControl(e.SMTPUsername) {
		bad("smtp_username", "must not contain control characters")
	}
	if hasControl(e.SMTPPassword) {
		bad("smtp_password", "must not contain control characters")
	}
	return errs
}

func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not contain credentials, a query or a fragment", s)
	}
	if strings.HasSuffix(s, "/") {
		return fmt.Errorf("%q must not end with a slash", s)
	}
	return nil
}

func checkPrefix(p string, optional bool) error {
	switch {
	case p == "" && optional:
		return nil
	case !strings.HasPrefix(p, "/"):
		return fmt.Errorf("%q must start with /", p)
	case strings.HasSuffix(p, "/"):
		return fmt.Errorf("%q must not end with /", p)
	case strings.ContainsAny(p, "?#{} \t\r\n") || strings.Contains(p, "//"):
		return fmt.Errorf("%q is not a clean URL path", p)
	}
	return nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return true
		}
	}
	return false
}
