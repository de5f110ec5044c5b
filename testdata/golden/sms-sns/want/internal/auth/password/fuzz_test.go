// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package password

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// formatPHC writes a parsed hash back in argon2-cffi's spelling.
func formatPHC(ph phc) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		ph.params.MemoryKiB, ph.params.TimeCost, ph.params.Parallelism, b64.EncodeToString(ph.salt), b64.EncodeToString(ph.key))
}

// FuzzParsePHC feeds arbitrary stored hashes to the PHC parser and to what
// reads it without hashing (ParamsPrefix, NeedsRehash). A stored hash is
// data: a corrupted or hostile row must be "no match", never a panic or a
// huge allocation. Properties: parse never panics; what it accepts has
// parameters inside Params.Validate's limits and salt and key of the
// lengths it reports; written back canonically it parses to the same
// values; ParamsPrefix is "" exactly when parse refuses, and otherwise a
// prefix of the input that, completed with any salt and key, parses to the
// same cost parameters.
func FuzzParsePHC(f *testing.F) {
	h := NewHasher(Params{MemoryKiB: 64, TimeCost: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}, Limits{Concurrent: 1, Queue: 1, Wait: time.Second})
	good, err := h.Hash(context.Background(), "correct horse battery")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		good,
		// argon2-cffi's own output for "password" with its defaults.
		"$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$4mHYUfBmmYXC0vKXvyl5BKKWmXAfu1tNx8TbRnSDsVo",
		"",
		"$",
		"$$$$$",
		"$argon2id$v=19$m=65536,t=3,p=4$$",
		"$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$aGFzaA",
		"$argon2d$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$aGFzaA",
		"$argon2id$v=16$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$t=3,m=65536,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=65536,t=3,p=4,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=65536,t=3$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=65536,t=3,p=4,x=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=4294967295,t=4294967295,p=255$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=4294967296,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=2097152,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=65536,t=0,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=65536,t=3,p=0$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=65536,t=3,p=256$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=+65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=0x10000,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=-1,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=065536,t=03,p=04$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ=$aGFzaGhhc2g=",
		"$argon2id$v=19$m=65536,t=3,p=4$c29tZ-NhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=65536,t=3,p=4$c29t$aGFzaGhhc2g",
		"$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGE",
		"$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 1400),
		"$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g$",
		" $argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$argon2id$v=19$m=65536,t=3,p=4$c29tZXNh\nbHRzb21lc2FsdA$aGFzaGhhc2g",
		"$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", // bcrypt
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ph, ok := parse(s)
		prefix := ParamsPrefix(s)
		if !ok {
			if prefix != "" {
				t.Fatalf("ParamsPrefix(%q) = %q for a string parse refuses", s, prefix)
			}
			if h.NeedsRehash(s) {
				t.Fatalf("NeedsRehash(%q) for a string parse refuses", s)
			}
			return
		}
		if err := ph.params.Validate(); err != nil {
			t.Fatalf("parse(%q) accepted parameters Validate refuses: %v", s, err)
		}
		if int(ph.params.SaltLen) != len(ph.salt) || int(ph.params.KeyLen) != len(ph.key) {
			t.Fatalf("parse(%q): lengths %d/%d, salt %d key %d bytes", s, ph.params.SaltLen, ph.params.KeyLen, len(ph.salt), len(ph.key))
		}
		canon := formatPHC(ph)
		again, ok := parse(canon)
		if !ok || again.params != ph.params || string(again.salt) != string(ph.salt) || string(again.key) != string(ph.key) {
			t.Fatalf("parse(%q) = %+v, but its canonical form %q parses to %+v, %v", s, ph, canon, again, ok)
		}
		if prefix == "" || !strings.HasPrefix(s, prefix) {
			t.Fatalf("ParamsPrefix(%q) = %q, not a prefix of a string parse accepts", s, prefix)
		}
		completed, ok := parse(prefix + "$" + dummySaltB64 + "$" + dummyKeyB64)
		if !ok || completed.params.MemoryKiB != ph.params.MemoryKiB || completed.params.TimeCost != ph.params.TimeCost ||
			completed.params.Parallelism != ph.params.Parallelism {
			t.Fatalf("ParamsPrefix(%q) = %q, which does not carry the cost parameters (%+v, %v)", s, prefix, completed.params, ok)
		}
		h.NeedsRehash(s)
	})
}

// FuzzHashVerify is the round trip through real hashing, with parameters
// kept small so that each run takes microseconds: a hash made with any
// valid parameters and salt verifies with its password and no other, and
// parses back to those parameters.
func FuzzHashVerify(f *testing.F) {
	f.Add("correct horse battery", []byte("0123456789abcdef"), uint8(8), uint8(1), uint8(1), uint8(32))
	f.Add("", []byte("saltsalt"), uint8(16), uint8(2), uint8(2), uint8(4))
	f.Add("ünïcödé\x00\xff", []byte("\x00\x00\x00\x00\x00\x00\x00\x00\x00"), uint8(255), uint8(3), uint8(4), uint8(255))
	f.Add("short", []byte("tiny"), uint8(8), uint8(1), uint8(1), uint8(32))         // salt below the minimum
	f.Add("x", []byte("0123456789abcdef"), uint8(1), uint8(1), uint8(2), uint8(32)) // memory below 8 KiB per lane
	h := NewHasher(DefaultParams(), Limits{Concurrent: 1, Queue: 1, Wait: time.Second})
	f.Fuzz(func(t *testing.T, plain string, salt []byte, memory, timeCost, lanes, keyLen uint8) {
		p := Params{
			MemoryKiB:   uint32(memory),
			TimeCost:    uint32(timeCost%4) + 1,
			Parallelism: lanes%8 + 1,
			SaltLen:     uint32(len(salt)),
			KeyLen:      uint32(keyLen),
		}
		if p.Validate() != nil {
			return
		}
		encoded := hashWithSalt(p, plain, salt)
		ph, ok := parse(encoded)
		if !ok || ph.params != p || string(ph.salt) != string(salt) {
			t.Fatalf("hash %q of params %+v does not parse back (%+v, %v)", encoded, p, ph.params, ok)
		}
		if formatPHC(ph) != encoded {
			t.Fatalf("hashWithSalt wrote %q, canonical form is %q", encoded, formatPHC(ph))
		}
		ctx := context.Background()
		if ok, err := h.Verify(ctx, plain, encoded); !ok || err != nil {
			t.Fatalf("Verify(%q, own hash %q) = %v, %v", plain, encoded, ok, err)
		}
		if ok, err := h.Verify(ctx, plain+"x", encoded); ok || err != nil {
			t.Fatalf("Verify(other password, %q) = %v, %v", encoded, ok, err)
		}
	})
}
