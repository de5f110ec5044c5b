// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

// Landing pages for the emailed links ({email_link_prefix}/verify,
// /confirm-email-change), so that a link opened in a browser works
// without an application page behind it. When your application serves
// its own pages for these links, delete this file, landing_test.go and the
// landing/ folder, and the LinkPages mount in main.go.
//
// A GET (or HEAD) never uses the token: mail scanners and link previews
// fetch links, and a one-time token they consumed would be gone when the
// person clicks. The page shows a form instead; its POST runs the JSON
// route that does the work (POST {api_prefix}/verify,
// /confirm-email-change: same handler, same rate limit, same answers) and
// shows the outcome. The pages have no script and no style, and their
// Content-Security-Policy allows nothing but posting the form back here.

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
)

//go:embed landing/page.html
var landingFiles embed.FS

var landingTemplate = template.Must(template.ParseFS(landingFiles, "landing/page.html"))

// landingCSP allows nothing but submitting the form to this origin.
const landingCSP = "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// linkPage is one landing page.
type linkPage struct {
	path     string // under email_link_prefix: one of the link* constants
	api      string // the JSON route (POST, relative to api_prefix) that does the work
	title    string
	intro    string // what pressing the button does
	button   string
	password bool   // the form asks for a new password
	done     string // shown after success
}

var linkPages = []linkPage{
	{
		path: linkVerify, api: "/verify",
		title:  "Confirm your email address",
		intro:  "Press the button to confirm your email address and finish setting up your account.",
		button: "Confirm my email address",
		done:   "Your email address is confirmed. You can now sign in.",
	},
	{
		path: linkEmailChange, api: "/confirm-email-change",
		title:  "Confirm your new email address",
		intro:  "Press the button to move your account to this email address.",
		button: "Confirm new email address",
		done:   "Your email address has been changed. Sign in with your new address from now on.",
	},
}

// landingData is what landing/page.html sees.
type landingData struct {
	AppName, Title, Intro, Message, Error string
	// Form is set when the page shows the form; Action is the form's
	// target relative to the page, Token the emailed token.
	Form          bool
	Action, Token string
	Button        string
	// Password adds the new-password field; Error is then the field's own
	// message, shown beside it (and tied to it with aria-describedby).
	Password       bool
	MinLen, MaxLen int
}

// activeLinkPages returns the pages whose JSON route is served, each with
// that route's handler behind its rate limit. A page whose flow was not
// generated is not.
func (a *Auth) activeLinkPages() map[string]http.HandlerFunc {
	out := map[string]http.HandlerFunc{}
	routes := a.routes()
	for _, p := range linkPages {
		for _, r := range routes {
			if r.method == http.MethodPost && r.path == p.api {
				out[p.path] = a.limit(r.method+" "+r.path, r.handler)
			}
		}
	}
	return out
}

// LinkPagePaths returns the full paths of the landing pages
// ({email_link_prefix}/verify, ...; only those whose flow is served), for
// mounting LinkPages:
//
//	pages := accounts.LinkPages()
//	for _, p := range accounts.LinkPagePaths() {
//		mux.Handle(p, pages)
//	}
//
// A path under api_prefix is left out: it would shadow the JSON route of
// the same name.
func (a *Auth) LinkPagePaths() []string {
	prefix := strings.TrimRight(a.cfg.EmailLinkPrefix, "/")
	api := strings.TrimRight(a.cfg.APIPrefix, "/") + "/"
	active := a.activeLinkPages()
	var paths []string
	for _, p := range linkPages {
		full := prefix + p.path
		if _, ok := active[p.path]; ok && !strings.HasPrefix(full, api) {
			paths = append(paths, full)
		}
	}
	return paths
}

// LinkPages serves the landing pages at the paths LinkPagePaths lists
// (mounted as they are, or with email_link_prefix stripped); any other path
// is 404. See the top of landing.go.
func (a *Auth) LinkPages() http.Handler {
	prefix := strings.TrimRight(a.cfg.EmailLinkPrefix, "/")
	active := a.activeLinkPages()
	csrf := newCrossOriginProtection()
	// The form is a browser's: a cross-site POST is refused like one to
	// the API, with a page instead of JSON.
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		a.renderLanding(w, http.StatusForbidden, landingData{Title: "Request refused",
			Error: "This form was sent from another site. Open the link from the email again."})
	}))
	type served struct {
		page linkPage
		post http.Handler // the form's POST, behind the cross-origin check
	}
	var pages []served
	for _, p := range linkPages {
		if api, ok := active[p.path]; ok {
			post := csrf.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				a.submitLinkPage(w, r, p, api)
			}))
			pages = append(pages, served{p, post})
		}
	}
	serve := func(w http.ResponseWriter, r *http.Request) {
		for _, s := range pages {
			if r.URL.Path != prefix+s.page.path && r.URL.Path != s.page.path {
				continue
			}
			switch r.Method {
			case http.MethodGet, http.MethodHead:
				a.showLinkPage(w, r, s.page)
			case http.MethodPost:
				s.post.ServeHTTP(w, r)
			default:
				w.Header().Set("Allow", "GET, HEAD, POST")
				a.renderLanding(w, http.StatusMethodNotAllowed, landingData{Title: "Method Not Allowed"})
			}
			return
		}
		a.renderLanding(w, http.StatusNotFound, landingData{Title: "Not Found"})
	}
	// The API's middleware: nosniff, no-referrer (the URL holds the
	// token), no-store, the body cap and panic recovery.
	return a.middleware(http.HandlerFunc(serve))
}

