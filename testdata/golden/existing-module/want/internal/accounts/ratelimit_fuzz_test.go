// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package accounts

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/acme/shop/internal/accounts/config"
)

// spoofed is what a client writes at the left of X-Forwarded-For to pass
// itself off as someone else.
var spoofed = netip.MustParseAddr("203.0.113.77")

// FuzzClientAddr feeds arbitrary peers, X-Forwarded-For headers (one value
// per line, each comma-separated) and trusted_proxies settings to
// clientAddr, the address the rate limits count against. Properties:
//   - it never panics, and the address has no zone, is never an
//     IPv4-mapped IPv6 address, and is an IPv6 /64 (low bits zero);
//   - a peer that is not a trusted proxy is the client, whatever the
//     headers say;
//   - the client is the peer or an address the header lists;
//   - whatever the client writes at the left of the header changes nothing
//     as long as any hop to its right is not a trusted proxy (or is not an
//     address at all); only a chain of trusted proxies all the way to the
//     left makes the leftmost address the client.
func FuzzClientAddr(f *testing.F) {
	for _, s := range [][3]string{
		{"203.0.113.9:5678", "", ""},
		{"203.0.113.9:5678", "198.51.100.1", ""},
		{"10.0.0.2:443", "198.51.100.1", "10.0.0.0/8"},
		{"10.0.0.2:443", "1.1.1.1, 198.51.100.1, 10.0.0.3", "10.0.0.0/8"},
		{"10.0.0.2:443", "1.1.1.1\n198.51.100.1, 10.0.0.3", "10.0.0.0/8"},
		{"10.0.0.2:443", "10.0.0.4, 10.0.0.3", "10.0.0.0/8"},
		{"10.0.0.2:443", "garbage, 10.0.0.3", "10.0.0.0/8"},
		{"10.0.0.2:443", "198.51.100.1,,10.0.0.3", "10.0.0.0/8"},
		{"10.0.0.2:443", "", "10.0.0.0/8"},
		{"[::1]:443", "2001:db8:1:2:3:4:5:6", "::1"},
		{"[::1]:443", "[2001:db8::1]:8080, ::ffff:198.51.100.1", "::1"},
		{"[fe80::1%eth0]:443", "fe80::2%eth1", "fe80::/10"},
		{"[::ffff:10.0.0.2]:443", "198.51.100.1", "10.0.0.0/8"},
		{"10.0.0.2:443", "198.51.100.1:1234", "::ffff:10.0.0.0/104"},
		{"unix", "198.51.100.1", "0.0.0.0/0"},
		{"", "198.51.100.1", "0.0.0.0/0,::/0"},
		{"10.0.0.2", "for=198.51.100.1", "10.0.0.0/8"},
		{"10.0.0.2:443", " 198.51.100.1 ,\t10.0.0.3 ", "10.0.0.0/8"},
		{"10.0.0.2:443", "unknown, _hidden, 198.51.100.1", "10.0.0.0/8"},
		{"10.0.0.2:443", "203.0.113.77", "10.0.0.0/8, 203.0.113.0/24"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, remote, xff, trustedSpec string) {
		trusted, err := config.Config{TrustedProxies: trustedSpec}.TrustedProxyPrefixes()
		if err != nil {
			return
		}
		request := func(hops []string) *http.Request {
			r := &http.Request{RemoteAddr: remote, Header: http.Header{}}
			for _, h := range hops {
				r.Header.Add("X-Forwarded-For", h)
			}
			return r
		}
		var hops []string
		if xff != "" {
			hops = strings.Split(xff, "\n")
		}
		got := clientAddr(request(hops), trusted)

		switch {
		case got.Zone() != "":
			t.Fatalf("client %v has a zone", got)
		case got.Is4In6():
			t.Fatalf("client %v is IPv4-mapped", got)
		case got.Is6() && got != perSubscriber(got):
			t.Fatalf("client %v is not reduced to its /64", got)
		}

		peer := parseHostAddr(remote)
		if !peer.IsValid() || !isTrusted(peer, trusted) {
			if got != perSubscriber(peer) {
				t.Fatalf("untrusted peer %q, headers %q: client %v, want the peer", remote, hops, got)
			}
			return
		}

		// The client is the peer or one of the listed addresses, and the
		// walk from the right passes only trusted, well-formed hops.
		listed := got == perSubscriber(peer)
		chainTrusted := true
		for _, h := range hops {
			for _, item := range strings.Split(h, ",") {
				a := parseHostAddr(strings.TrimSpace(item))
				if perSubscriber(a) == got && a.IsValid() {
					listed = true
				}
				if !a.IsValid() || !isTrusted(a, trusted) {
					chainTrusted = false
				}
			}
		}
		if !listed {
			t.Fatalf("peer %q, headers %q: client %v is neither the peer nor listed", remote, hops, got)
		}

		// What the client can write: a value at the far left.
		if isTrusted(spoofed, trusted) {
			return
		}
		after := clientAddr(request(append([]string{spoofed.String()}, hops...)), trusted)
		switch {
		case chainTrusted && after != spoofed:
			t.Fatalf("peer %q, trusted chain %q: the leftmost address %v is the client, got %v", remote, hops, spoofed, after)
		case !chainTrusted && after != got:
			t.Fatalf("peer %q, headers %q: a spoofed left value changed the client from %v to %v", remote, hops, got, after)
		}
	})
}

