package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// fakeRunner stands in for the host's operator program: it records what
// it was asked to run and answers with a scripted output and status.
type fakeRunner struct {
	host   opsHost
	args   []string
	stdin  string
	stdout string
	stderr string
	code   int
	err    error
}

func (f *fakeRunner) Run(_ context.Context, h opsHost, args []string, s stdio) (int, error) {
	f.host, f.args = h, args
	b, _ := io.ReadAll(s.in)
	f.stdin = string(b)
	io.WriteString(s.out, f.stdout)
	io.WriteString(s.err, f.stderr)
	return f.code, f.err
}

// execOps runs one operator command built around r, mapping errors to exit
// statuses as Main does.
func execOps(t *testing.T, cmd *cobra.Command, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.SetArgs(args)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.Execute()
	code := 0
	if err != nil {
		fmt.Fprintln(&errb, "regstack:", err)
		code = exitError
		var ee *exitErr
		if errors.As(err, &ee) {
			code = ee.code
		}
	}
	return result{code, out.String(), errb.String()}
}

// fakeHost makes a module folder with the answers file and an operator
// program whose main.go is src.
func fakeHost(t *testing.T, pkg, src string) string {
	t.Helper()
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "go.mod"), "module example.com/fake\n\ngo 1.22\n")
	writeTestFile(t, filepath.Join(dir, ".regstack", "answers.toml"), fmt.Sprintf("package_dir = %q\n", pkg))
	writeTestFile(t, filepath.Join(dir, filepath.FromSlash(pkg), "cmd", "authctl", "main.go"), src)
	return dir
}

func writeTestFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

const echoProgram = `package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Prints its arguments, working folder and stdin; exits with the status
// given by an argument "exit=N".
func main() {
	in, _ := io.ReadAll(os.Stdin)
	wd, _ := os.Getwd()
	fmt.Printf("args=%s\nwd=%s\nstdin=%q\n", strings.Join(os.Args[1:], " "), wd, in)
	fmt.Fprintln(os.Stderr, "authctl migrate: the reason")
	for _, a := range os.Args[1:] {
		if n, ok := strings.CutPrefix(a, "exit="); ok {
			code, _ := strconv.Atoi(n)
			os.Exit(code)
		}
	}
}
`

func TestLocateHost(t *testing.T) {
	dir := fakeHost(t, "internal/accounts", "package main\nfunc main() {}\n")
	h, err := locateHost(dir, "")
	if err != nil || h.packageDir != "internal/accounts" || h.programPath() != "./internal/accounts/cmd/authctl" {
		t.Fatalf("locateHost from answers: %+v, %v", h, err)
	}
	if _, err := locateHost(dir, "internal/auth"); err == nil || !strings.Contains(err.Error(), "gen --upgrade") {
		t.Errorf("--package without an operator program: %v", err)
	}
	var ee *exitErr
	if _, err := locateHost(dir, "../x"); !errors.As(err, &ee) || ee.code != exitUsage {
		t.Errorf("bad --package: %v, want a usage error", err)
	}
	if err := os.Remove(filepath.Join(dir, ".regstack", "answers.toml")); err != nil {
		t.Fatal(err)
	}
	if _, err := locateHost(dir, ""); err == nil || !strings.Contains(err.Error(), "pass --package") {
		t.Errorf("no answers file: %v", err)
	}
	if h, err := locateHost(dir, "internal/accounts"); err != nil || h.packageDir != "internal/accounts" {
		t.Errorf("--package without answers: %+v, %v", h, err)
	}
	if _, err := locateHost(t.TempDir(), "internal/auth"); err == nil || !strings.Contains(err.Error(), "no go.mod") {
		t.Errorf("folder without go.mod: %v", err)
	}
}

