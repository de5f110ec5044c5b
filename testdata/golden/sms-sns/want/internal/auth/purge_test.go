// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"example.com/demo/internal/auth/config"
	"example.com/demo/internal/auth/store"
)

// purgeStore records PurgeExpired calls; every other method is absent.
type purgeStore struct {
	store.Store
	mu    sync.Mutex
	calls [][2]time.Time // now, attemptsBefore
	fail  bool
}

func (s *purgeStore) PurgeExpired(_ context.Context, now, attemptsBefore time.Time) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, [2]time.Time{now, attemptsBefore})
	if s.fail {
		return 0, errors.New("disk on fire")
	}
	return 7, nil
}

func (s *purgeStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

func (s *purgeStore) call(i int) [2]time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[i]
}

func (s *purgeStore) setFail(fail bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = fail
}

// purgeClock is the injected clock: a fixed instant far from the real time,
// so the test can tell which clock the purge read.
type purgeClock struct{ at time.Time }

func (c purgeClock) Now() time.Time { return c.at }

// lockedLog is a log destination safe for the purge goroutine.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func purgeAuth(t *testing.T, interval int, s store.Store, clock Clock, logs *lockedLog) *Auth {
	t.Helper()
	cfg := config.Default()
	cfg.JWTSecret = "NyhV4WCcuwl6rGJFiFykkFHC4_xBPlGP0F6jpgDmcaA"
	cfg.PurgeIntervalSeconds = interval
	cfg.LoginLockoutWindowSeconds = 900
	a, err := New(context.Background(), cfg, WithStore(s), WithClock(clock),
		WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The purge New starts runs every purge_interval_seconds ±10 %, the first
// time one interval after New, with the injected clock's time; a failed run
// is logged and the loop goes on; Close stops it. testing/synctest runs
// the loop's timers on a fake clock, so hours pass in no time.
func TestPurgeLoopRunsAndStopsOnClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &purgeStore{}
		now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
		logs := &lockedLog{}
		a := purgeAuth(t, 600, s, purgeClock{now}, logs)

		// Nothing before 90 % of an interval, one run by 110 %.
		time.Sleep(540*time.Second - time.Millisecond)
		synctest.Wait()
		if n := s.count(); n != 0 {
			t.Fatalf("%d purges before 90 %% of the first interval", n)
		}
		time.Sleep(120*time.Second + 2*time.Millisecond)
		synctest.Wait()
		if n := s.count(); n != 1 {
			t.Fatalf("%d purges by 110 %% of the first interval, want 1", n)
		}
		// now is the injected clock's; attempts are kept for the longest
		// counting window: the mail budget's hour beats the 15-minute lockout.
		if got := s.call(0); !got[0].Equal(now) || !got[1].Equal(now.Add(-time.Hour)) {
			t.Fatalf("PurgeExpired(now %v, attemptsBefore %v), want (%v, %v)", got[0], got[1], now, now.Add(-time.Hour))
		}
		if l := logs.String(); !strings.Contains(l, "purged expired rows") || !strings.Contains(l, "deleted=7") {
			t.Errorf("the run was not logged with its count:\n%s", l)
		}

		// A failing run is logged, and the loop keeps going.
		s.setFail(true)
		time.Sleep(660 * time.Second)
		synctest.Wait()
		if n := s.count(); n != 2 {
			t.Fatalf("%d purges after two intervals, want 2", n)
		}
		if l := logs.String(); !strings.Contains(l, "level=ERROR") || !strings.Contains(l, "disk on fire") {
			t.Errorf("the failure was not logged:\n%s", l)
		}
		s.setFail(false)
		time.Sleep(10 * 660 * time.Second)
		synctest.Wait()
		if n := s.count(); n < 12 || n > 14 {
			t.Fatalf("%d purges after 12 intervals of 540..660 s", n)
		}

		// Close stops it: no run ever after. synctest.Test also fails if
		// the goroutine were still alive when this function returns.
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		n := s.count()
		time.Sleep(24 * time.Hour)
		synctest.Wait()
		if s.count() != n {
			t.Fatalf("purged after Close: %d runs, then %d", n, s.count())
		}
	})
}

// purge_interval_seconds = 0 starts nothing.
func TestPurgeOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := &purgeStore{}
		a := purgeAuth(t, 0, s, purgeClock{time.Now()}, &lockedLog{})
		if a.purge.stop != nil {
			t.Fatal("a purge loop runs with purge_interval_seconds = 0")
		}
		time.Sleep(30 * 24 * time.Hour)
		synctest.Wait()
		if n := s.count(); n != 0 {
			t.Fatalf("%d purges with the purge off", n)
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

// The lockout window counts when it is the longest; PurgeExpired returns
// the store's count and refuses while the database is not open.
func TestPurgeExpiredOnce(t *testing.T) {
	s := &purgeStore{}
	now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	cfg := config.Default()
	cfg.LoginLockoutWindowSeconds = 2 * 3600
	a := &Auth{cfg: cfg, clock: purgeClock{now}}
	if _, err := a.PurgeExpired(context.Background()); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("before the database is open: err = %v, want ErrUnavailable", err)
	}
	a.useStore(s, false)
	n, err := a.PurgeExpired(context.Background())
	if err != nil || n != 7 {
		t.Fatalf("PurgeExpired = %d, %v; want 7", n, err)
	}
	if got := s.call(0)[1]; !got.Equal(now.Add(-2 * time.Hour)) {
		t.Fatalf("attemptsBefore %v, want now - 2h (the lockout window)", got)
	}
}

func TestJittered(t *testing.T) {
	seen := map[bool]int{}
	for range 1000 {
		d := jittered(time.Hour)
		if d < 54*time.Minute || d > 66*time.Minute {
			t.Fatalf("jittered(1h) = %v, outside ±10 %%", d)
		}
		seen[d < time.Hour]++
	}
	if seen[true] == 0 || seen[false] == 0 {
		t.Fatalf("jitter goes one way only: %v", seen)
	}
}
