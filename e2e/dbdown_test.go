package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// requestBound is how long any request may take while the database is
// down or restarting: the app must answer (503/500), not hang. The starter
// app's write timeout is 30s; this is well under it.
const requestBound = 10 * time.Second

// outageHold is how long the database stays down under load once
// health/ready has noticed: longer than requestBound, so a request that
// waits for the database instead of failing shows up as too slow.
const outageHold = requestBound + 2*time.Second

// TestDatabaseDown checks, on each server backend, that the starter app
// (1) starts while its database is down, answers 503 from health/ready and
// clear JSON errors elsewhere, and recovers by itself when the database
// comes up; (2) survives a database restart under load: 503 from
// health/ready during it, every request answered in bounded time, recovery
// afterwards, and every account whose registration was answered 201 before
// or during the restart still there.
func TestDatabaseDown(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		pg := privatePostgres(t)
		ctx := context.Background()
		url, err := pg.CreateDatabase(ctx, "e2e_down")
		if err != nil {
			t.Fatal(err)
		}
		databaseDown(t, "postgres", url, func() error { return pg.Down(ctx) }, func() error { return pg.Up(ctx) })
	})
	t.Run("mongo", func(t *testing.T) {
		f := privateFerret(t)
		databaseDown(t, "mongo", f.DatabaseURL("e2e_down"), f.Stop, f.Start)
	})
}

func databaseDown(t *testing.T, backend, dbURL string, down, up func() error) {
	bin, host := starterApp(t, backend)
	sink := startSink(t)
	env := appEnv(t, sink, backend,
		"REGSTACK_DATABASE_URL="+dbURL,
		"REGSTACK_REQUIRE_VERIFICATION=false",
		// The load below registers from one address as fast as it can.
		"REGSTACK_RATE_LIMIT_DISABLED=true",
		// Cheap hashing: the load is about the database, not Argon2.
		"REGSTACK_PASSWORD_HASH_MEMORY_KIB=1024",
		"REGSTACK_PASSWORD_HASH_TIME_COST=1",
		"REGSTACK_PASSWORD_HASH_PARALLELISM=1",
	)

	if err := down(); err != nil {
		t.Fatalf("stopping the database: %v", err)
	}
	app := launchApp(t, bin, host, env)

	t.Run("down at start", func(t *testing.T) {
		app.waitFor(t, apiPrefix+"/health", http.StatusOK, 60*time.Second)
		r := timedDo(t, app, "GET", readyPath, "", nil)
		if r.Status != http.StatusServiceUnavailable || r.JSON()["status"] != "unavailable" {
			t.Errorf("health/ready with the database down: %s, want 503 unavailable", r)
		}
		for _, c := range []struct{ method, path, token string }{
			{"POST", apiPrefix + "/register", ""},
			{"POST", apiPrefix + "/login", ""},
			{"GET", apiPrefix + "/me", "not-a-token"},
		} {
			r := timedDo(t, app, c.method, c.path, c.token, map[string]any{"email": "early@example.com", "password": "early-bird-password-1"})
			if r.Status != http.StatusServiceUnavailable || r.JSON()["detail"] == nil {
				t.Errorf("%s %s with the database down: %s, want a JSON 503", c.method, c.path, r)
			}
		}
		if err := up(); err != nil {
			t.Fatalf("starting the database: %v", err)
		}
		start := time.Now()
		app.waitFor(t, readyPath, http.StatusOK, 60*time.Second)
		t.Logf("ready %s after the database came up", time.Since(start).Round(time.Millisecond))
		if r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": "early@example.com", "password": "early-bird-password-1"}); r.Status != http.StatusCreated {
			t.Fatalf("register after recovery: %s", r)
		}
		login(t, app, "early@example.com", "early-bird-password-1")
	})
	if t.Failed() {
		return
	}

	t.Run("restart under load", func(t *testing.T) {
		const anchorEmail, anchorPass = "anchor@example.com", "anchor-password-123"
		if r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": anchorEmail, "password": anchorPass}); r.Status != http.StatusCreated {
			t.Fatalf("register: %s", r)
		}
		session := login(t, app, anchorEmail, anchorPass)

		l := startLoad(app, session, 4)
		time.Sleep(time.Second)
		before := l.committed()

		if err := down(); err != nil {
			l.stop()
			t.Fatalf("stopping the database: %v", err)
		}
		// While it is down, readiness says so.
		saw503 := false
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
			if r := timedDo(t, app, "GET", readyPath, "", nil); r.Status == http.StatusServiceUnavailable {
				saw503 = true
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(outageHold) // requests keep arriving while it is down
		if err := up(); err != nil {
			l.stop()
			t.Fatalf("starting the database again: %v", err)
		}
		start := time.Now()
		app.waitFor(t, readyPath, http.StatusOK, 60*time.Second)
		recovered := time.Since(start)
		time.Sleep(time.Second) // and after it is back
		res := l.stop()

		t.Logf("load: %d requests, statuses %v, slowest %s; %d accounts committed (%d before the stop); ready %s after the restart",
			res.requests, res.statuses, res.slowest.Round(time.Millisecond), len(res.accounts), len(before), recovered.Round(time.Millisecond))
		if !saw503 {
			t.Error("health/ready never answered 503 while the database was down")
		}
		if !app.Alive() {
			t.Fatal("the app exited during the restart")
		}
		for _, e := range res.problems {
			t.Error(e)
		}
		if res.statuses[http.StatusCreated] == 0 || len(before) == 0 {
			t.Errorf("the load committed nothing before the restart (statuses %v): the test proves nothing", res.statuses)
		}
		if res.failedDuring() == 0 {
			t.Errorf("no request failed during a %s outage (statuses %v): they must fail within %s, not wait", outageHold, res.statuses, requestBound)
		}

		// After recovery: the old session, every committed account, new writes.
		if r := app.Do(t, "GET", apiPrefix+"/me", session, nil); r.Status != http.StatusOK {
			t.Errorf("the session from before the restart: %s, want 200", r)
		}
		lost := 0
		for _, email := range res.accounts {
			r := app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": loadPassword})
			if r.Status != http.StatusOK {
				lost++
				if lost <= 5 {
					t.Errorf("account %s (registered with 201) after the restart: login %s", email, r)
				}
			}
		}
		if lost > 0 {
			t.Errorf("%d of %d committed accounts cannot sign in after the restart", lost, len(res.accounts))
		}
		if r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": "after@example.com", "password": "after-restart-pass-1"}); r.Status != http.StatusCreated {
			t.Errorf("register after the restart: %s", r)
		}
	})
}

