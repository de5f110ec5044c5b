package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// validateTimeout bounds one `regstack validate` run; a passing run against
// the local app takes about a second.
const validateTimeout = time.Minute

// validateChecks are the checks a full probe of the starter app runs, in
// order.
var validateChecks = []string{
	"reachability", "health", "ready", "openapi", "headers",
	"register", "verify", "login", "me", "logout_revokes", "update_me",
	"change_password_revokes", "password_reset", "change_email", "delete",
}

// validateReport is the JSON report of `regstack validate --json`.
type validateReport struct {
	URL    string
	Checks []struct {
		ID     string
		Status string
		Detail string
	}
	Passed int
	Failed int
}

// TestValidate runs `regstack validate` against the live starter app on
// SQLite, with its console mail backend logging to a file the probe reads
// the mailed tokens from: the healthy app passes every check; a wrong API
// prefix fails reachability; and behind a proxy that answers logout
// without forwarding it (so the session is never revoked) the probe fails
// logout_revokes, and only that.
func TestValidate(t *testing.T) {
	bin, host := starterApp(t, "sqlite")
	logFile := filepath.Join(t.TempDir(), "app.log")
	app := startApp(t, logToFile(t, bin, logFile), host, []string{
		"REGSTACK_DATABASE_URL=" + databaseURL(t, "sqlite"),
		"REGSTACK_JWT_SECRET=" + randomAlnum(64),
		"REGSTACK_EMAIL__BACKEND=console",
		"REGSTACK_REQUIRE_VERIFICATION=true",
	})
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(logFile)
			t.Logf("app log:\n%s", tail(string(log), 40))
		}
	})
	logSource := "file:" + logFile

	t.Run("healthy", func(t *testing.T) {
		out, code := runValidate(t, "--url", app.BaseURL, "--log-source", logSource, "--json")
		if code != 0 {
			t.Errorf("exit status %d, want 0", code)
		}
		r := parseValidateReport(t, out)
		if r.URL != app.BaseURL {
			t.Errorf("url = %q, want %s", r.URL, app.BaseURL)
		}
		var ids []string
		for _, c := range r.Checks {
			ids = append(ids, c.ID)
			if c.Status != "pass" {
				t.Errorf("%s: %s, %s; want pass", c.ID, c.Status, c.Detail)
			}
		}
		if strings.Join(ids, " ") != strings.Join(validateChecks, " ") {
			t.Errorf("checks %q\nwant %q", ids, validateChecks)
		}
		if r.Passed != len(validateChecks) || r.Failed != 0 {
			t.Errorf("passed %d, failed %d; want %d, 0", r.Passed, r.Failed, len(validateChecks))
		}
		// The probe read the mailed tokens from the log, and printed none.
		for _, tok := range logTokens(t, logFile) {
			if strings.Contains(out, tok) {
				t.Errorf("the report prints a token from the app's log")
			}
		}
	})

	t.Run("wrong api prefix", func(t *testing.T) {
		out, code := runValidate(t, "--url", app.BaseURL, "--api-prefix", "/api/wrong", "--log-source", logSource, "--json")
		if code != 1 {
			t.Errorf("exit status %d, want 1 (one failed check)", code)
		}
		r := parseValidateReport(t, out)
		if r.Failed != 1 || len(r.Checks) == 0 || r.Checks[0].ID != "reachability" || r.Checks[0].Status != "fail" {
			t.Fatalf("want exactly reachability to fail, got:\n%s", out)
		}
		if d := r.Checks[0].Detail; !strings.Contains(d, "/api/wrong") || !strings.Contains(d, "--api-prefix") {
			t.Errorf("reachability detail %q does not name the prefix and the flag", d)
		}
	})

	t.Run("logout does not revoke", func(t *testing.T) {
		proxy := nonRevokingProxy(t, app.BaseURL)
		out, code := runValidate(t, "--url", proxy, "--log-source", logSource)
		if code != 1 {
			t.Errorf("exit status %d, want 1 (one failed check)", code)
		}
		var failed []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "✘ ") {
				failed = append(failed, l)
			}
		}
		if len(failed) != 1 || !strings.HasPrefix(failed[0], "✘ logout_revokes — ") || !strings.Contains(failed[0], "401") {
			t.Errorf("want logout_revokes to fail alone, naming the 401 it expected; failed lines:\n%s\noutput:\n%s", strings.Join(failed, "\n"), out)
		}
		// The probe still cleaned up after the failure.
		if !regexp.MustCompile(`(?m)^✔ delete — `).MatchString(out) {
			t.Errorf("the probe account was not deleted:\n%s", out)
		}
	})

	t.Run("usage error", func(t *testing.T) {
		if out, code := runValidate(t, "--url", "ftp://example.com"); code != 2 {
			t.Errorf("--url ftp://...: exit status %d, want 2\n%s", code, out)
		}
	})
}

