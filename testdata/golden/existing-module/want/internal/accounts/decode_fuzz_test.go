// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package accounts

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/acme/shop/internal/accounts/emailaddr"
)

// fuzzBody is a request body of every kind of field the API takes: an
// email, a new password, a token, a nullable display name and a flag.
type fuzzBody struct {
	email, password, token string
	fullName               *string
	fullNameSent           bool
	flag                   *bool
}

func (b *fuzzBody) fields() []field {
	return []field{
		emailField("email", &b.email),
		newPasswordField("password", &b.password),
		stringField("token", &b.token),
		fullNameField(&b.fullName, &b.fullNameSent),
		{name: "remember", flag: &b.flag},
	}
}

// decodeSeeds are bodies of every shape: valid, each way of being wrong,
// and the ones that have broken JSON decoders elsewhere.
var decodeSeeds = []string{
	`{"email":"a@example.com","password":"correct horse","token":"t"}`,
	`{"email":"A@EXAMPLE.COM","password":"correct horse","token":"t","full_name":"Ann","remember":true}`,
	`{"email":"a@example.com","password":"correct horse","token":"t","full_name":null,"remember":null}`,
	`  {"email":"a@example.com","password":"ünïcödé!","token":""}  `,
	`{}`,
	``,
	` `,
	`null`,
	`[]`,
	`"string"`,
	`42`,
	`{"email":"a@example.com"`,
	`{"email":"a@example.com",}`,
	`{"email":"a@example.com","email":"b@example.com","password":"correct horse","token":"t"}`,
	`{"Email":"a@example.com","Password":"hunter22","token":"t"}`,
	`{"email":1,"password":["x"],"token":{"password":"inner secret"},"full_name":false,"remember":"yes"}`,
	`{"email":"not an email","password":"short","token":"t","full_name":"Trent\u202egnp.exe"}`,
	`{"email":"a@example.com","password":"` + strings.Repeat("x", 129) + `","token":"t","full_name":"` + strings.Repeat("n", 201) + `"}`,
	`{"email":"a@example.com","password":"correct horse","token":"t","extra":{"nested":{"secret_key":"s","deep":[{"access_token":"x"}]}}}`,
	`{"email":"a@example.com","password":"correct horse","token":"t","n":1e999,"m":-0.0,"o":123456789012345678901234567890}`,
	`{"email":"a@example.com","password":"correct horse","token":"t"} {"x":1}`,
	`{"email":"a@example.com","password":"correct horse","token":"t"}garbage`,
	`{"email":"\ud800@example.com","password":"correct horse","token":"t"}`,
	`{"email":"a@example.com","password":"correct\u0000horse","token":"t"}`,
	"{\"email\":\"a@example.com\",\"password\":\"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\",\"token\":\"t\"}",
	"\xef\xbb\xbf{\"email\":\"a@example.com\"}",
	`{"":"","\u0000":null}`,
	`{"a":` + strings.Repeat(`[`, 200) + strings.Repeat(`]`, 200) + `}`,
	`{"remember":tru}`,
	`{"email":"a@example.com","password":"correct horse","token":"t","full_name":"line\nbreak"}`,
}

// checkValidationErrors holds for every 422 answer: each entry has a type,
// a loc starting with "body", a message and an input that is JSON, no
// input shows the value of a credential key at any depth, and the whole
// answer encodes (an entry that does not would turn the 422 into a 500).
func checkValidationErrors(t *testing.T, body []byte, errs []validationError) {
	t.Helper()
	for _, e := range errs {
		if e.Type == "" || e.Msg == "" || len(e.Loc) == 0 || e.Loc[0] != "body" {
			t.Fatalf("body %q: malformed entry %+v", body, e)
		}
		if !json.Valid(e.Input) {
			t.Fatalf("body %q: entry %+v has input %q, which is not JSON", body, e, e.Input)
		}
		// A missing key's input is the whole body (redacted, checked below).
		if len(e.Loc) > 1 && e.Type != "missing" {
			if name, ok := e.Loc[1].(string); ok && isSecretField(name) && string(e.Input) != "null" {
				t.Fatalf("body %q: entry for credential %q echoes %s", body, name, e.Input)
			}
		}
		var v any
		if err := json.Unmarshal(e.Input, &v); err != nil {
			t.Fatalf("body %q: input %q: %v", body, e.Input, err)
		}
		if path, leak := secretShown(v, ""); leak {
			t.Fatalf("body %q: entry %+v shows the credential at %s", body, e, path)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(validationErrors{Detail: errs}); err != nil {
		t.Fatalf("body %q: the 422 answer does not encode: %v", body, err)
	}
}

// secretShown finds an object member named like a credential whose value
// is not null.
func secretShown(v any, path string) (string, bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			if isSecretField(k) && sub != nil {
				return path + "." + k, true
			}
			if p, leak := secretShown(sub, path+"."+k); leak {
				return p, true
			}
		}
	case []any:
		for _, sub := range x {
			if p, leak := secretShown(sub, path+"[]"); leak {
				return p, true
			}
		}
	}
	return "", false
}

// topKeys lists the keys of the JSON object body in the order sent,
// repeats included.
func topKeys(t *testing.T, body []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("accepted %q, which does not start with an object (%v)", body, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("accepted %q: %v", body, err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatalf("accepted %q: %v", body, err)
		}
	}
	return keys
}

