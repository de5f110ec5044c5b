// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// checkServiceURL accepts the base URL of an outside service (an SMS or
// mail provider's API) when it is https, or http on a loopback address (a
// local fake or emulator in tests): anywhere else, plain http would carry
// credentials and one-time codes or links in the clear.
func checkServiceURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		if strings.Contains(s, "@") {
			// Perhaps credentials: keep the value out of the message.
			return errors.New("is not an http(s) URL")
		}
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	// A password in the URL stays out of the message.
	shown := u.Redacted()
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not contain credentials, a query or a fragment", shown)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("%q must use https (http only on a loopback address)", shown)
	}
	return nil
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
