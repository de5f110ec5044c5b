// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/demo/internal/auth/config"
)

// Per-route IP rate limits (the *_rate_limit settings). Each public route
// counts the requests of every client address in fixed windows, one per
// rule of its limit ("10/minute;100/hour" is two windows); a request that
// would exceed any rule is refused with 429 and Retry-After, and counts
// against nothing.
//
// The counters live in this process's memory: several replicas each allow
// the full rate. That is deliberate (a shared counter would put a database
// write in front of every request); the lockout that protects each account
// from password guessing is in the database and does hold across replicas.

const (
	// rateMaxClients bounds the memory of the counters: about 200 bytes
	// each, so 10 MB at most, however many addresses an attacker has.
	rateMaxClients = 50_000
	// rateSweepEvery is how often (by the injected clock) counters whose
	// windows have all ended are dropped.
	rateSweepEvery = time.Minute
)

// rateKey is one client at one route. IPv6 clients are counted per /64,
// the block one subscriber usually gets, so rotating addresses within it
// does not reset the count.
type rateKey struct {
	route int
	addr  netip.Addr
}

// rateWindow counts requests from start until start + the rule's period.
type rateWindow struct {
	start time.Time
	count int
}

// rateLimiter holds the counters of every limited route of one Auth.
type rateLimiter struct {
	routes    map[string]int  // "METHOD /path" → index into rates
	rates     [][]config.Rate // per route, its rules
	trusted   []netip.Prefix
	mu        sync.Mutex
	clients   map[rateKey][]rateWindow
	lastSweep time.Time
	max       int
}

// newRateLimiter builds the limiter from the configuration (already
// validated, so parse errors cannot happen here, but are reported anyway).
func newRateLimiter(cfg config.Config) (*rateLimiter, error) {
	limits, err := cfg.RouteRateLimits()
	if err != nil {
		return nil, err
	}
	trusted, err := cfg.TrustedProxyPrefixes()
	if err != nil {
		return nil, err
	}
	l := &rateLimiter{routes: map[string]int{}, trusted: trusted, clients: map[rateKey][]rateWindow{}, max: rateMaxClients}
	for _, rl := range limits {
		if len(rl.Rates) > 0 {
			l.routes[rl.Route] = len(l.rates)
			l.rates = append(l.rates, rl.Rates)
		}
	}
	return l, nil
}

// limit wraps the handler of route ("METHOD /path", relative to the API
// prefix) with its rate limit, if it has one. The check comes first, before
// authentication and before the body is read, so a flood costs little.
func (a *Auth) limit(route string, next http.HandlerFunc) http.HandlerFunc {
	return a.limitWith(route, next, func(w http.ResponseWriter, _ *http.Request, wait time.Duration, rule config.Rate) {
		w.Header().Set("Retry-After", retryAfterHeader(wait))
		writeDetail(w, http.StatusTooManyRequests, "Rate limit exceeded: "+rule.String())
	})
}

// limitWith is limit with the refusal written by refuse. Another front end
// over the same flow (a form posting to a page) counts against the same
// route's counters by naming the same route: one limit per flow, however
// it is reached.
func (a *Auth) limitWith(route string, next http.HandlerFunc, refuse func(http.ResponseWriter, *http.Request, time.Duration, config.Rate)) http.HandlerFunc {
	i, ok := a.limiter.routes[route]
	if !ok {
		return next
	}
	return func(w http.ResponseWriter, r *http.Request) {
		client := clientAddr(r, a.limiter.trusted)
		if wait, rule, ok := a.limiter.allow(i, client, a.now()); !ok {
			refuse(w, r, wait, rule)
			return
		}
		next(w, r)
	}
}

// retryAfterHeader is a wait as the Retry-After header gives it: whole seconds,
// rounded up.
func retryAfterHeader(wait time.Duration) string {
	return strconv.Itoa(int(math.Ceil(wait.Seconds())))
}

