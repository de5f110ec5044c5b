package theme

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxFreeText bounds a font or shadow value: long enough for any real
// font stack, short enough to keep the file readable.
const maxFreeText = 200

// Normalize checks value for the variable name and returns it as the file
// should hold it (trimmed; a bare radius number gets px). The error names
// the variable, so a command line with many --var flags says which one is
// wrong.
func Normalize(name, value string) (string, error) {
	v, ok := Lookup(name)
	if !ok {
		return "", fmt.Errorf("unknown variable %s (known: %s)", name, strings.Join(Names(), ", "))
	}
	value = strings.TrimSpace(value)
	if value == "" {
		return "", fmt.Errorf("%s: empty value", name)
	}
	switch v.Kind {
	case KindColour:
		if _, ok := ParseColour(value); !ok {
			return "", fmt.Errorf("%s: %q is not a colour (use #rgb, #rrggbb, #rrggbbaa, rgb(r, g, b), rgba(r, g, b, a), hsl(h, s%%, l%%) or hsla(h, s%%, l%%, a))", name, value)
		}
		return value, nil
	case KindLength:
		n, ok := normalizeLength(value)
		if !ok {
			return "", fmt.Errorf("%s: %q is not a length (a number with px, rem or em, such as 6px or 0.5rem)", name, value)
		}
		return n, nil
	case KindFont, KindShadow:
		what := "font list"
		if v.Kind == KindShadow {
			what = "shadow"
		}
		if err := safeValue(value); err != nil {
			return "", fmt.Errorf("%s: not a valid %s: %v", name, what, err)
		}
		return value, nil
	}
	return "", fmt.Errorf("%s: unknown kind %s", name, v.Kind)
}

// normalizeLength accepts N, N.N, optionally followed by px, rem or em; a
// bare number means pixels.
func normalizeLength(s string) (string, bool) {
	num := s
	unit := ""
	for _, u := range []string{"rem", "px", "em"} {
		if strings.HasSuffix(s, u) {
			num, unit = strings.TrimSuffix(s, u), u
			break
		}
	}
	intPart, frac, hasDot := strings.Cut(num, ".")
	if !allDigits(intPart) || (hasDot && !allDigits(frac)) {
		return "", false
	}
	if unit == "" {
		unit = "px"
	}
	return num + unit, true
}

func allDigits(s string) bool {
	if s == "" || len(s) > 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// safeValue accepts free text (fonts, shadows) that cannot leave its
// declaration: a value is written between "name: " and ";", so a ; { or }
// would end the declaration or the rule, an unclosed quote, parenthesis
// or comment would swallow the rest of the file, and < > could end a
// <style> element if the value were ever inlined.
func safeValue(s string) error {
	if n := utf8.RuneCountInString(s); n > maxFreeText {
		return fmt.Errorf("%d characters; at most %d", n, maxFreeText)
	}
	if strings.Contains(s, "/*") || strings.Contains(s, "*/") {
		return fmt.Errorf("comments are not allowed")
	}
	var quote rune
	depth := 0
	for _, r := range s {
		switch {
		case r == utf8.RuneError || unicode.IsControl(r):
			return fmt.Errorf("control characters are not allowed")
		case quote != 0:
			if r == quote {
				quote = 0
			}
			if strings.ContainsRune(`\{}<>;`, r) {
				return fmt.Errorf("%q is not allowed", r)
			}
		case strings.ContainsRune(`;{}<>\!@`, r):
			return fmt.Errorf("%q is not allowed", r)
		case r == '"' || r == '\'':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			depth--
			if depth < 0 {
				return fmt.Errorf("unbalanced parentheses")
			}
		}
	}
	if quote != 0 {
		return fmt.Errorf("unclosed quote")
	}
	if depth != 0 {
		return fmt.Errorf("unbalanced parentheses")
	}
	if strings.Contains(strings.ToLower(s), "url(") {
		return fmt.Errorf("url() is not allowed")
	}
	return nil
}

// RGBA is a colour with channels in 0..1.
type RGBA struct{ R, G, B, A float64 }

// ParseColour reads the colour forms the designer accepts: #rgb, #rgba,
// #rrggbb, #rrggbbaa, rgb()/rgba() and hsl()/hsla(), each function with
// commas or with spaces and "/ alpha". Named colours are refused: the
// designer's colour pickers and the contrast check need numbers.
func ParseColour(s string) (RGBA, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if hex, ok := strings.CutPrefix(s, "#"); ok {
		return parseHex(hex)
	}
	name, rest, ok := strings.Cut(s, "(")
	if !ok || !strings.HasSuffix(rest, ")") {
		return RGBA{}, false
	}
	args, ok := splitArgs(strings.TrimSuffix(rest, ")"))
	if !ok || len(args) < 3 || len(args) > 4 {
		return RGBA{}, false
	}
	alpha := 1.0
	if len(args) == 4 {
		a, ok := parseAlpha(args[3])
		if !ok {
			return RGBA{}, false
		}
		alpha = a
	}
	switch strings.TrimSpace(name) {
	case "rgb", "rgba":
		var ch [3]float64
		for i := range 3 {
			c, ok := parseChannel(args[i])
			if !ok {
				return RGBA{}, false
			}
			ch[i] = c
		}
		return RGBA{ch[0], ch[1], ch[2], alpha}, true
	case "hsl", "hsla":
		h, ok := parseNumber(strings.TrimSuffix(args[0], "deg"))
		if !ok {
			return RGBA{}, false
		}
		sat, ok1 := parsePercent(args[1])
		light, ok2 := parsePercent(args[2])
		if !ok1 || !ok2 {
			return RGBA{}, false
		}
		r, g, b := hslToRGB(h, sat, light)
		return RGBA{r, g, b, alpha}, true
	}
	return RGBA{}, false
}

func parseHex(h string) (RGBA, bool) {
	for _, r := range h {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return RGBA{}, false
		}
	}
	switch len(h) {
	case 3, 4:
		h2 := make([]byte, 0, 8)
		for i := range len(h) {
			h2 = append(h2, h[i], h[i])
		}
		h = string(h2)
	case 6, 8:
	default:
		return RGBA{}, false
	}
	if len(h) == 6 {
		h += "ff"
	}
	n, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return RGBA{}, false
	}
	return RGBA{
		R: float64(n>>24&0xff) / 255,
		G: float64(n>>16&0xff) / 255,
		B: float64(n>>8&0xff) / 255,
		A: float64(n&0xff) / 255,
	}, true
}

