package validate

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestReportJSON(t *testing.T) {
	r := &Report{URL: "https://app.example.com", Checks: []Check{
		{ID: "reachability", Status: Pass, Detail: "ok", Duration: time.Millisecond},
		{ID: "logout_revokes", Status: Fail, Detail: "the token still works"},
		{ID: "headers", Status: Warn, Detail: "no HSTS"},
		{ID: "verify", Status: Skip, Detail: "needs --log-source"},
	}}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		URL    string
		Checks []map[string]any
		Passed *int
		Failed *int
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if got.URL != r.URL || got.Passed == nil || *got.Passed != 1 || got.Failed == nil || *got.Failed != 1 || len(got.Checks) != 4 {
		t.Fatalf("JSON report:\n%s", buf.String())
	}
	for i, c := range got.Checks {
		if len(c) != 3 || c["id"] != r.Checks[i].ID || c["status"] != string(r.Checks[i].Status) || c["detail"] != r.Checks[i].Detail {
			t.Errorf("check %d = %v, want exactly id, status and detail of %+v", i, c, r.Checks[i])
		}
	}

	buf.Reset()
	if err := (&Report{URL: "http://x"}).WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"checks": []`) {
		t.Errorf("an empty report's checks are not []: %s", buf.String())
	}
}

func TestReportText(t *testing.T) {
	r := &Report{URL: "https://app.example.com", Checks: []Check{
		{ID: "health", Status: Pass, Detail: "GET /api/auth/health answers 200 OK", Duration: 1500 * time.Microsecond},
		{ID: "logout_revokes", Status: Fail, Detail: "the token still works", Duration: 3 * time.Millisecond},
		{ID: "headers", Status: Warn, Detail: "no HSTS"},
		{ID: "verify", Status: Skip, Detail: "needs --log-source"},
	}}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	want := `✔ health — GET /api/auth/health answers 200 OK (2ms)
✘ logout_revokes — the token still works (3ms)
⚠ headers — no HSTS (<1ms)
- verify — skipped: needs --log-source
https://app.example.com: 1 passed, 1 failed, 1 warnings, 1 skipped
`
	if buf.String() != want {
		t.Errorf("text report:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func runAgainst(t *testing.T, h http.Handler) *Report {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return Run(context.Background(), Options{
		URL: srv.URL, APIPrefix: "/api/auth", UIPrefix: "/account",
		ProbeEmailDomain: "regstack-probe.example", Timeout: 5 * time.Second,
	})
}

// TestRunUnreachableAPI: when the prefix is wrong the probe fails once,
// naming reachability and the flag to check, and lists every other check
// as skipped.
func TestRunUnreachableAPI(t *testing.T) {
	var requests []string
	r := runAgainst(t, http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		requests = append(requests, req.Method+" "+req.URL.Path)
		http.NotFound(w, req)
	}))
	c, _ := r.Find("reachability")
	if c.Status != Fail || !strings.Contains(c.Detail, "--api-prefix") {
		t.Errorf("reachability = %+v, want a failure that names --api-prefix", c)
	}
	if r.Count(Fail) != 1 || r.Count(Skip) != len(r.Checks)-1 {
		t.Errorf("want one failure and every other check skipped:\n%+v", r.Checks)
	}
	for _, id := range []string{"health", "openapi", "register", "logout_revokes", "delete"} {
		if _, ok := r.Find(id); !ok {
			t.Errorf("the report does not list %s", id)
		}
	}
	if len(requests) != 1 {
		t.Errorf("requests after the failed reachability check: %q", requests)
	}
}

// TestRunRedirect: a redirect is reported, not followed, so that the
// operator probes the URL clients really use.
func TestRunRedirect(t *testing.T) {
	r := runAgainst(t, http.RedirectHandler("https://app.example.com/api/auth/login", http.StatusPermanentRedirect))
	if c, _ := r.Find("reachability"); c.Status != Fail || !strings.Contains(c.Detail, "https://app.example.com/api/auth/login") {
		t.Errorf("reachability = %+v, want a failure naming the redirect's target", c)
	}
}
