// Package upgrade merges newer generator output into a host that regstack
// generated earlier and its owner has edited since (`regstack gen
// --upgrade`).
//
// Three versions of every file meet: the base (what the last run wrote,
// recovered from .regstack/base.tar.gz), the user's file on disk, and the
// new render. The manifest's hashes settle most files without a merge: a
// file the user never touched takes the new output, a file the generator
// did not change stays as the user has it, and only files changed on both
// sides are merged three ways (internal/merge), with conflicts written as
// git-style markers. Prepare computes all of it in memory; Plan.Apply
// writes it through a journal so a run killed halfway can be finished.
package upgrade

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/regstack/regstack/internal/apply"
	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/generate"
	"github.com/regstack/regstack/internal/manifest"
	"github.com/regstack/regstack/internal/merge"
	"github.com/regstack/regstack/internal/render"
	"github.com/regstack/regstack/internal/spec"
)

// Options configure Prepare.
type Options struct {
	// Root is the host folder.
	Root string
	// Tree is the blueprint tree to render now (embedded or --blueprints).
	Tree *blueprint.Tree
	// Version is the version of the generator running now.
	Version string
	// Module, when set, is the module path from the host's go.mod; it wins
	// over the answers.
	Module string
	// Set holds "key=value" answer changes (--set).
	Set []string
	// Renames maps old answer keys to new ones; nil means AnswerRenames.
	Renames map[string]string
}

// Action is what an upgrade does with one file.
type Action string

// Actions that write or remove a file.
const (
	// Add writes a file the last run did not generate.
	Add Action = "add"
	// Replace writes the new output over a file the user never edited.
	Replace Action = "replace"
	// Merge writes a clean three-way merge of the user's edits and the
	// generator's changes.
	Merge Action = "merge"
	// Conflict writes a merge with conflict markers.
	Conflict Action = "conflict"
	// Regenerate writes the new output over a managed file the user edited.
	Regenerate Action = "regenerate"
	// Remove deletes a file the generator no longer emits and the user
	// never edited.
	Remove Action = "remove"
	// Edit changes a few lines of a file that is otherwise the user's:
	// settings in regstack.toml the upgraded host no longer reads are
	// commented out (settings.go).
	Edit Action = "edit"
)

// Actions that leave the file as it is.
const (
	// Keep: nothing to do (the generator did not change the file, or the
	// file already is what this run would write).
	Keep Action = "keep"
	// KeepDeleted: the user deleted the file; it stays deleted.
	KeepDeleted Action = "keep-deleted"
	// KeepOrphan: the generator no longer emits the file, but the user
	// edited it (or it is a migration or a once file), so it stays.
	KeepOrphan Action = "keep-orphan"
	// Skip: a once or append file the upgrade does not touch; Note says why
	// it is worth mentioning.
	Skip Action = "skip"
	// Unresolved: the file still holds conflict markers from an earlier
	// upgrade.
	Unresolved Action = "unresolved"
)

// Change is the fate of one file.
type Change struct {
	Path   string
	Mode   blueprint.Mode
	Action Action
	// Old is the file on disk before the upgrade (nil if absent).
	Old []byte
	// New is what Apply writes (for add, replace, merge, conflict and
	// regenerate).
	New  []byte
	Perm fs.FileMode
	// Note explains the action in one line, when it needs explaining.
	Note string
}

// Writes reports whether the change writes or removes the file.
func (c Change) Writes() bool {
	switch c.Action {
	case Add, Replace, Merge, Conflict, Regenerate, Remove, Edit:
		return true
	}
	return false
}

// Plan is a computed upgrade.
type Plan struct {
	Root       string
	OldVersion string
	NewVersion string
	Answers    spec.Answers
	// Changes lists every file of the old manifest and the new render,
	// sorted by path.
	Changes []Change
	// Notes are remarks that concern no single file (renamed answers,
	// a damaged snapshot).
	Notes []string
	// AnswersData is the new .regstack/answers.toml; AnswersChanged is true
	// when it differs from the file on disk.
	AnswersData    []byte
	AnswersChanged bool
	OldAnswersData []byte
	// The new provenance, written last.
	ManifestData []byte
	SnapshotData []byte
	// oldManifest is the manifest file on disk before the upgrade.
	oldManifest []byte
}

