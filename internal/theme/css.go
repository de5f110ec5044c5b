package theme

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// The theme file is the operator's: gen writes it once and never again, so
// it may hold rules, comments and variables of their own. Saving must not
// lose them. Rather than regenerate the file, Document finds the managed
// declarations in it (a small scanner for this one shape of CSS: top-level
// rules, at-rules with blocks, comments and strings) and Render edits only
// their values, inserting a declaration that is missing into its block and
// a block that is missing at the end.

// header starts a theme file written from nothing.
const header = `/* The theme of the account pages: the --rs-* custom properties core.css
   draws with. Light values in :root, dark ones under prefers-color-scheme.
   Edit it by hand or with ` + "`regstack theme design`" + `, which changes only
   these declarations and keeps the rest of the file. */
`

// Document is a parsed theme file.
type Document struct {
	src []byte
	// light and dark are the :root blocks of each scheme in file order
	// (dark ones inside @media (prefers-color-scheme: dark)).
	light, dark []block
	// darkMedia is the offset of the first dark @media rule, or -1.
	darkMedia int
	// decls holds, per scheme, the last declaration of each managed
	// variable: the one the cascade uses, so the one to edit.
	decls map[Scheme]map[string]decl
}

// block is the inside of one `:root { … }`: from just after { to the
// offset of }.
type block struct {
	open, close int
	// indent is the indentation of the block's declarations, taken from
	// its first one (or a default), so inserted lines match.
	indent string
	// semi is where the last declaration ends when it has no ; (CSS
	// allows that for the last one), or -1: a declaration added after it
	// needs the ; first.
	semi int
}

// decl is one `name: value;`.
type decl struct {
	// start..end is the whole declaration, end just past its ; (or at the
	// block's } when the last one has none).
	start, end int
	// valStart..valEnd is the value without surrounding space or
	// comments: the bytes Render replaces.
	valStart, valEnd int
	value            string
}

// Parse reads a theme file. An empty src is an empty file. Syntax the
// scanner cannot follow (an unclosed comment, string or brace) is an
// error naming the line, rather than a guess that could corrupt the file
// on save.
func Parse(src []byte) (*Document, error) {
	d := &Document{src: src, darkMedia: -1, decls: map[Scheme]map[string]decl{Light: {}, Dark: {}}}
	if err := d.rules(0, len(src), false); err != nil {
		return nil, err
	}
	return d, nil
}

// Theme returns the managed values the file declares.
func (d *Document) Theme() Theme {
	t := Theme{Light: Values{}, Dark: Values{}}
	for s, vals := range map[Scheme]Values{Light: t.Light, Dark: t.Dark} {
		for name, dc := range d.decls[s] {
			vals[name] = dc.value
		}
	}
	return t
}

func (d *Document) lineOf(off int) int { return bytes.Count(d.src[:off], []byte("\n")) + 1 }

// rules scans the rule list in src[from:to]. inDark says it is the body of
// a dark @media rule.
func (d *Document) rules(from, to int, inDark bool) error {
	i := from
	for {
		var err error
		if i, err = d.skipSpace(i, to); err != nil {
			return err
		}
		if i >= to {
			return nil
		}
		if d.src[i] == '}' {
			return fmt.Errorf("line %d: } without a matching {", d.lineOf(i))
		}
		start := i
		end, stop, err := d.scanUntil(i, to, ";{")
		if err != nil {
			return err
		}
		if stop == 0 && end < to {
			return fmt.Errorf("line %d: } without a matching {", d.lineOf(end))
		}
		if stop == 0 {
			// Text after the last rule: a block appended after it would
			// become part of its selector, so refuse rather than guess.
			return fmt.Errorf("line %d: %q is not followed by { … } or ;", d.lineOf(start), bytes.TrimSpace(d.src[start:end]))
		}
		if stop == ';' {
			// A statement without a block (@import, @charset): it holds no
			// managed declarations.
			i = end + 1
			continue
		}
		closeAt, err := d.matchBrace(end, to)
		if err != nil {
			return err
		}
		prelude := normalizePrelude(d.src[start:end])
		switch {
		case prelude == ":root":
			s := Light
			if inDark {
				s = Dark
			}
			if err := d.block(s, end+1, closeAt); err != nil {
				return err
			}
		case !inDark && prelude == "@media(prefers-color-scheme:dark)":
			if d.darkMedia < 0 {
				d.darkMedia = start
			}
			if err := d.rules(end+1, closeAt, true); err != nil {
				return err
			}
		}
		i = closeAt + 1
	}
}

