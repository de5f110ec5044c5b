// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"strings"
	"testing"
)

func TestPagesDefaults(t *testing.T) {
	d := Default()
	for name, c := range map[string]struct{ got, want any }{
		"ui_prefix":           {d.UIPrefix, "/account"},
		"static_prefix":       {d.StaticPrefix, "/regstack-static"},
		"email_link_prefix":   {d.EmailLinkPrefix, "/account"},
		"ui_lang":             {d.UILang, "en"},
		"session_cookie_name": {d.SessionCookieName, "regstack_session"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", name, c.got, c.want)
		}
	}
}

func TestPagesValidation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"ui prefix empty", func(c *Config) { c.UIPrefix = "" }, "ui_prefix"},
		{"static prefix", func(c *Config) { c.StaticPrefix = "/static/" }, "static_prefix"},
		{"lang", func(c *Config) { c.UILang = "en US" }, "ui_lang"},
		{"cookie name", func(c *Config) { c.SessionCookieName = "a;b" }, "session_cookie_name"},
		{"cookie prefix given", func(c *Config) { c.SessionCookieName = "__Host-x" }, "session_cookie_name"},
		{"logo elsewhere", func(c *Config) { c.BrandLogoURL = "https://cdn.example/logo.png" }, "brand_logo_url"},
		{"theme script URL", func(c *Config) { c.ThemeCSSURL = "javascript:alert(1)" }, "theme_css_url"},
		{"theme over http", func(c *Config) { c.ThemeCSSURL = "http://cdn.example/t.css" }, "theme_css_url"},
	} {
		c := valid()
		tc.mutate(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.want)
		}
	}
	for name, mutate := range map[string]func(*Config){
		"logo path":   func(c *Config) { c.BrandLogoURL = "/static/logo.svg" },
		"theme https": func(c *Config) { c.ThemeCSSURL = "https://cdn.example/theme.css" },
		"lang tag":    func(c *Config) { c.UILang = "pt-BR" },
	} {
		c := valid()
		mutate(&c)
		if err := c.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestSessionCookieName(t *testing.T) {
	c := valid()
	c.BaseURL = "https://example.com"
	if got := c.SessionCookie(); got != "__Host-regstack_session" {
		t.Errorf("https: cookie %q, want __Host-regstack_session", got)
	}
	c.BaseURL = "http://127.0.0.1:8000"
	if got := c.SessionCookie(); got != "regstack_session" {
		t.Errorf("http: cookie %q, want regstack_session", got)
	}
}
