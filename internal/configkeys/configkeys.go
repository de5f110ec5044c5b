// Package configkeys is the one table of the generated account system's
// configuration keys. The host's config package (the Config struct,
// Default and the key table its loader, validation and documentation read),
// the regstack.toml written into a new host and the key tables in
// docs/configuration.md are all emitted from it, each with only the keys of
// the features that were generated.
package configkeys

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/regstack/regstack/internal/spec"
)

// Type is the Go type of a key's Config field.
type Type string

// The types a key can have.
const (
	String Type = "string"
	Int    Type = "int"
	Int64  Type = "int64"
	Bool   Type = "bool"
)

// Bounds limit an integer key. The zero value means no limit.
type Bounds struct {
	Min, Max       int64
	HasMin, HasMax bool
	// ZeroOff also allows 0, which turns the key's feature off.
	ZeroOff bool
}

// AtLeast is Min and above.
func AtLeast(lo int64) Bounds { return Bounds{Min: lo, HasMin: true} }

// Between is lo..hi, both included.
func Between(lo, hi int64) Bounds { return Bounds{Min: lo, Max: hi, HasMin: true, HasMax: true} }

// ZeroOr is 0 (off) or lo..hi.
func ZeroOr(lo, hi int64) Bounds {
	return Bounds{Min: lo, Max: hi, HasMin: true, HasMax: true, ZeroOff: true}
}

// IsZero reports whether the bounds limit nothing.
func (b Bounds) IsZero() bool { return b == Bounds{} }

// Placement says how the regstack.toml written into a new host shows a key.
type Placement int

const (
	// Commented keys appear as a comment holding the default.
	Commented Placement = iota
	// Set keys appear as a setting, with Key.FileValue or the default.
	Set
	// Omitted keys do not appear (secrets that belong in
	// regstack.secrets.env).
	Omitted
)

// Key is one configuration key.
type Key struct {
	// Name is the TOML name; "email.smtp_host" is smtp_host in [email].
	Name string
	// Field is the Config field path, "Email.SMTPHost".
	Field string
	Type  Type
	// Default is the built-in default, of Type (int64 for Int64); nil is
	// the zero value.
	Default any
	// DefaultExpr, if set, is the Go expression Default() writes for the
	// default, when it reads better than the number ("64 << 10").
	DefaultExpr string
	// Bounds limit an Int or Int64 key.
	Bounds Bounds
	// Allowed lists a String key's accepted values.
	Allowed []string
	// AllowedFor, if set, is Allowed in a generated host, when it depends
	// on the answers (sns is an SMS backend only where its sender was
	// generated); the docs show Allowed.
	AllowedFor func(*spec.Spec) []string
	// HandChecked keys are validated by hand-written code in the host's
	// validate.go (a message or a bound of their own); their Bounds only
	// document the rule and are not in the emitted table.
	HandChecked bool
	// Secret keys belong in regstack.secrets.env; their values never appear
	// in error messages.
	Secret bool
	// List marks a comma-separated string that regstack.toml may also give
	// as an array of strings.
	List bool
	// Feature is the condition (spec.Spec.Has) under which the key is
	// generated; empty means always.
	Feature string
	// Group is the concern the key belongs to (Groups).
	Group string
	// Doc says what the key does, in one or a few sentences; the bounds and
	// allowed values are added by FullDoc.
	Doc string
	// DefaultFor, if set, is the default of a generated host instead of
	// Default, when it depends on the answers (email_link_prefix opens the
	// account pages when they are generated). For applies it; the docs
	// show Default and say the rest in Doc.
	DefaultFor func(*spec.Spec) any
	// Why, if set, explains the default; it is a comment in Default().
	Why string
	// Route is the rate-limited route of a *_rate_limit key, "METHOD
	// /path" relative to api_prefix.
	Route string

	// Place, FileValue, FileDoc and FileNote shape the key in
	// regstack.toml: FileValue is the value a Set key is set to (default:
	// Default), FileDoc replaces FullDoc as its comment, FileNote is added
	// to the comment.
	Place     Placement
	FileValue func(*spec.Spec) any
	FileDoc   func(*spec.Spec) string
	FileNote  func(*spec.Spec) string
}

// Group is a concern keys are grouped under, in the Config struct, in
// regstack.toml and in the documentation.
type Group struct {
	ID string
	// Title heads the group in regstack.toml and the docs.
	Title string
	// Comment introduces the group in the Config struct.
	Comment string
}

// Table is a TOML table of the configuration ([email], [sms]): a group
// whose keys are named "<ID>.<leaf>" and form a struct of their own.
type Table struct {
	// ID is the table's name and its group's ID.
	ID string
	// Field and Type are the Config field holding the table and its struct.
	Field, Type string
	// Comment says what the table is for.
	Comment string
}

// Tables lists the TOML tables in order.
func Tables() []Table {
	return []Table{
		{"email", "Email", "EmailConfig", "How mail leaves the application"},
		{"sms", "SMS", "SMSConfig", "How SMS codes leave the application"},
		{"oauth", "OAuth", "OAuthConfig", "Sign in with Google (OpenID Connect)"},
	}
}

