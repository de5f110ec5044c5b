// Package blueprint reads a blueprint tree: the template files and the
// catalog that says, per file, under which condition it is emitted and how an
// upgrade treats it. The tree is an fs.FS so the embedded copy and a folder
// on disk (a team's fork) are read the same way.
package blueprint

import (
	"fmt"
	"go/version"
	"io/fs"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// Mode says how `regstack gen --upgrade` treats a file.
type Mode string

const (
	// Owned files belong to the user after generation and are three-way
	// merged on upgrade.
	Owned Mode = "owned"
	// Managed files are regenerated in full (sqlc output); only these carry a
	// "Code generated" header.
	Managed Mode = "managed"
	// Once files are written on the first run and never touched again
	// (theme CSS, config).
	Once Mode = "once"
	// Append files are migrations: new versions add files, existing ones are
	// never edited.
	Append Mode = "append"
)

// Rule applies to every blueprint file whose path matches Match.
type Rule struct {
	// Match is a path.Match pattern relative to the layer root; a trailing
	// "/**" matches everything below a folder.
	Match string `toml:"match"`
	// When lists conditions that must all hold (see spec.Spec.Has); Load
	// refuses names outside the vocabulary it is given.
	When []string `toml:"when"`
	// Mode overrides the default mode, Owned.
	Mode Mode `toml:"mode"`
}

// Catalog is catalog.toml.
type Catalog struct {
	// Deps are the modules the generated code imports, with the versions the
	// blueprints were tested against, keyed by condition ("" = always).
	Deps  map[string][]string `toml:"deps"`
	Rules []Rule              `toml:"rule"`
}

// Entry is one blueprint file.
type Entry struct {
	// ID is the stable template id recorded in the provenance:
	// "<layer>/<path>".
	ID string
	// Layer is "common" or a backend name.
	Layer string
	// Source is the file's path in the blueprint tree. Layer folders start
	// with an underscore so the go command does not try to build the
	// blueprints as packages of this module; the id leaves it out.
	Source string
	// Path is relative to the layer root, e.g. "pkg/login.go.tmpl".
	Path string
	When []string
	Mode Mode
}

// Tree is a loaded blueprint tree.
type Tree struct {
	FS      fs.FS
	Catalog Catalog
}

// Load reads catalog.toml from fsys. conditions is the vocabulary of
// `when` and deps conditions (spec.Conditions: the names the answers table
// drives, and "starter"); each may be negated with a leading "!". A name
// outside it fails here, naming the rule, rather than when a spec that
// happens to reach the rule is rendered. The vocabulary is passed in
// because it belongs to the spec, which itself depends on no blueprint.
func Load(fsys fs.FS, conditions []string) (*Tree, error) {
	b, err := fs.ReadFile(fsys, "catalog.toml")
	if err != nil {
		return nil, fmt.Errorf("blueprints: %w", err)
	}
	var c Catalog
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		return nil, fmt.Errorf("blueprints: catalog.toml: %w", err)
	}
	if undec := md.Undecoded(); len(undec) > 0 {
		return nil, fmt.Errorf("blueprints: catalog.toml: unknown keys %v", undec)
	}
	known := map[string]bool{}
	for _, c := range conditions {
		known[c] = true
	}
	checkCond := func(cond string) error {
		for _, alt := range strings.Split(cond, "|") {
			if !known[strings.TrimPrefix(alt, "!")] {
				return fmt.Errorf("unknown condition %q (known: %s; a leading ! negates, | joins alternatives)", alt, strings.Join(conditions, ", "))
			}
		}
		return nil
	}
	// Sorted, so a catalog with several faults always reports the same one.
	pinned := map[string]bool{} // modules of the condition keys
	for _, cond := range slices.Sorted(maps.Keys(c.Deps)) {
		deps := c.Deps[cond]
		goKey := isGoLineKey(cond)
		if cond != "" && !goKey {
			if err := checkCond(cond); err != nil {
				return nil, fmt.Errorf("blueprints: catalog.toml: deps %q: %w", cond, err)
			}
		}
		for _, d := range deps {
			mod, ver, ok := strings.Cut(d, "@")
			if !ok || mod == "" || !strings.HasPrefix(ver, "v") {
				return nil, fmt.Errorf("blueprints: catalog.toml: deps %q: %q is not module@version", cond, d)
			}
			if !goKey {
				pinned[mod] = true
			}
		}
	}
	// A go-line key only replaces pins: a module it names that no condition
	// pins is a typo that would otherwise never show.
	for _, key := range slices.Sorted(maps.Keys(c.Deps)) {
		if !isGoLineKey(key) {
			continue
		}
		for _, d := range c.Deps[key] {
			if mod, _, _ := strings.Cut(d, "@"); !pinned[mod] {
				return nil, fmt.Errorf("blueprints: catalog.toml: deps %q: %s is pinned by no condition, so there is nothing for %q to replace", key, mod, d)
			}
		}
	}
	for i, r := range c.Rules {
		if _, err := path.Match(strings.TrimSuffix(r.Match, "/**"), ""); err != nil {
			return nil, fmt.Errorf("blueprints: rule %d: bad pattern %q", i+1, r.Match)
		}
		switch r.Mode {
		case "", Owned, Managed, Once, Append:
		default:
			return nil, fmt.Errorf("blueprints: rule %d: unknown mode %q", i+1, r.Mode)
		}
		for _, cond := range r.When {
			if err := checkCond(cond); err != nil {
				return nil, fmt.Errorf("blueprints: catalog.toml: rule %d (match %q): %w", i+1, r.Match, err)
			}
		}
	}
	return &Tree{FS: fsys, Catalog: c}, nil
}

