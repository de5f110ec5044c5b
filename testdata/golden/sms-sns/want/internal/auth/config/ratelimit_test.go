// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseRateLimit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []Rate
	}{
		{"", nil},
		{"off", nil},
		{" OFF ", nil},
		{"10/minute", []Rate{{10, time.Minute}}},
		{"10/minutes", []Rate{{10, time.Minute}}},
		{"10 per minute", []Rate{{10, time.Minute}}},
		{"5/15 minutes", []Rate{{5, 15 * time.Minute}}},
		{"100 per 2 hours", []Rate{{100, 2 * time.Hour}}},
		{"1/second;2/day", []Rate{{1, time.Second}, {2, 24 * time.Hour}}},
		{"10/Minute; 100/HOUR", []Rate{{10, time.Minute}, {100, time.Hour}}},
		{"10/minute,100/hour", []Rate{{10, time.Minute}, {100, time.Hour}}},
	} {
		got, err := ParseRateLimit(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("ParseRateLimit(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"ten/minute", "10", "10/", "/minute", "10/fortnight", "0/minute", "-1/minute",
		"10/0 minutes", "10/minute;;x", "10//minute", "10 minute", "2000000/second", "10/1001 seconds", ";", "10/minute extra"} {
		if got, err := ParseRateLimit(bad); err == nil {
			t.Errorf("ParseRateLimit(%q) = %v, want an error", bad, got)
		}
	}
}

func TestRateString(t *testing.T) {
	for r, want := range map[Rate]string{
		{10, time.Minute}:            "10 per 1 minute",
		{5, 15 * time.Minute}:        "5 per 15 minute",
		{100, 2 * time.Hour}:         "100 per 2 hour",
		{3, 48 * time.Hour}:          "3 per 2 day",
		{1, 90 * time.Second}:        "1 per 90 second",
		{7, 1500 * time.Millisecond}: "7 per 1.5s",
	} {
		if got := r.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", r, got, want)
		}
	}
}

func TestTrustedProxyPrefixes(t *testing.T) {
	c := Default()
	c.TrustedProxies = " 10.0.0.0/8, 192.0.2.7 ,::1, fd00::/8, 172.16.5.4/12, ::ffff:192.0.2.9 ,"
	got, err := c.TrustedProxyPrefixes()
	if err != nil {
		t.Fatal(err)
	}
	var want []netip.Prefix
	for _, s := range []string{"10.0.0.0/8", "192.0.2.7/32", "::1/128", "fd00::/8", "172.16.0.0/12", "192.0.2.9/32"} {
		want = append(want, netip.MustParsePrefix(s))
	}
	if !slices.Equal(got, want) {
		t.Errorf("TrustedProxyPrefixes = %v, want %v", got, want)
	}
	for _, bad := range []string{"proxy.internal", "10.0.0.0/33", "10.0.0.1:80", "fe80::1%eth0"} {
		c.TrustedProxies = "127.0.0.1," + bad
		if _, err := c.TrustedProxyPrefixes(); err == nil || !strings.Contains(err.Error(), "trusted_proxies") {
			t.Errorf("trusted_proxies %q: err %v", bad, err)
		}
	}
}

// The rate-limit keys load from every source and bad values are refused
// with the key's name.
func TestRateLimitKeysLoad(t *testing.T) {
	dir := t.TempDir()
	tomlPath := filepath.Join(dir, "regstack.toml")
	body := "login_rate_limit = \"5/minute\"\ntrusted_proxies = [\"10.0.0.0/8\", \"192.0.2.1\"]\n"
	if err := os.WriteFile(tomlPath, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"REGSTACK_JWT_SECRET=" + testSecret, "REGSTACK_REGISTER_RATE_LIMIT=off"}
	cfg, err := Load(LoadOptions{TOMLPath: tomlPath, SecretsPath: filepath.Join(dir, "none.env"), Environ: env})
	if err == nil {
		t.Fatal("a secrets path that does not exist must be an error")
	}
	if err := os.WriteFile(filepath.Join(dir, "none.env"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err = Load(LoadOptions{TOMLPath: tomlPath, SecretsPath: filepath.Join(dir, "none.env"), Environ: env})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LoginRateLimit != "5/minute" || cfg.RegisterRateLimit != "off" || cfg.TrustedProxies != "10.0.0.0/8,192.0.2.1" ||
		cfg.VerifyRateLimit != Default().VerifyRateLimit {
		t.Errorf("loaded %+v", cfg)
	}

	bad := append(slices.Clone(env), "REGSTACK_LOGIN_RATE_LIMIT=lots")
	if _, err := Load(LoadOptions{TOMLPath: tomlPath, SecretsPath: filepath.Join(dir, "none.env"), Environ: bad}); err == nil ||
		!strings.Contains(err.Error(), "login_rate_limit") {
		t.Errorf("bad REGSTACK_LOGIN_RATE_LIMIT: err %v, want one naming login_rate_limit", err)
	}
	if err := os.WriteFile(tomlPath, []byte("app_name = [\"a\"]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(LoadOptions{TOMLPath: tomlPath, SecretsPath: filepath.Join(dir, "none.env"), Environ: env}); err == nil {
		t.Error("a list for a single-valued key must be refused")
	}
}

// Every documented key has an environment name, including the rate limits
// (REGSTACK_LOGIN_RATE_LIMIT ...), and every rate limit's default parses.
func TestRateLimitKeysAreDocumented(t *testing.T) {
	byName := map[string]Key{}
	for _, k := range Keys() {
		byName[k.Name] = k
	}
	def := Default()
	limits := 0
	for _, f := range fields() {
		if f.route == "" {
			if strings.HasSuffix(f.name, "_rate_limit") {
				t.Errorf("key %s names no route", f.name)
			}
			continue
		}
		limits++
		value := *f.ref(&def).(*string)
		got, ok := byName[f.name]
		if !ok || got.Env != "REGSTACK_"+strings.ToUpper(f.name) || got.Type != "string" || got.Doc == "" ||
			!strings.Contains(got.Doc, f.route) || got.Default != `"`+value+`"` {
			t.Errorf("key %s documented as %+v", f.name, got)
		}
		if rates, err := ParseRateLimit(value); err != nil || len(rates) == 0 {
			t.Errorf("default of %s: %v, %v", f.name, rates, err)
		}
	}
	limited, err := def.RouteRateLimits()
	if err != nil || len(limited) != limits {
		t.Errorf("RouteRateLimits() = %d limits, %v; want %d", len(limited), err, limits)
	}
	if k := byName["trusted_proxies"]; k.Env != "REGSTACK_TRUSTED_PROXIES" || k.Default != `""` {
		t.Errorf("trusted_proxies documented as %+v", k)
	}
}
