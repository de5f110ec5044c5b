package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/regstack/regstack/e2e/internal/proc"
	"github.com/regstack/regstack/e2e/internal/smtpsink"
)

// apiPrefix is the default mount point of the JSON API.
const apiPrefix = "/api/auth"

// readyPath is the readiness probe the starter app answers once the
// database is open and migrated.
const readyPath = apiPrefix + "/health/ready"

// fromAddress is the sender the app is configured with.
const fromAddress = "test@example.com"

// liveApp is a starter app running as a separate process.
type liveApp struct {
	BaseURL string
	Client  *http.Client

	cmd    *exec.Cmd
	output *proc.Output
	exited chan struct{}
	err    error // cmd.Wait's result, valid once exited is closed
}

// appEnv is the environment of a live app: a fresh database on backend's
// test server, a random JWT secret and SMTP delivery to sink. extra
// entries override (the last value of a key wins).
func appEnv(t testing.TB, sink *smtpsink.Server, backend string, extra ...string) []string {
	t.Helper()
	env := []string{
		"REGSTACK_DATABASE_URL=" + databaseURL(t, backend),
		"REGSTACK_JWT_SECRET=" + randomAlnum(64),
		"REGSTACK_EMAIL__BACKEND=smtp",
		"REGSTACK_EMAIL__SMTP_HOST=127.0.0.1",
		"REGSTACK_EMAIL__SMTP_PORT=" + strconv.Itoa(sink.Port()),
		"REGSTACK_EMAIL__SMTP_STARTTLS=false",
		"REGSTACK_EMAIL__FROM_ADDRESS=" + fromAddress,
		"REGSTACK_REQUIRE_VERIFICATION=true",
	}
	return append(env, extra...)
}

// startApp starts bin in dir (so it finds the host's regstack.toml, as
// `go run .` would) on a free loopback port and waits until it is ready.
// The process is killed at cleanup if the test did not stop it.
func startApp(t testing.TB, bin, dir string, env []string) *liveApp {
	t.Helper()
	a := launchApp(t, bin, dir, env)
	a.waitFor(t, readyPath, http.StatusOK, 60*time.Second)
	return a
}

// launchApp starts the app like startApp but returns at once, without
// waiting for it to listen.
func launchApp(t testing.TB, bin, dir string, env []string) *liveApp {
	t.Helper()
	port := freePort(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	a := &liveApp{
		BaseURL: "http://" + addr,
		Client:  &http.Client{Timeout: 30 * time.Second},
		output:  &proc.Output{},
		exited:  make(chan struct{}),
	}
	cmd := exec.Command(bin)
	cmd.Dir = dir
	cmd.Env = childEnv(append([]string{"ADDR=" + addr, "REGSTACK_BASE_URL=" + a.BaseURL}, env...)...)
	cmd.Stdout = a.output
	cmd.Stderr = a.output
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	a.cmd = cmd
	go func() {
		a.err = cmd.Wait()
		close(a.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-a.exited:
		default:
			cmd.Process.Kill()
			<-a.exited
		}
		a.Client.CloseIdleConnections()
		if t.Failed() {
			t.Logf("app output:\n%s", tail(a.output.String(), 60))
		}
	})
	return a
}

// waitFor polls GET path until it answers status, failing the test after
// timeout or when the process exits.
func (a *liveApp) waitFor(t testing.TB, path string, status int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		select {
		case <-a.exited:
			t.Fatalf("the app exited while waiting for GET %s to answer %d (%v):\n%s", path, status, a.err, tail(a.output.String(), 60))
		default:
		}
		resp, err := a.Client.Get(a.BaseURL + path)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == status {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s never answered %d within %s (last: %s):\n%s", path, status, timeout, last, tail(a.output.String(), 60))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Alive reports whether the process is still running.
func (a *liveApp) Alive() bool {
	select {
	case <-a.exited:
		return false
	default:
		return true
	}
}

// Stop sends SIGTERM and waits for the process to exit; it returns the
// exit error (nil for status 0).
func (a *liveApp) Stop(timeout time.Duration) error {
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM: %w", err)
	}
	select {
	case <-a.exited:
		return a.err
	case <-time.After(timeout):
		return fmt.Errorf("still running %s after SIGTERM", timeout)
	}
}

// response is one HTTP exchange's result.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a generic map (nil if it is not an object).
func (r response) JSON() map[string]any {
	var m map[string]any
	json.Unmarshal(r.Body, &m)
	return m
}

func (r response) String() string {
	return fmt.Sprintf("%d %s", r.Status, bytes.TrimSpace(r.Body))
}

// Do sends a request. body may be nil, a string (sent as is) or any value
// (sent as JSON). A non-empty token is sent as a bearer token.
func (a *liveApp) Do(t testing.TB, method, path, token string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, a.BaseURL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := a.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

func freePort(t testing.TB) int {
	t.Helper()
	port, err := pickPort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// pickPort returns a loopback port that was free a moment ago.
func pickPort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func startSink(t testing.TB) *smtpsink.Server {
	t.Helper()
	s, err := smtpsink.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// randomAlnum returns n random letters and digits.
func randomAlnum(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// waitMail waits up to 20 s for the next message to rcpt.
func waitMail(t testing.TB, sink *smtpsink.Server, rcpt string) smtpsink.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	m, err := sink.Next(ctx, rcpt)
	if err != nil {
		t.Fatal(err)
	}
	if m.ParseErr != nil {
		t.Fatalf("mail to %s does not decode: %v\n%s", rcpt, m.ParseErr, m.Raw)
	}
	return m
}