// Entries lists the files of the given layers in a stable order, with the
// conditions and mode the catalog gives them.
func (t *Tree) Entries(layers ...string) ([]Entry, error) {
	var out []Entry
	for _, layer := range layers {
		dir := LayerDir(layer)
		if _, err := fs.Stat(t.FS, dir); err != nil {
			return nil, fmt.Errorf("blueprints: layer %q: %w", layer, err)
		}
		err := fs.WalkDir(t.FS, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel := strings.TrimPrefix(p, dir+"/")
			e := Entry{ID: layer + "/" + rel, Layer: layer, Source: p, Path: rel, Mode: Owned}
			for _, r := range t.Catalog.Rules {
				if !matches(r.Match, rel) {
					continue
				}
				e.When = append(e.When, r.When...)
				if r.Mode != "" {
					e.Mode = r.Mode
				}
			}
			out = append(out, e)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// LayerDir is the folder of a layer in the blueprint tree.
func LayerDir(layer string) string { return "_" + layer }

func matches(pattern, p string) bool {
	if dir, ok := strings.CutSuffix(pattern, "/**"); ok {
		return strings.HasPrefix(p, dir+"/")
	}
	ok, _ := path.Match(pattern, p)
	return ok
}

// DepsFor returns the module@version pins whose condition holds, sorted and
// without duplicates. has decides a condition (spec.Spec.Has); the empty
// condition always holds. These are the newest pins; DepsForGo gives those
// for a host on an older Go.
func (c Catalog) DepsFor(has func(cond string) (bool, error)) ([]string, error) {
	seen := map[string]bool{}
	// Sorted, so a catalog with several faults always reports the same one.
	for _, cond := range slices.Sorted(maps.Keys(c.Deps)) {
		deps := c.Deps[cond]
		if isGoLineKey(cond) {
			continue
		}
		if cond != "" {
			ok, err := has(cond)
			if err != nil {
				return nil, fmt.Errorf("blueprints: deps %q: %w", cond, err)
			}
			if !ok {
				continue
			}
		}
		for _, d := range deps {
			seen[d] = true
		}
	}
	out := make([]string, 0, len(seen))
	for d := range seen {
		out = append(out, d)
	}
	sort.Strings(out)
	return out, nil
}

// isGoLineKey reports whether a deps key is a host go line ("go1.25")
// rather than a condition.
func isGoLineKey(key string) bool {
	return strings.HasPrefix(key, "go1.") && version.IsValid(key) && version.Lang(key) == key
}

// DepsForGo is DepsFor for a host whose go.mod says `go goLine` (such as
// "1.25.0"). A deps key that is a go line, "go1.25", lists the pins for
// hosts on that Go or older: each replaces the pin of the same module, so
// such a host gets versions whose own go line it can build with rather
// than ones that would raise its go line (go get raises it to the highest
// go line among the modules it adds). When several keys apply, the lowest
// go line wins. An empty goLine means the newest pins, as DepsFor.
func (c Catalog) DepsForGo(has func(cond string) (bool, error), goLine string) ([]string, error) {
	deps, err := c.DepsFor(has)
	if err != nil || goLine == "" {
		return deps, err
	}
	host := version.Lang("go" + goLine)
	if host == "" {
		return nil, fmt.Errorf("go.mod: go %s is not a Go version", goLine)
	}
	var keys []string
	for key := range c.Deps {
		if isGoLineKey(key) && version.Compare(host, key) <= 0 {
			keys = append(keys, key)
		}
	}
	// Highest first, so the lowest applicable go line is applied last.
	slices.SortFunc(keys, func(a, b string) int { return version.Compare(b, a) })
	pin := map[string]string{}
	for _, d := range deps {
		mod, ver, _ := strings.Cut(d, "@")
		pin[mod] = ver
	}
	for _, key := range keys {
		for _, d := range c.Deps[key] {
			mod, ver, _ := strings.Cut(d, "@")
			if _, ok := pin[mod]; ok {
				pin[mod] = ver
			}
		}
	}
	out := make([]string, 0, len(pin))
	for mod, ver := range pin {
		out = append(out, mod+"@"+ver)
	}
	sort.Strings(out)
	return out, nil
}
