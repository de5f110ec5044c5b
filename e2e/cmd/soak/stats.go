package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// routeStats is what one route answered over some period.
type routeStats struct {
	Durations []time.Duration
	Statuses  map[int]int // 0 counts transport errors (no answer)
}

func newRouteStats() *routeStats { return &routeStats{Statuses: map[int]int{}} }

func (s *routeStats) add(status int, d time.Duration) {
	s.Durations = append(s.Durations, d)
	s.Statuses[status]++
}

// quantile returns the q-quantile (0..1) of the durations, nearest rank.
func (s *routeStats) quantile(q float64) time.Duration {
	if len(s.Durations) == 0 {
		return 0
	}
	d := slices.Clone(s.Durations)
	slices.Sort(d)
	i := int(q*float64(len(d))+0.5) - 1
	return d[min(max(i, 0), len(d)-1)]
}

// statusLine is "200:118 401:2" in status order.
func statusLine(m map[int]int) string {
	codes := make([]int, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		name := fmt.Sprint(c)
		if c == 0 {
			name = "err"
		}
		parts[i] = fmt.Sprintf("%s:%d", name, m[c])
	}
	return strings.Join(parts, " ")
}

// unexpected is a kind of answer the load generator did not expect (a
// route and a status), how often it came, and one body as evidence.
type unexpected struct {
	Route  string `json:"route"`
	Status int    `json:"status"`
	Count  int    `json:"count"`
	Body   string `json:"body"`
}

// recorder collects every request of the load: per route for the current
// report interval and for the whole run, plus the unexpected answers.
type recorder struct {
	mu         sync.Mutex
	interval   map[string]*routeStats
	total      map[string]*routeStats
	unexpCount int
	unexpKinds map[string]*unexpected
	problems   map[string]int // non-HTTP trouble: mail that never came, ...
}

func newRecorder() *recorder {
	return &recorder{
		interval:   map[string]*routeStats{},
		total:      map[string]*routeStats{},
		problems:   map[string]int{},
		unexpKinds: map[string]*unexpected{},
	}
}

func (r *recorder) record(route string, status int, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range []map[string]*routeStats{r.interval, r.total} {
		s := m[route]
		if s == nil {
			s = newRouteStats()
			m[route] = s
		}
		s.add(status, d)
	}
}

func (r *recorder) unexpected(route string, status int, body []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unexpCount++
	key := fmt.Sprint(route, status)
	if u := r.unexpKinds[key]; u != nil {
		u.Count++
		return
	}
	b := strings.TrimSpace(string(body))
	if len(b) > 200 {
		b = b[:200] + "..."
	}
	r.unexpKinds[key] = &unexpected{route, status, 1, b}
}

// unexpectedKinds returns the kinds of unexpected answers, most frequent
// first.
func (r *recorder) unexpectedKinds() []unexpected {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]unexpected, 0, len(r.unexpKinds))
	for _, u := range r.unexpKinds {
		out = append(out, *u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Route < out[j].Route
	})
	return out
}

func (r *recorder) problem(what string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.problems[what]++
}

// takeInterval returns the current interval's stats and starts a new one.
func (r *recorder) takeInterval() map[string]*routeStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.interval
	r.interval = map[string]*routeStats{}
	return m
}

// totals returns the whole run's stats; call it once the load stopped.
func (r *recorder) totals() map[string]*routeStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

// statusCounts sums the statuses of every route.
func statusCounts(m map[string]*routeStats) map[int]int {
	out := map[int]int{}
	for _, s := range m {
		for c, n := range s.Statuses {
			out[c] += n
		}
	}
	return out
}

// count5xx is how many answers were server errors.
func count5xx(statuses map[int]int) int {
	n := 0
	for c, k := range statuses {
		if c >= 500 {
			n += k
		}
	}
	return n
}

func sortedRoutes(m map[string]*routeStats) []string {
	routes := make([]string, 0, len(m))
	for r := range m {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	return routes
}
