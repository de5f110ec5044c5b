package main

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Bounds of the growth goals.
const (
	// idleGoroutineSlack: before and after the load, with no connection
	// open, the app runs the same fixed set of goroutines (server, purge,
	// mailer, debug listener); a few may still be winding down.
	idleGoroutineSlack = 10
	// loadGoroutineSlack is added to 2×clients under load: each user's
	// keep-alive connection and request in flight come and go between two
	// samples. A per-request leak over thousands of requests shows far
	// beyond it.
	loadGoroutineSlack = 20
	// rssSlackMiB bounds the peak RSS at the end against the peak at the
	// end of the warm-up. Under load the RSS swings between ~80 and ~280
	// MiB with the GC's timing, dominated by argon2id's 64 MiB per hash,
	// four at a time, so a single sample says little; the peak (VmHWM)
	// reached during the warm-up already holds the hashing working set,
	// and two more hashes' worth is noise, more is growth.
	rssSlackMiB = 128
	// idleRSSSlackMiB bounds the RSS after a forced GC that returns freed
	// memory to the OS, idle after the load against idle before it.
	idleRSSSlackMiB = 32
	// liveHeapSlackMiB: the live heap after a forced GC, idle after the
	// load against idle before it. Per-address limiter and lockout state
	// for a few thousand users is well under a MiB; 32 MiB is a leak.
	liveHeapSlackMiB = 32
)

// result is one backend's figures, also written as JSON.
type result struct {
	Backend  string `json:"backend"`
	Duration string `json:"duration"`
	Clients  int    `json:"clients"`

	Routes           map[string]routeSummary     `json:"routes"`
	Statuses         map[string]int              `json:"statuses"`
	Count5xx         int                         `json:"count_5xx"`
	TransportErrors  int                         `json:"transport_errors"`
	Unexpected       int                         `json:"unexpected"`
	UnexpectedKinds  []unexpected                `json:"unexpected_kinds,omitempty"`
	Problems         map[string]int              `json:"problems,omitempty"`
	Load             map[string]int              `json:"load"`
	Idle0            procStats                   `json:"idle_before"`
	Start            procStats                   `json:"start"`
	End              procStats                   `json:"end"`
	Idle1            procStats                   `json:"idle_after"`
	Samples          []sample                    `json:"samples"`
	Rows             map[string]map[string]int64 `json:"rows"`
	PurgeWait        string                      `json:"purge_wait"`
	Accounts         int                         `json:"accounts_checked"`
	SignInFailed     []string                    `json:"sign_in_failed,omitempty"`
	AppExit          string                      `json:"app_exit"`
	LogErrors        int                         `json:"log_errors"`
	LogWarnings      int                         `json:"log_warnings"`
	LogPanics        int                         `json:"log_panics"`
	LogMessages      map[string]int              `json:"log_messages,omitempty"`
	LogErrorLines    []string                    `json:"log_lines,omitempty"`
	GoroutineProfile string                      `json:"goroutine_profile,omitempty"`
	Goals            []goal                      `json:"goals"`
	Pass             bool                        `json:"pass"`
}

type sample struct {
	Elapsed string    `json:"elapsed"`
	Stats   procStats `json:"stats"`
}

type routeSummary struct {
	Count    int            `json:"count"`
	P50ms    float64        `json:"p50_ms"`
	P99ms    float64        `json:"p99_ms"`
	Statuses map[string]int `json:"statuses"`
}

type goal struct {
	Name   string `json:"name"`
	Pass   bool   `json:"pass"`
	Detail string `json:"detail"`
}

func printHeader(o options, backend string) {
	fmt.Printf("[%s] soak: %s, %d virtual users (mean think %s), warm-up %s, report every %s\n",
		backend, o.duration, o.clients, o.think, o.warmup, o.reportEvery)
	fmt.Printf("[%s] app: defaults for lockout, rate limits and password hashing (argon2id 64 MiB, t=3, p=4, 4 concurrent);\n", backend)
	fmt.Printf("[%s]      token TTLs %s, purge every %s, trusted proxy 127.0.0.1 (one X-Forwarded-For address per user)\n", backend, tokenTTL, purgeInterval)
}

