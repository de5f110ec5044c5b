// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// FuzzParseRateLimit feeds arbitrary *_rate_limit settings to the parser.
// Properties: it never panics; every rule it accepts is 1..1000000
// requests per 1 second..1000 days; and the rules spelled back the way a
// 429 answer spells them ("10 per 1 minute"), joined with ";", parse to the
// same rules.
func FuzzParseRateLimit(f *testing.F) {
	for _, s := range []string{
		"", "off", "OFF", " off ", "10/minute", "5/15 minutes", "100 per 2 hours",
		"10/minute;100/hour", "10/minute, 100/hour", "1/second;1000000/day",
		"10 / minute", "10PER minute", "10 per minutes", "10/Minute", "10/minute;",
		";", ";;", ",", "0/minute", "1000001/minute", "10/0 minutes", "10/1001 days",
		"10/1000 days", "99999999999999999999/minute", "10/99999999999999999999 hours",
		"-1/minute", "+1/minute", "1.5/minute", "10/week", "10/minute;off", "off;10/minute",
		"１０/minute", "10/minute\x00", "10\n/minute", "10/\tminute", "10/ 5 seconds",
		"10 per 1 minute", "7 per 90 seconds",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		rates, err := ParseRateLimit(text)
		if err != nil {
			if rates != nil {
				t.Fatalf("ParseRateLimit(%q) returned rules %v with error %v", text, rates, err)
			}
			return
		}
		if len(rates) == 0 {
			if trimmed := strings.TrimSpace(text); trimmed != "" && !strings.EqualFold(trimmed, "off") {
				t.Fatalf("ParseRateLimit(%q) = no limit without error", text)
			}
			return
		}
		spelled := make([]string, len(rates))
		for i, r := range rates {
			if r.Count < 1 || r.Count > 1_000_000 || r.Period < time.Second || r.Period > 1000*24*time.Hour {
				t.Fatalf("ParseRateLimit(%q) accepted rule %+v", text, r)
			}
			spelled[i] = r.String()
		}
		again, err := ParseRateLimit(strings.Join(spelled, ";"))
		if err != nil || !slices.Equal(again, rates) {
			t.Fatalf("ParseRateLimit(%q) = %v, spelled %q, which parses to %v, %v", text, rates, spelled, again, err)
		}
	})
}

// FuzzTrustedProxyPrefixes feeds arbitrary trusted_proxies settings to
// the parser. Properties: it never panics; errors name the key; every
// prefix is valid, masked, without a zone and never an IPv4-mapped IPv6
// form of an IPv4 prefix (which would never match an unmapped peer); and
// the prefixes written back, comma-separated, parse to the same list.
func FuzzTrustedProxyPrefixes(f *testing.F) {
	for _, s := range []string{
		"", " ", ",", "10.0.0.0/8", "10.0.0.1/8", "192.0.2.7", "::1", "fe80::1%eth0", "fe80::/10",
		"10.0.0.0/8, 172.16.0.0/12,192.168.0.0/16", "::ffff:10.0.0.1", "::ffff:10.0.0.0/104",
		"::ffff:0.0.0.0/96", "::ffff:10.0.0.0/95", "0.0.0.0/0", "::/0", "10.0.0.0/33", "10.0.0.0/-1",
		"10.0.0.0/08", "010.0.0.1", "1.2.3", "1.2.3.4.5", "localhost", "10.0.0.0/8,,", "[::1]",
		"2001:db8::/32\n", "1.2.3.4/32/1", "1.2.3.4:80",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		prefixes, err := Config{TrustedProxies: text}.TrustedProxyPrefixes()
		if err != nil {
			if !strings.Contains(err.Error(), "trusted_proxies") {
				t.Fatalf("TrustedProxyPrefixes(%q): error %q does not name the key", text, err)
			}
			return
		}
		written := make([]string, len(prefixes))
		for i, p := range prefixes {
			switch {
			case !p.IsValid():
				t.Fatalf("TrustedProxyPrefixes(%q) returned an invalid prefix %v", text, p)
			case p != p.Masked():
				t.Fatalf("TrustedProxyPrefixes(%q) returned unmasked %v", text, p)
			case p.Addr().Zone() != "":
				t.Fatalf("TrustedProxyPrefixes(%q) returned %v with a zone", text, p)
			case p.Addr().Is4In6() && p.Bits() >= 96:
				t.Fatalf("TrustedProxyPrefixes(%q) returned the mapped form %v", text, p)
			}
			written[i] = p.String()
		}
		again, err := Config{TrustedProxies: strings.Join(written, ",")}.TrustedProxyPrefixes()
		if err != nil || !slices.Equal(again, prefixes) {
			t.Fatalf("TrustedProxyPrefixes(%q) = %v, written back as %q: %v, %v", text, prefixes, written, again, err)
		}
	})
}

