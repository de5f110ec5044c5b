// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Whoever knows jwt_secret can sign a session for any account, so a secret
// someone could guess is as bad as none. A random value cannot be told from
// a chosen one for certain, but the usual mistakes can: one character
// repeated, a short pattern repeated, "change-me"-style phrases, a handful
// of different characters. CheckJWTSecret refuses those with a deliberately
// simple estimate, explained in docs/configuration.md, that 32 or more
// random bytes pass by a wide margin whether base64- or hex-encoded
// (regstack gen writes 64, base64url-encoded).
const (
	// MinSecretBytes is the shortest jwt_secret accepted.
	MinSecretBytes = 32
	// MinSecretBits is the least estimated randomness accepted: the
	// strength of a 128-bit key.
	MinSecretBits = 128
)

// Limits of the estimate.
const (
	// maxBitsPerChar caps what one character can add: a random base64
	// character carries 6 bits, and counting more would let a short
	// string with many different characters pass.
	maxBitsPerChar = 6.0
	// maxBitsPerWord caps a word of a phrase: a word picked at random
	// from a list of 4,096 is worth 12 bits however long it is (a diceware
	// word carries 12.9).
	maxBitsPerWord = 12.0
	// repeatSpan is the length of a sequence that, seen a second time,
	// counts as a repeat.
	repeatSpan = 4
)

// commonWords appear in hand-written placeholder secrets. Their letters add
// nothing to the estimate. They are compared case-insensitively and are at
// least three characters long, so a random string almost never contains one.
var commonWords = []string{
	"secret", "password", "passwd", "passphrase", "changeme", "change", "replace", "example",
	"default", "insecure", "sample", "dummy", "test", "testing", "development", "develop", "dev",
	"production", "prod", "staging", "local", "localhost", "jwt", "key", "token", "signing",
	"admin", "root", "please", "this", "your", "mine", "super", "very", "long", "random",
	"string", "value", "here", "regstack", "auth", "app", "letmein", "hunter", "qwerty",
	"asdf", "zxcv", "abc", "xyz", "123",
}

// CheckJWTSecret reports why secret is unfit to sign tokens, or nil. The
// message never contains the secret or any part of it.
func CheckJWTSecret(secret string) error {
	switch {
	case secret == "":
		return errors.New("not set; `regstack gen` writes a random one into regstack.secrets.env, " +
			"or set REGSTACK_JWT_SECRET to at least 32 random bytes (e.g. `openssl rand -base64 48`)")
	case len(secret) < MinSecretBytes:
		return fmt.Errorf("is %d bytes, it must be at least %d; generate one with `openssl rand -base64 48` "+
			"and put it in regstack.secrets.env as REGSTACK_JWT_SECRET", len(secret), MinSecretBytes)
	}
	e := estimateSecret(secret)
	if e.distinct == 1 {
		return fmt.Errorf("is one character repeated %d times, which anyone can guess; generate a random one "+
			"with `openssl rand -base64 48` and put it in regstack.secrets.env as REGSTACK_JWT_SECRET", len(secret))
	}
	if e.bits >= MinSecretBits {
		return nil
	}
	var why []string
	if e.repeats {
		why = append(why, "it repeats a sequence")
	}
	if e.runs {
		why = append(why, `it contains runs such as "aaaa" or "1234"`)
	}
	if e.words {
		why = append(why, `it contains words common in placeholder secrets (such as "secret" or "password")`)
	}
	if e.phrase {
		why = append(why, "it is a phrase, and a word counts no more than one picked from a list")
	}
	why = append(why, fmt.Sprintf("it uses %d different characters", e.distinct))
	return fmt.Errorf("looks guessable: %s; by a simple estimate it holds about %d bits of randomness, "+
		"at least %d are needed (see docs/configuration.md). Generate one with `openssl rand -base64 48` "+
		"and put it in regstack.secrets.env as REGSTACK_JWT_SECRET",
		strings.Join(why, ", "), int(e.bits), MinSecretBits)
}

