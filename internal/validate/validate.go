// Package validate probes a running regstack deployment over HTTP, the
// way an operator checks a deploy: is the API where it should be, healthy
// and ready, does its OpenAPI document match what it serves, does it send
// the security headers, and does the whole account lifecycle work for a
// throw-away account (which the probe deletes again at the end), its SMS
// second factor included when the deployment has one.
//
// Every check is named by a stable id and ends as pass, fail, warn or
// skip; the Report is printed by the `regstack validate` command.
package validate

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options say which deployment to probe and how.
type Options struct {
	// URL is the deployment's base URL (scheme and host, optionally a
	// path the app is mounted under).
	URL string
	// APIPrefix is where the JSON API is mounted, such as /api/auth.
	APIPrefix string
	// UIPrefix is where the pages are mounted, such as /account; empty
	// means the deployment serves none.
	UIPrefix string
	// ProbeEmailDomain is the domain of the throw-away account's address.
	ProbeEmailDomain string
	// ProbePhone is the number (E.164) the throw-away account enrols for
	// SMS codes; empty skips the SMS steps.
	ProbePhone string
	// Logs is where the tokens of the emails and the codes of the text
	// messages are read; nil skips the steps that need one.
	Logs *LogSource
	// Timeout bounds each request.
	Timeout time.Duration
	// Insecure skips TLS certificate verification.
	Insecure bool
}

// probe is one run: the options, the HTTP client and the checks so far.
type probe struct {
	opts   Options
	c      *client
	report *Report
	doc    *apiDoc // nil when the OpenAPI document could not be read
}

// Run probes the deployment and returns the report; it does not fail as a
// whole, every problem is a check's outcome.
func Run(ctx context.Context, opts Options) *Report {
	p := &probe{
		opts:   opts,
		c:      newClient(opts.URL, opts.Timeout, opts.Insecure),
		report: &Report{URL: opts.URL},
	}
	flow := newAccountFlow(p)
	if reach := p.check(ctx, "reachability", p.reachability); reach.Status == Fail {
		// Nothing else can succeed, and one clear failure beats a dozen;
		// every check is still listed, so a report always names them all.
		const reason = "the API is not reachable (see reachability)"
		for _, id := range []string{"health", "ready", "openapi", "headers"} {
			p.skip(id, reason)
		}
		flow.blocked = reason
		flow.run(ctx)
		return p.report
	}
	var samples []headerSample
	p.check(ctx, "health", func(ctx context.Context) (Status, string) {
		st, detail, h := p.health(ctx, "/health")
		if h != nil {
			samples = append(samples, headerSample{"GET " + p.opts.APIPrefix + "/health", h})
		}
		return st, detail
	})
	p.check(ctx, "ready", func(ctx context.Context) (Status, string) {
		st, detail, _ := p.health(ctx, "/health/ready")
		return st, detail
	})
	p.check(ctx, "openapi", p.openapi)
	p.check(ctx, "headers", func(ctx context.Context) (Status, string) { return p.headers(ctx, samples) })

	flow.run(ctx)

	p.optionalFeatures()
	return p.report
}

// check runs one check, times it and records its outcome.
func (p *probe) check(ctx context.Context, id string, f func(context.Context) (Status, string)) Check {
	start := time.Now()
	st, detail := f(ctx)
	c := Check{ID: id, Status: st, Detail: detail, Duration: time.Since(start)}
	if st == Skip {
		c.Duration = 0
	}
	p.report.Checks = append(p.report.Checks, c)
	return c
}

func (p *probe) skip(id, reason string) {
	p.report.Checks = append(p.report.Checks, Check{ID: id, Status: Skip, Detail: reason})
}

// api is the path of an API route.
func (p *probe) api(path string) string { return p.opts.APIPrefix + path }

// reachability asks for a sign-in without credentials: a regstack API
// refuses it with a 4xx (422), changes nothing and counts no failed
// sign-in, while a wrong URL or prefix answers 404 or not at all.
func (p *probe) reachability(ctx context.Context) (Status, string) {
	path := p.api("/login")
	a, err := p.c.do(ctx, http.MethodPost, path, "", map[string]any{})
	if err != nil {
		return Fail, fmt.Sprintf("cannot reach %s: %v", p.opts.URL, err)
	}
	switch {
	case a.Status >= 300 && a.Status < 400:
		return Fail, fmt.Sprintf("POST %s answers %s to %s; pass the URL clients use as --url", path, a, a.Header.Get("Location"))
	case a.Status == http.StatusNotFound || a.Status == http.StatusMethodNotAllowed:
		return Fail, fmt.Sprintf("POST %s answers %s: no regstack API under %s at %s; check --url and --api-prefix (the app's api_prefix)",
			path, a, p.opts.APIPrefix, p.opts.URL)
	case a.Status >= 500:
		return Fail, fmt.Sprintf("POST %s answers %s; see the app's log", path, a)
	case a.Status < 300:
		return Fail, fmt.Sprintf("POST %s answers %s to a sign-in without credentials; this is not a regstack API", path, a)
	}
	return Pass, fmt.Sprintf("POST %s answers %s to a sign-in without credentials", path, a)
}

