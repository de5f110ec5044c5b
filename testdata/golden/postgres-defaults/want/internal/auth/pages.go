// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

// The account pages: server-rendered HTML forms over the same domain
// methods as the JSON API (Authenticate, Register, ChangePassword, ...), so
// the lockout, the rate limits, anti-enumeration and revocation are one
// code path whichever front end a request comes through. They work without
// JavaScript: every form posts to the server, which answers with a page or
// a 303 redirect. docs/pages.md lists the routes and the data every
// template gets.

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"example.com/demo/internal/auth/config"
)

// The page templates and the stylesheets are compiled into the binary, so
// the pages need no files at run time; edit them here and rebuild.
//
//go:embed pages/templates/*.html
var pageTemplateFiles embed.FS

//go:embed pages/static/*.css
var pageStaticFiles embed.FS

// pageCSP is every page's Content-Security-Policy: resources only from this
// origin, no inline script or style (the templates have none), forms only
// posting back here, never framed (clickjacking), and no <base> tag to
// redirect relative URLs.
const pageCSP = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// pageServer serves the pages of one Auth. Pages builds it.
type pageServer struct {
	a      *Auth
	ui     string // ui_prefix without a trailing slash
	static string // static_prefix without a trailing slash
	// pages maps a page name to its template: base.html with the page's
	// file, executed as "base".
	pages  map[string]*template.Template
	assets map[string]asset // by hashed file name ("core.1a2b3c4d5e6f.css")
	styles []string         // the stylesheet URLs every page links, in order
	csp    string
	cookie string // the session cookie's name (config.SessionCookie)
	links  pageLinks
}

// Pages serves the account pages under ui_prefix and their stylesheets
// under static_prefix. Its routes are full paths, so mount it at both
// prefixes without stripping them:
//
//	pages, err := accounts.Pages()
//	mux.Handle(cfg.UIPrefix+"/", pages)
//	mux.Handle(cfg.StaticPrefix+"/", pages)
//
// The error is a template that does not parse (after an edit).
func (a *Auth) Pages() (http.Handler, error) {
	ps := &pageServer{
		a:      a,
		ui:     strings.TrimRight(a.cfg.UIPrefix, "/"),
		static: strings.TrimRight(a.cfg.StaticPrefix, "/"),
		csp:    pageCSP,
		cookie: a.cfg.SessionCookie(),
	}
	ps.links = ps.newLinks()
	if err := ps.loadTemplates(); err != nil {
		return nil, err
	}
	if err := ps.loadAssets(); err != nil {
		return nil, err
	}
	if u := a.cfg.ThemeCSSURL; u != "" {
		ps.styles = append(ps.styles, u)
		if parsed, err := url.Parse(u); err == nil && parsed.Host != "" {
			// A stylesheet on another origin (config validation allows only
			// https ones) must be allowed by name.
			ps.csp += "; style-src 'self' " + parsed.Scheme + "://" + parsed.Host
		}
	}

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := ps.newPage("message", "Request refused")
		d.Alert = "This form was sent from another site, so it was refused. Open this site's page and send the form again."
		ps.render(w, r, http.StatusForbidden, d)
	}))
	mux := http.NewServeMux()
	for _, rt := range ps.routes() {
		var h http.Handler = ps.needsDatabase(rt.handler)
		if rt.limit != "" {
			// The JSON route's counters: a form and the API share one limit.
			h = a.limitWith(rt.limit, h.ServeHTTP, ps.rateLimited)
		}
		if stateChanging(rt.method) {
			// Before the rate limit: a refused cross-site request costs nothing.
			h = csrf.Handler(h)
		}
		mux.Handle(rt.method+" "+ps.ui+rt.path, h)
	}
	mux.HandleFunc("GET "+ps.static+"/{file}", ps.serveAsset)
	mux.HandleFunc(ps.ui+"/", ps.notFound)
	mux.HandleFunc(ps.static+"/", ps.notFound)
	return ps.middleware(mux), nil
}

// pageRoute is one entry of the page route table (pages_routes.go). path is
// relative to ui_prefix; limit is the rate-limit route ("POST /login") of
// the JSON route the page's flow shares, or "".
type pageRoute struct {
	method, path string
	handler      http.HandlerFunc
	limit        string
}

// pageData is what every template gets; docs/pages.md describes each
// field. Fields a page does not use stay empty. The templates read fields
// only (no methods, no custom functions), so any value with the same field
// names renders them, as the theme designer does with sample data.
type pageData struct {
	Page         string
	Title        string
	Lang         string
	AppName      string
	BrandLogoURL string
	BrandTagline string
	Stylesheets  []string
	Links        pageLinks
	// Notice is a success message, Alert an error that belongs to no
	// single field.
	Notice, Alert string
	// Fields holds every input of the page's forms, keyed "<form>.<name>".
	Fields map[string]formField
	// Token is the emailed token on a link page; Next the checked path to
	// return to after signing in.
	Token, Next string
	// User is the signed-in account on the account pages.
	User              *pageUser
	AllowRegistration bool
	// ShowResend offers the form that mails a new verification link.
	ShowResend bool
	// Done says a link page's action succeeded.
	Done bool
}

