// Package generate is the pure core of a regstack run: from a validated spec
// and a blueprint tree to every file the run writes, in memory. gen, init,
// the upgrade and the golden tests all call Generate, so what they write,
// merge against and compare can never drift apart. It reads nothing from
// the host and writes nothing; the callers decide what reaches the disk.
package generate

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/regstack/regstack/blueprints"
	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/manifest"
	"github.com/regstack/regstack/internal/render"
	"github.com/regstack/regstack/internal/spec"
)

// SecretsFile holds the generated JWT secret, relative to the host root. It
// is the one file a run writes that Generate does not return: its content is
// random, it is written once (mode 0600) and kept on later runs, and it must
// never be part of the provenance snapshot.
const SecretsFile = "regstack.secrets.env"

// provenanceDir holds regstack's record of a run; no blueprint may write
// into it.
const provenanceDir = ".regstack/"

// File is one file of a run.
type File struct {
	render.File
	// Provenance marks regstack's record of the run (the answers, the
	// snapshot and the manifest under .regstack/) as opposed to a
	// blueprint's output. Provenance files come last, manifest last of all,
	// so a manifest on disk always describes a finished run.
	Provenance bool
}

// LoadBlueprints reads a blueprint tree, checking its catalog's conditions
// against the vocabulary of the answers table.
func LoadBlueprints(fsys fs.FS) (*blueprint.Tree, error) {
	return blueprint.Load(fsys, spec.Conditions())
}

// Generate returns every file a run with s writes, except SecretsFile: the
// rendered blueprints sorted by path, then .regstack/answers.toml, the
// snapshot of exactly the rendered files, and the manifest. The same spec
// and tree always give the same bytes.
func Generate(s *spec.Spec, tree *blueprint.Tree) ([]File, error) {
	rendered, err := render.RenderWith(s, tree, render.Options{GofmtedGo: embedded(tree)})
	if err != nil {
		return nil, err
	}
	files := make([]File, 0, len(rendered)+3)
	for _, f := range rendered {
		if f.Path == SecretsFile || strings.HasPrefix(f.Path, provenanceDir) {
			return nil, fmt.Errorf("blueprint %s writes %s, which regstack itself owns", f.Template, f.Path)
		}
		files = append(files, File{File: f})
	}
	answers, err := spec.EncodeAnswers(s.Answers)
	if err != nil {
		return nil, err
	}
	snapshot, err := manifest.Snapshot(rendered)
	if err != nil {
		return nil, err
	}
	m, err := manifest.New(s.Version, s.Answers, rendered).Marshal()
	if err != nil {
		return nil, err
	}
	for _, p := range []struct {
		path string
		data []byte
	}{{spec.AnswersFile, answers}, {manifest.SnapshotPath, snapshot}, {manifest.Path, m}} {
		files = append(files, File{File: render.File{Path: p.path, Data: p.data, Perm: 0o644}, Provenance: true})
	}
	return files, nil
}

// embedded reports whether tree is regstack's built-in blueprint tree, whose
// Go files `make fmt-check` keeps gofmt'd (render.Options.GofmtedGo). A tree
// from --blueprints is the operator's copy and may not be.
func embedded(tree *blueprint.Tree) bool {
	fsys, ok := tree.FS.(embed.FS)
	return ok && fsys == blueprints.FS
}

// Rendered returns the blueprint output among files, without the
// provenance.
func Rendered(files []File) []render.File {
	var out []render.File
	for _, f := range files {
		if !f.Provenance {
			out = append(out, f.File)
		}
	}
	return out
}

// Provenance returns the provenance files by path (spec.AnswersFile,
// manifest.SnapshotPath, manifest.Path).
func Provenance(files []File) map[string][]byte {
	out := map[string][]byte{}
	for _, f := range files {
		if f.Provenance {
			out[f.Path] = f.Data
		}
	}
	return out
}