// block records the declarations of one :root block.
func (d *Document) block(s Scheme, open, close int) error {
	b := block{open: open, close: close, semi: -1}
	i := open
	for {
		var err error
		if i, err = d.skipSpace(i, close); err != nil {
			return err
		}
		if i >= close {
			break
		}
		end, stop, err := d.scanUntil(i, close, ";{")
		if err != nil {
			return err
		}
		if stop == '{' {
			// A nested rule: not a declaration; step over it.
			c, err := d.matchBrace(end, close)
			if err != nil {
				return err
			}
			i = c + 1
			continue
		}
		// Where the item's text ends: a ; owed after it goes there.
		_, itemEnd, _ := d.value(i, end)
		// The item's own colon, not one inside a comment or a string
		// (FuzzParseRender's seed 420494d10bfa1399).
		colon, found, err := d.scanUntil(i, end, ":")
		if err != nil {
			return err
		}
		if found == ':' {
			name := strings.TrimSpace(string(d.src[i:colon]))
			if b.indent == "" {
				b.indent = d.indentAt(i)
			}
			dc := decl{start: i, end: min(end+1, close)}
			dc.valStart, dc.valEnd, dc.value = d.value(colon+1, end)
			if _, ok := Lookup(name); ok {
				d.decls[s][name] = dc
			}
			itemEnd = max(dc.valEnd, colon+1)
		}
		b.semi = -1
		if end >= close {
			b.semi = itemEnd
		}
		i = end + 1
	}
	if b.indent == "" {
		b.indent = "  "
		if s == Dark {
			b.indent = "    "
		}
	}
	if s == Light {
		d.light = append(d.light, b)
	} else {
		d.dark = append(d.dark, b)
	}
	return nil
}

// value finds the value in src[from:to]: the span from its first to its
// last byte that is neither space nor part of a comment, and its text with
// comments removed. A string is taken whole: a /* inside it opens no
// comment (FuzzParseRender's seed ba6193d8698e61cb).
func (d *Document) value(from, to int) (start, end int, text string) {
	start, end = -1, from
	var sb strings.Builder
	for i := from; i < to; {
		c := d.src[i]
		if d.commentAt(i, to) {
			var err error
			if i, err = d.skipComment(i, to); err != nil {
				i = to // Parse already refused an unclosed comment.
			}
			sb.WriteByte(' ')
			continue
		}
		next := i + 1
		if c == '"' || c == '\'' {
			var err error
			if next, err = d.skipString(i, to); err != nil {
				next = to // Parse already refused an unclosed string.
			}
		}
		if !isSpace(c) {
			if start < 0 {
				start = i
			}
			end = next
		}
		sb.Write(d.src[i:next])
		i = next
	}
	if start < 0 {
		return from, from, ""
	}
	return start, end, strings.Join(strings.Fields(sb.String()), " ")
}

func (d *Document) indentAt(i int) string {
	ls := bytes.LastIndexByte(d.src[:i], '\n') + 1
	if ind := d.src[ls:i]; len(bytes.TrimSpace(ind)) == 0 {
		return string(ind)
	}
	return ""
}

// skipSpace steps over white space and comments.
func (d *Document) skipSpace(i, to int) (int, error) {
	for i < to {
		switch {
		case isSpace(d.src[i]):
			i++
		case d.commentAt(i, to):
			var err error
			if i, err = d.skipComment(i, to); err != nil {
				return 0, err
			}
		default:
			return i, nil
		}
	}
	return i, nil
}

