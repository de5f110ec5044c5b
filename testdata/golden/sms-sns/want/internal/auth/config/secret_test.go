// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Guessable secrets are refused with a message that says why and never
// repeats the secret.
func TestWeakSecretsRefused(t *testing.T) {
	tests := []struct {
		name, secret string
		want         []string
	}{
		{"one character", strings.Repeat("a", 32), []string{"one character repeated 32 times"}},
		{"one character, long", strings.Repeat("Z", 100), []string{"one character repeated 100 times"}},
		{"two characters alternating", strings.Repeat("01", 16), []string{"repeats a sequence", "2 different characters"}},
		{"short pattern", strings.Repeat("abcd", 8), []string{"looks guessable"}},
		{"word repeated", strings.Repeat("s3cret-", 8), []string{"repeats a sequence"}},
		{"pattern with a tail", strings.Repeat("Tr0ub4dor&3-", 3), []string{"repeats a sequence"}},
		{"the old test secret", "0123456789abcdef0123456789abcdef-secret", []string{"runs such as"}},
		{"alphabet", "abcdefghijklmnopqrstuvwxyz012345", []string{"runs such as"}},
		{"keyboard", "qwertyuiopasdfghjklzxcvbnm1234567890", []string{"looks guessable"}},
		{"placeholder phrase", "this-is-my-super-secret-jwt-key-please-change-me", []string{"common in placeholder secrets"}},
		{"changeme", "changeme-changeme-changeme-changeme", []string{"looks guessable"}},
		{"company phrase", "My-Company-Name-Production-Signing-Key-2024", []string{"looks guessable"}},
		{"sentence", "correct horse battery staple is what we chose", []string{"it is a phrase"}},
		{"few different characters", "0110100110010110100101100110100101101001", []string{"2 different characters"}},
		{"mostly one character", strings.Repeat("a", 40) + "Xk9#mP2q", []string{"runs such as"}},
	}
	for _, tt := range tests {
		err := CheckJWTSecret(tt.secret)
		if err == nil {
			t.Errorf("%s: %q accepted (estimate %.0f bits)", tt.name, tt.secret, estimateSecret(tt.secret).bits)
			continue
		}
		for _, w := range append(tt.want, "openssl rand -base64 48", "regstack.secrets.env") {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", tt.name, err, w)
			}
		}
		if strings.Contains(err.Error(), tt.secret[:8]) {
			t.Errorf("%s: error %q repeats part of the secret", tt.name, err)
		}
		// Validate reports it under the key's name.
		c := valid()
		c.JWTSecret = tt.secret
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "config: jwt_secret: ") {
			t.Errorf("%s: Validate = %v", tt.name, err)
		}
	}
}