// Labels are the conflict marker labels of this plan.
func (p *Plan) Labels() merge.Labels {
	return merge.Labels{Yours: "yours", Base: "regstack " + p.OldVersion, Their: "regstack " + p.NewVersion}
}

// Changed reports whether applying the plan would change any file of the
// host (the provenance aside): what `--check` asks.
func (p *Plan) Changed() bool {
	if p.AnswersChanged {
		return true
	}
	for _, c := range p.Changes {
		if c.Writes() {
			return true
		}
	}
	return false
}

// Conflicts lists the files that hold conflict markers after the upgrade:
// merged with conflicts now, or left unresolved by an earlier upgrade.
func (p *Plan) Conflicts() []string {
	var out []string
	for _, c := range p.Changes {
		if c.Action == Conflict || c.Action == Unresolved {
			out = append(out, c.Path)
		}
	}
	return out
}

// ErrNotGenerated means the folder has no regstack manifest.
var ErrNotGenerated = errors.New("no " + manifest.Path + ": this folder was not generated by regstack (run regstack gen first)")

// ErrPending means an interrupted upgrade must be finished (Resume) before
// another can be planned.
var ErrPending = errors.New("an interrupted upgrade is pending (" + JournalPath + "); run regstack gen --upgrade to finish it")

// SetError is a bad --set argument.
type SetError struct{ Err error }

func (e *SetError) Error() string { return e.Err.Error() }
func (e *SetError) Unwrap() error { return e.Err }

// Prepare computes the upgrade of the host at o.Root without writing
// anything.
func Prepare(o Options) (*Plan, error) {
	renames := o.Renames
	if renames == nil {
		renames = AnswerRenames
	}
	if Pending(o.Root) {
		return nil, ErrPending
	}
	mdata, err := os.ReadFile(filepath.Join(o.Root, manifest.Path))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotGenerated
	}
	if err != nil {
		return nil, err
	}
	p := &Plan{Root: o.Root, NewVersion: o.Version, oldManifest: mdata}
	renamed, notes, err := recordedAnswers(mdata, renames)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", manifest.Path, err)
	}
	old, err := manifest.Parse(renamed)
	if err != nil {
		return nil, err
	}
	p.OldVersion = old.Generator
	p.Notes = append(p.Notes, notes...)

	base, baseNotes := readBase(o.Root, old)
	p.Notes = append(p.Notes, baseNotes...)

	a := old.Answers
	p.OldAnswersData, err = os.ReadFile(filepath.Join(o.Root, spec.AnswersFile))
	switch {
	case err == nil:
		var notes []string
		if a, notes, err = loadAnswers(p.OldAnswersData, old.Answers, renames); err != nil {
			return nil, err
		}
		p.Notes = append(p.Notes, notes...)
	case errors.Is(err, fs.ErrNotExist):
		p.Notes = append(p.Notes, spec.AnswersFile+" is missing; using the answers recorded in "+manifest.Path)
	default:
		return nil, err
	}
	if err := applySet(&a, o.Set, renames); err != nil {
		return nil, &SetError{err}
	}
	if o.Module != "" {
		a.Module = o.Module
	}
	// A host generated as a starter keeps rendering its starter files, so
	// they are merged like the rest rather than reported as removed.
	s, err := spec.New(a, old.Starter(), o.Version)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	p.Answers = s.Answers
	// The new version exactly as gen would write it into a fresh run; the
	// merge below decides what of it reaches the host.
	out, err := generate.Generate(s, o.Tree)
	if err != nil {
		return nil, err
	}
	files := generate.Rendered(out)
	prov := generate.Provenance(out)
	p.AnswersData, p.SnapshotData, p.ManifestData = prov[spec.AnswersFile], prov[manifest.SnapshotPath], prov[manifest.Path]
	p.AnswersChanged = !bytes.Equal(p.AnswersData, p.OldAnswersData)

	labels := p.Labels()
	emitted := map[string]bool{}
	for _, f := range files {
		emitted[f.Path] = true
		e, inOld := old.Lookup(f.Path)
		b, hasBase := base[f.Path]
		if f.Path == "go.mod" && hasBase && bytes.Equal(withoutGoLine(b), withoutGoLine(f.Data)) {
			// A starter's go line is the host's once written: go get
			// raises it for the pins it adds, and regstack gen picks
			// the pins by it. A new starter line alone (1.26.0 became
			// 1.25.0) must neither lower it nor conflict with the
			// requirements that tidy wrote below it.
			f.Data = b
		}
		c, err := decide(o.Root, f, e, inOld, b, hasBase, labels)
		if err != nil {
			return nil, err
		}
		p.Changes = append(p.Changes, c)
	}
	for _, e := range old.Files {
		if emitted[e.Path] {
			continue
		}
		c, err := decideOrphan(o.Root, e, p.NewVersion)
		if err != nil {
			return nil, err
		}
		p.Changes = append(p.Changes, c)
	}
	notes, err = retireStaleSettings(o.Root, s, p.Changes)
	if err != nil {
		return nil, err
	}
	p.Notes = append(p.Notes, notes...)
	sort.Slice(p.Changes, func(i, j int) bool { return p.Changes[i].Path < p.Changes[j].Path })
	return p, nil
}

