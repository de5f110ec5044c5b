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
	switch c.JWTAlgorithm {
	case "HS256", "HS384", "HS512":
	default:
		bad("jwt_algorithm", "%q is not one of HS256, HS384, HS512", c.JWTAlgorithm)
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

	inRange := func(key string, v, lo, hi int) {
		if v < lo || v > hi {
			bad(key, "%d is out of range %d..%d", v, lo, hi)
		}
	}
	atLeast := func(key string, v, lo int) {
		if v < lo {
			bad(key, "%d is below the minimum %d", v, lo)
		}
	}
	inRange("jwt_ttl_seconds", c.JWTTTLSeconds, 60, 2_592_000)
	atLeast("verification_token_ttl_seconds", c.VerificationTokenTTLSeconds, 60)
	atLeast("password_reset_token_ttl_seconds", c.PasswordResetTokenTTLSeconds, 60)
	atLeast("email_change_token_ttl_seconds", c.EmailChangeTokenTTLSeconds, 60)
	atLeast("login_lockout_threshold", c.LoginLockoutThreshold, 1)
	atLeast("login_lockout_window_seconds", c.LoginLockoutWindowSeconds, 10)
	// A purge every few seconds would only load the database; one less
	// often than weekly lets the tables grow for too long.
	if p := c.PurgeIntervalSeconds; p != 0 && (p < 60 || p > 604_800) {
		bad("purge_interval_seconds", "%d is out of range: 0 (off) or 60..604800", p)
	}
	if c.MaxBodyBytes <= 0 {
		bad("max_body_bytes", "must be positive")
	}
	atLeast("password_hash_max_concurrent", c.PasswordHashMaxConcurrent, 1)
	atLeast("password_hash_max_wait_ms", c.PasswordHashMaxWaitMS, 0)
	inRange("password_hash_time_cost", c.PasswordHashTimeCost, 1, 100)
	inRange("password_hash_parallelism", c.PasswordHashParallelism, 1, 255)
	// libargon2 needs 8 KiB per lane; 1 GiB per hash is already absurd.
	inRange("password_hash_memory_kib", c.PasswordHashMemoryKiB, 8*max(c.PasswordHashParallelism, 1), 1<<20)

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
	for _, t := range []struct{ key, value string }{
		{"verify_url_template", c.VerifyURLTemplate},
		{"password_reset_url_template", c.PasswordResetURLTemplate},
		{"email_change_url_template", c.EmailChangeURLTemplate},
	} {
		if t.value != "" && !strings.Contains(t.value, "{token}") {
			bad(t.key, "must contain {token}")
		}
	}

	if _, err := c.RouteRateLimits(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.TrustedProxyPrefixes(); err != nil {
		errs = append(errs, err)
	}

	errs = append(errs, c.Email.validate()...)
	return errors.Join(errs...)
}

func (e EmailConfig) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: email.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	switch e.Backend {
	case "console":
	case "smtp":
		if e.SMTPHost == "" {
			bad("smtp_host", "required when email.backend is \"smtp\"")
		}
	default:
		bad("backend", "%q is not one of console, smtp", e.Backend)
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
