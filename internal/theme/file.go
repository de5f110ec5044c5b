package theme

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"

	"github.com/regstack/regstack/internal/apply"
)

// Load reads the theme file at path. A missing file is an empty document
// (saving it writes the defaults); a file the scanner cannot follow is an
// error, since saving over it could lose what it holds.
func Load(path string) (*Document, error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Parse(nil)
	}
	if err != nil {
		return nil, err
	}
	d, err := Parse(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w (fix the file, or delete it to start from the defaults)", path, err)
	}
	return d, nil
}

// Current is the theme the file holds, each light variable it lacks
// filled in with its default: the values the designer starts from, and
// the base headless --var flags change.
func Current(d *Document) Theme {
	t := d.Theme()
	for _, v := range Variables() {
		if _, ok := t.Light[v.Name]; !ok {
			t.Light[v.Name] = v.Light
		}
	}
	if len(d.src) == 0 {
		// No file yet: the dark defaults too, as gen would have written.
		t.Dark = Defaults().Dark
	}
	return t
}

// FieldError is a rejected value.
type FieldError struct {
	Scheme  Scheme `json:"scheme"`
	Name    string `json:"name"`
	Message string `json:"message"`
}

func (e FieldError) Error() string {
	if e.Scheme == Dark {
		return "dark " + e.Message
	}
	return e.Message
}

// Merge returns next with every value that differs from cur validated and
// normalized. Values the file already held pass unchecked: they are the
// operator's, perhaps in a form the designer does not produce, and saving
// an unrelated change must not fail on them. An empty dark value removes
// the dark redefinition; a light value cannot be empty.
func Merge(cur, next Theme) (Theme, []FieldError) {
	out := Theme{Light: Values{}, Dark: Values{}}
	var errs []FieldError
	for _, s := range []Scheme{Light, Dark} {
		curVals, nextVals, dst := cur.Light, next.Light, out.Light
		if s == Dark {
			curVals, nextVals, dst = cur.Dark, next.Dark, out.Dark
		}
		names := make([]string, 0, len(nextVals))
		for name := range nextVals {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			val := nextVals[name]
			if _, ok := Lookup(name); !ok {
				errs = append(errs, FieldError{s, name, fmt.Sprintf("unknown variable %s", name)})
				continue
			}
			if s == Dark && val == "" {
				continue
			}
			if old, ok := curVals[name]; ok && old == val {
				dst[name] = val
				continue
			}
			norm, err := Normalize(name, val)
			if err != nil {
				errs = append(errs, FieldError{s, name, err.Error()})
				continue
			}
			dst[name] = norm
		}
	}
	// A light variable next leaves out keeps its current value.
	for name, val := range cur.Light {
		if _, ok := out.Light[name]; !ok {
			out.Light[name] = val
		}
	}
	return out, errs
}

// Write replaces the theme file atomically (a temporary sibling renamed
// over it), keeping the mode of the file it replaces, so a killed save
// leaves the old file or the new one and never half of either.
func Write(path string, data []byte) error {
	perm := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	return apply.WriteFile(path, data, perm)
}