// checkValidateMessages runs Validate on c and checks what it says: every
// line names a key ("config: <key>: ...") and no secret value set in c
// appears in it.
func checkValidateMessages(t *testing.T, c Config, secrets []string) {
	t.Helper()
	err := c.Validate()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, line := range strings.Split(msg, "\n") {
		rest, ok := strings.CutPrefix(line, "config: ")
		key, _, ok2 := strings.Cut(rest, ":")
		if _, known := lookupName(key); !ok || !ok2 || !known {
			t.Fatalf("Validate: line %q does not name a key (all: %q)", line, msg)
		}
	}
	for _, s := range secrets {
		if leaks(msg, s) {
			t.Fatalf("Validate: message %q shows the secret %q", msg, s)
		}
	}
}

// leaks reports whether msg shows secret: quoted, as values are shown, or
// verbatim when it is long enough not to occur by chance.
func leaks(msg, secret string) bool {
	return secret != "" && (strings.Contains(msg, strconv.Quote(secret)) || len(secret) >= 16 && strings.Contains(msg, secret))
}

// FuzzSetting sets one key (chosen by index into the key table) to an
// arbitrary value, through the environment, a TOML string or the secrets
// file. Properties: nothing panics (Read nor Validate); a value Read refuses
// is reported under the source's name for the key (the environment
// variable, or the file and TOML key or variable), and a secret key's
// value never appears in a message; a string value Read accepts is stored
// exactly as given (base_url loses trailing slashes).
func FuzzSetting(f *testing.F) {
	dir := f.TempDir()
	tomlPath := filepath.Join(dir, "regstack.toml")
	secretsPath := filepath.Join(dir, "regstack.secrets.env")
	all := fields()
	index := func(name string) uint16 {
		for i, fl := range all {
			if fl.name == name {
				return uint16(i)
			}
		}
		f.Fatalf("no key %s", name)
		return 0
	}
	for _, s := range []struct {
		key, value string
	}{
		{"jwt_ttl_seconds", "3600"}, {"jwt_ttl_seconds", " 42 "}, {"jwt_ttl_seconds", "1e3"},
		{"jwt_ttl_seconds", "99999999999999999999"}, {"jwt_ttl_seconds", "-1"}, {"jwt_ttl_seconds", ""},
		{"require_verification", "yes"}, {"require_verification", "maybe"}, {"require_verification", "TRUE"},
		{"jwt_secret", "short"}, {"jwt_secret", "NyhV4WCcuwl6rGJFiFykkFHC4_xBPlGP0F6jpgDmcaA"},
		{"jwt_secret", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, {"database_url", "postgres://u:p@h/db"},
		{"base_url", "http://example.com/"}, {"base_url", "javascript:alert(1)"}, {"base_url", "http://u:p@x/"},
		{"api_prefix", "/api/"}, {"api_prefix", "api"}, {"api_prefix", "/a/../b"},
		{"jwt_algorithm", "none"}, {"login_rate_limit", "10/fortnight"}, {"trusted_proxies", "10.0.0.0/8,bogus"},
		{"email.smtp_port", "0"}, {"email.smtp_port", "65536"}, {"email.from_address", "Ann <a@b.c>"},
		{"email.from_address", "\xff@example.com"}, {"app_name", "Name\r\nBcc: x"}, {"max_body_bytes", "0"},
		{"password_hash_memory_kib", "1"}, {"verify_url_template", "https://x/verify"},
	} {
		for mode := uint8(0); mode < 3; mode++ {
			f.Add(index(s.key), mode, s.value)
		}
	}
	f.Fuzz(func(t *testing.T, idx uint16, mode uint8, value string) {
		fl := all[int(idx)%len(all)]
		opts := LoadOptions{TOMLPath: tomlPath, SecretsPath: secretsPath, Environ: []string{}}
		toml0, secrets0 := []byte{}, []byte{}
		var source string
		switch mode % 3 {
		case 0: // the environment
			opts.Environ = []string{fl.env() + "=" + value}
			source = fl.env()
		case 1: // regstack.toml, as a string
			if fl.name == "jwt_secret" || !utf8.ValidString(value) {
				// jwt_secret is refused there whatever its value; TOML
				// cannot carry invalid UTF-8 (the encoder writes it anyway).
				return
			}
			table, key, nested := strings.Cut(fl.name, ".")
			tree := map[string]any{table: value}
			if nested {
				tree = map[string]any{table: map[string]any{key: value}}
			}
			var buf bytes.Buffer
			if err := toml.NewEncoder(&buf).Encode(tree); err != nil {
				t.Fatal(err)
			}
			toml0 = buf.Bytes()
			source = fl.name
			if nested {
				source = key
			}
		case 2: // regstack.secrets.env, one line
			if strings.ContainsAny(value, "\r\n") {
				return // the value would be more than one line
			}
			secrets0 = []byte(fl.env() + "=" + value + "\n")
			source = fl.env()
		}
		if err := os.WriteFile(tomlPath, toml0, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(secretsPath, secrets0, 0o600); err != nil {
			t.Fatal(err)
		}
		var secrets []string
		if fl.secret {
			secrets = append(secrets, value, strings.TrimSpace(value))
		}
		cfg, err := Read(opts)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "config: ") || !strings.Contains(msg, source) {
				t.Fatalf("%s=%q: error %q does not name %s", fl.name, value, msg, source)
			}
			for _, s := range secrets {
				if leaks(msg, s) {
					t.Fatalf("%s=%q: error %q shows the secret", fl.name, value, msg)
				}
			}
			return
		}
		if p, ok := fl.ref(&cfg).(*string); ok {
			want := value
			if mode%3 == 2 {
				want = unquote(strings.TrimSpace(value))
			}
			if fl.name == "base_url" {
				want = strings.TrimRight(want, "/")
			}
			if *p != want {
				t.Fatalf("%s=%q (mode %d) stored as %q, want %q", fl.name, value, mode%3, *p, want)
			}
		}
		checkValidateMessages(t, cfg, secrets)
	})
}

