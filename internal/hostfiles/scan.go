package hostfiles

import (
	"regexp"
	"strings"
)

// lineKind says what a line of a TOML document starts.
type lineKind int

const (
	blankLine lineKind = iota
	commentLine
	headerLine      // [table]
	arrayHeaderLine // [[array.of.tables]]
	keyLine         // key = value, possibly running over later lines
	continuedLine   // inside a multi-line string or array begun earlier
)

// stmt is one line as the scanner classifies it. For a key line, end is the
// index of the last line of its value (past a multi-line string or array).
type stmt struct {
	kind lineKind
	path []string // a header's table path, or a key line's dotted key
	end  int
	// commented is the key of a commented-out setting ("# key = value"),
	// the form the generated regstack.toml uses for keys left at their
	// default.
	commented string
}

// commentedKey matches a commented-out setting. The key must directly
// follow the hash (after spaces) so that prose such as "# Use smtp here"
// does not match.
var commentedKey = regexp.MustCompile(`^#\s*([A-Za-z0-9_-]+)\s*=`)

// scan classifies every line. It is not a TOML parser: it knows just enough
// of the syntax (strings, multi-line strings, brackets, comments) to tell
// where statements start, and the callers parse the whole document with a
// real parser before and after every edit, so a misjudged line can only
// turn into an error, never into a silently wrong file.
func scan(lines []string) []stmt {
	out := make([]stmt, len(lines))
	var st lexState
	for i := 0; i < len(lines); i++ {
		text := strings.TrimRight(lines[i], "\r\n")
		if st.open() {
			out[i] = stmt{kind: continuedLine}
			st.feed(text)
			continue
		}
		trimmed := strings.TrimSpace(text)
		switch {
		case trimmed == "":
			out[i] = stmt{kind: blankLine}
		case strings.HasPrefix(trimmed, "#"):
			s := stmt{kind: commentLine}
			if m := commentedKey.FindStringSubmatch(trimmed); m != nil {
				s.commented = m[1]
			}
			out[i] = s
		case strings.HasPrefix(trimmed, "[["):
			out[i] = stmt{kind: arrayHeaderLine, path: headerPath(trimmed, 2)}
		case strings.HasPrefix(trimmed, "["):
			out[i] = stmt{kind: headerLine, path: headerPath(trimmed, 1)}
		default:
			key, value, _ := cutOutsideQuotes(trimmed, '=')
			out[i] = stmt{kind: keyLine, path: splitDotted(key)}
			st.feed(value)
			start := i
			for st.open() && i+1 < len(lines) {
				i++
				out[i] = stmt{kind: continuedLine}
				st.feed(strings.TrimRight(lines[i], "\r\n"))
			}
			out[start].end = i
		}
		if out[i].kind != keyLine && out[i].kind != continuedLine {
			out[i].end = i
		}
	}
	return out
}

// lexState is what carries over from one line to the next: an open
// multi-line string and the depth of open brackets and braces.
type lexState struct {
	multi string // `"""` or `'''` while inside a multi-line string
	depth int
}

func (st *lexState) open() bool { return st.multi != "" || st.depth > 0 }

// feed advances the state over one line of text.
func (st *lexState) feed(s string) {
	for i := 0; i < len(s); {
		if st.multi != "" {
			q := st.multi[0]
			if s[i] == q && strings.HasPrefix(s[i:], st.multi) {
				// Up to two quotes may directly precede the closing
				// delimiter, so the string ends after the whole run.
				n := 0
				for i+n < len(s) && s[i+n] == q {
					n++
				}
				st.multi = ""
				i += n
				continue
			}
			if q == '"' && s[i] == '\\' {
				i += 2
				continue
			}
			i++
			continue
		}
		switch c := s[i]; c {
		case '#':
			return
		case '"', '\'':
			delim := strings.Repeat(string(c), 3)
			if strings.HasPrefix(s[i:], delim) {
				st.multi = delim
				i += 3
				continue
			}
			i = skipString(s, i)
			continue
		case '[', '{':
			st.depth++
		case ']', '}':
			if st.depth > 0 {
				st.depth--
			}
		}
		i++
	}
}

// skipString returns the index just past the one-line string opening at
// s[i] (a basic string honours backslash escapes, a literal one does not).
func skipString(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch {
		case q == '"' && s[j] == '\\':
			j++
		case s[j] == q:
			return j + 1
		}
	}
	return len(s)
}

// cutOutsideQuotes cuts s around the first sep that is not inside a quoted
// key.
func cutOutsideQuotes(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', '\'':
			i = skipString(s, i) - 1
		case sep:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// headerPath is the table path of a header line "[a.b] # note", whose
// brackets are n characters wide.
func headerPath(line string, n int) []string {
	inner := line[n:]
	end := len(inner)
	for i := 0; i < len(inner); i++ {
		switch inner[i] {
		case '"', '\'':
			i = skipString(inner, i) - 1
		case ']':
			end = i
			i = len(inner)
		}
	}
	return splitDotted(inner[:end])
}

// splitDotted splits a dotted key into its parts, unquoting quoted ones.
func splitDotted(key string) []string {
	var parts []string
	for {
		part, rest, found := cutOutsideQuotes(key, '.')
		parts = append(parts, unquoteKey(strings.TrimSpace(part)))
		if !found {
			return parts
		}
		key = rest
	}
}

// unquoteKey removes the quotes of a quoted key part. Escapes inside basic
// strings are left alone: regstack only edits bare keys, and a quoted key
// with escapes merely fails to match one.
func unquoteKey(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
