// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"net/url"
	"strings"
	"unicode"
)

// safeNext returns next when it is a path on this site to return to after
// signing in, else "". Only a single leading slash is accepted: "//evil"
// and "/\evil" are read by browsers as another host, and a scheme
// ("https:", "javascript:") or control character is never a local path
// (CONTRACT §2.8; TestPagesNextParameter).
func safeNext(next string) string {
	if next == "" || len(next) > 2048 || next[0] != '/' {
		return ""
	}
	if strings.HasPrefix(next, "//") || strings.HasPrefix(next, `/\`) {
		return ""
	}
	for _, c := range next {
		if unicode.IsControl(c) || c == '\\' {
			return ""
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}
