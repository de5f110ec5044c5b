// Package manifest records what a gen run wrote: .regstack/manifest.json
// (generator version, answers, and per file the template it came from, its
// upgrade mode and the hash of the bytes written) and .regstack/base.tar.gz,
// a snapshot of exactly those bytes. A later `regstack gen --upgrade` uses
// the hashes to tell edited files from untouched ones and the snapshot as the
// merge base, without network access or the old generator.
//
// Both outputs depend only on their inputs: no timestamps, sorted entries,
// fixed compression headers, so regenerating gives identical bytes.
package manifest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/regstack/regstack/internal/render"
	"github.com/regstack/regstack/internal/spec"
)

// Paths of the provenance files, relative to the host root.
const (
	Path         = ".regstack/manifest.json"
	SnapshotPath = ".regstack/base.tar.gz"
)

// Format is the version of the manifest layout this package writes. Readers
// refuse other versions rather than misread them.
const Format = 1

// Manifest is .regstack/manifest.json.
type Manifest struct {
	Format    int          `json:"format"`
	Generator string       `json:"generator"`
	Answers   spec.Answers `json:"answers"`
	Files     []File       `json:"files"`
}

// File is one rendered file as written.
type File struct {
	Path     string `json:"path"`
	Template string `json:"template"`
	Mode     string `json:"mode"`
	SHA256   string `json:"sha256"`
}

// New describes files, the rendered set of one run. Secrets are never part
// of a rendered set, so they never reach the manifest.
func New(generator string, answers spec.Answers, files []render.File) *Manifest {
	m := &Manifest{Format: Format, Generator: generator, Answers: answers, Files: make([]File, 0, len(files))}
	for _, f := range files {
		m.Files = append(m.Files, File{
			Path:     f.Path,
			Template: f.Template,
			Mode:     string(f.Mode),
			SHA256:   Hash(f.Data),
		})
	}
	sort.Slice(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	return m
}

// Hash is a file's hash as File.SHA256 records it: SHA-256, lowercase hex.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Starter reports whether the run that wrote m generated a fresh host's
// starter files (main.go and friends). A re-render for the same host
// (upgrade, doctor) must do the same, so the starter files are compared and
// merged like the rest rather than reported as removed.
func (m *Manifest) Starter() bool {
	for _, f := range m.Files {
		if strings.HasPrefix(f.Template, "common/starter/") {
			return true
		}
	}
	return false
}

// Marshal returns the indented JSON form, ending in a newline.
func (m *Manifest) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Parse reads a manifest and checks its format version.
func Parse(data []byte) (*Manifest, error) {
	var probe struct {
		Format int `json:"format"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: %w", Path, err)
	}
	if probe.Format != Format {
		return nil, fmt.Errorf("%s: format %d, this regstack reads format %d", Path, probe.Format, Format)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", Path, err)
	}
	if m.Generator == "" {
		return nil, errors.New(Path + ": generator version missing")
	}
	// New writes the files sorted by path and Lookup searches them so; a
	// hand-edited or git-merged manifest may not be, and an entry Lookup
	// cannot find would make upgrade take a generated file for the user's.
	sort.SliceStable(m.Files, func(i, j int) bool { return m.Files[i].Path < m.Files[j].Path })
	for i := 1; i < len(m.Files); i++ {
		if m.Files[i].Path == m.Files[i-1].Path {
			return nil, fmt.Errorf("%s: %s listed twice", Path, m.Files[i].Path)
		}
	}
	return &m, nil
}

// Lookup returns the entry for path.
func (m *Manifest) Lookup(path string) (File, bool) {
	i := sort.Search(len(m.Files), func(i int) bool { return m.Files[i].Path >= path })
	if i < len(m.Files) && m.Files[i].Path == path {
		return m.Files[i], true
	}
	return File{}, false
}
