package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regstack/regstack/e2e/internal/smtpsink"
)

// The tests in this file check the fixes of the security audit (issue 8)
// against the live starter app: sign-ins racing a password change or
// reset, registrations of an address by someone other than its owner,
// cross-site requests, and guesses of the current password.

// cheapHashEnv makes Argon2id cheap, so the many password checks of these
// tests fit the time budget. What they test does not depend on the cost:
// a sign-in that waits for a hashing slot holds the account it read just
// as long as one that hashes slowly.
var cheapHashEnv = []string{
	"REGSTACK_PASSWORD_HASH_MEMORY_KIB=4096",
	"REGSTACK_PASSWORD_HASH_TIME_COST=1",
	"REGSTACK_PASSWORD_HASH_PARALLELISM=1",
}

// raceEnv is the environment of the sign-in races: the lockout stays on
// (its database writes are part of every sign-in) but with a threshold the
// concurrent sign-ins of a round cannot reach, since each reserves an
// attempt before its password is checked; the per-address login rate limit
// is off, since every sign-in comes from 127.0.0.1; a request waits as long
// as it takes for a hashing slot instead of getting 503, and the queue holds
// a whole round (the default queue of 8 sheds a wave of concurrent sign-ins,
// which is the flood behaviour BenchmarkLoginFlood measures, not a race).
var raceEnv = append([]string{
	"REGSTACK_LOGIN_LOCKOUT_THRESHOLD=1000",
	"REGSTACK_LOGIN_RATE_LIMIT=off",
	"REGSTACK_PASSWORD_HASH_MAX_WAIT_MS=30000",
	"REGSTACK_PASSWORD_HASH_MAX_QUEUE=1000",
}, cheapHashEnv...)

// Shape of one sign-in race: raceWaves waves of raceWaveSize sign-ins with
// the old password, the first released before the password change, the
// second together with it, the third while it runs; raceRounds rounds per
// backend, each on a fresh account. Before the fix the audit saw 3 of 17
// such sign-ins outlive the change.
const (
	raceRounds   = 8
	raceWaves    = 3
	raceWaveSize = 8
)

// TestLiveLoginRacesPasswordChange: sign-ins with the old password that run
// while POST /change-password changes it must not leave a working session.
// Every session token any of them got is refused by GET /me once the
// change has answered, whether the sign-in finished before the change was
// sent, overlapped it or came after it.
func TestLiveLoginRacesPasswordChange(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			skipLostUpdates(t, backend)
			loginRaces(t, backend, "change", func(t *testing.T, app *liveApp, sink *smtpsink.Server, email, oldPass, session string) (string, func() (response, error)) {
				const newPass = "changed-while-signing-in-2"
				return newPass, func() (response, error) {
					return app.send("POST", apiPrefix+"/change-password", session, nil,
						jsonBody(map[string]any{"current_password": oldPass, "new_password": newPass}))
				}
			})
		})
	}
}

// TestLiveLoginRacesPasswordReset is the same race against POST
// /reset-password, with the token from the reset mail.
func TestLiveLoginRacesPasswordReset(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			skipLostUpdates(t, backend)
			loginRaces(t, backend, "reset", func(t *testing.T, app *liveApp, sink *smtpsink.Server, email, oldPass, session string) (string, func() (response, error)) {
				const newPass = "reset-while-signing-in-3"
				if r := app.Do(t, "POST", apiPrefix+"/forgot-password", "", map[string]any{"email": email}); r.Status != http.StatusAccepted {
					t.Fatalf("forgot-password: %s", r)
				}
				token := linkToken(t, waitMail(t, sink, email), app.BaseURL, "/reset")
				return newPass, func() (response, error) {
					return app.send("POST", apiPrefix+"/reset-password", "", nil,
						jsonBody(map[string]any{"token": token, "new_password": newPass}))
				}
			})
		})
	}
}

