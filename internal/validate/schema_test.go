package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// schemaPath is the published JSON Schema of the --json report.
const schemaPath = "../../docs/validate.schema.json"

// TestReportMatchesSchema checks reports written by WriteJSON against
// docs/validate.schema.json: a constructed one with every status, an empty
// one, and a real one from a probe. The schema is read with the small
// subset of JSON Schema it uses (checkSchema), so the test needs no
// validator module; the test also makes sure that subset is all it uses,
// and that it rejects reports that break the schema.
func TestReportMatchesSchema(t *testing.T) {
	schema := loadSchema(t)

	var statuses []string
	for _, s := range []Status{Pass, Fail, Warn, Skip} {
		statuses = append(statuses, string(s))
	}
	var enum []string
	for _, v := range schemaAt(t, schema, "#/$defs/check")["properties"].(map[string]any)["status"].(map[string]any)["enum"].([]any) {
		enum = append(enum, v.(string))
	}
	if !slices.Equal(enum, statuses) {
		t.Errorf("the schema's statuses %q, want %q", enum, statuses)
	}

	constructed := &Report{URL: "https://app.example.com", Checks: []Check{
		{ID: "reachability", Status: Pass, Detail: "ok", Duration: time.Millisecond},
		{ID: "logout_revokes", Status: Fail, Detail: "the token still works"},
		{ID: "headers", Status: Warn, Detail: "no HSTS"},
		{ID: "sms_enrol", Status: Skip, Detail: "needs the texted codes: pass --log-source"},
	}}
	probed := runAgainst(t, http.NotFoundHandler())
	if len(probed.Checks) < 10 {
		t.Fatalf("the probe ran only %d checks", len(probed.Checks))
	}
	for name, r := range map[string]*Report{"constructed": constructed, "empty": {URL: "http://127.0.0.1:8000"}, "probed": probed} {
		doc := reportJSON(t, r)
		if errs := checkSchema(schema, schema, doc, "$"); len(errs) > 0 {
			t.Errorf("%s report does not match the schema:\n%s", name, strings.Join(errs, "\n"))
		}
	}

	// The check must not pass everything: each of these breaks the schema.
	for name, edit := range map[string]func(m map[string]any){
		"no failed":        func(m map[string]any) { delete(m, "failed") },
		"extra key":        func(m map[string]any) { m["warned"] = 1 },
		"negative passed":  func(m map[string]any) { m["passed"] = -1 },
		"fractional count": func(m map[string]any) { m["failed"] = 1.5 },
		"url not http":     func(m map[string]any) { m["url"] = "ftp://x" },
		"unknown status":   func(m map[string]any) { check0(m)["status"] = "ok" },
		"no detail":        func(m map[string]any) { delete(check0(m), "detail") },
		"id with a space":  func(m map[string]any) { check0(m)["id"] = "logout revokes" },
		"duration":         func(m map[string]any) { check0(m)["duration"] = 3 },
		"checks null":      func(m map[string]any) { m["checks"] = nil },
	} {
		doc := reportJSON(t, constructed).(map[string]any)
		edit(doc)
		if errs := checkSchema(schema, schema, doc, "$"); len(errs) == 0 {
			t.Errorf("%s: the broken report matches the schema", name)
		}
	}
}

func check0(m map[string]any) map[string]any { return m["checks"].([]any)[0].(map[string]any) }

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	if got := schema["$schema"]; got != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("%s: $schema %v, want draft 2020-12", schemaPath, got)
	}
	// Every keyword the schema uses must be one checkSchema knows, or
	// only describes.
	known := map[string]bool{
		"$schema": true, "$id": true, "$defs": true, "$ref": true, "title": true, "description": true,
		"type": true, "required": true, "additionalProperties": true, "properties": true,
		"items": true, "enum": true, "pattern": true, "minimum": true,
	}
	var walk func(s map[string]any, at string)
	walk = func(s map[string]any, at string) {
		for k, v := range s {
			if !known[k] {
				t.Errorf("%s: keyword %q at %s is not checked by this test", schemaPath, k, at)
			}
			switch k {
			case "properties", "$defs":
				for name, sub := range v.(map[string]any) {
					walk(sub.(map[string]any), at+"/"+k+"/"+name)
				}
			case "items":
				walk(v.(map[string]any), at+"/items")
			}
		}
	}
	walk(schema, "#")
	return schema
}

// reportJSON is r as WriteJSON writes it, decoded.
func reportJSON(t *testing.T, r *Report) any {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	return doc
}

// schemaAt resolves a local reference such as #/$defs/check.
func schemaAt(t *testing.T, root map[string]any, ref string) map[string]any {
	t.Helper()
	s, err := resolveRef(root, ref)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func resolveRef(root map[string]any, ref string) (map[string]any, error) {
	path, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, fmt.Errorf("$ref %q: only local references are supported", ref)
	}
	cur := root
	for _, part := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		if part == "" {
			continue
		}
		next, ok := cur[part].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q: no %q", ref, part)
		}
		cur = next
	}
	return cur, nil
}

// checkSchema checks v (decoded JSON) against the subset of JSON Schema
// that docs/validate.schema.json uses, and returns what does not match,
// each naming its place in v.
func checkSchema(root, s map[string]any, v any, at string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, at+": "+fmt.Sprintf(format, args...)) }
	if ref, ok := s["$ref"].(string); ok {
		sub, err := resolveRef(root, ref)
		if err != nil {
			return []string{at + ": " + err.Error()}
		}
		errs = append(errs, checkSchema(root, sub, v, at)...)
	}
	if typ, ok := s["type"].(string); ok && !hasType(v, typ) {
		fail("%v is not of type %s", v, typ)
		return errs
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, v) {
		fail("%v is not one of %v", v, enum)
	}
	if p, ok := s["pattern"].(string); ok {
		if str, isStr := v.(string); isStr && !regexp.MustCompile(p).MatchString(str) {
			fail("%q does not match %s", str, p)
		}
	}
	if minimum, ok := s["minimum"].(float64); ok {
		if n, isNum := v.(float64); isNum && n < minimum {
			fail("%v is less than %v", n, minimum)
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := s["properties"].(map[string]any)
		required, _ := s["required"].([]any)
		for _, k := range required {
			if _, has := obj[k.(string)]; !has {
				fail("no %q", k)
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, known := props[k].(map[string]any)
			switch {
			case known:
				errs = append(errs, checkSchema(root, sub, obj[k], at+"."+k)...)
			case s["additionalProperties"] == false:
				fail("unexpected key %q", k)
			}
		}
	}
	if arr, ok := v.([]any); ok {
		if items, has := s["items"].(map[string]any); has {
			for i, item := range arr {
				errs = append(errs, checkSchema(root, items, item, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

// hasType reports whether v, decoded by encoding/json, is of the JSON
// Schema type typ.
func hasType(v any, typ string) bool {
	switch typ {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "integer":
		n, ok := v.(float64)
		return ok && n == float64(int64(n))
	case "number":
		_, ok := v.(float64)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "null":
		return v == nil
	}
	return false
}