func isTable(group string) bool {
	for _, t := range Tables() {
		if t.ID == group {
			return true
		}
	}
	return false
}

// Groups lists the groups in order. A table's group (Tables) holds the
// keys of its struct.
func Groups() []Group {
	return []Group{
		{"app", "Application", "The application: its name, its public address and its database."},
		{"tokens", "Tokens", "Signed tokens: the signing key and how long each kind of token lasts."},
		{"flows", "Flows", "Which flows answer."},
		{"abuse", "Abuse protection", "Protection against guessing and flooding: the per-account lockout, the per-route limits per client address and the proxies believed to name that address."},
		{"paths", "Paths and links", "Where the routes are served and where emailed links point."},
		{"pages", "Account pages", "The sign-in and account pages: their brand, language, theme and session cookie."},
		{"resources", "Requests and password hashing", "What one request may cost: its body and its password hash."},
		{"maintenance", "Maintenance", "Background work."},
		{"email", "[email]", "How mail leaves the application."},
		{"sms", "[sms]", "How SMS codes leave the application."},
		{"oauth", "[oauth]", "Sign in with Google: the client registered with Google and how its accounts meet ours."},
	}
}

// Keys returns every key of every feature, in documentation order (grouped
// as Groups lists them).
func Keys() []Key {
	text := func(s string) func(*spec.Spec) string { return func(*spec.Spec) string { return s } }
	keys := []Key{
		// app
		{Name: "app_name", Field: "AppName", Type: String, Default: "RegStack", Group: "app", Place: Set,
			Doc:       "Product name used in email subjects and bodies, and as the default sender name.",
			FileValue: func(s *spec.Spec) any { return s.AppName }},
		{Name: "base_url", Field: "BaseURL", Type: String, Default: "http://localhost:8000", Group: "app", Place: Set,
			Doc:       "Public http(s) URL of the application, without a trailing slash; emailed links start with it.",
			FileValue: func(s *spec.Spec) any { return s.BaseURL }},
		{Name: "database_url", Field: "DatabaseURL", Type: String, Default: "sqlite:///./regstack.db", Secret: true, Group: "app", Place: Set,
			Doc:       "Database connection URL: `sqlite:///./relative.db`, `sqlite:////absolute.db` or `file:` paths (the Python spellings `sqlite+aiosqlite:///` are accepted too); `postgres://` for PostgreSQL, `mongodb://` for MongoDB.",
			FileValue: databaseURL, FileDoc: databaseDoc},
		{Name: "mongodb_database", Field: "MongoDBDatabase", Type: String, Default: "regstack", Group: "app", Feature: "backend:mongo",
			Doc: "MongoDB database name, used when database_url has no path (`mongodb://host/name` wins)."},

		// tokens
		{Name: "jwt_secret", Field: "JWTSecret", Type: String, Secret: true, Group: "tokens", Place: Omitted,
			Doc: "Master key for token signatures: at least 32 bytes and random (a repeated character or pattern, a phrase or too few different characters are refused). Required. Only in regstack.secrets.env or the environment: regstack.toml refuses it. `regstack gen` writes a random one into regstack.secrets.env."},
		{Name: "jwt_algorithm", Field: "JWTAlgorithm", Type: String, Default: "HS256", Allowed: []string{"HS256", "HS384", "HS512"}, Group: "tokens",
			Doc: "Token signature algorithm."},
		{Name: "jwt_audience", Field: "JWTAudience", Type: String, Group: "tokens",
			Doc: "If set, tokens carry this `aud` claim and tokens without it are refused; if empty, tokens carrying any `aud` are refused."},
		{Name: "jwt_ttl_seconds", Field: "JWTTTLSeconds", Type: Int, Default: 7200, Bounds: Between(60, 2_592_000), Group: "tokens", Place: Set,
			Doc: "Lifetime of a session (login) token in seconds."},
		{Name: "verification_token_ttl_seconds", Field: "VerificationTokenTTLSeconds", Type: Int, Default: 86400, Bounds: AtLeast(60), Group: "tokens",
			Doc: "Lifetime of an email verification link in seconds."},
		{Name: "password_reset_token_ttl_seconds", Field: "PasswordResetTokenTTLSeconds", Type: Int, Default: 1800, Bounds: AtLeast(60), Feature: "password_reset", Group: "tokens",
			Doc: "Lifetime of a password reset link in seconds."},
		{Name: "email_change_token_ttl_seconds", Field: "EmailChangeTokenTTLSeconds", Type: Int, Default: 3600, Bounds: AtLeast(60), Group: "tokens",
			Doc: "Lifetime of an email change confirmation link in seconds."},
		{Name: "mfa_pending_token_ttl_seconds", Field: "MFAPendingTokenTTLSeconds", Type: Int, Default: 600, Bounds: Between(60, 1800), Feature: "sms", Group: "tokens",
			Doc: "Lifetime in seconds of the pending token that carries a sign-in or a phone enrolment from its first step to the SMS code (`expires_in` of both answers)."},
		{Name: "sms_code_length", Field: "SMSCodeLength", Type: Int, Default: 6, Bounds: Between(4, 10), Feature: "sms", Group: "tokens",
			Doc: "Digits in an SMS code."},
		{Name: "sms_code_ttl_seconds", Field: "SMSCodeTTLSeconds", Type: Int, Default: 300, Bounds: Between(30, 1800), Feature: "sms", Group: "tokens",
			Doc: "Lifetime of an SMS code in seconds."},
		{Name: "sms_code_max_attempts", Field: "SMSCodeMaxAttempts", Type: Int, Default: 5, Bounds: Between(1, 20), Feature: "sms", Group: "tokens",
			Doc: "Checks one SMS code allows, right or wrong; then a new code must be asked for."},

		// flows
		{Name: "require_verification", Field: "RequireVerification", Type: Bool, Default: true, Group: "flows", Place: Set,
			Doc:       "New accounts must confirm their email address before they can sign in.",
			FileValue: func(s *spec.Spec) any { return s.Features.RequireVerification }},
		{Name: "allow_registration", Field: "AllowRegistration", Type: Bool, Default: true, Group: "flows", Place: Set,
			Doc: "Whether POST /register accepts new accounts (403 when false)."},
		{Name: "enable_password_reset", Field: "EnablePasswordReset", Type: Bool, Default: true, Feature: "password_reset", Group: "flows", Place: Set,
			Doc: "Whether the forgot/reset password routes answer (404 when false)."},
		{Name: "enable_account_deletion", Field: "EnableAccountDeletion", Type: Bool, Default: true, Feature: "account_deletion", Group: "flows", Place: Set,
			Doc: "Whether DELETE /account answers (404 when false)."},
		{Name: "enable_sms_2fa", Field: "EnableSMS2FA", Type: Bool, Default: true, Feature: "sms", Group: "flows", Place: Set,
			Doc: "Whether users may enrol a phone for the SMS second factor (the /phone routes; 404 when false). Users who already have it are still asked for a code when they sign in."},
		{Name: "enable_oauth", Field: "EnableOAuth", Type: Bool, Default: true, Feature: "google", Group: "flows", Place: Set,
			Doc:      "Whether Sign in with Google is offered (the /oauth routes; 404 when false). It also needs [oauth] google_client_id and google_client_secret; without them the routes answer 404 and a warning is logged at start.",
			FileNote: text("`regstack oauth setup` registers the client with you and fills in [oauth].")},
		{Name: "enable_admin_router", Field: "EnableAdminRouter", Type: Bool, Default: true, Feature: "admin", Group: "flows", Place: Set,
			Doc:      "Whether the admin API (/admin/...) is served.",
			FileNote: text("Only superusers may use it (regstack create-admin makes one).")},

		// abuse
		{Name: "rate_limit_disabled", Field: "RateLimitDisabled", Type: Bool, Group: "abuse",
			Doc: "Turns the login lockout and every per-route IP rate limit off. Only for tests and benchmarks."},
		{Name: "login_lockout_threshold", Field: "LoginLockoutThreshold", Type: Int, Default: 5, Bounds: AtLeast(1), Group: "abuse", Place: Set,
			Doc: "Failed sign-ins for one email address within the window that lock it (429) until the oldest ones age out."},
		{Name: "login_lockout_window_seconds", Field: "LoginLockoutWindowSeconds", Type: Int, Default: 900, Bounds: AtLeast(10), Group: "abuse", Place: Set,
			Doc: "Length of the login lockout window in seconds."},
		rateLimit("login_rate_limit", "LoginRateLimit", "POST /login", "60/minute;600/hour", ""),
		rateLimit("register_rate_limit", "RegisterRateLimit", "POST /register", "30/minute;300/hour", ""),
		rateLimit("verify_rate_limit", "VerifyRateLimit", "POST /verify", "60/minute;600/hour", ""),
		rateLimit("resend_verification_rate_limit", "ResendVerificationRateLimit", "POST /resend-verification", "10/minute;100/hour", ""),
		rateLimit("forgot_password_rate_limit", "ForgotPasswordRateLimit", "POST /forgot-password", "10/minute;100/hour", "password_reset"),
		rateLimit("reset_password_rate_limit", "ResetPasswordRateLimit", "POST /reset-password", "60/minute;600/hour", "password_reset"),
		rateLimit("change_password_rate_limit", "ChangePasswordRateLimit", "POST /change-password", "30/minute;300/hour", ""),
		rateLimit("change_email_rate_limit", "ChangeEmailRateLimit", "POST /change-email", "10/minute;100/hour", ""),
		rateLimit("confirm_email_change_rate_limit", "ConfirmEmailChangeRateLimit", "POST /confirm-email-change", "60/minute;600/hour", ""),
		rateLimit("delete_account_rate_limit", "DeleteAccountRateLimit", "DELETE /account", "30/minute;300/hour", "account_deletion"),
		rateLimit("login_mfa_confirm_rate_limit", "LoginMFAConfirmRateLimit", "POST /login/mfa-confirm", "30/minute;300/hour", "sms"),
		rateLimit("phone_start_rate_limit", "PhoneStartRateLimit", "POST /phone/start", "10/minute;30/hour", "sms"),
		rateLimit("phone_confirm_rate_limit", "PhoneConfirmRateLimit", "POST /phone/confirm", "30/minute;300/hour", "sms"),
		rateLimit("oauth_start_rate_limit", "OAuthStartRateLimit", "GET /oauth/{provider}/start", "30/minute;300/hour", "google"),
		rateLimit("oauth_exchange_rate_limit", "OAuthExchangeRateLimit", "POST /oauth/exchange", "30/minute;300/hour", "google"),
		rateLimit("phone_disable_rate_limit", "PhoneDisableRateLimit", "DELETE /phone", "30/minute;300/hour", "sms"),
		{Name: "trusted_proxies", Field: "TrustedProxies", Type: String, List: true, Group: "abuse", Place: Set,
			Doc:       "Reverse proxies whose X-Forwarded-For header is believed when finding a client's address for the rate limits: CIDRs or addresses, comma-separated (in regstack.toml also an array of strings); empty believes no one.",
			FileNote:  text(`Behind a reverse proxy, list its addresses, e.g. ["10.0.0.0/8"]; otherwise every client shares the proxy's counters.`),
			FileValue: func(*spec.Spec) any { return []string{} }},

		// paths
		{Name: "api_prefix", Field: "APIPrefix", Type: String, Default: "/api/auth", Group: "paths", Place: Set,
			Doc: "Path under which the JSON API is served. Starts with `/`, no trailing slash."},
		{Name: "ui_prefix", Field: "UIPrefix", Type: String, Default: "/account", Feature: "pages|google", Group: "paths",
			Doc: "Path of the sign-in pages ({ui_prefix}/login, …). Starts with `/`, no trailing slash."},
		{Name: "static_prefix", Field: "StaticPrefix", Type: String, Default: "/regstack-static", Feature: "pages", Group: "paths",
			Doc: "Path under which the pages' stylesheets are served. Starts with `/`, no trailing slash."},
		{Name: "email_link_prefix", Field: "EmailLinkPrefix", Type: String, Group: "paths",
			Doc: "Path between base_url and the page path (such as /verify) in emailed links. Empty, or starts with `/` without a trailing slash.",
			DefaultFor: func(s *spec.Spec) any {
				if s.Features.Pages {
					return "/account"
				}
				return nil
			}},
		{Name: "verify_url_template", Field: "VerifyURLTemplate", Type: String, Group: "paths",
			Doc: "Overrides the verification link; `{base_url}` and `{token}` are replaced. Must contain `{token}`."},
		{Name: "password_reset_url_template", Field: "PasswordResetURLTemplate", Type: String, Feature: "password_reset", Group: "paths",
			Doc: "Overrides the password reset link; `{base_url}` and `{token}` are replaced. Must contain `{token}`."},
		{Name: "email_change_url_template", Field: "EmailChangeURLTemplate", Type: String, Group: "paths",
			Doc: "Overrides the email change confirmation link; `{base_url}` and `{token}` are replaced. Must contain `{token}`."},

		// pages
		{Name: "brand_logo_url", Field: "BrandLogoURL", Type: String, Feature: "pages", Group: "pages",
			Doc: "Logo shown beside app_name in the pages' header: a path on this site (`/static/logo.svg`); empty shows the name alone. The pages' Content-Security-Policy only loads images from this origin."},
		{Name: "brand_tagline", Field: "BrandTagline", Type: String, Feature: "pages", Group: "pages",
			Doc: "Short line shown under app_name in the pages' header; empty shows none."},
		{Name: "ui_lang", Field: "UILang", Type: String, Default: "en", Feature: "pages", Group: "pages",
			Doc: "Language of the pages, the `<html lang>` attribute: a BCP 47 tag such as `en` or `pt-BR`."},
		{Name: "theme_css_url", Field: "ThemeCSSURL", Type: String, Feature: "pages", Group: "pages",
			Doc: "A stylesheet of your own, linked after the theme so its rules win: a path on this site or an https URL (its origin is then added to the pages' style-src). Empty links none."},
		{Name: "session_cookie_name", Field: "SessionCookieName", Type: String, Default: "regstack_session", Feature: "pages", Group: "pages",
			Doc: "Name of the pages' session cookie (HttpOnly, Secure, SameSite=Lax, Path=/). With an https base_url it gets the `__Host-` prefix, which browsers bind to this exact host. The JSON API never reads it."},

		// resources
		{Name: "max_body_bytes", Field: "MaxBodyBytes", Type: Int64, Default: int64(64 << 10), DefaultExpr: "64 << 10", Bounds: AtLeast(1), HandChecked: true, Group: "resources",
			Doc: "Largest accepted request body in bytes; larger ones get 413."},
		{Name: "password_hash_max_concurrent", Field: "PasswordHashMaxConcurrent", Type: Int, Default: 4, Bounds: AtLeast(1), Group: "resources",
			Doc: "Password hashes computed at the same time; each takes password_hash_memory_kib of memory."},
		{Name: "password_hash_max_queue", Field: "PasswordHashMaxQueue", Type: Int, Default: 8, Bounds: AtLeast(0), Group: "resources",
			Doc: "Requests that may wait for a hashing slot while every slot is busy; one more gets 503 with Retry-After at once. A queue longer than the slots adds no throughput under a flood, only waiting for each admitted sign-in.",
			Why: "Two waiters per default slot: under a flood the slots never idle and an admitted sign-in waits at most about two hashes (BenchmarkLoginFlood), while the bursts of an ordinary busy hour still wait instead of being turned away (bench/soak shed one sign-in in ten minutes with one waiter per slot)."},
		{Name: "password_hash_max_wait_ms", Field: "PasswordHashMaxWaitMS", Type: Int, Default: 2000, Bounds: AtLeast(0), Group: "resources",
			Doc: "How long a request waits for a hashing slot before it gets 503 with Retry-After; 0 answers 503 at once when every slot is busy hashing (a slot finishing the collection after its hash is free within that collection's time, and the request waits for it). A request whose expected wait (the queue ahead of it times the measured hash time) is longer gets its 503 at once."},
		{Name: "password_hash_memory_kib", Field: "PasswordHashMemoryKiB", Type: Int, Default: 64 << 10, DefaultExpr: "64 << 10", HandChecked: true, Group: "resources",
			Doc: "Argon2id memory cost of new hashes in KiB (existing hashes keep theirs), from 8 × password_hash_parallelism up to 1048576 (1 GiB)."},
		{Name: "password_hash_time_cost", Field: "PasswordHashTimeCost", Type: Int, Default: 3, Bounds: Between(1, 100), Group: "resources",
			Doc: "Argon2id passes of new hashes."},
		{Name: "password_hash_parallelism", Field: "PasswordHashParallelism", Type: Int, Default: 4, Bounds: Between(1, 255), Group: "resources",
			Doc: "Argon2id lanes of new hashes."},

		// maintenance
		{Name: "purge_interval_seconds", Field: "PurgeIntervalSeconds", Type: Int, Default: 3600, Bounds: ZeroOr(60, 604_800), Group: "maintenance",
			Doc: "How often, in seconds, expired pending registrations, account tokens, revoked-token rows and old attempt counts are deleted (each run waits the interval ±10 %); 0 turns the background purge off.",
			Why: "A purge every few seconds would only load the database; one less often than weekly lets the tables grow for too long."},

		// email
		{Name: "email.backend", Field: "Email.Backend", Type: String, Default: "console", Allowed: []string{"console", "smtp", "ses"}, Group: "email", Place: Set,
			AllowedFor: emailBackends,
			Doc:        "`console` logs mail instead of sending it; each other value sends it through that service (docs/email.md).",
			FileValue:  func(s *spec.Spec) any { return s.Features.EmailBackend },
			FileNote:   emailBackendNote},
		{Name: "email.from_address", Field: "Email.FromAddress", Type: String, Default: "noreply@example.com", Group: "email", Place: Set,
			Doc: "Sender address of outgoing mail."},
		{Name: "email.from_name", Field: "Email.FromName", Type: String, Group: "email",
			Doc: "Sender name of outgoing mail; empty means app_name."},
		{Name: "email.smtp_host", Field: "Email.SMTPHost", Type: String, Group: "email",
			Doc: "SMTP server host name; required when backend is `smtp`."},
		{Name: "email.smtp_port", Field: "Email.SMTPPort", Type: Int, Default: 587, Bounds: Between(1, 65535), HandChecked: true, Group: "email",
			Doc: "SMTP server port."},
		{Name: "email.smtp_starttls", Field: "Email.SMTPStartTLS", Type: Bool, Default: true, Group: "email",
			Doc: "Upgrade the SMTP connection with STARTTLS; sending fails if the server does not offer it."},
		{Name: "email.smtp_username", Field: "Email.SMTPUsername", Type: String, Group: "email",
			Doc: "SMTP user name; when set, the client authenticates with AUTH PLAIN."},
		{Name: "email.smtp_password", Field: "Email.SMTPPassword", Type: String, Secret: true, Group: "email", Place: Omitted,
			Doc: "SMTP password."},
		{Name: "email.smtp_timeout_seconds", Field: "Email.SMTPTimeoutSeconds", Type: Int, Default: 10, Bounds: AtLeast(1), HandChecked: true, Group: "email",
			Doc: "Timeout in seconds for connecting to and talking with the SMTP server."},
		{Name: "email.ses_region", Field: "Email.SESRegion", Type: String, Feature: "email_backend:ses", Group: "email", Place: Set,
			Doc: "AWS region of SES; empty takes the region of the standard AWS configuration (AWS_REGION, the shared config file)."},
		{Name: "email.ses_profile", Field: "Email.SESProfile", Type: String, Feature: "email_backend:ses", Group: "email",
			Doc: "Named profile of the shared AWS files to take credentials (and, without ses_region, the region) from; empty uses the standard AWS chain. Not together with ses_access_key_id."},
		{Name: "email.ses_access_key_id", Field: "Email.SESAccessKeyID", Type: String, Feature: "email_backend:ses", Group: "email",
			Doc: "Access key ID of explicit SES credentials, with ses_secret_access_key (both or neither); empty uses ses_profile or the standard AWS chain (environment, shared files, the machine's role)."},
		{Name: "email.ses_secret_access_key", Field: "Email.SESSecretAccessKey", Type: String, Secret: true, Feature: "email_backend:ses", Group: "email", Place: Omitted,
			Doc: "Secret access key of explicit SES credentials, with ses_access_key_id."},
		{Name: "email.ses_endpoint", Field: "Email.SESEndpoint", Type: String, Feature: "email_backend:ses", Group: "email",
			Doc: "SES endpoint URL instead of AWS's; tests point it at a local emulator. https, or http on a loopback address."},
		{Name: "email.ses_configuration_set", Field: "Email.SESConfigurationSet", Type: String, Feature: "email_backend:ses", Group: "email",
			Doc: "SES configuration set every message is sent with (event publishing, a dedicated IP pool, suppression settings); empty sends without one."},
		{Name: "email.log_bodies", Field: "Email.LogBodies", Type: Bool, Group: "email", Place: Set,
			Doc:      "With the console backend, also log the text body (it contains live tokens: development only).",
			FileNote: text("The console backend logs each email's recipient, subject and links (so in development you follow the links from the log) and sends nothing. The links hold live one-time tokens: never run the console backend in production. With log_bodies on, each email's whole text is logged too; leave it off.")},
		{Name: "email.max_per_address_per_hour", Field: "Email.MaxPerAddressPerHour", Type: Int, Default: 5, Bounds: AtLeast(0), HandChecked: true, Group: "email",
			Doc: "Most emails sent to one address within an hour (links and notices alike), whoever asks; further ones are dropped silently. 0 turns the cap off.",
			Why: "Enough for a user who asks again a few times, too few to make the application flood someone else's inbox."},

		// sms
		{Name: "sms.backend", Field: "SMS.Backend", Type: String, Default: "console", Allowed: []string{"console", "null", "twilio", "sns"}, Feature: "sms", Group: "sms", Place: Set,
			AllowedFor: smsBackends,
			Doc:        "`console` logs each SMS, code included, instead of sending it (development); `null` drops it (tests); each other value sends through that provider.",
			FileNote:   text("The console backend logs every code: never run it in production. twilio needs from_number and twilio_account_sid here, twilio_auth_token in regstack.secrets.env.")},
		{Name: "sms.from_number", Field: "SMS.FromNumber", Type: String, Feature: "sms", Group: "sms", Place: Set,
			Doc: "Sender of the messages: an E.164 number, or an alphanumeric sender ID where the provider and the country allow one. Required by twilio."},
		{Name: "sms.twilio_account_sid", Field: "SMS.TwilioAccountSID", Type: String, Feature: "sms", Group: "sms",
			Doc: "Twilio account SID (AC…); required when backend is `twilio`."},
		{Name: "sms.twilio_auth_token", Field: "SMS.TwilioAuthToken", Type: String, Secret: true, Feature: "sms", Group: "sms", Place: Omitted,
			Doc: "Twilio auth token; required when backend is `twilio`."},
		{Name: "sms.twilio_base_url", Field: "SMS.TwilioBaseURL", Type: String, Default: "https://api.twilio.com", Feature: "sms", Group: "sms",
			Doc: "Base URL of the Twilio API; tests point it at a local fake. https, or http on a loopback address."},
		{Name: "sms.sns_region", Field: "SMS.SNSRegion", Type: String, Feature: "sms_backend:sns", Group: "sms",
			Doc: "AWS region of SNS; empty takes the region of the standard AWS configuration (AWS_REGION, the shared config file)."},
		{Name: "sms.sns_endpoint", Field: "SMS.SNSEndpoint", Type: String, Feature: "sms_backend:sns", Group: "sms",
			Doc: "SNS endpoint URL instead of AWS's; tests point it at a local emulator. https, or http on a loopback address. Credentials always come from the standard AWS chain."},
		{Name: "sms.timeout_seconds", Field: "SMS.TimeoutSeconds", Type: Int, Default: 10, Bounds: Between(1, 120), Feature: "sms", Group: "sms",
			Doc: "Timeout in seconds of one request to the SMS provider."},
		{Name: "sms.max_per_number_per_hour", Field: "SMS.MaxPerNumberPerHour", Type: Int, Default: 10, Bounds: AtLeast(0), Feature: "sms", Group: "sms",
			Doc: "Most codes sent to one phone number within an hour, whoever asks; further requests get 429. 0 turns the cap off.",
			Why: "Enough for someone who mistypes a few codes, too few to make the application pump paid messages to one number."},
		{Name: "sms.resend_cooldown_seconds", Field: "SMS.ResendCooldownSeconds", Type: Int, Default: 30, Bounds: AtLeast(0), Feature: "sms", Group: "sms",
			Doc: "Seconds before a user can get a new code of the same kind (sign-in or enrolment); an earlier request gets 429 with Retry-After. 0 turns the cooldown off."},

		// oauth
		{Name: "oauth.google_client_id", Field: "OAuth.GoogleClientID", Type: String, Feature: "google", Group: "oauth", Place: Set,
			Doc: "OAuth client ID of the web application registered in the Google Cloud console (…apps.googleusercontent.com)."},
		{Name: "oauth.google_client_secret", Field: "OAuth.GoogleClientSecret", Type: String, Secret: true, Feature: "google", Group: "oauth", Place: Omitted,
			Doc: "OAuth client secret of that client. Only in regstack.secrets.env or the environment."},
		{Name: "oauth.google_redirect_uri", Field: "OAuth.GoogleRedirectURI", Type: String, Feature: "google", Group: "oauth",
			Doc: "Redirect URI registered with Google; empty means {base_url}{api_prefix}/oauth/google/callback. https, or http on a loopback address."},
		{Name: "oauth.google_issuer", Field: "OAuth.GoogleIssuer", Type: String, Default: "https://accounts.google.com", Feature: "google", Group: "oauth",
			Doc: "OpenID Connect issuer whose discovery document names the endpoints and keys; tests and self-hosted providers point it elsewhere. https, or http on a loopback address."},
		{Name: "oauth.auto_link_verified_emails", Field: "OAuth.AutoLinkVerifiedEmails", Type: Bool, Feature: "google", Group: "oauth", Place: Set,
			Doc:      "When a Google sign-in's email address belongs to an existing account, link the two if Google says the address is verified. Off, such a sign-in is refused (email_in_use) and the user links Google from their account page after signing in with their password.",
			FileNote: text("Off is the safe default: linking on the provider's word hands the account to whoever controls that address at the provider.")},
		{Name: "oauth.state_ttl_seconds", Field: "OAuth.StateTTLSeconds", Type: Int, Default: 300, Bounds: Between(60, 3600), Feature: "google", Group: "oauth",
			Doc: "Seconds a sign-in started with Google has to come back from Google."},
		{Name: "oauth.completion_ttl_seconds", Field: "OAuth.CompletionTTLSeconds", Type: Int, Default: 120, Bounds: Between(10, 600), Feature: "google", Group: "oauth",
			Doc: "Seconds after Google sent the user back within which the completion id must be exchanged for a session (POST /oauth/exchange or the oauth-complete page)."},
		{Name: "oauth.timeout_seconds", Field: "OAuth.TimeoutSeconds", Type: Int, Default: 5, Bounds: Between(1, 60), Feature: "google", Group: "oauth",
			Doc: "Timeout in seconds of one request to the provider (discovery, token exchange, signing keys)."},
	}
	return keys
}

