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

// Defaults for how long a log source is watched for a mailed link.
const (
	tokenWait     = 10 * time.Second
	tokenInterval = 250 * time.Millisecond
)

// LogSource finds the one-time tokens of the emails a deployment sends,
// in its log. The console mail backend of a generated app logs every
// message as one line with its recipient and its links; a link with
// token= for the probe's address is the mail the probe waits for.
//
// Tokens already in the log when a step starts (Mark) are never returned,
// so a step cannot pick up the link of an earlier one.
type LogSource struct {
	desc     string // the --log-source value, for messages
	read     func(ctx context.Context) ([]byte, error)
	seen     map[string]bool
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

// Mark remembers every token in the log now, so that Token only returns
// one that a later request caused.
func (s *LogSource) Mark(ctx context.Context) error {
	text, err := s.read(ctx)
	if err != nil {
		return err
	}
	for _, m := range tokenParam.FindAllSubmatch(text, -1) {
		s.seen[unescapeToken(m[1])] = true
	}
	return nil
}

// Token waits for a new link with a token for address to appear in the
// log and returns the token of the newest one.
func (s *LogSource) Token(ctx context.Context, address string) (string, error) {
	deadline := time.Now().Add(s.wait)
	for {
		text, err := s.read(ctx)
		if err != nil {
			return "", err
		}
		tokens := tokensFor(text, address)
		for i := len(tokens) - 1; i >= 0; i-- {
			if !s.seen[tokens[i]] {
				s.seen[tokens[i]] = true
				return tokens[i], nil
			}
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no link with a token for %s appeared in %s within %s (the app must use email.backend = \"console\", and the source must be its log)",
				address, s.desc, s.wait)
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

// redactTokens replaces the value of every token parameter in s, for
// error messages that quote a log.
func redactTokens(s string) string {
	return tokenParam.ReplaceAllStringFunc(s, func(m string) string {
		i := strings.LastIndex(m, "token=")
		return m[:i] + "token=[REDACTED]"
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
		// any token blanked out.
		if last := lastLine(stderr.String()); last != "" {
			msg += ": " + truncate(redactTokens(last), 200)
		}
		return nil, fmt.Errorf("log command %q: %s", command, msg)
	}
	return stdout.Bytes(), nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return strings.TrimSpace(s[strings.LastIndexByte(s, '\n')+1:])
}
