package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/regstack/regstack/e2e/internal/smtpsink"
)

// Settings of the app under soak. Everything else keeps the starter's
// defaults: the login lockout (5 failures in 15 min), every per-route rate
// limit, and password hashing (argon2id 64 MiB, 3 passes, 4 lanes, 4 at a
// time, 2 s queue).
const (
	// purgeInterval is the shortest allowed, so the purge runs during the
	// load and once after it.
	purgeInterval = 60 * time.Second
	// tokenTTL is the shortest allowed lifetime of sessions and of the
	// verification and reset links, so their rows expire within the run.
	tokenTTL = 60 * time.Second
)

func appSettings(dbURL string, sink *smtpsink.Server) []string {
	ttl := strconv.Itoa(int(tokenTTL / time.Second))
	return []string{
		"REGSTACK_DATABASE_URL=" + dbURL,
		"REGSTACK_JWT_SECRET=" + randomAlnum(64),
		"REGSTACK_EMAIL__BACKEND=smtp",
		"REGSTACK_EMAIL__SMTP_HOST=127.0.0.1",
		"REGSTACK_EMAIL__SMTP_PORT=" + strconv.Itoa(sink.Port()),
		"REGSTACK_EMAIL__SMTP_STARTTLS=false",
		"REGSTACK_EMAIL__FROM_ADDRESS=soak@example.com",
		"REGSTACK_REQUIRE_VERIFICATION=true",
		// All load comes from 127.0.0.1; believing its X-Forwarded-For
		// makes each virtual user its own client, as behind a load
		// balancer, so the per-address limits apply per user.
		"REGSTACK_TRUSTED_PROXIES=127.0.0.1/32",
		"REGSTACK_PURGE_INTERVAL_SECONDS=" + strconv.Itoa(int(purgeInterval/time.Second)),
		"REGSTACK_JWT_TTL_SECONDS=" + ttl,
		"REGSTACK_VERIFICATION_TOKEN_TTL_SECONDS=" + ttl,
		"REGSTACK_PASSWORD_RESET_TOKEN_TTL_SECONDS=" + ttl,
		"REGSTACK_EMAIL_CHANGE_TOKEN_TTL_SECONDS=" + ttl,
	}
}

// runBackend soaks the starter app on one backend and returns the figures.
func runBackend(ctx context.Context, o options, backend string) (*result, error) {
	dir, err := os.MkdirTemp("", "regstack-soak-"+backend+"-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if o.keep {
			fmt.Printf("soak: kept %s\n", dir)
			return
		}
		os.RemoveAll(dir)
	}()

	step := func(what string) { fmt.Printf("[%s] %s\n", backend, what) }
	step("generating and building the starter app")
	bin, host, err := buildStarter(ctx, o.regstack, backend, dir)
	if err != nil {
		return nil, err
	}
	step("starting the database and the SMTP sink")
	db, err := startDatabase(ctx, backend, dir, o.ferretBin)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	sink, err := smtpsink.Start()
	if err != nil {
		return nil, err
	}
	defer sink.Close()

	app, err := startApp(ctx, bin, host, appSettings(db.URL, sink))
	if err != nil {
		return nil, err
	}
	defer func() {
		if app.Alive() {
			app.Stop()
		}
		if o.keep {
			os.WriteFile(dir+"/app.log", []byte(app.Output()), 0o644)
		}
	}()

	s := &soak{
		opts: o, backend: backend, app: app, db: db, sink: sink,
		res: &result{Backend: backend, Duration: o.duration.String(), Clients: o.clients, Rows: map[string]map[string]int64{}},
	}
	printHeader(o, backend)
	if err := s.run(ctx); err != nil {
		return nil, err
	}
	s.res.AppExit = "0"
	if err := app.Stop(); err != nil {
		s.res.AppExit = err.Error()
	}
	s.scanLog()
	s.judge()
	s.printSummary()
	return s.res, nil
}

