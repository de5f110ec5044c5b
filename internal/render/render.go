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
	"runtime"
	"sort"
	"strings"
	"sync"
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

// Options tune how Render works, never what it produces.
type Options struct {
	// GofmtedGo promises that every plain .go blueprint (not a template,
	// not emitted) is already gofmt'd, as `make fmt-check` ensures for the
	// embedded tree. Such a file that needs no package rename then keeps its
	// bytes instead of going through format.Source, which is most of a
	// run's CPU time: only the placeholder import paths change, and a test
	// checks that this never changes gofmt's layout. Leave it false for a
	// tree the operator edits (--blueprints).
	GofmtedGo bool
}

// Render renders every blueprint entry whose conditions hold for s.
func Render(s *spec.Spec, tree *blueprint.Tree) ([]File, error) {
	return RenderWith(s, tree, Options{})
}

// RenderWith is Render with options. The files are rendered in parallel,
// but the result (and the error, should several entries fail) is the one a
// sequential run over the entries in catalog order gives.
func RenderWith(s *spec.Spec, tree *blueprint.Tree, opts Options) ([]File, error) {
	entries, err := tree.Entries("common", s.Backend)
	if err != nil {
		return nil, err
	}
	// Choose the entries and their destinations in order. An error here
	// (a bad condition, two entries writing one file) ends the selection;
	// it is reported after the entries chosen before it, so that one of
	// them failing to render wins, as it would in a sequential run.
	type job struct {
		e    blueprint.Entry
		dst  string
		data []byte
		err  error
	}
	var jobs []job
	var selectErr error
	seen := map[string]string{}
	for _, e := range entries {
		ok, err := holds(s, e.When)
		if err != nil {
			selectErr = fmt.Errorf("%s: %w", e.ID, err)
			break
		}
		if !ok {
			continue
		}
		dst, ok := destination(s, e.Path)
		if !ok {
			continue
		}
		if prev, dup := seen[dst]; dup {
			selectErr = fmt.Errorf("%s and %s both write %s", prev, e.ID, dst)
			break
		}
		seen[dst] = e.ID
		jobs = append(jobs, job{e: e, dst: dst})
	}

	// Render on every core: gofmt and templates are CPU-bound, and each
	// job writes only its own slot, so the order stays the catalog's.
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for i := range next {
				j := &jobs[i]
				src, err := fs.ReadFile(tree.FS, j.e.Source)
				if err != nil {
					j.err = err
					continue
				}
				if j.data, err = renderOne(s, j.e, src, opts); err != nil {
					j.err = fmt.Errorf("%s: %w", j.e.ID, err)
				}
			}
		})
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()

	files := make([]File, 0, len(jobs))
	for _, j := range jobs {
		if j.err != nil {
			return nil, j.err
		}
		files = append(files, File{Path: j.dst, Template: j.e.ID, Mode: j.e.Mode, Data: j.data, Perm: 0o644})
	}
	if selectErr != nil {
		return nil, selectErr
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

func renderOne(s *spec.Spec, e blueprint.Entry, src []byte, opts Options) ([]byte, error) {
	data := src
	if strings.HasSuffix(e.Path, emitSuffix) {
		var err error
		if data, err = emit(s, src); err != nil {
			return nil, err
		}
		if strings.HasSuffix(strings.TrimSuffix(e.Path, emitSuffix), ".go") {
			return renderGo(s, data, false)
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
		return renderGoIf(s, e.Path, buf.Bytes(), false)
	}
	return renderGoIf(s, e.Path, data, opts.GofmtedGo)
}

// renderGoIf passes data through renderGo when the blueprint at path
// (a template or not) renders a Go file.
func renderGoIf(s *spec.Spec, path string, data []byte, gofmted bool) ([]byte, error) {
	if strings.HasSuffix(strings.TrimSuffix(path, ".tmpl"), ".go") {
		return renderGo(s, data, gofmted)
	}
	return data, nil
}

// renderGo points the placeholder imports at the host module, renames the
// package when the operator chose another folder name, and gofmts. gofmted
// says src is gofmt'd already (Options.GofmtedGo): then only a rename,
// which reprints the file, needs gofmt, since the new import paths leave
// the layout as it was (TestGofmtedGoSkipsOnlyNoOps checks every embedded
// blueprint).
func renderGo(s *spec.Spec, src []byte, gofmted bool) ([]byte, error) {
	out := bytes.ReplaceAll(src, []byte(`"`+placeholderPackage), []byte(`"`+s.PackageImport))
	out = bytes.ReplaceAll(out, []byte(`"`+placeholderModule), []byte(`"`+s.Module))
	if s.PackageName != placeholderName {
		var err error
		if out, err = renamePackage(out, placeholderName, s.PackageName, s.PackageImport); err != nil {
			return nil, err
		}
	} else if gofmted {
		return out, nil
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