// withoutGoLine is a go.mod without its go directive.
func withoutGoLine(gomod []byte) []byte {
	var out [][]byte
	for _, l := range bytes.SplitAfter(gomod, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(l), []byte("go ")) {
			out = append(out, l)
		}
	}
	return bytes.Join(out, nil)
}

// readBase unpacks the snapshot and keeps the entries whose hash matches
// the manifest. A missing or damaged snapshot is not fatal: files changed on
// both sides then merge against an empty base, which turns every difference
// into a conflict and so still loses nothing.
func readBase(root string, m *manifest.Manifest) (map[string][]byte, []string) {
	data, err := os.ReadFile(filepath.Join(root, manifest.SnapshotPath))
	if err != nil {
		return nil, []string{fmt.Sprintf("%s unreadable (%v): files edited by you and changed by regstack merge as whole-file conflicts", manifest.SnapshotPath, err)}
	}
	snap, err := manifest.ReadSnapshot(data)
	if err != nil {
		return nil, []string{fmt.Sprintf("%v: files edited by you and changed by regstack merge as whole-file conflicts", err)}
	}
	var notes []string
	base := map[string][]byte{}
	for _, e := range m.Files {
		b, ok := snap[e.Path]
		if !ok {
			continue
		}
		if manifest.Hash(b) != e.SHA256 {
			notes = append(notes, fmt.Sprintf("%s: the snapshot of %s does not match the manifest; merging it against an empty base", manifest.SnapshotPath, e.Path))
			continue
		}
		base[e.Path] = b
	}
	return base, notes
}