// splitArgs splits "r, g, b, a" or "r g b / a" into its parts.
func splitArgs(s string) ([]string, bool) {
	if strings.Contains(s, ",") {
		parts := strings.Split(s, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
			if parts[i] == "" {
				return nil, false
			}
		}
		return parts, true
	}
	head, alpha, hasAlpha := strings.Cut(s, "/")
	parts := strings.Fields(head)
	if hasAlpha {
		a := strings.TrimSpace(alpha)
		if a == "" || strings.Contains(a, "/") {
			return nil, false
		}
		parts = append(parts, a)
	}
	return parts, true
}

func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789.+-", r) {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func parsePercent(s string) (float64, bool) {
	n, ok := strings.CutSuffix(strings.TrimSpace(s), "%")
	if !ok {
		return 0, false
	}
	f, ok := parseNumber(n)
	if !ok || f < 0 || f > 100 {
		return 0, false
	}
	return f / 100, true
}

// parseChannel reads 0..255 or 0%..100%.
func parseChannel(s string) (float64, bool) {
	if strings.HasSuffix(s, "%") {
		return parsePercent(s)
	}
	f, ok := parseNumber(s)
	if !ok || f < 0 || f > 255 {
		return 0, false
	}
	return f / 255, true
}

// parseAlpha reads 0..1 or 0%..100%.
func parseAlpha(s string) (float64, bool) {
	if strings.HasSuffix(s, "%") {
		return parsePercent(s)
	}
	f, ok := parseNumber(s)
	if !ok || f < 0 || f > 1 {
		return 0, false
	}
	return f, true
}

func hslToRGB(h, s, l float64) (float64, float64, float64) {
	h = math.Mod(h, 360)
	if h < 0 {
		h += 360
	}
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := l - c/2
	var r, g, b float64
	switch {
	case h < 60:
		r, g, b = c, x, 0
	case h < 120:
		r, g, b = x, c, 0
	case h < 180:
		r, g, b = 0, c, x
	case h < 240:
		r, g, b = 0, x, c
	case h < 300:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	return r + m, g + m, b + m
}

// Hex returns c as #rrggbb, dropping alpha: the value an <input
// type="color"> can show.
func (c RGBA) Hex() string {
	to := func(f float64) int { return int(math.Round(math.Max(0, math.Min(1, f)) * 255)) }
	return fmt.Sprintf("#%02x%02x%02x", to(c.R), to(c.G), to(c.B))
}
