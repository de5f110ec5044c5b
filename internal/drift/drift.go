// Package drift compares a host's generated files with what was generated
// (the hashes in .regstack/manifest.json) and with what this generator
// would generate now from the same answers, for `regstack doctor`.
package drift

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/generate"
	"github.com/regstack/regstack/internal/manifest"
	"github.com/regstack/regstack/internal/render"
	"github.com/regstack/regstack/internal/spec"
)

// Report is the drift of one host. Every list holds host paths, sorted.
// Files in the "once" mode (regstack.toml) are the host's from the start
// and appear in none of the lists; neither does a starter's go.mod, which
// the go command rewrites (go mod tidy) right after gen writes it.
type Report struct {
	// Checked is how many recorded files were compared with the disk.
	Checked int
	// Modified files differ from what gen wrote; Missing ones are gone.
	Modified, Missing []string
	// ManagedModified are the modified files that gen regenerates in full
	// (sqlc output): an edit there is lost on the next upgrade.
	ManagedModified []string
	// Newer are recorded files the current generator renders differently;
	// Added are files it would add and Dropped files it no longer renders.
	Newer, Added, Dropped []string
}

// Rerender renders tree with the answers recorded in m, as the current
// generator (version) would for the same host: the rendered files of
// generate.Generate, without the provenance.
func Rerender(m *manifest.Manifest, tree *blueprint.Tree, version string) ([]render.File, error) {
	s, err := spec.New(m.Answers, m.Starter(), version)
	if err != nil {
		return nil, err
	}
	files, err := generate.Generate(s, tree)
	if err != nil {
		return nil, err
	}
	return generate.Rendered(files), nil
}

// Check compares the files recorded in m with the disk under root and with
// current, the current generator's output for the same answers.
func Check(root string, m *manifest.Manifest, current []render.File) (Report, error) {
	var r Report
	for _, f := range m.Files {
		if f.Mode == string(blueprint.Once) || f.Path == "go.mod" {
			continue
		}
		r.Checked++
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
		if errors.Is(err, fs.ErrNotExist) {
			r.Missing = append(r.Missing, f.Path)
			continue
		}
		if err != nil {
			return Report{}, err
		}
		if manifest.Hash(data) != f.SHA256 {
			r.Modified = append(r.Modified, f.Path)
			if f.Mode == string(blueprint.Managed) {
				r.ManagedModified = append(r.ManagedModified, f.Path)
			}
		}
	}

	rendered := map[string]bool{}
	for _, f := range current {
		if f.Mode == blueprint.Once || f.Path == "go.mod" {
			continue
		}
		rendered[f.Path] = true
		old, ok := m.Lookup(f.Path)
		switch {
		case !ok:
			r.Added = append(r.Added, f.Path)
		case old.SHA256 != manifest.Hash(f.Data):
			r.Newer = append(r.Newer, f.Path)
		}
	}
	for _, f := range m.Files {
		if f.Mode != string(blueprint.Once) && f.Path != "go.mod" && !rendered[f.Path] {
			r.Dropped = append(r.Dropped, f.Path)
		}
	}
	for _, l := range [][]string{r.Modified, r.Missing, r.ManagedModified, r.Newer, r.Added, r.Dropped} {
		sort.Strings(l)
	}
	return r, nil
}
