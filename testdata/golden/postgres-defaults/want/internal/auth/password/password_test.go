// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package password

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// cheap keeps the tests fast; the cost parameters do not change the format.
var cheap = Params{MemoryKiB: 1024, TimeCost: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

func TestDefaultParams(t *testing.T) {
	got := DefaultParams()
	want := Params{MemoryKiB: 65536, TimeCost: 3, Parallelism: 4, SaltLen: 16, KeyLen: 32}
	if got != want {
		t.Fatalf("DefaultParams() = %+v, want %+v", got, want)
	}
	if err := got.Validate(); err != nil {
		t.Fatalf("DefaultParams().Validate() = %v", err)
	}
}

func TestHashFormat(t *testing.T) {
	h := NewHasher(DefaultParams(), Limits{Concurrent: 2, Queue: 2, Wait: time.Second})
	encoded, err := h.Hash(context.Background(), "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=3,p=4\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)
	if !re.MatchString(encoded) {
		t.Fatalf("Hash() = %q, not an argon2-cffi style PHC string", encoded)
	}
	ph, ok := parse(encoded)
	if !ok || len(ph.salt) != 16 || len(ph.key) != 32 {
		t.Fatalf("parse(%q) = salt %d bytes, key %d bytes, ok %v", encoded, len(ph.salt), len(ph.key), ok)
	}
	ok, err = h.Verify(context.Background(), "correct horse battery staple", encoded)
	if err != nil || !ok {
		t.Fatalf("Verify(right password) = %v, %v", ok, err)
	}
}

func TestHashRoundTrip(t *testing.T) {
	h := NewHasher(cheap, Limits{Concurrent: 2, Queue: 2, Wait: time.Second})
	ctx := context.Background()
	for _, plain := range []string{"password123", "pässwörd-ünïcode", "", strings.Repeat("x", 128)} {
		encoded, err := h.Hash(ctx, plain)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := h.Verify(ctx, plain, encoded); err != nil || !ok {
			t.Errorf("Verify(%q, own hash) = %v, %v; want true", plain, ok, err)
		}
		if ok, err := h.Verify(ctx, plain+"!", encoded); err != nil || ok {
			t.Errorf("Verify(%q+\"!\", hash of %q) = %v, %v; want false", plain, plain, ok, err)
		}
	}
}

func TestHashUsesFreshSalt(t *testing.T) {
	h := NewHasher(cheap, Limits{Concurrent: 2, Queue: 2, Wait: time.Second})
	a, err := h.Hash(context.Background(), "same password")
	if err != nil {
		t.Fatal(err)
	}
	b, err := h.Hash(context.Background(), "same password")
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Fatalf("two hashes of one password are identical: %q", a)
	}
}

// Known answers computed with argon2-cffi 21.1.0 (Debian's python3-argon2):
//
//	argon2.low_level.hash_secret(b"password", b"somesaltsomesalt", time_cost=..,
//	    memory_cost=.., parallelism=.., hash_len=32, type=Type.ID)
func TestKnownAnswerMatchesArgon2CFFI(t *testing.T) {
	tests := []struct {
		params Params
		want   string
	}{
		{
			Params{MemoryKiB: 1024, TimeCost: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32},
			"$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$FiU+I6KbINfHoMBfkVDnS6qmzxgy7cg41IT8JQoCvvk",
		},
		{
			DefaultParams(),
			"$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$gduXp+Z6iReEolmbyHn5V8s1EtJzmEvZfYoY/Fn/AeI",
		},
	}
	for _, tt := range tests {
		if got := hashWithSalt(tt.params, "password", []byte("somesaltsomesalt")); got != tt.want {
			t.Errorf("hashWithSalt(%+v)\n got %s\nwant %s", tt.params, got, tt.want)
		}
		h := NewHasher(DefaultParams(), Limits{Concurrent: 1, Queue: 1, Wait: time.Second})
		if ok, err := h.Verify(context.Background(), "password", tt.want); err != nil || !ok {
			t.Errorf("Verify(argon2-cffi hash %s) = %v, %v; want true", tt.want, ok, err)
		}
	}
}

// Hashes written by argon2-cffi's PasswordHasher with parameters other than
// ours must verify: the parameters come from the stored string.
func TestVerifyForeignParameters(t *testing.T) {
	tests := []struct{ plain, encoded string }{
		// argon2-cffi 21.1 defaults: m=102400,t=2,p=8, 16-byte hash.
		{"correct horse battery staple", "$argon2id$v=19$m=102400,t=2,p=8$DDu7QJejf40Smlp9kmqLBA$pZ8kR11yP/JU49LvY6eidA"},
		// PasswordHasher(time_cost=2, memory_cost=8192, parallelism=2, hash_len=24, salt_len=12)
		{"pässwörd-ünïcode", "$argon2id$v=19$m=8192,t=2,p=2$FFg6idU5c/8Qo+eR$EnfD/ABP/LeDEK42QT4YZxQHYZ+s1w+P"},
	}
	h := NewHasher(cheap, Limits{Concurrent: 1, Queue: 1, Wait: time.Second})
	for _, tt := range tests {
		if ok, err := h.Verify(context.Background(), tt.plain, tt.encoded); err != nil || !ok {
			t.Errorf("Verify(%q) = %v, %v; want true", tt.encoded, ok, err)
		}
		if ok, err := h.Verify(context.Background(), tt.plain+"x", tt.encoded); err != nil || ok {
			t.Errorf("Verify(wrong, %q) = %v, %v; want false", tt.encoded, ok, err)
		}
	}
}

func TestVerifyMalformedIsFalse(t *testing.T) {
	const good = "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$FiU+I6KbINfHoMBfkVDnS6qmzxgy7cg41IT8JQoCvvk"
	if _, ok := parse(good); !ok {
		t.Fatal("the reference hash does not parse")
	}
	bad := []string{
		"password",
		"$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", // bcrypt
		strings.Replace(good, "argon2id", "argon2i", 1),
		strings.Replace(good, "argon2id", "argon2d", 1),
		strings.Replace(good, "v=19", "v=16", 1),
		strings.Replace(good, "$v=19", "", 1), // pre-1.3 format without version
		strings.Replace(good, "m=1024", "m=0", 1),
		strings.Replace(good, "m=1024", "m=4", 1), // below 8 KiB per lane
		strings.Replace(good, "m=1024", "m=99999999", 1),
		strings.Replace(good, "m=1024", "m=-1", 1),
		strings.Replace(good, "m=1024", "m=+1024", 1),
		strings.Replace(good, "t=1", "t=0", 1),
		strings.Replace(good, "t=1", "t=100000", 1),
		strings.Replace(good, "p=1", "p=0", 1),
		strings.Replace(good, "p=1", "p=256", 1),
		strings.Replace(good, "m=1024,t=1,p=1", "m=1024,t=1", 1),
		strings.Replace(good, "m=1024,t=1,p=1", "m=1024,t=1,p=1,x=2", 1),
		strings.Replace(good, "m=1024,t=1,p=1", "m=1024,m=1024,p=1", 1),
		strings.Replace(good, "m=1024,t=1,p=1", "m1024,t=1,p=1", 1),
		strings.Replace(good, "c29tZXNhbHRzb21lc2FsdA", "c29tZQ", 1),      // 4-byte salt
		strings.Replace(good, "c29tZXNhbHRzb21lc2FsdA", "not*base64!", 1), // bad salt
		strings.Replace(good, "FiU+I6KbINfHoMBfkVDnS6qmzxgy7cg41IT8JQoCvvk", "AAA", 1),
		strings.Replace(good, "FiU+I6KbINfHoMBfkVDnS6qmzxgy7cg41IT8JQoCvvk", "FiU+I6Kb==", 1),
		good + "$extra",
		good[:len(good)-44],
		"$argon2id$",
		"$$$$$",
	}
	h := NewHasher(cheap, Limits{Concurrent: 1, Queue: 1, Wait: time.Second})
	for _, encoded := range bad {
		ok, err := h.Verify(context.Background(), "password", encoded)
		if ok || err != nil {
			t.Errorf("Verify(%q) = %v, %v; want false, nil", encoded, ok, err)
		}
	}
}

func TestVerifyEmptyEncodedSpendsWork(t *testing.T) {
	// Heavy enough that the hash dominates scheduling noise.
	p := Params{MemoryKiB: 16 * 1024, TimeCost: 2, Parallelism: 1, SaltLen: 16, KeyLen: 32}
	h := NewHasher(p, Limits{Concurrent: 1, Queue: 1, Wait: time.Minute})
	ctx := context.Background()
	encoded, err := h.Hash(ctx, "password")
	if err != nil {
		t.Fatal(err)
	}
	// The fastest of a few runs is the least disturbed measurement.
	fastest := func(f func()) time.Duration {
		best := time.Duration(1<<63 - 1)
		for range 3 {
			start := time.Now()
			f()
			best = min(best, time.Since(start))
		}
		return best
	}
	genuine := fastest(func() { h.Verify(ctx, "wrong", encoded) })
	dummy := fastest(func() {
		ok, err := h.Verify(ctx, "wrong", "")
		if ok || err != nil {
			t.Errorf("Verify(empty) = %v, %v; want false, nil", ok, err)
		}
	})
	// A missing dummy hash is hundreds of times faster; a factor of 10
	// leaves room for a loaded machine without hiding that.
	if dummy < genuine/10 {
		t.Fatalf("Verify with an empty hash took %v, a real verification %v: unknown accounts would be detectable by timing", dummy, genuine)
	}
}

func TestBusyWhenSlotsStayTaken(t *testing.T) {
	h := NewHasher(cheap, Limits{Concurrent: 2, Queue: 2, Wait: 30 * time.Millisecond})
	ctx := context.Background()
	// Occupy both slots, as two long-running hashes would.
	h.slots <- struct{}{}
	h.slots <- struct{}{}

	start := time.Now()
	_, err := h.Hash(ctx, "password")
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with all slots taken: err = %v, want ErrBusy", err)
	}
	if waited := time.Since(start); waited < 25*time.Millisecond {
		t.Fatalf("Hash gave up after %v, before maxWait", waited)
	}
	if _, err := h.Verify(ctx, "password", "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$FiU+I6KbINfHoMBfkVDnS6qmzxgy7cg41IT8JQoCvvk"); !errors.Is(err, ErrBusy) {
		t.Fatalf("Verify with all slots taken: err = %v, want ErrBusy", err)
	}
	if _, err := h.Verify(ctx, "password", ""); !errors.Is(err, ErrBusy) {
		t.Fatalf("dummy Verify with all slots taken: err = %v, want ErrBusy", err)
	}

	// A slot freed while a caller waits is taken by that caller.
	done := make(chan error, 1)
	h2 := NewHasher(cheap, Limits{Concurrent: 1, Queue: 1, Wait: 5 * time.Second})
	h2.slots <- struct{}{}
	go func() {
		_, err := h2.Hash(ctx, "password")
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	<-h2.slots
	if err := <-done; err != nil {
		t.Fatalf("Hash after a slot was freed: %v", err)
	}

	// Slots are given back after use.
	<-h.slots
	<-h.slots
	for range 5 {
		if _, err := h.Hash(ctx, "password"); err != nil {
			t.Fatalf("Hash with free slots: %v", err)
		}
	}
	waitSlotsFree(t, h)
}

// A slot freed while callers are queued is theirs: a newcomer does not
// take over a slot that is finishing its collection ahead of them, or
// under a flood the queued would wait out their whole wait.
func TestQueuedCallersKeepTheirTurn(t *testing.T) {
	h := NewHasher(cheap, Limits{Concurrent: 1, Queue: 2, Wait: 10 * time.Second})
	ctx := context.Background()
	h.slots <- struct{}{} // the only slot, hashing
	results := make(chan error, 2)
	hash := func() {
		_, err := h.Hash(ctx, "password")
		results <- err
	}
	go hash()
	waitUntil(t, "the first caller queues", func() bool { return h.waiting.Load() == 1 })
	c := h.beginCollection() // the hash is done; its memory is being collected
	go hash()
	waitUntil(t, "the second caller queues", func() bool { return h.waiting.Load() == 2 })
	h.mu.Lock()
	claimed := !slices.Contains(h.collecting, c)
	h.mu.Unlock()
	if claimed {
		t.Fatal("a newcomer took over the collecting slot while a caller was queued")
	}
	h.endCollection(c)
	for range 2 {
		if err := <-results; err != nil {
			t.Fatalf("queued Hash: %v", err)
		}
	}
	waitSlotsFree(t, h)
}

// waitUntil polls cond for up to 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
	}
}

