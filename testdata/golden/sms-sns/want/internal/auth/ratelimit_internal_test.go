// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"example.com/demo/internal/auth/config"
)

// The counters stay bounded: idle ones are swept, and a flood from more
// addresses than the table holds evicts old counters instead of growing.
func TestRateLimiterMemoryIsBounded(t *testing.T) {
	cfg := config.Default()
	cfg.LoginRateLimit = "1/minute;5/hour"
	l, err := newRateLimiter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l.max = 100
	route := l.routes["POST /login"]
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	addr := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{198, 51, byte(i >> 8), byte(i)}) }

	for i := range 1000 {
		if _, _, ok := l.allow(route, addr(i), now); !ok {
			t.Fatalf("first request of address %d refused", i)
		}
		if len(l.clients) > l.max {
			t.Fatalf("%d counters after %d addresses, limit %d", len(l.clients), i+1, l.max)
		}
	}
	// The most recent address is still counted.
	if _, _, ok := l.allow(route, addr(999), now); ok {
		t.Fatal("second request within the minute allowed")
	}

	// An hour later every window has ended: the next sweep empties the
	// table but for the caller's own new counter.
	now = now.Add(time.Hour)
	if _, _, ok := l.allow(route, addr(5000), now); !ok {
		t.Fatal("request after an hour refused")
	}
	if len(l.clients) != 1 {
		t.Fatalf("%d counters after the sweep, want 1", len(l.clients))
	}

	// A counter whose minute has ended but whose hour has not is kept.
	now = now.Add(2 * time.Minute)
	l.allow(route, addr(5001), now)
	if len(l.clients) != 2 {
		t.Fatalf("%d counters, want 2 (the hour window of the first is open)", len(l.clients))
	}
}

func TestClientAddrUnparseablePeer(t *testing.T) {
	// A peer address that is not IP:port (a Unix socket, say) is one
	// client; X-Forwarded-For is not believed for it.
	trusted := []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
	for _, remote := range []string{"@", "", "unix"} {
		r := newTestRequest(remote, "203.0.113.1")
		if got := clientAddr(r, trusted); got.IsValid() {
			t.Errorf("RemoteAddr %q: client %v, want the zero address", remote, got)
		}
	}
}

func newTestRequest(remote, forwarded string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/login", nil)
	r.RemoteAddr = remote
	r.Header.Set("X-Forwarded-For", forwarded)
	return r
}