// scanUntil finds the first byte of stops at nesting depth 0 (outside
// strings, comments and parentheses) from i; it returns to and 0 when
// there is none.
func (d *Document) scanUntil(i, to int, stops string) (int, byte, error) {
	depth, open := 0, 0
	for i < to {
		c := d.src[i]
		switch {
		case d.commentAt(i, to):
			var err error
			if i, err = d.skipComment(i, to); err != nil {
				return 0, 0, err
			}
			continue
		case c == '"' || c == '\'':
			e, err := d.skipString(i, to)
			if err != nil {
				return 0, 0, err
			}
			i = e
			continue
		case c == '(':
			if depth == 0 {
				open = i
			}
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
		case c == '}' && depth > 0:
			// A ; added after this item would land inside the parentheses.
			return 0, 0, fmt.Errorf("line %d: ( is never closed", d.lineOf(open))
		case c == '}' && depth == 0:
			if strings.IndexByte(stops, c) < 0 {
				// The end of the enclosing block: a declaration without ;.
				return i, 0, nil
			}
		case depth == 0 && strings.IndexByte(stops, c) >= 0:
			return i, c, nil
		}
		i++
	}
	if depth > 0 {
		return 0, 0, fmt.Errorf("line %d: ( is never closed", d.lineOf(open))
	}
	return to, 0, nil
}

// commentAt reports whether a comment opens at i.
func (d *Document) commentAt(i, to int) bool {
	return d.src[i] == '/' && i+1 < to && d.src[i+1] == '*'
}

// skipComment returns the offset just past the comment opening at i.
func (d *Document) skipComment(i, to int) (int, error) {
	e := bytes.Index(d.src[i+2:to], []byte("*/"))
	if e < 0 {
		return 0, fmt.Errorf("line %d: unclosed comment", d.lineOf(i))
	}
	return i + 2 + e + 2, nil
}

// skipString returns the offset just past the string starting at i.
func (d *Document) skipString(i, to int) (int, error) {
	q := d.src[i]
	for j := i + 1; j < to; j++ {
		switch d.src[j] {
		case '\\':
			j++
		case q:
			return j + 1, nil
		case '\n':
			return 0, fmt.Errorf("line %d: unclosed string", d.lineOf(i))
		}
	}
	return 0, fmt.Errorf("line %d: unclosed string", d.lineOf(i))
}

// matchBrace returns the offset of the } closing the { at open.
func (d *Document) matchBrace(open, to int) (int, error) {
	depth := 0
	for i := open; i < to; {
		c := d.src[i]
		switch {
		case d.commentAt(i, to):
			var err error
			if i, err = d.skipComment(i, to); err != nil {
				return 0, err
			}
			continue
		case c == '"' || c == '\'':
			e, err := d.skipString(i, to)
			if err != nil {
				return 0, err
			}
			i = e
			continue
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return i, nil
			}
		}
		i++
	}
	return 0, fmt.Errorf("line %d: { is never closed", d.lineOf(open))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// normalizePrelude lower-cases a selector or at-rule prelude and drops its
// white space and comments, so `@media (prefers-color-scheme: dark)` and
// `@media(prefers-color-scheme:dark)` compare equal.
func normalizePrelude(b []byte) string {
	var sb strings.Builder
	for i := 0; i < len(b); i++ {
		if b[i] == '/' && i+1 < len(b) && b[i+1] == '*' {
			e := bytes.Index(b[i+2:], []byte("*/"))
			if e < 0 {
				break
			}
			i += e + 3
			continue
		}
		if !isSpace(b[i]) {
			sb.WriteByte(b[i])
		}
	}
	return strings.ToLower(sb.String())
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
}

