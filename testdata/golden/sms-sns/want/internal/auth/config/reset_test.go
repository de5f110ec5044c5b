// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"os"
	"strings"
	"testing"
)

// The password reset settings load, default and validate like the others.
func TestPasswordResetKeys(t *testing.T) {
	d := Default()
	if !d.EnablePasswordReset || d.PasswordResetTokenTTLSeconds != 1800 || d.PasswordResetURLTemplate != "" ||
		d.ForgotPasswordRateLimit != "10/minute;100/hour" || d.ResetPasswordRateLimit != "60/minute;600/hour" {
		t.Errorf("defaults: %+v", d)
	}

	p := write(t, t.TempDir(), "regstack.toml", "enable_password_reset = false\npassword_reset_token_ttl_seconds = 600\n"+
		"password_reset_url_template = \"https://app.example.com/r#{token}\"\nforgot_password_rate_limit = \"off\"\n")
	cfg, err := Load(LoadOptions{TOMLPath: p, SecretsPath: os.DevNull,
		Environ: []string{"REGSTACK_JWT_SECRET=" + testSecret, "REGSTACK_RESET_PASSWORD_RATE_LIMIT=5/minute"}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.EnablePasswordReset || cfg.PasswordResetTokenTTLSeconds != 600 || cfg.PasswordResetURLTemplate != "https://app.example.com/r#{token}" ||
		cfg.ForgotPasswordRateLimit != "off" || cfg.ResetPasswordRateLimit != "5/minute" {
		t.Errorf("loaded %+v", cfg)
	}
	limits, err := cfg.RouteRateLimits()
	if err != nil {
		t.Fatal(err)
	}
	routes := map[string]RouteRateLimit{}
	for _, l := range limits {
		routes[l.Route] = l
	}
	if l := routes["POST /forgot-password"]; l.Key != "forgot_password_rate_limit" || l.Rates != nil {
		t.Errorf("forgot-password limit %+v", l)
	}
	if l := routes["POST /reset-password"]; l.Key != "reset_password_rate_limit" || len(l.Rates) != 1 {
		t.Errorf("reset-password limit %+v", l)
	}

	for name, tt := range map[string]struct {
		mutate func(*Config)
		want   string
	}{
		"reset ttl":      {func(c *Config) { c.PasswordResetTokenTTLSeconds = 0 }, "password_reset_token_ttl_seconds: 0 is below the minimum 60"},
		"reset template": {func(c *Config) { c.PasswordResetURLTemplate = "{base_url}/reset" }, "password_reset_url_template: must contain {token}"},
		"forgot limit":   {func(c *Config) { c.ForgotPasswordRateLimit = "lots" }, "forgot_password_rate_limit"},
	} {
		c := valid()
		tt.mutate(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want an error mentioning %q", name, err, tt.want)
		}
	}
}
