// Command floor measures the generated starter app against the floor of
// what its two hottest requests cost (bench/me.sh runs it; issue 14 §1):
//
//   - GET /me against a baseline, a minimal net/http program (baseline.go)
//     doing the same work over the same database: HS256 verify with the
//     purpose key derived once, one query for the user and the logout
//     together, the bulk-revocation cutoff, the same JSON. Prints
//     me_ratio = app / baseline throughput. A second baseline checks the
//     token with golang-jwt, the app's library, instead of by hand:
//     me_ratio_golang_jwt = app / that one.
//   - POST /login against the raw rate of argon2.IDKey with the app's
//     parameters at the same concurrency. Prints login_ratio.
//
// Both sides are driven by the same closed-loop load generator (fixed
// concurrency, warm-up, RUNS runs, median), alternating app and baseline
// so a neighbour's load hits both alike.
//
//	floor run -app BIN -host DIR [-backend sqlite|postgres -db URL]
//	floor serve -db PATH|URL -addr ADDR     (the baseline; run by floor run)
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: floor run|serve [flags]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "serve":
		serve(os.Args[2:])
	case "run":
		run(os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, "usage: floor run|serve [flags]")
		os.Exit(2)
	}
}

const prefix = "/api/auth"

type config struct {
	app, host, backend, db string
	conc, loginConc, runs  int
	dur, warm, loginDur    time.Duration
	memKiB, timeCost, par  int
}

