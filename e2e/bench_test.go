package e2e

import (
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkGen measures a full `regstack gen --yes --no-tidy` run of the
// binary into an empty folder: process start, render, gofmt, atomic writes.
func BenchmarkGen(b *testing.B) {
	bin := regstack(b)
	root := b.TempDir()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := filepath.Join(root, fmt.Sprint(i))
		if out, err := run(root, genTimeout, bin, "gen", "--yes", "--no-tidy", "--dir", dir); err != nil {
			b.Fatalf("gen: %v\n%s", err, tail(out, 40))
		}
	}
}

// BenchmarkLiveMe measures authenticated GET /me against the starter app
// on each backend, running as a separate process, over keep-alive connections from
// GOMAXPROCS×parallelism client goroutines. It reports throughput and
// latency percentiles; it asserts only that every request succeeded.
func BenchmarkLiveMe(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) { benchMe(b, backend) })
	}
}

func benchMe(b *testing.B, backend string) {
	app, token := benchApp(b, backend)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	url := app.BaseURL + apiPrefix + "/me"

	var (
		mu        sync.Mutex
		latencies []time.Duration
	)
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var local []time.Duration
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		for pb.Next() {
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Errorf("GET /me: %v", err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("GET /me: %s", resp.Status)
				return
			}
			local = append(local, time.Since(t0))
		}
		mu.Lock()
		latencies = append(latencies, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	reportLatencies(b, latencies, elapsed)
}

// BenchmarkLiveLogin measures POST /login (one Argon2id verification per
// request under the hashing concurrency limit) against the starter app on
// each backend.
func BenchmarkLiveLogin(b *testing.B) {
	for _, backend := range backends {
		b.Run(backend, func(b *testing.B) { benchLogin(b, backend) })
	}
}

func benchLogin(b *testing.B, backend string) {
	app, _ := benchApp(b, backend)
	var latencies []time.Duration
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		r := app.Do(b, "POST", apiPrefix+"/login", "", map[string]any{"email": benchEmail, "password": benchPassword})
		if r.Status != http.StatusOK {
			b.Fatalf("login: %s", r)
		}
		latencies = append(latencies, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	reportLatencies(b, latencies, elapsed)
}

const (
	benchEmail    = "bench@example.com"
	benchPassword = "bench-password-123"
)

// benchApp starts the starter app on backend with verification and rate
// limits off, registers one user and returns a session token for it.
func benchApp(b *testing.B, backend string) (*liveApp, string) {
	b.Helper()
	bin, host := starterApp(b, backend)
	sink := startSink(b)
	app := startApp(b, bin, host, appEnv(b, sink, backend,
		"REGSTACK_REQUIRE_VERIFICATION=false",
		"REGSTACK_RATE_LIMIT_DISABLED=true",
	))
	if r := app.Do(b, "POST", apiPrefix+"/register", "", map[string]any{"email": benchEmail, "password": benchPassword}); r.Status != http.StatusCreated {
		b.Fatalf("register: %s", r)
	}
	r := app.Do(b, "POST", apiPrefix+"/login", "", map[string]any{"email": benchEmail, "password": benchPassword})
	token, _ := r.JSON()["access_token"].(string)
	if r.Status != http.StatusOK || token == "" {
		b.Fatalf("login: %s", r)
	}
	return app, token
}

func reportLatencies(b *testing.B, latencies []time.Duration, elapsed time.Duration) {
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		i := int(p * float64(len(latencies)-1))
		return float64(latencies[i].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.90), "p90-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