func printRoutes(m map[string]*routeStats) {
	for _, r := range sortedRoutes(m) {
		s := m[r]
		fmt.Printf("    %-42s n=%6d p50=%8s p99=%8s  %s\n", r, len(s.Durations),
			s.quantile(0.50).Round(time.Millisecond/10), s.quantile(0.99).Round(time.Millisecond/10), statusLine(s.Statuses))
	}
}

func rowLine(counts map[string]int64) string {
	tables := make([]string, 0, len(counts))
	for t := range counts {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	parts := make([]string, len(tables))
	for i, t := range tables {
		parts[i] = fmt.Sprintf("%s=%d", t, counts[t])
	}
	return strings.Join(parts, " ")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// judge fills in the totals and the goals.
func (s *soak) judge() {
	r := s.res
	totals := s.load.rec.totals()
	r.Routes = map[string]routeSummary{}
	for name, st := range totals {
		r.Routes[name] = routeSummary{Count: len(st.Durations), P50ms: ms(st.quantile(0.5)), P99ms: ms(st.quantile(0.99)), Statuses: statusNames(st.Statuses)}
	}
	statuses := statusCounts(totals)
	r.Statuses = statusNames(statuses)
	r.Count5xx = count5xx(statuses)
	r.TransportErrors = statuses[0]
	rec := s.load.rec
	r.Unexpected, r.UnexpectedKinds, r.Problems = rec.unexpCount, rec.unexpectedKinds(), rec.problems
	c := s.load.counts
	r.Load = map[string]int{
		"registered": c.Registered, "abandoned": c.Abandoned, "verified": c.Verified,
		"failed_logins": c.FailedLogins, "mails_expected": c.MailsExpected, "mails_received": len(s.sink.Messages()),
	}

	add := func(name string, pass bool, format string, args ...any) {
		r.Goals = append(r.Goals, goal{name, pass, fmt.Sprintf(format, args...)})
	}
	// A 503 is the hasher shedding load (every slot busy for
	// password_hash_max_wait_ms): by design, but it means the machine
	// could not keep up with the load, so it fails its own goal; any
	// other 5xx is a defect.
	shed := statuses[503]
	add("no 5xx other than 503", r.Count5xx-shed == 0, "%d of %d 5xx", r.Count5xx-shed, r.Count5xx)
	add("no 503 (password hashing queue full)", shed == 0, "%d", shed)
	add("no transport errors", r.TransportErrors == 0, "%d", r.TransportErrors)
	add("no unexpected answers", r.Unexpected == 0 && len(r.Problems) == 0, "%d unexpected statuses, problems %v", r.Unexpected, r.Problems)
	add("every account signs in", len(r.SignInFailed) == 0 && r.Accounts == c.Verified,
		"%d of %d failed", len(r.SignInFailed), r.Accounts)
	add("clean exit, no panic", r.AppExit == "0" && r.LogPanics == 0, "exit %s, %d panic lines, %d ERROR lines", r.AppExit, r.LogPanics, r.LogErrors)

	idleBound := r.Idle0.Goroutines + idleGoroutineSlack
	add("goroutines idle after <= idle before + 10", r.Idle1.Goroutines <= idleBound, "%d -> %d (bound %d)", r.Idle0.Goroutines, r.Idle1.Goroutines, idleBound)
	loadBound := r.Start.Goroutines + uint64(2*s.opts.clients+loadGoroutineSlack)
	add("goroutines end <= start + 2*clients + 20", r.End.Goroutines <= loadBound, "%d -> %d (bound %d)", r.Start.Goroutines, r.End.Goroutines, loadBound)
	rssBound := r.Start.HWMKiB + rssSlackMiB<<10
	add("peak RSS end <= peak after warm-up + 128 MiB", r.End.HWMKiB <= rssBound, "%s -> %s (bound %s)", mib(r.Start.HWMKiB<<10), mib(r.End.HWMKiB<<10), mib(rssBound<<10))
	idleRSSBound := r.Idle0.RSSKiB + idleRSSSlackMiB<<10
	add("RSS idle after <= idle before + 32 MiB", r.Idle1.RSSKiB <= idleRSSBound, "%s -> %s (bound %s)", mib(r.Idle0.RSSKiB<<10), mib(r.Idle1.RSSKiB<<10), mib(idleRSSBound<<10))
	heapBound := r.Idle0.HeapAlloc + liveHeapSlackMiB<<20
	add("live heap idle after <= idle before + 32 MiB", r.Idle1.HeapAlloc <= heapBound, "%s -> %s (bound %s)", mib(int64(r.Idle0.HeapAlloc)), mib(int64(r.Idle1.HeapAlloc)), mib(int64(heapBound)))

	s.judgeRows(add)
	r.Pass = true
	for _, g := range r.Goals {
		r.Pass = r.Pass && g.Pass
	}
}

// judgeRows checks the tables after the post-load purge: expiring tables
// empty; users exactly the verified accounts; attempts (login failures and
// the per-address mail budget, both kept longer than the run) no more than
// the failures and mails the load caused.
func (s *soak) judgeRows(add func(string, bool, string, ...any)) {
	after := s.res.Rows["after_purge"]
	if after == nil {
		add("row counts", false, "no counts after the purge")
		return
	}
	var leftover []string
	for t, n := range after {
		if expiring(t) && n > 0 {
			leftover = append(leftover, fmt.Sprintf("%s=%d", t, n))
		}
	}
	sort.Strings(leftover)
	add("expired rows purged (pending, tokens)", len(leftover) == 0, "after %s: %v", s.res.PurgeWait, leftover)
	c := s.load.counts
	if n, ok := after["users"]; ok {
		add("users rows == verified accounts", n == int64(c.Verified), "%d rows, %d verified", n, c.Verified)
	}
	for t, n := range after {
		if strings.Contains(t, "attempt") {
			bound := int64(c.FailedLogins + c.MailsExpected)
			add(t+" <= failed logins + mails", n <= bound, "%d (bound %d)", n, bound)
		}
	}
}

func statusNames(m map[int]int) map[string]int {
	out := map[string]int{}
	for c, n := range m {
		name := fmt.Sprint(c)
		if c == 0 {
			name = "error"
		}
		out[name] = n
	}
	return out
}

func (s *soak) printSummary() {
	r := s.res
	b := r.Backend
	fmt.Printf("\n===== %s: summary (%s, %d users) =====\n", b, r.Duration, r.Clients)
	fmt.Println("totals by route:")
	printRoutes(s.load.rec.totals())
	fmt.Printf("statuses: %s\n", statusLine(statusCounts(s.load.rec.totals())))
	fmt.Printf("5xx: %d   transport errors: %d   unexpected: %d   problems: %v\n", r.Count5xx, r.TransportErrors, r.Unexpected, r.Problems)
	for _, u := range r.UnexpectedKinds {
		fmt.Printf("    unexpected: %dx %s -> %d %s\n", u.Count, u.Route, u.Status, u.Body)
	}
	fmt.Printf("load: %v\n", rowLineInt(r.Load))
	fmt.Printf("app idle before: %s\n", r.Idle0)
	fmt.Printf("app start:       %s\n", r.Start)
	fmt.Printf("app end:         %s\n", r.End)
	fmt.Printf("app idle after:  %s\n", r.Idle1)
	for _, label := range []string{"before", "start", "end", "peak", "after_purge", "final"} {
		fmt.Printf("rows %-12s %s\n", label, rowLine(r.Rows[label]))
	}
	fmt.Printf("app log: %d ERROR, %d WARN, %d panic lines\n", r.LogErrors, r.LogWarnings, r.LogPanics)
	msgs := make([]string, 0, len(r.LogMessages))
	for m := range r.LogMessages {
		msgs = append(msgs, m)
	}
	sort.Strings(msgs)
	for _, m := range msgs {
		fmt.Printf("    %5dx %s\n", r.LogMessages[m], m)
	}
	for _, l := range r.LogErrorLines {
		fmt.Printf("    %s\n", l)
	}
	for _, g := range r.Goals {
		fmt.Printf("%s  %-46s %s\n", passWord(g.Pass), g.Name, g.Detail)
	}
	if r.GoroutineProfile != "" {
		fmt.Printf("goroutines idle after the load (pprof, debug=1):\n%s\n", r.GoroutineProfile)
	}
}

func rowLineInt(m map[string]int) string {
	c := make(map[string]int64, len(m))
	for k, v := range m {
		c[k] = int64(v)
	}
	return rowLine(c)
}