// emailBackends are the [email] backends a host accepts: console and smtp
// always, ses where its sender was generated.
func emailBackends(s *spec.Spec) []string {
	out := []string{"console", "smtp"}
	if ok, _ := s.Has("email_backend:ses"); ok {
		out = append(out, "ses")
	}
	return out
}

// emailBackendNote is email.backend's note in regstack.toml: how to go to
// production from the backend the host starts with.
func emailBackendNote(s *spec.Spec) string {
	switch s.Features.EmailBackend {
	case "smtp":
		return "smtp_host, smtp_port, smtp_starttls and smtp_username here, smtp_password in regstack.secrets.env; the application does not start without smtp_host."
	case "ses":
		return "SES takes its region and credentials from ses_region and the standard AWS chain (or ses_profile, or ses_access_key_id here with ses_secret_access_key in regstack.secrets.env); from_address, or its domain, must be a verified SES identity. See docs/email.md."
	}
	if ok, _ := s.Has("email_backend:ses"); ok {
		return "Use smtp or ses in production (docs/email.md)."
	}
	return "Use smtp in production: smtp_host, smtp_port, smtp_starttls and smtp_username here, smtp_password in regstack.secrets.env."
}

// smsBackends are the [sms] backends a host accepts: the always-built-in
// ones, and sns where its sender was generated.
func smsBackends(s *spec.Spec) []string {
	out := []string{"console", "null", "twilio"}
	if ok, _ := s.Has("sms_backend:sns"); ok {
		out = append(out, "sns")
	}
	return out
}

