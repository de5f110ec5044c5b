package e2e

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// sesSetupJSON is the shape of `regstack ses setup --json`.
type sesSetupJSON struct {
	Region string `json:"region"`
	Checks []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Detail string `json:"detail"`
		Fix    string `json:"fix"`
	} `json:"checks"`
	Passed   int  `json:"passed"`
	Failed   int  `json:"failed"`
	Warnings int  `json:"warnings"`
	Skipped  int  `json:"skipped"`
	DryRun   bool `json:"dry_run"`
	Config   struct {
		Path    string `json:"path"`
		Changed bool   `json:"changed"`
		Changes []struct {
			Key    string `json:"key"`
			Action string `json:"action"`
		} `json:"changes"`
		Diff string `json:"diff"`
	} `json:"config"`
	Secrets struct {
		Path    string `json:"path"`
		Changed bool   `json:"changed"`
		Diff    string `json:"diff"`
	} `json:"secrets"`
}

func (r sesSetupJSON) status(id string) string {
	for _, c := range r.Checks {
		if c.ID == id {
			return c.Status
		}
	}
	return "missing"
}

// TestSESSetup runs `regstack ses setup` against moto's SES and SNS on a
// freshly generated host (SES email, SMS over SNS): an unverified sender
// fails with its fix, a verified domain passes, --dry-run writes nothing,
// and a real run edits regstack.toml in place and the secrets file at 0600.
func TestSESSetup(t *testing.T) {
	m := moto(t)
	m.own(t)
	bin := regstack(t)
	host := filepath.Join(t.TempDir(), "host")
	mustRun(t, fx.work, genTimeout, bin, "gen", "--yes", "--no-tidy", "--email-backend", "ses",
		"--sms", "--sms-backend", "sns", "--dir", host)
	configPath := filepath.Join(host, "regstack.toml")
	secretsPath := filepath.Join(host, "regstack.secrets.env")
	origConfig := readHostFile(t, configPath)
	origSecrets := readHostFile(t, secretsPath)

	setup := func(t *testing.T, args ...string) (string, int) {
		t.Helper()
		args = append([]string{"ses", "setup", "--headless", "--endpoint", m.URL}, args...)
		start := time.Now()
		out, err := runEnv(host, time.Minute, awsEnv(), bin, args...)
		code := 0
		if err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("regstack %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			code = ee.ExitCode()
		}
		t.Logf("regstack %s: exit %d in %s", strings.Join(args, " "), code, time.Since(start).Round(time.Millisecond))
		return out, code
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		if got := readHostFile(t, configPath); got != origConfig {
			t.Error("regstack.toml changed")
		}
		if got := readHostFile(t, secretsPath); got != origSecrets {
			t.Error("regstack.secrets.env changed")
		}
	}

	t.Run("unverified sender fails with the fix", func(t *testing.T) {
		out, code := setup(t, "--region", "us-east-1", "--dry-run")
		if code != 1 {
			t.Errorf("exit %d, want 1 (one failed check)\n%s", code, out)
		}
		for _, want := range []string{
			"✘ sender_identity — neither noreply@example.com nor its domain example.com is a verified SES identity in us-east-1",
			"fix: verify the domain example.com in SES in us-east-1",
			"aws sesv2 create-email-identity --email-identity example.com --region us-east-1",
			"✔ credentials — account 123456789012",
			"--dry-run: nothing written",
			"+ses_region = \"us-east-1\"",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		unchanged(t)
	})

	// Verify the sender's domain the way an operator would, with SES's
	// CreateEmailIdentity; moto counts a domain as verified at once.
	m.createEmailIdentity(t, "example.com")

	t.Run("verified domain passes; --json --dry-run", func(t *testing.T) {
		out, code := setup(t, "--region", "us-east-1", "--dry-run", "--json")
		if code != 0 {
			t.Errorf("exit %d, want 0\n%s", code, out)
		}
		var raw map[string]any
		if err := json.Unmarshal([]byte(out), &raw); err != nil {
			t.Fatalf("--json output is not one JSON object: %v\n%s", err, out)
		}
		keys := slices.Sorted(maps.Keys(raw))
		if want := []string{"checks", "config", "dry_run", "failed", "passed", "region", "secrets", "skipped", "warnings"}; !slices.Equal(keys, want) {
			t.Errorf("JSON keys %v, want %v", keys, want)
		}
		var r sesSetupJSON
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"host_ses_sender": "pass", "region": "pass", "credentials": "pass", "sender_identity": "pass",
			// moto: a new domain's DKIM is NOT_STARTED; it lacks GetAccount
			// and GetSMSSandboxAccountStatus, and has no spend limit set.
			"dkim": "warn", "production_access": "warn", "sending_enabled": "warn", "send_quota": "warn",
			"sns_sms_sandbox": "warn", "sns_sms_spend_limit": "warn",
		}
		for id, s := range want {
			if got := r.status(id); got != s {
				t.Errorf("%s = %s, want %s", id, got, s)
			}
		}
		if len(r.Checks) != len(want) || r.Failed != 0 || r.Passed != 4 || r.Warnings != 6 || !r.DryRun || r.Region != "us-east-1" {
			t.Errorf("report %+v", r)
		}
		for _, c := range r.Checks {
			if c.ID == "production_access" && !strings.HasPrefix(c.Detail, "could not check: GetAccount") {
				t.Errorf("production_access detail %q", c.Detail)
			}
		}
		if !r.Config.Changed || !strings.Contains(r.Config.Diff, `+ses_region = "us-east-1"`) || r.Secrets.Changed {
			t.Errorf("changes %+v %+v", r.Config, r.Secrets)
		}
		unchanged(t)
	})

	secret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	keyFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(keyFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("a real run edits the files in place", func(t *testing.T) {
		out, code := setup(t, "--region", "us-east-1", "--from-name", "Demo Mail",
			"--access-key-id", "AKIAIOSFODNN7EXAMPLE", "--secret-access-key-file", keyFile, "--send-test-to", "someone@example.org")
		if code != 0 {
			t.Errorf("exit %d, want 0\n%s", code, out)
		}
		if strings.Contains(out, secret) {
			t.Error("the output shows the secret access key")
		}
		if !strings.Contains(out, "✔ send_test — SES accepted a test message to someone@example.org") {
			t.Errorf("no test message:\n%s", out)
		}
		if got := m.simpleMailsTo(t, "someone@example.org"); got != 1 {
			t.Errorf("moto has %d messages to someone@example.org, want 1", got)
		}

		// Every edit is in place: the same lines, apart from the two
		// settings that changed, so every comment and table is kept.
		before, after := strings.Split(origConfig, "\n"), strings.Split(readHostFile(t, configPath), "\n")
		if len(before) != len(after) {
			t.Fatalf("regstack.toml went from %d to %d lines", len(before), len(after))
		}
		changed := map[string]string{}
		for i := range before {
			if before[i] != after[i] {
				changed[before[i]] = after[i]
			}
		}
		wantChanged := map[string]string{`ses_region = ""`: `ses_region = "us-east-1"`, `# from_name = ""`: `from_name = "Demo Mail"`}
		if len(changed) != len(wantChanged) {
			t.Errorf("changed lines %q, want %q", changed, wantChanged)
		}
		for old, new := range wantChanged {
			if changed[old] != new {
				t.Errorf("%q became %q, want %q", old, changed[old], new)
			}
		}

		secrets := readHostFile(t, secretsPath)
		if !strings.HasPrefix(secrets, origSecrets) ||
			strings.TrimPrefix(secrets, origSecrets) != "REGSTACK_EMAIL__SES_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nREGSTACK_EMAIL__SES_SECRET_ACCESS_KEY="+secret+"\n" {
			t.Errorf("regstack.secrets.env:\n%s", secrets)
		}
		fi, err := os.Stat(secretsPath)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("regstack.secrets.env mode %04o, want 0600", fi.Mode().Perm())
		}
	})

	t.Run("a second run changes nothing", func(t *testing.T) {
		config, secrets := readHostFile(t, configPath), readHostFile(t, secretsPath)
		out, code := setup(t)
		if code != 0 || !strings.Contains(out, "regstack.toml: [email] already up to date") || strings.Contains(out, "regstack.secrets.env") {
			t.Errorf("exit %d:\n%s", code, out)
		}
		if readHostFile(t, configPath) != config || readHostFile(t, secretsPath) != secrets {
			t.Error("the files changed")
		}
	})
}

func readHostFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// simpleMailsTo counts the simple (not raw) messages moto's SES accepted
// for addr: `ses setup --send-test-to` sends a simple one.
func (m *motoServer) simpleMailsTo(t testing.TB, addr string) int {
	t.Helper()
	var data struct {
		SES struct {
			Message []struct {
				Destinations struct {
					ToAddresses []string `json:"ToAddresses"`
				} `json:"destinations"`
			} `json:"Message"`
		} `json:"ses"`
	}
	m.data(t, &data)
	n := 0
	for _, msg := range data.SES.Message {
		if slices.Contains(msg.Destinations.ToAddresses, addr) {
			n++
		}
	}
	return n
}
