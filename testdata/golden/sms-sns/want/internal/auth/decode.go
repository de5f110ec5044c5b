// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"example.com/demo/internal/auth/emailaddr"
)

// field describes one key of a JSON request body: the rules its value must
// meet and where the value goes. Request bodies are strict: keys are
// case-sensitive, unknown keys and duplicate keys are refused, and every
// value must be a JSON string (or null where nullable is set), or a JSON
// boolean (or null) for a flag.
type field struct {
	name     string
	required bool
	minLen   int  // in code points; 0 means no lower bound
	maxLen   int  // in code points; 0 means no upper bound
	email    bool // validate and normalise as an email address
	// Exactly one destination is set: str for a string, nullable for a
	// string that may be null (nil when null), flag for a boolean that may
	// be null (nil when null).
	str      *string
	nullable **string
	flag     **bool
	// present, when set, records whether the key was sent at all, so that
	// {} and {"full_name": null} can mean different things.
	present *bool
}

// Password lengths, counted in code points (not bytes), so "ünïcödé"
// counts 7 whatever its UTF-8 length.
const (
	passwordMinLen = 8
	passwordMaxLen = 128
	fullNameMaxLen = 200
)

func emailField(name string, dst *string) field {
	return field{name: name, required: true, email: true, str: dst}
}

// newPasswordField is a password being chosen or used to sign in: 8..128.
func newPasswordField(name string, dst *string) field {
	return field{name: name, required: true, minLen: passwordMinLen, maxLen: passwordMaxLen, str: dst}
}

// stringField is a required string without length rules (tokens, the
// current password).
func stringField(name string, dst *string) field {
	return field{name: name, required: true, str: dst}
}

func fullNameField(dst **string, present *bool) field {
	return field{name: "full_name", maxLen: fullNameMaxLen, nullable: dst, present: present}
}

// isSecretField reports whether a body key names a credential: its value is
// never echoed as the "input" of a 422 (the key stays, with null), at any
// depth of the body, so a too-short password or a mistyped key such as
// "Password" cannot end up in a client's error log or a proxy's. Keys are
// matched loosely on purpose: "new_password", "current_password", "token",
// "access_token", "client_secret" all count.
func isSecretField(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "password") || strings.Contains(n, "token") || strings.Contains(n, "secret")
}

// isDisplayText reports whether a body key holds text that is shown to
// people (in emails, on pages, in user lists), which must be free of
// control and bidirectional formatting characters. It goes by name so that
// every route taking the key (register, PATCH /me, ...) applies the same
// rule.
func isDisplayText(name string) bool {
	return name == "full_name"
}

// displayTextMsg is the reason a display text is refused.
const displayTextMsg = "must not contain control characters, line breaks or bidirectional formatting characters"

// hasUnsafeText reports whether s contains a character that could change how
// text around it is displayed: control characters (Unicode Cc: NUL, TAB, CR,
// LF, DEL, the C1 range), the line and paragraph separators, and the
// bidirectional marks, embeddings, overrides and isolates that can make a
// name read as something else ("Trent\u202Egnp.exe" shows as "Trentexe.png").
func hasUnsafeText(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cc, r) {
			return true
		}
		switch {
		case r == '\u061C', r == '\u200E', r == '\u200F', // ALM, LRM, RLM
			r >= '\u202A' && r <= '\u202E', // LRE, RLE, PDF, LRO, RLO
			r >= '\u2066' && r <= '\u2069', // LRI, RLI, FSI, PDI
			r == '\u2028', r == '\u2029':   // line and paragraph separators
			return true
		}
	}
	return false
}

// validationError is one entry of a 422 body, in pydantic v2's shape.
type validationError struct {
	Type  string          `json:"type"`
	Loc   []any           `json:"loc"`
	Msg   string          `json:"msg"`
	Input json.RawMessage `json:"input"`
	Ctx   map[string]any  `json:"ctx,omitempty"`
}

type validationErrors struct {
	Detail []validationError `json:"detail"`
}