// waitSlotsFree waits until every slot of h is free: each is kept until
// the collection after its hash has ended, which the caller does not wait
// for.
func waitSlotsFree(t *testing.T, h *Hasher) {
	t.Helper()
	waitUntil(t, "every slot is given back", func() bool { return len(h.slots) == 0 })
}

// A slot whose hash is done and whose memory is being collected is free
// within one collection's time: a caller that finds it so waits for it,
// even one that may not wait for a hash, and only one caller gets it.
func TestSlotInCollectionIsNotBusy(t *testing.T) {
	h := NewHasher(cheap, Limits{Concurrent: 1}) // no waiting for a hash
	h.slots <- struct{}{}                        // the only slot: its hash is done
	c := h.beginCollection()                     // and its memory is being collected
	results := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := h.Hash(context.Background(), "password")
			results <- err
		}()
	}
	// One caller claims the collecting slot and waits; the other finds
	// nothing to claim and is refused at once.
	select {
	case err := <-results:
		if !errors.Is(err, ErrBusy) {
			t.Fatalf("the caller without a slot to claim got %v, want ErrBusy", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("neither caller was answered")
	}
	select {
	case err := <-results:
		t.Fatalf("the claimant returned %v before the collection ended", err)
	case <-time.After(50 * time.Millisecond):
	}
	h.endCollection(c)
	if err := <-results; err != nil {
		t.Fatalf("Hash after the collection it waited for: %v", err)
	}
	waitSlotsFree(t, h)
}

// TestBusyAnsweredAtOnceWhenTheWaitIsTooLong: a caller whose expected
// wait (the queue ahead of it times the measured hash time) exceeds maxWait
// is refused at once instead of after maxWait; one whose wait fits still
// waits and gets the slot.
func TestBusyAnsweredAtOnceWhenTheWaitIsTooLong(t *testing.T) {
	h := NewHasher(cheap, Limits{Concurrent: 1, Queue: 2, Wait: 300 * time.Millisecond})
	h.observe(200 * time.Millisecond) // hashes take 200 ms here
	testRefusedAtOnce(t, h, "maxWait is 300ms")
}

// TestBusyAnsweredAtOnceWhenTheQueueIsFull: with Limits.Queue callers
// already waiting, the next is refused at once, before any hash has been
// timed (the first callers of a flood) and however long maxWait is.
func TestBusyAnsweredAtOnceWhenTheQueueIsFull(t *testing.T) {
	h := NewHasher(cheap, Limits{Concurrent: 1, Queue: 1, Wait: time.Minute})
	testRefusedAtOnce(t, h, "the queue holds one")
}

// testRefusedAtOnce takes h's only slot, queues one caller behind it, and
// expects a second to get ErrBusy at once and the first to get the slot
// once it is free.
func testRefusedAtOnce(t *testing.T, h *Hasher, why string) {
	t.Helper()
	h.slots <- struct{}{} // one hash running
	ctx := context.Background()

	first := make(chan error, 1)
	go func() {
		_, err := h.Hash(ctx, "password") // next in line
		first <- err
	}()
	for h.waiting.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	if _, err := h.Hash(ctx, "password"); !errors.Is(err, ErrBusy) {
		t.Fatalf("second in line: err = %v, want ErrBusy (%s)", err, why)
	}
	if waited := time.Since(start); waited > 100*time.Millisecond {
		t.Fatalf("refused after %v, want at once (%s)", waited, why)
	}
	<-h.slots
	if err := <-first; err != nil {
		t.Fatalf("the caller that was admitted to wait: %v", err)
	}
}

func TestZeroWaitFailsFast(t *testing.T) {
	h := NewHasher(cheap, Limits{Concurrent: 1})
	h.slots <- struct{}{}
	if _, err := h.Hash(context.Background(), "password"); !errors.Is(err, ErrBusy) {
		t.Fatalf("err = %v, want ErrBusy", err)
	}
}

func TestContextRespected(t *testing.T) {
	h := NewHasher(cheap, Limits{Concurrent: 1, Queue: 1, Wait: time.Minute})
	h.slots <- struct{}{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.Hash(ctx, "password")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("Hash waited for maxWait instead of the context")
	}

	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	<-h.slots
	if _, err := h.Verify(cancelled, "p", ""); !errors.Is(err, context.Canceled) {
		t.Fatalf("Verify with a cancelled context: err = %v, want context.Canceled", err)
	}
}

func TestConcurrentUseStaysWithinLimit(t *testing.T) {
	h := NewHasher(cheap, Limits{Concurrent: 2, Queue: 8, Wait: time.Minute})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if len(h.slots) > 2 {
				errs <- errors.New("more slots in use than allowed")
			}
			enc, err := h.Hash(ctx, strings.Repeat("p", i+1))
			if err != nil {
				errs <- err
				return
			}
			if ok, err := h.Verify(ctx, strings.Repeat("p", i+1), enc); err != nil || !ok {
				errs <- errors.New("own hash did not verify")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestInvalidParamsAreAnErrorNotAPanic(t *testing.T) {
	for _, p := range []Params{
		{},
		{MemoryKiB: 1024, TimeCost: 1, Parallelism: 0, SaltLen: 16, KeyLen: 32},
		{MemoryKiB: 1024, TimeCost: 0, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		{MemoryKiB: 1024, TimeCost: 1, Parallelism: 1, SaltLen: 4, KeyLen: 32},
		{MemoryKiB: 1024, TimeCost: 1, Parallelism: 1, SaltLen: 16, KeyLen: 2},
		{MemoryKiB: 16, TimeCost: 1, Parallelism: 4, SaltLen: 16, KeyLen: 32},
	} {
		if _, err := NewHasher(p, Limits{Concurrent: 1, Queue: 1, Wait: time.Second}).Hash(context.Background(), "x"); err == nil {
			t.Errorf("Hash with %+v: no error", p)
		}
	}
	// Verify of an empty hash still spends work (falling back to the
	// default parameters) and does not fail.
	h := NewHasher(Params{}, Limits{Concurrent: 1, Queue: 1, Wait: time.Second})
	if ok, err := h.Verify(context.Background(), "x", ""); ok || err != nil {
		t.Errorf("Verify(empty) with invalid params = %v, %v; want false, nil", ok, err)
	}
}

func BenchmarkHash(b *testing.B) {
	h := NewHasher(DefaultParams(), Limits{Concurrent: 1, Queue: 1, Wait: time.Minute})
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
