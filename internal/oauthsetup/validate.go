package oauthsetup

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"
)

// Input is what the operator gives the wizard. Every field is final: the
// callers fill in the host's current values for what the operator left
// alone.
type Input struct {
	// BaseURL is where the app is served; the redirect URI and the
	// JavaScript origin are computed from it.
	BaseURL  string
	ClientID string
	// ClientSecret is the new secret; empty keeps the one in the secrets
	// file (valid only when there is one).
	ClientSecret string
	// RedirectURI is a custom redirect URI; empty means the one computed
	// from BaseURL and the host's api_prefix.
	RedirectURI string
	AutoLink    bool
}

// FieldError is a problem with one field of the Input, named the way the
// form and the headless report name it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) String() string { return e.Field + ": " + e.Message }

// The field names of FieldError.
const (
	FieldBaseURL      = "base_url"
	FieldClientID     = "client_id"
	FieldClientSecret = "client_secret"
	FieldRedirectURI  = "redirect_uri"
)

// clientIDPattern is the reference's (and the generated config's) shape of
// a Google client ID.
var clientIDPattern = regexp.MustCompile(`^[\w.\-]+\.apps\.googleusercontent\.com$`)

// Validate checks every field and returns all problems, in form order.
// haveSecret says the secrets file already holds a client secret, which an
// empty ClientSecret then keeps.
func Validate(in Input, haveSecret bool) []FieldError {
	var errs []FieldError
	add := func(field, msg string) { errs = append(errs, FieldError{field, msg}) }
	if msg := checkURL(in.BaseURL, "Base URL"); msg != "" {
		add(FieldBaseURL, msg)
	}
	switch {
	case in.ClientID == "":
		add(FieldClientID, "Client ID is required.")
	case !clientIDPattern.MatchString(in.ClientID):
		add(FieldClientID, "Client ID must end with .apps.googleusercontent.com.")
	}
	switch n := len([]rune(in.ClientSecret)); {
	case n == 0 && haveSecret:
	case n == 0:
		add(FieldClientSecret, "Client secret is required.")
	case n < 8 || n > 128:
		add(FieldClientSecret, "Client secret length must be 8 to 128 characters.")
	case strings.IndexFunc(in.ClientSecret, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		// The generated config refuses such a secret at start, and the
		// secrets file cannot hold a line break.
		add(FieldClientSecret, "Client secret must not contain spaces or control characters.")
	}
	if in.RedirectURI != "" {
		if msg := checkURL(in.RedirectURI, "Redirect URI"); msg != "" {
			add(FieldRedirectURI, msg)
		}
	}
	return errs
}

// checkURL is the reference's check of a base URL: required, http or
// https, with a host. It returns the message, or "".
func checkURL(s, what string) string {
	if strings.TrimSpace(s) == "" {
		return what + " is required."
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "URL must start with http:// or https://."
	}
	if u.Host == "" || u.Hostname() == "" {
		return "URL is missing a host."
	}
	return ""
}

// RedirectURI is the redirect URI the generated app computes when
// google_redirect_uri is empty: the base URL and the API prefix, each
// without a trailing slash, then /oauth/google/callback.
func RedirectURI(baseURL, apiPrefix string) string {
	return strings.TrimRight(baseURL, "/") + strings.TrimRight(apiPrefix, "/") + "/oauth/google/callback"
}

// Origin is the JavaScript origin of a base URL, scheme://host[:port], as
// Google's console wants it (no path, no trailing slash).
func Origin(baseURL string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", err
	}
	if u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute URL", baseURL)
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host), nil
}