func run(args []string) {
	var c config
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	fs.StringVar(&c.app, "app", "", "the built starter app")
	fs.StringVar(&c.host, "host", "", "the generated host folder (the app's working directory)")
	fs.StringVar(&c.backend, "backend", "sqlite", "sqlite or postgres")
	fs.StringVar(&c.db, "db", "", "postgres: the database URL (sqlite: a file in a temporary folder)")
	fs.IntVar(&c.conc, "c", 8, "GET /me concurrency")
	fs.IntVar(&c.loginConc, "login-c", 4, "login concurrency (and argon2 goroutines)")
	fs.IntVar(&c.runs, "runs", 3, "runs per side; the median is reported")
	fs.DurationVar(&c.dur, "d", 3*time.Second, "GET /me: measured time per run")
	fs.DurationVar(&c.warm, "warm", time.Second, "warm-up before each run")
	fs.DurationVar(&c.loginDur, "login-d", 4*time.Second, "login: measured time per run")
	fs.IntVar(&c.memKiB, "argon2-m", 65536, "password_hash_memory_kib")
	fs.IntVar(&c.timeCost, "argon2-t", 3, "password_hash_time_cost")
	fs.IntVar(&c.par, "argon2-p", 4, "password_hash_parallelism")
	_ = fs.Parse(args)
	if c.app == "" || c.host == "" {
		log.Fatal("floor run: -app and -host are required")
	}

	work, err := os.MkdirTemp("", "floor")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)
	secret := randomText(64)
	appURL, baseDB := "", ""
	switch c.backend {
	case "sqlite":
		path := filepath.Join(work, "bench.db")
		appURL, baseDB = "sqlite:///"+path, path
	case "postgres":
		if c.db == "" {
			log.Fatal("floor run: -backend postgres needs -db")
		}
		appURL, baseDB = c.db, c.db
	default:
		log.Fatalf("floor run: unknown backend %q", c.backend)
	}

	appAddr := freeAddr()
	app := start(c.app, c.host, filepath.Join(work, "app.log"), []string{
		"ADDR=" + appAddr,
		"REGSTACK_BASE_URL=http://" + appAddr,
		"REGSTACK_DATABASE_URL=" + appURL,
		"REGSTACK_JWT_SECRET=" + secret,
		"REGSTACK_REQUIRE_VERIFICATION=false",
		"REGSTACK_RATE_LIMIT_DISABLED=true",
		"REGSTACK_PASSWORD_HASH_MEMORY_KIB=" + strconv.Itoa(c.memKiB),
		"REGSTACK_PASSWORD_HASH_TIME_COST=" + strconv.Itoa(c.timeCost),
		"REGSTACK_PASSWORD_HASH_PARALLELISM=" + strconv.Itoa(c.par),
		"REGSTACK_PASSWORD_HASH_MAX_CONCURRENT=" + strconv.Itoa(c.loginConc),
	})
	defer stop(app)
	appBase := "http://" + appAddr + prefix
	waitReady(appBase+"/health/ready", app, filepath.Join(work, "app.log"))

	// One account and one session.
	email := "floor-" + randomText(8) + "@example.com"
	const password = "floor-bench-password-1"
	creds, _ := json.Marshal(map[string]string{"email": email, "password": password})
	if code, body := post(appBase+"/register", creds); code/100 != 2 {
		log.Fatalf("register: %d %s", code, body)
	}
	code, body := post(appBase+"/login", creds)
	if code != http.StatusOK {
		log.Fatalf("login: %d %s", code, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		log.Fatalf("login answer: %s", body)
	}

	var stops []*exec.Cmd
	self, err := os.Executable()
	if err != nil {
		log.Fatal(err)
	}
	// Two baselines: one checks the token by hand (the floor), the other
	// with golang-jwt, the library the app uses, which shows how much of
	// the gap is the library's.
	baseline := func(name string, flags ...string) string {
		addr := freeAddr()
		logPath := filepath.Join(work, name+".log")
		p := start(self, work, logPath, []string{"FLOOR_JWT_SECRET=" + secret},
			append([]string{"serve", "-addr", addr, "-db", baseDB, "-prefix", prefix}, flags...)...)
		stops = append(stops, p)
		url := "http://" + addr + prefix
		waitReady(url+"/health/ready", p, logPath)
		return url
	}
	defer func() {
		for _, p := range stops {
			stop(p)
		}
	}()
	baseBase := baseline("baseline")
	libBase := baseline("baseline-golang-jwt", "-golang-jwt")

	// All must answer the same bytes, or the comparison means nothing.
	meApp := get(appBase+"/me", tok.AccessToken)
	for _, url := range []string{baseBase, libBase} {
		if meBase := get(url+"/me", tok.AccessToken); !bytes.Equal(meApp, meBase) {
			log.Fatalf("GET /me differs:\n app:      %s\n baseline: %s", meApp, meBase)
		}
	}

	fmt.Printf("backend=%s concurrency=%d runs=%d duration=%v warmup=%v GOMAXPROCS(app)=default\n",
		c.backend, c.conc, c.runs, c.dur, c.warm)
	var appRuns, baseRuns, libRuns []result
	for range c.runs {
		appRuns = append(appRuns, load(c, meRequest(appBase+"/me", tok.AccessToken), c.conc, c.dur))
		baseRuns = append(baseRuns, load(c, meRequest(baseBase+"/me", tok.AccessToken), c.conc, c.dur))
		libRuns = append(libRuns, load(c, meRequest(libBase+"/me", tok.AccessToken), c.conc, c.dur))
	}
	a, b, l := median(appRuns), median(baseRuns), median(libRuns)
	fmt.Printf("me_app      %8.0f req/s  p50 %v  p99 %v  (runs %s)\n", a.rate, a.p50, a.p99, rates(appRuns))
	fmt.Printf("me_baseline %8.0f req/s  p50 %v  p99 %v  (runs %s)\n", b.rate, b.p50, b.p99, rates(baseRuns))
	fmt.Printf("me_baseline_golang_jwt %8.0f req/s  p50 %v  p99 %v  (runs %s)\n", l.rate, l.p50, l.p99, rates(libRuns))
	fmt.Printf("me_ratio=%.3f\n", a.rate/b.rate)
	fmt.Printf("me_ratio_golang_jwt=%.3f\n", a.rate/l.rate)

	// Login: the app's logins/s against argon2.IDKey's rate.
	loginReq := func() (*http.Request, error) {
		r, err := http.NewRequest(http.MethodPost, appBase+"/login", bytes.NewReader(creds))
		if err == nil {
			r.Header.Set("Content-Type", "application/json")
		}
		return r, err
	}
	lc := c
	lc.warm = 0
	var loginRuns, hashRuns []result
	_ = load(lc, loginReq, c.loginConc, time.Second) // warm-up
	for range c.runs {
		loginRuns = append(loginRuns, closedRate(load(lc, loginReq, c.loginConc, c.loginDur), c.loginConc))
		hashRuns = append(hashRuns, closedRate(hashLoad(c), c.loginConc))
	}
	l, h := median(loginRuns), median(hashRuns)
	// A login takes about as long as a hash, so a run of a few seconds
	// completes only a few per worker, and counting completions in the
	// window is coarse. Both rates are therefore Little's law over the
	// completed ones: workers / mean time per login (per hash).
	fmt.Printf("login_app   %8.2f /s     p50 %v  p99 %v  (runs %s)\n", l.rate, l.p50, l.p99, rates(loginRuns))
	fmt.Printf("argon2      %8.2f /s     p50 %v  p99 %v  (runs %s; m=%d KiB t=%d p=%d, %d goroutines)\n",
		h.rate, h.p50, h.p99, rates(hashRuns), c.memKiB, c.timeCost, c.par, c.loginConc)
	fmt.Printf("login_ratio=%.3f\n", l.rate/h.rate)
}