// soak is one backend's run in progress.
type soak struct {
	opts    options
	backend string
	app     *appProcess
	db      *database
	sink    *smtpsink.Server
	load    *load
	res     *result
	peak    map[string]int64
}

func (s *soak) run(ctx context.Context) error {
	var err error
	if s.res.Idle0, err = s.app.Stats(true); err != nil {
		return err
	}
	s.rows("before")
	s.load = &load{
		baseURL: s.app.BaseURL,
		client: &http.Client{
			Timeout:   60 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: 2 * s.opts.clients},
		},
		sink:   s.sink,
		rec:    newRecorder(),
		accs:   &accounts{},
		counts: &loadCounts{},
		runTag: strings.ToLower(randomAlnum(6)),
		think:  s.opts.think,
	}
	if err := s.drive(ctx); err != nil {
		return err
	}
	loadEnd := time.Now()
	s.load.client.CloseIdleConnections()
	time.Sleep(3 * time.Second) // let the server notice the closed connections
	if s.res.Idle1, err = s.app.Stats(true); err != nil {
		return err
	}
	if s.res.Idle1.Goroutines > s.res.Idle0.Goroutines+idleGoroutineSlack {
		s.res.GoroutineProfile = head(s.app.Goroutines(), 80)
	}
	if err := s.waitForPurge(ctx, loadEnd); err != nil {
		return err
	}
	s.finalSignIn(ctx)
	s.rows("final")
	return ctx.Err()
}

// drive runs the virtual users for the duration, printing a report every
// interval, and stops them.
func (s *soak) drive(ctx context.Context) error {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range s.opts.clients {
		v := &vu{load: s.load, id: i, ip: clientIP(1, i), stop: stop, rng: rand.New(rand.NewPCG(uint64(i), uint64(time.Now().UnixNano())))}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v.run(ctx)
		}()
	}
	start := time.Now()
	warm := time.NewTimer(s.opts.warmup)
	end := time.NewTimer(s.opts.duration)
	tick := time.NewTicker(s.opts.reportEvery)
	defer tick.Stop()
	var err error
loop:
	for {
		select {
		case <-ctx.Done():
			err = ctx.Err()
			break loop
		case <-warm.C:
			s.res.Start, _ = s.app.Stats(false)
			s.rows("start")
			fmt.Printf("[%s] warm-up over after %s: %s\n", s.backend, s.opts.warmup, s.res.Start)
		case <-tick.C:
			s.report(time.Since(start))
		case <-end.C:
			s.res.End, _ = s.app.Stats(false)
			s.rows("end")
			break loop
		}
		if !s.app.Alive() {
			err = fmt.Errorf("the app exited during the load (%v):\n%s", s.app.exitErr, tail(s.app.Output(), 40))
			break loop
		}
	}
	close(stop)
	wg.Wait() // each user waits for the answer to its request in flight
	s.report(time.Since(start))
	return err
}

// report prints the interval's per-route figures and the app's state.
func (s *soak) report(elapsed time.Duration) {
	st, err := s.app.Stats(false)
	if err != nil {
		fmt.Printf("[%s] stats: %v\n", s.backend, err)
	}
	s.res.Samples = append(s.res.Samples, sample{Elapsed: elapsed.Round(time.Second).String(), Stats: st})
	fmt.Printf("[%s] t=%s %s\n", s.backend, elapsed.Round(time.Second), st)
	printRoutes(s.load.rec.takeInterval())
	s.rows("")
}

// rows counts every table; label "" only updates the peak.
func (s *soak) rows(label string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	counts, err := s.db.Counts(ctx)
	if err != nil {
		fmt.Printf("[%s] row counts: %v\n", s.backend, err)
		return
	}
	if s.peak == nil {
		s.peak = map[string]int64{}
	}
	for t, n := range counts {
		s.peak[t] = max(s.peak[t], n)
	}
	s.res.Rows["peak"] = s.peak
	if label != "" {
		s.res.Rows[label] = counts
	}
	fmt.Printf("    rows %-10s %s\n", label, rowLine(counts))
}

