package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/regstack/regstack/e2e/internal/smtpsink"
)

// apiPrefix is the starter's default mount point of the JSON API.
const apiPrefix = "/api/auth"

// account is a registration the server acknowledged and verified, with
// the password it should accept now. alt is the other candidate while a
// password change's outcome is unknown (the request failed without an
// answer); the final check accepts either.
type account struct {
	Email    string
	Password string
	Alt      string
	wrong    int // wrong passwords sent for it, kept below the lockout
}

// accounts is every verified account of the run, for the final sign-in
// check. Only the virtual user that created an account changes it.
type accounts struct {
	mu   sync.Mutex
	list []*account
}

func (a *accounts) add(acc *account) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.list = append(a.list, acc)
}

func (a *accounts) setPassword(acc *account, password, alt string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	acc.Password, acc.Alt = password, alt
}

func (a *accounts) snapshot() []account {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make([]account, len(a.list))
	for i, acc := range a.list {
		out[i] = *acc
	}
	return out
}

// loadCounts are the events the row-count bounds are computed from.
type loadCounts struct {
	mu            sync.Mutex
	Registered    int // 201 from /register
	Abandoned     int // registered, never verified (the pending row must expire)
	Verified      int
	FailedLogins  int // any non-200 answer of /login (each may leave an attempts row)
	MailsExpected int // verification and reset mails (each leaves a budget row)
}

func (c *loadCounts) inc(field *int) {
	c.mu.Lock()
	*field++
	c.mu.Unlock()
}

// load is what the virtual users share.
type load struct {
	baseURL string
	client  *http.Client
	sink    *smtpsink.Server
	rec     *recorder
	accs    *accounts
	counts  *loadCounts
	runTag  string
	think   time.Duration
}

// vu is one virtual user: a closed loop of account lifecycles from its own
// client address, as a client behind a load balancer would appear.
type vu struct {
	*load
	id   int
	ip   string
	rng  *rand.Rand
	seq  int
	mine []*account      // accounts this user created, for return visits
	stop <-chan struct{} // closed when the load ends
}

// stopped is the status of a request not sent because the load ended.
const stopped = -1

func (v *vu) stopping() bool {
	select {
	case <-v.stop:
		return true
	default:
		return false
	}
}

// run loops until the load ends. The request in progress gets its answer,
// so no password change is left half-known; the rest of the story is
// skipped (do sends nothing once stopping). hard cancels at once (Ctrl-C).
func (v *vu) run(hard context.Context) {
	for !v.stopping() && hard.Err() == nil {
		switch p := v.rng.Float64(); {
		case p < 0.60 || len(v.mine) == 0:
			v.lifecycle(hard)
		case p < 0.90:
			v.returnVisit(hard)
		default:
			v.stranger(hard)
		}
	}
}

// lifecycle is a new user's whole story: sign up, confirm, sign in, look
// around, maybe change the password, sign out, maybe forget the password
// and reset it, sign in again.
func (v *vu) lifecycle(ctx context.Context) {
	acc := v.register(ctx)
	if acc == nil {
		return
	}
	if acc.wrong < 2 && v.chance(0.25) {
		v.wrongPassword(ctx, acc)
	}
	token := v.login(ctx, acc)
	if token == "" {
		return
	}
	v.browse(ctx, token, 2+v.rng.IntN(4))
	if v.chance(0.1) {
		v.hostile(ctx, token)
	}
	if v.chance(0.5) {
		// A password change signs out every session, this one included.
		if !v.changePassword(ctx, acc, token) {
			return
		}
		if token = v.login(ctx, acc); token == "" {
			return
		}
		v.browse(ctx, token, 1+v.rng.IntN(3))
	}
	v.logout(ctx, token)
	if v.chance(0.5) && v.forgotAndReset(ctx, acc) {
		if token = v.login(ctx, acc); token != "" {
			v.browse(ctx, token, 1)
			v.logout(ctx, token)
		}
	}
}

// returnVisit signs in to one of this user's earlier accounts.
func (v *vu) returnVisit(ctx context.Context) {
	acc := v.mine[v.rng.IntN(len(v.mine))]
	token := v.login(ctx, acc)
	if token == "" {
		return
	}
	v.browse(ctx, token, 1+v.rng.IntN(4))
	v.logout(ctx, token)
}

// stranger is someone without an account: a reset for an unknown address,
// hostile bodies.
func (v *vu) stranger(ctx context.Context) {
	v.pause()
	v.expect(ctx, "POST /forgot-password (unknown)", "POST", "/forgot-password", "", map[string]any{"email": v.newEmail()}, 202)
	v.hostile(ctx, "")
}

func (v *vu) chance(p float64) bool { return v.rng.Float64() < p }

