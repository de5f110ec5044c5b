package e2e

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Parameters of the login flood: the 200 concurrent logins against
// the starter app with its default Argon2id cost (m = 64 MiB, t = 3, p = 4)
// and its default hashing limits (4 at a time, 8 waiting, 2 s wait), for
// floodDuration: all clients at once, then each signs in again as soon as
// it has its answer, after a 503 once its Retry-After (±50 %) has passed.
const (
	floodClients     = 200
	floodMemoryMiB   = 64
	floodConcurrent  = 4
	floodQueue       = 8
	floodMaxWaitMS   = 2000
	floodHeadroomMiB = 100
	floodDuration    = 10 * time.Second
)

// BenchmarkLoginFlood floods the starter app (a real process, sqlite) with
// floodClients clients signing in in a closed loop for floodDuration, and
// reports the status mix, the latencies of the admitted (200) and refused
// (503) logins and the process's peak resident memory (VmHWM). The
// issue's goals, reported as metrics and checked:
//
//   - peak RSS ≤ concurrent × memory cost + 100 MiB;
//   - admitted p99 ≤ 2 × one hash, where one hash is what a login costs
//     with every slot busy (floodConcurrent logins at once, the slowest of
//     them, measured in the same run: on a machine with fewer cores than
//     slots × lanes, concurrent hashes share the cores, so a lone login is
//     not what a slot holds under load; it is reported too);
//   - refused p99 ≤ 300 ms.
//
// It fails if a request neither succeeds nor gets 503 with Retry-After, or
// if the peak exceeds its bound. Run it with
//
//	cd e2e && go test -run '^$' -bench LoginFlood -benchtime 1x .
//
// Each iteration starts a fresh process, so VmHWM covers one flood.
// FLOOD_HOSTILE=1 makes the clients ignore Retry-After: on a 2-core machine
// the load generator's own 4,000 requests a second then take the cores the
// hashes need, so the admitted logins measure the machine, not the app.
// FLOOD_GOMEMLIMIT=300MiB runs the app with that GOMEMLIMIT, to compare: the
// Go collector otherwise lets the heap grow to about twice the live heap
// before it collects, and each Argon2id hash allocates a fresh 64 MiB.
func BenchmarkLoginFlood(b *testing.B) {
	bin, host := starterApp(b, "sqlite")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sink := startSink(b)
		env := []string{
			"REGSTACK_REQUIRE_VERIFICATION=false",
			"REGSTACK_RATE_LIMIT_DISABLED=true",
			"REGSTACK_PASSWORD_HASH_MEMORY_KIB=" + strconv.Itoa(floodMemoryMiB*1024),
			"REGSTACK_PASSWORD_HASH_MAX_CONCURRENT=" + strconv.Itoa(floodConcurrent),
			"REGSTACK_PASSWORD_HASH_MAX_QUEUE=" + strconv.Itoa(floodQueue),
			"REGSTACK_PASSWORD_HASH_MAX_WAIT_MS=" + strconv.Itoa(floodMaxWaitMS),
		}
		if limit := os.Getenv("FLOOD_GOMEMLIMIT"); limit != "" {
			env = append(env, "GOMEMLIMIT="+limit)
		}
		app := startApp(b, bin, host, appEnv(b, sink, "sqlite", env...))
		if r := app.Do(b, "POST", apiPrefix+"/register", "", map[string]any{"email": benchEmail, "password": benchPassword}); r.Status != http.StatusCreated {
			b.Fatalf("register: %s", r)
		}
		// For scale: what a login costs alone, and with every slot busy.
		alone := floodRound(b, app, 1)
		round := floodRound(b, app, floodConcurrent)
		pid := app.cmd.Process.Pid
		before := procStatusKiB(b, pid, "VmRSS")
		b.StartTimer()
		res := flood(app, floodDuration, os.Getenv("FLOOD_HOSTILE") != "")
		b.StopTimer()
		peak := procStatusKiB(b, pid, "VmHWM")
		res.report(b, before, peak, alone, round)
		if err := app.Stop(15 * time.Second); err != nil {
			b.Errorf("stopping the app: %v", err)
		}
	}
}

// floodRound signs in n times at once and returns the slowest login's
// time; the best of three rounds, so one slow moment of a shared machine
// does not set the scale.
func floodRound(b *testing.B, app *liveApp, n int) time.Duration {
	b.Helper()
	best := time.Duration(0)
	for range 3 {
		var (
			wg    sync.WaitGroup
			mu    sync.Mutex
			worst time.Duration
		)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				r := app.Do(b, "POST", apiPrefix+"/login", "", map[string]any{"email": benchEmail, "password": benchPassword})
				d := time.Since(t0)
				if r.Status != http.StatusOK {
					b.Errorf("login in a round of %d: %s", n, r)
				}
				mu.Lock()
				worst = max(worst, d)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if best == 0 || worst < best {
			best = worst
		}
	}
	return best
}

