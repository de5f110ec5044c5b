package validate

import (
	"encoding/json"
	"strings"
	"testing"
)

// generatedDoc is shaped like the generated app's document: paths relative
// to a server URL of the API prefix.
const generatedDoc = `{
  "openapi": "3.1.0",
  "servers": [{"url": "/api/auth"}],
  "paths": {
    "/login": {"post": {"requestBody": {"content": {}}}},
    "/me": {"get": {"security": [{"bearer": []}]}, "patch": {"security": [{"bearer": []}], "requestBody": {}}},
    "/admin/users/{user_id}": {"parameters": [], "delete": {"security": [{"bearer": []}]}},
    "/health": {"get": {}},
    "/oauth/google/callback": {"get": {}},
    "/ping": {"post": {}}
  }
}`

func TestParseOpenAPI(t *testing.T) {
	doc, err := parseOpenAPI([]byte(generatedDoc), "/api/auth")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range doc.operations {
		got = append(got, o.String())
	}
	want := []string{"DELETE /admin/users/{user_id}", "POST /login", "GET /health", "GET /me", "PATCH /me", "GET /oauth/google/callback", "POST /ping"}
	if len(got) != len(want) {
		t.Fatalf("operations %q, want %q", got, want)
	}
	for _, w := range want {
		m, p, _ := strings.Cut(w, " ")
		if !doc.has(m, p) {
			t.Errorf("document lacks %s; has %q", w, got)
		}
	}
	if !doc.hasPrefix("/oauth") || doc.hasPrefix("/phone") || doc.hasPrefix("/me/x") {
		t.Error("hasPrefix is wrong")
	}
}

func TestParseOpenAPIFullPaths(t *testing.T) {
	// No server URL: paths carry the prefix, which is cut off. A document
	// security requirement applies unless the operation's own (empty) list
	// replaces it.
	raw := `{"openapi":"3.0.3","security":[{"bearer":[]}],"paths":{
		"/api/auth/me":{"get":{}},
		"/api/auth/login":{"post":{"security":[],"requestBody":{}}}}}`
	doc, err := parseOpenAPI([]byte(raw), "/api/auth")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range doc.operations {
		switch o.String() {
		case "GET /me":
			if !o.secured {
				t.Error("GET /me: the document's security requirement was not applied")
			}
		case "POST /login":
			if o.secured || !o.hasBody {
				t.Errorf("POST /login: secured %v, hasBody %v; want false, true", o.secured, o.hasBody)
			}
		default:
			t.Errorf("unexpected operation %s", o)
		}
	}
}

func TestParseOpenAPIRejects(t *testing.T) {
	for _, raw := range []string{`<html>`, `{"swagger":"2.0","paths":{"/x":{}}}`, `{"openapi":"3.1.0","paths":{}}`} {
		if _, err := parseOpenAPI([]byte(raw), "/api/auth"); err == nil {
			t.Errorf("parseOpenAPI(%s) succeeded, want an error", raw)
		}
	}
}

func TestRouteProbe(t *testing.T) {
	for _, c := range []struct {
		op         operation
		wantMethod string
		wantPath   string
		wantBody   string // "" for none
		ok         bool
	}{
		// Without a token a secured route refuses before it acts, body or not.
		{operation{method: "DELETE", path: "/admin/users/{user_id}", secured: true}, "DELETE", "/admin/users/probe-none", "", true},
		{operation{method: "PATCH", path: "/me", secured: true, hasBody: true}, "PATCH", "/me", "", true},
		{operation{method: "GET", path: "/health"}, "GET", "/health", "", true},
		// A public route with a body gets one that is not an object.
		{operation{method: "POST", path: "/register", hasBody: true}, "POST", "/register", "[]", true},
		// A public route without a body cannot be called harmlessly.
		{operation{method: "POST", path: "/ping"}, "", "", "", false},
	} {
		m, p, body, ok := routeProbe(c.op)
		gotBody := ""
		if body != nil {
			gotBody = string(body.(json.RawMessage))
		}
		if m != c.wantMethod || p != c.wantPath || gotBody != c.wantBody || ok != c.ok {
			t.Errorf("routeProbe(%s) = %s %s %q %v, want %s %s %q %v", c.op, m, p, gotBody, ok, c.wantMethod, c.wantPath, c.wantBody, c.ok)
		}
	}
}
