// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// formField is one input of a page's form, as the "field" template in
// base.html renders it (docs/pages.md).
type formField struct {
	ID, Name, Label, Type, Autocomplete string
	Value                               string
	Required                            bool
	MinLength, MaxLength                int
	Hint                                string
	Error, ErrorID                      string
}

// newFormField describes the input name of form: its label, type and
// rules, which are the JSON API's for the field of the same name.
func newFormField(form, name string) formField {
	f := formField{ID: form + "-" + name, Name: name, Type: "text", Required: true}
	f.ErrorID = f.ID + "-error"
	switch name {
	case "email":
		f.Label, f.Type, f.Autocomplete = "Email address", "email", "email"
	case "new_email":
		f.Label, f.Type, f.Autocomplete = "New email address", "email", "email"
	case "password":
		f.Label, f.Type, f.Autocomplete = "Password", "password", "current-password"
		f.MinLength, f.MaxLength = passwordMinLen, passwordMaxLen
		if form == "register" {
			f.Autocomplete = "new-password"
			f.Hint = passwordHint()
		}
	case "current_password":
		f.Label, f.Type, f.Autocomplete = "Current password", "password", "current-password"
	case "new_password":
		f.Label, f.Type, f.Autocomplete = "New password", "password", "new-password"
		f.MinLength, f.MaxLength = passwordMinLen, passwordMaxLen
		f.Hint = passwordHint()
	case "full_name":
		f.Label, f.Autocomplete = "Full name", "name"
		f.Required, f.MaxLength = false, fullNameMaxLen
		f.Hint = "Optional."
	default:
		f.Label = name
	}
	return f
}

func passwordHint() string {
	return strconv.Itoa(passwordMinLen) + " to " + strconv.Itoa(passwordMaxLen) + " characters."
}

// addForm puts the inputs of form on the page.
func (d *pageData) addForm(form string, names ...string) {
	for _, n := range names {
		d.Fields[form+"."+n] = newFormField(form, n)
	}
}

// setValue fills the input name of form with v (no-op for an input the page
// does not have).
func (d *pageData) setValue(form, name, v string) {
	if f, ok := d.Fields[form+"."+name]; ok {
		f.Value = v
		d.Fields[form+"."+name] = f
	}
}

// keep refills form with what was posted, except passwords: a page never
// sends a password back to the browser.
func (d *pageData) keep(form string, posted url.Values) {
	for key, f := range d.Fields {
		if strings.HasPrefix(key, form+".") && f.Type != "password" {
			f.Value = posted.Get(f.Name)
			d.Fields[key] = f
		}
	}
}

// setError puts msg beside the input name of form, and reports whether the
// page has that input.
func (d *pageData) setError(form, name, msg string) bool {
	f, ok := d.Fields[form+"."+name]
	if !ok {
		return false
	}
	f.Error = msg
	d.Fields[form+"."+name] = f
	return true
}

// bindForm checks posted values with the JSON API's field rules (decode.go)
// and stores them, so a form accepts exactly what the API accepts. It
// returns a message per refused field. An empty optional field is null
// (full_name: no name).
func bindForm(posted url.Values, fields ...field) map[string]string {
	errs := map[string]string{}
	for _, f := range fields {
		v := posted.Get(f.name)
		if f.present != nil {
			*f.present = true
		}
		if v == "" {
			switch {
			case f.required:
				errs[f.name] = "This field is required."
			case f.nullable != nil:
				*f.nullable = nil
			}
			continue
		}
		raw, _ := json.Marshal(v) // a string always encodes
		if e := f.assign(raw); e != nil {
			errs[f.name] = fieldMessage(*e)
		}
	}
	return errs
}

// fieldMessage words a validation error for a person.
func fieldMessage(e validationError) string {
	switch e.Type {
	case "string_too_short":
		return fmt.Sprintf("Use at least %v characters.", e.Ctx["min_length"])
	case "string_too_long":
		return fmt.Sprintf("Use at most %v characters.", e.Ctx["max_length"])
	}
	if reason, ok := e.Ctx["reason"].(string); ok {
		return "Enter a valid email address. " + reason
	}
	if e.Ctx["error"] == displayTextMsg {
		return "Remove line breaks, control characters and text-direction marks."
	}
	return e.Msg
}

// invalid re-renders d with errs beside their fields: 422, as the JSON API
// answers a body that breaks its rules.
func (ps *pageServer) invalid(w http.ResponseWriter, r *http.Request, d *pageData, form string, errs map[string]string) {
	for name, msg := range errs {
		if !d.setError(form, name, msg) {
			d.Alert = msg
		}
	}
	ps.render(w, r, http.StatusUnprocessableEntity, d)
}

// errorField names the input a domain error is about, "" for none.
func errorField(err error) string {
	switch {
	case errors.Is(err, ErrWrongPassword), errors.Is(err, ErrNoPassword):
		return "current_password"
	case errors.Is(err, ErrSamePassword):
		return "new_password"
	case errors.Is(err, ErrEmailTaken):
		return "email"
	case errors.Is(err, ErrSameEmail):
		return "new_email"
	}
	return ""
}

// fail re-renders d after a domain method refused: the error's message
// beside its field (or above the form) and the status the JSON API gives
// the same error (writeError), so both front ends answer alike.
func (ps *pageServer) fail(w http.ResponseWriter, r *http.Request, d *pageData, form string, err error) {
	var (
		known  *Error
		locked *LockedError
	)
	switch {
	case errors.As(err, &known):
		if !d.setError(form, errorField(err), known.detail) {
			d.Alert = known.detail
		}
		ps.render(w, r, known.status, d)
	case errors.As(err, &locked):
		w.Header().Set("Retry-After", strconv.Itoa(locked.seconds()))
		d.Alert = "Too many failed attempts. Try again in " + humanWait(locked.RetryAfter) + "."
		ps.render(w, r, http.StatusTooManyRequests, d)
	case errors.Is(err, ErrBusy):
		w.Header().Set("Retry-After", "1")
		d.Alert = "The server is busy. Try again in a moment."
		ps.render(w, r, http.StatusServiceUnavailable, d)
	case unreachable(err):
		ps.a.logger.WarnContext(r.Context(), "auth: database unreachable", "method", r.Method, "path", r.URL.Path, "err", err)
		ps.unavailable(w, r)
	default:
		ps.a.logger.ErrorContext(r.Context(), "auth: page request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		d.Alert = "Something went wrong on our side. Try again later."
		ps.render(w, r, http.StatusInternalServerError, d)
	}
}