// decide settles one file of the new render.
func decide(root string, f render.File, e manifest.File, inOld bool, base []byte, hasBase bool, l merge.Labels) (Change, error) {
	c := Change{Path: f.Path, Mode: f.Mode, Action: Keep, Perm: f.Perm}
	disk, exists, perm, err := readHost(root, f.Path)
	if err != nil {
		return c, err
	}
	if exists {
		c.Old, c.Perm = disk, perm
	}
	edited := exists && inOld && manifest.Hash(disk) != e.SHA256
	switch {
	case exists && bytes.Equal(disk, f.Data):
		// Already what this run would write (an earlier run, or the
		// user made the same change).
	case f.Mode == blueprint.Once:
		switch {
		case !exists && !inOld:
			c.Action, c.New = Add, f.Data
		case !exists:
			c.Action, c.Note = KeepDeleted, "you deleted it; it is written once and never again"
		}
	case !exists && inOld:
		c.Action, c.Note = KeepDeleted, "you deleted it; it stays deleted"
		if hasBase && !bytes.Equal(base, f.Data) {
			c.Note = fmt.Sprintf("you deleted it; it stays deleted, and the changes %s made to it were not applied", l.Their)
		}
	case !exists:
		c.Action, c.New = Add, f.Data
	case f.Mode == blueprint.Append:
		// Applied migrations must never change: a database that ran the
		// old text would not run the new one.
		switch {
		case !inOld:
			c.Action, c.Note = Skip, "a migration of this name already exists and differs; it was left as is"
		case hasBase && !bytes.Equal(base, f.Data):
			c.Action, c.Note = Skip, fmt.Sprintf("%s changed this migration; migrations are append-only, so yours was left as is; the new text is in %s", l.Their, manifest.SnapshotPath)
		}
	case f.Mode == blueprint.Managed:
		c.Action, c.New = Replace, f.Data
		if edited || !inOld {
			c.Action, c.Note = Regenerate, "managed file (regenerated in full); your edits to it were replaced"
		}
	case inOld && !edited:
		c.Action, c.New = Replace, f.Data
	case hasBase && bytes.Equal(base, f.Data):
		// Generator unchanged: the user's version stands. It may still
		// hold markers from an earlier upgrade.
		if merge.HasConflictMarkers(disk, l) {
			c.Action, c.Note = Unresolved, "still holds conflict markers from an earlier upgrade"
		}
	default:
		// Changed on both sides (or created by the user where the
		// generator now writes): three-way merge. Without a base every
		// difference conflicts, which keeps both versions.
		r := merge.File(f.Path, base, disk, f.Data, l)
		switch {
		case bytes.Equal(r.Data, disk):
			// The user already had every change.
		case r.Conflicts > 0:
			c.Action, c.New = Conflict, r.Data
			c.Note = fmt.Sprintf("%d conflicting region(s) marked", r.Conflicts)
		default:
			c.Action, c.New = Merge, r.Data
			if merge.HasConflictMarkers(r.Data, l) {
				c.Action, c.Note = Conflict, "still holds conflict markers from an earlier upgrade"
			}
		}
		switch {
		case !inOld && c.Action != Keep:
			c.Note = joinNote(c.Note, "the file existed before regstack generated it, so it merged without a base")
		case !hasBase && c.Action != Keep:
			c.Note = joinNote(c.Note, "no merge base in the snapshot")
		}
	}
	return c, nil
}

// decideOrphan settles a file the last run wrote and this one does not.
func decideOrphan(root string, e manifest.File, newVersion string) (Change, error) {
	c := Change{Path: e.Path, Mode: blueprint.Mode(e.Mode), Action: Keep}
	disk, exists, perm, err := readHost(root, e.Path)
	if err != nil || !exists {
		return c, err
	}
	c.Old, c.Perm = disk, perm
	switch {
	case c.Mode == blueprint.Append:
		c.Action, c.Note = KeepOrphan, fmt.Sprintf("regstack %s no longer generates this migration; migrations are never removed", newVersion)
	case c.Mode == blueprint.Once:
		c.Action, c.Note = KeepOrphan, fmt.Sprintf("regstack %s no longer generates it; kept (written once, yours since)", newVersion)
	case manifest.Hash(disk) == e.SHA256:
		c.Action, c.Note = Remove, fmt.Sprintf("regstack %s no longer generates it", newVersion)
	default:
		c.Action, c.Note = KeepOrphan, fmt.Sprintf("regstack %s no longer generates it; kept because you edited it", newVersion)
	}
	return c, nil
}

// readHost reads a host file. A path that is not a regular file counts as
// an error: the upgrade would have to replace something it does not know.
func readHost(root, p string) (data []byte, exists bool, perm fs.FileMode, err error) {
	name, err := apply.HostPath(root, p)
	if err != nil {
		return nil, false, 0, err
	}
	fi, err := os.Lstat(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, 0, nil
	}
	if err != nil {
		return nil, false, 0, err
	}
	if !fi.Mode().IsRegular() {
		return nil, false, 0, fmt.Errorf("%s: not a regular file; move it away and run the upgrade again", p)
	}
	data, err = os.ReadFile(name)
	return data, err == nil, fi.Mode().Perm(), err
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