// pause is the user's think time between two requests.
func (v *vu) pause() {
	if v.think > 0 && !v.stopping() {
		time.Sleep(time.Duration(v.rng.Int64N(int64(2 * v.think))))
	}
}

func (v *vu) newEmail() string {
	v.seq++
	return fmt.Sprintf("soak-%s-%d-%d@example.com", v.runTag, v.id, v.seq)
}

func (v *vu) newPassword() string { return "pw-" + randomAlnum(16) }

// register signs a new address up and, unless the user abandons it,
// confirms it through the emailed link. It returns the verified account.
func (v *vu) register(ctx context.Context) *account {
	v.pause()
	acc := &account{Email: v.newEmail(), Password: v.newPassword()}
	body := map[string]any{"email": acc.Email, "password": acc.Password, "full_name": "Soak User"}
	if _, ok := v.expect(ctx, "POST /register", "POST", "/register", "", body, 201); !ok {
		return nil
	}
	v.counts.inc(&v.counts.Registered)
	v.counts.inc(&v.counts.MailsExpected)
	token, ok := v.mailedToken(ctx, acc.Email, "/verify")
	if v.chance(0.05) {
		// Abandoned: the pending registration must expire and be purged.
		v.counts.inc(&v.counts.Abandoned)
		return nil
	}
	if !ok {
		return nil
	}
	v.pause()
	if _, ok := v.expect(ctx, "POST /verify", "POST", "/verify", "", map[string]any{"token": token}, 200); !ok {
		return nil
	}
	v.counts.inc(&v.counts.Verified)
	v.accs.add(acc)
	v.mine = append(v.mine, acc)
	return acc
}

func (v *vu) wrongPassword(ctx context.Context, acc *account) {
	v.pause()
	acc.wrong++
	v.counts.inc(&v.counts.FailedLogins)
	v.expect(ctx, "POST /login (wrong password)", "POST", "/login", "", map[string]any{"email": acc.Email, "password": "wrong-" + randomAlnum(10)}, 401)
}

// login signs acc in and returns the session token ("" on failure).
func (v *vu) login(ctx context.Context, acc *account) string {
	v.pause()
	r, ok := v.expect(ctx, "POST /login", "POST", "/login", "", map[string]any{"email": acc.Email, "password": acc.Password}, 200)
	if !ok {
		v.counts.inc(&v.counts.FailedLogins)
		return ""
	}
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(r.body, &body) != nil || body.AccessToken == "" {
		v.rec.problem("login answer without access_token")
		return ""
	}
	return body.AccessToken
}

func (v *vu) browse(ctx context.Context, token string, n int) {
	for range n {
		v.pause()
		v.expect(ctx, "GET /me", "GET", "/me", token, nil, 200)
	}
}

func (v *vu) logout(ctx context.Context, token string) {
	v.pause()
	if _, ok := v.expect(ctx, "POST /logout", "POST", "/logout", token, nil, 200); ok {
		v.expect(ctx, "GET /me (signed out)", "GET", "/me", token, nil, 401)
	}
}

// changePassword reports whether the password was changed (the session is
// then signed out).
func (v *vu) changePassword(ctx context.Context, acc *account, token string) bool {
	v.pause()
	next := v.newPassword()
	body := map[string]any{"current_password": acc.Password, "new_password": next}
	r, ok := v.expect(ctx, "POST /change-password", "POST", "/change-password", token, body, 200)
	v.recordPassword(acc, next, r, ok)
	return ok
}

// recordPassword notes the outcome of a request that set acc's password to
// next: next on success; either one when no answer came, since the change
// may have been made.
func (v *vu) recordPassword(acc *account, next string, r answer, ok bool) {
	switch {
	case ok:
		v.accs.setPassword(acc, next, "")
	case r.status == 0:
		v.accs.setPassword(acc, acc.Password, next)
	}
}

// forgotAndReset asks for a reset link, follows it, and reports whether
// the password was reset. Each costs one mail of the address's budget
// (email.max_per_address_per_hour, 5): an account gets its verification
// and at most one reset (only in its first lifecycle), well within it.
func (v *vu) forgotAndReset(ctx context.Context, acc *account) bool {
	v.pause()
	if _, ok := v.expect(ctx, "POST /forgot-password", "POST", "/forgot-password", "", map[string]any{"email": acc.Email}, 202); !ok {
		return false
	}
	v.counts.inc(&v.counts.MailsExpected)
	token, ok := v.mailedToken(ctx, acc.Email, "/reset")
	if !ok {
		return false
	}
	v.pause()
	next := v.newPassword()
	r, ok := v.expect(ctx, "POST /reset-password", "POST", "/reset-password", "", map[string]any{"token": token, "new_password": next}, 200)
	v.recordPassword(acc, next, r, ok)
	return ok
}

