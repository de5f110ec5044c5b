// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package password hashes and verifies passwords with Argon2id.
//
// Hashes are PHC strings in exactly the format argon2-cffi writes
// (`$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>`, base64 without padding),
// so a database written by the Python regstack keeps working, and hashes
// made here verify there. Verification reads the cost parameters from the
// stored string, not from the current configuration, so raising the cost
// later does not lock anyone out.
//
// Argon2id is deliberately expensive in memory (64 MiB per hash by default).
// A Hasher therefore runs at most Limits.Concurrent hashes at a time and
// lets at most Limits.Queue callers wait for a slot; a caller beyond the
// queue, or one that would not get a slot within Limits.Wait, receives
// ErrBusy at once, which the HTTP layer turns into 503 with Retry-After
// instead of letting a login flood exhaust the machine's memory or hold
// every connection open.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// ErrBusy means no hashing slot was free and the caller could not wait for
// one: the queue was full, the expected wait was beyond Limits.Wait, or the
// wait ran out. The caller should answer 503 with a Retry-After header.
var ErrBusy = errors.New("password: hashing capacity exhausted, try again shortly")

// Params are the Argon2id cost parameters used for new hashes.
type Params struct {
	// MemoryKiB is the memory cost in KiB (argon2-cffi's memory_cost).
	MemoryKiB uint32
	// TimeCost is the number of passes over the memory.
	TimeCost uint32
	// Parallelism is the number of lanes.
	Parallelism uint8
	// SaltLen is the length of the random salt in bytes.
	SaltLen uint32
	// KeyLen is the length of the derived hash in bytes.
	KeyLen uint32
}

// DefaultParams returns argon2-cffi's defaults (RFC 9106's low-memory
// profile): 64 MiB, 3 passes, 4 lanes, 16-byte salt, 32-byte hash.
func DefaultParams() Params {
	return Params{MemoryKiB: 64 * 1024, TimeCost: 3, Parallelism: 4, SaltLen: 16, KeyLen: 32}
}

// Limits on parameters, both for new hashes and for parameters read back
// from a stored string. A stored hash is data: a corrupted or hostile row
// must not be able to make Verify allocate gigabytes or spin for minutes.
const (
	minSaltLen   = 8       // libargon2's ARGON2_MIN_SALT_LENGTH
	minKeyLen    = 4       // libargon2's ARGON2_MIN_OUTLEN
	maxKeyLen    = 1024    // far above any sane setting
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTimeCost  = 100
)

