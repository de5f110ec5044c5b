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
	"slices"
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

// validateSMSChecks are the checks of the SMS second factor, which a
// probe of a deployment with /phone routes runs between change_email and
// delete.
var validateSMSChecks = []string{"sms_enrol", "sms_login", "sms_disable"}

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
	app, logFile := startLoggingApp(t, bin, host, "sqlite")
	logSource := "file:" + logFile

	t.Run("healthy", func(t *testing.T) {
		checkHealthyProbe(t, app.BaseURL, logFile, validateChecks)
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

// TestValidateBackends runs the healthy-app probe against the starter app
// on PostgreSQL and on MongoDB (FerretDB): every check passes there too.
func TestValidateBackends(t *testing.T) {
	for _, backend := range []string{"postgres", "mongo"} {
		t.Run(backend, func(t *testing.T) {
			bin, host := starterApp(t, backend)
			app, logFile := startLoggingApp(t, bin, host, backend)
			checkHealthyProbe(t, app.BaseURL, logFile, validateChecks)
		})
	}
}

// TestValidateSMS runs `regstack validate` against the live SMS starter
// app on SQLite, with the console SMS backend logging each text message,
// code included, to the file the probe reads: the account enrols the
// probe's phone, signs in with a texted code and switches codes off again,
// and the rest of the probe passes as without SMS. Without a phone number
// the SMS steps are skipped, saying why.
func TestValidateSMS(t *testing.T) {
	bin, host := smsStarterApp(t, "sqlite")
	app, logFile := startLoggingApp(t, bin, host, "sqlite", "REGSTACK_SMS__BACKEND=console")
	withSMS := append(slices.Clone(validateChecks[:len(validateChecks)-1]), validateSMSChecks...)
	withSMS = append(withSMS, "delete")

	t.Run("healthy", func(t *testing.T) {
		out := checkHealthyProbe(t, app.BaseURL, logFile, withSMS)
		codes := logCodes(t, logFile)
		if len(codes) != 2 {
			t.Errorf("the app's log has %d text messages with codes, want 2 (enrolment, sign-in)", len(codes))
		}
		for _, code := range codes {
			if regexp.MustCompile(`\b` + code + `\b`).MatchString(out) {
				t.Errorf("the report prints a code from the app's log")
			}
		}
	})

	t.Run("no probe phone", func(t *testing.T) {
		out, code := runValidate(t, "--url", app.BaseURL, "--log-source", "file:"+logFile, "--probe-phone", "", "--json")
		if code != 0 {
			t.Errorf("exit status %d, want 0", code)
		}
		r := parseValidateReport(t, out)
		for _, c := range r.Checks {
			want := "pass"
			if slices.Contains(validateSMSChecks, c.ID) {
				want = "skip"
			}
			if c.Status != want {
				t.Errorf("%s: %s, %s; want %s", c.ID, c.Status, c.Detail, want)
			}
			if c.ID == "sms_enrol" && !strings.Contains(c.Detail, "--probe-phone") {
				t.Errorf("sms_enrol is skipped with %q, which does not name --probe-phone", c.Detail)
			}
		}
		if r.Passed != len(validateChecks) {
			t.Errorf("passed %d, want %d", r.Passed, len(validateChecks))
		}
	})
}

// startLoggingApp starts the app bin on backend with the console mail
// backend (and the given extra environment), its log written to a file
// the probe reads; it returns the app and the file. The last lines of the
// log are shown when the test fails.
func startLoggingApp(t *testing.T, bin, host, backend string, extra ...string) (*liveApp, string) {
	t.Helper()
	logFile := filepath.Join(t.TempDir(), "app.log")
	app := startApp(t, logToFile(t, bin, logFile), host, append([]string{
		"REGSTACK_DATABASE_URL=" + databaseURL(t, backend),
		"REGSTACK_JWT_SECRET=" + randomAlnum(64),
		"REGSTACK_EMAIL__BACKEND=console",
		"REGSTACK_REQUIRE_VERIFICATION=true",
	}, extra...))
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(logFile)
			t.Logf("app log:\n%s", tail(string(log), 40))
		}
	})
	return app, logFile
}

// checkHealthyProbe runs the probe against a healthy app with its log as
// the log source and checks that it runs exactly the checks want, each
// passing, and prints none of the tokens in the log. It returns the
// report.
func checkHealthyProbe(t *testing.T, appURL, logFile string, want []string) string {
	t.Helper()
	out, code := runValidate(t, "--url", appURL, "--log-source", "file:"+logFile, "--json")
	if code != 0 {
		t.Errorf("exit status %d, want 0", code)
	}
	r := parseValidateReport(t, out)
	if r.URL != appURL {
		t.Errorf("url = %q, want %s", r.URL, appURL)
	}
	var ids []string
	for _, c := range r.Checks {
		ids = append(ids, c.ID)
		if c.Status != "pass" {
			t.Errorf("%s: %s, %s; want pass", c.ID, c.Status, c.Detail)
		}
	}
	if strings.Join(ids, " ") != strings.Join(want, " ") {
		t.Errorf("checks %q\nwant %q", ids, want)
	}
	if r.Passed != len(want) || r.Failed != 0 {
		t.Errorf("passed %d, failed %d; want %d, 0", r.Passed, r.Failed, len(want))
	}
	// The probe read the mailed tokens from the log, and printed none.
	for _, tok := range logTokens(t, logFile) {
		if strings.Contains(out, tok) {
			t.Errorf("the report prints a token from the app's log")
		}
	}
	return out
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

// logCodes returns the code of every text message in the app's log: the
// console SMS backend logs its body, which ends with "@host #code".
func logCodes(t *testing.T, logFile string) []string {
	t.Helper()
	log, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, line := range strings.Split(string(log), "\n") {
		if !strings.Contains(line, "sms (console backend") {
			continue
		}
		if m := regexp.MustCompile(`#([0-9]{4,10})\b`).FindStringSubmatch(line); m != nil {
			codes = append(codes, m[1])
		}
	}
	return codes
}