// hostile sends malformed and hostile requests; each must get a 4xx.
func (v *vu) hostile(ctx context.Context, token string) {
	big := `{"email":"x@example.com","password":"` + strings.Repeat("A", 70<<10) + `"}`
	cases := []struct{ route, method, path, token, body string }{
		{"hostile POST /login broken JSON", "POST", "/login", "", `{"email":`},
		{"hostile POST /register unknown key", "POST", "/register", "", `{"email":"` + v.newEmail() + `","password":"long-enough-1","admin":true}`},
		{"hostile POST /login wrong type", "POST", "/login", "", `{"email":42,"password":"long-enough-1"}`},
		{"hostile POST /register oversized", "POST", "/register", "", big},
		{"hostile POST /reset-password bad token", "POST", "/reset-password", "", `{"token":"` + randomAlnum(43) + `","new_password":"long-enough-1"}`},
		{"hostile POST /verify bad token", "POST", "/verify", "", `{"token":"` + randomAlnum(43) + `"}`},
		{"hostile GET /me forged token", "GET", "/me", "eyJhbGciOiJIUzI1NiJ9." + randomAlnum(40) + "." + randomAlnum(43), ""},
		{"hostile POST /change-password no body", "POST", "/change-password", token, ""},
	}
	c := cases[v.rng.IntN(len(cases))]
	v.pause()
	r := v.do(ctx, c.route, c.method, c.path, c.token, []byte(c.body))
	if r.status != stopped && (r.status < 400 || r.status >= 500) {
		v.rec.unexpected(c.route, r.status, r.body)
	}
}

var tokenLink = regexp.MustCompile(`(/[A-Za-z0-9/_-]*)\?token=([A-Za-z0-9_-]+)`)

// mailedToken waits for the next mail to email, as its owner would read
// it, and returns the token of its link to page.
func (v *vu) mailedToken(ctx context.Context, email, page string) (string, bool) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	m, err := v.sink.Next(ctx, email)
	if err != nil {
		v.rec.problem("no mail within 30s (" + page + ")")
		return "", false
	}
	for _, match := range tokenLink.FindAllStringSubmatch(m.Text, -1) {
		if strings.HasSuffix(match[1], page) {
			return match[2], true
		}
	}
	v.rec.problem("mail without a " + page + " link")
	return "", false
}

// answer is one HTTP exchange; status 0 means no answer (transport error).
type answer struct {
	status int
	body   []byte
}

// expect sends a request and records an unexpected status as evidence.
func (v *vu) expect(ctx context.Context, route, method, path, token string, body any, want int) (answer, bool) {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	r := v.do(ctx, route, method, path, token, raw)
	if r.status != want {
		if r.status != stopped {
			v.rec.unexpected(route, r.status, r.body)
		}
		return r, false
	}
	return r, true
}

// do sends one request from this user's address. A 503 (every password
// hashing slot busy) is retried once after its Retry-After, as a polite
// client would; both answers are recorded.
func (v *vu) do(ctx context.Context, route, method, path, token string, body []byte) answer {
	if v.stopping() {
		return answer{status: stopped}
	}
	for attempt := 0; ; attempt++ {
		r, retryAfter := v.send(ctx, route, method, path, token, body)
		if r.status != http.StatusServiceUnavailable || attempt > 0 {
			return r
		}
		time.Sleep(retryAfter)
	}
}

func (v *vu) send(ctx context.Context, route, method, path, token string, body []byte) (answer, time.Duration) {
	return sendAs(ctx, v.load, v.ip, route, method, path, token, body)
}

// sendAs sends a request as client address ip and records its status and
// latency under route.
func sendAs(ctx context.Context, l *load, ip, route, method, path, token string, body []byte) (answer, time.Duration) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, l.baseURL+apiPrefix+path, rd)
	if err != nil {
		panic(err) // our own method and URL
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("X-Forwarded-For", ip)
	start := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			l.rec.record(route, 0, time.Since(start))
		}
		return answer{body: []byte(err.Error())}, 0
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil {
		l.rec.record(route, 0, elapsed)
		return answer{body: []byte(err.Error())}, 0
	}
	l.rec.record(route, resp.StatusCode, elapsed)
	retry := time.Second
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 && s <= 10 {
		retry = time.Duration(s) * time.Second
	}
	return answer{status: resp.StatusCode, body: raw}, retry
}

// clientIP is the address of virtual user or checked account i: a
// private 10.x address no other user shares.
func clientIP(base, i int) string {
	return fmt.Sprintf("10.%d.%d.%d", base+i>>16, (i>>8)&255, i&255)
}