// FuzzBindJSON feeds arbitrary request bodies to the strict decoder behind
// every JSON route. Properties: it never panics; a refused body gives
// well-formed 422 entries that never echo a credential (see
// checkValidationErrors); an accepted body is a JSON object with exactly
// known keys, each sent once, and every value meets its rule: the email
// is normalised (normalising it again changes nothing), the password has
// 8..128 characters, the display name at most 200 and no control or
// bidirectional characters, the flag matches what was sent.
func FuzzBindJSON(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var b fuzzBody
		errs := bindJSON(body, b.fields())
		if len(errs) > 0 {
			checkValidationErrors(t, body, errs)
			return
		}
		var sent map[string]json.RawMessage
		if err := json.Unmarshal(body, &sent); err != nil || sent == nil {
			t.Fatalf("accepted %q, which is not a JSON object (%v)", body, err)
		}
		known := map[string]bool{"email": true, "password": true, "token": true, "full_name": true, "remember": true}
		seen := map[string]bool{}
		for _, k := range topKeys(t, body) {
			if !known[k] || seen[k] {
				t.Fatalf("accepted %q with unknown or repeated key %q", body, k)
			}
			seen[k] = true
		}
		if again, err := emailaddr.Normalize(b.email); err != nil || again != b.email {
			t.Fatalf("accepted %q: email %q is not normalised (%q, %v)", body, b.email, again, err)
		}
		if n := utf8.RuneCountInString(b.password); n < passwordMinLen || n > passwordMaxLen {
			t.Fatalf("accepted %q: password of %d characters", body, n)
		}
		var token string
		if err := json.Unmarshal(sent["token"], &token); err != nil || token != b.token {
			t.Fatalf("accepted %q: token %q, encoding/json reads %q (%v)", body, b.token, token, err)
		}
		_, nameSent := sent["full_name"]
		if b.fullNameSent != nameSent {
			t.Fatalf("accepted %q: full_name present=%v, sent=%v", body, b.fullNameSent, nameSent)
		}
		if b.fullName != nil && (utf8.RuneCountInString(*b.fullName) > fullNameMaxLen || hasUnsafeText(*b.fullName)) {
			t.Fatalf("accepted %q: full_name %q", body, *b.fullName)
		}
		var flag *bool
		if raw, ok := sent["remember"]; ok {
			if err := json.Unmarshal(raw, &flag); err != nil {
				t.Fatalf("accepted %q: remember %s is not a boolean", body, raw)
			}
		}
		if (flag == nil) != (b.flag == nil) || flag != nil && *flag != *b.flag {
			t.Fatalf("accepted %q: remember %v, sent %v", body, b.flag, flag)
		}
	})
}

// FuzzDecodeBody is the HTTP side of the decoder: arbitrary Content-Type
// and body under a small body limit. Properties: it never panics and never
// answers 5xx; it either accepts (writing nothing) or answers 400, 413, 415
// or 422 with a JSON body of the API's shape: {"detail": "..."}, or for 422
// {"detail": [{"type", "loc", "msg", "input"}, ...]}.
func FuzzDecodeBody(f *testing.F) {
	for _, ct := range []string{"application/json", "application/json; charset=utf-8", "APPLICATION/JSON",
		"application/merge-patch+json", "text/plain", "", "application/x-www-form-urlencoded", "application/json;;", "multipart/form-data; boundary=x"} {
		f.Add(ct, []byte(decodeSeeds[0]))
	}
	for _, s := range decodeSeeds {
		f.Add("application/json", []byte(s))
	}
	f.Add("application/json", []byte(`{"email":"`+strings.Repeat("a", 2000)+`"}`)) // over the limit
	const limit = 1024
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, "/register", bytes.NewReader(body))
		if contentType != "" {
			r.Header["Content-Type"] = strings.Split(contentType, "\n")
		}
		r.Body = http.MaxBytesReader(rec, r.Body, limit)
		var b fuzzBody
		ok := (*Auth)(nil).decodeBody(rec, r, b.fields()...)
		res := rec.Result()
		out, _ := io.ReadAll(res.Body)
		if ok {
			if len(out) > 0 || rec.Code != http.StatusOK {
				t.Fatalf("accepted, but wrote %d %q", rec.Code, out)
			}
			return
		}
		switch res.StatusCode {
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
			var d struct {
				Detail string `json:"detail"`
			}
			if err := json.Unmarshal(out, &d); err != nil || d.Detail == "" {
				t.Fatalf("%d answer %q is not {\"detail\": \"...\"}", res.StatusCode, out)
			}
		case http.StatusUnprocessableEntity:
			var d struct {
				Detail []map[string]json.RawMessage `json:"detail"`
			}
			if err := json.Unmarshal(out, &d); err != nil || len(d.Detail) == 0 {
				t.Fatalf("422 answer %q is not {\"detail\": [...]}", out)
			}
			for _, e := range d.Detail {
				for _, k := range []string{"type", "loc", "msg", "input"} {
					if _, ok := e[k]; !ok {
						t.Fatalf("422 entry %v lacks %q", e, k)
					}
				}
			}
		default:
			t.Fatalf("Content-Type %q, body %q: answered %d %q", contentType, body, res.StatusCode, out)
		}
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Fatalf("answer of type %q", ct)
		}
	})
}
