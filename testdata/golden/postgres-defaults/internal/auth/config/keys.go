// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Key describes one setting. Keys returns them in documentation order.
type Key struct {
	// Name is the TOML key; "email.smtp_host" is smtp_host in [email].
	Name string
	// Env is the environment variable (and secrets-file) name.
	Env string
	// Type is "string", "int" or "bool".
	Type string
	// Default is the default as it would be written in regstack.toml.
	Default string
	// Secret keys belong in regstack.secrets.env; their values never appear
	// in error messages.
	Secret bool
	// Doc says what the setting does.
	Doc string
}

// field ties a Key to the Config field that stores it.
type field struct {
	name   string
	secret bool
	// list marks a comma-separated string setting that regstack.toml may
	// also give as an array of strings.
	list bool
	doc  string
	// ref returns a pointer to the field: *string, *int, *int64 or *bool.
	ref func(*Config) any
}

// fields is the one table of settings. It is a function rather than a
// package variable so that nothing at package level can be modified.
func fields() []field {
	fs := []field{
		{name: "app_name", doc: "Product name used in email subjects and bodies, and as the default sender name.",
			ref: func(c *Config) any { return &c.AppName }},
		{name: "base_url", doc: "Public http(s) URL of the application, without a trailing slash; emailed links start with it.",
			ref: func(c *Config) any { return &c.BaseURL }},
		{name: "database_url", secret: true, doc: "Database connection URL: `sqlite:///./relative.db`, `sqlite:////absolute.db` or `file:` paths (the Python spellings `sqlite+aiosqlite:///` are accepted too).",
			ref: func(c *Config) any { return &c.DatabaseURL }},
		{name: "mongodb_database", doc: "MongoDB database name, used when a `mongodb://` database_url has no path (`mongodb://host/name` wins). Ignored by the other backends.",
			ref: func(c *Config) any { return &c.MongoDBDatabase }},
		{name: "jwt_secret", secret: true, doc: "Master key for token signatures: at least 32 bytes and random (a repeated character or pattern, a phrase or too few different characters are refused). Required. Only in regstack.secrets.env or the environment: regstack.toml refuses it. `regstack gen` writes a random one into regstack.secrets.env.",
			ref: func(c *Config) any { return &c.JWTSecret }},
		{name: "jwt_algorithm", doc: "Token signature algorithm: HS256, HS384 or HS512.",
			ref: func(c *Config) any { return &c.JWTAlgorithm }},
		{name: "jwt_audience", doc: "If set, tokens carry this `aud` claim and tokens without it are refused; if empty, tokens carrying any `aud` are refused.",
			ref: func(c *Config) any { return &c.JWTAudience }},
		{name: "jwt_ttl_seconds", doc: "Lifetime of a session (login) token, 60..2592000.",
			ref: func(c *Config) any { return &c.JWTTTLSeconds }},
		{name: "verification_token_ttl_seconds", doc: "Lifetime of an email verification link, at least 60.",
			ref: func(c *Config) any { return &c.VerificationTokenTTLSeconds }},
		{name: "password_reset_token_ttl_seconds", doc: "Lifetime of a password reset link, at least 60.",
			ref: func(c *Config) any { return &c.PasswordResetTokenTTLSeconds }},
		{name: "email_change_token_ttl_seconds", doc: "Lifetime of an email change confirmation link, at least 60.",
			ref: func(c *Config) any { return &c.EmailChangeTokenTTLSeconds }},
		{name: "require_verification", doc: "New accounts must confirm their email address before they can sign in.",
			ref: func(c *Config) any { return &c.RequireVerification }},
		{name: "allow_registration", doc: "Whether POST /register accepts new accounts (403 when false).",
			ref: func(c *Config) any { return &c.AllowRegistration }},
		{name: "enable_password_reset", doc: "Whether the forgot/reset password routes answer (404 when false).",
			ref: func(c *Config) any { return &c.EnablePasswordReset }},
		{name: "enable_account_deletion", doc: "Whether DELETE /account answers (404 when false).",
			ref: func(c *Config) any { return &c.EnableAccountDeletion }},
		{name: "rate_limit_disabled", doc: "Turns the login lockout and every per-route IP rate limit off. Only for tests and benchmarks.",
			ref: func(c *Config) any { return &c.RateLimitDisabled }},
		{name: "login_lockout_threshold", doc: "Failed logins for one email within the window that lock it (429), at least 1.",
			ref: func(c *Config) any { return &c.LoginLockoutThreshold }},
		{name: "login_lockout_window_seconds", doc: "Length of the login lockout window, at least 10.",
			ref: func(c *Config) any { return &c.LoginLockoutWindowSeconds }},
		{name: "purge_interval_seconds", doc: "How often expired pending registrations, account tokens, revoked-token rows and old attempt counts are deleted (each run waits the interval ±10 %); 0 turns the background purge off. 0 or 60..604800.",
			ref: func(c *Config) any { return &c.PurgeIntervalSeconds }},
		{name: "api_prefix", doc: "Path under which the JSON API is served. Starts with `/`, no trailing slash.",
			ref: func(c *Config) any { return &c.APIPrefix }},
		{name: "ui_prefix", doc: "Path under which the account pages are served. Starts with `/`, no trailing slash.",
			ref: func(c *Config) any { return &c.UIPrefix }},
		{name: "static_prefix", doc: "Path under which static assets are served. Starts with `/`, no trailing slash.",
			ref: func(c *Config) any { return &c.StaticPrefix }},
		{name: "email_link_prefix", doc: "Path between base_url and /verify, /reset, /confirm-email-change in emailed links. Empty, or starts with `/` without a trailing slash.",
			ref: func(c *Config) any { return &c.EmailLinkPrefix }},
		{name: "verify_url_template", doc: "Overrides the verification link; `{base_url}` and `{token}` are replaced. Must contain `{token}`.",
			ref: func(c *Config) any { return &c.VerifyURLTemplate }},
		{name: "password_reset_url_template", doc: "Overrides the password reset link; `{base_url}` and `{token}` are replaced. Must contain `{token}`.",
			ref: func(c *Config) any { return &c.PasswordResetURLTemplate }},
		{name: "email_change_url_template", doc: "Overrides the email change confirmation link; `{base_url}` and `{token}` are replaced. Must contain `{token}`.",
			ref: func(c *Config) any { return &c.EmailChangeURLTemplate }},
		{name: "max_body_bytes", doc: "Largest accepted request body in bytes; larger ones get 413.",
			ref: func(c *Config) any { return &c.MaxBodyBytes }},
		{name: "password_hash_max_concurrent", doc: "Password hashes computed at the same time; each takes password_hash_memory_kib of memory.",
			ref: func(c *Config) any { return &c.PasswordHashMaxConcurrent }},
		{name: "password_hash_max_wait_ms", doc: "How long a request waits for a hashing slot before it gets 503 with Retry-After.",
			ref: func(c *Config) any { return &c.PasswordHashMaxWaitMS }},
		{name: "password_hash_memory_kib", doc: "Argon2id memory cost of new hashes in KiB (existing hashes keep theirs).",
			ref: func(c *Config) any { return &c.PasswordHashMemoryKiB }},
		{name: "password_hash_time_cost", doc: "Argon2id passes of new hashes, 1..100.",
			ref: func(c *Config) any { return &c.PasswordHashTimeCost }},
		{name: "password_hash_parallelism", doc: "Argon2id lanes of new hashes, 1..255.",
			ref: func(c *Config) any { return &c.PasswordHashParallelism }},
		{name: "enable_admin_router", doc: "Whether the admin API (/admin/...) is served, when it was generated.",
			ref: func(c *Config) any { return &c.EnableAdminRouter }},
		{name: "trusted_proxies", list: true, doc: "Reverse proxies whose X-Forwarded-For header is believed when finding a client's address for the rate limits: CIDRs or addresses, comma-separated (in regstack.toml also an array of strings); empty believes no one.",
			ref: func(c *Config) any { return &c.TrustedProxies }},
		{name: "email.backend", doc: "`console` logs mail instead of sending it; `smtp` sends it.",
			ref: func(c *Config) any { return &c.Email.Backend }},
		{name: "email.from_address", doc: "Sender address of outgoing mail.",
			ref: func(c *Config) any { return &c.Email.FromAddress }},
		{name: "email.from_name", doc: "Sender name of outgoing mail; empty means app_name.",
			ref: func(c *Config) any { return &c.Email.FromName }},
		{name: "email.smtp_host", doc: "SMTP server host name; required when backend is `smtp`.",
			ref: func(c *Config) any { return &c.Email.SMTPHost }},
		{name: "email.smtp_port", doc: "SMTP server port.",
			ref: func(c *Config) any { return &c.Email.SMTPPort }},
		{name: "email.smtp_starttls", doc: "Upgrade the SMTP connection with STARTTLS; sending fails if the server does not offer it.",
			ref: func(c *Config) any { return &c.Email.SMTPStartTLS }},
		{name: "email.smtp_username", doc: "SMTP user name; when set, the client authenticates with AUTH PLAIN.",
			ref: func(c *Config) any { return &c.Email.SMTPUsername }},
		{name: "email.smtp_password", secret: true, doc: "SMTP password.",
			ref: func(c *Config) any { return &c.Email.SMTPPassword }},
		{name: "email.smtp_timeout_seconds", doc: "Timeout for connecting to and talking with the SMTP server.",
			ref: func(c *Config) any { return &c.Email.SMTPTimeoutSeconds }},
		{name: "email.log_bodies", doc: "With the console backend, also log the text body (it contains live tokens: development only).",
			ref: func(c *Config) any { return &c.Email.LogBodies }},
		{name: "email.max_per_address_per_hour", doc: "Most emails sent to one address within an hour (verification, reset, email change, lockout notice), whoever asks; further ones are dropped silently. 0 turns the cap off.",
			ref: func(c *Config) any { return &c.Email.MaxPerAddressPerHour }},
	}
	// The per-route rate limits come from their own table (ratelimit.go),
	// placed before the [email] keys.
	var limits []field
	for _, k := range rateLimitKeys() {
		ref := k.ref
		limits = append(limits, field{name: k.name,
			doc: fmt.Sprintf("Requests per client address to %s, e.g. `\"10/minute;100/hour\"`; `\"off\"` or empty turns it off.", k.route),
			ref: func(c *Config) any { return ref(c) }})
	}
	at := 0
	for at < len(fs) && !strings.HasPrefix(fs[at].name, "email.") {
		at++
	}
	return slices.Concat(fs[:at], limits, fs[at:])
}