// skipLostUpdates skips the sign-in races on the mongo backend. Its test
// server, FerretDB 1.x on SQLite, applies an update as a read of the
// matching documents followed by a write of each whole document by _id
// (handler/msg_update.go, backends/sqlite/collection.go UpdateAll), with
// nothing between them: two concurrent updates of one document can lose
// one. A sign-in's conditional RecordLogin that read the user just before
// the password change was written then writes the old document back, and
// the change is undone altogether (seen: change-password answers 200, yet
// the old password and the old sessions keep working and the new password
// does not). MongoDB applies an update to one document atomically, which
// the store relies on; what the races would test here is FerretDB.
func skipLostUpdates(t *testing.T, backend string) {
	t.Helper()
	if backend == "mongo" {
		t.Skip("FerretDB 1.x (the MongoDB test server) does not apply single-document updates atomically; see skipLostUpdates")
	}
}

// raceSetup prepares the password change of one round (it may fetch a
// reset link) and returns the new password and the request that changes
// it, to be sent while the sign-ins run.
type raceSetup func(t *testing.T, app *liveApp, sink *smtpsink.Server, email, oldPass, session string) (newPass string, change func() (response, error))

// raceStats counts one round's sign-ins.
type raceStats struct {
	ok         int // 200: a session token, which must be dead by now
	refused    int // 401 Invalid email or password.
	overlapped int // sign-ins that ran while the change was in flight
	caught     int // of those, refused although they started before the change answered
}

func (s *raceStats) add(o raceStats) {
	s.ok += o.ok
	s.refused += o.refused
	s.overlapped += o.overlapped
	s.caught += o.caught
}

func loginRaces(t *testing.T, backend, what string, setup raceSetup) {
	bin, host := starterApp(t, backend)
	sink := startSink(t)
	app := startApp(t, bin, host, appEnv(t, sink, backend, raceEnv...))
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: raceWaves*raceWaveSize + 4},
		Timeout:   60 * time.Second,
	}
	defer client.CloseIdleConnections()

	start := time.Now()
	var total raceStats
	rounds := 0
	for round := range raceRounds {
		rounds++
		email := fmt.Sprintf("race-%s-%d@example.com", what, round)
		const oldPass = "before-the-change-1"
		signUpVerified(t, app, sink, email, oldPass)
		// The session that changes the password, and a measure of how long
		// one sign-in takes on this machine, to time the waves by.
		t0 := time.Now()
		session := login(t, app, email, oldPass)
		lead := min(max(time.Since(t0), 5*time.Millisecond), 300*time.Millisecond)
		newPass, change := setup(t, app, sink, email, oldPass, session)

		st := loginRound(t, app, client, email, oldPass, lead, change)
		t.Logf("round %d: %d sign-ins with the old password: %d got a session, %d were refused; %d overlapped the %s, %d of those were refused",
			round, raceWaves*raceWaveSize, st.ok, st.refused, st.overlapped, what, st.caught)
		total.add(st)

		// The change took: the old session is gone, the new password works.
		wantDetail(t, "the session that predates the "+what, app.Do(t, "GET", apiPrefix+"/me", session, nil),
			http.StatusUnauthorized, "Invalid or expired token.")
		fresh := login(t, app, email, newPass)
		if r := app.Do(t, "GET", apiPrefix+"/me", fresh, nil); r.Status != http.StatusOK {
			t.Errorf("me with a session of the new password: %s", r)
		}
		if t.Failed() {
			break
		}
	}
	// The race must have been run, not just the rounds: some sign-ins must
	// have been in flight while the password changed.
	if total.overlapped == 0 && !t.Failed() {
		t.Errorf("no sign-in overlapped the %s in %d rounds: the test did not race", what, rounds)
	}
	if total.ok == 0 && !t.Failed() {
		t.Errorf("no sign-in with the old password got a session in %d rounds: the revocation was not exercised", rounds)
	}
	t.Logf("%s races on %s: %d rounds in %s; %d sessions issued with the old password (each checked with GET /me afterwards); %d sign-ins overlapped the %s, %d of those were refused",
		what, backend, rounds, time.Since(start).Round(time.Millisecond), total.ok, total.overlapped, what, total.caught)

	// What the races can only hit by luck, checked directly.
	checkLastLoginKeepsUp(t, app, client, sink, "burst-"+what+"@example.com")

	if errs := sink.ProtocolErrors(); len(errs) > 0 {
		t.Errorf("the app's SMTP client made protocol errors: %v", errs)
	}
}