// The real runner builds the program with the go command, runs it in the
// host root with the given stdin, streams its output and passes its exit
// status through (not just 0 or 1, as `go run` would).
func TestGoRunnerPassesExitStatus(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // where the programs are built
	dir := fakeHost(t, "internal/auth", echoProgram)
	t.Chdir(t.TempDir()) // the program must run in the host root, not here
	r := runCLI(t, "", "migrate", "status", "--dir", dir)
	if r.code != 0 {
		t.Fatalf("migrate status: %+v", r)
	}
	root, _ := filepath.EvalSymlinks(dir)
	if !strings.Contains(r.stdout, "args=migrate status\n") || !strings.Contains(r.stdout, "wd="+root+"\n") {
		t.Errorf("program output:\n%s", r.stdout)
	}

	// migrate passes no exit=N, so use doctor's status instead: a fake
	// program exits 3, doctor adds the file checks (no manifest: skipped).
	dir3 := fakeHost(t, "internal/auth", strings.Replace(echoProgram, "for _, a := range os.Args[1:]", "for _, a := range append(os.Args[1:], \"exit=3\")", 1))
	r = runCLI(t, "", "doctor", "--dir", dir3)
	if r.code != 3 || !strings.Contains(r.stderr, "regstack: 3 check(s) failed") {
		t.Fatalf("doctor with 3 failures: %+v", r)
	}
	if !strings.Contains(r.stdout, "args=doctor -summary=false") {
		t.Errorf("doctor arguments:\n%s", r.stdout)
	}

	// A failing create-admin: the program's reason becomes regstack's
	// error, printed once, and its status is kept.
	dir1 := fakeHost(t, "internal/auth", strings.Replace(echoProgram, "for _, a := range os.Args[1:]", "for _, a := range append(os.Args[1:], \"exit=1\")", 1))
	r = runCLI(t, "", "migrate", "--dir", dir1)
	if r.code != 1 || !strings.Contains(r.stderr, "regstack: the reason\n") || strings.Count(r.stderr, "the reason") != 1 {
		t.Fatalf("failing migrate: %+v", r)
	}

	broken := fakeHost(t, "internal/auth", "package main\nfunc main() { undefined() }\n")
	r = runCLI(t, "", "doctor", "--dir", broken)
	if r.code != 1 || !strings.Contains(r.stdout, "✘ operator program: ./internal/auth/cmd/authctl does not build") || !strings.Contains(r.stdout, "undefined") {
		t.Fatalf("doctor with a broken program: %+v", r)
	}
}

func TestCreateAdminPassword(t *testing.T) {
	dir := fakeHost(t, "internal/auth", "package main\nfunc main() {}\n")
	const pw = "correct-horse-1"
	tests := []struct {
		name    string
		stdin   string
		args    []string
		prompts []string // answers typed at a terminal; nil: stdin is a pipe
		code    int
		want    string // expected stdin of the program ("" = no password)
		errText string
	}{
		{name: "pipe", stdin: pw + "\n", want: pw + "\n"},
		{name: "pipe with CRLF", stdin: pw + "\r\n", want: pw + "\n"},
		{name: "empty pipe promotes only", stdin: "", want: ""},
		{name: "flag", args: []string{"--password", pw}, want: pw + "\n"},
		{name: "prompt", prompts: []string{pw, pw}, want: pw + "\n"},
		{name: "prompt empty promotes only", prompts: []string{""}, want: ""},
		{name: "prompt mismatch", prompts: []string{pw, pw + "x"}, code: exitUsage, errText: "differ"},
		{name: "prompt too short", prompts: []string{"short"}, code: exitUsage, errText: "8 to 128 characters (it has 5)"},
		{name: "pipe too long", stdin: strings.Repeat("ü", 129) + "\n", code: exitUsage, errText: "it has 129"},
		{name: "flag empty", args: []string{"--password="}, code: exitUsage, errText: "--password is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeRunner{stdout: "created admin a@example.com (id=1)\n"}
			o := &createAdminOptions{}
			if tc.prompts != nil {
				answers := tc.prompts
				o.readSecret = func(string) (string, error) {
					if len(answers) == 0 {
						return "", errors.New("no more input")
					}
					a := answers[0]
					answers = answers[1:]
					return a, nil
				}
			}
			cmd := newCreateAdminCmdWith(f, o)
			args := append([]string{"--dir", dir, "--email", "a@example.com"}, tc.args...)
			r := execOps(t, cmd, tc.stdin, args...)
			if r.code != tc.code || (tc.errText != "" && !strings.Contains(r.stderr, tc.errText)) {
				t.Fatalf("exit %d, want %d with %q: %+v", r.code, tc.code, tc.errText, r)
			}
			if tc.code != 0 {
				if f.args != nil {
					t.Fatal("the program ran after a refused password")
				}
				return
			}
			if f.stdin != tc.want {
				t.Errorf("program stdin %q, want %q", f.stdin, tc.want)
			}
			wantArgs := "create-admin -email a@example.com"
			if tc.want != "" {
				wantArgs += " -password-stdin"
			}
			if got := strings.Join(f.args, " "); got != wantArgs {
				t.Errorf("program args %q, want %q", got, wantArgs)
			}
			if strings.Contains(strings.Join(f.args, " "), pw) {
				t.Error("the password is on the program's command line")
			}
			if !strings.Contains(r.stdout, "created admin") {
				t.Errorf("program output not passed through: %+v", r)
			}
		})
	}
	if r := execOps(t, newCreateAdminCmd(&fakeRunner{}), "", "--dir", dir); r.code != exitUsage || !strings.Contains(r.stderr, "--email is required") {
		t.Errorf("no --email: %+v", r)
	}
}

