package e2e

import (
	"bufio"
	"fmt"
	"io"
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
// and its default hashing limit (4 at a time, 2 s wait).
const (
	floodClients     = 200
	floodMemoryMiB   = 64
	floodConcurrent  = 4
	floodMaxWaitMS   = 2000
	floodHeadroomMiB = 100
)

// BenchmarkLoginFlood fires floodClients logins at once at the starter app
// (a real process, sqlite) and reports the status mix, latencies and the
// process's peak resident memory (VmHWM). It fails if the peak exceeds
// concurrent × memory cost + 100 MiB, if a request neither succeeds nor
// gets 503 with Retry-After, or if a 503 takes much longer than the
// configured wait. Run it with
//
//	cd e2e && go test -run '^$' -bench LoginFlood -benchtime 1x .
//
// Each iteration starts a fresh process, so VmHWM covers one flood.
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
			"REGSTACK_PASSWORD_HASH_MAX_WAIT_MS=" + strconv.Itoa(floodMaxWaitMS),
		}
		if limit := os.Getenv("FLOOD_GOMEMLIMIT"); limit != "" {
			env = append(env, "GOMEMLIMIT="+limit)
		}
		app := startApp(b, bin, host, appEnv(b, sink, "sqlite", env...))
		if r := app.Do(b, "POST", apiPrefix+"/register", "", map[string]any{"email": benchEmail, "password": benchPassword}); r.Status != http.StatusCreated {
			b.Fatalf("register: %s", r)
		}
		// One login alone, for scale: what a hash costs on this machine now.
		t0 := time.Now()
		if r := app.Do(b, "POST", apiPrefix+"/login", "", map[string]any{"email": benchEmail, "password": benchPassword}); r.Status != http.StatusOK {
			b.Fatalf("login: %s", r)
		}
		b.Logf("a single login alone took %s", time.Since(t0).Round(time.Millisecond))
		pid := app.cmd.Process.Pid
		before := procStatusKiB(b, pid, "VmRSS")
		b.StartTimer()
		res := flood(app)
		b.StopTimer()
		peak := procStatusKiB(b, pid, "VmHWM")
		res.report(b, before, peak)
		if err := app.Stop(15 * time.Second); err != nil {
			b.Errorf("stopping the app: %v", err)
		}
	}
}

type floodResult struct {
	elapsed   time.Duration
	status    map[int]int
	ok, busy  []time.Duration // latencies of 200s and 503s
	noRetry   int             // 503s without Retry-After
	transport []error
}

// flood sends floodClients logins, released together.
func flood(app *liveApp) floodResult {
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
	for range floodClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			t0 := time.Now()
			resp, err := client.Post(app.BaseURL+apiPrefix+"/login", "application/json", strings.NewReader(body))
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.transport = append(res.transport, err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			res.status[resp.StatusCode]++
			switch resp.StatusCode {
			case http.StatusOK:
				res.ok = append(res.ok, d)
			case http.StatusServiceUnavailable:
				res.busy = append(res.busy, d)
				if resp.Header.Get("Retry-After") == "" {
					res.noRetry++
				}
			}
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	res.elapsed = time.Since(t0)
	return res
}

func (r floodResult) report(b *testing.B, beforeKiB, peakKiB int) {
	b.Helper()
	slices.Sort(r.ok)
	slices.Sort(r.busy)
	pct := func(l []time.Duration, p float64) time.Duration {
		if len(l) == 0 {
			return 0
		}
		return l[int(p*float64(len(l)-1))]
	}
	limitMiB := floodConcurrent*floodMemoryMiB + floodHeadroomMiB
	b.ReportMetric(float64(peakKiB)/1024, "peak-RSS-MiB")
	b.ReportMetric(float64(r.status[http.StatusOK]), "200s")
	b.ReportMetric(float64(r.status[http.StatusServiceUnavailable]), "503s")
	b.ReportMetric(float64(pct(r.busy, 0.5).Milliseconds()), "503-p50-ms")
	b.ReportMetric(float64(pct(r.busy, 1).Milliseconds()), "503-max-ms")
	b.ReportMetric(float64(pct(r.ok, 1).Milliseconds()), "200-max-ms")
	b.Logf("login flood: %d clients in %s; status mix %v; transport errors %d", floodClients, r.elapsed.Round(time.Millisecond), r.status, len(r.transport))
	b.Logf("RSS before %.0f MiB, peak (VmHWM) %.0f MiB, bound %d MiB (%d × %d MiB + %d MiB)",
		float64(beforeKiB)/1024, float64(peakKiB)/1024, limitMiB, floodConcurrent, floodMemoryMiB, floodHeadroomMiB)
	b.Logf("200 latency p50 %s max %s; 503 latency p50 %s max %s",
		pct(r.ok, 0.5), pct(r.ok, 1), pct(r.busy, 0.5), pct(r.busy, 1))

	if peakKiB > limitMiB*1024 {
		b.Errorf("peak RSS %d KiB exceeds the bound of %d MiB", peakKiB, limitMiB)
	}
	if len(r.transport) > 0 {
		b.Errorf("%d requests failed in transport, e.g. %v", len(r.transport), r.transport[0])
	}
	if other := floodClients - r.status[http.StatusOK] - r.status[http.StatusServiceUnavailable] - len(r.transport); other > 0 {
		b.Errorf("%d answers were neither 200 nor 503: %v", other, r.status)
	}
	if r.noRetry > 0 {
		b.Errorf("%d of the 503s lack Retry-After", r.noRetry)
	}
	// A 503 may wait for a slot for max_wait, plus the time to read the
	// request and look the user up on a loaded machine; far beyond that it
	// would be queuing.
	if worst := pct(r.busy, 1); worst > 3*floodMaxWaitMS*time.Millisecond {
		b.Errorf("the slowest 503 took %s; it should come after about %d ms", worst, floodMaxWaitMS)
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
