// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Package jwt issues and checks the HMAC-signed JSON Web Tokens of the
// account system. Signing, signature checks and the exp, iat, nbf and aud
// rules are github.com/golang-jwt/jwt/v5's; this package adds what that
// library leaves to its callers:
//
//   - Every purpose ("session", "email_change", ...) signs with its own key,
//     HMAC-SHA256(jwt_secret, purpose), so a token minted for one purpose can
//     never be replayed as another even if the purpose claim were ignored.
//   - The purpose claim itself, checked against the purpose asked for.
//   - iat written and read with microsecond precision, as a float
//     ("1735689600.123456"), so two tokens minted within the same second are
//     ordered correctly against a revocation cutoff. The tokens are
//     byte-compatible with those of the Python regstack (pyjwt).
//   - A size cap on incoming tokens, one error for every failure, and the
//     refusal of a token that names an audience when none is configured.
//
// The algorithm is pinned: a token whose header names any other algorithm,
// including "none", is rejected before its signature is looked at.
package jwt

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
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

// reserved are the claims the codec writes or checks itself; extras may not
// use them, and Parse does not report them in Claims.Extra.
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
	method   *jwt.SigningMethodHMAC
	secret   []byte
	audience string
	// keys holds the signing key of every purpose named to NewCodec,
	// derived once; it is never written after NewCodec returns.
	keys map[string][]byte
	// opts are the parser options that do not depend on the clock.
	opts []jwt.ParserOption
}

// NewCodec returns a Codec for HS256, HS384 or HS512 ("" means HS256).
// secret must be at least 32 bytes; audience may be empty. The key of
// PurposeSession and of every purpose listed is derived here, once; a
// purpose not listed still works, its key derived on each use.
func NewCodec(secret, algorithm, audience string, purposes ...string) (*Codec, error) {
	if len(secret) < MinSecretBytes {
		return nil, fmt.Errorf("jwt: jwt_secret is %d bytes, it must be at least %d; "+
			"generate one with `openssl rand -base64 48` (regstack gen writes one into regstack.secrets.env)",
			len(secret), MinSecretBytes)
	}
	var method *jwt.SigningMethodHMAC
	switch algorithm {
	case "", "HS256":
		method = jwt.SigningMethodHS256
	case "HS384":
		method = jwt.SigningMethodHS384
	case "HS512":
		method = jwt.SigningMethodHS512
	default:
		return nil, fmt.Errorf("jwt: unsupported algorithm %q (use HS256, HS384 or HS512)", algorithm)
	}
	c := &Codec{method: method, secret: []byte(secret), audience: audience, keys: map[string][]byte{}}
	for _, p := range append([]string{PurposeSession}, purposes...) {
		c.keys[p] = c.deriveKey(p)
	}
	c.opts = []jwt.ParserOption{
		jwt.WithValidMethods([]string{c.method.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(0),
	}
	if c.audience != "" {
		// aud may be a string or a list; the token must name this audience.
		c.opts = append(c.opts, jwt.WithAudience(c.audience))
	}
	return c, nil
}

// Algorithm returns the pinned algorithm.
func (c *Codec) Algorithm() string { return c.method.Alg() }

// purposeKey returns the signing key of one purpose: the one NewCodec
// derived, or a fresh derivation for a purpose it was not given.
func (c *Codec) purposeKey(purpose string) []byte {
	if k, ok := c.keys[purpose]; ok {
		return k
	}
	return c.deriveKey(purpose)
}

// deriveKey computes HMAC-SHA256(secret, purpose).
func (c *Codec) deriveKey(purpose string) []byte {
	m := hmac.New(sha256.New, c.secret)
	m.Write([]byte(purpose))
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
		ID:        base64.RawURLEncoding.EncodeToString(raw[:]),
		Purpose:   purpose,
		Audience:  c.audience,
		IssuedAt:  now.UTC().Truncate(time.Microsecond),
		ExpiresAt: time.Unix(now.Add(ttl).Unix(), 0).UTC(), // floor(now + ttl)
	}
	if len(extra) > 0 {
		claims.Extra = make(map[string]string, len(extra))
		for name, value := range extra {
			claims.Extra[name] = value
		}
	}

	// golang-jwt writes the header as {"alg":...,"typ":"JWT"} (sorted keys,
	// no spaces, like pyjwt) and the payload through claimSet.MarshalJSON.
	token, err := jwt.NewWithClaims(c.method, &claimSet{Claims: claims}).SignedString(c.purposeKey(purpose))
	if err != nil {
		return "", Claims{}, fmt.Errorf("jwt: signing: %w", err)
	}
	// Parse refuses longer tokens; minting one would hand out a link or a
	// session that can never be used.
	if len(token) > maxTokenBytes {
		return "", Claims{}, fmt.Errorf("jwt: token of %d bytes is longer than the %d Parse accepts (extra claims too long)", len(token), maxTokenBytes)
	}
	return token, claims, nil
}

// claimSet is a token's payload as golang-jwt handles it: it implements
// jwt.Claims for the library's exp, iat, nbf and aud checks, and reads and
// writes its own JSON so that iat keeps its microseconds (golang-jwt's
// NumericDate rounds to jwt.TimePrecision, a package-wide setting, and
// formats fractions differently from Python).
type claimSet struct {
	Claims

	// Set by UnmarshalJSON only: what a parsed token carried.
	iat, exp, nbf *jwt.NumericDate
	aud           jwt.ClaimStrings
	hasAud        bool // aud was present, whatever its value
}

// MarshalJSON writes the payload in a fixed order — sub, jti, iat, exp,
// purpose, aud (when configured), then the extra claims sorted by name —
// with iat a float written the way Python prints one and exp an integer, so
// the bytes match what pyjwt produces for the same claims:
// {"sub":"u1","jti":"...","iat":1735689600.123456,"exp":1735693200,...}.
func (s *claimSet) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	field := func(name, jsonValue string) {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quote(name))
		b.WriteByte(':')
		b.WriteString(jsonValue)
	}
	field("sub", quote(s.Subject))
	field("jti", quote(s.ID))
	field("iat", formatMicros(s.IssuedAt.UnixMicro()))
	field("exp", strconv.FormatInt(s.ExpiresAt.Unix(), 10))
	field("purpose", quote(s.Purpose))
	if s.Audience != "" {
		field("aud", quote(s.Audience))
	}
	names := make([]string, 0, len(s.Extra))
	for name := range s.Extra {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		field(name, quote(s.Extra[name]))
	}
	return []byte("{" + b.String() + "}"), nil
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