type floodResult struct {
	elapsed   time.Duration
	status    map[int]int
	ok, busy  []time.Duration // latencies of 200s and 503s
	noRetry   int             // 503s without Retry-After
	transport []error
}

// flood runs floodClients clients, released together, each signing in
// again as soon as it has an answer (after a 503's Retry-After unless
// hostile), until d has passed.
func flood(app *liveApp, d time.Duration, hostile bool) floodResult {
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: floodClients, MaxConnsPerHost: 0},
		Timeout:   60 * time.Second,
	}
	defer client.CloseIdleConnections()
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, benchEmail, benchPassword)
	res := floodResult{status: map[int]int{}}
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		start = make(chan struct{})
	)
	t0 := time.Now()
	deadline := t0.Add(d)
	for range floodClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for time.Now().Before(deadline) {
				retryAfter := res.add(&mu, client, app.BaseURL+apiPrefix+"/login", body)
				if !hostile && retryAfter > 0 {
					time.Sleep(retryAfter/2 + rand.N(retryAfter))
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	res.elapsed = time.Since(t0)
	return res
}

// add sends one login, records its answer and returns its Retry-After.
func (r *floodResult) add(mu *sync.Mutex, client *http.Client, url, body string) time.Duration {
	t0 := time.Now()
	resp, err := client.Post(url, "application/json", strings.NewReader(body))
	d := time.Since(t0)
	mu.Lock()
	defer mu.Unlock()
	if err != nil {
		r.transport = append(r.transport, err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	r.status[resp.StatusCode]++
	switch resp.StatusCode {
	case http.StatusOK:
		r.ok = append(r.ok, d)
	case http.StatusServiceUnavailable:
		r.busy = append(r.busy, d)
		seconds, err := strconv.Atoi(resp.Header.Get("Retry-After"))
		if err != nil || seconds < 1 {
			r.noRetry++
			return 0
		}
		return time.Duration(seconds) * time.Second
	}
	return 0
}

func (r floodResult) report(b *testing.B, beforeKiB, peakKiB int, alone, round time.Duration) {
	b.Helper()
	slices.Sort(r.ok)
	slices.Sort(r.busy)
	pct := func(l []time.Duration, p float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		return l[int(p*float64(len(l)-1))]
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	limitMiB := floodConcurrent*floodMemoryMiB + floodHeadroomMiB
	total := len(r.transport)
	for _, n := range r.status {
		total += n
	}
	b.ReportMetric(float64(peakKiB)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(r.status[http.StatusOK]), "200s")
	b.ReportMetric(float64(r.status[http.StatusServiceUnavailable]), "503s")
	b.ReportMetric(ms(round), "hash-ms")
	b.ReportMetric(ms(pct(r.ok, 0.99)), "200-p99-ms")
	b.ReportMetric(ms(pct(r.busy, 0.99)), "503-p99-ms")
	b.Logf("login flood: %d clients for %s: %d requests, status mix %v; transport errors %d",
		floodClients, r.elapsed.Round(time.Millisecond), total, r.status, len(r.transport))
	b.Logf("one login alone %s; one hash with every slot busy (%d logins at once) %s",
		alone.Round(time.Millisecond), floodConcurrent, round.Round(time.Millisecond))
	b.Logf("RSS before %.0f MiB, peak (VmHWM) %.0f MiB, bound %d MiB (%d × %d MiB + %d MiB)",
		float64(beforeKiB)/1024, float64(peakKiB)/1024, limitMiB, floodConcurrent, floodMemoryMiB, floodHeadroomMiB)
	b.Logf("200 latency p50 %s p99 %s max %s (goal p99 ≤ 2 × one hash = %s)",
		pct(r.ok, 0.5), pct(r.ok, 0.99), pct(r.ok, 1), 2*round)
	b.Logf("503 latency p50 %s p99 %s max %s (goal p99 ≤ 300ms)",
		pct(r.busy, 0.5), pct(r.busy, 0.99), pct(r.busy, 1))

	if peakKiB > limitMiB*1024 {
		b.Errorf("peak RSS %d KiB exceeds the bound of %d MiB", peakKiB, limitMiB)
	}
	if len(r.transport) > 0 {
		b.Errorf("%d requests failed in transport, e.g. %v", len(r.transport), r.transport[0])
	}
	if other := total - r.status[http.StatusOK] - r.status[http.StatusServiceUnavailable] - len(r.transport); other > 0 {
		b.Errorf("%d answers were neither 200 nor 503: %v", other, r.status)
	}
	if r.noRetry > 0 {
		b.Errorf("%d of the 503s lack Retry-After", r.noRetry)
	}
	if r.status[http.StatusOK] == 0 {
		b.Errorf("no login was admitted during the flood")
	}
}

// procStatusKiB reads a "kB" field (VmRSS, VmHWM) of /proc/<pid>/status.
func procStatusKiB(b *testing.B, pid int, field string) int {
	b.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skipf("no /proc on this system: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				b.Fatalf("%s: %v", field, err)
			}
			return n
		}
	}
	b.Fatalf("/proc/%d/status has no %s", pid, field)
	return 0
}
