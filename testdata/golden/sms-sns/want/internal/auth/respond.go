// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

// Response bodies shared by several routes. The shapes are FastAPI's, which
// existing regstack clients parse.
type (
	detailResponse struct {
		Detail string `json:"detail"`
	}
	messageResponse struct {
		Message string `json:"message"`
	}
)

// writeJSON writes v as the JSON body. HTML escaping is off so the body
// reads like any other JSON API's (the Content-Type and nosniff header keep
// browsers from treating it as HTML).
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only our own response types reach here; they always encode.
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"detail":"Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeDetail writes the error body {"detail": detail}.
func writeDetail(w http.ResponseWriter, status int, detail string) {
	writeJSON(w, status, detailResponse{Detail: detail})
}

// writeMessage writes the body {"message": msg}.
func writeMessage(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, messageResponse{Message: msg})
}

// writeBusy answers when the password hasher stayed saturated for longer
// than password_hash_max_wait_ms: the client should simply retry.
func writeBusy(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	writeDetail(w, http.StatusServiceUnavailable, "Server busy; try again shortly.")
}

// serverError logs an unexpected failure (a database error, say) and
// answers 500 without details.
//
// A database that cannot be reached (an outage, a restart) is not a bug:
// the client gets 503 with Retry-After, so it knows to try again.
func (a *Auth) serverError(w http.ResponseWriter, r *http.Request, err error) {
	if unreachable(err) {
		a.logger.WarnContext(r.Context(), "auth: database unreachable", "method", r.Method, "path", r.URL.Path, "err", err)
		writeUnavailable(w)
		return
	}
	a.logger.ErrorContext(r.Context(), "auth: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeDetail(w, http.StatusInternalServerError, "Internal Server Error")
}

// writeUnavailable answers while the database cannot be reached.
func writeUnavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	writeDetail(w, http.StatusServiceUnavailable, "Service unavailable; try again shortly.")
}
