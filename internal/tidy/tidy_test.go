package tidy

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// fakeGo writes a script that appends its arguments to a log and fails
// when they contain failOn.
func fakeGo(t *testing.T, failOn string) (bin, log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "calls.log")
	bin = filepath.Join(dir, "go")
	script := "#!/bin/sh\n" +
		"echo \"$PWD|$*\" >> " + log + "\n" +
		"case \"$*\" in *'" + failOn + "'*) echo 'go: cannot find module providing example.com/missing' >&2; exit 1;; esac\n"
	if failOn == "" {
		script = "#!/bin/sh\necho \"$PWD|$*\" >> " + log + "\n"
	}
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, log
}

func calls(t *testing.T, log string) []string {
	t.Helper()
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func TestRunGetThenTidy(t *testing.T) {
	bin, log := fakeGo(t, "")
	host := t.TempDir()
	var out bytes.Buffer
	deps := []string{"golang.org/x/crypto@v0.59.0", "modernc.org/sqlite@v1.62.0"}
	if err := Run(context.Background(), Options{Dir: host, Go: bin, Out: &out}, deps); err != nil {
		t.Fatal(err)
	}
	want := []string{
		host + "|get golang.org/x/crypto@v0.59.0 modernc.org/sqlite@v1.62.0",
		host + "|mod tidy",
	}
	if diff := cmp.Diff(want, calls(t, log)); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	wantOut := "running go get golang.org/x/crypto@v0.59.0 modernc.org/sqlite@v1.62.0\nrunning go mod tidy\n"
	if out.String() != wantOut {
		t.Errorf("progress = %q, want %q", out.String(), wantOut)
	}
}

func TestRunWithoutDepsOnlyTidies(t *testing.T) {
	bin, log := fakeGo(t, "")
	if err := Run(context.Background(), Options{Dir: t.TempDir(), Go: bin}, nil); err != nil {
		t.Fatal(err)
	}
	if got := calls(t, log); len(got) != 1 || !strings.HasSuffix(got[0], "|mod tidy") {
		t.Errorf("calls = %v", got)
	}
}

func TestRunFailureCarriesOutputAndStops(t *testing.T) {
	bin, log := fakeGo(t, "get")
	var out bytes.Buffer
	err := Run(context.Background(), Options{Dir: t.TempDir(), Go: bin, Out: &out, Spinner: true}, []string{"example.com/missing@v1.0.0"})
	var terr *Error
	if !errors.As(err, &terr) {
		t.Fatalf("Run = %v, want *Error", err)
	}
	if !strings.Contains(terr.Output, "cannot find module") || !strings.Contains(err.Error(), "go get example.com/missing@v1.0.0") {
		t.Errorf("error = %q, want the command and its output", err)
	}
	if got := calls(t, log); len(got) != 1 {
		t.Errorf("go mod tidy ran after go get failed: %v", got)
	}
	if !strings.Contains(out.String(), "✗ go get") {
		t.Errorf("spinner output %q does not mark the failure", out.String())
	}
}

func TestSpinnerEndsWithCheckLine(t *testing.T) {
	bin, _ := fakeGo(t, "")
	var out bytes.Buffer
	if err := Run(context.Background(), Options{Dir: t.TempDir(), Go: bin, Out: &out, Spinner: true}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "\r✓ go mod tidy\x1b[K\n") {
		t.Errorf("spinner output = %q", out.String())
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		s     string
		width int
		want  string
	}{
		{"go mod tidy", 20, "go mod tidy"},
		{"go mod tidy", 11, "go mod tidy"},
		{"go mod tidy", 10, "go mod ti…"},
		{"go mod tidy", 2, "g…"},
		{"go mod tidy", 1, "…"},
		{"go mod tidy", 0, "go mod tidy"},
		{"go mod tidy", -5, "go mod tidy"},
		{"", 3, ""},
		// Runes, not bytes: a multi-byte rune is never split.
		{"go get exämple.com/ü@v1", 11, "go get exä…"},
		{"ééééé", 5, "ééééé"},
		{"éééééé", 5, "éééé…"},
	} {
		if got := truncate(tc.s, tc.width); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.width, got, tc.want)
		}
	}
}

func TestSpinnerFitsTheTerminalWidth(t *testing.T) {
	bin, _ := fakeGo(t, "")
	var out bytes.Buffer
	deps := []string{"golang.org/x/crypto@v0.59.0", "modernc.org/sqlite@v1.62.0"}
	o := Options{Dir: t.TempDir(), Go: bin, Out: &out, Spinner: true, Width: 30}
	if err := Run(context.Background(), o, deps); err != nil {
		t.Fatal(err)
	}
	// Every redraw of the spinner fits on one line of 30 columns (with the
	// last column free); the line that closes a step names the whole
	// command.
	frame := "⠋ go get golang.org/x/crypto…"
	if utf8.RuneCountInString(frame) != 29 || !strings.Contains(out.String(), "\r"+frame) {
		t.Errorf("no frame %q in %q", frame, out.String())
	}
	for _, part := range strings.Split(out.String(), "\r") {
		if line, _, done := strings.Cut(part, "\x1b[K"); !done && utf8.RuneCountInString(line) > 29 {
			t.Errorf("spinner frame %q is wider than 29 columns", line)
		}
	}
	if !strings.Contains(out.String(), "\r✓ go get "+strings.Join(deps, " ")+"\x1b[K\n") {
		t.Errorf("spinner output = %q", out.String())
	}
}
