// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package jwt issues and checks the HMAC-signed JSON Web Tokens of the
// account system, byte-compatible with the Python regstack (pyjwt).
//
// Every purpose ("session", "password_reset", ...) signs with its own key,
// HMAC-SHA256(jwt_secret, purpose), so a token minted for one purpose can
// never be replayed as another even if the purpose claim were ignored. The
// algorithm is pinned: a token whose header names any other algorithm,
// including "none", is rejected before anything else is looked at.
package jwt

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ErrInvalid is wrapped by every error Parse returns. Callers answer every
// such failure the same way ("Invalid or expired token."), so the reason in
// the wrapped message is for logs only.
var ErrInvalid = errors.New("jwt: invalid or expired token")

// PurposeSession is the purpose of the bearer token returned by login.
const PurposeSession = "session"

// MinSecretBytes is the shortest jwt_secret NewCodec accepts.
const MinSecretBytes = 32

// maxTokenBytes bounds the work an attacker can make Parse do.
const maxTokenBytes = 8 << 10

// reserved are the claims the codec writes itself; extras may not use them.
var reserved = [...]string{"sub", "jti", "iat", "exp", "purpose", "aud", "nbf", "iss"}

// Claims are the decoded contents of a token.
type Claims struct {
	Subject  string // sub: the user id
	ID       string // jti: unique per token, used for revocation
	Purpose  string
	Audience string // aud, "" when none is configured
	// IssuedAt has microsecond precision (the float iat).
	IssuedAt time.Time
	// ExpiresAt is whole seconds (the int exp).
	ExpiresAt time.Time
	// Extra holds the other string claims (e.g. "new_email").
	Extra map[string]string
}

// Codec signs and checks tokens with one secret and algorithm. It is
// immutable and safe for concurrent use.
type Codec struct {
	alg      string
	header   string // base64url of the fixed header
	newHash  func() hash.Hash
	secret   []byte
	audience string
}

// NewCodec returns a Codec for HS256, HS384 or HS512 ("" means HS256).
// secret must be at least 32 bytes; audience may be empty.
func NewCodec(secret, algorithm, audience string) (*Codec, error) {
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("jwt: jwt_secret is %d bytes, it must be at least %d; "+
			"generate one with `openssl rand -base64 48` (regstack gen writes one into regstack.secrets.env)",
			len(secret), MinSecretBytes)
	}
	if algorithm == "" {
		algorithm = "HS256"
	}
	var newHash func() hash.Hash
	switch algorithm {
	case "HS256":
		newHash = sha256.New
	case "HS384":
		newHash = sha512.New384
	case "HS512":
		newHash = sha512.New
	default:
		return nil, fmt.Errorf("jwt: unsupported algorithm %q (use HS256, HS384 or HS512)", algorithm)
	}
	// pyjwt serialises the header with sorted keys and no spaces; writing the
	// same bytes keeps our tokens identical in shape to Python's.
	header := `{"alg":"` + algorithm + `","typ":"JWT"}`
	return &Codec{
		alg:      algorithm,
		header:   b64.EncodeToString([]byte(header)),
		newHash:  newHash,
		secret:   []byte(secret),
		audience: audience,
	}, nil
}

// Algorithm returns the pinned algorithm.
func (c *Codec) Algorithm() string { return c.alg }

var b64 = base64.RawURLEncoding

// purposeKey derives the signing key of one purpose.
func (c *Codec) purposeKey(purpose string) []byte {
	m := hmac.New(sha256.New, c.secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func (c *Codec) sign(purpose, signingInput string) []byte {
	m := hmac.New(c.newHash, c.purposeKey(purpose))
	m.Write([]byte(signingInput))
	return m.Sum(nil)
}

// Issue mints a token for subject valid from now for ttl. extra adds string
// claims (e.g. "new_email"); they may not reuse a standard claim name.
func (c *Codec) Issue(purpose, subject string, now time.Time, ttl time.Duration, extra map[string]string) (string, Claims, error) {
	if purpose == "" || subject == "" {
		return "", Claims{}, errors.New("jwt: purpose and subject are required")
	}
	if ttl <= 0 {
		return "", Claims{}, fmt.Errorf("jwt: ttl must be positive, got %v", ttl)
	}
	for _, name := range reserved {
		if _, ok := extra[name]; ok {
			return "", Claims{}, fmt.Errorf("jwt: extra claim %q would overwrite a standard claim", name)
		}
	}
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Claims{}, fmt.Errorf("jwt: reading random jti: %w", err)
	}
	claims := Claims{
		Subject:   subject,
		ID:        b64.EncodeToString(raw[:]),
		Purpose:   purpose,
		Audience:  c.audience,
		IssuedAt:  now.UTC().Truncate(time.Microsecond),
		ExpiresAt: time.Unix(now.Add(ttl).Unix(), 0).UTC(), // floor(now + ttl)
	}
	if len(extra) > 0 {
		claims.Extra = make(map[string]string, len(extra))
	}

	// Written by hand to keep the reference's claim order and the float iat.
	var b strings.Builder
	field := func(name, jsonValue string) {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quote(name))
		b.WriteByte(':')
		b.WriteString(jsonValue)
	}
	field("sub", quote(claims.Subject))
	field("jti", quote(claims.ID))
	field("iat", formatMicros(claims.IssuedAt.UnixMicro()))
	field("exp", strconv.FormatInt(claims.ExpiresAt.Unix(), 10))
	field("purpose", quote(purpose))
	if c.audience != "" {
		field("aud", quote(c.audience))
	}
	names := make([]string, 0, len(extra))
	for name := range extra {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		field(name, quote(extra[name]))
		claims.Extra[name] = extra[name]
	}
	payload := "{" + b.String() + "}"

	signingInput := c.header + "." + b64.EncodeToString([]byte(payload))
	token := signingInput + "." + b64.EncodeToString(c.sign(purpose, signingInput))
	return token, claims, nil
}

// quote JSON-encodes a string. Marshalling a string cannot fail.
func quote(s string) string {
	out, _ := json.Marshal(s)
	return string(out)
}

// formatMicros writes microseconds since the epoch as a JSON number with a
// fractional part, the way Python prints a float timestamp: "1735689600.0",
// "1735689600.12", "1735689600.123456". The text is exact, so parsing it
// back gives the same microsecond.
func formatMicros(us int64) string {
	sign := ""
	if us < 0 {
		sign = "-"
		us = -us
	}
	frac := strings.TrimRight(fmt.Sprintf("%06d", us%1e6), "0")
	if frac == "" {
		frac = "0"
	}
	return sign + strconv.FormatInt(us/1e6, 10) + "." + frac
}