// FuzzReadFiles reads arbitrary regstack.toml and regstack.secrets.env
// files. Properties: nothing panics (Read nor Validate); errors start with
// "config: " and name the file they come from; the value of a secret key
// (jwt_secret, database_url) set in the secrets file never appears in a
// message.
func FuzzReadFiles(f *testing.F) {
	dir := f.TempDir()
	tomlPath := filepath.Join(dir, "regstack.toml")
	secretsPath := filepath.Join(dir, "regstack.secrets.env")
	const secret = "REGSTACK_JWT_SECRET=NyhV4WCcuwl6rGJFiFykkFHC4_xBPlGP0F6jpgDmcaA\n"
	for _, s := range [][2]string{
		{"", ""},
		{"", secret},
		{"app_name = \"Shop\"\nbase_url = \"https://shop.example\"\n[email]\nbackend = \"smtp\"\nsmtp_host = \"mail\"\n", secret},
		{"jwt_ttl_seconds = 3600\nrequire_verification = false\n", secret},
		{"jwt_ttl_seconds = 3600.0\n", secret},
		{"jwt_ttl_seconds = 3600.5\n", secret},
		{"jwt_ttl_seconds = 1e300\n", secret},
		{"jwt_ttl_seconds = \"3600\"\n", secret},
		{"jwt_ttl_seconds = 9223372036854775807\n", secret},
		{"jwt_ttl_seconds = [1, 2]\n", secret},
		{"trusted_proxies = [\"10.0.0.0/8\", \"::1\"]\n", secret},
		{"trusted_proxies = [\"10.0.0.0/8,::1\"]\n", secret},
		{"trusted_proxies = [1]\n", secret},
		{"jwt_secret = \"NyhV4WCcuwl6rGJFiFykkFHC4_xBPlGP0F6jpgDmcaA\"\n", ""},
		{"unknown_key = 1\n", secret},
		{"[email]\nunknown = 1\n", secret},
		{"[email.smtp]\nhost = \"x\"\n", secret},
		{"[[email]]\nbackend = \"smtp\"\n", secret},
		{"email = 5\n", secret},
		{"when = 1979-05-27T07:32:00Z\n", secret},
		{"app_name = { a = 1 }\n", secret},
		{"app_name = 'x'\napp_name = 'y'\n", secret},
		{"app_name = \"\\u0000\"\n", secret},
		{"= 1\n", secret},
		{"[", secret},
		{"\xff = 1", secret},
		{"", "export REGSTACK_JWT_SECRET=x\n"},
		{"", "REGSTACK_JWT_SECRET='NyhV4WCcuwl6rGJFiFykkFHC4_xBPlGP0F6jpgDmcaA'\n# comment\n\nREGSTACK_DATABASE_URL=\"postgres://u:hunter2hunter2@h/db\"\n"},
		{"", "REGSTACK_JWT_TTL_SECONDS=abc\nREGSTACK_JWT_SECRET=hunter2hunter2hunter2\n"},
		{"", "REGSTACK_JWT_SECRET\n"},
		{"", "=value\n"},
		{"", "KEY WITH SPACE=1\n"},
		{"", "REGSTACK_UNKNOWN=1\n"},
		{"", strings.Repeat("x", 70_000) + "\n"},
		{"", strings.Repeat("x", 2<<20)},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, tomlText, secretsText string) {
		if err := os.WriteFile(tomlPath, []byte(tomlText), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(secretsPath, []byte(secretsText), 0o600); err != nil {
			t.Fatal(err)
		}
		// The values of the secrets file, as loadSecrets reads them.
		var secrets []string
		for _, line := range strings.Split(secretsText, "\n") {
			k, v, ok := strings.Cut(line, "=")
			if fl, known := lookupEnv(strings.TrimSpace(k)); ok && known && fl.secret {
				if v = unquote(strings.TrimSpace(v)); !strings.Contains(tomlText, v) {
					secrets = append(secrets, v)
				}
			}
		}
		cfg, err := Read(LoadOptions{TOMLPath: tomlPath, SecretsPath: secretsPath, Environ: []string{}})
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "config: ") || !strings.Contains(msg, tomlPath) && !strings.Contains(msg, secretsPath) {
				t.Fatalf("error %q does not name the file it comes from", msg)
			}
			for _, s := range secrets {
				if leaks(msg, s) {
					t.Fatalf("error %q shows the secrets file's value %q", msg, s)
				}
			}
			return
		}
		checkValidateMessages(t, cfg, secrets)
	})
}