type result struct {
	rate     float64 // completed per second
	p50, p99 time.Duration
	mean     time.Duration
	errors   int64
}

// closedRate replaces r's rate by Little's law for a closed loop without
// think time: workers / mean latency.
func closedRate(r result, workers int) result {
	if r.mean > 0 {
		r.rate = float64(workers) / r.mean.Seconds()
	}
	return r
}

func median(rs []result) result {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b result) int {
		switch {
		case a.rate < b.rate:
			return -1
		case a.rate > b.rate:
			return 1
		}
		return 0
	})
	return s[len(s)/2]
}

func rates(rs []result) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += " "
		}
		out += strconv.FormatFloat(r.rate, 'f', 1, 64)
		if r.errors > 0 {
			out += fmt.Sprintf("(%d errors)", r.errors)
		}
	}
	return out
}

func meRequest(url, token string) func() (*http.Request, error) {
	return func() (*http.Request, error) {
		r, err := http.NewRequest(http.MethodGet, url, nil)
		if err == nil {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		return r, err
	}
}

var transport = &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 0, DisableCompression: true}
var client = &http.Client{Transport: transport, Timeout: 30 * time.Second}

// load runs conc workers in a closed loop: each sends a request, reads the
// whole answer, and sends the next. A warm-up of c.warm comes first and is
// not counted. Any answer but 200 counts as an error.
func load(c config, newReq func() (*http.Request, error), conc int, dur time.Duration) result {
	var (
		measuring atomic.Bool
		stopped   atomic.Bool
		errs      atomic.Int64
		mu        sync.Mutex
		lat       []time.Duration
		wg        sync.WaitGroup
	)
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, 4096)
			for !stopped.Load() {
				req, err := newReq()
				if err != nil {
					log.Fatal(err)
				}
				t := time.Now()
				resp, err := client.Do(req)
				ok := err == nil && resp.StatusCode == http.StatusOK
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				d := time.Since(t)
				if measuring.Load() && !stopped.Load() {
					if ok {
						mine = append(mine, d)
					} else {
						errs.Add(1)
					}
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	time.Sleep(c.warm)
	measuring.Store(true)
	start := time.Now()
	time.Sleep(dur)
	stopped.Store(true)
	elapsed := time.Since(start)
	wg.Wait()
	return summarize(lat, elapsed, errs.Load())
}

// hashLoad is the login floor: argon2.IDKey with the app's parameters in
// c.loginConc goroutines for c.loginDur.
func hashLoad(c config) result {
	var (
		stopped atomic.Bool
		mu      sync.Mutex
		lat     []time.Duration
		wg      sync.WaitGroup
	)
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	start := time.Now()
	for range c.loginConc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for !stopped.Load() {
				t := time.Now()
				_ = argon2.IDKey([]byte("floor-bench-password-1"), salt, uint32(c.timeCost), uint32(c.memKiB), uint8(c.par), 32)
				if !stopped.Load() {
					mine = append(mine, time.Since(t))
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	time.Sleep(c.loginDur)
	stopped.Store(true)
	elapsed := time.Since(start)
	wg.Wait()
	return summarize(lat, elapsed, 0)
}

func summarize(lat []time.Duration, elapsed time.Duration, errs int64) result {
	slices.Sort(lat)
	r := result{rate: float64(len(lat)) / elapsed.Seconds(), errors: errs}
	if len(lat) > 0 {
		var sum time.Duration
		for _, d := range lat {
			sum += d
		}
		r.mean = sum / time.Duration(len(lat))
		r.p50 = lat[len(lat)/2].Round(time.Microsecond)
		r.p99 = lat[min(len(lat)-1, len(lat)*99/100)].Round(time.Microsecond)
	}
	return r
}

func start(bin, dir, logPath string, env []string, args ...string) *exec.Cmd {
	out, err := os.Create(logPath)
	if err != nil {
		log.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		log.Fatal(err)
	}
	return cmd
}

func stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
	}
}

func waitReady(url string, cmd *exec.Cmd, logPath string) {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	out, _ := os.ReadFile(logPath)
	stop(cmd)
	log.Fatalf("%s not ready after 60 s; its output:\n%s", url, out)
}

func post(url string, body []byte) (int, []byte) {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func get(url, token string) []byte {
	req, _ := meRequest(url, token)()
	resp, err := client.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		log.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	return b
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func randomText(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
