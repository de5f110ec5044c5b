// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package jwt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Parse checks token for purpose at time now and returns its claims. Every
// failure wraps ErrInvalid.
//
// golang-jwt checks, in this order: the header's algorithm is the pinned
// one, the signature under the purpose's key, then with no leeway: the
// token has not expired (now < exp), was not issued in the future
// (iat <= now), is past its nbf if it has one (now >= nbf), and names the
// configured audience. Parse then requires sub, jti, purpose and iat, the
// purpose asked for, and no aud when no audience is configured.
func (c *Codec) Parse(token, purpose string, now time.Time) (Claims, error) {
	if len(token) > maxTokenBytes {
		return Claims{}, invalid("token too long")
	}
	var set claimSet
	_, err := jwt.ParseWithClaims(token, &set, func(t *jwt.Token) (any, error) {
		// RFC 7515 §4.1.11: extensions we do not understand must be refused.
		if _, ok := t.Header["crit"]; ok {
			return nil, errors.New("critical header extensions are not supported")
		}
		// The key follows from the purpose asked for, never from the token.
		return c.purposeKey(purpose), nil
	}, c.parserOptions(now)...)
	if err != nil {
		return Claims{}, invalid("%s", reason(err))
	}

	for _, req := range [...]struct{ name, value string }{
		{"sub", set.Subject}, {"jti", set.ID}, {"purpose", set.Purpose},
	} {
		if req.value == "" {
			return Claims{}, invalid("%s claim missing or empty", req.name)
		}
	}
	if set.Purpose != purpose {
		return Claims{}, invalid("token purpose mismatch")
	}
	// Revocation compares iat with a cutoff, so a token without one is refused.
	if set.iat == nil {
		return Claims{}, invalid("missing iat claim")
	}
	// Like pyjwt: a token addressed to some audience was meant for another
	// service when this one has none configured.
	if c.audience == "" && set.hasAud {
		return Claims{}, invalid("token has an audience but none is configured")
	}
	claims := set.Claims
	claims.Audience = c.audience // golang-jwt checked the token names it
	return claims, nil
}

// parserOptions are the rules golang-jwt applies, with now as the clock:
// the fixed ones NewCodec built, and the clock.
func (c *Codec) parserOptions(now time.Time) []jwt.ParserOption {
	opts := make([]jwt.ParserOption, len(c.opts), len(c.opts)+1)
	copy(opts, c.opts)
	return append(opts, jwt.WithTimeFunc(func() time.Time { return now }))
}

// reason names the check a token failed, for the log.
func reason(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "token expired"
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		// A token from the future was minted by a clock that is wrong or
		// by someone holding the key; either way it must not outlive its
		// real lifetime, nor slip past a revocation cutoff that compares iat.
		return "token issued in the future"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "token not valid yet (nbf)"
	}
	return err.Error()
}

// The jwt.Claims methods golang-jwt validates a token through.

func (s *claimSet) GetExpirationTime() (*jwt.NumericDate, error) { return s.exp, nil }
func (s *claimSet) GetIssuedAt() (*jwt.NumericDate, error)       { return s.iat, nil }
func (s *claimSet) GetNotBefore() (*jwt.NumericDate, error)      { return s.nbf, nil }
func (s *claimSet) GetIssuer() (string, error)                   { return "", nil }
func (s *claimSet) GetSubject() (string, error)                  { return s.Subject, nil }
func (s *claimSet) GetAudience() (jwt.ClaimStrings, error)       { return s.aud, nil }

// UnmarshalJSON reads a payload. golang-jwt calls it before checking the
// signature, so it only decodes: a claim of the wrong type is an error, a
// missing one is left for Parse and golang-jwt to refuse. iat, exp and nbf
// keep their microseconds (see numericDate).
func (s *claimSet) UnmarshalJSON(data []byte) error {
	*s = claimSet{}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil || raw == nil {
		return errors.New("payload is not a JSON object")
	}
	for _, str := range [...]struct {
		name string
		dst  *string
	}{{"sub", &s.Subject}, {"jti", &s.ID}, {"purpose", &s.Purpose}} {
		if v, ok := raw[str.name]; ok && decodeString(v, str.dst) != nil {
			return fmt.Errorf("%s claim must be a string", str.name)
		}
	}
	for _, date := range [...]struct {
		name string
		dst  **jwt.NumericDate
	}{{"iat", &s.iat}, {"exp", &s.exp}, {"nbf", &s.nbf}} {
		v, ok := raw[date.name]
		if !ok {
			continue
		}
		t, err := numericDate(v)
		if err != nil {
			return fmt.Errorf("%s claim %w", date.name, err)
		}
		// A struct literal, not jwt.NewNumericDate, which would round to
		// jwt.TimePrecision (whole seconds by default).
		*date.dst = &jwt.NumericDate{Time: t}
	}
	if s.iat != nil {
		s.IssuedAt = s.iat.Time
	}
	if s.exp != nil {
		s.ExpiresAt = s.exp.Time
	}
	if v, ok := raw["aud"]; ok {
		s.hasAud = true
		if err := s.aud.UnmarshalJSON(v); err != nil {
			return errors.New("aud claim must be a string or a list of strings")
		}
	}
	for name, v := range raw {
		if isReserved(name) {
			continue
		}
		var value string
		if decodeString(v, &value) != nil {
			continue // only string claims are exposed
		}
		if s.Extra == nil {
			s.Extra = map[string]string{}
		}
		s.Extra[name] = value
	}
	return nil
}

// decodeString is json.Unmarshal into a string, without reflection for
// the common case: a JSON string without escapes and with valid UTF-8 is
// its own text between the quotes (raw is a value the JSON decoder already
// checked). Anything else goes through json.Unmarshal, which replaces
// invalid UTF-8 with U+FFFD and refuses what is not a string.
func decodeString(raw json.RawMessage, dst *string) error {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' &&
		bytes.IndexByte(raw[1:n-1], '\\') < 0 && utf8.Valid(raw[1:n-1]) {
		*dst = string(raw[1 : n-1])
		return nil
	}
	return json.Unmarshal(raw, dst)
}

func isReserved(name string) bool {
	for _, r := range reserved {
		if r == name {
			return true
		}
	}
	return false
}

// numericDate reads an int or float seconds claim with microsecond precision.
// The decimal text is parsed directly rather than through float64, so
// "1735689600.123456" is exactly that microsecond.
func numericDate(v json.RawMessage) (time.Time, error) {
	// A json.Number also accepts a quoted number, and null leaves it empty;
	// a NumericDate may be neither.
	var n json.Number
	if len(v) > 0 && (v[0] == '-' || '0' <= v[0] && v[0] <= '9') {
		// A number literal (v is a value the JSON decoder already
		// checked), taken as is: what json.Unmarshal would give.
		n = json.Number(v)
	} else if bytes.HasPrefix(bytes.TrimSpace(v), []byte(`"`)) || json.Unmarshal(v, &n) != nil || n == "" {
		return time.Time{}, errors.New("must be a number")
	}
	us, ok := parseMicros(n.String())
	if !ok {
		return time.Time{}, errors.New("is out of range")
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
