// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"example.com/demo/internal/auth/config"
)

// openapiFiles holds the OpenAPI 3.1 description of exactly the routes
// that were generated (openapi.json, written with this package).
//
//go:embed openapi.json
var openapiFiles embed.FS

// openAPIDocument adapts the embedded document to the configuration: the
// server URL is the configured API prefix, and only the paths of the route
// table (routes.go, after the runtime switches) stay, so the document always
// matches what is served.
func openAPIDocument(cfg config.Config, routes []route) ([]byte, error) {
	raw, err := openapiFiles.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	var paths map[string]json.RawMessage
	if err := json.Unmarshal(doc["paths"], &paths); err != nil {
		return nil, fmt.Errorf("openapi.json paths: %w", err)
	}
	served := map[string]bool{}
	for _, r := range routes {
		served[r.path] = true
	}
	for path := range paths {
		if !served[path] {
			delete(paths, path)
		}
	}
	prefix := strings.TrimRight(cfg.APIPrefix, "/")
	if prefix == "" {
		prefix = "/"
	}
	servers := []map[string]string{{"url": prefix}}
	if doc["servers"], err = json.Marshal(servers); err != nil {
		return nil, err
	}
	if doc["paths"], err = json.Marshal(paths); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// GET /openapi.json
func (a *Auth) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(a.openapi)
}