// timedDo is app.Do that fails the test when the answer takes longer than
// requestBound or is not JSON.
func timedDo(t *testing.T, app *liveApp, method, path, token string, body any) response {
	t.Helper()
	start := time.Now()
	r := app.Do(t, method, path, token, body)
	if d := time.Since(start); d > requestBound {
		t.Errorf("%s %s took %s (bound %s)", method, path, d.Round(time.Millisecond), requestBound)
	}
	if !json.Valid(r.Body) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("%s %s: %d with a non-JSON body %q", method, path, r.Status, r.Body)
	}
	return r
}

const loadPassword = "load-password-1234"

// load is a few clients registering fresh accounts and reading /me as fast
// as the app answers.
type load struct {
	app     *liveApp
	session string
	done    chan struct{}
	wg      sync.WaitGroup
	seq     atomic.Int64

	mu       sync.Mutex
	res      loadResult
	accounts []string
}

type loadResult struct {
	requests int
	statuses map[int]int
	slowest  time.Duration
	accounts []string // registered with 201
	problems []string
}

// failedDuring counts the answers that reported the outage.
func (r loadResult) failedDuring() int {
	n := 0
	for code, c := range r.statuses {
		if code >= 500 {
			n += c
		}
	}
	return n
}

func startLoad(app *liveApp, session string, clients int) *load {
	l := &load{app: app, session: session, done: make(chan struct{}), res: loadResult{statuses: map[int]int{}}}
	for i := 0; i < clients; i++ {
		l.wg.Add(1)
		go l.client()
	}
	return l
}

func (l *load) client() {
	defer l.wg.Done()
	client := &http.Client{Timeout: 2 * requestBound}
	for {
		select {
		case <-l.done:
			return
		default:
		}
		email := fmt.Sprintf("load-%d@example.com", l.seq.Add(1))
		status, err := l.send(client, "POST", "/register", "", fmt.Sprintf(`{"email":%q,"password":%q}`, email, loadPassword))
		l.record("register", status, err, email)
		status2, err := l.send(client, "GET", "/me", l.session, "")
		l.record("me", status2, err, "")
		if status >= 500 || status2 >= 500 {
			// A client backs off a little; hammering a 500 only fills the
			// log.
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// send does one request and checks the answer's shape and timing.
func (l *load) send(client *http.Client, method, path, token, body string) (int, error) {
	req, _ := http.NewRequest(method, l.app.BaseURL+apiPrefix+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	resp, err := client.Do(req)
	d := time.Since(start)
	l.mu.Lock()
	l.res.slowest = max(l.res.slowest, d)
	l.mu.Unlock()
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return resp.StatusCode, fmt.Errorf("%d with a body that is not a JSON object: %v", resp.StatusCode, err)
	}
	if d > requestBound {
		return resp.StatusCode, fmt.Errorf("answered %d after %s (bound %s)", resp.StatusCode, d.Round(time.Millisecond), requestBound)
	}
	return resp.StatusCode, nil
}

func (l *load) record(what string, status int, err error, email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.res.requests++
	l.res.statuses[status]++
	if err != nil {
		if len(l.res.problems) < 10 {
			l.res.problems = append(l.res.problems, fmt.Sprintf("%s: %v", what, err))
		}
		return
	}
	// The only acceptable answers: success, or a server error that says
	// the database is unavailable. A 4xx would mean the app misread the
	// outage as a client mistake (409 for a fresh address, 401 for a valid
	// session).
	ok := status == http.StatusOK || status == http.StatusCreated || status == http.StatusInternalServerError || status == http.StatusServiceUnavailable
	if !ok && len(l.res.problems) < 10 {
		l.res.problems = append(l.res.problems, fmt.Sprintf("%s: unexpected status %d", what, status))
	}
	if what == "register" && status == http.StatusCreated {
		l.accounts = append(l.accounts, email)
	}
}

// committed is the accounts registered with 201 so far.
func (l *load) committed() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.accounts...)
}

// stop ends the load and returns what it saw.
func (l *load) stop() loadResult {
	close(l.done)
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.res
	r.accounts = append([]string(nil), l.accounts...)
	return r
}