// allow counts a request of client to route i at now. When a rule is
// already exhausted it returns false, how long until the request would be
// allowed, and the rule that decides that wait.
func (l *rateLimiter) allow(i int, client netip.Addr, now time.Time) (time.Duration, config.Rate, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	key := rateKey{route: i, addr: client}
	rates := l.rates[i]
	windows, ok := l.clients[key]
	if !ok {
		windows = make([]rateWindow, len(rates))
		l.clients[key] = windows
	}
	var (
		wait    time.Duration
		refused config.Rate
	)
	for j, rate := range rates {
		w := &windows[j]
		end := w.start.Add(rate.Period)
		if w.count == 0 || !now.Before(end) {
			w.start, w.count = now, 0
			continue
		}
		if w.count >= rate.Count && end.Sub(now) > wait {
			wait, refused = end.Sub(now), rate
		}
	}
	if wait > 0 {
		return wait, refused, false
	}
	for j := range windows {
		windows[j].count++
	}
	return 0, config.Rate{}, true
}

// sweep drops counters whose windows have all ended, at most once per
// rateSweepEvery, or at once when the table is full. If it is still full
// then (a flood from very many addresses), arbitrary counters go until a
// quarter is free: those clients start counting afresh, which is the
// price of bounded memory.
func (l *rateLimiter) sweep(now time.Time) {
	full := len(l.clients) >= l.max
	if !full && now.Sub(l.lastSweep) < rateSweepEvery {
		return
	}
	l.lastSweep = now
	for key, windows := range l.clients {
		if idle(windows, l.rates[key.route], now) {
			delete(l.clients, key)
		}
	}
	for key := range l.clients { // map order is random
		if len(l.clients) < l.max*3/4 {
			break
		}
		delete(l.clients, key)
	}
}

// idle reports whether every window has ended, so the counter holds
// nothing a fresh one would not.
func idle(windows []rateWindow, rates []config.Rate, now time.Time) bool {
	for j, rate := range rates {
		if windows[j].count > 0 && now.Before(windows[j].start.Add(rate.Period)) {
			return false
		}
	}
	return true
}

// clientAddr is the address a request is counted against: the peer's,
// unless the peer is a trusted proxy. Then X-Forwarded-For is read from
// the right (each proxy appends the address it received the request
// from), skipping trusted proxies, and the first address that is not one
// is the client. Everything left of it could have been written by the
// client and is ignored. IPv6 addresses are reduced to their /64.
func clientAddr(r *http.Request, trusted []netip.Prefix) netip.Addr {
	peer := parseHostAddr(r.RemoteAddr)
	if !peer.IsValid() || !isTrusted(peer, trusted) {
		return perSubscriber(peer)
	}
	client := peer
	hops := r.Header.Values("X-Forwarded-For")
	for h := len(hops) - 1; h >= 0; h-- {
		items := strings.Split(hops[h], ",")
		for k := len(items) - 1; k >= 0; k-- {
			addr := parseHostAddr(strings.TrimSpace(items[k]))
			if !addr.IsValid() {
				// Not written by a proxy we trust: stop at the last hop
				// we could vouch for rather than count a made-up value.
				return perSubscriber(client)
			}
			client = addr
			if !isTrusted(addr, trusted) {
				return perSubscriber(client)
			}
		}
	}
	return perSubscriber(client)
}

// parseHostAddr reads "203.0.113.9", "203.0.113.9:5678", "2001:db8::1" or
// "[2001:db8::1]:443"; anything else is the zero Addr.
func parseHostAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone("")
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone("")
	}
	return netip.Addr{}
}

func isTrusted(addr netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// perSubscriber keeps IPv4 addresses whole and reduces IPv6 ones to /64.
func perSubscriber(addr netip.Addr) netip.Addr {
	if addr.Is6() {
		if p, err := addr.Prefix(64); err == nil {
			return p.Addr()
		}
	}
	return addr
}
