// Package hostfiles edits the files regstack leaves in a host project,
// regstack.toml and regstack.secrets.env, the way a careful person would by
// hand: only the lines that must change are touched, so comments, key order,
// other tables and settings regstack does not know survive. The setup
// commands (`regstack ses setup`, `regstack oauth setup`) write through it.
package hostfiles

import (
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Setting is one key of a table and its new value: a string, bool, int,
// int64 or []string.
type Setting struct {
	Key   string
	Value any
}

// Action says what an edit did to one key.
type Action string

// The actions, as Change reports them.
const (
	Added       Action = "added"       // the key was not there
	Uncommented Action = "uncommented" // a commented-out "# key = …" became the setting
	Replaced    Action = "replaced"    // the key had another value
	Unchanged   Action = "unchanged"   // the key already had this value
	Unset       Action = "unset"       // the setting was commented out
)

// Change is what an edit did to one key.
type Change struct {
	Key    string `json:"key"`
	Action Action `json:"action"`
}

// TableEdit is a change to one table of a TOML document.
type TableEdit struct {
	// Table is the table's dotted name ("email", "oauth.google"); empty is
	// the root table, before the first header.
	Table string
	// Set gives keys their values, in this order when they are added.
	Set []Setting
	// Unset comments out these keys' settings (the old value stays visible
	// as "# key = value", as a reminder and for undoing by hand). Keys that
	// are not set are ignored.
	Unset []string
}

// bareKey is the key syntax the editor writes and looks for.
var bareKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// EditTOML applies e to the TOML document src and returns the new document
// and what happened to each key of e, in the order of e.Set then e.Unset.
//
// src must parse, and the result is parsed again and compared with src:
// apart from the keys of e every value must be equal, else EditTOML fails
// rather than return a document that means something else. That also
// covers layouts the line editor cannot handle (a table written as an
// inline table or with dotted keys elsewhere): they end in an error that
// asks for a hand edit.
func EditTOML(src []byte, e TableEdit) ([]byte, []Change, error) {
	before := map[string]any{}
	if _, err := toml.Decode(string(src), &before); err != nil {
		return nil, nil, fmt.Errorf("parse: %w", err)
	}
	table := []string{}
	if e.Table != "" {
		table = strings.Split(e.Table, ".")
	}
	for _, part := range table {
		if !bareKey.MatchString(part) {
			return nil, nil, fmt.Errorf("table %q: only bare names can be edited", e.Table)
		}
	}
	for _, s := range e.Set {
		if !bareKey.MatchString(s.Key) {
			return nil, nil, fmt.Errorf("key %q: only bare keys can be edited", s.Key)
		}
	}
	for _, k := range e.Unset {
		if !bareKey.MatchString(k) {
			return nil, nil, fmt.Errorf("key %q: only bare keys can be edited", k)
		}
	}
	if tableAt(before, table) == nil && hasPath(before, table) {
		return nil, nil, fmt.Errorf("[%s] is not a table", e.Table)
	}

	d := newDoc(src)
	var changes []Change
	for _, s := range e.Set {
		text, err := formatValue(s.Value)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", s.Key, err)
		}
		if cur, ok := tableAt(before, table)[s.Key]; ok && reflect.DeepEqual(cur, normalize(s.Value)) {
			changes = append(changes, Change{s.Key, Unchanged})
			continue
		}
		changes = append(changes, Change{s.Key, d.set(table, s.Key, text)})
	}
	for _, k := range e.Unset {
		if d.unset(table, k) {
			changes = append(changes, Change{k, Unset})
		}
	}
	out := d.bytes()

	after := map[string]any{}
	if _, err := toml.Decode(string(out), &after); err != nil {
		return nil, nil, fmt.Errorf("editing [%s] would break the file (%v); edit it by hand", tableName(e.Table), err)
	}
	want := expected(before, table, e)
	if !reflect.DeepEqual(after, want) {
		return nil, nil, fmt.Errorf("editing [%s] would change other settings (is the table written inline or with dotted keys?); edit it by hand", tableName(e.Table))
	}
	return out, changes, nil
}