func TestMigrateArgs(t *testing.T) {
	dir := fakeHost(t, "internal/auth", "package main\nfunc main() {}\n")
	cfg := filepath.Join(t.TempDir(), "other.toml")
	writeTestFile(t, cfg, "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "migrate up"},
		{[]string{"down"}, "migrate down"},
		{[]string{"status", "--config", cfg}, "migrate status -config " + cfg},
	} {
		f := &fakeRunner{}
		r := execOps(t, newMigrateCmd(f), "", append(tc.args, "--dir", dir)...)
		if r.code != 0 || strings.Join(f.args, " ") != tc.want {
			t.Errorf("migrate %v: ran %q (%+v), want %q", tc.args, f.args, r, tc.want)
		}
	}
	for _, args := range [][]string{{"sideways"}, {"--config", "/no/such/file.toml"}} {
		f := &fakeRunner{}
		if r := execOps(t, newMigrateCmd(f), "", append(args, "--dir", dir)...); r.code != exitUsage || f.args != nil {
			t.Errorf("migrate %v: %+v, want a usage error before running anything", args, r)
		}
	}
	f := &fakeRunner{code: 1, stderr: "authctl migrate: sqlite: disk I/O error\n"}
	r := execOps(t, newMigrateCmd(f), "", "--dir", dir)
	if r.code != 1 || !strings.Contains(r.stderr, "regstack: sqlite: disk I/O error") {
		t.Errorf("failing migrate: %+v", r)
	}
}

func TestDoctorCombinesProgramAndFileChecks(t *testing.T) {
	dir := t.TempDir()
	mustGen(t, "--yes", "--no-tidy", "--dir", dir)
	f := &fakeRunner{stdout: "✔ config: every setting is valid\n✘ schema: 1 pending\n", code: 1}
	r := execOps(t, newDoctorCmd(f), "", "--dir", dir, "--check-dns", "--dns-server", "127.0.0.1:5353", "--send-test-email", "ops@example.com")
	if r.code != 1 {
		t.Fatalf("doctor: %+v", r)
	}
	if got := strings.Join(f.args, " "); got != "doctor -summary=false -check-dns -dns-server 127.0.0.1:5353 -send-test-email ops@example.com" {
		t.Errorf("program args: %q", got)
	}
	for _, want := range []string{"✘ schema: 1 pending", "✔ generated files: none of", "✔ generator updates: none"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, r.stdout)
		}
	}

	// An edited owned file is listed (and fine); an edited sqlc file fails.
	login := filepath.Join(dir, "internal", "auth", "login.go")
	writeTestFile(t, login, string(readFile(t, login))+"\n// local change\n")
	f = &fakeRunner{}
	r = execOps(t, newDoctorCmd(f), "", "--dir", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "✔ generated files: 1 of") || !strings.Contains(r.stdout, "    internal/auth/login.go (modified)") {
		t.Fatalf("doctor after editing login.go: %+v", r)
	}
	managed := filepath.Join(dir, "internal", "auth", "store", "sqlite", "sqlitedb", "db.go")
	writeTestFile(t, managed, string(readFile(t, managed))+"\n// local change\n")
	if err := os.Remove(filepath.Join(dir, "internal", "auth", "logout.go")); err != nil {
		t.Fatal(err)
	}
	r = execOps(t, newDoctorCmd(f), "", "--dir", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "✘ generated files: 2 modified, of which 1 are regenerated in full") ||
		!strings.Contains(r.stdout, "sqlitedb/db.go (modified, regenerated in full)") || !strings.Contains(r.stdout, "internal/auth/logout.go (deleted)") {
		t.Fatalf("doctor after editing sqlc output: %+v", r)
	}

	if r := execOps(t, newDoctorCmd(f), "", "--dir", dir, "--send-test-email", "nobody"); r.code != exitUsage {
		t.Errorf("bad --send-test-email: %+v", r)
	}
}

func TestDoctorWithoutProgram(t *testing.T) {
	// A folder configured with init only: no module, no manifest.
	dir := t.TempDir()
	r := execOps(t, newDoctorCmd(&fakeRunner{}), "", "--dir", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "✘ operator program: ") || !strings.Contains(r.stdout, "✔ generated files: no .regstack/manifest.json here") {
		t.Fatalf("doctor in a bare folder: %+v", r)
	}
}
