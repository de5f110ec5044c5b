package validate

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// The line the generated app's console mail backend writes with slog's
// text handler, and the same message from a JSON handler.
const (
	textLine = `time=2026-12-03T20:05:28.165Z level=INFO msg="email (console backend, not sent)" to=probe-a1@regstack-probe.example from="Demo <noreply@example.com>" subject="Confirm your Demo account" links="[http://127.0.0.1:8000/account/verify?token=OBHpaM4Sf6Gtd3WEvOqAILHLCsed7GV8Qs5TsFCSkks]"`
	jsonLine = `{"time":"2026-12-03T20:05:28Z","level":"INFO","msg":"email (console backend, not sent)","to":"Probe-A1@regstack-probe.example","links":["https://app.example.com/account/reset?lang=en\u0026token=abc_DEF-123"]}`
)

func TestTokensFor(t *testing.T) {
	for _, c := range []struct {
		name, text, address string
		want                []string
	}{
		{"slog text", textLine, "probe-a1@regstack-probe.example", []string{"OBHpaM4Sf6Gtd3WEvOqAILHLCsed7GV8Qs5TsFCSkks"}},
		{"slog JSON, address in another case, escaped &", jsonLine, "probe-a1@regstack-probe.example", []string{"abc_DEF-123"}},
		{"another address", textLine, "probe-a2@regstack-probe.example", nil},
		{"address inside a longer local part", strings.Replace(textLine, "to=probe-a1", "to=xprobe-a1", 1), "probe-a1@regstack-probe.example", nil},
		{"address inside a longer domain", strings.Replace(textLine, "probe.example ", "probe.example.org ", 1), "probe-a1@regstack-probe.example", nil},
		{"address at the end of a sentence", "mail to probe-a1@x.example. link https://x/v?token=t1", "probe-a1@x.example", []string{"t1"}},
		{"percent-encoded token", "to=p@x.example https://x/v?token=a%2Bb", "p@x.example", []string{"a+b"}},
		{"HTML-escaped &", "to=p@x.example https://x/v?a=1&amp;token=t2", "p@x.example", []string{"t2"}},
		{"link without a token", "to=p@x.example https://x/help?tokens=no", "p@x.example", nil},
		{"lines in order", "to=p@x.example ?token=first\nother\nto=p@x.example ?token=second\n", "p@x.example", []string{"first", "second"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := tokensFor([]byte(c.text), c.address); !slices.Equal(got, c.want) {
				t.Errorf("tokensFor = %q, want %q", got, c.want)
			}
		})
	}
}

func TestRedactTokens(t *testing.T) {
	got := redactTokens(textLine + ` next=https://x/r?a=1\u0026token=secret2`)
	if strings.Contains(got, "OBHpaM4") || strings.Contains(got, "secret2") {
		t.Errorf("a token survived: %s", got)
	}
	if !strings.Contains(got, "/account/verify?token=[REDACTED]") || !strings.Contains(got, `a=1\u0026token=[REDACTED]`) {
		t.Errorf("redactTokens changed more than the tokens: %s", got)
	}
}

// fastSource makes a source's waits short for tests.
func fastSource(s *LogSource) *LogSource {
	s.wait, s.interval = 300*time.Millisecond, 10*time.Millisecond
	return s
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func TestFileSource(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.log")
	// A token already in the log belongs to someone else's request.
	if err := os.WriteFile(path, []byte("to=p@x.example ?token=before-start\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := ParseLogSource("file:"+path, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	fastSource(s)

	if err := s.Mark(ctx); err != nil {
		t.Fatal(err)
	}
	if tok, err := s.Token(ctx, "p@x.example"); err == nil {
		t.Fatalf("Token with nothing new in the log = %q, want an error", tok)
	} else if !strings.Contains(err.Error(), "p@x.example") || !strings.Contains(err.Error(), "file:"+path) {
		t.Errorf("error does not name the address and the source: %v", err)
	}

	// The line arrives in two writes, the second while Token waits.
	appendFile(t, path, "to=q@x.example ?token=for-q\nto=p@x.example ?tok")
	wrote := make(chan error, 1)
	go func() {
		time.Sleep(50 * time.Millisecond)
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString("en=first\n")
			f.Close()
		}
		wrote <- err
	}()
	tok, err := s.Token(ctx, "p@x.example")
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if err != nil || tok != "first" {
		t.Fatalf("Token = %q, %v; want first", tok, err)
	}

	// A token seen by Mark is never returned, even for the right address.
	appendFile(t, path, "to=p@x.example ?token=old\n")
	if err := s.Mark(ctx); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, "to=p@x.example ?token=new\n")
	if tok, err := s.Token(ctx, "p@x.example"); err != nil || tok != "new" {
		t.Fatalf("Token after Mark = %q, %v; want new", tok, err)
	}

	// Rotated: a new, shorter file under the same name is read from its start.
	if err := os.WriteFile(path, []byte("to=p@x.example ?token=rotated\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if tok, err := s.Token(ctx, "p@x.example"); err != nil || tok != "rotated" {
		t.Fatalf("Token after rotation = %q, %v; want rotated", tok, err)
	}
}

func TestCommandSource(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(path, []byte("to=p@x.example ?token=old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := ParseLogSource("cmd:cat '"+path+"'", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	fastSource(s)
	// The command prints the whole log every time: Mark is what keeps the
	// old token out.
	if err := s.Mark(ctx); err != nil {
		t.Fatal(err)
	}
	appendFile(t, path, textLine+"\n")
	appendFile(t, path, "to=p@x.example ?token=new\n")
	if tok, err := s.Token(ctx, "p@x.example"); err != nil || tok != "new" {
		t.Fatalf("Token = %q, %v; want new", tok, err)
	}
	if _, err := s.Token(ctx, "p@x.example"); err == nil {
		t.Error("the same token was returned twice")
	}

	// The token is assembled by the shell so that only the command's output,
	// not the command line itself, holds it.
	failing, err := ParseLogSource(`cmd:t=lea; echo "to=p@x.example ?token=${t}ked" >&2; exit 3`, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	err = failing.Mark(ctx)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("Mark with a failing command: %v, want its exit status", err)
	}
	if strings.Contains(err.Error(), "leaked") {
		t.Errorf("the error quotes a token: %v", err)
	}
}

func TestParseLogSource(t *testing.T) {
	for _, spec := range []string{"", "file:", "cmd:", "/var/log/app.log", "ssh:host:/log", "file:" + filepath.Join(t.TempDir(), "missing.log"), "file:" + t.TempDir()} {
		if _, err := ParseLogSource(spec, time.Minute); err == nil {
			t.Errorf("ParseLogSource(%q) succeeded, want an error", spec)
		}
	}
}
