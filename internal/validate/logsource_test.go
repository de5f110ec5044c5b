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

func TestRedactSecrets(t *testing.T) {
	got := redactSecrets(textLine + ` next=https://x/r?a=1\u0026token=secret2`)
	if strings.Contains(got, "OBHpaM4") || strings.Contains(got, "secret2") {
		t.Errorf("a token survived: %s", got)
	}
	if !strings.Contains(got, "/account/verify?token=[REDACTED]") || !strings.Contains(got, `a=1\u0026token=[REDACTED]`) {
		t.Errorf("redactSecrets changed more than the tokens: %s", got)
	}
	got = redactSecrets(smsTextLine)
	if strings.Contains(got, "481516") {
		t.Errorf("a code survived: %s", got)
	}
	if !strings.Contains(got, "to=+14155550100") || !strings.Contains(got, "code: [REDACTED]") || !strings.Contains(got, "#[REDACTED]") {
		t.Errorf("redactSecrets changed more than the codes: %s", got)
	}
}

// The line the generated app's console SMS backend writes with slog's text
// handler, and the same message from a JSON handler.
const (
	smsTextLine = `time=2026-12-03T21:05:28.165Z level=INFO msg="sms (console backend, not sent)" to=+14155550100 from="" body="Demo verification code: 481516. It expires in 5 minutes.\n\n@127.0.0.1 #481516\n"`
	smsJSONLine = `{"time":"2026-12-03T21:05:29Z","level":"INFO","msg":"sms (console backend, not sent)","to":"+14155550100","from":"","body":"Demo sign-in code: 234200. Expires in 5 minutes. If you didn't try to sign in, ignore this message.\n\n@app.example.com #234200\n"}`
)

func TestCodeLinesFor(t *testing.T) {
	codes := func(text, phone string) []string {
		var got []string
		for _, l := range codeLinesFor([]byte(text), phone) {
			got = append(got, lineCode(l))
		}
		return got
	}
	for _, c := range []struct {
		name, text, phone string
		want              []string
	}{
		{"slog text", smsTextLine, "+14155550100", []string{"481516"}},
		{"slog JSON", smsJSONLine, "+14155550100", []string{"234200"}},
		{"another number", smsTextLine, "+14155550101", nil},
		{"number inside a longer one", strings.Replace(smsTextLine, "+14155550100", "+141555501001", 1), "+14155550100", nil},
		{"a prefix of the number", smsTextLine, "+1415555010", nil},
		{"template without the WebOTP line", `to=+14155550100 body="Your code: 0042"`, "+14155550100", []string{"0042"}},
		{"a mail, not a text message", textLine, "+14155550100", nil},
		{"lines in order", smsTextLine + "\n" + textLine + "\n" + smsJSONLine + "\n", "+14155550100", []string{"481516", "234200"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := codes(c.text, c.phone); !slices.Equal(got, c.want) {
				t.Errorf("codes = %q, want %q", got, c.want)
			}
		})
	}
}

// TestCode: Code returns the newest code for the number that came after
// Mark, and never the same log line twice; an equal code on a new line is
// a new message.
func TestCode(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(path, []byte(smsTextLine+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := ParseLogSource("cmd:cat '"+path+"'", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	fastSource(s)
	if err := s.Mark(ctx); err != nil {
		t.Fatal(err)
	}
	if code, err := s.Code(ctx, "+14155550100"); err == nil {
		t.Fatalf("Code with nothing new in the log = %q, want an error", code)
	} else if !strings.Contains(err.Error(), "+14155550100") || !strings.Contains(err.Error(), "sms.backend") || strings.Contains(err.Error(), "481516") {
		t.Errorf("error does not name the number and the backend, or quotes a code: %v", err)
	}

	appendFile(t, path, strings.Replace(smsTextLine, "481516", "111111", 2)+"\n")
	appendFile(t, path, smsJSONLine+"\n")
	appendFile(t, path, strings.Replace(smsTextLine, "+14155550100", "+14155550199", 1)+"\n")
	if code, err := s.Code(ctx, "+14155550100"); err != nil || code != "234200" {
		t.Fatalf("Code = %q, %v; want the newest, 234200", code, err)
	}
	// The same code again, on a later line, is a new message.
	appendFile(t, path, strings.Replace(smsJSONLine, "21:05:29Z", "21:05:59Z", 1)+"\n")
	if code, err := s.Code(ctx, "+14155550100"); err != nil || code != "234200" {
		t.Fatalf("Code for a repeated code = %q, %v; want 234200", code, err)
	}
	if err := s.Mark(ctx); err != nil {
		t.Fatal(err)
	}
	if code, err := s.Code(ctx, "+14155550100"); err == nil {
		t.Errorf("Code after Mark = %q, want an error: every code is old", code)
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