// rateLimit is a per-route rate limit key.
func rateLimit(name, field, route, def, feature string) Key {
	k := Key{Name: name, Field: field, Type: String, Default: def, Route: route, Feature: feature, Group: "abuse",
		Doc: "Requests per client address to " + route + ", e.g. `\"10/minute;100/hour\"`; `\"off\"` or empty turns it off."}
	if name == "login_rate_limit" {
		k.Place = Set
		k.Why = "The defaults are generous: a person never meets them, a script hammering one route from one address does. Routes that send email are tighter, because each request costs a message."
		k.FileNote = func(*spec.Spec) string {
			return "The per-route limits are per client address and per process; the defaults are generous."
		}
	}
	return k
}

func databaseURL(s *spec.Spec) any {
	switch s.Backend {
	case "postgres":
		return "postgres://postgres@127.0.0.1:5432/regstack?sslmode=disable"
	case "mongo":
		return "mongodb://127.0.0.1:27017/regstack"
	}
	return "sqlite:///./regstack.db"
}

// databaseDoc is database_url's comment in regstack.toml: the URL forms of
// the generated backend.
func databaseDoc(s *spec.Spec) string {
	switch s.Backend {
	case "postgres":
		return "Database connection URL. PostgreSQL: postgres://user:password@host:5432/dbname?sslmode=require (postgresql:// and postgresql+asyncpg:// are accepted too). Put a URL with a password in regstack.secrets.env as REGSTACK_DATABASE_URL instead. The migrations run at start; replicas take turns under a lock."
	case "mongo":
		return "Database connection URL. MongoDB: mongodb://user:password@host:27017/dbname (or mongodb+srv://); the path names the database. Put a URL with a password in regstack.secrets.env as REGSTACK_DATABASE_URL instead."
	}
	return "Database connection URL. sqlite:///./regstack.db is a file beside the working directory; sqlite:////var/lib/app/regstack.db is an absolute path."
}