// TableKeys lists the keys set in a table of the document, sorted, so that
// a caller that replaces a whole table knows which stale keys to unset.
// A missing table has none.
func TableKeys(src []byte, table string) ([]string, error) {
	doc := map[string]any{}
	if _, err := toml.Decode(string(src), &doc); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	var path []string
	if table != "" {
		path = strings.Split(table, ".")
	}
	return slices.Sorted(maps.Keys(tableAt(doc, path))), nil
}

func tableName(t string) string {
	if t == "" {
		return "root table"
	}
	return t
}

// tableAt returns the table at path in a decoded document, or nil.
func tableAt(doc map[string]any, path []string) map[string]any {
	t := doc
	for _, p := range path {
		next, ok := t[p].(map[string]any)
		if !ok {
			return nil
		}
		t = next
	}
	return t
}

// hasPath reports whether something (table or not) is at path.
func hasPath(doc map[string]any, path []string) bool {
	if len(path) == 0 {
		return true
	}
	parent := tableAt(doc, path[:len(path)-1])
	_, ok := parent[path[len(path)-1]]
	return ok
}

// expected is the decoded document that applying e to before must give.
func expected(before map[string]any, table []string, e TableEdit) map[string]any {
	want := deepCopy(before)
	t := want
	for _, p := range table {
		next, ok := t[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			t[p] = next
		}
		t = next
	}
	for _, s := range e.Set {
		t[s.Key] = normalize(s.Value)
	}
	for _, k := range e.Unset {
		delete(t, k)
	}
	return want
}

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = deepCopy(sub)
		}
		out[k] = v
	}
	return out
}

// normalize turns a Setting value into what the TOML decoder returns for
// it.
func normalize(v any) any {
	switch v := v.(type) {
	case int:
		return int64(v)
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	}
	return v
}

// formatValue writes a Setting value as TOML.
func formatValue(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return quote(v), nil
	case bool:
		return strconv.FormatBool(v), nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case []string:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = quote(s)
		}
		return "[" + strings.Join(parts, ", ") + "]", nil
	}
	return "", fmt.Errorf("cannot write a %T as TOML", v)
}

// quote writes s as a TOML basic string. strconv.Quote is not TOML: it
// uses \x escapes, which TOML lacks.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// doc is a document as lines, each with its line ending.
type doc struct {
	lines []string
	eol   string // the file's line ending, used for new lines
}

func newDoc(src []byte) *doc {
	d := &doc{eol: "\n"}
	s := string(src)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			d.lines = append(d.lines, s)
			break
		}
		d.lines = append(d.lines, s[:i+1])
		s = s[i+1:]
	}
	if len(d.lines) > 0 && strings.HasSuffix(d.lines[0], "\r\n") {
		d.eol = "\r\n"
	}
	return d
}

func (d *doc) bytes() []byte { return []byte(strings.Join(d.lines, "")) }

// section finds a table's lines: the header's index (-1 for the root
// table) and the index just past its last line. found is false when the
// document has no such table.
func (d *doc) section(stmts []stmt, table []string) (header, end int, found bool) {
	header = -1
	if len(table) > 0 {
		for i, s := range stmts {
			if s.kind == headerLine && slices.Equal(s.path, table) {
				header = i
				break
			}
		}
		if header < 0 {
			return -1, 0, false
		}
	}
	end = len(stmts)
	for i := header + 1; i < len(stmts); i++ {
		if stmts[i].kind == headerLine || stmts[i].kind == arrayHeaderLine {
			end = i
			break
		}
	}
	return header, end, true
}

