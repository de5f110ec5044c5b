package validate

import (
	"fmt"
	"net/http"
	"strings"
)

// headerSample is one answer whose headers the headers check looks at.
type headerSample struct {
	what   string // such as "GET /api/auth/health"
	header http.Header
}

// headerInput is what the headers check needs: answers of the JSON API,
// the sign-in page's answer when the deployment serves pages, and whether
// the deployment was reached over https.
type headerInput struct {
	api   []headerSample
	page  *headerSample // nil: no pages to check
	https bool
	notes []string // why something was not checked
}

// checkHeaders applies the security header rules: every API answer is
// Cache-Control: no-store (it may carry tokens and personal data) and
// X-Content-Type-Options: nosniff; pages carry a Content-Security-Policy;
// over https, answers carry Strict-Transport-Security. The generated app
// sets all but the last, which belongs where TLS ends (a reverse proxy or
// load balancer), so a missing HSTS header is a warning.
func checkHeaders(in headerInput) (Status, string) {
	var problems, warnings, good []string
	for _, s := range in.api {
		if !hasToken(s.header.Values("Cache-Control"), "no-store") {
			problems = append(problems, fmt.Sprintf("%s: Cache-Control is %q, want no-store", s.what, s.header.Get("Cache-Control")))
		}
		if !strings.EqualFold(strings.TrimSpace(s.header.Get("X-Content-Type-Options")), "nosniff") {
			problems = append(problems, fmt.Sprintf("%s: X-Content-Type-Options is %q, want nosniff", s.what, s.header.Get("X-Content-Type-Options")))
		}
	}
	if len(in.api) > 0 && len(problems) == 0 {
		good = append(good, "no-store and nosniff on API answers")
	}
	if in.page != nil {
		if csp := in.page.header.Get("Content-Security-Policy"); csp == "" {
			problems = append(problems, fmt.Sprintf("%s: no Content-Security-Policy", in.page.what))
		} else {
			good = append(good, "a Content-Security-Policy on pages")
		}
	}
	if in.https {
		samples := in.api
		if in.page != nil {
			samples = append(samples[:len(samples):len(samples)], *in.page)
		}
		missing := 0
		for _, s := range samples {
			if !strings.Contains(strings.ToLower(s.header.Get("Strict-Transport-Security")), "max-age=") {
				missing++
			}
		}
		if missing > 0 {
			warnings = append(warnings, fmt.Sprintf("%d of %d https answers have no Strict-Transport-Security max-age; set it where TLS ends (proxy or load balancer)", missing, len(samples)))
		} else {
			good = append(good, "HSTS")
		}
	}
	detail := func(parts ...[]string) string {
		var all []string
		for _, p := range parts {
			all = append(all, p...)
		}
		return strings.Join(all, "; ")
	}
	switch {
	case len(problems) > 0:
		return Fail, detail(problems, warnings) + " (a proxy in front of the app may strip or override headers)"
	case len(warnings) > 0:
		return Warn, detail(warnings, good, in.notes)
	}
	return Pass, detail(good, in.notes)
}

// hasToken reports whether one of the comma-separated directives of the
// header values is token (case-insensitive).
func hasToken(values []string, token string) bool {
	for _, v := range values {
		for _, d := range strings.Split(v, ",") {
			name, _, _ := strings.Cut(strings.TrimSpace(d), "=")
			if strings.EqualFold(name, token) {
				return true
			}
		}
	}
	return false
}
