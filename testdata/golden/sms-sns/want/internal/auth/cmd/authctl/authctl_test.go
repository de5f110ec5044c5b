// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
)

// testSecret is 42 random bytes, base64url-encoded (56 characters).
const testSecret = "k61kKSUlryUXYhEZge5Q4SZfBZHFMhdCG55SuAwZyWAdfM-Xh-NGaYan"

// testEnv runs authctl commands in-process against one database.
type testEnv struct {
	dbURL   string
	environ []string
	// authOptions go to the commands' auth.New (env.authOptions).
	authOptions []auth.Option
}

// newTestEnv configures authctl only through the environment: a fresh
// database, a random secret and cheap Argon2id parameters. The TOML and
// secrets files point at empty files, so a regstack.toml in the working
// folder cannot leak in.
func newTestEnv(t *testing.T, extra ...string) *testEnv {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	url := authtest.DatabaseURL(t)
	environ := []string{
		"REGSTACK_CONFIG=" + empty,
		"REGSTACK_DATABASE_URL=" + url,
		"REGSTACK_JWT_SECRET=" + testSecret,
		"REGSTACK_PASSWORD_HASH_MEMORY_KIB=1024",
		"REGSTACK_PASSWORD_HASH_TIME_COST=1",
		"REGSTACK_PASSWORD_HASH_PARALLELISM=1",
		"REGSTACK_EMAIL__BACKEND=console",
	}
	return &testEnv{dbURL: url, environ: append(environ, extra...)}
}

type outcome struct {
	code           int
	stdout, stderr string
}

func (o outcome) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%sstderr:\n%s", o.code, o.stdout, o.stderr)
}

