// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"fmt"
	"regexp"
	"strings"
)

// googleClientID is the shape of a Google OAuth client ID.
var googleClientID = regexp.MustCompile(`^[\w.\-]+\.apps\.googleusercontent\.com$`)

// GoogleConfigured reports whether the Google client is set up: without
// both halves of it the /oauth routes answer 404 for google.
func (o OAuthConfig) GoogleConfigured() bool {
	return o.GoogleClientID != "" && o.GoogleClientSecret != ""
}

// validate checks the [oauth] keys beyond the bounds of the key table.
func (o OAuthConfig) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: oauth.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if o.GoogleClientID != "" && !googleClientID.MatchString(o.GoogleClientID) {
		bad("google_client_id", "%q must end with .apps.googleusercontent.com (the client ID of a web application in the Google Cloud console)", o.GoogleClientID)
	}
	if hasControl(o.GoogleClientSecret) || strings.ContainsAny(o.GoogleClientSecret, " ") {
		bad("google_client_secret", "must not contain spaces or control characters")
	}
	if err := checkServiceURL(o.GoogleIssuer); err != nil {
		bad("google_issuer", "%v", err)
	}
	if o.GoogleRedirectURI != "" {
		// Google redirects the browser here with the code: a plain-http
		// address elsewhere than loopback would expose it.
		if err := checkServiceURL(o.GoogleRedirectURI); err != nil {
			bad("google_redirect_uri", "%v", err)
		}
	}
	return errs
}
