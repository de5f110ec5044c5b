package configkeys

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"

	"github.com/regstack/regstack/internal/spec"
)

// ownedHeader opens every owned Go file (blueprints/README.md).
const ownedHeader = "This file is part of your application: regstack wrote it, you own it.\n" +
	"Edit it freely; `regstack gen --upgrade` merges later fixes into your edits."

// Doc comments wrap at these widths, not counting the indentation: top
// level, and inside a struct or function.
const (
	commentWidth       = 76
	nestedCommentWidth = 70
)

// ConfigGo writes the host's config/config.go: the package documentation,
// Config and one struct per table with keys (EmailConfig, SMSConfig; one
// field per generated key, grouped by concern) and Default.
func ConfigGo(s *spec.Spec) ([]byte, error) {
	keys, err := For(s)
	if err != nil {
		return nil, err
	}
	f := newFile()
	for _, line := range wrap("Package config holds the settings of the account system and loads them from, lowest to highest precedence: "+
		"built-in defaults, regstack.toml, regstack.secrets.env, and REGSTACK_* environment variables.", commentWidth) {
		f.PackageComment(line)
	}
	f.PackageComment("//")
	for _, line := range wrap("Every setting is a field of Config and a row of the table in fields.go, which names its TOML key and "+
		"what Validate accepts; loading, validation messages and the documentation all follow from that table.", commentWidth) {
		f.PackageComment(line)
	}

	top, nested := splitTables(keys)
	fields := structFields(top)
	for _, t := range nested {
		fields = append(fields, jen.Line(), nestedComments(t.Comment+": the ["+t.ID+"] table.").Id(t.Field).Id(t.Type))
	}
	f.Add(comments("Config is the complete configuration: one field per setting, named after it (AppName is app_name; the table in fields.go pairs them), and one struct per TOML table.").
		Type().Id("Config").Struct(fields...))
	f.Line()
	for _, t := range nested {
		f.Add(comments(t.Type + " is the [" + t.ID + "] table: " + lowerFirst(t.Comment) + ".").
			Type().Id(t.Type).Struct(structFields(t.keys)...))
		f.Line()
	}

	var defaults []jen.Code
	for _, k := range top {
		if d := defaultValue(k, ""); d != nil {
			defaults = append(defaults, d)
		}
	}
	for _, t := range nested {
		var inner []jen.Code
		for _, k := range t.keys {
			if d := defaultValue(k, t.Field+"."); d != nil {
				inner = append(inner, d)
			}
		}
		defaults = append(defaults, jen.Id(t.Field).Op(":").Id(t.Type).Custom(multiline(), inner...))
	}
	f.Add(comments("Default returns the built-in defaults. JWTSecret is empty: a deployment must supply one (regstack gen writes it into regstack.secrets.env).").
		Func().Id("Default").Params().Id("Config").Block(
		jen.Return(jen.Id("Config").Custom(multiline(), defaults...)),
	))
	return render(f)
}

// nestedTable is a TOML table of the configuration with the keys generated
// in it.
type nestedTable struct {
	Table
	keys []Key
}

