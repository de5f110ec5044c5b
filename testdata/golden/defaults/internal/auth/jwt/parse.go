// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package jwt

import (
	"bytes"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Parse checks token for purpose at time now and returns its claims. The
// signature is checked before any claim is trusted. With no leeway, the
// token is refused when it expired (now >= exp), when it claims to be
// issued in the future (iat > now), and before its nbf (now < nbf) if it
// has one. Every failure wraps ErrInvalid.
func (c *Codec) Parse(token, purpose string, now time.Time) (Claims, error) {
	if len(token) > maxTokenBytes {
		return Claims{}, invalid("token too long")
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return Claims{}, invalid("not a JWS compact token")
	}
	headerJSON, err := b64.DecodeString(parts[0])
	if err != nil {
		return Claims{}, invalid("header is not base64url")
	}
	var header map[string]any
	if err := json.Unmarshal(headerJSON, &header); err != nil {
		return Claims{}, invalid("header is not a JSON object")
	}
	if alg, _ := header["alg"].(string); alg != c.alg {
		return Claims{}, invalid("algorithm %q not allowed", header["alg"])
	}
	if _, ok := header["crit"]; ok {
		// RFC 7515 §4.1.11: extensions we do not understand must be refused.
		return Claims{}, invalid("critical header extensions are not supported")
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return Claims{}, invalid("signature is not base64url")
	}
	if !hmac.Equal(sig, c.sign(purpose, parts[0]+"."+parts[1])) {
		return Claims{}, invalid("signature mismatch")
	}

	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		return Claims{}, invalid("payload is not base64url")
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return Claims{}, invalid("payload is not a JSON object")
	}

	var claims Claims
	for _, req := range []struct {
		name string
		dst  *string
	}{{"sub", &claims.Subject}, {"jti", &claims.ID}, {"purpose", &claims.Purpose}} {
		v, ok := raw[req.name]
		if !ok {
			return Claims{}, invalid("missing %s claim", req.name)
		}
		if err := json.Unmarshal(v, req.dst); err != nil || *req.dst == "" {
			return Claims{}, invalid("%s claim must be a non-empty string", req.name)
		}
	}
	if claims.Purpose != purpose {
		return Claims{}, invalid("token purpose mismatch")
	}
	if claims.IssuedAt, err = numericDate(raw, "iat"); err != nil {
		return Claims{}, err
	}
	if claims.ExpiresAt, err = numericDate(raw, "exp"); err != nil {
		return Claims{}, err
	}
	if err := c.checkAudience(raw, &claims); err != nil {
		return Claims{}, err
	}
	if !now.Before(claims.ExpiresAt) {
		return Claims{}, invalid("token expired")
	}
	// A token from the future was minted by a clock that is wrong or by
	// someone holding the key; either way it must not outlive its real
	// lifetime, nor slip past a revocation cutoff that compares iat.
	if claims.IssuedAt.After(now) {
		return Claims{}, invalid("token issued in the future")
	}
	if _, ok := raw["nbf"]; ok {
		notBefore, err := numericDate(raw, "nbf")
		if err != nil {
			return Claims{}, err
		}
		if now.Before(notBefore) {
			return Claims{}, invalid("token not valid yet (nbf)")
		}
	}

	for name, v := range raw {
		if isReserved(name) {
			continue
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			continue // only string claims are exposed
		}
		if claims.Extra == nil {
			claims.Extra = map[string]string{}
		}
		claims.Extra[name] = s
	}
	return claims, nil
}

func isReserved(name string) bool {
	for _, r := range reserved {
		if r == name {
			return true
		}
	}
	return false
}

// checkAudience follows pyjwt: with an audience configured the token must
// name it (aud may be a string or a list); without one, a token that carries
// aud is rejected, since it was meant for some other service.
func (c *Codec) checkAudience(raw map[string]json.RawMessage, claims *Claims) error {
	v, present := raw["aud"]
	if c.audience == "" {
		if present {
			return invalid("token has an audience but none is configured")
		}
		return nil
	}
	if !present {
		return invalid("missing aud claim")
	}
	var one string
	if json.Unmarshal(v, &one) == nil {
		if one != c.audience {
			return invalid("audience mismatch")
		}
		claims.Audience = one
		return nil
	}
	var many []string
	if json.Unmarshal(v, &many) != nil {
		return invalid("aud claim must be a string or a list of strings")
	}
	for _, a := range many {
		if a == c.audience {
			claims.Audience = a
			return nil
		}
	}
	return invalid("audience mismatch")
}

// numericDate reads an int or float seconds claim with microsecond precision.
// The decimal text is parsed directly rather than through float64, so
// "1735689600.123456" is exactly that microsecond.
func numericDate(raw map[string]json.RawMessage, name string) (time.Time, error) {
	v, ok := raw[name]
	if !ok {
		return time.Time{}, invalid("missing %s claim", name)
	}
	// A json.Number also accepts a quoted number; a NumericDate may not be a string.
	var n json.Number
	if bytes.HasPrefix(bytes.TrimSpace(v), []byte(`"`)) || json.Unmarshal(v, &n) != nil {
		return time.Time{}, invalid("%s claim must be a number", name)
	}
	us, ok := parseMicros(n.String())
	if !ok {
		return time.Time{}, invalid("%s claim is out of range", name)
	}
	return time.UnixMicro(us).UTC(), nil
}

// maxSeconds keeps microsecond arithmetic far from int64 overflow (year ~294k).
const maxSeconds = 9e12

// parseMicros converts a JSON number to microseconds, rounding to the
// nearest microsecond.
func parseMicros(s string) (int64, bool) {
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Abs(f) > maxSeconds {
			return 0, false
		}
		return int64(math.Round(f * 1e6)), true
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || sec > maxSeconds {
		return 0, false
	}
	// Round the fraction to six digits.
	digits := (frac + "0000000")[:7]
	us, err := strconv.ParseInt(digits[:6], 10, 64)
	if err != nil {
		return 0, false
	}
	if digits[6] >= '5' {
		us++
	}
	total := sec*1e6 + us
	if neg {
		total = -total
	}
	return total, true
}
