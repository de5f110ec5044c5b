// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

// fields is the one table of settings, in documentation order: each row names
// the TOML key, what Validate accepts, the documentation and the Config field.
// It is a function rather than a package variable so that nothing at package
// level can be modified. A rate limit's row names the route it limits.
func fields() []field {
	return []field{
		// Application
		{
			name: "app_name",
			doc:  "Product name used in email subjects and bodies, and as the default sender name.",
			ref:  func(c *Config) any { return &c.AppName },
		},
		{
			name: "base_url",
			doc:  "Public http(s) URL of the application, without a trailing slash; emailed links start with it.",
			ref:  func(c *Config) any { return &c.BaseURL },
		},
		{
			name:   "database_url",
			secret: true,
			doc:    "Database connection URL: `sqlite:///./relative.db`, `sqlite:////absolute.db` or `file:` paths (the Python spellings `sqlite+aiosqlite:///` are accepted too); `postgres://` for PostgreSQL, `mongodb://` for MongoDB.",
			ref:    func(c *Config) any { return &c.DatabaseURL },
		},
		{
			name: "mongodb_database",
			doc:  "MongoDB database name, used when database_url has no path (`mongodb://host/name` wins).",
			ref:  func(c *Config) any { return &c.MongoDBDatabase },
		},

		// Tokens
		{
			name:   "jwt_secret",
			secret: true,
			doc:    "Master key for token signatures: at least 32 bytes and random (a repeated character or pattern, a phrase or too few different characters are refused). Required. Only in regstack.secrets.env or the environment: regstack.toml refuses it. `regstack gen` writes a random one into regstack.secrets.env.",
			ref:    func(c *Config) any { return &c.JWTSecret },
		},
		{
			name:  "jwt_algorithm",
			oneOf: []string{"HS256", "HS384", "HS512"},
			doc:   "Token signature algorithm. Allowed: HS256, HS384, HS512.",
			ref:   func(c *Config) any { return &c.JWTAlgorithm },
		},
		{
			name: "jwt_audience",
			doc:  "If set, tokens carry this `aud` claim and tokens without it are refused; if empty, tokens carrying any `aud` are refused.",
			ref:  func(c *Config) any { return &c.JWTAudience },
		},
		{
			name:   "jwt_ttl_seconds",
			bounds: between(60, 2_592_000),
			doc:    "Lifetime of a session (login) token in seconds. Allowed: 60..2592000.",
			ref:    func(c *Config) any { return &c.JWTTTLSeconds },
		},
		{
			name:   "verification_token_ttl_seconds",
			bounds: atLeast(60),
			doc:    "Lifetime of an email verification link in seconds. Allowed: 60 or more.",
			ref:    func(c *Config) any { return &c.VerificationTokenTTLSeconds },
		},
		{
			name:   "password_reset_token_ttl_seconds",
			bounds: atLeast(60),
			doc:    "Lifetime of a password reset link in seconds. Allowed: 60 or more.",
			ref:    func(c *Config) any { return &c.PasswordResetTokenTTLSeconds },
		},
		{
			name:   "email_change_token_ttl_seconds",
			bounds: atLeast(60),
			doc:    "Lifetime of an email change confirmation link in seconds. Allowed: 60 or more.",
			ref:    func(c *Config) any { return &c.EmailChangeTokenTTLSeconds },
		},

		// Flows
		{
			name: "require_verification",
			doc:  "New accounts must confirm their email address before they can sign in.",
			ref:  func(c *Config) any { return &c.RequireVerification },
		},
		{
			name: "allow_registration",
			doc:  "Whether POST /register accepts new accounts (403 when false).",
			ref:  func(c *Config) any { return &c.AllowRegistration },
		},
		{
			name: "enable_password_reset",
			doc:  "Whether the forgot/reset password routes answer (404 when false).",
			ref:  func(c *Config) any { return &c.EnablePasswordReset },
		},
		{
			name: "enable_account_deletion",
			doc:  "Whether DELETE /account answers (404 when false).",
			ref:  func(c *Config) any { return &c.EnableAccountDeletion },
		},
		{
			name: "enable_admin_router",
			doc:  "Whether the admin API (/admin/...) is served.",
			ref:  func(c *Config) any { return &c.EnableAdminRouter },
		},

		// Abuse protection
		{
			name: "rate_limit_disabled",
			doc:  "Turns the login lockout and every per-route IP rate limit off. Only for tests and benchmarks.",
			ref:  func(c *Config) any { return &c.RateLimitDisabled },
		},
		{
			name:   "login_lockout_threshold",
			bounds: atLeast(1),
			doc:    "Failed sign-ins for one email address within the window that lock it (429) until the oldest ones age out. Allowed: 1 or more.",
			ref:    func(c *Config) any { return &c.LoginLockoutThreshold },
		},
		{
			name:   "login_lockout_window_seconds",
			bounds: atLeast(10),
			doc:    "Length of the login lockout window in seconds. Allowed: 10 or more.",
			ref:    func(c *Config) any { return &c.LoginLockoutWindowSeconds },
		},
		{
			name:  "login_rate_limit",
			route: "POST /login",
			doc:   "Requests per client address to POST /login, e.g. `\"10/minute;100/hour\"`; `\"off\"` or empty turns it off.",
			ref:   func(c *Config) any { return &c.LoginRateLimit },
		},
		{
			name:  "register_rate_limit",
			route: "POST /register",
			doc:   "Requests per client address to POST /register, e.g. `\"10/minute;100/hour\"`; `\"off\"` or empty turns it off.",
			ref:   func(c *Config) any { return &c.RegisterRateLimit },
		},
		{
			name:  "verify_rate_limit",
			route: "POST /verify",
			doc:   "Requests per client address to POST /verify, e.g. `\"10/minute;100/hour\"`; `\"off\"` or empty turns it off.",
			ref:   func(c *Config) any { return &c.VerifyRateLimit },
		},
		{
			name:  "resend_verification_rate_limit",
			route: "POST /resend-verification",
			doc:   "Requests per client address to POST /resend-verification, e.g. `\"10/minute;100/hour\"`; `\"off\"` or empty turns it off.",
			ref:   func(c *Config) any { return &c.ResendVerificationRateLimit },
		},
		{
			name:  "forgot_password_rate_limit",
			route: "POST /forgot-password",
			doc:   "Requests per client address to POST /forgot-password, e.g. `\"10/minute;100/hour\"`; `\"off\"` or empty turns it off.",
			ref:   func(c *Config) any { return &c.ForgotPasswordRateLimit },
		},
		{
			name:  "reset_password_rate_limit",
			route: "POST /reset-password",
			doc:   "Requests per client address to POST /reset-password, e.g. `\"10/minute;100/hour\"`; `\"off\"` or empty turns it off.",
			ref:   func(c *Config) any { return &c.ResetPasswordRateLimit },
		},
		{
			name:  "change_password_rate_limit",
			route: "POST /change-password",
			doc:   "Requests per client address to POST /change-password, e.g. `\"10/minute;100/hour\"`; `\"off\"` or empty turns it off.",
			ref:   func(c *Config) any { return &c.ChangePasswordRateLimit },
		},
		{
			name:  "change_email_rate_limit",
			route: "POST /change-email",
			doc:   "Requests per client address to POST /change-email, e.g. `\"10/minute;100/hour\"`; `\"off\"` or empty turns it off.",
			ref:   func(c *Config) any { return &c.ChangeEmailRateLimit },
		},
		{
			name:  "confirm_email_change_rate_limit",
			route: "POST /confirm-email-change",
			doc:   "Requests per client address to POST /confirm-email-change, e.g. `\"10/minute;100/hour\"`; `\"off\"` or empty turns it off.",
			ref:   func(c *Config) any { return &c.ConfirmEmailChangeRateLimit },
		},
		{
			name:  "delete_account_rate_limit",
			route: "DELETE /account",
			doc:   "Requests per client address to DELETE /account, e.g. `\"10/minute;100/hour\"`; `\"off\"` or empty turns it off.",
			ref:   func(c *Config) any { return &c.DeleteAccountRateLimit },
		},
		{
			name: "trusted_proxies",
			list: true,
			doc:  "Reverse proxies whose X-Forwarded-For header is believed when finding a client's address for the rate limits: CIDRs or addresses, comma-separated (in regstack.toml also an array of strings); empty believes no one.",
			ref:  func(c *Config) any { return &c.TrustedProxies },
		},

		// Paths and links
		{
			name: "api_prefix",
			doc:  "Path under which the JSON API is served. Starts with `/`, no trailing slash.",
			ref:  func(c *Config) any { return &c.APIPrefix },
		},
		{
			name: "ui_prefix",
			doc:  "Path of the sign-in pages ({ui_prefix}/login, …). Starts with `/`, no trailing slash.",
			ref:  func(c *Config) any { return &c.UIPrefix },
		},
		{
			name: "static_prefix",
			doc:  "Path under which the pages' stylesheets are served. Starts with `/`, no trailing slash.",
			ref:  func(c *Config) any { return &c.StaticPrefix },
		},
		{
			name: "email_link_prefix",
			doc:  "Path between base_url and the page path (such as /verify) in emailed links. Empty, or starts with `/` without a trailing slash.",
			ref:  func(c *Config) any { return &c.EmailLinkPrefix },
		},
		{
			name: "verify_url_template",
			doc:  "Overrides the verification link; `{base_url}` and `{token}` are replaced. Must contain `{token}`.",
			ref:  func(c *Config) any { return &c.VerifyURLTemplate },
		},
		{
			name: "password_reset_url_template",
			doc:  "Overrides the password reset link; `{base_url}` and `{token}` are replaced. Must contain `{token}`.",
			ref:  func(c *Config) any { return &c.PasswordResetURLTemplate },
		},
		{
			name: "email_change_url_template",
			doc:  "Overrides the email change confirmation link; `{base_url}` and `{token}` are replaced. Must contain `{token}`.",
			ref:  func(c *Config) any { return &c.EmailChangeURLTemplate },
		},

		// Account pages
		{
			name: "brand_logo_url",
			doc:  "Logo shown beside app_name in the pages' header: a path on this site (`/static/logo.svg`); empty shows the name alone. The pages' Content-Security-Policy only loads images from this origin.",
			ref:  func(c *Config) any { return &c.BrandLogoURL },
		},
		{
			name: "brand_tagline",
			doc:  "Short line shown under app_name in the pages' header; empty shows none.",
			ref:  func(c *Config) any { return &c.BrandTagline },
		},
		{
			name: "ui_lang",
			doc:  "Language of the pages, the `<html lang>` attribute: a BCP 47 tag such as `en` or `pt-BR`.",
			ref:  func(c *Config) any { return &c.UILang },
		},
		{
			name: "theme_css_url",
			doc:  "A stylesheet of your own, linked after the theme so its rules win: a path on this site or an https URL (its origin is then added to the pages' style-src). Empty links none.",
			ref:  func(c *Config) any { return &c.ThemeCSSURL },
		},
		{
			name: "session_cookie_name",
			doc:  "Name of the pages' session cookie (HttpOnly, Secure, SameSite=Lax, Path=/). With an https base_url it gets the `__Host-` prefix, which browsers bind to this exact host. The JSON API never reads it.",
			ref:  func(c *Config) any { return &c.SessionCookieName },
		},

		// Requests and password hashing
		{
			name: "max_body_bytes",
			doc:  "Largest accepted request body in bytes; larger ones get 413. Allowed: 1 or more.",
			ref:  func(c *Config) any { return &c.MaxBodyBytes },
		},
		{
			name:   "password_hash_max_concurrent",
			bounds: atLeast(1),
			doc:    "Password hashes computed at the same time; each takes password_hash_memory_kib of memory. Allowed: 1 or more.",
			ref:    func(c *Config) any { return &c.PasswordHashMaxConcurrent },
		},
		{
			name:   "password_hash_max_queue",
			bounds: atLeast(0),
			doc:    "Requests that may wait for a hashing slot while every slot is busy; one more gets 503 with Retry-After at once. A queue longer than the slots adds no throughput under a flood, only waiting for each admitted sign-in. Allowed: 0 or more.",
			ref:    func(c *Config) any { return &c.PasswordHashMaxQueue },
		},
		{
			name:   "password_hash_max_wait_ms",
			bounds: atLeast(0),
			doc:    "How long a request waits for a hashing slot before it gets 503 with Retry-After; 0 answers 503 at once when every slot is busy hashing (a slot finishing the collection after its hash is free within that collection's time, and the request waits for it). A request whose expected wait (the queue ahead of it times the measured hash time) is longer gets its 503 at once. Allowed: 0 or more.",
			ref:    func(c *Config) any { return &c.PasswordHashMaxWaitMS },
		},
		{
			name: "password_hash_memory_kib",
			doc:  "Argon2id memory cost of new hashes in KiB (existing hashes keep theirs), from 8 × password_hash_parallelism up to 1048576 (1 GiB).",
			ref:  func(c *Config) any { return &c.PasswordHashMemoryKiB },
		},
		{
			name:   "password_hash_time_cost",
			bounds: between(1, 100),
			doc:    "Argon2id passes of new hashes. Allowed: 1..100.",
			ref:    func(c *Config) any { return &c.PasswordHashTimeCost },
		},
		{
			name:   "password_hash_parallelism",
			bounds: between(1, 255),
			doc:    "Argon2id lanes of new hashes. Allowed: 1..255.",
			ref:    func(c *Config) any { return &c.PasswordHashParallelism },
		},

		// Maintenance
		{
			name:   "purge_interval_seconds",
			bounds: zeroOr(60, 604_800),
			doc:    "How often, in seconds, expired pending registrations, account tokens, revoked-token rows and old attempt counts are deleted (each run waits the interval ±10 %); 0 turns the background purge off. Allowed: 0 (off) or 60..604800.",
			ref:    func(c *Config) any { return &c.PurgeIntervalSeconds },
		},

		// [email]
		{
			name:  "email.backend",
			oneOf: []string{"console", "smtp"},
			doc:   "`console` logs mail instead of sending it; each other value sends it through that service (docs/email.md). Allowed: console, smtp.",
			ref:   func(c *Config) any { return &c.Email.Backend },
		},
		{
			name: "email.from_address",
			doc:  "Sender address of outgoing mail.",
			ref:  func(c *Config) any { return &c.Email.FromAddress },
		},
		{
			name: "email.from_name",
			doc:  "Sender name of outgoing mail; empty means app_name.",
			ref:  func(c *Config) any { return &c.Email.FromName },
		},
		{
			name: "email.smtp_host",
			doc:  "SMTP server host name; required when backend is `smtp`.",
			ref:  func(c *Config) any { return &c.Email.SMTPHost },
		},
		{
			name: "email.smtp_port",
			doc:  "SMTP server port. Allowed: 1..65535.",
			ref:  func(c *Config) any { return &c.Email.SMTPPort },
		},
		{
			name: "email.smtp_starttls",
			doc:  "Upgrade the SMTP connection with STARTTLS; sending fails if the server does not offer it.",
			ref:  func(c *Config) any { return &c.Email.SMTPStartTLS },
		},
		{
			name: "email.smtp_username",
			doc:  "SMTP user name; when set, the client authenticates with AUTH PLAIN.",
			ref:  func(c *Config) any { return &c.Email.SMTPUsername },
		},
		{
			name:   "email.smtp_password",
			secret: true,
			doc:    "SMTP password.",
			ref:    func(c *Config) any { return &c.Email.SMTPPassword },
		},
		{
			name: "email.smtp_timeout_seconds",
			doc:  "Timeout in seconds for connecting to and talking with the SMTP server. Allowed: 1 or more.",
			ref:  func(c *Config) any { return &c.Email.SMTPTimeoutSeconds },
		},
		{
			name: "email.log_bodies",
			doc:  "With the console backend, also log the text body (it contains live tokens: development only).",
			ref:  func(c *Config) any { return &c.Email.LogBodies },
		},
		{
			name: "email.max_per_address_per_hour",
			doc:  "Most emails sent to one address within an hour (links and notices alike), whoever asks; further ones are dropped silently. 0 turns the cap off. Allowed: 0 or more.",
			ref:  func(c *Config) any { return &c.Email.MaxPerAddressPerHour },
		},
	}
}