// checkLastLoginKeepsUp signs in many times at once and checks that the
// account's last_login is then the latest of the sign-ins: the revocations
// (password change, reset) cut off sessions up to the later of their own
// time and last_login, which covers a sign-in recorded just before them
// only if last_login never moves back. Concurrent sign-ins can be recorded
// in another order than their tokens were issued in; a store that sets
// last_login to each one's time rather than the latest lets the earlier
// one, recorded last, hide the later one from the next revocation.
func checkLastLoginKeepsUp(t *testing.T, app *liveApp, client *http.Client, sink *smtpsink.Server, email string) {
	t.Helper()
	const pass = "many-at-once-1"
	signUpVerified(t, app, sink, email, pass)
	body := jsonBody(map[string]any{"email": email, "password": pass})
	for burst := range lastLoginBursts {
		tokens := make([]string, raceWaves*raceWaveSize)
		errs := make([]error, len(tokens))
		release := make(chan struct{})
		var wg sync.WaitGroup
		for i := range tokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-release
				r, err := sendWith(client, app.BaseURL, "POST", apiPrefix+"/login", "", nil, body)
				switch {
				case err != nil:
					errs[i] = err
				case r.Status != http.StatusOK:
					errs[i] = fmt.Errorf("login: %s", r)
				default:
					tokens[i], _ = r.JSON()["access_token"].(string)
				}
			}()
		}
		close(release)
		wg.Wait()
		var latest time.Time
		var latestToken string
		for i, tok := range tokens {
			if errs[i] != nil {
				t.Fatalf("burst %d, sign-in %d: %v", burst, i, errs[i])
			}
			if iat, ok := tokenIAT(tok); ok && iat.After(latest) {
				latest, latestToken = iat, tok
			}
		}
		if latestToken == "" {
			t.Fatalf("burst %d: no token with a readable iat", burst)
		}
		r := app.Do(t, "GET", apiPrefix+"/me", latestToken, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("burst %d: me: %s", burst, r)
		}
		s, _ := r.JSON()["last_login"].(string)
		last, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("burst %d: last_login %q: %v", burst, s, err)
		}
		if last.Before(latest) {
			t.Errorf("burst %d of %d concurrent sign-ins: last_login is %s, earlier than the latest sign-in's iat %s: a sign-in recorded out of order moved it back, and a password change now would not revoke that latest session",
				burst, len(tokens), last.Format("15:04:05.000000"), latest.Format("15:04:05.000000"))
		}
	}
}

// lastLoginBursts is how many bursts checkLastLoginKeepsUp sends.
const lastLoginBursts = 3

// loginAttempt is one sign-in of a race.
type loginAttempt struct {
	start, end time.Time
	r          response
	err        error
}

