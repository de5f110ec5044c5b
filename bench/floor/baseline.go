package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite"
)

// The baseline: the least a GET /me can do. A bearer HS256 token checked
// with the session key derived once, one query for the user and the
// logout together, the bulk-revocation cutoff, and the same JSON as the
// app's UserPublic. No middleware, no logging, no rate limits.

// userPublic is the app's UserPublic, field for field.
type userPublic struct {
	ID           string  `json:"id"`
	Email        string  `json:"email"`
	IsActive     bool    `json:"is_active"`
	IsVerified   bool    `json:"is_verified"`
	IsSuperuser  bool    `json:"is_superuser"`
	FullName     *string `json:"full_name"`
	PhoneNumber  *string `json:"phone_number"`
	IsMFAEnabled bool    `json:"is_mfa_enabled"`
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
	LastLogin    *string `json:"last_login"`
}

// row is what the one query returns.
type row struct {
	u         userPublic
	isActive  bool
	phone     sql.NullString
	fullName  sql.NullString
	created   time.Time
	updated   time.Time
	lastLogin sql.NullTime
	cutoff    sql.NullTime
	revoked   bool
}

type lookup func(ctx context.Context, userID, jti string) (*row, error)

const sqliteQuery = `SELECT u.id, u.email, u.is_active, u.is_verified, u.is_superuser, u.full_name,
       u.phone_number, u.is_mfa_enabled, u.created_at, u.updated_at, u.last_login,
       u.tokens_invalidated_after,
       EXISTS (SELECT 1 FROM token_blacklist WHERE jti = ?1) AS revoked
FROM users u WHERE u.id = ?2`

const pgQuery = `SELECT u.id, u.email, u.is_active, u.is_verified, u.is_superuser, u.full_name,
       u.phone_number, u.is_mfa_enabled, u.created_at, u.updated_at, u.last_login,
       u.tokens_invalidated_after,
       EXISTS (SELECT 1 FROM token_blacklist WHERE jti = $1) AS revoked
FROM users u WHERE u.id = $2`

// sqliteTime is the store's TEXT time layout.
const sqliteTime = "2006-01-02T15:04:05.000000Z"

func openSQLite(path string) (lookup, error) {
	// The pragmas the generated store sets (store/sqlite/open.go).
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate&_pragma=journal_mode(WAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// The pool the generated store keeps (store/sqlite/open.go): without
	// it database/sql keeps two idle connections and opens a new one (its
	// pragmas, a schema read, a fresh prepare) for nearly every request.
	db.SetMaxIdleConns(32)
	stmt, err := db.Prepare(sqliteQuery)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, userID, jti string) (*row, error) {
		var r row
		var created, updated string
		var last, cutoff sql.NullString
		err := stmt.QueryRowContext(ctx, jti, userID).Scan(&r.u.ID, &r.u.Email, &r.isActive, &r.u.IsVerified, &r.u.IsSuperuser,
			&r.fullName, &r.phone, &r.u.IsMFAEnabled, &created, &updated, &last, &cutoff, &r.revoked)
		if err != nil {
			return nil, err
		}
		r.created, _ = time.Parse(sqliteTime, created)
		r.updated, _ = time.Parse(sqliteTime, updated)
		if last.Valid {
			t, _ := time.Parse(sqliteTime, last.String)
			r.lastLogin = sql.NullTime{Time: t, Valid: true}
		}
		if cutoff.Valid {
			t, _ := time.Parse(sqliteTime, cutoff.String)
			r.cutoff = sql.NullTime{Time: t, Valid: true}
		}
		return &r, nil
	}, nil
}

func openPostgres(url string) (lookup, error) {
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, userID, jti string) (*row, error) {
		var r row
		var last, cutoff *time.Time
		var fullName, phone *string
		err := pool.QueryRow(ctx, pgQuery, jti, userID).Scan(&r.u.ID, &r.u.Email, &r.isActive, &r.u.IsVerified, &r.u.IsSuperuser,
			&fullName, &phone, &r.u.IsMFAEnabled, &r.created, &r.updated, &last, &cutoff, &r.revoked)
		if err != nil {
			return nil, err
		}
		if fullName != nil {
			r.fullName = sql.NullString{String: *fullName, Valid: true}
		}
		if phone != nil {
			r.phone = sql.NullString{String: *phone, Valid: true}
		}
		if last != nil {
			r.lastLogin = sql.NullTime{Time: *last, Valid: true}
		}
		if cutoff != nil {
			r.cutoff = sql.NullTime{Time: *cutoff, Valid: true}
		}
		return &r, nil
	}, nil
}

// pyTime is the app's time format (Python's isoformat with a Z).
func pyTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02T15:04:05") + "Z"
	}
	return t.Format("2006-01-02T15:04:05.000000") + "Z"
}

type claims struct {
	Sub     string      `json:"sub"`
	Jti     string      `json:"jti"`
	Purpose string      `json:"purpose"`
	Iat     json.Number `json:"iat"`
	Exp     json.Number `json:"exp"`
}

var errToken = errors.New("invalid token")