// Keys describes every setting, in documentation order.
func Keys() []Key {
	def := Default()
	keys := make([]Key, 0, len(fields()))
	for _, f := range fields() {
		typ, value := describe(f.ref(&def))
		keys = append(keys, Key{Name: f.name, Env: f.env(), Type: typ, Default: value, Secret: f.secret, Doc: f.doc})
	}
	return keys
}

// env is the variable name: REGSTACK_<KEY>, or REGSTACK_<TABLE>__<KEY>.
func (f field) env() string {
	return "REGSTACK_" + strings.ToUpper(strings.ReplaceAll(f.name, ".", "__"))
}

func describe(ref any) (typ, value string) {
	switch p := ref.(type) {
	case *string:
		return "string", strconv.Quote(*p)
	case *int:
		return "int", strconv.Itoa(*p)
	case *int64:
		return "int", strconv.FormatInt(*p, 10)
	case *bool:
		return "bool", strconv.FormatBool(*p)
	}
	panic(fmt.Sprintf("config: field of unsupported type %T", ref))
}

// set parses text into the field. source names where the text came from
// (an environment variable or a file and key) for the error message; the
// value itself is only quoted for non-secret keys.
func (f field) set(c *Config, text, source string) error {
	switch p := f.ref(c).(type) {
	case *string:
		*p = text
	case *int:
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("%s: %s is not an integer", source, f.show(text))
		}
		*p = n
	case *int64:
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %s is not an integer", source, f.show(text))
		}
		*p = n
	case *bool:
		b, ok := parseBool(text)
		if !ok {
			return fmt.Errorf("%s: %s is not a boolean (use true/false, yes/no, on/off or 1/0)", source, f.show(text))
		}
		*p = b
	}
	return nil
}

// show quotes a value for an error message, unless it is a secret.
func (f field) show(text string) string {
	if f.secret {
		return "the value"
	}
	return strconv.Quote(text)
}

func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on":
		return true, true
	case "false", "0", "no", "off":
		return false, true
	}
	return false, false
}

// lookupName finds a field by TOML name.
func lookupName(name string) (field, bool) {
	for _, f := range fields() {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

// lookupEnv finds a field by environment name, case-insensitively.
func lookupEnv(name string) (field, bool) {
	for _, f := range fields() {
		if strings.EqualFold(f.env(), name) {
			return f, true
		}
	}
	return field{}, false
}
