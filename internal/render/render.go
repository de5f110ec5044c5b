// Package render turns a spec and a blueprint tree into the set of files to
// write, entirely in memory. Nothing reaches the disk unless every file
// rendered and formatted, and the same inputs always give the same bytes.
package render

import (
	"bytes"
	"fmt"
	"go/format"
	"io/fs"
	"path"
	"sort"
	"strings"
	"text/template"

	"github.com/BurntSushi/toml"

	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/configkeys"
	"github.com/regstack/regstack/internal/spec"
)

// Placeholder import paths used by the blueprint Go files. Keeping the
// blueprints valid Go (rather than templating every import) lets gofmt and
// editors work on them directly.
const (
	placeholderPackage = "regstack.example/app/internal/auth"
	placeholderModule  = "regstack.example/app"
	placeholderName    = "auth"
)

// emitSuffix marks a blueprint that names a Go emitter instead of holding
// the file: <name>.emit produces <name>.
const emitSuffix = ".emit"

// Template delimiters for .tmpl blueprints. They differ from text/template's
// defaults because the generated HTML and email templates use {{ }} themselves.
const (
	leftDelim  = "{{%"
	rightDelim = "%}}"
)

// File is one rendered file.
type File struct {
	// Path is slash-separated and relative to the host root.
	Path string
	// Template is the blueprint entry id the file came from.
	Template string
	Mode     blueprint.Mode
	Data     []byte
	// Perm is the file mode to write with.
	Perm fs.FileMode
}

// Render renders every blueprint entry whose conditions hold for s.
func Render(s *spec.Spec, tree *blueprint.Tree) ([]File, error) {
	entries, err := tree.Entries("common", s.Backend)
	if err != nil {
		return nil, err
	}
	var files []File
	seen := map[string]string{}
	for _, e := range entries {
		ok, err := holds(s, e.When)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.ID, err)
		}
		if !ok {
			continue
		}
		dst, ok := destination(s, e.Path)
		if !ok {
			continue
		}
		if prev, dup := seen[dst]; dup {
			return nil, fmt.Errorf("%s and %s both write %s", prev, e.ID, dst)
		}
		seen[dst] = e.ID
		src, err := fs.ReadFile(tree.FS, e.Source)
		if err != nil {
			return nil, err
		}
		data, err := renderOne(s, e, src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.ID, err)
		}
		files = append(files, File{Path: dst, Template: e.ID, Mode: e.Mode, Data: data, Perm: 0o644})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

func holds(s *spec.Spec, conds []string) (bool, error) {
	for _, c := range conds {
		ok, err := s.Has(c)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// destination maps a layer-relative blueprint path to a host path:
// pkg/... goes under the package folder, starter/... to the host root (only
// for a fresh folder), host/... to the host root always.
func destination(s *spec.Spec, p string) (string, bool) {
	p = strings.TrimSuffix(strings.TrimSuffix(p, emitSuffix), ".tmpl")
	top, rest, _ := strings.Cut(p, "/")
	switch top {
	case "pkg":
		return path.Join(s.PackageDir, rest), true
	case "starter":
		return rest, s.Starter
	case "host":
		return rest, true
	}
	return "", false
}

func renderOne(s *spec.Spec, e blueprint.Entry, src []byte) ([]byte, error) {
	data := src
	if strings.HasSuffix(e.Path, emitSuffix) {
		var err error
		if data, err = emit(s, src); err != nil {
			return nil, err
		}
		if strings.HasSuffix(strings.TrimSuffix(e.Path, emitSuffix), ".go") {
			return renderGo(s, data)
		}
		return data, nil
	}
	if strings.HasSuffix(e.Path, ".tmpl") {
		t, err := template.New(e.ID).Delims(leftDelim, rightDelim).Option("missingkey=error").Funcs(funcs).Parse(string(src))
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, s); err != nil {
			return nil, err
		}
		data = buf.Bytes()
	}
	if strings.HasSuffix(strings.TrimSuffix(e.Path, ".tmpl"), ".go") {
		return renderGo(s, data)
	}
	return data, nil
}

// renderGo points the placeholder imports at the host module, renames the
// package when the operator chose another folder name, and gofmts.
func renderGo(s *spec.Spec, src []byte) ([]byte, error) {
	out := bytes.ReplaceAll(src, []byte(`"`+placeholderPackage), []byte(`"`+s.PackageImport))
	out = bytes.ReplaceAll(out, []byte(`"`+placeholderModule), []byte(`"`+s.Module))
	if s.PackageName != placeholderName {
		var err error
		if out, err = renamePackage(out, placeholderName, s.PackageName, s.PackageImport); err != nil {
			return nil, err
		}
	}
	formatted, err := format.Source(out)
	if err != nil {
		return nil, fmt.Errorf("gofmt: %w\n%s", err, numbered(out))
	}
	return formatted, nil
}

func numbered(src []byte) string {
	var b strings.Builder
	for i, line := range strings.Split(string(src), "\n") {
		fmt.Fprintf(&b, "%4d  %s\n", i+1, line)
	}
	return b.String()
}

var funcs = template.FuncMap{
	"quote": func(s string) string { return fmt.Sprintf("%q", s) },
}

// An emitter writes a host file from the spec in Go, for files whose shape
// (not only their text) depends on the answers. A blueprint <name>.emit
// names one (`emitter = "config.go"`); its output then goes through the same
// steps as a blueprint file's: the catalog's conditions and mode, the
// placeholder imports and gofmt for Go, the manifest and upgrade merges.
type emitter func(*spec.Spec) ([]byte, error)

// emitters lists the emitters a .emit blueprint may name.
func emitters() map[string]emitter {
	return map[string]emitter{
		"config.go":     configkeys.ConfigGo,
		"fields.go":     configkeys.FieldsGo,
		"regstack.toml": configkeys.TOML,
	}
}

// emit runs the emitter a .emit blueprint names.
func emit(s *spec.Spec, src []byte) ([]byte, error) {
	var marker struct {
		Emitter string `toml:"emitter"`
	}
	md, err := toml.Decode(string(src), &marker)
	if err != nil {
		return nil, err
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		return nil, fmt.Errorf("unknown keys %v", undec)
	}
	fn, ok := emitters()[marker.Emitter]
	if !ok {
		names := make([]string, 0, len(emitters()))
		for name := range emitters() {
			names = append(names, name)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unknown emitter %q (known: %s)", marker.Emitter, strings.Join(names, ", "))
	}
	return fn(s)
}