// micros reads a seconds value with up to six decimals as microseconds.
func micros(n json.Number) (int64, error) {
	whole, frac, _ := strings.Cut(string(n), ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, err
	}
	frac = (frac + "000000")[:6]
	us, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, err
	}
	return sec*1e6 + us, nil
}

var hs256Header = []byte(`"alg":"HS256"`)

// verify checks an HS256 session token with key and returns its claims.
func verify(token string, key []byte, now time.Time) (*claims, error) {
	h, rest, ok := strings.Cut(token, ".")
	if !ok {
		return nil, errToken
	}
	p, s, ok := strings.Cut(rest, ".")
	if !ok {
		return nil, errToken
	}
	header, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil || !bytes.Contains(header, hs256Header) {
		return nil, errToken
	}
	sig, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errToken
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(token[:len(h)+1+len(p)]))
	if !hmac.Equal(m.Sum(nil), sig) {
		return nil, errToken
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return nil, errToken
	}
	var c claims
	if json.Unmarshal(payload, &c) != nil {
		return nil, errToken
	}
	return checkClaims(&c, now)
}

// checkClaims checks a session token's claims at now.
func checkClaims(c *claims, now time.Time) (*claims, error) {
	if c.Purpose != "session" || c.Sub == "" || c.Jti == "" {
		return nil, errToken
	}
	exp, err1 := micros(c.Exp)
	iat, err2 := micros(c.Iat)
	nowUS := now.UnixMicro()
	if err1 != nil || err2 != nil || nowUS >= exp || iat > nowUS {
		return nil, errToken
	}
	return c, nil
}

// libClaims is claims for golang-jwt: it reads them with the standard
// library's JSON, like verify, and checks no claim itself (libVerifier
// does, as verify does), so the two baselines differ only in who splits,
// decodes and verifies the JWS.
type libClaims struct{ claims }

func (*libClaims) GetExpirationTime() (*jwt.NumericDate, error) { return nil, nil }
func (*libClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return nil, nil }
func (*libClaims) GetNotBefore() (*jwt.NumericDate, error)      { return nil, nil }
func (*libClaims) GetIssuer() (string, error)                   { return "", nil }
func (*libClaims) GetSubject() (string, error)                  { return "", nil }
func (*libClaims) GetAudience() (jwt.ClaimStrings, error)       { return nil, nil }

// libVerifier is verify with golang-jwt (the library the generated code
// uses) splitting the token, decoding its header and checking the HMAC;
// the parser is built once.
func libVerifier(key []byte) func(token string, now time.Time) (*claims, error) {
	p := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithoutClaimsValidation())
	keyFunc := func(*jwt.Token) (any, error) { return key, nil }
	return func(token string, now time.Time) (*claims, error) {
		var c libClaims
		if _, err := p.ParseWithClaims(token, &c, keyFunc); err != nil {
			return nil, errToken
		}
		return checkClaims(&c.claims, now)
	}
}

func serve(args []string) {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	db := fs.String("db", "", "sqlite file path, or a postgres:// URL")
	prefix := fs.String("prefix", "/api/auth", "API prefix")
	jwtLib := fs.Bool("golang-jwt", false, "check the token with golang-jwt instead of by hand")
	_ = fs.Parse(args)
	secret := os.Getenv("FLOOR_JWT_SECRET")

	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("session"))
	key := m.Sum(nil)
	check := func(token string, now time.Time) (*claims, error) { return verify(token, key, now) }
	if *jwtLib {
		check = libVerifier(key)
	}

	var find lookup
	var err error
	if strings.HasPrefix(*db, "postgres") {
		find, err = openPostgres(*db)
	} else {
		find, err = openSQLite(*db)
	}
	if err != nil {
		log.Fatal(err)
	}
	unauthorized := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"detail":"Invalid or expired token."}`))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+*prefix+"/me", func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			unauthorized(w)
			return
		}
		c, err := check(strings.TrimSpace(token), time.Now())
		if err != nil {
			unauthorized(w)
			return
		}
		row, err := find(r.Context(), c.Sub, c.Jti)
		if errors.Is(err, sql.ErrNoRows) || (err != nil && strings.Contains(err.Error(), "no rows")) {
			unauthorized(w)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		iat, _ := micros(c.Iat)
		if row.revoked || !row.isActive || (row.cutoff.Valid && iat <= row.cutoff.Time.UnixMicro()) {
			unauthorized(w)
			return
		}
		u := row.u
		u.IsActive = row.isActive
		if row.fullName.Valid {
			u.FullName = &row.fullName.String
		}
		if row.phone.Valid && row.phone.String != "" {
			u.PhoneNumber = &row.phone.String
		}
		u.CreatedAt = pyTime(row.created)
		u.UpdatedAt = pyTime(row.updated)
		if row.updated.IsZero() {
			u.UpdatedAt = u.CreatedAt
		}
		if row.lastLogin.Valid {
			s := pyTime(row.lastLogin.Time)
			u.LastLogin = &s
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(u)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		_, _ = w.Write(buf.Bytes())
	})
	mux.HandleFunc("GET "+*prefix+"/health/ready", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	fmt.Fprintf(os.Stderr, "baseline listening on %s\n", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}