// Render returns the file with t's values: each managed declaration that
// exists is changed in place (its value only), a variable t has but the
// file lacks is added at the end of its scheme's first block, a dark
// declaration t no longer has is removed (the dark scheme then inherits
// the light value), and everything else stays byte for byte. A light
// value missing from t is left as the file has it.
func (d *Document) Render(t Theme) []byte {
	var edits []edit
	inserts := map[Scheme]*strings.Builder{Light: {}, Dark: {}}
	for _, s := range []Scheme{Light, Dark} {
		want := t.Light
		blocks := d.light
		if s == Dark {
			want, blocks = t.Dark, d.dark
		}
		indent := "  "
		if s == Dark {
			indent = "    "
		}
		if len(blocks) > 0 {
			indent = blocks[0].indent
		}
		for _, name := range Names() {
			v, has := want[name]
			dc, exists := d.decls[s][name]
			switch {
			case exists && has && v != dc.value:
				edits = append(edits, edit{dc.valStart, dc.valEnd, v})
			case exists && !has && s == Dark:
				edits = append(edits, d.removal(dc))
			case !exists && has:
				fmt.Fprintf(inserts[s], "%s%s: %s;\n", indent, name, v)
			}
		}
	}
	var tail strings.Builder
	for _, s := range []Scheme{Light, Dark} {
		text := inserts[s].String()
		if text == "" {
			continue
		}
		blocks := d.light
		if s == Dark {
			blocks = d.dark
		}
		if len(blocks) > 0 {
			edits = append(edits, d.insertion(blocks[0], text)...)
			continue
		}
		var nb string
		if s == Light {
			nb = ":root {\n" + text + "}\n"
		} else {
			nb = "@media (prefers-color-scheme: dark) {\n  :root {\n" + text + "  }\n}\n"
		}
		if s == Light && d.darkMedia >= 0 {
			// Keep light before dark, as a reader expects.
			edits = append(edits, edit{d.darkMedia, d.darkMedia, nb + "\n"})
			continue
		}
		if tail.Len() > 0 || len(bytes.TrimSpace(d.src)) > 0 {
			tail.WriteString("\n")
		}
		tail.WriteString(nb)
	}
	out := slices.Clone(d.src)
	if len(bytes.TrimSpace(out)) == 0 {
		out = []byte(header)
		if tail.Len() > 0 {
			out = append(out, '\n')
		}
	} else if tail.Len() > 0 && !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, '\n')
	}
	out = append(out, tail.String()...)
	// A ; owed to a declaration that is being removed would land inside
	// the removed range; the removal makes it moot.
	all := slices.Clone(edits)
	edits = slices.DeleteFunc(edits, func(in edit) bool {
		return in.start == in.end && slices.ContainsFunc(all, func(e edit) bool { return e.start < in.start && in.start < e.end })
	})
	// Apply from the end, so earlier offsets stay valid; the parsed
	// offsets all lie before the appended tail.
	slices.SortStableFunc(edits, func(a, b edit) int { return b.start - a.start })
	for _, e := range edits {
		out = slices.Concat(out[:e.start], []byte(e.text), out[e.end:])
	}
	return out
}

// insertion adds lines (each ending in \n) at the end of block b: before
// the line of its } when that brace stands on a line of its own.
func (d *Document) insertion(b block, lines string) []edit {
	at, text := b.close, "\n"+lines // `:root { --x: 1; }` on one line: break it open.
	if ls := bytes.LastIndexByte(d.src[:b.close], '\n') + 1; ls > b.open && len(bytes.TrimSpace(d.src[ls:b.close])) == 0 {
		at, text = ls, lines
	}
	switch {
	case b.semi < 0:
		return []edit{{at, at, text}}
	case b.semi == at:
		// One edit, so the ; lands before the new lines, not after.
		return []edit{{at, at, ";" + text}}
	}
	return []edit{{b.semi, b.semi, ";"}, {at, at, text}}
}

// removal deletes a declaration, with its line when it has one to itself.
func (d *Document) removal(dc decl) edit {
	ls := bytes.LastIndexByte(d.src[:dc.start], '\n') + 1
	le := dc.end
	if nl := bytes.IndexByte(d.src[dc.end:], '\n'); nl >= 0 {
		le = dc.end + nl + 1
	} else {
		le = len(d.src)
	}
	if len(bytes.TrimSpace(d.src[ls:dc.start])) == 0 && len(bytes.TrimSpace(d.src[dc.end:le])) == 0 {
		return edit{ls, le, ""}
	}
	return edit{dc.start, dc.end, ""}
}