// Secrets made by random generators pass, by a wide margin, in every
// encoding people use: regstack gen's (64 bytes base64url), `openssl rand
// -base64 48`, `openssl rand -hex 32` and Python's
// secrets.token_urlsafe(32). Many are tried, since a random string can
// contain a repeat or a run by chance.
func TestRandomSecretsAccepted(t *testing.T) {
	random := func(n int) []byte {
		b := make([]byte, n)
		if _, err := rand.Read(b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	generators := map[string]func() string{
		"regstack gen":         func() string { return base64.RawURLEncoding.EncodeToString(random(64)) },
		"openssl rand -base64": func() string { return base64.StdEncoding.EncodeToString(random(48)) },
		"openssl rand -hex":    func() string { return hex.EncodeToString(random(32)) },
		"token_urlsafe(32)":    func() string { return base64.RawURLEncoding.EncodeToString(random(32)) },
	}
	for name, generate := range generators {
		lowest := 1e9
		for range 2000 {
			s := generate()
			if err := CheckJWTSecret(s); err != nil {
				t.Fatalf("%s: %q refused: %v", name, s, err)
			}
			lowest = min(lowest, estimateSecret(s).bits)
		}
		// The margin: a generator close to the limit would fail now and then.
		if lowest < MinSecretBits+30 {
			t.Errorf("%s: lowest estimate %.0f bits, too close to %d", name, lowest, MinSecretBits)
		}
	}
	for _, s := range []string{testSecret, "kT9#vQ2$xL7!mZ4&pW8*rN3^bY6@cH1%"} {
		if err := CheckJWTSecret(s); err != nil {
			t.Errorf("%q refused: %v", s, err)
		}
	}
}

// The estimate's rules, one at a time.
func TestEstimateSecret(t *testing.T) {
	// 32 different characters: 5 bits each.
	distinct := "kT9vQ2xL7mZ4pW8rN3bY6cH1fJ0gS5dE"
	if e := estimateSecret(distinct); e.bits != 160 || e.repeats || e.runs || e.words || e.phrase {
		t.Errorf("32 different characters: %+v, want 160 bits and no discount", e)
	}
	// Repeating it adds nothing beyond the first repeatSpan-1 characters
	// of the second copy.
	if e := estimateSecret(distinct + distinct); !e.repeats || e.bits != 160+3*5 {
		t.Errorf("repeated: %+v, want %d bits", e, 160+3*5)
	}
	// A run adds only its first two characters, a common word nothing
	// (whatever its case). Both add different characters, which raise the
	// worth of every other one.
	for extra, counted := range map[string]float64{"aaaaaaaa": 2, "SeCrEt": 0} {
		e := estimateSecret(distinct + extra)
		want := (32 + counted) * math.Log2(float64(e.distinct))
		if math.Abs(e.bits-want) > 1e-9 || e.runs != (counted == 2) || e.words != (counted == 0) {
			t.Errorf("with %q: %+v, want %.1f bits", extra, e, want)
		}
	}
	// A phrase counts at most maxBitsPerWord per word.
	if e := estimateSecret("Amber Bicycle Cobalt Dragon Ember Falcon Glacier Harbor"); !e.phrase || e.bits != 8*maxBitsPerWord {
		t.Errorf("phrase: %+v, want %v bits", e, 8*maxBitsPerWord)
	}
	// A random string with mixed case and digits is not a phrase.
	if _, phrase := phraseWords("NyhV4WCcuwl6rGJF-iFykkFHC4_xBPlGP0"); phrase {
		t.Error("a random string was taken for a phrase")
	}
}

// jwt_secret in regstack.toml is refused wherever the file comes from;
// the other secrets are still accepted there.
func TestTOMLRefusesJWTSecret(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "regstack.toml", "[email]\nsmtp_password = \"pw\"\n")
	if _, err := Load(LoadOptions{TOMLPath: p, SecretsPath: os.DevNull, Environ: []string{"REGSTACK_JWT_SECRET=" + testSecret}}); err != nil {
		t.Fatalf("smtp_password in TOML: %v", err)
	}
	p = write(t, dir, "regstack.toml", "app_name = \"x\"\n\njwt_secret = \"whatever-it-is-it-does-not-belong-here\"\n")
	for name, opts := range map[string]LoadOptions{
		"TOMLPath":        {TOMLPath: p, SecretsPath: os.DevNull, Environ: []string{}},
		"REGSTACK_CONFIG": {SecretsPath: os.DevNull, Environ: []string{"REGSTACK_CONFIG=" + p}},
	} {
		// Read refuses it too, so `regstack migrate` and doctor report it.
		_, err := Read(opts)
		if err == nil || !strings.Contains(err.Error(), "regstack.toml:3: jwt_secret does not belong in") ||
			!strings.Contains(err.Error(), "REGSTACK_JWT_SECRET") || strings.Contains(err.Error(), "whatever") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// A secrets file others can read is loaded, with a warning on the logger.
func TestSecretsFileModeWarning(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix file modes")
	}
	dir := t.TempDir()
	p := write(t, dir, "regstack.secrets.env", "REGSTACK_JWT_SECRET="+testSecret+"\n")
	load := func(mode os.FileMode) string {
		t.Helper()
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		cfg, err := Load(LoadOptions{TOMLPath: os.DevNull, SecretsPath: p, Environ: []string{},
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil || cfg.JWTSecret != testSecret {
			t.Fatalf("mode %04o: %v", mode, err)
		}
		return logs.String()
	}
	for _, mode := range []os.FileMode{0o600, 0o400} {
		if logs := load(mode); logs != "" {
			t.Errorf("mode %04o: unexpected log %q", mode, logs)
		}
	}
	for _, mode := range []os.FileMode{0o640, 0o644, 0o604} {
		logs := load(mode)
		if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "chmod 600") ||
			!strings.Contains(logs, filepath.Base(p)) || strings.Contains(logs, testSecret) {
			t.Errorf("mode %04o: log %q, want a warning naming the file", mode, logs)
		}
	}
}

// The purge interval and the per-address mail cap load from every source.
func TestPurgeAndMailCapKeys(t *testing.T) {
	dir := t.TempDir()
	p := write(t, dir, "regstack.toml", "purge_interval_seconds = 600\n[email]\nmax_per_address_per_hour = 3\n")
	cfg, err := Load(LoadOptions{TOMLPath: p, SecretsPath: os.DevNull, Environ: []string{"REGSTACK_JWT_SECRET=" + testSecret}})
	if err != nil || cfg.PurgeIntervalSeconds != 600 || cfg.Email.MaxPerAddressPerHour != 3 {
		t.Fatalf("from TOML: %d, %d, %v", cfg.PurgeIntervalSeconds, cfg.Email.MaxPerAddressPerHour, err)
	}
	cfg, err = Load(LoadOptions{TOMLPath: p, SecretsPath: os.DevNull, Environ: []string{"REGSTACK_JWT_SECRET=" + testSecret,
		"REGSTACK_PURGE_INTERVAL_SECONDS=0", "REGSTACK_EMAIL__MAX_PER_ADDRESS_PER_HOUR=0"}})
	if err != nil || cfg.PurgeIntervalSeconds != 0 || cfg.Email.MaxPerAddressPerHour != 0 {
		t.Fatalf("0 (off) from the environment: %d, %d, %v", cfg.PurgeIntervalSeconds, cfg.Email.MaxPerAddressPerHour, err)
	}
	_, err = Load(LoadOptions{TOMLPath: p, SecretsPath: os.DevNull, Environ: []string{"REGSTACK_JWT_SECRET=" + testSecret,
		"REGSTACK_EMAIL__MAX_PER_ADDRESS_PER_HOUR=-2"}})
	if err == nil || !strings.Contains(err.Error(), "email.max_per_address_per_hour") {
		t.Fatalf("negative cap: %v", err)
	}
}