// logToFile returns a program that runs bin with its output appended to
// logFile. The harness keeps an app's output in memory; the probe reads a
// log file, as it would on a server, and exec keeps the app the process
// the harness signals and kills.
func logToFile(t *testing.T, bin, logFile string) string {
	t.Helper()
	script := filepath.Join(t.TempDir(), "app-logging-to-file")
	body := fmt.Sprintf("#!/bin/sh\nexec %s >>%s 2>&1\n", shellQuote(bin), shellQuote(logFile))
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	return script
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// nonRevokingProxy serves a broken deployment: a reverse proxy in front of
// the app that answers POST {prefix}/logout itself, as the app would, but
// never forwards it, so the session it should end stays valid.
func nonRevokingProxy(t *testing.T, appURL string) string {
	t.Helper()
	target, err := url.Parse(appURL)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == apiPrefix+"/logout" {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("X-Content-Type-Options", "nosniff")
			w.Write([]byte(`{"message":"Logged out."}`))
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// runValidate runs `regstack validate args...` and returns its standard
// output and exit status (its standard error is logged).
func runValidate(t *testing.T, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), validateTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, regstack(t), append([]string{"validate"}, args...)...)
	cmd.Dir = fx.work
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("regstack validate %s: %v", strings.Join(args, " "), err)
	}
	t.Logf("regstack validate %s: exit %d in %s; stderr: %s", strings.Join(args, " "), code,
		time.Since(start).Round(time.Millisecond), strings.TrimSpace(stderr.String()))
	return stdout.String(), code
}

// parseValidateReport decodes a JSON report and checks its shape: every
// check has exactly an id, a known status and a detail.
func parseValidateReport(t *testing.T, out string) validateReport {
	t.Helper()
	var raw struct {
		Checks []map[string]any `json:"checks"`
	}
	var r validateReport
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, out)
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("the report does not have the documented shape: %v\n%s", err, out)
	}
	keys, err := objectKeys([]byte(out))
	if err != nil || strings.Join(keys, ",") != "url,checks,passed,failed" {
		t.Errorf("report keys %v (%v), want url, checks, passed, failed", keys, err)
	}
	for _, c := range raw.Checks {
		status, _ := c["status"].(string)
		id, _ := c["id"].(string)
		_, hasDetail := c["detail"].(string)
		if len(c) != 3 || id == "" || !hasDetail || !strings.Contains(" pass fail warn skip ", " "+status+" ") {
			t.Errorf("check %v: want exactly id, status (pass|fail|warn|skip) and detail", c)
		}
	}
	return r
}

// logTokens returns every token of a link in the app's log.
func logTokens(t *testing.T, logFile string) []string {
	t.Helper()
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	var tokens []string
	for _, m := range regexp.MustCompile(`[?&]token=([A-Za-z0-9_-]+)`).FindAllSubmatch(log, -1) {
		tokens = append(tokens, string(m[1]))
	}
	if len(tokens) == 0 {
		t.Error("the app's log has no links with tokens; did the probe read the mail from elsewhere?")
	}
	return tokens
}