// For returns the keys generated for s: those whose feature holds.
func For(s *spec.Spec) ([]Key, error) {
	var out []Key
	for _, k := range Keys() {
		if k.DefaultFor != nil {
			k.Default = k.DefaultFor(s)
		}
		if k.AllowedFor != nil {
			k.Allowed = k.AllowedFor(s)
		}
		if k.Feature != "" {
			ok, err := s.Has(k.Feature)
			if err != nil {
				return nil, fmt.Errorf("config key %s: %w", k.Name, err)
			}
			if !ok {
				continue
			}
		}
		out = append(out, k)
	}
	return out, nil
}

// Env is the environment variable (and secrets-file) name:
// REGSTACK_<KEY>, or REGSTACK_<TABLE>__<KEY> for a key in a table.
func (k Key) Env() string {
	return "REGSTACK_" + strings.ToUpper(strings.ReplaceAll(k.Name, ".", "__"))
}

// Table is the TOML table holding the key ("" for the top level), Leaf its
// name inside it.
func (k Key) Table() string {
	t, _, ok := strings.Cut(k.Name, ".")
	if !ok {
		return ""
	}
	return t
}

// Leaf is the key's name inside its table.
func (k Key) Leaf() string { return k.Name[strings.LastIndex(k.Name, ".")+1:] }