// secretEstimate is the outcome of estimateSecret.
type secretEstimate struct {
	bits     float64
	distinct int
	// Which rules discounted characters.
	repeats, runs, words, phrase bool
}

// estimateSecret estimates the randomness of s in bits. Every byte is worth
// log2 of the number of different bytes in s (at most maxBitsPerChar),
// except that these are worth nothing:
//
//   - a byte that continues a run: the same step (-1, 0 or +1) from the
//     byte before as that one had from its predecessor ("aaa", "abc", "321");
//   - a byte that completes a sequence of repeatSpan bytes that already
//     occurred earlier in s (a repeated pattern);
//   - the letters of a common placeholder word (commonWords).
//
// A phrase (see phraseWords) is counted by its words instead: each word at
// most maxBitsPerWord, the separators nothing.
func estimateSecret(s string) secretEstimate {
	var e secretEstimate
	var seen [256]bool
	for i := 0; i < len(s); i++ {
		if !seen[s[i]] {
			seen[s[i]] = true
			e.distinct++
		}
	}
	perChar := math.Min(math.Log2(float64(e.distinct)), maxBitsPerChar)

	free := make([]bool, len(s)) // bytes that carry no randomness
	lower := asciiLower(s)       // byte for byte, so indexes match s
	for i := range len(s) {
		for _, w := range commonWords {
			if strings.HasPrefix(lower[i:], w) {
				for j := i; j < i+len(w); j++ {
					free[j] = true
				}
				e.words = true
			}
		}
	}
	sequences := map[string]bool{}
	for i := range len(s) {
		if i >= 2 {
			step := int(s[i]) - int(s[i-1])
			if step >= -1 && step <= 1 && step == int(s[i-1])-int(s[i-2]) {
				if !free[i] {
					e.runs = true
				}
				free[i] = true
			}
		}
		if i+1 >= repeatSpan {
			seq := s[i+1-repeatSpan : i+1]
			if sequences[seq] {
				if !free[i] {
					e.repeats = true
				}
				free[i] = true
			}
			sequences[seq] = true
		}
	}
	bits := func(from, to int) float64 {
		b := 0.0
		for i := from; i < to; i++ {
			if !free[i] {
				b += perChar
			}
		}
		return b
	}

	words, isPhrase := phraseWords(s)
	if !isPhrase {
		e.bits = bits(0, len(s))
		return e
	}
	e.phrase = true
	for _, w := range words {
		b := bits(w.from, w.to)
		if w.letters {
			b = math.Min(b, maxBitsPerWord)
		}
		e.bits += b
	}
	return e
}

// span is one word of a phrase: s[from:to].
type span struct {
	from, to int
	letters  bool // letters, not digits
}

// phraseWords splits s into its runs of ASCII letters and digits and
// reports whether s is a phrase: at least two of the runs are words
// (lowercase, uppercase or Capitalized letters) and every other run is
// digits only, as in "correct horse battery staple" or
// "My-Company-Secret-2024". A random string mixes letters of both cases
// and digits within its runs, so it is never taken for a phrase.
func phraseWords(s string) ([]span, bool) {
	var words []span
	letterWords := 0
	for i := 0; i < len(s); {
		if letterCase(s[i]) == 0 && !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && (letterCase(s[j]) != 0 || isDigit(s[j])) {
			j++
		}
		w := span{from: i, to: j}
		switch run := s[i:j]; {
		case allBytes(run, isDigit):
		case allBytes(run[1:], func(b byte) bool { return letterCase(b) == 'a' }) && letterCase(run[0]) != 0,
			allBytes(run, func(b byte) bool { return letterCase(b) == 'A' }):
			w.letters = true
			letterWords++
		default:
			return nil, false
		}
		words = append(words, w)
		i = j
	}
	return words, letterWords >= 2
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// letterCase is 'a' for a lowercase ASCII letter, 'A' for an uppercase one
// and 0 for any other byte.
func letterCase(b byte) byte {
	switch {
	case 'a' <= b && b <= 'z':
		return 'a'
	case 'A' <= b && b <= 'Z':
		return 'A'
	}
	return 0
}