// decodeBody reads the request body into fields. On failure it has written
// the response (413, 415 or 422) and returns false.
func (a *Auth) decodeBody(w http.ResponseWriter, r *http.Request, fields ...field) bool {
	ct := r.Header.Values("Content-Type")
	if len(ct) > 1 || (len(ct) == 1 && !isJSONContentType(ct[0])) {
		writeDetail(w, http.StatusUnsupportedMediaType, "Unsupported Media Type")
		return false
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeDetail(w, http.StatusRequestEntityTooLarge, "Request body too large.")
			return false
		}
		// The client went away or sent a broken chunked body.
		writeDetail(w, http.StatusBadRequest, "Could not read the request body.")
		return false
	}
	if len(ct) == 0 && len(bytes.TrimSpace(body)) > 0 {
		// A body without a media type is not read as JSON (see
		// isJSONContentType). No body at all is FastAPI's 422 "missing"
		// below: there is nothing to misread.
		writeDetail(w, http.StatusUnsupportedMediaType, "Unsupported Media Type")
		return false
	}
	if errs := bindJSON(body, fields); len(errs) > 0 {
		writeJSON(w, http.StatusUnprocessableEntity, validationErrors{Detail: errs})
		return false
	}
	return true
}

// isJSONContentType accepts application/json with any parameters
// ("; charset=utf-8"), in any case, and application/*+json. Anything else,
// and a body without a Content-Type (decodeBody), is 415: a browser sends a
// cross-site form or fetch() without a CORS preflight only as text/plain,
// application/x-www-form-urlencoded or multipart/form-data (or with no
// type), so requiring a JSON type means another site cannot make a
// visitor's browser post a body to the API.
func isJSONContentType(v string) bool {
	mt, _, err := mime.ParseMediaType(v)
	if err != nil {
		return false
	}
	return mt == "application/json" || (strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// bindJSON validates body against fields and stores the values. It returns
// the validation errors in pydantic's order: fields in declaration order,
// then unknown keys in the order sent. An error's "input" echoes what was
// sent (as FastAPI does, clients parse the key) except credentials: see
// isSecretField and echo.
func bindJSON(body []byte, fields []field) []validationError {
	keys, values, perr := parseObject(body)
	if perr != nil {
		return []validationError{*perr}
	}
	var errs []validationError
	known := make(map[string]bool, len(fields))
	for _, f := range fields {
		known[f.name] = true
		raw, ok := values[f.name]
		if f.present != nil {
			*f.present = ok
		}
		if !ok {
			if f.required {
				errs = append(errs, validationError{Type: "missing", Loc: loc(f.name), Msg: "Field required", Input: redact(body)})
			}
			continue
		}
		if e := f.assign(raw); e != nil {
			errs = append(errs, *e)
		}
	}
	for _, k := range keys {
		if !known[k] {
			errs = append(errs, validationError{Type: "extra_forbidden", Loc: loc(k), Msg: "Extra inputs are not permitted", Input: echo(k, values[k])})
		}
	}
	return errs
}

// assign checks one value and stores it.
func (f field) assign(raw json.RawMessage) *validationError {
	if f.flag != nil {
		return f.assignFlag(raw)
	}
	if string(raw) == "null" && f.nullable != nil {
		*f.nullable = nil
		return nil
	}
	input := echo(f.name, raw)
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return &validationError{Type: "string_type", Loc: loc(f.name), Msg: "Input should be a valid string", Input: input}
	}
	n := utf8.RuneCountInString(s)
	if f.minLen > 0 && n < f.minLen {
		return &validationError{Type: "string_too_short", Loc: loc(f.name), Input: input,
			Msg: "String should have at least " + characters(f.minLen), Ctx: map[string]any{"min_length": f.minLen}}
	}
	if f.maxLen > 0 && n > f.maxLen {
		return &validationError{Type: "string_too_long", Loc: loc(f.name), Input: input,
			Msg: "String should have at most " + characters(f.maxLen), Ctx: map[string]any{"max_length": f.maxLen}}
	}
	if isDisplayText(f.name) && hasUnsafeText(s) {
		return &validationError{Type: "value_error", Loc: loc(f.name), Input: input,
			Msg: "Value error, " + displayTextMsg, Ctx: map[string]any{"error": displayTextMsg}}
	}
	if f.email {
		norm, err := emailaddr.Normalize(s)
		if err != nil {
			reason := strings.TrimPrefix(err.Error(), "value is not a valid email address: ")
			return &validationError{Type: "value_error", Loc: loc(f.name), Input: input,
				Msg: "value is not a valid email address: " + reason, Ctx: map[string]any{"reason": reason}}
		}
		s = norm
	}
	if f.nullable != nil {
		*f.nullable = &s
	} else {
		*f.str = s
	}
	return nil
}

// assignFlag stores a JSON boolean, or nil for null. Strings like "yes"
// are refused: the bodies are strict.
func (f field) assignFlag(raw json.RawMessage) *validationError {
	switch string(raw) {
	case "null":
		*f.flag = nil
	case "true", "false":
		b := string(raw) == "true"
		*f.flag = &b
	default:
		return &validationError{Type: "bool_type", Loc: loc(f.name), Msg: "Input should be a valid boolean", Input: echo(f.name, raw)}
	}
	return nil
}

// parseObject parses a JSON object, keeping the keys in the order sent and
// refusing duplicates (two parsers that disagree on which duplicate wins are
// a classic way to smuggle a value past a proxy).
func parseObject(body []byte) ([]string, map[string]json.RawMessage, *validationError) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, nil, &validationError{Type: "missing", Loc: []any{"body"}, Msg: "Field required", Input: json.RawMessage("null")}
	}
	if !utf8.Valid(body) {
		return nil, nil, jsonInvalid(0, "invalid UTF-8")
	}
	var probe any
	if err := json.Unmarshal(body, &probe); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, nil, jsonInvalid(syn.Offset, syn.Error())
		}
		return nil, nil, jsonInvalid(0, err.Error())
	}
	if trimmed[0] != '{' {
		// The input is null, not the body: a client that sent its
		// credentials in some other shape must not get them echoed.
		return nil, nil, &validationError{Type: "model_attributes_type", Loc: []any{"body"},
			Msg: "Input should be a valid dictionary or object to extract fields from", Input: jsonNull}
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if _, err := dec.Token(); err != nil { // the opening brace
		return nil, nil, jsonInvalid(0, err.Error())
	}
	var keys []string
	values := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, jsonInvalid(dec.InputOffset(), err.Error())
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, jsonInvalid(dec.InputOffset(), err.Error())
		}
		if _, dup := values[key]; dup {
			return nil, nil, jsonInvalid(dec.InputOffset(), fmt.Sprintf("duplicate key %q", key))
		}
		keys = append(keys, key)
		values[key] = raw
	}
	return keys, values, nil
}

