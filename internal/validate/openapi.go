package validate

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// operation is one documented route, with its path relative to the API
// prefix.
type operation struct {
	method  string // upper case
	path    string
	secured bool // needs a bearer token
	hasBody bool // takes a request body
}

func (o operation) String() string { return o.method + " " + o.path }

// apiDoc is what the probe uses of the deployment's OpenAPI document.
type apiDoc struct {
	version    string
	operations []operation // sorted by path, then method
}

// has reports whether the document lists method path.
func (d *apiDoc) has(method, path string) bool {
	for _, o := range d.operations {
		if o.method == method && o.path == path {
			return true
		}
	}
	return false
}

// hasPrefix reports whether the document lists a path under prefix.
func (d *apiDoc) hasPrefix(prefix string) bool {
	for _, o := range d.operations {
		if o.path == prefix || strings.HasPrefix(o.path, prefix+"/") {
			return true
		}
	}
	return false
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "patch": true}

// parseOpenAPI reads an OpenAPI 3 document. Its paths are relative to the
// API prefix when its first server URL ends with the prefix (as the
// generated app's document is); otherwise they may be written in full, and
// the prefix is cut off.
func parseOpenAPI(raw []byte, apiPrefix string) (*apiDoc, error) {
	type op struct {
		Security    *[]map[string]any `json:"security"`
		RequestBody json.RawMessage   `json:"requestBody"`
	}
	var doc struct {
		OpenAPI  string                                `json:"openapi"`
		Servers  []struct{ URL string }                `json:"servers"`
		Security []map[string]any                      `json:"security"`
		Paths    map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return nil, fmt.Errorf("openapi is %q, want 3.x", doc.OpenAPI)
	}
	if len(doc.Paths) == 0 {
		return nil, fmt.Errorf("no paths")
	}
	relative := false
	if len(doc.Servers) > 0 {
		if u, err := url.Parse(doc.Servers[0].URL); err == nil && strings.TrimRight(u.Path, "/") == apiPrefix {
			relative = true
		}
	}
	d := &apiDoc{version: doc.OpenAPI}
	for p, item := range doc.Paths {
		path := p
		if !relative && apiPrefix != "" && strings.HasPrefix(p, apiPrefix+"/") {
			path = strings.TrimPrefix(p, apiPrefix)
		}
		for m, rawOp := range item {
			if !httpMethods[m] {
				continue // "parameters", "summary", ...
			}
			var o op
			if err := json.Unmarshal(rawOp, &o); err != nil {
				return nil, fmt.Errorf("%s %s: %v", strings.ToUpper(m), p, err)
			}
			// An operation's own security list, even an empty one,
			// replaces the document's.
			security := doc.Security
			if o.Security != nil {
				security = *o.Security
			}
			d.operations = append(d.operations, operation{
				method:  strings.ToUpper(m),
				path:    path,
				secured: len(security) > 0,
				hasBody: len(o.RequestBody) > 0 && string(o.RequestBody) != "null",
			})
		}
	}
	sort.Slice(d.operations, func(i, j int) bool {
		a, b := d.operations[i], d.operations[j]
		if a.path != b.path {
			return a.path < b.path
		}
		return a.method < b.method
	})
	return d, nil
}

// pathParam matches a path template parameter such as {user_id}.
var pathParam = regexp.MustCompile(`\{[^}/]+\}`)

// routeProbe is a request that shows whether an operation is served
// without changing anything: without a token a secured route refuses
// (401) before doing anything, and a body that is not a JSON object is
// refused (422) before any handler acts on it. GET is safe by definition.
// An operation that is neither is not probed.
func routeProbe(o operation) (method, path string, body any, ok bool) {
	path = pathParam.ReplaceAllString(o.path, "probe-none")
	switch {
	case o.secured:
		return o.method, path, nil, true
	case o.method == http.MethodGet:
		return o.method, path, nil, true
	case o.hasBody:
		return o.method, path, json.RawMessage(`[]`), true
	}
	return "", "", nil, false
}

// probeRoutes sends each operation's probe and returns the operations the
// server does not serve (404 or 405, or a server error) and those it could
// not probe safely.
func probeRoutes(ctx context.Context, c *client, prefix string, doc *apiDoc) (missing, unprobed []string, err error) {
	for _, o := range doc.operations {
		method, path, body, ok := routeProbe(o)
		if !ok {
			unprobed = append(unprobed, o.String())
			continue
		}
		a, err := c.do(ctx, method, prefix+path, "", body)
		if err != nil {
			return nil, nil, err
		}
		if a.Status == http.StatusNotFound || a.Status == http.StatusMethodNotAllowed || a.Status >= 500 {
			missing = append(missing, fmt.Sprintf("%s answers %s", o, a))
		}
	}
	return missing, unprobed, nil
}