// set writes key = text into the table: over the key's line if it is set,
// else over its commented-out line, else after the table's last setting,
// else as a new table at the end of the document.
func (d *doc) set(table []string, key, text string) Action {
	stmts := scan(d.lines)
	header, end, found := d.section(stmts, table)
	if !found {
		d.appendTable(table, key+" = "+text)
		return Added
	}
	for i := header + 1; i < end; i++ {
		s := stmts[i]
		if s.kind == keyLine && slices.Equal(s.path, []string{key}) {
			d.replace(i, s.end, indent(d.lines[i])+key+" = "+text+trailingComment(d.lines[i], i == s.end)+d.lineEnd(s.end))
			return Replaced
		}
	}
	for i := header + 1; i < end; i++ {
		if stmts[i].commented == key {
			d.replace(i, i, indent(d.lines[i])+key+" = "+text+d.lineEnd(i))
			return Uncommented
		}
	}
	at := -1
	for i := header + 1; i < end; i++ {
		if stmts[i].kind == keyLine || stmts[i].commented != "" {
			at = stmts[i].end + 1
		}
	}
	switch {
	case at >= 0:
		d.insert(at, key+" = "+text+d.eol)
	case header >= 0:
		d.insert(header+1, key+" = "+text+d.eol)
	case end < len(d.lines):
		// A root table without settings: the key goes above the first
		// header and the comments that introduce it.
		at = end
		for at > 0 && stmts[at-1].kind == commentLine {
			at--
		}
		d.insert(at, key+" = "+text+d.eol, d.eol)
	default:
		d.insert(end, key+" = "+text+d.eol)
	}
	return Added
}

// unset comments out the key's setting in the table, reporting whether it
// was set.
func (d *doc) unset(table []string, key string) bool {
	stmts := scan(d.lines)
	header, end, found := d.section(stmts, table)
	if !found {
		return false
	}
	for i := header + 1; i < end; i++ {
		s := stmts[i]
		if s.kind == keyLine && slices.Equal(s.path, []string{key}) {
			for j := i; j <= s.end; j++ {
				ind := indent(d.lines[j])
				d.lines[j] = ind + "# " + d.lines[j][len(ind):]
			}
			return true
		}
	}
	return false
}

// appendTable adds a new table with one line at the end of the document.
func (d *doc) appendTable(table []string, line string) {
	d.terminateLast()
	if len(d.lines) > 0 && strings.TrimSpace(d.lines[len(d.lines)-1]) != "" {
		d.lines = append(d.lines, d.eol)
	}
	d.lines = append(d.lines, "["+strings.Join(table, ".")+"]"+d.eol, line+d.eol)
}

// terminateLast gives the last line a line ending, so lines can follow it.
func (d *doc) terminateLast() {
	if n := len(d.lines); n > 0 && !strings.HasSuffix(d.lines[n-1], "\n") {
		d.lines[n-1] += d.eol
	}
}

// lineEnd is the ending of line i ("" for a last line without one).
func (d *doc) lineEnd(i int) string {
	l := d.lines[i]
	switch {
	case strings.HasSuffix(l, "\r\n"):
		return "\r\n"
	case strings.HasSuffix(l, "\n"):
		return "\n"
	}
	return ""
}

// replace puts one line in place of lines [from, to].
func (d *doc) replace(from, to int, line string) {
	d.lines = slices.Replace(d.lines, from, to+1, line)
}

// insert puts lines before index at.
func (d *doc) insert(at int, lines ...string) {
	if at == len(d.lines) {
		d.terminateLast()
	}
	d.lines = slices.Insert(d.lines, at, lines...)
}

// indent is the leading white space of a line.
func indent(line string) string {
	return line[:len(line)-len(strings.TrimLeft(line, " \t"))]
}

// trailingComment is the " # note" after a one-line setting, kept when its
// value is replaced; a multi-line value's comment is not carried over.
func trailingComment(line string, oneLine bool) string {
	if !oneLine {
		return ""
	}
	text := strings.TrimRight(line, "\r\n")
	_, value, _ := cutOutsideQuotes(strings.TrimSpace(text), '=')
	for i := 0; i < len(value); i++ {
		switch value[i] {
		case '"', '\'':
			i = skipString(value, i) - 1
		case '#':
			j := i
			for j > 0 && (value[j-1] == ' ' || value[j-1] == '\t') {
				j--
			}
			if j == i {
				return " " + value[i:]
			}
			return value[j:]
		}
	}
	return ""
}
