// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// testSecret is 32 random bytes, base64url-encoded: what a real one looks
// like, so it passes CheckJWTSecret.
const testSecret = "NyhV4WCcuwl6rGJFiFykkFHC4_xBPlGP0F6jpgDmcaA"

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func valid() Config {
	c := Default()
	c.JWTSecret = testSecret
	return c
}

func TestDefaultsNeedOnlyASecret(t *testing.T) {
	err := Default().Validate()
	if err == nil || !strings.Contains(err.Error(), "jwt_secret") || !strings.Contains(err.Error(), "regstack.secrets.env") {
		t.Fatalf("Default().Validate() = %v; want a jwt_secret error that says where to get one", err)
	}
	if err := valid().Validate(); err != nil {
		t.Fatalf("defaults with a secret: %v", err)
	}
}

func TestDefaultValues(t *testing.T) {
	d := Default()
	checks := map[string][2]any{
		"app_name":                  {d.AppName, "RegStack"},
		"base_url":                  {d.BaseURL, "http://localhost:8000"},
		"jwt_algorithm":             {d.JWTAlgorithm, "HS256"},
		"jwt_ttl_seconds":           {d.JWTTTLSeconds, 7200},
		"verification ttl":          {d.VerificationTokenTTLSeconds, 86400},
		"email change ttl":          {d.EmailChangeTokenTTLSeconds, 3600},
		"require_verification":      {d.RequireVerification, true},
		"lockout threshold":         {d.LoginLockoutThreshold, 5},
		"lockout window":            {d.LoginLockoutWindowSeconds, 900},
		"purge interval":            {d.PurgeIntervalSeconds, 3600},
		"mails per address":         {d.Email.MaxPerAddressPerHour, 5},
		"api_prefix":                {d.APIPrefix, "/api/auth"},
		"max_body_bytes":            {d.MaxBodyBytes, int64(65536)},
		"hash concurrency":          {d.PasswordHashMaxConcurrent, 4},
		"hash wait":                 {d.PasswordHashMaxWaitMS, 2000},
		"hash memory":               {d.PasswordHashMemoryKiB, 65536},
		"hash time":                 {d.PasswordHashTimeCost, 3},
		"hash parallelism":          {d.PasswordHashParallelism, 4},
		"email backend":             {d.Email.Backend, "console"},
		"email from":                {d.Email.FromAddress, "noreply@example.com"},
		"smtp port":                 {d.Email.SMTPPort, 587},
		"smtp starttls":             {d.Email.SMTPStartTLS, true},
		"smtp timeout":              {d.Email.SMTPTimeoutSeconds, 10},
		"log bodies":                {d.Email.LogBodies, false},
		"database_url (SQLite rel)": {d.DatabaseURL, "sqlite:///./regstack.db"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %#v, want %#v", name, c[0], c[1])
		}
	}
}