// showLinkPage answers a GET: the form, with the token from the link.
func (a *Auth) showLinkPage(w http.ResponseWriter, r *http.Request, p linkPage) {
	token := r.URL.Query().Get("token")
	if token == "" {
		a.renderLanding(w, http.StatusBadRequest, incompleteLink(p))
		return
	}
	a.renderLanding(w, http.StatusOK, formPage(p, token, ""))
}

// submitLinkPage answers the form's POST: it runs the JSON route with the
// token (and new password) and shows the outcome.
func (a *Auth) submitLinkPage(w http.ResponseWriter, r *http.Request, p linkPage, api http.HandlerFunc) {
	if err := r.ParseForm(); err != nil {
		status := http.StatusBadRequest
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		a.renderLanding(w, status, landingData{Title: p.title, Error: "The form could not be read. Open the link from the email again."})
		return
	}
	token := r.PostForm.Get("token")
	if token == "" {
		a.renderLanding(w, http.StatusBadRequest, incompleteLink(p))
		return
	}
	if !a.databaseOpen() {
		w.Header().Set("Retry-After", "1")
		a.renderLanding(w, http.StatusServiceUnavailable, landingData{Title: p.title,
			Error: "The service is unavailable for a moment. Go back and try again shortly."})
		return
	}
	body := map[string]string{"token": token}
	if p.password {
		body["new_password"] = r.PostForm.Get("new_password")
	}
	res := callJSON(r, api, body)
	switch {
	case res.status >= 200 && res.status < 300:
		a.renderLanding(w, http.StatusOK, landingData{Title: p.title, Message: p.done})
	case res.status == http.StatusUnprocessableEntity && p.password && res.failedField("new_password"):
		// The token was not used: ask again.
		a.renderLanding(w, http.StatusUnprocessableEntity, formPage(p, token,
			"Choose a password of "+strconv.Itoa(passwordMinLen)+" to "+strconv.Itoa(passwordMaxLen)+" characters."))
	case res.status == http.StatusUnprocessableEntity:
		a.renderLanding(w, http.StatusBadRequest, landingData{Title: p.title, Error: "This link is not valid. Request a new email."})
	default:
		if ra := res.header.Get("Retry-After"); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		msg := res.detail()
		if msg == "" || res.status >= 500 {
			msg = "Something went wrong on our side. Try again later."
		}
		a.renderLanding(w, res.status, landingData{Title: p.title, Error: msg})
	}
}

func formPage(p linkPage, token, problem string) landingData {
	return landingData{
		Title: p.title, Intro: p.intro, Error: problem,
		Form: true, Action: strings.TrimPrefix(p.path, "/"), Token: token,
		Button: p.button, Password: p.password, MinLen: passwordMinLen, MaxLen: passwordMaxLen,
	}
}

func incompleteLink(p linkPage) landingData {
	return landingData{Title: p.title,
		Error: "This link is incomplete. Open it from the email again, or copy the whole address into your browser."}
}

// renderLanding writes the page. A landing page is small and the template is
// fixed, so rendering into a buffer first costs nothing and lets a
// template error become a clean 500.
func (a *Auth) renderLanding(w http.ResponseWriter, status int, d landingData) {
	d.AppName = a.cfg.AppName
	var buf bytes.Buffer
	if err := landingTemplate.Execute(&buf, d); err != nil {
		a.logger.Error("auth: rendering landing page", "err", err)
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString("Internal Server Error\n")
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Content-Security-Policy", landingCSP)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// callJSON runs a JSON route's handler in-process with body, as the
// request r (same client address, same context) would have, and returns
// its answer.
func callJSON(r *http.Request, h http.HandlerFunc, body map[string]string) *apiAnswer {
	raw, _ := json.Marshal(body) // strings always encode
	req := r.Clone(r.Context())
	req.Method = http.MethodPost
	req.Body = io.NopCloser(bytes.NewReader(raw))
	req.ContentLength = int64(len(raw))
	req.Header.Set("Content-Type", "application/json")
	req.Form, req.PostForm = nil, nil
	res := &apiAnswer{header: http.Header{}}
	h(res, req)
	if res.status == 0 {
		res.status = http.StatusOK
	}
	return res
}

// apiAnswer records a JSON route's answer (a minimal ResponseWriter).
type apiAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *apiAnswer) Header() http.Header { return a.header }

func (a *apiAnswer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *apiAnswer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(b)
}

// detail is the {"detail": "..."} string of an error answer, or "".
func (a *apiAnswer) detail() string {
	var d struct {
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(a.body.Bytes(), &d)
	return d.Detail
}

// failedField reports whether a 422 answer names the body field name.
func (a *apiAnswer) failedField(name string) bool {
	var v validationErrors
	if json.Unmarshal(a.body.Bytes(), &v) != nil {
		return false
	}
	for _, e := range v.Detail {
		if len(e.Loc) == 2 && e.Loc[1] == name {
			return true
		}
	}
	return false
}
