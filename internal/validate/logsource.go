package validate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// Defaults for how long a log source is watched for a mailed link or a
// texted code.
const (
	tokenWait     = 10 * time.Second
	tokenInterval = 250 * time.Millisecond
)

// LogSource finds the one-time tokens of the emails a deployment sends,
// and the codes of its text messages, in its log. The console mail backend
// of a generated app logs every message as one line with its recipient and
// its links; a link with token= for the probe's address is the mail the
// probe waits for. The console SMS backend logs every text message as one
// line with its recipient and body (see Code).
//
// Tokens and codes already in the log when a step starts (Mark) are never
// returned, so a step cannot pick up the link or code of an earlier one.
type LogSource struct {
	desc     string // the --log-source value, for messages
	read     func(ctx context.Context) ([]byte, error)
	seen     map[string]bool // tokens, and the lines of codes (codeLineKey)
	wait     time.Duration
	interval time.Duration
}

// ParseLogSource reads a --log-source value: file:PATH (the app's log file,
// followed from its current end) or cmd:COMMAND (a shell command whose
// standard output is the log, such as `docker logs app 2>&1`; it is run
// again each time the log is read). timeout bounds one run of the command
// and how long a step waits for its mail (at most tokenWait).
func ParseLogSource(spec string, timeout time.Duration) (*LogSource, error) {
	kind, arg, ok := strings.Cut(spec, ":")
	if !ok || arg == "" {
		return nil, fmt.Errorf("--log-source %q: want file:PATH or cmd:COMMAND", spec)
	}
	s := &LogSource{desc: spec, seen: map[string]bool{}, wait: min(tokenWait, timeout), interval: tokenInterval}
	switch kind {
	case "file":
		t, err := newFileTail(arg)
		if err != nil {
			return nil, fmt.Errorf("--log-source %q: %w", spec, err)
		}
		s.read = t.read
	case "cmd":
		s.read = func(ctx context.Context) ([]byte, error) { return runLogCommand(ctx, arg, timeout) }
	default:
		return nil, fmt.Errorf("--log-source %q: unknown kind %q; want file:PATH or cmd:COMMAND", spec, kind)
	}
	return s, nil
}

// Mark remembers every token and every texted code in the log now, so
// that Token and Code only return one that a later request caused.
func (s *LogSource) Mark(ctx context.Context) error {
	text, err := s.read(ctx)
	if err != nil {
		return err
	}
	for _, m := range tokenParam.FindAllSubmatch(text, -1) {
		s.seen[unescapeToken(m[1])] = true
	}
	for _, line := range bytes.Split(text, []byte("\n")) {
		if smsCode.Match(line) {
			s.seen[codeLineKey(line)] = true
		}
	}
	return nil
}

// Token waits for a new link with a token for address to appear in the
// log and returns the token of the newest one.
func (s *LogSource) Token(ctx context.Context, address string) (string, error) {
	return s.await(ctx, func(text []byte) (string, bool) {
		tokens := tokensFor(text, address)
		for i := len(tokens) - 1; i >= 0; i-- {
			if !s.seen[tokens[i]] {
				s.seen[tokens[i]] = true
				return tokens[i], true
			}
		}
		return "", false
	}, func() error {
		return fmt.Errorf("no link with a token for %s appeared in %s within %s (the app must use email.backend = \"console\", and the source must be its log)",
			address, s.desc, s.wait)
	})
}

// Code waits for a new text message to phone to appear in the log and
// returns the code of the newest one. The console SMS backend of a
// generated app logs each message as one line with its recipient and its
// body, which ends with the WebOTP line "@host #code".
//
// A code is remembered by its whole log line, not its value: two messages
// may well carry the same code, while two lines of a log differ at least
// in their time.
func (s *LogSource) Code(ctx context.Context, phone string) (string, error) {
	return s.await(ctx, func(text []byte) (string, bool) {
		lines := codeLinesFor(text, phone)
		for i := len(lines) - 1; i >= 0; i-- {
			if key := codeLineKey(lines[i]); !s.seen[key] {
				s.seen[key] = true
				return lineCode(lines[i]), true
			}
		}
		return "", false
	}, func() error {
		return fmt.Errorf("no text message with a code for %s appeared in %s within %s (the app must use sms.backend = \"console\", and the source must be its log)",
			phone, s.desc, s.wait)
	})
}

// await reads the log until find finds what a step waits for, or the
// source's wait is over; then it returns timedOut's error.
func (s *LogSource) await(ctx context.Context, find func(text []byte) (string, bool), timedOut func() error) (string, error) {
	deadline := time.Now().Add(s.wait)
	for {
		text, err := s.read(ctx)
		if err != nil {
			return "", err
		}
		if v, ok := find(text); ok {
			return v, nil
		}
		if time.Now().After(deadline) {
			return "", timedOut()
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(s.interval):
		}
	}
}

// tokenParam matches a token query parameter of a link, also when the
// log escapes the & (JSON handlers write \u0026, HTML &amp;).
var tokenParam = regexp.MustCompile(`(?:[?&;]|\\u0026)token=([A-Za-z0-9._~%-]+)`)

