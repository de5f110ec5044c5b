// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// langTag is the shape of a BCP 47 language tag ("en", "pt-BR",
// "zh-Hant-TW"): what <html lang> expects.
var langTag = regexp.MustCompile(`^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$`)

// cookieName is an RFC 6265 cookie name (an HTTP token).
var cookieName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// validatePages checks the keys of the account pages.
func (c Config) validatePages() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...)))
	}
	if !langTag.MatchString(c.UILang) {
		bad("ui_lang", "%q is not a language tag such as en or pt-BR", c.UILang)
	}
	if !cookieName.MatchString(c.SessionCookieName) || strings.HasPrefix(c.SessionCookieName, "__") {
		bad("session_cookie_name", "%q is not a cookie name (letters, digits and -._; the __Host- prefix is added for an https base_url)", c.SessionCookieName)
	}
	if hasControl(c.BrandTagline) {
		bad("brand_tagline", "must not contain control characters")
	}
	if err := checkPageURL(c.BrandLogoURL, false); err != nil {
		bad("brand_logo_url", "%v", err)
	}
	if err := checkPageURL(c.ThemeCSSURL, true); err != nil {
		bad("theme_css_url", "%v", err)
	}
	return errs
}

// checkPageURL accepts "", a path on this site ("/static/x.css"), or, when
// crossOrigin is set, an https URL.
func checkPageURL(s string, crossOrigin bool) error {
	if s == "" {
		return nil
	}
	if hasControl(s) || strings.ContainsAny(s, " \"'<>\\") {
		return fmt.Errorf("%q is not a URL", s)
	}
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return nil
	}
	u, err := url.Parse(s)
	if crossOrigin && err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil {
		return nil
	}
	if crossOrigin {
		return fmt.Errorf("%q must be a path on this site (/...) or an https URL", s)
	}
	return fmt.Errorf("%q must be a path on this site (/...)", s)
}

// SessionCookie is the name the pages' session cookie is sent under:
// session_cookie_name, with the __Host- prefix when the site is served over
// https (the browser then only accepts it from this exact host, Secure,
// with Path=/ and no Domain, so a sibling subdomain cannot set or shadow
// it).
func (c Config) SessionCookie() string {
	if strings.HasPrefix(strings.ToLower(c.BaseURL), "https://") {
		return "__Host-" + c.SessionCookieName
	}
	return c.SessionCookieName
}
