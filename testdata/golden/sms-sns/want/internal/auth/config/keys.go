// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Key describes one setting. Keys returns them in documentation order.
type Key struct {
	// Name is the TOML key; "email.smtp_host" is smtp_host in [email].
	Name string
	// Env is the environment variable (and secrets-file) name.
	Env string
	// Type is "string", "int" or "bool".
	Type string
	// Default is the default as it would be written in regstack.toml.
	Default string
	// Secret keys belong in regstack.secrets.env; their values never appear
	// in error messages.
	Secret bool
	// Doc says what the setting does.
	Doc string
}

// field is one row of the key table in fields.go: a setting's TOML name,
// what Validate accepts, its documentation and the Config field that
// stores it.
type field struct {
	name string
	// route is the route a *_rate_limit setting limits: "METHOD /path",
	// the path relative to api_prefix.
	route  string
	secret bool
	// list marks a comma-separated string setting that regstack.toml may
	// also give as an array of strings.
	list bool
	// bounds limit an integer setting; nil means any value.
	bounds *bounds
	// oneOf lists a string setting's accepted values; nil means any.
	oneOf []string
	doc   string
	// ref returns a pointer to the field: *string, *int, *int64 or *bool.
	ref func(*Config) any
}

// bounds limit an integer setting.
type bounds struct {
	min, max int64
	hasMax   bool
	// zeroOff also allows 0, which turns the setting's feature off.
	zeroOff bool
}

// atLeast is lo and above.
func atLeast(lo int64) *bounds { return &bounds{min: lo} }

// between is lo..hi, both included.
func between(lo, hi int64) *bounds { return &bounds{min: lo, max: hi, hasMax: true} }

// zeroOr is 0 (off) or lo..hi.
func zeroOr(lo, hi int64) *bounds { return &bounds{min: lo, max: hi, hasMax: true, zeroOff: true} }

// check reports why v is out of bounds; nil if it is not.
func (b *bounds) check(v int64) error {
	switch {
	case b.zeroOff && v == 0:
		return nil
	case b.zeroOff && (v < b.min || v > b.max):
		return fmt.Errorf("%d is out of range: 0 (off) or %d..%d", v, b.min, b.max)
	case b.hasMax && (v < b.min || v > b.max):
		return fmt.Errorf("%d is out of range %d..%d", v, b.min, b.max)
	case v < b.min:
		return fmt.Errorf("%d is below the minimum %d", v, b.min)
	}
	return nil
}

// check reports a value of c outside the field's bounds or allowed values.
func (f field) check(c *Config) error {
	switch p := f.ref(c).(type) {
	case *int:
		if f.bounds != nil {
			return f.bounds.check(int64(*p))
		}
	case *int64:
		if f.bounds != nil {
			return f.bounds.check(*p)
		}
	case *string:
		if f.oneOf != nil && !slices.Contains(f.oneOf, *p) {
			return fmt.Errorf("%q is not one of %s", *p, strings.Join(f.oneOf, ", "))
		}
	}
	return nil
}

// Keys describes every setting, in documentation order.
func Keys() []Key {
	def := Default()
	keys := make([]Key, 0, len(fields()))
	for _, f := range fields() {
		typ, value := describe(f.ref(&def))
		keys = append(keys, Key{Name: f.name, Env: f.env(), Type: typ, Default: value, Secret: f.secret, Doc: f.doc})
	}
	return keys
}

// env is the variable name: REGSTACK_<KEY>, or REGSTACK_<TABLE>__<KEY>.
func (f field) env() string {
	return "REGSTACK_" + strings.ToUpper(strings.ReplaceAll(f.name, ".", "__"))
}

func describe(ref any) (typ, value string) {
	switch p := ref.(type) {
	case *string:
		return "string", strconv.Quote(*p)
	case *int:
		return "int", strconv.Itoa(*p)
	case *int64:
		return "int", strconv.FormatInt(*p, 10)
	case *bool:
		return "bool", strconv.FormatBool(*p)
	}
	panic(fmt.Sprintf("config: field of unsupported type %T", ref))
}

// set parses text into the field. source names where the text came from
// (an environment variable or a file and key) for the error message; the
// value itself is only quoted for non-secret keys.
func (f field) set(c *Config, text, source string) error {
	switch p := f.ref(c).(type) {
	case *string:
		*p = text
	case *int:
		n, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			return fmt.Errorf("%s: %s is not an integer", source, f.show(text))
		}
		*p = n
	case *int64:
		n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
		if err != nil {
			return fmt.Errorf("%s: %s is not an integer", source, f.show(text))
		}
		*p = n
	case *bool:
		b, ok := parseBool(text)
		if !ok {
			return fmt.Errorf("%s: %s is not a boolean (use true/false, yes/no, on/off or 1/0)", source, f.show(text))
		}
		*p = b
	}
	return nil
}

// show quotes a value for an error message, unless it is a secret.
func (f field) show(text string) string {
	if f.secret {
		return "the value"
	}
	return strconv.Quote(text)
}

func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on":
		return true, true
	case "false", "0", "no", "off":
		return false, true
	}
	return false, false
}

// lookupName finds a field by TOML name.
func lookupName(name string) (field, bool) {
	for _, f := range fields() {
		if f.name == name {
			return f, true
		}
	}
	return field{}, false
}

// lookupEnv finds a field by environment name, case-insensitively.
func lookupEnv(name string) (field, bool) {
	for _, f := range fields() {
		if strings.EqualFold(f.env(), name) {
			return f, true
		}
	}
	return field{}, false
}