// tokensFor returns the tokens of the links on the lines of text that
// mention address, in the order they appear.
func tokensFor(text []byte, address string) []string {
	var tokens []string
	for _, line := range bytes.Split(text, []byte("\n")) {
		if !mentionsAddress(line, address) {
			continue
		}
		for _, m := range tokenParam.FindAllSubmatch(line, -1) {
			tokens = append(tokens, unescapeToken(m[1]))
		}
	}
	return tokens
}

func unescapeToken(raw []byte) string {
	if t, err := url.QueryUnescape(string(raw)); err == nil {
		return t
	}
	return string(raw)
}

// mentionsAddress reports whether line holds address as a whole address,
// ignoring case: probe-1@x.example must not match other-probe-1@x.example
// or probe-1@x.example.org.
func mentionsAddress(line []byte, address string) bool {
	l, a := bytes.ToLower(line), []byte(strings.ToLower(address))
	for from := 0; ; {
		i := bytes.Index(l[from:], a)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(a)
		before := start == 0 || !isLocalPartChar(l[start-1])
		after := end == len(l) || !isDomainChar(l[end]) || l[end] == '.' && (end+1 == len(l) || !isDomainChar(l[end+1]))
		if before && after {
			return true
		}
		from = start + 1
	}
}

// isLocalPartChar reports whether c continues the local part of an address
// leftwards. Only the characters of ordinary addresses count: the rarer
// ones RFC 5322 allows (= ' / ...) are exactly those a log line puts right
// before an address (to=, 'x@y').
func isLocalPartChar(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("._%+-", c) >= 0
}

func isDomainChar(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-'
}

// smsCode matches the code of a text message: the WebOTP line every
// message of the generated app ends with ("@host #123456"), or, in a
// template edited without it, the code after "code" ("sign-in code: 123456").
var smsCode = regexp.MustCompile(`(?:#|\b[Cc]ode:?\s+)([0-9]{4,10})\b`)

// codeLinesFor returns the lines of text that mention phone and hold a
// code, in the order they appear.
func codeLinesFor(text []byte, phone string) [][]byte {
	var lines [][]byte
	for _, line := range bytes.Split(text, []byte("\n")) {
		if mentionsPhone(line, phone) && smsCode.Match(line) {
			lines = append(lines, line)
		}
	}
	return lines
}

// lineCode returns the last code on line: the WebOTP line comes last.
func lineCode(line []byte) string {
	m := smsCode.FindAllSubmatch(line, -1)
	if len(m) == 0 {
		return ""
	}
	return string(m[len(m)-1][1])
}

// codeLineKey is how a log line with a code is remembered.
func codeLineKey(line []byte) string { return "sms line\x00" + string(bytes.TrimSpace(line)) }

// mentionsPhone reports whether line holds phone (E.164, with its +) as a
// whole number: +1415555010 must not match +14155550100.
func mentionsPhone(line []byte, phone string) bool {
	p := []byte(phone)
	for from := 0; ; {
		i := bytes.Index(line[from:], p)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(p)
		if (start == 0 || !isDigit(line[start-1])) && (end == len(line) || !isDigit(line[end])) {
			return true
		}
		from = start + 1
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// redactSecrets replaces the value of every token parameter and every
// texted code in s, for error messages that quote a log.
func redactSecrets(s string) string {
	s = tokenParam.ReplaceAllStringFunc(s, func(m string) string {
		i := strings.LastIndex(m, "token=")
		return m[:i] + "token=[REDACTED]"
	})
	return smsCode.ReplaceAllStringFunc(s, func(m string) string {
		return strings.TrimRight(m, "0123456789") + "[REDACTED]"
	})
}

// fileTail reads what an append-only log file gained since the last read,
// in whole lines.
type fileTail struct {
	path    string
	offset  int64
	partial []byte // the start of a line whose newline has not been written yet
}

// newFileTail starts at the current end of the file: lines already in the
// log belong to other requests.
func newFileTail(path string) (*fileTail, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return &fileTail{path: path, offset: fi.Size()}, nil
}

func (t *fileTail) read(context.Context) ([]byte, error) {
	f, err := os.Open(t.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() < t.offset {
		// Truncated or rotated (a new file under the same name): read the
		// new one from its start.
		t.offset, t.partial = 0, nil
	}
	if _, err := f.Seek(t.offset, io.SeekStart); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	t.offset += int64(len(data))
	data = append(t.partial, data...)
	cut := bytes.LastIndexByte(data, '\n') + 1
	t.partial = bytes.Clone(data[cut:])
	return data[:cut], nil
}

// runLogCommand runs command with sh -c and returns its standard output.
func runLogCommand(ctx context.Context, command string, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("log command %q did not finish within %s", command, timeout)
	}
	if err != nil {
		msg := err.Error()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			msg = fmt.Sprintf("exit status %d", ee.ExitCode())
		}
		// The command's error output may be the log itself (docker logs
		// writes the app's stderr there): quote only its last line, with
		// any token or code blanked out.
		if last := lastLine(stderr.String()); last != "" {
			msg += ": " + truncate(redactSecrets(last), 200)
		}
		return nil, fmt.Errorf("log command %q: %s", command, msg)
	}
	return stdout.Bytes(), nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.TrimSpace(s[strings.LastIndexByte(s, '\n')+1:])
}