// The key table must cover every Config field exactly once, so that no
// setting exists without a TOML key, an env name and documentation.
func TestKeyTableCoversEveryField(t *testing.T) {
	var leaves []string
	var walk func(typ reflect.Type, prefix string)
	walk = func(typ reflect.Type, prefix string) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, prefix+f.Name+".")
				continue
			}
			leaves = append(leaves, prefix+f.Name)
		}
	}
	walk(reflect.TypeOf(Config{}), "")

	var c Config
	seen := map[any]string{}
	names := map[string]bool{}
	for _, f := range fields() {
		ptr := f.ref(&c)
		if other, dup := seen[ptr]; dup {
			t.Errorf("keys %q and %q store into the same field", other, f.name)
		}
		seen[ptr] = f.name
		if names[f.name] {
			t.Errorf("key %q listed twice", f.name)
		}
		names[f.name] = true
		if f.doc == "" {
			t.Errorf("key %q has no documentation", f.name)
		}
	}
	if len(seen) != len(leaves) {
		t.Fatalf("%d keys for %d Config fields (%v)", len(seen), len(leaves), leaves)
	}

	keys := Keys()
	byName := map[string]Key{}
	for _, k := range keys {
		byName[k.Name] = k
	}
	want := map[string]Key{
		"jwt_ttl_seconds":        {Name: "jwt_ttl_seconds", Env: "REGSTACK_JWT_TTL_SECONDS", Type: "int", Default: "7200"},
		"email.smtp_host":        {Name: "email.smtp_host", Env: "REGSTACK_EMAIL__SMTP_HOST", Type: "string", Default: `""`},
		"email.smtp_starttls":    {Name: "email.smtp_starttls", Env: "REGSTACK_EMAIL__SMTP_STARTTLS", Type: "bool", Default: "true"},
		"jwt_secret":             {Name: "jwt_secret", Env: "REGSTACK_JWT_SECRET", Type: "string", Default: `""`, Secret: true},
		"max_body_bytes":         {Name: "max_body_bytes", Env: "REGSTACK_MAX_BODY_BYTES", Type: "int", Default: "65536"},
		"purge_interval_seconds": {Name: "purge_interval_seconds", Env: "REGSTACK_PURGE_INTERVAL_SECONDS", Type: "int", Default: "3600"},
		"email.max_per_address_per_hour": {Name: "email.max_per_address_per_hour", Env: "REGSTACK_EMAIL__MAX_PER_ADDRESS_PER_HOUR",
			Type: "int", Default: "5"},
	}
	for name, w := range want {
		got := byName[name]
		got.Doc = ""
		if got != w {
			t.Errorf("Keys()[%s] = %+v, want %+v", name, got, w)
		}
	}
	for _, secret := range []string{"jwt_secret", "database_url", "email.smtp_password"} {
		if !byName[secret].Secret {
			t.Errorf("%s is not marked secret", secret)
		}
	}
}

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	tomlPath := write(t, dir, "regstack.toml", `
app_name = "From TOML"
jwt_ttl_seconds = 3600
require_verification = false
base_url = "https://example.com/"
api_prefix = "/auth"

[email]
backend = "smtp"
smtp_host = "smtp.toml.example"
smtp_port = 2525
from_name = "TOML Sender"
`)
	secretsPath := write(t, dir, "regstack.secrets.env", `
# secrets
REGSTACK_JWT_SECRET=`+testSecret+`
REGSTACK_APP_NAME="From secrets"
REGSTACK_EMAIL__SMTP_PASSWORD='p@ss=word'
REGSTACK_EMAIL__SMTP_PORT = 2526
`)
	cfg, err := Load(LoadOptions{
		TOMLPath:    tomlPath,
		SecretsPath: secretsPath,
		Environ: []string{
			"regstack_app_name=From env", // names are case-insensitive
			"REGSTACK_EMAIL__SMTP_HOST=smtp.env.example",
			"REGSTACK_SOMETHING_NEWER=ignored",
			"PATH=/usr/bin",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string][2]any{
		"app_name (env over secrets over toml)": {cfg.AppName, "From env"},
		"jwt_secret (secrets)":                  {cfg.JWTSecret, testSecret},
		"jwt_ttl_seconds (toml)":                {cfg.JWTTTLSeconds, 3600},
		"require_verification (toml)":           {cfg.RequireVerification, false},
		"base_url (trailing slash dropped)":     {cfg.BaseURL, "https://example.com"},
		"api_prefix (toml)":                     {cfg.APIPrefix, "/auth"},
		"email.backend (toml)":                  {cfg.Email.Backend, "smtp"},
		"email.smtp_host (env)":                 {cfg.Email.SMTPHost, "smtp.env.example"},
		"email.smtp_port (secrets)":             {cfg.Email.SMTPPort, 2526},
		"email.smtp_password (quotes stripped)": {cfg.Email.SMTPPassword, "p@ss=word"},
		"email.from_name (toml)":                {cfg.Email.FromName, "TOML Sender"},
		"email.smtp_starttls (default)":         {cfg.Email.SMTPStartTLS, true},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %#v, want %#v", name, c[0], c[1])
		}
	}
}