// expiring reports whether a table holds only rows that expire with the
// token TTLs (pending registrations, account tokens, revoked sessions).
func expiring(table string) bool {
	return strings.Contains(table, "pending") || strings.Contains(table, "token")
}

// waitForPurge polls the row counts until every expiring table is empty:
// all their rows are older than tokenTTL one TTL after the load, and the
// purge runs every purgeInterval ±10 %. Failing to get there in time is a
// finding (judge), not an error.
func (s *soak) waitForPurge(ctx context.Context, loadEnd time.Time) error {
	deadline := loadEnd.Add(tokenTTL + purgeInterval*11/10 + 15*time.Second)
	fmt.Printf("[%s] waiting for the purge (until %s at most)\n", s.backend, time.Until(deadline).Round(time.Second))
	for {
		counts, err := s.db.Counts(ctx)
		if err == nil && allExpiredGone(counts) || time.Now().After(deadline) {
			s.res.PurgeWait = time.Since(loadEnd).Round(time.Second).String()
			s.rows("after_purge")
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Second):
		}
	}
}

func allExpiredGone(counts map[string]int64) bool {
	for t, n := range counts {
		if expiring(t) && n > 0 {
			return false
		}
	}
	return true
}

// finalSignIn signs in with every verified account and its current
// password, four at a time (the app hashes four passwords at once), each
// from an address of its own so the per-address limits do not refuse it.
func (s *soak) finalSignIn(ctx context.Context) {
	accs := s.load.accs.snapshot()
	fmt.Printf("[%s] signing in with all %d verified accounts\n", s.backend, len(accs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if !s.signIn(ctx, i, accs[i]) {
					mu.Lock()
					s.res.SignInFailed = append(s.res.SignInFailed, accs[i].Email)
					mu.Unlock()
				}
			}
		}()
	}
	for i := range accs {
		next <- i
	}
	close(next)
	wg.Wait()
	s.res.Accounts = len(accs)
	printRoutes(s.load.rec.takeInterval())
}

// signIn tries the account's password (and the alternative, if a change's
// outcome was unknown), waiting out a 503 a few times.
func (s *soak) signIn(ctx context.Context, i int, acc account) bool {
	ip := clientIP(100, i)
	for _, pw := range []string{acc.Password, acc.Alt} {
		if pw == "" {
			continue
		}
		body := []byte(fmt.Sprintf(`{"email":%q,"password":%q}`, acc.Email, pw))
		for range 4 {
			r, retry := sendAs(ctx, s.load, ip, "final POST /login", "POST", "/login", "", body)
			if r.status == http.StatusOK {
				return true
			}
			if r.status != http.StatusServiceUnavailable {
				if pw == acc.Password || acc.Alt == "" {
					s.load.rec.unexpected("final POST /login", r.status, r.body)
				}
				break
			}
			time.Sleep(retry)
		}
	}
	return false
}

var logMsg = regexp.MustCompile(`level=(WARN|ERROR) msg=("(?:[^"\\]|\\.)*"|\S+)`)

// scanLog counts the app's warnings and errors by message, and keeps the
// error and panic lines themselves as evidence.
func (s *soak) scanLog() {
	s.res.LogMessages = map[string]int{}
	for _, line := range strings.Split(s.app.Output(), "\n") {
		if m := logMsg.FindStringSubmatch(line); m != nil {
			s.res.LogMessages[m[1]+" "+m[2]]++
		}
		switch {
		case strings.Contains(line, "panic"):
			s.res.LogPanics++
			s.res.LogErrorLines = appendCapped(s.res.LogErrorLines, line)
		case strings.Contains(line, "level=ERROR"):
			s.res.LogErrors++
			s.res.LogErrorLines = appendCapped(s.res.LogErrorLines, line)
		case strings.Contains(line, "level=WARN"):
			s.res.LogWarnings++
		}
	}
}

func appendCapped(list []string, s string) []string {
	if len(list) >= 20 {
		return list
	}
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return append(list, s)
}
