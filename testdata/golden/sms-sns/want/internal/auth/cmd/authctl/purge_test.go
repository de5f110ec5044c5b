// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package main

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/authtest"
	"example.com/demo/internal/auth/config"
)

// fixedClock is the clock doctor -purge runs with in these tests.
type fixedClock struct{ at time.Time }

func (c fixedClock) Now() time.Time { return c.at }

var purgedLine = regexp.MustCompile(`(?m)^✔ purge: deleted (\d+) expired row\(s\)`)

// doctor -purge deletes what has expired, through the application's own
// purge, and prints how many rows went.
func TestDoctorPurge(t *testing.T) {
	te := newTestEnv(t)
	te.mustRun(t, "", "migrate", "up")

	// Rows that expire: a pending registration (a day), a failed login
	// (counted for an hour at most), a signed-out session (two hours).
	env := authtest.New(t, func(c *config.Config) {
		c.DatabaseURL = te.dbURL
		c.RequireVerification = true
	})
	if r := env.Register(t, "pending@example.com", "pending-password-1"); r.Status != http.StatusCreated {
		t.Fatalf("register: %s", r)
	}
	env.MustSignUp(t, "alice@example.com", "alice-password-1")
	if r := env.Login(t, "alice@example.com", "wrong-password-1"); r.Status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %s", r)
	}
	token := env.MustLogin(t, "alice@example.com", "alice-password-1")
	if r := env.Do(t, http.MethodPost, "/logout", nil, authtest.Bearer(token)); r.Status >= 300 {
		t.Fatalf("logout: %s", r)
	}

	// On the day they were made nothing has expired yet.
	te.authOptions = []auth.Option{auth.WithClock(fixedClock{authtest.Start().Add(time.Minute)})}
	o := te.mustRun(t, "", "doctor", "-purge")
	if m := purgedLine.FindStringSubmatch(o.stdout); m == nil || m[1] != "0" {
		t.Fatalf("doctor -purge before anything expired:\n%s", o)
	}

	// Two days later all of them have.
	te.authOptions = []auth.Option{auth.WithClock(fixedClock{authtest.Start().Add(48 * time.Hour)})}
	o = te.mustRun(t, "", "doctor", "-purge")
	m := purgedLine.FindStringSubmatch(o.stdout)
	if m == nil {
		t.Fatalf("doctor -purge printed no count:\n%s", o)
	}
	// At least the pending registration and the revoked token; the failed
	// login and the mails counted per address add more, unless a success
	// cleared them.
	if n, _ := strconv.Atoi(m[1]); n < 2 {
		t.Fatalf("doctor -purge deleted %d rows, want at least 2 (pending registration, revoked token):\n%s", n, o)
	}
	o = te.mustRun(t, "", "doctor", "-purge")
	if m := purgedLine.FindStringSubmatch(o.stdout); m == nil || m[1] != "0" {
		t.Fatalf("a second purge found more:\n%s", o)
	}
	// Accounts are not expired rows.
	env.MustLogin(t, "alice@example.com", "alice-password-1")

	// Without -purge doctor deletes nothing and prints no purge line.
	if o := te.mustRun(t, "", "doctor"); strings.Contains(o.stdout, "purge") {
		t.Fatalf("doctor without -purge:\n%s", o)
	}
}

// doctor -purge never migrates: on a database behind the code's schema the
// purge is not run, and the migrations stay pending.
func TestDoctorPurgeNeedsTheSchema(t *testing.T) {
	te := newTestEnv(t)
	o := te.run(t, "", "doctor", "-purge")
	if o.code != 2 || !strings.Contains(o.stdout, "✘ schema:") || !strings.Contains(o.stdout, "✘ purge: not run") {
		t.Fatalf("doctor -purge on a fresh database: %s", o)
	}
	if again := te.run(t, "", "doctor"); !strings.Contains(again.stdout, "✘ schema:") {
		t.Fatalf("doctor -purge applied migrations: %s", again)
	}
}

// doctor judges the secret by the application's rules, and reports a
// jwt_secret in regstack.toml.
func TestDoctorSecretChecks(t *testing.T) {
	te := newTestEnv(t, "REGSTACK_JWT_SECRET="+strings.Repeat("ab", 20))
	te.mustRun(t, "", "migrate", "up")
	o := te.run(t, "", "doctor")
	if o.code != 1 || !strings.Contains(o.stdout, "✘ jwt secret: looks guessable") || !strings.Contains(o.stdout, "✔ config:") {
		t.Fatalf("doctor with a patterned secret: %s", o)
	}
	if strings.Contains(o.stdout+o.stderr, strings.Repeat("ab", 20)) {
		t.Fatalf("doctor printed the secret: %s", o)
	}

	toml := filepath.Join(t.TempDir(), "regstack.toml")
	if err := os.WriteFile(toml, []byte("jwt_secret = \""+testSecret+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o = te.run(t, "", "doctor", "-config", toml)
	if o.code != 1 || !strings.Contains(o.stdout, "✘ config: config: "+toml+":1: jwt_secret does not belong in") ||
		strings.Contains(o.stdout+o.stderr, testSecret) {
		t.Fatalf("doctor with jwt_secret in the TOML file: %s", o)
	}
}
