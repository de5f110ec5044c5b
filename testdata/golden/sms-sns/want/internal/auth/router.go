// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
)

// route is one entry of the route table (routes.go). Path is relative to
// the API prefix.
type route struct {
	method  string
	path    string
	handler http.HandlerFunc
}

// router serves the route table under the API prefix. Unknown paths get a
// JSON 404 and known paths with another method a JSON 405 with an Allow
// header, instead of http.ServeMux's plain-text answers, because API
// clients parse {"detail": ...}.
type router struct {
	mux     *http.ServeMux
	allowed map[string][]string // full path → methods, in registration order
}

func (a *Auth) newRouter() http.Handler {
	prefix := strings.TrimRight(a.cfg.APIPrefix, "/")
	rt := &router{mux: http.NewServeMux(), allowed: map[string][]string{}}
	csrf := newCrossOriginProtection()
	for _, r := range a.routes() {
		full := prefix + r.path
		var h http.Handler = a.limit(r.method+" "+r.path, r.handler)
		if stateChanging(r.method) {
			h = csrf.Handler(h)
		}
		rt.mux.Handle(r.method+" "+full, h)
		rt.allowed[full] = append(rt.allowed[full], r.method)
	}
	// The subtree pattern catches every other request under the prefix: an
	// unknown path, or a known path with a method it does not serve.
	rt.mux.HandleFunc(prefix+"/", rt.fallback)
	if prefix != "" {
		rt.mux.HandleFunc(prefix, rt.fallback)
	}
	return a.middleware(rt.mux)
}

// stateChanging reports whether a method may change state, so that a
// request with it needs the cross-origin check.
func stateChanging(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// newCrossOriginProtection refuses state-changing requests that a browser
// marks as coming from another site (Sec-Fetch-Site: cross-site or
// same-site, or, from browsers too old for that header, an Origin whose
// host is not the request's). Requests with neither header, such as those
// of API clients, curl and the test client, pass: only a browser can be
// tricked into sending a request on a visitor's behalf, and browsers send
// the headers. The answer is the API's JSON 403.
//
// A browser app on another origin that calls this API with CORS would be
// refused too; trust its origin with AddTrustedOrigin here.
func newCrossOriginProtection() *http.CrossOriginProtection {
	p := http.NewCrossOriginProtection()
	p.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeDetail(w, http.StatusForbidden, "Cross-origin request refused.")
	}))
	return p
}

func (rt *router) fallback(w http.ResponseWriter, r *http.Request) {
	methods, known := rt.allowed[r.URL.Path]
	if known {
		var allow []string
		for _, m := range methods {
			allow = append(allow, m)
			if m == http.MethodGet { // the mux serves HEAD with GET handlers
				allow = append(allow, http.MethodHead)
			}
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
	}
	if known || r.Method == http.MethodTrace {
		writeDetail(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	writeDetail(w, http.StatusNotFound, "Not Found")
}

// middleware applies what every API response needs: security headers, the
// body size cap and panic recovery.
func (a *Auth) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// JSON is never a document to render or frame.
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		// Responses carry tokens and account data: no cache may keep them.
		h.Set("Cache-Control", "no-store")
		rec := &recordingWriter{ResponseWriter: w}
		defer a.recoverPanic(rec, r)
		if r.ContentLength > a.cfg.MaxBodyBytes {
			// Refuse early when the client announces a large body; a body
			// without Content-Length is cut off while it is read.
			writeDetail(rec, http.StatusRequestEntityTooLarge, "Request body too large.")
			return
		}
		r.Body = http.MaxBytesReader(rec, r.Body, a.cfg.MaxBodyBytes)
		next.ServeHTTP(rec, r)
	})
}

// recoverPanic turns a panic in a handler into a logged 500. Handlers are
// written not to panic; this keeps one bug from dropping the connection
// without an answer.
func (a *Auth) recoverPanic(w *recordingWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	a.logger.ErrorContext(r.Context(), "auth: handler panicked", "method", r.Method, "path", r.URL.Path,
		"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	if !w.wroteHeader {
		writeDetail(w, http.StatusInternalServerError, "Internal Server Error")
	}
}

// recordingWriter remembers whether the response has started.
type recordingWriter struct {
	http.ResponseWriter
	wroteHeader bool
}

func (w *recordingWriter) WriteHeader(code int) {
	w.wroteHeader = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