// Validate reports whether p can be used to hash. The rules are libargon2's
// own (so a hash made here is one argon2-cffi accepts), plus upper bounds.
func (p Params) Validate() error {
	switch {
	case p.TimeCost < 1 || p.TimeCost > maxTimeCost:
		return fmt.Errorf("password: time cost %d out of range 1..%d", p.TimeCost, maxTimeCost)
	case p.Parallelism < 1:
		return errors.New("password: parallelism must be at least 1")
	case p.MemoryKiB < 8*uint32(p.Parallelism) || p.MemoryKiB > maxMemoryKiB:
		return fmt.Errorf("password: memory %d KiB out of range %d..%d (at least 8 KiB per lane)",
			p.MemoryKiB, 8*uint32(p.Parallelism), maxMemoryKiB)
	case p.SaltLen < minSaltLen || p.SaltLen > maxKeyLen:
		return fmt.Errorf("password: salt length %d out of range %d..%d", p.SaltLen, minSaltLen, maxKeyLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("password: key length %d out of range %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Limits bound the work and the waiting of a Hasher.
type Limits struct {
	// Concurrent is the number of hashes computed at once (values below 1
	// mean 1); each takes Params.MemoryKiB of memory while it runs.
	Concurrent int
	// Queue is the number of callers that may wait for a slot while every
	// slot is busy (values below 0 mean 0). One waiter per slot keeps every
	// slot busy under load, since the next hash is ready the moment one
	// ends; a longer queue adds no throughput, it only makes every admitted
	// login wait longer, so a flood's excess is better refused at once.
	Queue int
	// Wait is the longest a caller waits for a slot (0: never wait).
	Wait time.Duration
}

// Hasher hashes and verifies passwords under a concurrency limit. It is safe
// for concurrent use; create one per application and share it.
type Hasher struct {
	params   Params
	slots    chan struct{}
	maxQueue int64
	maxWait  time.Duration
	// waiting counts the callers queued for a slot; hashTime is a moving
	// average of how long a slot is held, in nanoseconds (0 until the
	// first hash). Together they tell how long a newcomer would wait.
	waiting  atomic.Int64
	hashTime atomic.Int64

	// collecting lists the slots whose hash is done while the memory it
	// used is collected (see acquire), and no caller has claimed yet.
	mu         sync.Mutex
	collecting []collection
}

// collection is a slot being collected; the channel is closed when the
// collection has ended. A caller that finds every slot taken, with nobody
// queued, may claim it and take the slot over then, instead of queueing
// behind hashes.
type collection chan struct{}

// NewHasher returns a Hasher that makes new hashes with p within the limits
// l.
func NewHasher(p Params, l Limits) *Hasher {
	return &Hasher{
		params:   p,
		slots:    make(chan struct{}, max(l.Concurrent, 1)),
		maxQueue: int64(max(l.Queue, 0)),
		maxWait:  max(l.Wait, 0),
	}
}

// Params returns the parameters used for new hashes.
func (h *Hasher) Params() Params { return h.params }

// Hash returns the PHC string of plain with a fresh random salt.
func (h *Hasher) Hash(ctx context.Context, plain string) (string, error) {
	slot, err := h.Reserve(ctx)
	if err != nil {
		return "", err
	}
	return slot.Hash(plain)
}

// Verify reports whether plain matches the PHC string encoded.
//
// A malformed string, or one that is not Argon2id version 19, is simply "no
// match" (false, nil): there is nothing the caller could do differently. An
// empty encoded (an unknown account, or one without a password) also answers
// false, but only after computing a hash with the Hasher's parameters, so
// the time a login takes does not reveal whether the account exists. The
// only errors are ErrBusy and the context's error.
func (h *Hasher) Verify(ctx context.Context, plain, encoded string) (bool, error) {
	if encoded == "" {
		return false, h.dummy(ctx, plain)
	}
	ph, ok := parse(encoded)
	if !ok {
		return false, nil
	}
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	got := argon2.IDKey([]byte(plain), ph.salt, ph.params.TimeCost, ph.params.MemoryKiB, ph.params.Parallelism, ph.params.KeyLen)
	return subtle.ConstantTimeCompare(got, ph.key) == 1, nil
}

// dummy spends the same work as verifying against a real hash made with the
// Hasher's parameters, and under the same concurrency limit.
func (h *Hasher) dummy(ctx context.Context, plain string) error {
	return h.dummyWith(ctx, plain, h.params)
}

// VerifyDummy spends the work of verifying plain against a hash made with
// the parameters of the PHC prefix params ("$argon2id$v=19$m=65536,t=3,p=4",
// the part of a stored hash before the salt), and reports nothing: it is
// what a sign-in for an unknown address costs when the accounts it must
// look like were hashed with those parameters. An empty, malformed or
// out-of-limits prefix costs the Hasher's own parameters.
func (h *Hasher) VerifyDummy(ctx context.Context, plain, params string) error {
	p := h.params
	if params != "" {
		if ph, ok := parse(params + "$" + dummySaltB64 + "$" + dummyKeyB64); ok {
			p.MemoryKiB, p.TimeCost, p.Parallelism = ph.params.MemoryKiB, ph.params.TimeCost, ph.params.Parallelism
		}
	}
	return h.dummyWith(ctx, plain, p)
}

// A syntactically valid salt and key, only to parse a parameter prefix.
var (
	dummySaltB64 = b64.EncodeToString(make([]byte, 16))
	dummyKeyB64  = b64.EncodeToString(make([]byte, 32))
)

func (h *Hasher) dummyWith(ctx context.Context, plain string, p Params) error {
	if p.Validate() != nil {
		p = DefaultParams()
	}
	release, err := h.acquire(ctx)
	if err != nil {
		return err
	}
	defer release()
	salt := make([]byte, p.SaltLen)
	got := argon2.IDKey([]byte(plain), salt, p.TimeCost, p.MemoryKiB, p.Parallelism, p.KeyLen)
	// Compare like a real verification would; the result is always false.
	subtle.ConstantTimeCompare(got, make([]byte, len(got)+1))
	return nil
}

// NeedsRehash reports whether encoded, a hash that just verified, was made
// with other parameters than the Hasher's (memory, passes, lanes, salt or
// key length), so the caller should store a fresh hash of the same
// password. A string that does not parse needs nothing: it never verifies.
func (h *Hasher) NeedsRehash(encoded string) bool {
	ph, ok := parse(encoded)
	if !ok || h.params.Validate() != nil {
		return false
	}
	p := h.params
	return ph.params.MemoryKiB != p.MemoryKiB || ph.params.TimeCost != p.TimeCost ||
		ph.params.Parallelism != p.Parallelism || uint32(len(ph.salt)) != p.SaltLen || uint32(len(ph.key)) != p.KeyLen
}

// ParamsPrefix returns the parameter part of a PHC string, everything
// before the salt ("$argon2id$v=19$m=65536,t=3,p=4"), or "" when encoded is
// not one. Stores group hashes by it (store.Store.PasswordParams).
func ParamsPrefix(encoded string) string {
	if _, ok := parse(encoded); !ok {
		return ""
	}
	i := strings.LastIndex(encoded, "$")
	i = strings.LastIndex(encoded[:i], "$")
	return encoded[:i]
}

// Slot is a hashing slot taken ahead of the hash it is for; see Reserve.
type Slot struct {
	h       *Hasher
	release func()
}

// Reserve takes a hashing slot now for one Hash later: a caller that must
// not consume something (a one-time token) unless it can also hash uses it
// to get ErrBusy before, not after. Release the slot when done; releasing
// twice is harmless.
func (h *Hasher) Reserve(ctx context.Context) (*Slot, error) {
	if err := h.params.Validate(); err != nil {
		return nil, err
	}
	release, err := h.acquire(ctx)
	if err != nil {
		return nil, err
	}
	return &Slot{h: h, release: release}, nil
}

// Hash hashes plain with the Hasher's parameters in the reserved slot and
// gives the slot back.
func (s *Slot) Hash(plain string) (string, error) {
	if s.release == nil {
		return "", errors.New("password: slot already released")
	}
	salt := make([]byte, s.h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		s.Release()
		return "", fmt.Errorf("password: reading random salt: %w", err)
	}
	defer s.Release()
	return hashWithSalt(s.h.params, plain, salt), nil
}

// Release gives the slot back.
func (s *Slot) Release() {
	if s.release != nil {
		s.release()
		s.release = nil
	}
}

// acquire takes a hashing slot, waiting at most maxWait and never past the
// context's deadline. The returned func gives the slot back.
func (h *Hasher) acquire(ctx context.Context) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var start time.Time
	release := func() {
		// Each Argon2id call allocates its whole memory cost afresh, and
		// Go's collector lets the heap grow to about twice the live heap
		// before it runs. Collecting before the slot is handed on lets the
		// next hash reuse this one's memory, so the process peaks near
		// Limits.Concurrent × memory cost instead of twice that
		// (BenchmarkLoginFlood). With the cores busy hashing a collection
		// is not free, so the holding time measured includes it: that is
		// what the next caller waits for.
		//
		// The caller that hashed does not wait for it: the slot stays
		// taken until the collection ends, in the background, so a
		// sign-in answers as soon as its own hash is done (with the cores
		// busy hashing, a collection took 53 ms at the median under
		// bench/floor.sh's login load; docs/benchmarks.md).
		c := h.beginCollection()
		go func() {
			runtime.GC()
			h.observe(time.Since(start))
			h.endCollection(c)
		}()
	}
	select {
	case h.slots <- struct{}{}:
		start = time.Now()
		return release, nil
	default:
	}
	// A slot that is only finishing its collection is free within one
	// collection's time: take it over rather than queue behind hashes or
	// be refused as if it were hashing (TestSlotInCollectionIsNotBusy),
	// unless callers are queued already: a freed slot is theirs, and a
	// newcomer that took it over would make them wait out maxWait under a
	// flood (BenchmarkLoginFlood's refused p99).
	if h.waiting.Load() == 0 {
		if c := h.claimCollecting(); c != nil {
			<-c
			if err := ctx.Err(); err != nil {
				<-h.slots
				return nil, err
			}
			start = time.Now()
			return release, nil
		}
	}
	if h.maxWait <= 0 {
		return nil, ErrBusy
	}
	// Admission: every slot is busy, so this caller may wait only if the
	// queue has room (Limits.Queue) and, once a hash has been timed, if the
	// slot it can expect comes within maxWait: with n callers queued ahead
	// it gets one after about ceil((n+1)/slots) hashes. Otherwise waiting
	// would only delay an ErrBusy or every admitted login behind it:
	// refuse now, so a flood's excess is answered at once instead of each
	// refusal holding a connection for maxWait
	// (TestBusyAnsweredAtOnceWhenTheQueueIsFull,
	// TestBusyAnsweredAtOnceWhenTheWaitIsTooLong).
	queued := h.waiting.Add(1)
	defer h.waiting.Add(-1)
	if queued > h.maxQueue {
		return nil, ErrBusy
	}
	if avg := time.Duration(h.hashTime.Load()); avg > 0 {
		rounds := (queued + int64(cap(h.slots)) - 1) / int64(cap(h.slots))
		if time.Duration(rounds)*avg > h.maxWait {
			return nil, ErrBusy
		}
	}
	timer := time.NewTimer(h.maxWait)
	defer timer.Stop()
	select {
	case h.slots <- struct{}{}:
		start = time.Now()
		return release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-timer.C:
		return nil, ErrBusy
	}
}

// beginCollection records that a slot, still taken, is being collected.
func (h *Hasher) beginCollection() collection {
	c := make(collection)
	h.mu.Lock()
	h.collecting = append(h.collecting, c)
	h.mu.Unlock()
	return c
}

// endCollection ends c: the slot passes to the caller that claimed it, or
// is given back when c is still unclaimed.
func (h *Hasher) endCollection(c collection) {
	h.mu.Lock()
	i := slices.Index(h.collecting, c)
	if i >= 0 {
		h.collecting = slices.Delete(h.collecting, i, i+1)
	}
	h.mu.Unlock()
	if i >= 0 {
		<-h.slots
	}
	close(c)
}

// claimCollecting claims a slot being collected that no other caller has
// claimed, or returns nil when there is none.
func (h *Hasher) claimCollecting() collection {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.collecting) == 0 {
		return nil
	}
	c := h.collecting[0]
	h.collecting = h.collecting[1:]
	return c
}

// observe folds one slot's holding time into the moving average (weight
// 1/8: it follows a change of load or parameters within a few hashes).
func (h *Hasher) observe(d time.Duration) {
	for {
		old := h.hashTime.Load()
		next := int64(d)
		if old > 0 {
			next = old + (int64(d)-old)/8
		}
		if h.hashTime.CompareAndSwap(old, next) {
			return
		}
	}
}