// run runs one authctl command with stdin as its standard input.
func (te *testEnv) run(t *testing.T, stdin string, args ...string) outcome {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr, environ: te.environ, authOptions: te.authOptions}
	code := run(context.Background(), args, e)
	return outcome{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func (te *testEnv) mustRun(t *testing.T, stdin string, args ...string) outcome {
	t.Helper()
	o := te.run(t, stdin, args...)
	if o.code != 0 {
		t.Fatalf("authctl %s: %s", strings.Join(args, " "), o)
	}
	return o
}

// accounts serves the account system on the test's database.
func (te *testEnv) accounts(t *testing.T) *authtest.Env {
	t.Helper()
	return authtest.New(t, func(c *config.Config) {
		c.DatabaseURL = te.dbURL
		c.RequireVerification = false
	})
}

func TestMigrate(t *testing.T) {
	te := newTestEnv(t)
	o := te.mustRun(t, "", "migrate", "status")
	if !strings.Contains(o.stdout, "pending ") || strings.Contains(o.stdout, "applied ") || !strings.Contains(o.stdout, "pending (run `regstack migrate up`)") {
		t.Fatalf("status of a fresh database:\n%s", o.stdout)
	}
	o = te.mustRun(t, "", "migrate") // up is the default
	if !strings.Contains(o.stdout, "applied ") || !strings.Contains(o.stdout, "up to date") {
		t.Fatalf("migrate up:\n%s", o.stdout)
	}
	o = te.mustRun(t, "", "migrate", "up")
	if !strings.Contains(o.stdout, "nothing to apply") {
		t.Fatalf("second migrate up:\n%s", o.stdout)
	}
	o = te.mustRun(t, "", "migrate", "status")
	if strings.Contains(o.stdout, "pending ") || !strings.Contains(o.stdout, "up to date") {
		t.Fatalf("status after up:\n%s", o.stdout)
	}
	if backendName(te.dbURL) != "mongodb" { // MongoDB index steps are not undone
		o = te.mustRun(t, "", "migrate", "down")
		if !strings.Contains(o.stdout, "rolled back ") || !strings.Contains(o.stdout, "1 pending") {
			t.Fatalf("migrate down:\n%s", o.stdout)
		}
		te.mustRun(t, "", "migrate", "up", "-config", te.lookup("REGSTACK_CONFIG")) // flags after the action
	}

	if o := te.run(t, "", "migrate", "sideways"); o.code != exitUsage {
		t.Errorf("unknown action: %s", o)
	}
	if o := te.run(t, "", "migrate", "up", "down"); o.code != exitUsage {
		t.Errorf("two actions: %s", o)
	}
}

func (te *testEnv) lookup(key string) string {
	for _, kv := range te.environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

func TestMigrateNeverPrintsThePassword(t *testing.T) {
	// A URL no backend opens: the command fails, and neither what it
	// prints nor its error may contain the password.
	te := newTestEnv(t, "REGSTACK_DATABASE_URL=unknown://admin:hunter2-secret@db.example/x")
	o := te.run(t, "", "migrate", "status")
	if o.code != exitFailure {
		t.Fatalf("migrate with an unusable URL: %s", o)
	}
	if strings.Contains(o.stdout+o.stderr, "hunter2") {
		t.Fatalf("the password was printed: %s", o)
	}
	if !strings.Contains(o.stdout, "admin:xxxxx@db.example") {
		t.Errorf("want the redacted URL in the output: %s", o)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgresql://app:pw@db:5432/app?sslmode=disable": "postgresql://app:xxxxx@db:5432/app?sslmode=disable",
		"postgres://app@db/app":                           "postgres://app@db/app",
		"sqlite:///./regstack.db":                         "sqlite:///./regstack.db",
		"file:auth.db?mode=rwc":                           "file:auth.db?mode=rwc",
		"mongodb://u:p%zz@h/db":                           "mongodb://…",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCreateAdmin(t *testing.T) {
	te := newTestEnv(t)
	const pass = "admin-password-1"

	// A new address: created, verified and active, and can sign in.
	o := te.mustRun(t, pass+"\n", "create-admin", "-email", "Root@Example.com", "-password-stdin")
	if !strings.HasPrefix(o.stdout, "created admin Root@example.com (id=") {
		t.Fatalf("create-admin for a new address:\n%s", o)
	}
	env := te.accounts(t)
	token := env.MustLogin(t, "root@example.com", pass)
	me := env.Me(t, token)
	if me.Status != http.StatusOK || !strings.Contains(me.String(), `"is_superuser":true`) || !strings.Contains(me.String(), `"is_verified":true`) {
		t.Fatalf("the new admin's /me: %s", me)
	}

	// An existing user: promoted, password untouched (the one on stdin is
	// ignored, and none is needed).
	env.MustSignUp(t, "bob@example.com", "bobs-password-1")
	o = te.mustRun(t, "", "create-admin", "-email", "bob@example.com")
	if !strings.HasPrefix(o.stdout, "promoted bob@example.com to admin (id=") {
		t.Fatalf("create-admin for an existing user:\n%s", o)
	}
	env.MustLogin(t, "bob@example.com", "bobs-password-1")
	if r := env.Login(t, "bob@example.com", pass); r.Status == http.StatusOK {
		t.Fatal("promoting changed the password")
	}

	// Already an admin: says so and changes nothing.
	o = te.mustRun(t, "other-password-1\n", "create-admin", "-email", "bob@example.com", "-password-stdin")
	if !strings.Contains(o.stdout, "already an admin") {
		t.Fatalf("create-admin for an admin:\n%s", o)
	}
}

func TestCreateAdminRefusals(t *testing.T) {
	te := newTestEnv(t)
	tests := []struct {
		name, stdin string
		args        []string
		code        int
		stderr      string
	}{
		{"no email", "", []string{"create-admin"}, exitUsage, "-email is required"},
		{"short password", "short\n", []string{"create-admin", "-email", "a@example.com", "-password-stdin"}, exitUsage, "8 to 128 characters"},
		{"long password", strings.Repeat("ü", 129) + "\n", []string{"create-admin", "-email", "a@example.com", "-password-stdin"}, exitUsage, "8 to 128 characters"},
		{"no password for a new account", "", []string{"create-admin", "-email", "a@example.com"}, exitUsage, "creating one needs a password"},
		{"empty stdin", "", []string{"create-admin", "-email", "a@example.com", "-password-stdin"}, exitUsage, "held no password"},
		{"bad email", "good-password-1\n", []string{"create-admin", "-email", "not-an-address", "-password-stdin"}, exitFailure, "email address is not valid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := te.run(t, tc.stdin, tc.args...)
			if o.code != tc.code || !strings.Contains(o.stderr, tc.stderr) {
				t.Fatalf("want exit %d and %q on stderr; got %s", tc.code, tc.stderr, o)
			}
		})
	}
	// 128 code points is allowed, however many bytes they take.
	o := te.mustRun(t, strings.Repeat("ü", 128)+"\n", "create-admin", "-email", "long@example.com", "-password-stdin")
	if !strings.HasPrefix(o.stdout, "created admin") {
		t.Fatalf("128-character password: %s", o)
	}
}

func TestDoctorHealthy(t *testing.T) {
	te := newTestEnv(t)
	te.mustRun(t, "", "migrate", "up")
	o := te.run(t, "", "doctor", "-send-test-email", "ops@example.com")
	if o.code != 0 || strings.Contains(o.stdout, "✘") {
		t.Fatalf("doctor on a healthy setup: %s", o)
	}
	for _, want := range []string{"✔ config:", "✔ jwt secret: present (56 bytes)", "✔ database:", "✔ schema: at the latest migration", "✔ email backend: console", "✔ email send: probe delivered to ops@example.com via console"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, o.stdout)
		}
	}
	if !strings.Contains(o.stderr, "regstack doctor probe") {
		t.Errorf("the console backend did not log the probe:\n%s", o.stderr)
	}
}

func TestDoctorFailures(t *testing.T) {
	// A short secret and a database that never ran its migrations: two
	// failures, so exit status 2, and the database stays untouched.
	te := newTestEnv(t, "REGSTACK_JWT_SECRET=too-short", "REGSTACK_JWT_TTL_SECONDS=5")
	o := te.run(t, "", "doctor")
	if o.code != 3 {
		t.Fatalf("doctor with three problems: %s", o)
	}
	for _, want := range []string{"✘ config: config: jwt_ttl_seconds", "✘ jwt secret: too short (9 bytes; need at least 32)", "✔ database:", "✘ schema:", "pending"} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, o.stdout)
		}
	}
	if !strings.Contains(o.stderr, "3 check(s) failed.") {
		t.Errorf("no summary on stderr: %s", o)
	}
	if again := te.run(t, "", "doctor"); !strings.Contains(again.stdout, "✘ schema:") {
		t.Errorf("doctor applied migrations: %s", again)
	}
	if o := te.run(t, "", "doctor", "-summary=false"); strings.Contains(o.stderr, "failed") {
		t.Errorf("-summary=false still printed a summary: %s", o)
	}

	missing := newTestEnv(t, "REGSTACK_JWT_SECRET=")
	if o := missing.run(t, "", "doctor"); !strings.Contains(o.stdout, "✘ jwt secret: missing") {
		t.Errorf("doctor without a secret: %s", o)
	}
}

func TestDoctorUsage(t *testing.T) {
	te := newTestEnv(t)
	if o := te.run(t, "", "doctor", "-send-test-email", "nobody"); o.code != exitUsage {
		t.Errorf("bad probe address: %s", o)
	}
	if o := te.run(t, "", "doctor", "extra"); o.code != exitUsage {
		t.Errorf("positional argument: %s", o)
	}
	if o := te.run(t, ""); o.code != exitUsage {
		t.Errorf("no command: %s", o)
	}
	if o := te.run(t, "", "frobnicate"); o.code != exitUsage || !strings.Contains(o.stderr, "unknown command") {
		t.Errorf("unknown command: %s", o)
	}
	if o := te.run(t, "", "help"); o.code != 0 || !strings.Contains(o.stdout, "create-admin") {
		t.Errorf("help: %s", o)
	}
}