func TestLoadWithoutFiles(t *testing.T) {
	t.Chdir(t.TempDir()) // no regstack.toml, no regstack.secrets.env
	cfg, err := Load(LoadOptions{Environ: []string{"REGSTACK_JWT_SECRET=" + testSecret}})
	if err != nil {
		t.Fatal(err)
	}
	want := Default()
	want.JWTSecret = testSecret
	if cfg != want {
		t.Fatalf("Load with no files = %+v, want defaults", cfg)
	}
}

func TestLoadFindsDefaultFiles(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write(t, dir, DefaultTOMLPath, "app_name = \"Discovered\"\n")
	write(t, dir, DefaultSecretsPath, "REGSTACK_JWT_SECRET="+testSecret+"\n")
	cfg, err := Load(LoadOptions{Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AppName != "Discovered" || cfg.JWTSecret != testSecret {
		t.Fatalf("default files not read: app_name %q", cfg.AppName)
	}

	other := write(t, dir, "other.toml", "app_name = \"Via REGSTACK_CONFIG\"\n")
	cfg, err = Load(LoadOptions{Environ: []string{"REGSTACK_CONFIG=" + other}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AppName != "Via REGSTACK_CONFIG" {
		t.Fatalf("REGSTACK_CONFIG ignored: app_name %q", cfg.AppName)
	}
}

func TestLoadNamedFileMustExist(t *testing.T) {
	dir := t.TempDir()
	env := []string{"REGSTACK_JWT_SECRET=" + testSecret}
	for name, opts := range map[string]LoadOptions{
		"TOMLPath":        {TOMLPath: filepath.Join(dir, "missing.toml"), Environ: env},
		"SecretsPath":     {SecretsPath: filepath.Join(dir, "missing.env"), Environ: env},
		"REGSTACK_CONFIG": {Environ: append(env, "REGSTACK_CONFIG="+filepath.Join(dir, "missing.toml"))},
	} {
		if _, err := Load(opts); err == nil || !strings.Contains(err.Error(), "missing.") {
			t.Errorf("%s naming a missing file: err = %v", name, err)
		}
	}
}

func TestTOMLErrors(t *testing.T) {
	dir := t.TempDir()
	env := []string{"REGSTACK_JWT_SECRET=" + testSecret}
	tests := []struct {
		name, content string
		want          []string
	}{
		{"syntax", "app_name = \"ok\"\njwt_ttl_seconds = = 5\n", []string{"bad.toml:2"}},
		{"unknown key", "app_name = \"x\"\n\njwt_ttl_secnods = 60\n", []string{"bad.toml:3", `unknown key "jwt_ttl_secnods"`}},
		{"unknown key in table", "[email]\nsmtp_hots = \"x\"\n", []string{`unknown key "email.smtp_hots"`, "bad.toml:2"}},
		{"unknown table", "[saml]\nentity_id = \"x\"\n", []string{`unknown key "saml.entity_id"`}},
		{"nested table", "[email.extra]\nx = 1\n", []string{"unknown table [email.extra]"}},
		{"bad int", "jwt_ttl_seconds = \"soon\"\n", []string{"jwt_ttl_seconds", `"soon" is not an integer`}},
		{"float", "jwt_ttl_seconds = 1.5\n", []string{"jwt_ttl_seconds", "not an integer"}},
		{"bad bool", "require_verification = \"maybe\"\n", []string{"require_verification", "not a boolean"}},
		{"list", "app_name = [\"a\"]\n", []string{"app_name", "unsupported"}},
		{"invalid value", "jwt_ttl_seconds = 5\n", []string{"jwt_ttl_seconds", "60..2592000"}},
		// The TOML file is usually committed; the signing key must not be.
		{"jwt_secret", "app_name = \"x\"\njwt_secret = \"" + testSecret + "\"\n", []string{"bad.toml:2", "jwt_secret does not belong in", "regstack.secrets.env", "REGSTACK_JWT_SECRET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, dir, "bad.toml", tt.content)
			_, err := Load(LoadOptions{TOMLPath: p, SecretsPath: os.DevNull, Environ: env})
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), testSecret) {
				t.Errorf("error %q leaks the secret", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	// Integral values and strings holding numbers are accepted, as in the
	// Python regstack (which reads everything as text).
	p := write(t, dir, "ok.toml", "jwt_ttl_seconds = \"600\"\nlogin_lockout_threshold = 3.0\nrequire_verification = \"yes\"\n")
	cfg, err := Load(LoadOptions{TOMLPath: p, SecretsPath: os.DevNull, Environ: env})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.JWTTTLSeconds != 600 || cfg.LoginLockoutThreshold != 3 || !cfg.RequireVerification {
		t.Fatalf("lenient values: %+v", cfg)
	}
}

func TestSecretsFile(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "s.env", strings.Join([]string{
		"# a comment",
		"",
		"   ",
		"REGSTACK_JWT_SECRET = \"" + testSecret + "\"",
		"regstack_app_name='Single Quoted'",
		"REGSTACK_EMAIL__FROM_NAME=\"Mismatched'",
		"REGSTACK_EMAIL__SMTP_USERNAME=\"\"",
		"REGSTACK_DATABASE_URL=sqlite:///./x.db?a=b",
		"OTHER_TOOL_KEY=ignored",
		"REGSTACK_UNKNOWN=ignored",
	}, "\n"))
	cfg, err := Load(LoadOptions{TOMLPath: os.DevNull, SecretsPath: p, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.JWTSecret != testSecret || cfg.AppName != "Single Quoted" || cfg.Email.FromName != `"Mismatched'` ||
		cfg.Email.SMTPUsername != "" || cfg.DatabaseURL != "sqlite:///./x.db?a=b" {
		t.Fatalf("parsed %+v", cfg)
	}

	for name, content := range map[string]string{
		"no equals": "REGSTACK_JWT_SECRET\n",
		"export":    "export REGSTACK_JWT_SECRET=" + testSecret + "\n",
		"empty key": "=" + testSecret + "\n",
	} {
		p := write(t, dir, "bad.env", "# first\n"+content)
		_, err := Load(LoadOptions{TOMLPath: os.DevNull, SecretsPath: p, Environ: []string{}})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if !strings.Contains(err.Error(), "bad.env:2") {
			t.Errorf("%s: error %q does not name file and line", name, err)
		}
		if strings.Contains(err.Error(), testSecret) {
			t.Errorf("%s: error %q leaks the secret", name, err)
		}
	}
}

func TestEnvironmentParsing(t *testing.T) {
	base := []string{"REGSTACK_JWT_SECRET=" + testSecret}
	load := func(extra ...string) (Config, error) {
		return Load(LoadOptions{TOMLPath: os.DevNull, SecretsPath: os.DevNull, Environ: append(append([]string{}, base...), extra...)})
	}
	for text, want := range map[string]bool{
		"true": true, "TRUE": true, "1": true, "yes": true, "Yes": true, "on": true,
		"false": false, "False": false, "0": false, "no": false, "NO": false, "off": false,
	} {
		cfg, err := load("REGSTACK_RATE_LIMIT_DISABLED=" + text)
		if err != nil || cfg.RateLimitDisabled != want {
			t.Errorf("rate_limit_disabled=%q → %v, %v; want %v", text, cfg.RateLimitDisabled, err, want)
		}
	}
	if _, err := load("REGSTACK_RATE_LIMIT_DISABLED=maybe"); err == nil || !strings.Contains(err.Error(), "REGSTACK_RATE_LIMIT_DISABLED") {
		t.Errorf("bad bool: err = %v; want it to name the variable", err)
	}
	if _, err := load("REGSTACK_JWT_TTL_SECONDS=2h"); err == nil || !strings.Contains(err.Error(), "REGSTACK_JWT_TTL_SECONDS") {
		t.Errorf("bad int: err = %v; want it to name the variable", err)
	}
	if _, err := load("REGSTACK_MAX_BODY_BYTES=12x"); err == nil || !strings.Contains(err.Error(), "REGSTACK_MAX_BODY_BYTES") {
		t.Errorf("bad int64: err = %v; want it to name the variable", err)
	}
	cfg, err := load("REGSTACK_JWT_TTL_SECONDS= 900 ", "REGSTACK_EMAIL__LOG_BODIES=1", "REGSTACK_CONFIG_UNKNOWN=1", "NOT_REGSTACK_APP_NAME=x")
	if err != nil || cfg.JWTTTLSeconds != 900 || !cfg.Email.LogBodies || cfg.AppName != "RegStack" {
		t.Errorf("env: %+v, %v", cfg, err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"short secret", func(c *Config) { c.JWTSecret = "too-short-secret" }, "jwt_secret: is 16 bytes"},
		{"algorithm", func(c *Config) { c.JWTAlgorithm = "RS256" }, "jwt_algorithm"},
		{"none algorithm", func(c *Config) { c.JWTAlgorithm = "none" }, "jwt_algorithm"},
		{"ttl low", func(c *Config) { c.JWTTTLSeconds = 59 }, "jwt_ttl_seconds"},
		{"ttl high", func(c *Config) { c.JWTTTLSeconds = 2_592_001 }, "jwt_ttl_seconds"},
		{"verification ttl", func(c *Config) { c.VerificationTokenTTLSeconds = 10 }, "verification_token_ttl_seconds"},
		{"change ttl", func(c *Config) { c.EmailChangeTokenTTLSeconds = -1 }, "email_change_token_ttl_seconds"},
		{"lockout threshold", func(c *Config) { c.LoginLockoutThreshold = 0 }, "login_lockout_threshold"},
		{"lockout window", func(c *Config) { c.LoginLockoutWindowSeconds = 9 }, "login_lockout_window_seconds"},
		{"purge interval negative", func(c *Config) { c.PurgeIntervalSeconds = -1 }, "purge_interval_seconds"},
		{"purge interval too short", func(c *Config) { c.PurgeIntervalSeconds = 59 }, "purge_interval_seconds: 59 is out of range: 0 (off) or 60..604800"},
		{"purge interval too long", func(c *Config) { c.PurgeIntervalSeconds = 604_801 }, "purge_interval_seconds"},
		{"mails per address", func(c *Config) { c.Email.MaxPerAddressPerHour = -1 }, "email.max_per_address_per_hour"},
		{"repeated secret", func(c *Config) { c.JWTSecret = strings.Repeat("k", 32) }, "jwt_secret: is one character repeated"},
		{"patterned secret", func(c *Config) { c.JWTSecret = strings.Repeat("s3cret-", 8) }, "jwt_secret: looks guessable"},
		{"api prefix no slash", func(c *Config) { c.APIPrefix = "api" }, "api_prefix"},
		{"api prefix trailing", func(c *Config) { c.APIPrefix = "/api/" }, "api_prefix"},
		{"link prefix", func(c *Config) { c.EmailLinkPrefix = "account" }, "email_link_prefix"},
		{"base url scheme", func(c *Config) { c.BaseURL = "ftp://example.com" }, "base_url"},
		{"base url relative", func(c *Config) { c.BaseURL = "example.com" }, "base_url"},
		{"base url query", func(c *Config) { c.BaseURL = "https://example.com?x=1" }, "base_url"},
		{"url template", func(c *Config) { c.VerifyURLTemplate = "{base_url}/verify" }, "verify_url_template"},
		{"backend", func(c *Config) { c.Email.Backend = "sendgrid" }, "email.backend"},
		{"smtp without host", func(c *Config) { c.Email.Backend = "smtp" }, "email.smtp_host"},
		{"from address", func(c *Config) { c.Email.FromAddress = "not-an-address" }, "email.from_address"},
		{"from address with name", func(c *Config) { c.Email.FromAddress = "Me <me@example.com>" }, "email.from_address"},
		{"from name newline", func(c *Config) { c.Email.FromName = "Evil\r\nBcc: x@example.com" }, "email.from_name"},
		{"smtp port", func(c *Config) { c.Email.SMTPPort = 70000 }, "email.smtp_port"},
		{"smtp timeout", func(c *Config) { c.Email.SMTPTimeoutSeconds = 0 }, "email.smtp_timeout_seconds"},
		{"max body", func(c *Config) { c.MaxBodyBytes = 0 }, "max_body_bytes"},
		{"hash concurrency", func(c *Config) { c.PasswordHashMaxConcurrent = 0 }, "password_hash_max_concurrent"},
		{"hash wait", func(c *Config) { c.PasswordHashMaxWaitMS = -1 }, "password_hash_max_wait_ms"},
		{"hash memory", func(c *Config) { c.PasswordHashMemoryKiB = 16 }, "password_hash_memory_kib"},
		{"hash memory huge", func(c *Config) { c.PasswordHashMemoryKiB = 1 << 30 }, "password_hash_memory_kib"},
		{"hash time", func(c *Config) { c.PasswordHashTimeCost = 0 }, "password_hash_time_cost"},
		{"hash parallelism", func(c *Config) { c.PasswordHashParallelism = 256 }, "password_hash_parallelism"},
		{"database url", func(c *Config) { c.DatabaseURL = "" }, "database_url"},
		{"app name", func(c *Config) { c.AppName = "" }, "app_name"},
	}
	for _, tt := range tests {
		c := valid()
		tt.mutate(&c)
		err := c.Validate()
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %q does not mention %q", tt.name, err, tt.want)
		}
		if strings.Contains(err.Error(), testSecret) {
			t.Errorf("%s: error leaks the secret", tt.name)
		}
	}

	// Everything wrong at once is reported at once.
	c := valid()
	c.JWTAlgorithm = "x"
	c.APIPrefix = "x"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "jwt_algorithm") || !strings.Contains(err.Error(), "api_prefix") {
		t.Errorf("joined errors: %v", err)
	}

	// The short-secret message must never echo the secret itself.
	c = valid()
	c.JWTSecret = "hunter2-but-longer"
	if err := c.Validate(); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("short secret error %v leaks or is missing", err)
	}

	// Valid variations.
	for name, mutate := range map[string]func(*Config){
		"smtp with host": func(c *Config) { c.Email.Backend = "smtp"; c.Email.SMTPHost = "mail.example.com" },
		"link prefix":    func(c *Config) { c.EmailLinkPrefix = "/account" },
		"templates":      func(c *Config) { c.VerifyURLTemplate = "https://app.example.com/v#{token}" },
		"HS512":          func(c *Config) { c.JWTAlgorithm = "HS512" },
		"base url path":  func(c *Config) { c.BaseURL = "https://example.com/app" },
		"zero wait":      func(c *Config) { c.PasswordHashMaxWaitMS = 0 },
		"purge off":      func(c *Config) { c.PurgeIntervalSeconds = 0 },
		"purge minute":   func(c *Config) { c.PurgeIntervalSeconds = 60 },
		"no mail cap":    func(c *Config) { c.Email.MaxPerAddressPerHour = 0 },
	} {
		c := valid()
		mutate(&c)
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestFromHeader(t *testing.T) {
	tests := []struct {
		appName, fromName, address, want string
	}{
		{"RegStack", "", "noreply@example.com", "RegStack <noreply@example.com>"},
		{"My App", "Support Team", "help@example.com", "Support Team <help@example.com>"},
		{"Acme, Inc.", "", "noreply@acme.example", `"Acme, Inc." <noreply@acme.example>`},
		{"Café", "", "noreply@example.com", "=?utf-8?q?Caf=C3=A9?= <noreply@example.com>"},
	}
	for _, tt := range tests {
		c := valid()
		c.AppName, c.Email.FromName, c.Email.FromAddress = tt.appName, tt.fromName, tt.address
		if got := c.FromHeader(); got != tt.want {
			t.Errorf("FromHeader(app %q, from %q) = %q, want %q", tt.appName, tt.fromName, got, tt.want)
		}
	}
}
