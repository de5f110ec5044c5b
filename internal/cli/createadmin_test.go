package cli

import (
	"strings"
	"testing"
)

// An unverified account is refused by the operator program; regstack
// passes the reason through once and keeps the status. --force reaches the
// program as -force.
func TestCreateAdminUnverifiedAndForce(t *testing.T) {
	dir := fakeHost(t, "internal/auth", "package main\nfunc main() {}\n")
	const reason = "refusing to promote unverified account root@example.com (id=7): anyone can register an address, " +
		"so it may not be yours; verify it first (follow the emailed link) or pass --force if you know who created it"
	f := &fakeRunner{code: exitError, stderr: "authctl create-admin: " + reason + "\n"}
	r := execOps(t, newCreateAdminCmd(f), "", "--dir", dir, "--email", "root@example.com")
	if r.code != exitError || !strings.Contains(r.stderr, "regstack: "+reason+"\n") || strings.Count(r.stderr, "refusing") != 1 {
		t.Fatalf("refused promotion: %+v", r)
	}
	if got := strings.Join(f.args, " "); got != "create-admin -email root@example.com" {
		t.Errorf("program args without --force: %q", got)
	}

	const warning = "warning: the address root@example.com was never verified (promoted because of --force)\n"
	f = &fakeRunner{stdout: "promoted root@example.com to admin (id=7); their password was not changed\n", stderr: warning}
	r = execOps(t, newCreateAdminCmd(f), "correct-horse-1\n", "--dir", dir, "--email", "root@example.com", "--force")
	if r.code != 0 || !strings.Contains(r.stdout, "promoted root@example.com") || !strings.Contains(r.stderr, warning) {
		t.Fatalf("create-admin --force: %+v", r)
	}
	if got := strings.Join(f.args, " "); got != "create-admin -email root@example.com -force -password-stdin" {
		t.Errorf("program args with --force: %q", got)
	}
	if r := execOps(t, newCreateAdminCmd(&fakeRunner{}), "", "--help"); !strings.Contains(r.stdout, "--force") || !strings.Contains(r.stdout, "never verified") {
		t.Errorf("help does not explain --force:\n%s", r.stdout)
	}
}

// --purge reaches the program as -purge, and its line is printed with the
// others.
func TestDoctorPurgeFlag(t *testing.T) {
	dir := t.TempDir()
	mustGen(t, "--yes", "--no-tidy", "--dir", dir)
	f := &fakeRunner{stdout: "✔ config: every setting is valid\n✔ purge: deleted 12 expired row(s)\n"}
	r := execOps(t, newDoctorCmd(f), "", "--dir", dir, "--purge")
	if r.code != 0 || !strings.Contains(r.stdout, "✔ purge: deleted 12 expired row(s)") {
		t.Fatalf("doctor --purge: %+v", r)
	}
	if got := strings.Join(f.args, " "); got != "doctor -summary=false -purge" {
		t.Errorf("program args: %q", got)
	}
	f = &fakeRunner{}
	execOps(t, newDoctorCmd(f), "", "--dir", dir)
	if strings.Contains(strings.Join(f.args, " "), "purge") {
		t.Errorf("doctor without --purge asked for one: %q", f.args)
	}
}