// pageUser is the account as the pages show it.
type pageUser struct {
	Email, FullName string
	Verified        bool
	// HasPassword is false for an account made by a provider sign-in:
	// the forms that confirm with the current password are replaced by
	// how to set one.
	HasPassword bool
	// Created is the creation date for people, CreatedISO the same in
	// RFC 3339 for <time datetime>.
	Created, CreatedISO string
}

// newPage is the data every page starts from.
func (ps *pageServer) newPage(page, title string) *pageData {
	c := ps.a.cfg
	return &pageData{
		Page:              page,
		Title:             title,
		Lang:              c.UILang,
		AppName:           c.AppName,
		BrandLogoURL:      c.BrandLogoURL,
		BrandTagline:      c.BrandTagline,
		Stylesheets:       ps.styles,
		Links:             ps.links,
		Fields:            map[string]formField{},
		AllowRegistration: c.AllowRegistration,
	}
}

// loadTemplates parses base.html with each page's file. Every file but
// base.html is a page, named after the file.
func (ps *pageServer) loadTemplates() error {
	files, err := fs.Glob(pageTemplateFiles, "pages/templates/*.html")
	if err != nil {
		return err
	}
	ps.pages = map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(f[strings.LastIndex(f, "/")+1:], ".html")
		if name == "base" {
			continue
		}
		t, err := template.New(name).Option("missingkey=error").ParseFS(pageTemplateFiles, "pages/templates/base.html", f)
		if err != nil {
			return fmt.Errorf("auth: page template %s: %w", f, err)
		}
		ps.pages[name] = t
	}
	return nil
}

// render writes the page d.Page with status. It renders into a buffer
// first, so a template error becomes a clean 500 instead of half a page.
func (ps *pageServer) render(w http.ResponseWriter, r *http.Request, status int, d *pageData) {
	var buf bytes.Buffer
	t, ok := ps.pages[d.Page]
	if !ok {
		ps.a.logger.ErrorContext(r.Context(), "auth: no template for page", "page", d.Page)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	if err := t.ExecuteTemplate(&buf, "base", d); err != nil {
		ps.a.logger.ErrorContext(r.Context(), "auth: rendering page", "page", d.Page, "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// redirect answers 303 See Other: after a POST the browser GETs target,
// so reloading the page does not send the form again.
func redirect(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// middleware sets what every answer of the pages needs: the security
// headers (TestPagesSecurityHeaders), the body size cap and panic recovery.
func (ps *pageServer) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ps.csp)
		// Link pages carry their token in the URL: never send it on.
		h.Set("Referrer-Policy", "no-referrer")
		// Pages show account data; no cache may keep them (the hashed
		// stylesheets override this).
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		rec := &recordingWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			ps.a.logger.ErrorContext(r.Context(), "auth: page handler panicked", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !rec.wroteHeader {
				http.Error(rec, "Internal Server Error", http.StatusInternalServerError)
			}
		}()
		r.Body = http.MaxBytesReader(rec, r.Body, ps.a.cfg.MaxBodyBytes)
		next.ServeHTTP(rec, r)
	})
}

// needsDatabase answers 503 with a page while the database has not been
// opened yet (database.go); every page reads the session from it.
func (ps *pageServer) needsDatabase(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ps.a.databaseOpen() {
			ps.unavailable(w, r)
			return
		}
		next(w, r)
	})
}

func (ps *pageServer) unavailable(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "1")
	d := ps.newPage("message", "Try again shortly")
	d.Alert = "The service is unavailable for a moment. Go back and try again shortly."
	ps.render(w, r, http.StatusServiceUnavailable, d)
}

// rateLimited answers a form whose route's limit (shared with the JSON
// route) is exhausted.
func (ps *pageServer) rateLimited(w http.ResponseWriter, r *http.Request, wait time.Duration, _ config.Rate) {
	w.Header().Set("Retry-After", retryAfterHeader(wait))
	d := ps.newPage("message", "Too many requests")
	d.Alert = "Too many requests from your network. Try again in " + humanWait(wait) + "."
	ps.render(w, r, http.StatusTooManyRequests, d)
}

func (ps *pageServer) notFound(w http.ResponseWriter, r *http.Request) {
	d := ps.newPage("message", "Page not found")
	d.Alert = "There is no page at this address."
	ps.render(w, r, http.StatusNotFound, d)
}

// parseForm reads a posted form (application/x-www-form-urlencoded, as a
// <form method="post"> sends it). On failure it has answered.
func (ps *pageServer) parseForm(w http.ResponseWriter, r *http.Request) bool {
	err := r.ParseForm()
	if err == nil {
		return true
	}
	status := http.StatusBadRequest
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	d := ps.newPage("message", "The form could not be read")
	d.Alert = "The form could not be read. Go back and try again."
	ps.render(w, r, status, d)
	return false
}

// humanWait words a wait for people: "45 seconds", "3 minutes", "2 hours".
func humanWait(d time.Duration) string {
	secs := int(d.Round(time.Second) / time.Second)
	plural := func(n int, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.Itoa(n) + " " + unit + "s"
	}
	switch {
	case secs < 1:
		return "a moment"
	case secs < 90:
		return plural(secs, "second")
	case secs < 90*60:
		return plural((secs+59)/60, "minute")
	}
	return plural((secs+3599)/3600, "hour")
}