// jsonInvalid reports a body that is not JSON. pydantic echoes {} as the
// input; null says the same (nothing of the body is repeated) without
// pretending an empty object was sent.
func jsonInvalid(offset int64, reason string) *validationError {
	return &validationError{Type: "json_invalid", Loc: []any{"body", offset}, Msg: "JSON decode error",
		Input: jsonNull, Ctx: map[string]any{"error": reason}}
}

var jsonNull = json.RawMessage("null")

func loc(name string) []any { return []any{"body", name} }

// characters spells a length the way pydantic does ("1 character", "8 characters").
func characters(n int) string {
	if n == 1 {
		return "1 character"
	}
	return fmt.Sprintf("%d characters", n)
}

// echo is the "input" of an error about the value raw of key name: null for
// a credential, otherwise the value with any credentials inside it nulled.
func echo(name string, raw json.RawMessage) json.RawMessage {
	if isSecretField(name) {
		return jsonNull
	}
	return redact(raw)
}

// redact returns the JSON value raw without insignificant whitespace, with
// the value of every object member whose key isSecretField replaced by null,
// at any depth ({"email": "a@x", "password": "hunter22"} echoes as
// {"email":"a@x","password":null}). Keys keep the order they were sent in.
// Anything that does not parse echoes as null.
func redact(raw []byte) json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep numbers as written
	var buf bytes.Buffer
	if err := redactValue(dec, &buf); err != nil {
		return jsonNull
	}
	return buf.Bytes()
}

func redactValue(dec *json.Decoder, buf *bytes.Buffer) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		isObject := t == '{'
		buf.WriteString(t.String())
		for i := 0; dec.More(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			if isObject {
				tok, err := dec.Token()
				if err != nil {
					return err
				}
				key, _ := tok.(string)
				writeJSONString(buf, key)
				buf.WriteByte(':')
				if isSecretField(key) {
					var skip json.RawMessage
					if err := dec.Decode(&skip); err != nil {
						return err
					}
					buf.WriteString("null")
					continue
				}
			}
			if err := redactValue(dec, buf); err != nil {
				return err
			}
		}
		end, err := dec.Token()
		if err != nil {
			return err
		}
		buf.WriteString(end.(json.Delim).String())
	case string:
		writeJSONString(buf, t)
	case json.Number:
		buf.WriteString(t.String())
	case bool:
		buf.WriteString(strconv.FormatBool(t))
	case nil:
		buf.WriteString("null")
	}
	return nil
}

// writeJSONString writes s as a JSON string, without the HTML escaping
// writeJSON leaves out too.
func writeJSONString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // a string always encodes
	buf.Truncate(buf.Len() - 1) // Encode's newline
}