// health checks one of the probe routes and returns its answer's headers.
func (p *probe) health(ctx context.Context, route string) (Status, string, http.Header) {
	path := p.api(route)
	a, err := p.c.do(ctx, http.MethodGet, path, "", nil)
	if err != nil {
		return Fail, err.Error(), nil
	}
	switch {
	case a.Status == http.StatusOK:
		return Pass, fmt.Sprintf("GET %s answers %s", path, a), a.Header
	case route == "/health/ready" && a.Status == http.StatusServiceUnavailable:
		return Fail, fmt.Sprintf("GET %s answers %s: the app cannot use its database; see its log and `regstack doctor`", path, a), a.Header
	}
	return Fail, fmt.Sprintf("GET %s answers %s, want 200", path, a), a.Header
}

// openapi reads the OpenAPI document and checks that every operation it
// lists is served.
func (p *probe) openapi(ctx context.Context) (Status, string) {
	path := p.api("/openapi.json")
	a, err := p.c.do(ctx, http.MethodGet, path, "", nil)
	if err != nil {
		return Fail, err.Error()
	}
	if a.Status != http.StatusOK {
		return Fail, fmt.Sprintf("GET %s answers %s, want 200 (the generated app serves its OpenAPI document there)", path, a)
	}
	doc, err := parseOpenAPI(a.Body, p.opts.APIPrefix)
	if err != nil {
		return Fail, fmt.Sprintf("GET %s: %v", path, err)
	}
	p.doc = doc
	missing, unprobed, err := probeRoutes(ctx, p.c, p.opts.APIPrefix, doc)
	if err != nil {
		return Fail, err.Error()
	}
	if len(missing) > 0 {
		const show = 5
		more := ""
		if len(missing) > show {
			more = fmt.Sprintf(" (and %d more)", len(missing)-show)
			missing = missing[:show]
		}
		return Fail, fmt.Sprintf("%d of %d documented operations are not served: %s%s; a proxy may not forward them, or another build answers",
			len(missing), len(doc.operations), strings.Join(missing, "; "), more)
	}
	detail := fmt.Sprintf("OpenAPI %s, %d operations, each served (none answers 404 or 405)", doc.version, len(doc.operations)-len(unprobed))
	if len(unprobed) > 0 {
		detail += fmt.Sprintf("; %d not probed (no request is free of side effects): %s", len(unprobed), strings.Join(unprobed, ", "))
	}
	return Pass, detail
}

// headers checks the security headers of the API answers seen so far, of
// an error answer, and of the sign-in page when the deployment has pages.
func (p *probe) headers(ctx context.Context, samples []headerSample) (Status, string) {
	path := p.api("/me")
	a, err := p.c.do(ctx, http.MethodGet, path, "", nil)
	if err != nil {
		return Fail, err.Error()
	}
	in := headerInput{
		api:   append(samples, headerSample{fmt.Sprintf("GET %s (%d)", path, a.Status), a.Header}),
		https: strings.HasPrefix(strings.ToLower(p.opts.URL), "https:"),
	}
	if p.opts.UIPrefix == "" {
		in.notes = append(in.notes, "pages not checked (--ui-prefix is empty)")
	} else {
		page := p.opts.UIPrefix + "/login"
		pa, err := p.c.do(ctx, http.MethodGet, page, "", nil)
		switch {
		case err != nil:
			return Fail, err.Error()
		case pa.Status == http.StatusOK:
			in.page = &headerSample{"GET " + page, pa.Header}
		default:
			in.notes = append(in.notes, fmt.Sprintf("no pages checked (GET %s answers %d)", page, pa.Status))
		}
	}
	return checkHeaders(in)
}

// optionalFeatures reports the features this version does not probe yet,
// when the deployment has them. (The SMS second factor is probed by the
// account flow.)
func (p *probe) optionalFeatures() {
	if p.doc == nil {
		return
	}
	if p.doc.hasPrefix("/oauth") {
		p.skip("google", "the deployment has sign-in with Google (/oauth/...); not probed by this version")
	}
}

// CheckURL reports whether raw is an http(s) URL with a host, as --url
// must be.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("want an http:// or https:// URL")
	}
	if u.Host == "" {
		return fmt.Errorf("the URL has no host")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("want a URL without query or fragment")
	}
	return nil
}