// loginRound runs one race: three waves of sign-ins with the old password
// around change, then checks every session they got against GET /me.
func loginRound(t *testing.T, app *liveApp, client *http.Client, email, oldPass string, lead time.Duration, change func() (response, error)) raceStats {
	t.Helper()
	body := jsonBody(map[string]any{"email": email, "password": oldPass})
	attempts := make([]loginAttempt, raceWaves*raceWaveSize)
	release := make([]chan struct{}, raceWaves)
	var wg sync.WaitGroup
	for w := range release {
		release[w] = make(chan struct{})
		for i := range raceWaveSize {
			wg.Add(1)
			go func(a *loginAttempt, released <-chan struct{}) {
				defer wg.Done()
				<-released
				a.start = time.Now()
				a.r, a.err = sendWith(client, app.BaseURL, "POST", apiPrefix+"/login", "", nil, body)
				a.end = time.Now()
			}(&attempts[w*raceWaveSize+i], release[w])
		}
	}

	// Wave 0 first: by the time the change is sent, some of it has signed
	// in and the rest waits for a hashing slot or is hashing, holding the
	// account as it was before the change. Wave 1 starts with the change,
	// wave 2 while it runs.
	close(release[0])
	time.Sleep(lead)
	var (
		changeResp response
		changeErr  error
		changeSent = time.Now()
		changeDone time.Time
		changed    = make(chan struct{})
	)
	close(release[1])
	go func() {
		changeResp, changeErr = change()
		changeDone = time.Now()
		close(changed)
	}()
	time.Sleep(lead / 2)
	close(release[2])
	<-changed
	wg.Wait()
	if changeErr != nil {
		t.Fatalf("the password change: %v", changeErr)
	}
	if changeResp.Status != http.StatusOK {
		t.Fatalf("the password change: %s, want 200", changeResp)
	}

	var st raceStats
	for i, a := range attempts {
		what := fmt.Sprintf("sign-in %d (wave %d, started %s %s the change was sent, answered %s after it was answered)",
			i, i/raceWaveSize, absDur(a.start.Sub(changeSent)), beforeAfter(a.start, changeSent), a.end.Sub(changeDone).Round(time.Microsecond))
		if a.err != nil {
			t.Errorf("%s: %v", what, a.err)
			continue
		}
		overlapped := a.start.Before(changeDone) && a.end.After(changeSent)
		if overlapped {
			st.overlapped++
		}
		switch a.r.Status {
		case http.StatusOK:
			st.ok++
			token, _ := a.r.JSON()["access_token"].(string)
			if token == "" {
				t.Errorf("%s: 200 without an access_token: %s", what, a.r)
				continue
			}
			if !a.start.Before(changeDone) {
				t.Errorf("%s: signed in with the old password after the change had answered: %s", what, a.r)
			}
			// The property: no session obtained with the old password
			// works once the change has answered.
			if r := app.Do(t, "GET", apiPrefix+"/me", token, nil); r.Status != http.StatusUnauthorized {
				t.Errorf("%s: its session (iat %s) works after the password change: GET /me %s, want 401", what, tokenIssuedAt(token), r)
			}
		case http.StatusUnauthorized:
			st.refused++
			if d := a.r.JSON()["detail"]; d != "Invalid email or password." {
				t.Errorf("%s: %s, want 401 \"Invalid email or password.\"", what, a.r)
			}
			if overlapped {
				st.caught++
			}
		default:
			t.Errorf("%s: %s, want 200 or 401", what, a.r)
		}
	}
	return st
}

// tokenIssuedAt is the iat claim of a JWT, for failure messages.
func tokenIssuedAt(token string) string {
	iat, ok := tokenIAT(token)
	if !ok {
		return "?"
	}
	return iat.Format("15:04:05.000000")
}