// FullDoc is Doc followed by what Bounds and Allowed accept.
func (k Key) FullDoc() string {
	if rule := k.Rule(); rule != "" {
		return k.Doc + " Allowed: " + rule + "."
	}
	return k.Doc
}

// Rule spells Bounds or Allowed: "60..2592000", "60 or more", "0 (off) or
// 60..604800", "HS256, HS384, HS512"; "" when the key has neither.
func (k Key) Rule() string {
	b := k.Bounds
	switch {
	case len(k.Allowed) > 0:
		return strings.Join(k.Allowed, ", ")
	case b.ZeroOff:
		return fmt.Sprintf("0 (off) or %d..%d", b.Min, b.Max)
	case b.HasMin && b.HasMax:
		return fmt.Sprintf("%d..%d", b.Min, b.Max)
	case b.HasMin:
		return fmt.Sprintf("%d or more", b.Min)
	case b.HasMax:
		return fmt.Sprintf("%d or less", b.Max)
	}
	return ""
}

// DefaultText is the default as regstack.toml spells it: a quoted string,
// a number or a boolean.
func (k Key) DefaultText() string { return k.valueText(k.Default) }

func (k Key) valueText(v any) string {
	switch x := v.(type) {
	case nil:
		switch k.Type {
		case String:
			return `""`
		case Bool:
			return "false"
		}
		return "0"
	case string:
		return strconv.Quote(x)
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	}
	panic(fmt.Sprintf("configkeys: %s: default of unsupported type %T", k.Name, v))
}

// FeatureText says in words which answer generates a feature's keys.
func FeatureText(cond string) string {
	switch cond {
	case "password_reset":
		return "password reset"
	case "account_deletion":
		return "account deletion"
	case "admin":
		return "the admin API"
	case "require_verification":
		return "email verification"
	case "pages":
		return "the account pages"
	case "email_backend:ses":
		return "the SES email sender"
	}
	if b, ok := strings.CutPrefix(cond, "backend:"); ok {
		return "the " + b + " backend"
	}
	return cond
}