// splitTables separates the top-level keys from those of each table, in
// Tables order; a table without generated keys is left out.
func splitTables(keys []Key) (top []Key, nested []nestedTable) {
	byTable := map[string][]Key{}
	for _, k := range keys {
		if t := k.Table(); t != "" {
			byTable[t] = append(byTable[t], k)
		} else {
			top = append(top, k)
		}
	}
	for _, t := range Tables() {
		if ks := byTable[t.ID]; len(ks) > 0 {
			nested = append(nested, nestedTable{Table: t, keys: ks})
		}
	}
	return top, nested
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// FieldsGo writes the host's config/fields.go: fields(), the table the
// loader, Validate, Keys and the rate limiter read, with one row per
// generated key.
func FieldsGo(s *spec.Spec) ([]byte, error) {
	keys, err := For(s)
	if err != nil {
		return nil, err
	}
	f := newFile()
	titles := map[string]string{}
	for _, g := range Groups() {
		titles[g.ID] = g.Title
	}
	var rows []jen.Code
	group := ""
	for _, k := range keys {
		row := jen.Null()
		if k.Group != group {
			group = k.Group
			if len(rows) > 0 {
				row.Line()
			}
			row.Comment(titles[group]).Line()
		}
		rows = append(rows, row.Custom(multiline(), fieldRow(k)...))
	}
	f.Add(comments("fields is the one table of settings, in documentation order: each row names the TOML key, " +
		"what Validate accepts, the documentation and the Config field. It is a function rather than a package " +
		"variable so that nothing at package level can be modified. A rate limit's row names the route it limits.").
		Func().Id("fields").Params().Index().Id("field").Block(
		jen.Return(jen.Index().Id("field").Custom(multiline(), rows...)),
	))
	return render(f)
}

// multiline is a composite literal with one element per line.
func multiline() jen.Options {
	return jen.Options{Open: "{", Close: "}", Separator: ",", Multi: true}
}

func newFile() *jen.File {
	f := jen.NewFile("config")
	for _, line := range strings.Split(ownedHeader, "\n") {
		f.HeaderComment(line)
	}
	return f
}

func render(f *jen.File) ([]byte, error) {
	var buf bytes.Buffer
	if err := f.Render(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// structFields lists keys as struct fields with their documentation, each
// group under its comment and set apart by a blank line.
func structFields(keys []Key) []jen.Code {
	comment := map[string]string{}
	for _, g := range Groups() {
		comment[g.ID] = g.Comment
	}
	var out []jen.Code
	group := ""
	for _, k := range keys {
		if k.Group != group && !isTable(k.Group) {
			if group != "" {
				out = append(out, jen.Line())
			}
			group = k.Group
			out = append(out, nestedComments(comment[group]).Line())
		}
		name := k.Field[strings.LastIndex(k.Field, ".")+1:]
		out = append(out, nestedComments(k.FullDoc()).Id(name).Id(string(k.Type)))
	}
	return out
}

// defaultValue is the Config literal element of k's default; nil for the
// zero value, which needs none.
func defaultValue(k Key, prefix string) jen.Code {
	if k.Default == nil {
		return nil
	}
	s := jen.Null()
	if k.Why != "" {
		s.Add(nestedComments(k.Why))
	}
	s.Id(strings.TrimPrefix(k.Field, prefix)).Op(":")
	if k.DefaultExpr != "" {
		return s.Op(k.DefaultExpr)
	}
	switch v := k.Default.(type) {
	case int:
		return s.Op(number(int64(v)))
	case int64:
		return s.Op(number(v))
	}
	return s.Lit(k.Default)
}

// fieldRow is the elements of k's row in fields().
func fieldRow(k Key) []jen.Code {
	row := []jen.Code{jen.Id("name").Op(":").Lit(k.Name)}
	if k.Route != "" {
		row = append(row, jen.Id("route").Op(":").Lit(k.Route))
	}
	if k.Secret {
		row = append(row, jen.Id("secret").Op(":").True())
	}
	if k.List {
		row = append(row, jen.Id("list").Op(":").True())
	}
	if b := k.Bounds; !b.IsZero() && !k.HandChecked {
		var call *jen.Statement
		switch {
		case b.ZeroOff:
			call = jen.Id("zeroOr").Call(jen.Op(number(b.Min)), jen.Op(number(b.Max)))
		case b.HasMin && b.HasMax:
			call = jen.Id("between").Call(jen.Op(number(b.Min)), jen.Op(number(b.Max)))
		case b.HasMin:
			call = jen.Id("atLeast").Call(jen.Op(number(b.Min)))
		default:
			panic(fmt.Sprintf("configkeys: %s: bounds without a minimum", k.Name))
		}
		row = append(row, jen.Id("bounds").Op(":").Add(call))
	}
	if len(k.Allowed) > 0 && !k.HandChecked {
		var vals []jen.Code
		for _, a := range k.Allowed {
			vals = append(vals, jen.Lit(a))
		}
		row = append(row, jen.Id("oneOf").Op(":").Index().String().Values(vals...))
	}
	row = append(row,
		jen.Id("doc").Op(":").Lit(k.FullDoc()),
		jen.Id("ref").Op(":").Func().Params(jen.Id("c").Op("*").Id("Config")).Any().Values(
			jen.Return(jen.Op("&").Id("c."+k.Field)),
		),
	)
	return row
}

// number spells n as Go source, with digit separators from 100_000 up.
func number(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 100_000 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('_')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// comments is text as // lines wrapped for the top level, each followed by
// a line break.
func comments(text string) *jen.Statement { return commentsAt(text, commentWidth) }

// nestedComments is comments for a struct field or a literal element.
func nestedComments(text string) *jen.Statement { return commentsAt(text, nestedCommentWidth) }

func commentsAt(text string, width int) *jen.Statement {
	s := jen.Null()
	for _, line := range wrap(text, width) {
		s.Comment(line).Line()
	}
	return s
}

// wrap breaks text into lines of at most width bytes at spaces (a longer
// word stands alone).
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) <= width:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
