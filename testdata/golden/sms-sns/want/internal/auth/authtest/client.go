// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package authtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
)

// Response is an answer from the server, read in full.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// JSON is the body decoded as a JSON object, or nil when it is not one.
	JSON map[string]any
}

// Detail returns the "detail" member when it is a string (error bodies).
func (r *Response) Detail() string {
	s, _ := r.JSON["detail"].(string)
	return s
}

// Str returns a string member of the JSON object, or "".
func (r *Response) Str(key string) string {
	s, _ := r.JSON[key].(string)
	return s
}

// String shows the status and body, for failure messages.
func (r *Response) String() string {
	body := string(r.Body)
	if len(body) > 500 {
		body = body[:500] + "…"
	}
	return fmt.Sprintf("%d %s", r.Status, body)
}

// Header is one request header for Do.
type Header struct{ Key, Value string }

// Bearer is the Authorization header for a session token.
func Bearer(token string) Header {
	return Header{Key: "Authorization", Value: "Bearer " + token}
}

// Path returns the full path of an API route ("/login" → "/api/auth/login").
func (e *Env) Path(route string) string {
	return e.Config.APIPrefix + route
}

// URL returns the absolute URL of an API route.
func (e *Env) URL(route string) string {
	return e.Server.URL + e.Path(route)
}

// Do sends a request to an API route (a path under the API prefix). A nil
// body sends none; a string, []byte or json.RawMessage is sent verbatim (so
// tests can send malformed JSON); anything else is JSON-encoded. A body is
// sent as application/json unless a header says otherwise; a Header with an
// empty Value removes that header.
func (e *Env) Do(t testing.TB, method, route string, body any, headers ...Header) *Response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = bytes.NewReader([]byte(b))
		case []byte:
			rd = bytes.NewReader(b)
		case json.RawMessage:
			rd = bytes.NewReader(b)
		default:
			raw, err := json.Marshal(body)
			if err != nil {
				t.Fatalf("encoding request body: %v", err)
			}
			rd = bytes.NewReader(raw)
		}
	}
	req, err := http.NewRequest(method, e.URL(route), rd)
	if err != nil {
		t.Fatalf("building request: %v", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, h := range headers {
		if h.Value == "" {
			req.Header.Del(h.Key)
			continue
		}
		req.Header.Set(h.Key, h.Value)
	}
	return e.Send(t, req)
}

// Send sends any request (its URL must be absolute, e.g. built from
// e.Server.URL) and reads the answer. It is safe to call from several
// goroutines; it reports transport errors with t.Errorf and returns a
// Response with Status 0 then, so it never calls t.Fatal off the test's
// goroutine.
func (e *Env) Send(t testing.TB, req *http.Request) *Response {
	t.Helper()
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
		return &Response{}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("%s %s: reading body: %v", req.Method, req.URL.Path, err)
	}
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	var obj map[string]any
	if json.Unmarshal(body, &obj) == nil {
		r.JSON = obj
	}
	return r
}

// Register posts an email and password to /register.
func (e *Env) Register(t testing.TB, email, password string) *Response {
	t.Helper()
	return e.Do(t, http.MethodPost, "/register", map[string]any{"email": email, "password": password})
}

// MustSignUp creates a verified account and returns its UserPublic answer.
// When verification is required it follows the emailed link.
func (e *Env) MustSignUp(t testing.TB, email, password string) *Response {
	t.Helper()
	r := e.Register(t, email, password)
	if r.Status != http.StatusCreated {
		t.Fatalf("register %s: %s", email, r)
	}
	if r.Str("status") != "pending_verification" {
		return r
	}
	tok := Token(e.Mail.WaitFor(t, email))
	v := e.Do(t, http.MethodPost, "/verify", map[string]any{"token": tok})
	if v.Status != http.StatusOK {
		t.Fatalf("verify %s: %s", email, v)
	}
	return v
}

// Login posts credentials to /login.
func (e *Env) Login(t testing.TB, email, password string) *Response {
	t.Helper()
	return e.Do(t, http.MethodPost, "/login", map[string]any{"email": email, "password": password})
}

// MustLogin signs in and returns the session token.
func (e *Env) MustLogin(t testing.TB, email, password string) string {
	t.Helper()
	r := e.Login(t, email, password)
	tok := r.Str("access_token")
	if r.Status != http.StatusOK || tok == "" {
		t.Fatalf("login %s: %s", email, r)
	}
	return tok
}

// Me fetches GET /me with the token.
func (e *Env) Me(t testing.TB, token string) *Response {
	t.Helper()
	return e.Do(t, http.MethodGet, "/me", nil, Bearer(token))
}