// FuzzRateLimiter drives one route's limiter with an arbitrary limit and
// an arbitrary sequence of requests (each byte: which of four clients, and
// how far the clock moves). Properties: no window ever counts more than its
// rule allows, nor outlives its period; a refusal names one of the route's
// rules and a wait within that rule's period, and the same client asking
// again once the wait is over is allowed; the table never holds more
// counters than its bound.
func FuzzRateLimiter(f *testing.F) {
	f.Add("1/minute;5/hour", []byte{0, 0, 0, 4, 8, 255, 0, 1, 2, 3})
	f.Add("2/second", []byte{0, 0, 0, 0, 64, 0, 0})
	f.Add("3/5 seconds;10/minute", []byte("abcdefghijklmnopqrstuvwxyz"))
	f.Add("1000000/day", []byte{1, 2, 3})
	f.Add("1/1000 days", []byte{0, 0, 252, 252, 0})
	f.Add("off", []byte{0})
	f.Fuzz(func(t *testing.T, spec string, steps []byte) {
		cfg := config.Default()
		cfg.LoginRateLimit = spec
		l, err := newRateLimiter(cfg)
		if err != nil {
			return
		}
		route, ok := l.routes["POST /login"]
		if !ok {
			return // "off"
		}
		l.max = 3 // fewer than the clients, so eviction runs too
		rates := l.rates[route]
		clients := [...]netip.Addr{
			netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("198.51.100.2"),
			netip.MustParseAddr("2001:db8::"), netip.MustParseAddr("2001:db8:0:1::"),
		}
		now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		if len(steps) > 512 {
			steps = steps[:512]
		}
		for _, b := range steps {
			client := clients[b&3]
			// Clock moves: 0, 1 s, 1 min or 1 h times the high bits.
			units := [...]time.Duration{0, time.Second, time.Minute, time.Hour}
			now = now.Add(time.Duration(b>>4) * units[(b>>2)&3])
			wait, rule, ok := l.allow(route, client, now)
			if !ok {
				if wait <= 0 || wait > rule.Period || !containsRate(rates, rule) {
					t.Fatalf("%q: refused with wait %v under rule %+v", spec, wait, rule)
				}
				if _, _, ok := l.allow(route, client, now.Add(wait)); !ok {
					t.Fatalf("%q: refused again after waiting %v", spec, wait)
				}
				now = now.Add(wait)
			}
			if len(l.clients) > l.max {
				t.Fatalf("%q: %d counters, bound %d", spec, len(l.clients), l.max)
			}
			for key, windows := range l.clients {
				for j, w := range windows {
					if w.count > rates[j].Count {
						t.Fatalf("%q: client %v counts %d in a window of %+v", spec, key.addr, w.count, rates[j])
					}
					if w.count > 0 && (w.start.After(now) || !now.Before(w.start.Add(rates[j].Period)) && key.addr == client) {
						t.Fatalf("%q: client %v window from %v (rule %+v) at %v", spec, key.addr, w.start, rates[j], now)
					}
				}
			}
		}
	})
}

func containsRate(rates []config.Rate, r config.Rate) bool {
	for _, x := range rates {
		if x == r {
			return true
		}
	}
	return false
}
