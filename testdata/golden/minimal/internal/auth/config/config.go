// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package config holds the settings of the account system and loads them
// from, lowest to highest precedence: built-in defaults, regstack.toml,
// regstack.secrets.env, and REGSTACK_* environment variables.
//
// Every setting is described once, in the table in keys.go; loading,
// validation messages and the documentation all follow from it.
package config

import (
	"net/mail"
	"strings"
)

// Config is the complete configuration. Field comments are in keys.go.
type Config struct {
	AppName, BaseURL, DatabaseURL, JWTSecret, JWTAlgorithm, JWTAudience                                  string
	JWTTTLSeconds, VerificationTokenTTLSeconds, PasswordResetTokenTTLSeconds, EmailChangeTokenTTLSeconds int

	RequireVerification, AllowRegistration, EnablePasswordReset, EnableAccountDeletion, RateLimitDisabled bool

	LoginLockoutThreshold, LoginLockoutWindowSeconds int

	// PurgeIntervalSeconds is how often expired rows are deleted; 0 turns
	// the background purge off.
	PurgeIntervalSeconds int

	// MongoDBDatabase is the MongoDB database used when database_url names
	// none.
	MongoDBDatabase string

	APIPrefix, UIPrefix, StaticPrefix, EmailLinkPrefix                  string
	VerifyURLTemplate, PasswordResetURLTemplate, EmailChangeURLTemplate string

	MaxBodyBytes int64

	PasswordHashMaxConcurrent, PasswordHashMaxWaitMS                     int
	PasswordHashMemoryKiB, PasswordHashTimeCost, PasswordHashParallelism int

	EnableAdminRouter bool

	// Per-route IP rate limits, "10/minute;100/hour" style; "" or "off"
	// turns one off. The table in ratelimit.go ties each to its route.
	LoginRateLimit, RegisterRateLimit, ForgotPasswordRateLimit, ResetPasswordRateLimit string
	VerifyRateLimit, ResendVerificationRateLimit, ChangePasswordRateLimit              string
	ChangeEmailRateLimit, ConfirmEmailChangeRateLimit, DeleteAccountRateLimit          string
	// TrustedProxies lists, comma-separated, the CIDRs whose
	// X-Forwarded-For is believed.
	TrustedProxies string

	Email EmailConfig
}

// EmailConfig is the [email] table: how mail leaves the application.
type EmailConfig struct {
	Backend, FromAddress, FromName, SMTPHost, SMTPUsername, SMTPPassword string
	SMTPPort, SMTPTimeoutSeconds                                         int
	SMTPStartTLS, LogBodies                                              bool
	// MaxPerAddressPerHour caps the mails sent to one address per hour;
	// 0 turns the cap off.
	MaxPerAddressPerHour int
}

// Default returns the built-in defaults. JWTSecret is empty: a deployment
// must supply one (regstack gen writes it into regstack.secrets.env).
func Default() Config {
	c := Config{
		AppName:                      "RegStack",
		BaseURL:                      "http://localhost:8000",
		DatabaseURL:                  "sqlite:///./regstack.db",
		MongoDBDatabase:              "regstack",
		JWTAlgorithm:                 "HS256",
		JWTTTLSeconds:                7200,
		VerificationTokenTTLSeconds:  86400,
		PasswordResetTokenTTLSeconds: 1800,
		EmailChangeTokenTTLSeconds:   3600,
		RequireVerification:          true,
		AllowRegistration:            true,
		EnablePasswordReset:          true,
		EnableAccountDeletion:        true,
		LoginLockoutThreshold:        5,
		LoginLockoutWindowSeconds:    900,
		PurgeIntervalSeconds:         3600,
		APIPrefix:                    "/api/auth",
		UIPrefix:                     "/account",
		StaticPrefix:                 "/regstack-static",
		MaxBodyBytes:                 64 << 10,
		PasswordHashMaxConcurrent:    4,
		PasswordHashMaxWaitMS:        2000,
		PasswordHashMemoryKiB:        64 << 10,
		PasswordHashTimeCost:         3,
		PasswordHashParallelism:      4,
		EnableAdminRouter:            true,
		Email: EmailConfig{
			Backend:            "console",
			FromAddress:        "noreply@example.com",
			SMTPPort:           587,
			SMTPTimeoutSeconds: 10,
			SMTPStartTLS:       true,
			// Enough for a user who asks again a few times, too few to
			// make the application flood someone else's inbox.
			MaxPerAddressPerHour: 5,
		},
	}
	for _, k := range rateLimitKeys() {
		*k.ref(&c) = k.def
	}
	return c
}

// FromHeader is the From header of outgoing mail: "FromName <from_address>",
// with FromName defaulting to AppName. A name with characters that need it
// is quoted or RFC 2047 encoded, so the result always parses as an address.
func (c Config) FromHeader() string {
	name := c.Email.FromName
	if name == "" {
		name = c.AppName
	}
	if name == "" {
		return c.Email.FromAddress
	}
	if isPhrase(name) {
		return name + " <" + c.Email.FromAddress + ">"
	}
	return (&mail.Address{Name: name, Address: c.Email.FromAddress}).String()
}

// isPhrase reports whether name can stand unquoted before <address>:
// RFC 5322 atoms separated by single spaces.
func isPhrase(name string) bool {
	for _, word := range strings.Split(name, " ") {
		if word == "" {
			return false
		}
		for _, r := range word {
			if !isAtext(r) {
				return false
			}
		}
	}
	return true
}

func isAtext(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune("!#$%&'*+-/=?^_`{|}~", r)
}
