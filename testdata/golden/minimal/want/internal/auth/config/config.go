// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package config holds the settings of the account system and loads them from,
// lowest to highest precedence: built-in defaults, regstack.toml,
// regstack.secrets.env, and REGSTACK_* environment variables.
//
// Every setting is a field of Config and a row of the table in fields.go,
// which names its TOML key and what Validate accepts; loading, validation
// messages and the documentation all follow from that table.
package config

// Config is the complete configuration: one field per setting, named after it
// (AppName is app_name; the table in fields.go pairs them), and one struct per
// TOML table.
type Config struct {
	// The application: its name, its public address and its database.

	// Product name used in email subjects and bodies, and as the default
	// sender name.
	AppName string
	// Public http(s) URL of the application, without a trailing slash;
	// emailed links start with it.
	BaseURL string
	// Database connection URL: `sqlite:///./relative.db`,
	// `sqlite:////absolute.db` or `file:` paths (the Python spellings
	// `sqlite+aiosqlite:///` are accepted too); `postgres://` for
	// PostgreSQL, `mongodb://` for MongoDB.
	DatabaseURL string

	// Signed tokens: the signing key and how long each kind of token lasts.

	// Master key for token signatures: at least 32 bytes and random (a
	// repeated character or pattern, a phrase or too few different
	// characters are refused). Required. Only in regstack.secrets.env or the
	// environment: regstack.toml refuses it. `regstack gen` writes a random
	// one into regstack.secrets.env.
	JWTSecret string
	// Token signature algorithm. Allowed: HS256, HS384, HS512.
	JWTAlgorithm string
	// If set, tokens carry this `aud` claim and tokens without it are
	// refused; if empty, tokens carrying any `aud` are refused.
	JWTAudience string
	// Lifetime of a session (login) token in seconds. Allowed: 60..2592000.
	JWTTTLSeconds int
	// Lifetime of an email verification link in seconds. Allowed: 60 or
	// more.
	VerificationTokenTTLSeconds int
	// Lifetime of an email change confirmation link in seconds. Allowed: 60
	// or more.
	EmailChangeTokenTTLSeconds int

	// Which flows answer.

	// New accounts must confirm their email address before they can sign in.
	RequireVerification bool
	// Whether POST /register accepts new accounts (403 when false).
	AllowRegistration bool

	// Protection against guessing and flooding: the per-account lockout, the
	// per-route limits per client address and the proxies believed to name
	// that address.

	// Turns the login lockout and every per-route IP rate limit off. Only
	// for tests and benchmarks.
	RateLimitDisabled bool
	// Failed sign-ins for one email address within the window that lock it
	// (429) until the oldest ones age out. Allowed: 1 or more.
	LoginLockoutThreshold int
	// Length of the login lockout window in seconds. Allowed: 10 or more.
	LoginLockoutWindowSeconds int
	// Requests per client address to POST /login, e.g.
	// `"10/minute;100/hour"`; `"off"` or empty turns it off.
	LoginRateLimit string
	// Requests per client address to POST /register, e.g.
	// `"10/minute;100/hour"`; `"off"` or empty turns it off.
	RegisterRateLimit string
	// Requests per client address to POST /verify, e.g.
	// `"10/minute;100/hour"`; `"off"` or empty turns it off.
	VerifyRateLimit string
	// Requests per client address to POST /resend-verification, e.g.
	// `"10/minute;100/hour"`; `"off"` or empty turns it off.
	ResendVerificationRateLimit string
	// Requests per client address to POST /change-password, e.g.
	// `"10/minute;100/hour"`; `"off"` or empty turns it off.
	ChangePasswordRateLimit string
	// Requests per client address to POST /change-email, e.g.
	// `"10/minute;100/hour"`; `"off"` or empty turns it off.
	ChangeEmailRateLimit string
	// Requests per client address to POST /confirm-email-change, e.g.
	// `"10/minute;100/hour"`; `"off"` or empty turns it off.
	ConfirmEmailChangeRateLimit string
	// Reverse proxies whose X-Forwarded-For header is believed when finding
	// a client's address for the rate limits: CIDRs or addresses,
	// comma-separated (in regstack.toml also an array of strings); empty
	// believes no one.
	TrustedProxies string

	// Where the routes are served and where emailed links point.

	// Path under which the JSON API is served. Starts with `/`, no trailing
	// slash.
	APIPrefix string
	// Path between base_url and the page path (such as /verify) in emailed
	// links. Empty, or starts with `/` without a trailing slash.
	EmailLinkPrefix string
	// Overrides the verification link; `{base_url}` and `{token}` are
	// replaced. Must contain `{token}`.
	VerifyURLTemplate string
	// Overrides the email change confirmation link; `{base_url}` and
	// `{token}` are replaced. Must contain `{token}`.
	EmailChangeURLTemplate string

	// What one request may cost: its body and its password hash.

	// Largest accepted request body in bytes; larger ones get 413. Allowed:
	// 1 or more.
	MaxBodyBytes int64
	// Password hashes computed at the same time; each takes
	// password_hash_memory_kib of memory. Allowed: 1 or more.
	PasswordHashMaxConcurrent int
	// Requests that may wait for a hashing slot while every slot is busy;
	// one more gets 503 with Retry-After at once. A queue longer than the
	// slots adds no throughput under a flood, only waiting for each admitted
	// sign-in. Allowed: 0 or more.
	PasswordHashMaxQueue int
	// How long a request waits for a hashing slot before it gets 503 with
	// Retry-After; 0 answers 503 at once when every slot is busy hashing (a
	// slot finishing the collection after its hash is free within that
	// collection's time, and the request waits for it). A request whose
	// expected wait (the queue ahead of it times the measured hash time) is
	// longer gets its 503 at once. Allowed: 0 or more.
	PasswordHashMaxWaitMS int
	// Argon2id memory cost of new hashes in KiB (existing hashes keep
	// theirs), from 8 × password_hash_parallelism up to 1048576 (1 GiB).
	PasswordHashMemoryKiB int
	// Argon2id passes of new hashes. Allowed: 1..100.
	PasswordHashTimeCost int
	// Argon2id lanes of new hashes. Allowed: 1..255.
	PasswordHashParallelism int

	// Background work.

	// How often, in seconds, expired pending registrations, account tokens,
	// revoked-token rows and old attempt counts are deleted (each run waits
	// the interval ±10 %); 0 turns the background purge off. Allowed: 0
	// (off) or 60..604800.
	PurgeIntervalSeconds int

	// How mail leaves the application: the [email] table.
	Email EmailConfig
}

