package upgrade

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/regstack/regstack/internal/apply"
	"github.com/regstack/regstack/internal/manifest"
	"github.com/regstack/regstack/internal/spec"
)

// JournalPath is the redo log of an upgrade in progress. Apply writes it
// (atomically) before touching any host file and removes it after the new
// manifest is in place, so its presence means an upgrade was interrupted.
const JournalPath = ".regstack/upgrade-journal.json"

// journalFormat is the version of the journal layout.
const journalFormat = 1

// journal is everything an interrupted upgrade still has to write.
type journal struct {
	Format int `json:"format"`
	// From and To are the SHA-256 of manifest.json before and after.
	From string `json:"from"`
	To   string `json:"to"`
	Ops  []op   `json:"ops"`
	// Provenance, written after the ops, manifest last. Answers is empty
	// when answers.toml does not change.
	Answers  []byte `json:"answers,omitempty"`
	Snapshot []byte `json:"snapshot"`
	Manifest []byte `json:"manifest"`
}

// op writes or removes one host file.
type op struct {
	Path string `json:"path"`
	// Before is the SHA-256 of the file the plan was computed from, ""
	// when it did not exist.
	Before string `json:"before"`
	// After is the SHA-256 of Data, "" for a removal.
	After string      `json:"after"`
	Data  []byte      `json:"data,omitempty"`
	Perm  fs.FileMode `json:"perm"`
}

func (p *Plan) journal() *journal {
	j := &journal{
		Format:   journalFormat,
		From:     manifest.Hash(p.oldManifest),
		To:       manifest.Hash(p.ManifestData),
		Snapshot: p.SnapshotData,
		Manifest: p.ManifestData,
	}
	if p.AnswersChanged {
		j.Answers = p.AnswersData
	}
	// Writes first, removals after, each in path order.
	for _, remove := range []bool{false, true} {
		for _, c := range p.Changes {
			if !c.Writes() || (c.Action == Remove) != remove {
				continue
			}
			o := op{Path: c.Path, Perm: c.Perm}
			if c.Old != nil {
				o.Before = manifest.Hash(c.Old)
			}
			if !remove {
				o.Data, o.After = c.New, manifest.Hash(c.New)
			}
			j.Ops = append(j.Ops, o)
		}
	}
	return j
}

// Progress is told about every file Apply writes or removes, after the
// fact.
type Progress func(path string, removed bool)

// Apply writes the plan: the journal, then every file (each atomically, via
// a temporary file and a rename), then answers.toml, the snapshot and last
// the manifest, and finally removes the journal. A run killed at any point
// leaves every file either as it was or as planned; Resume finishes it.
func (p *Plan) Apply(progress Progress) error {
	j := p.journal()
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	name := filepath.Join(p.Root, filepath.FromSlash(JournalPath))
	removeTemps(name)
	if err := apply.WriteFile(name, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", JournalPath, err)
	}
	skipped, err := replay(p.Root, j, progress)
	if err != nil {
		return err
	}
	if len(skipped) > 0 {
		// Cannot happen within one run unless something else writes the
		// host at the same time; say so rather than pretend.
		return fmt.Errorf("files changed while the upgrade ran, left as they were: %v", skipped)
	}
	return nil
}

// Pending reports whether an interrupted upgrade awaits Resume.
func Pending(root string) bool {
	_, err := os.Lstat(filepath.Join(root, filepath.FromSlash(JournalPath)))
	return err == nil
}

// Resume finishes an upgrade that was interrupted: it replays the journal,
// skipping files already written. A file that changed since the
// interrupted run planned it (neither the planned old nor the planned new
// content) is left alone and returned, so no edit is lost. done is false
// when there was nothing to resume.
func Resume(root string, progress Progress) (done bool, skipped []string, err error) {
	name := filepath.Join(root, filepath.FromSlash(JournalPath))
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil, nil
	}
	if err != nil {
		return false, nil, err
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		return false, nil, fmt.Errorf("%s: %w (delete it to give up the interrupted upgrade)", JournalPath, err)
	}
	if j.Format != journalFormat {
		return false, nil, fmt.Errorf("%s: format %d, this regstack reads format %d", JournalPath, j.Format, journalFormat)
	}
	cur, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(manifest.Path)))
	if err != nil {
		return false, nil, err
	}
	if h := manifest.Hash(cur); h != j.From && h != j.To {
		return false, nil, fmt.Errorf("%s belongs to an upgrade of another manifest; delete it if that upgrade is abandoned", JournalPath)
	}
	skipped, err = replay(root, &j, progress)
	return true, skipped, err
}

// replay brings every file of the journal to its planned state, then
// writes the provenance and removes the journal. It is idempotent.
func replay(root string, j *journal, progress Progress) ([]string, error) {
	var skipped []string
	dirs := map[string]bool{}
	for _, o := range j.Ops {
		name, err := apply.HostPath(root, o.Path)
		if err != nil {
			return nil, err
		}
		cur, exists, _, err := readHost(root, o.Path)
		if err != nil {
			return nil, err
		}
		state := ""
		if exists {
			state = manifest.Hash(cur)
		}
		switch state {
		case o.After:
			continue // done before the interruption
		case o.Before:
		default:
			skipped = append(skipped, o.Path)
			continue
		}
		removeTemps(name)
		if o.After == "" {
			if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("remove %s: %w", o.Path, err)
			}
			dirs[filepath.Dir(name)] = true
		} else {
			perm := o.Perm
			if perm == 0 {
				perm = 0o644
			}
			if err := apply.WriteFile(name, o.Data, perm); err != nil {
				return nil, fmt.Errorf("write %s: %w", o.Path, err)
			}
		}
		if progress != nil {
			progress(o.Path, o.After == "")
		}
	}
	for d := range dirs {
		removeEmptyDirs(root, d)
	}
	prov := []struct {
		path string
		data []byte
	}{{spec.AnswersFile, j.Answers}, {manifest.SnapshotPath, j.Snapshot}, {manifest.Path, j.Manifest}}
	for _, f := range prov {
		if f.data == nil {
			continue
		}
		name := filepath.Join(root, filepath.FromSlash(f.path))
		removeTemps(name)
		if cur, err := os.ReadFile(name); err == nil && bytes.Equal(cur, f.data) {
			continue
		}
		if err := apply.WriteFile(name, f.data, 0o644); err != nil {
			return nil, fmt.Errorf("write %s: %w", f.path, err)
		}
	}
	name := filepath.Join(root, filepath.FromSlash(JournalPath))
	if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	sort.Strings(skipped)
	return skipped, nil
}

// removeTemps deletes temporary files that an interrupted atomic write of
// name left beside it (apply names them ".<base>.regstack-<random>").
func removeTemps(name string) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(name), "."+globEscape(filepath.Base(name))+".regstack-*"))
	for _, m := range matches {
		os.Remove(m)
	}
}

func globEscape(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch r {
		case '*', '?', '[', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// removeEmptyDirs removes dir and its parents up to (not including) root
// while they are empty, so removing a generator's last file in a folder
// does not leave the folder behind.
func removeEmptyDirs(root, dir string) {
	for dir != root && len(dir) > len(root) {
		if err := os.Remove(dir); err != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}