// tokenIAT reads the iat claim (seconds with microseconds) of a JWT
// without checking it.
func tokenIAT(token string) (time.Time, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}, false
	}
	var claims struct {
		IAT json.Number `json:"iat"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return time.Time{}, false
	}
	sec, frac, _ := strings.Cut(claims.IAT.String(), ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || len(frac) > 6 {
		return time.Time{}, false
	}
	us := int64(0)
	if frac != "" {
		if us, err = strconv.ParseInt((frac + "000000")[:6], 10, 64); err != nil {
			return time.Time{}, false
		}
	}
	return time.Unix(s, us*1000).UTC(), true
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		d = -d
	}
	return d.Round(time.Microsecond)
}

func beforeAfter(t, ref time.Time) string {
	if t.Before(ref) {
		return "before"
	}
	return "after"
}

// TestLiveRegistrationCannotBeHijacked: an attacker who registers the
// victim's address (before or after the victim, with a password of their
// own) must not end up knowing the password of the account the victim's
// click creates. Two registrations with different passwords make the
// address contested: following either emailed link creates the verified
// account without a password and mails a link to choose one.
func TestLiveRegistrationCannotBeHijacked(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			bin, host := starterApp(t, backend)
			sink := startSink(t)
			// The starter's regstack.toml already says require_verification
			// = true (appEnv says it again).
			app := startApp(t, bin, host, appEnv(t, sink, backend, cheapHashEnv...))
			n := 0
			for _, order := range []string{"attacker first", "victim first"} {
				for _, follow := range []string{"victim's link", "attacker's link"} {
					n++
					email := fmt.Sprintf("victim-%d@example.com", n)
					t.Run(order+", "+follow, func(t *testing.T) {
						contestedRegistration(t, app, sink, email, order == "attacker first", follow == "attacker's link")
					})
				}
			}
			t.Run("same password twice is not contested", func(t *testing.T) {
				const email, pass = "twice@example.com", "registered-twice-same-1"
				for i := range 2 {
					r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": email, "password": pass})
					if r.Status != http.StatusCreated || r.JSON()["status"] != "pending_verification" {
						t.Fatalf("registration %d: %s, want 201 pending_verification", i+1, r)
					}
				}
				first := linkToken(t, waitMail(t, sink, email), app.BaseURL, "/verify")
				second := linkToken(t, waitMail(t, sink, email), app.BaseURL, "/verify")
				if r := app.Do(t, "POST", apiPrefix+"/verify", "", map[string]any{"token": first}); r.Status != http.StatusBadRequest {
					t.Errorf("the first link after the second registration renewed it: %s, want 400", r)
				}
				if r := app.Do(t, "POST", apiPrefix+"/verify", "", map[string]any{"token": second}); r.Status != http.StatusOK {
					t.Fatalf("verify with the newest link: %s", r)
				}
				session := login(t, app, email, pass)
				if r := app.Do(t, "GET", apiPrefix+"/me", session, nil); r.Status != http.StatusOK {
					t.Errorf("me: %s", r)
				}
			})
			if errs := sink.ProtocolErrors(); len(errs) > 0 {
				t.Errorf("the app's SMTP client made protocol errors: %v", errs)
			}
		})
	}
}

func contestedRegistration(t *testing.T, app *liveApp, sink *smtpsink.Server, email string, attackerFirst, followAttackers bool) {
	const (
		attackerPass = "attacker-knows-this-1"
		victimPass   = "victim-chose-this-2"
		chosenPass   = "victim-set-by-mail-3"
	)
	register := func(who, pass string) string {
		r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": email, "password": pass, "full_name": who})
		if r.Status != http.StatusCreated || r.JSON()["status"] != "pending_verification" || r.JSON()["email"] != email {
			t.Fatalf("registration by the %s: %s, want 201 pending_verification", who, r)
		}
		return linkToken(t, waitMail(t, sink, email), app.BaseURL, "/verify")
	}
	var attackerLink, victimLink string
	if attackerFirst {
		attackerLink = register("attacker", attackerPass)
		victimLink = register("victim", victimPass)
	} else {
		victimLink = register("victim", victimPass)
		attackerLink = register("attacker", attackerPass)
	}
	if attackerLink == victimLink {
		t.Fatal("both registrations were mailed the same link")
	}
	follow, other := victimLink, attackerLink
	if followAttackers {
		follow, other = attackerLink, victimLink
	}

	// The mailbox owner clicks: the account exists and is verified.
	r := app.Do(t, "POST", apiPrefix+"/verify", "", map[string]any{"token": follow})
	if r.Status != http.StatusOK {
		t.Fatalf("verify: %s", r)
	}
	checkUserPublic(t, "verify", r, email)
	if v := r.JSON()["is_verified"]; v != true {
		t.Errorf("verify: is_verified = %v", v)
	}
	// Neither registration's name is kept: nobody can tell whose it was.
	if fn := r.JSON()["full_name"]; fn != nil {
		t.Errorf("verify: full_name = %v, want null for a contested address", fn)
	}
	// The other link died with it.
	if r := app.Do(t, "POST", apiPrefix+"/verify", "", map[string]any{"token": other}); r.Status != http.StatusBadRequest {
		t.Errorf("the other registration's link after the account was created: %s, want 400", r)
	}

	// Neither password signs in.
	for who, pass := range map[string]string{"attacker": attackerPass, "victim": victimPass} {
		wantDetail(t, "login with the "+who+"'s registration password",
			app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": pass}),
			http.StatusUnauthorized, "Invalid email or password.")
	}

	// The mailbox receives a link to choose a password; it works once.
	resetMail := waitMail(t, sink, email)
	checkMailShape(t, resetMail)
	token := linkToken(t, resetMail, app.BaseURL, "/reset")
	r = app.Do(t, "POST", apiPrefix+"/reset-password", "", map[string]any{"token": token, "new_password": chosenPass})
	if r.Status != http.StatusOK {
		t.Fatalf("reset-password with the mailed link: %s", r)
	}
	session := login(t, app, email, chosenPass)
	r = app.Do(t, "GET", apiPrefix+"/me", session, nil)
	if r.Status != http.StatusOK || r.JSON()["is_verified"] != true {
		t.Errorf("me with the chosen password: %s, want 200 and is_verified true", r)
	}
	for who, pass := range map[string]string{"attacker": attackerPass, "victim": victimPass} {
		wantDetail(t, "login with the "+who+"'s registration password after the password was chosen",
			app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": pass}),
			http.StatusUnauthorized, "Invalid email or password.")
	}
	// Two verification links and the set-password link; nothing else.
	if n := countMail(sink, email, ""); n != 3 {
		t.Errorf("%s received %d messages, want 3 (two verification links, one set-password link)", email, n)
	}
}

// TestLiveCrossSiteRequestsRefused: state-changing routes refuse what a
// browser marks as coming from another site (403), JSON routes refuse a
// body that is not declared as JSON (415), and an API client that sends
// neither browser header works.
func TestLiveCrossSiteRequestsRefused(t *testing.T) {
	bin, host := starterApp(t, "sqlite")
	sink := startSink(t)
	app := startApp(t, bin, host, appEnv(t, sink, "sqlite", cheapHashEnv...))
	jsonCT := http.Header{"Content-Type": {"application/json"}}
	with := func(h http.Header, kv ...string) http.Header {
		h = h.Clone()
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	const (
		email    = "browser@example.com"
		password = "cross-site-safe-1"
	)
	reg := jsonBody(map[string]any{"email": email, "password": password})
	do := func(method, path, token string, h http.Header, body string) response {
		t.Helper()
		r, err := app.send(method, path, token, h, body)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		return r
	}

	for _, c := range []struct {
		name string
		h    http.Header
	}{
		{"Sec-Fetch-Site: cross-site", with(jsonCT, "Sec-Fetch-Site", "cross-site")},
		{"Sec-Fetch-Site: same-site", with(jsonCT, "Sec-Fetch-Site", "same-site")},
		{"an Origin of another site", with(jsonCT, "Origin", "https://evil.example")},
		{"an Origin of another port", with(jsonCT, "Origin", "http://127.0.0.1:1")},
	} {
		for _, path := range []string{"/register", "/login"} {
			wantDetail(t, "POST "+path+" with "+c.name, do("POST", apiPrefix+path, "", c.h, reg),
				http.StatusForbidden, "Cross-origin request refused.")
		}
	}
	for _, c := range []struct {
		name string
		h    http.Header
	}{
		{"no Content-Type", http.Header{}},
		{"Content-Type: text/plain", http.Header{"Content-Type": {"text/plain"}}},
		{"Content-Type: application/x-www-form-urlencoded", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}},
		{"Content-Type: multipart/form-data", http.Header{"Content-Type": {"multipart/form-data; boundary=x"}}},
	} {
		for _, path := range []string{"/register", "/login"} {
			wantDetail(t, "POST "+path+" with "+c.name, do("POST", apiPrefix+path, "", c.h, reg),
				http.StatusUnsupportedMediaType, "Unsupported Media Type")
		}
	}
	// None of the refused registrations got as far as the store: no link
	// was mailed (a background mail of one of them would arrive before the
	// one below).

	// An API client (no Origin, no Sec-Fetch-Site) registers.
	r := do("POST", apiPrefix+"/register", "", jsonCT, reg)
	if r.Status != http.StatusCreated || r.JSON()["status"] != "pending_verification" {
		t.Fatalf("register from an API client: %s, want 201 pending_verification", r)
	}
	verify := linkToken(t, waitMail(t, sink, email), app.BaseURL, "/verify")
	if n := countMail(sink, email, ""); n != 1 {
		t.Errorf("%s received %d messages, want 1: a refused registration mailed a link", email, n)
	}
	// A browser on the app's own origin works too.
	r = do("POST", apiPrefix+"/verify", "", with(jsonCT, "Sec-Fetch-Site", "same-origin", "Origin", app.BaseURL), jsonBody(map[string]any{"token": verify}))
	if r.Status != http.StatusOK {
		t.Fatalf("verify from the app's own origin: %s, want 200", r)
	}
	r = do("POST", apiPrefix+"/login", "", with(jsonCT, "Origin", app.BaseURL), jsonBody(map[string]any{"email": email, "password": password}))
	if r.Status != http.StatusOK {
		t.Fatalf("login with the app's own Origin: %s, want 200", r)
	}
	token, _ := r.JSON()["access_token"].(string)

	// Reads are not state-changing: a cross-site GET is answered.
	if r := do("GET", apiPrefix+"/me", token, http.Header{"Sec-Fetch-Site": {"cross-site"}}, ""); r.Status != http.StatusOK {
		t.Errorf("GET /me with Sec-Fetch-Site: cross-site: %s, want 200", r)
	}
	// A cross-site logout or password change is refused and changes nothing.
	wantDetail(t, "cross-site logout", do("POST", apiPrefix+"/logout", token, http.Header{"Sec-Fetch-Site": {"cross-site"}}, ""),
		http.StatusForbidden, "Cross-origin request refused.")
	wantDetail(t, "cross-site change-password",
		do("POST", apiPrefix+"/change-password", token, with(jsonCT, "Sec-Fetch-Site", "cross-site"),
			jsonBody(map[string]any{"current_password": password, "new_password": "attacker-chose-this-9"})),
		http.StatusForbidden, "Cross-origin request refused.")
	wantDetail(t, "cross-site delete-account",
		do("DELETE", apiPrefix+"/account", token, with(jsonCT, "Origin", "https://evil.example"),
			jsonBody(map[string]any{"current_password": password})),
		http.StatusForbidden, "Cross-origin request refused.")
	if r := do("GET", apiPrefix+"/me", token, nil, ""); r.Status != http.StatusOK {
		t.Errorf("me after the refused cross-site requests: %s, want 200 (still signed in)", r)
	}
	login(t, app, email, password) // the password did not change
}

// TestLiveCurrentPasswordLockout: wrong current passwords on
// /change-password count toward the login lockout. With the starter's
// defaults (login_lockout_threshold 5) five get 400, the sixth 429 with
// Retry-After, the right password is refused too while it lasts, and the
// owner is mailed a notice.
func TestLiveCurrentPasswordLockout(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			bin, host := starterApp(t, backend)
			sink := startSink(t)
			app := startApp(t, bin, host, appEnv(t, sink, backend, cheapHashEnv...))
			const (
				email    = "stolen-session@example.com"
				password = "owner-knows-this-1"
				window   = 900 // the starter's login_lockout_window_seconds
			)
			signUpVerified(t, app, sink, email, password)
			session := login(t, app, email, password)
			change := func(current string) response {
				return app.Do(t, "POST", apiPrefix+"/change-password", session, map[string]any{"current_password": current, "new_password": "thief-wants-this-9"})
			}
			for i := 1; i <= 5; i++ {
				wantDetail(t, fmt.Sprintf("wrong current password %d", i), change(fmt.Sprintf("guess-number-%d", i)),
					http.StatusBadRequest, "Current password is incorrect.")
			}
			checkLocked := func(what string, r response) {
				t.Helper()
				if r.Status != http.StatusTooManyRequests {
					t.Errorf("%s: %s, want 429", what, r)
					return
				}
				ra, err := strconv.Atoi(r.Header.Get("Retry-After"))
				if err != nil || ra < 1 || ra > window {
					t.Errorf("%s: Retry-After = %q, want seconds in 1..%d", what, r.Header.Get("Retry-After"), window)
				}
			}
			checkLocked("wrong current password 6", change("guess-number-6"))
			checkLocked("the right current password while locked", change(password))
			checkLocked("login with the right password while locked",
				app.Do(t, "POST", apiPrefix+"/login", "", map[string]any{"email": email, "password": password}))

			notice := waitMail(t, sink, email)
			checkMailShape(t, notice)
			if !strings.Contains(strings.ToLower(notice.Subject), "wrong password") {
				t.Errorf("mail after the lockout: subject %q, want a lockout notice (\"wrong password\")", notice.Subject)
			}
			if n := countMail(sink, email, "wrong password"); n != 1 {
				t.Errorf("%d lockout notices, want 1", n)
			}
			// Nothing changed: the session still works and the password is
			// the owner's (checked through the session, the lockout refuses
			// sign-ins).
			if r := app.Do(t, "GET", apiPrefix+"/me", session, nil); r.Status != http.StatusOK {
				t.Errorf("me after the lockout: %s, want 200", r)
			}
			if errs := sink.ProtocolErrors(); len(errs) > 0 {
				t.Errorf("the app's SMTP client made protocol errors: %v", errs)
			}
		})
	}
}

// signUpVerified registers email with password and follows the emailed
// verification link.
func signUpVerified(t *testing.T, app *liveApp, sink *smtpsink.Server, email, password string) {
	t.Helper()
	r := app.Do(t, "POST", apiPrefix+"/register", "", map[string]any{"email": email, "password": password})
	if r.Status != http.StatusCreated || r.JSON()["status"] != "pending_verification" {
		t.Fatalf("register %s: %s, want 201 pending_verification", email, r)
	}
	token := linkToken(t, waitMail(t, sink, email), app.BaseURL, "/verify")
	if r := app.Do(t, "POST", apiPrefix+"/verify", "", map[string]any{"token": token}); r.Status != http.StatusOK {
		t.Fatalf("verify %s: %s", email, r)
	}
}

// countMail counts the messages the sink accepted for rcpt whose subject
// contains subject (case-insensitively; "" counts every one).
func countMail(sink *smtpsink.Server, rcpt, subject string) int {
	n := 0
	for _, m := range sink.Messages() {
		for _, to := range m.EnvelopeTo {
			if strings.EqualFold(to, rcpt) && strings.Contains(strings.ToLower(m.Subject), strings.ToLower(subject)) {
				n++
				break
			}
		}
	}
	return n
}

func jsonBody(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// send is Do with the headers given exactly (no Content-Type is added) and
// without a testing.TB, so goroutines may call it.
func (a *liveApp) send(method, path, token string, h http.Header, body string) (response, error) {
	return sendWith(a.Client, a.BaseURL, method, path, token, h, body)
}

func sendWith(c *http.Client, base, method, path, token string, h http.Header, body string) (response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		return response{}, err
	}
	for k, v := range h {
		req.Header[k] = append([]string(nil), v...)
	}
	if h == nil && body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, fmt.Errorf("%s %s: reading body: %w", method, path, err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: bytes.Clone(raw)}, nil
}
