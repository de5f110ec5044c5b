package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/regstack/regstack/e2e/internal/proc"
)

// soakDebugFile is added to the scratch host (never to the generator's
// output): with SOAK_DEBUG_ADDR set it serves the process's goroutine
// count and heap figures, a forced GC, and net/http/pprof on loopback.
const soakDebugFile = `package main

import (
	"encoding/json"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
)

// Added by the soak benchmark (e2e/cmd/soak); not part of the starter.
func init() {
	addr := os.Getenv("SOAK_DEBUG_ADDR")
	if addr == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /soak/stats", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("gc") != "" {
			runtime.GC()
			debug.FreeOSMemory()
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		json.NewEncoder(w).Encode(map[string]uint64{
			"goroutines": uint64(runtime.NumGoroutine()),
			"heap_alloc": m.HeapAlloc,
			"heap_inuse": m.HeapInuse,
			"sys":        m.Sys,
			"num_gc":     uint64(m.NumGC),
		})
	})
	go http.ListenAndServe(addr, mux)
}
`

// childEnv is our environment minus anything that would change what the
// generated code sees (REGSTACK_* settings, ADDR, a go.work file).
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "REGSTACK_") || k == "ADDR" || k == "GOWORK" || k == "SOAK_DEBUG_ADDR" {
			continue
		}
		env = append(env, kv)
	}
	return append(append(env, "GOWORK=off"), extra...)
}

// runCmd runs name args in dir and returns its combined output.
func runCmd(ctx context.Context, dir, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = childEnv()
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s (in %s): %w\n%s", name, strings.Join(args, " "), dir, err, tail(string(out), 40))
	}
	return string(out), nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func head(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// buildStarter generates the default starter for backend into dir/host,
// adds the debug file and builds it; it returns the binary and the host.
func buildStarter(ctx context.Context, regstack, backend, dir string) (bin, host string, err error) {
	host = filepath.Join(dir, "host")
	if _, err := runCmd(ctx, dir, regstack, "gen", "--yes", "--dir", host, "--backend", backend); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(filepath.Join(host, "soak_debug.go"), []byte(soakDebugFile), 0o644); err != nil {
		return "", "", err
	}
	bin = filepath.Join(dir, "app")
	if _, err := runCmd(ctx, host, "go", "build", "-o", bin, "."); err != nil {
		return "", "", err
	}
	return bin, host, nil
}

// appProcess is the running starter app.
type appProcess struct {
	BaseURL   string
	debugURL  string
	cmd       *exec.Cmd
	output    *proc.Output
	exited    chan struct{}
	exitErr   error
	debugHTTP *http.Client
}

// startApp runs bin in host (so it finds regstack.toml) with env on a free
// loopback port and waits until its readiness probe answers 200.
func startApp(ctx context.Context, bin, host string, env []string) (*appProcess, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	debugAddr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	a := &appProcess{
		BaseURL:   "http://" + addr,
		debugURL:  "http://" + debugAddr,
		output:    &proc.Output{},
		exited:    make(chan struct{}),
		debugHTTP: &http.Client{Timeout: 30 * time.Second},
	}
	cmd := exec.Command(bin)
	cmd.Dir = host
	cmd.Env = childEnv(append([]string{"ADDR=" + addr, "REGSTACK_BASE_URL=" + a.BaseURL, "SOAK_DEBUG_ADDR=" + debugAddr}, env...)...)
	cmd.Stdout = a.output
	cmd.Stderr = a.output
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	a.cmd = cmd
	go func() {
		a.exitErr = cmd.Wait()
		close(a.exited)
	}()
	if err := a.waitReady(ctx, 60*time.Second); err != nil {
		a.Stop()
		return nil, err
	}
	return a, nil
}

func (a *appProcess) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if !a.Alive() {
			return fmt.Errorf("the app exited before it was ready (%v):\n%s", a.exitErr, tail(a.output.String(), 40))
		}
		resp, err := http.Get(a.BaseURL + apiPrefix + "/health/ready")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				if _, err := a.Stats(false); err == nil {
					return nil
				}
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the app was not ready within %s:\n%s", timeout, tail(a.output.String(), 40))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Alive reports whether the process is still running.
func (a *appProcess) Alive() bool {
	select {
	case <-a.exited:
		return false
	default:
		return true
	}
}

// Stop sends SIGTERM, waits up to 20 s, then kills. It returns the exit
// error of a clean-looking stop (nil for status 0).
func (a *appProcess) Stop() error {
	if !a.Alive() {
		return a.exitErr
	}
	a.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-a.exited:
		return a.exitErr
	case <-time.After(20 * time.Second):
		a.cmd.Process.Kill()
		<-a.exited
		return fmt.Errorf("the app ignored SIGTERM for 20 s; killed")
	}
}

// Output is everything the app logged so far.
func (a *appProcess) Output() string { return a.output.String() }

// procStats is the app process's memory and goroutines at one moment.
type procStats struct {
	RSSKiB     int64  `json:"rss_kib"`
	HWMKiB     int64  `json:"hwm_kib"` // peak RSS so far
	Goroutines uint64 `json:"goroutines"`
	HeapInuse  uint64 `json:"heap_inuse"`
	HeapAlloc  uint64 `json:"heap_alloc"`
}

func (s procStats) String() string {
	return fmt.Sprintf("rss %s (peak %s) goroutines %d heap %s", mib(s.RSSKiB<<10), mib(s.HWMKiB<<10), s.Goroutines, mib(int64(s.HeapAlloc)))
}

func mib(b int64) string { return fmt.Sprintf("%.1fMiB", float64(b)/(1<<20)) }

// Stats reads RSS from /proc and the rest from the debug endpoint; gc
// forces a collection first so HeapAlloc is the live heap.
func (a *appProcess) Stats(gc bool) (procStats, error) {
	var s procStats
	url := a.debugURL + "/soak/stats"
	if gc {
		url += "?gc=1"
	}
	resp, err := a.debugHTTP.Get(url)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	var m map[string]uint64
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		return s, err
	}
	s.Goroutines, s.HeapInuse, s.HeapAlloc = m["goroutines"], m["heap_inuse"], m["heap_alloc"]
	s.RSSKiB, s.HWMKiB, err = readRSS(a.cmd.Process.Pid)
	return s, err
}

// Goroutines is the app's goroutine profile (debug=1), for a report of
// growth.
func (a *appProcess) Goroutines() string {
	resp, err := a.debugHTTP.Get(a.debugURL + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// readRSS returns VmRSS and VmHWM of pid in KiB.
func readRSS(pid int) (rss, hwm int64, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm, sc.Err()
}

// freeAddr returns a loopback address whose port was free a moment ago.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func randomAlnum(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
