// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
)

// openAPIOperations fetches the document and returns its operations as
// "METHOD /path" (paths relative to the API prefix).
func openAPIOperations(t *testing.T, env *authtest.Env) map[string]bool {
	t.Helper()
	r := env.Do(t, http.MethodGet, "/openapi.json", nil)
	wantStatus(t, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q", ct)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Info    struct{ Title, Version string }       `json:"info"`
		Servers []struct{ URL string }                `json:"servers"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Info.Title == "" || doc.Info.Version == "" {
		t.Fatalf("openapi %q info %+v", doc.OpenAPI, doc.Info)
	}
	relative := len(doc.Servers) > 0 && strings.TrimRight(doc.Servers[0].URL, "/") == strings.TrimRight(env.Config.APIPrefix, "/")
	ops := map[string]bool{}
	for path, item := range doc.Paths {
		if !relative {
			path = strings.TrimPrefix(path, strings.TrimRight(env.Config.APIPrefix, "/"))
		}
		for method := range item {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
				ops[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	return ops
}

// routed reports whether the handler serves the operation (anything but
// the router's own 404/405).
func routed(t *testing.T, env *authtest.Env, method, path string) bool {
	t.Helper()
	r := env.Do(t, method, path, nil)
	if r.Status == http.StatusMethodNotAllowed {
		return false
	}
	return !(r.Status == http.StatusNotFound && r.Detail() == detailNotFound)
}

func checkOpenAPIMatchesRoutes(t *testing.T, env *authtest.Env) map[string]bool {
	t.Helper()
	ops := openAPIOperations(t, env)
	for op := range ops {
		method, path, _ := strings.Cut(op, " ")
		if !routed(t, env, method, path) {
			t.Errorf("openapi.json documents %s, which is not served", op)
		}
	}
	for _, op := range env.Auth.RouteTable() {
		if !ops[op] {
			t.Errorf("%s is served but not in openapi.json", op)
		}
	}
	return ops
}

func TestOpenAPIDocumentsExactlyTheRoutes(t *testing.T) {
	t.Parallel()
	env := newEnv(t)
	ops := checkOpenAPIMatchesRoutes(t, env)
	for _, core := range []string{"POST /register", "POST /verify", "POST /login", "POST /logout", "GET /me", "PATCH /me",
		"POST /change-password", "POST /change-email", "POST /confirm-email-change"} {
		if !ops[core] {
			t.Errorf("openapi.json lacks %s", core)
		}
	}
}

func TestOpenAPIUnderAnotherPrefix(t *testing.T) {
	t.Parallel()
	env := newEnv(t, func(c *config.Config) { c.APIPrefix = "/v2/accounts" })
	checkOpenAPIMatchesRoutes(t, env)
	signUp(t, env, "alice@example.com", pw1)
	// Nothing answers under the default prefix.
	req, err := http.NewRequest(http.MethodPost, env.Server.URL+"/api/auth/login", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if r := env.Send(t, req); r.Status != http.StatusNotFound {
		t.Fatalf("default prefix still answers: %s", r)
	}
}