// EmailConfig is the [email] table: how mail leaves the application.
type EmailConfig struct {
	// `console` logs mail instead of sending it; each other value sends it
	// through that service (docs/email.md). Allowed: console, smtp.
	Backend string
	// Sender address of outgoing mail.
	FromAddress string
	// Sender name of outgoing mail; empty means app_name.
	FromName string
	// SMTP server host name; required when backend is `smtp`.
	SMTPHost string
	// SMTP server port. Allowed: 1..65535.
	SMTPPort int
	// Upgrade the SMTP connection with STARTTLS; sending fails if the server
	// does not offer it.
	SMTPStartTLS bool
	// SMTP user name; when set, the client authenticates with AUTH PLAIN.
	SMTPUsername string
	// SMTP password.
	SMTPPassword string
	// Timeout in seconds for connecting to and talking with the SMTP server.
	// Allowed: 1 or more.
	SMTPTimeoutSeconds int
	// With the console backend, also log the text body (it contains live
	// tokens: development only).
	LogBodies bool
	// Most emails sent to one address within an hour (links and notices
	// alike), whoever asks; further ones are dropped silently. 0 turns the
	// cap off. Allowed: 0 or more.
	MaxPerAddressPerHour int
}

// Default returns the built-in defaults. JWTSecret is empty: a deployment must
// supply one (regstack gen writes it into regstack.secrets.env).
func Default() Config {
	return Config{
		AppName:                     "RegStack",
		BaseURL:                     "http://localhost:8000",
		DatabaseURL:                 "sqlite:///./regstack.db",
		JWTAlgorithm:                "HS256",
		JWTTTLSeconds:               7200,
		VerificationTokenTTLSeconds: 86400,
		EmailChangeTokenTTLSeconds:  3600,
		RequireVerification:         true,
		AllowRegistration:           true,
		LoginLockoutThreshold:       5,
		LoginLockoutWindowSeconds:   900,
		// The defaults are generous: a person never meets them, a script
		// hammering one route from one address does. Routes that send email are
		// tighter, because each request costs a message.
		LoginRateLimit:              "60/minute;600/hour",
		RegisterRateLimit:           "30/minute;300/hour",
		VerifyRateLimit:             "60/minute;600/hour",
		ResendVerificationRateLimit: "10/minute;100/hour",
		ChangePasswordRateLimit:     "30/minute;300/hour",
		ChangeEmailRateLimit:        "10/minute;100/hour",
		ConfirmEmailChangeRateLimit: "60/minute;600/hour",
		APIPrefix:                   "/api/auth",
		MaxBodyBytes:                64 << 10,
		PasswordHashMaxConcurrent:   4,
		// Two waiters per default slot: under a flood the slots never idle and
		// an admitted sign-in waits at most about two hashes
		// (BenchmarkLoginFlood), while the bursts of an ordinary busy hour still
		// wait instead of being turned away (bench/soak shed one sign-in in ten
		// minutes with one waiter per slot).
		PasswordHashMaxQueue:    8,
		PasswordHashMaxWaitMS:   2000,
		PasswordHashMemoryKiB:   64 << 10,
		PasswordHashTimeCost:    3,
		PasswordHashParallelism: 4,
		// A purge every few seconds would only load the database; one less often
		// than weekly lets the tables grow for too long.
		PurgeIntervalSeconds: 3600,
		Email: EmailConfig{
			Backend:            "console",
			FromAddress:        "noreply@example.com",
			SMTPPort:           587,
			SMTPStartTLS:       true,
			SMTPTimeoutSeconds: 10,
			// Enough for a user who asks again a few times, too few to make the
			// application flood someone else's inbox.
			MaxPerAddressPerHour: 5,
		},
	}
}
