package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/regstack/regstack/blueprints"
	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/generate"
	"github.com/regstack/regstack/internal/spec"
	"github.com/regstack/regstack/internal/upgrade"
)

// upgradeOptions are the flags of `regstack gen --upgrade`.
type upgradeOptions struct {
	enabled bool
	check   bool
	set     []string
}

func (o *genOptions) addUpgradeFlags(f *pflag.FlagSet) {
	f.BoolVar(&o.up.enabled, "upgrade", false, "merge this regstack's output into a host generated earlier, keeping your edits (docs/upgrade.md)")
	f.BoolVar(&o.up.check, "check", false, "with --upgrade: write nothing; exit 2 if the upgrade would change a file, 0 if not")
	f.StringArrayVar(&o.up.set, "set", nil, "with --upgrade: change an answer, e.g. --set features.admin=true (repeatable)")
	f.StringVar(&o.blueprints, "blueprints", "", "read the blueprints from `DIR` (a copy of regstack's blueprints/ folder) instead of the built-in ones")
}

// loadBlueprints reads the built-in blueprint tree, or the folder given
// with --blueprints.
func loadBlueprints(dir string) (*blueprint.Tree, error) {
	if dir == "" {
		return generate.LoadBlueprints(blueprints.FS)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, usageError(fmt.Errorf("--blueprints: %w", err))
	}
	if !fi.IsDir() {
		return nil, usageError(fmt.Errorf("--blueprints %s: not a folder", dir))
	}
	tree, err := generate.LoadBlueprints(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("--blueprints %s: %w", dir, err)
	}
	return tree, nil
}

// checkUpgradeFlags rejects flag combinations that mean nothing.
func (o *genOptions) checkUpgradeFlags(cmd *cobra.Command) error {
	flags := cmd.Flags()
	if !o.up.enabled {
		for _, name := range []string{"check", "set"} {
			if flags.Changed(name) {
				return usageError(fmt.Errorf("--%s works only with --upgrade", name))
			}
		}
		return nil
	}
	if flags.Changed("answers") {
		return usageError(errors.New("--answers does not apply to --upgrade: it reads .regstack/answers.toml; change an answer with --set key=value"))
	}
	for _, q := range spec.Questions() {
		if flags.Changed(q.Flag) {
			return usageError(fmt.Errorf("--%s does not apply to --upgrade: change the answer with --set %s=VALUE", q.Flag, q.Key))
		}
	}
	return nil
}

// runUpgrade is `regstack gen --upgrade`.
func (o *genOptions) runUpgrade(cmd *cobra.Command) error {
	out := cmd.OutOrStdout()
	h, err := inspectHost(o.dir)
	if err != nil {
		return err
	}
	tree, err := loadBlueprints(o.blueprints)
	if err != nil {
		return err
	}
	readOnly := o.dryRun || o.up.check
	switch {
	case upgrade.Pending(h.root) && readOnly:
		if o.up.check {
			return &exitErr{code: exitUsage, noHint: true, err: upgrade.ErrPending}
		}
		return upgrade.ErrPending
	case upgrade.Pending(h.root):
		// The uncommitted changes are the interrupted run's own, so the
		// git check does not apply; Resume leaves alone any file that
		// changed since.
		fmt.Fprintln(out, "finishing an interrupted upgrade")
		_, skipped, err := upgrade.Resume(h.root, nil)
		if err != nil {
			return err
		}
		for _, p := range skipped {
			fmt.Fprintf(out, "  left alone  %s  (changed since the interrupted upgrade planned it)\n", p)
		}
	case !readOnly && !o.force:
		dirty, err := gitDirty(cmd.Context(), h.root)
		if err != nil {
			return err
		}
		if len(dirty) > 0 {
			if len(dirty) > 20 {
				dirty = append(dirty[:20], fmt.Sprintf("... and %d more", len(dirty)-20))
			}
			return fmt.Errorf("the git work tree has uncommitted changes; commit them first so the upgrade is one reviewable diff (or rerun with --force):\n  %s", strings.Join(dirty, "\n  "))
		}
	}

	p, err := upgrade.Prepare(upgrade.Options{
		Root:    h.root,
		Tree:    tree,
		Version: Version,
		Module:  h.module,
		Set:     o.up.set,
	})
	var setErr *upgrade.SetError
	switch {
	case errors.As(err, &setErr):
		return usageError(err)
	case err != nil:
		return err
	}

	if o.dryRun {
		if err := p.Diff(out); err != nil {
			return err
		}
	}
	if !readOnly {
		if err := p.Apply(nil); err != nil {
			return err
		}
	}
	report(out, p, readOnly)
	if readOnly {
		if o.up.check && p.Changed() {
			return &exitErr{code: exitUsage, noHint: true, err: fmt.Errorf("an upgrade from regstack %s to %s would change files (run regstack gen --upgrade)", p.OldVersion, p.NewVersion)}
		}
		return nil
	}
	if conflicts := p.Conflicts(); len(conflicts) > 0 {
		l := p.Labels()
		return fmt.Errorf("%d files have conflicts. Edit each marked region (between %q and %q) into the version you want, delete the markers, then run the tests:\n  %s",
			len(conflicts), strings.TrimSpace(l.Yours), "regstack "+p.NewVersion, strings.Join(conflicts, "\n  "))
	}
	if !o.noTidy && p.Changed() {
		// New files may import modules the host does not require yet.
		s, err := spec.New(p.Answers, false, Version)
		if err != nil {
			return err
		}
		if err := o.tidy(cmd, h, &plan{spec: s, tree: tree}); err != nil {
			return err
		}
	}
	return nil
}

// report prints one line per file that an upgrade changes or that needs a
// word, then a summary.
func report(w io.Writer, p *upgrade.Plan, readOnly bool) {
	verbs := map[upgrade.Action]string{
		upgrade.Add:         "add",
		upgrade.Replace:     "replace",
		upgrade.Merge:       "merge",
		upgrade.Conflict:    "CONFLICT",
		upgrade.Regenerate:  "regenerate",
		upgrade.Remove:      "remove",
		upgrade.Edit:        "edit",
		upgrade.KeepDeleted: "deleted",
		upgrade.KeepOrphan:  "keep",
		upgrade.Skip:        "skip",
		upgrade.Unresolved:  "CONFLICT",
	}
	counts := map[upgrade.Action]int{}
	for _, c := range p.Changes {
		v, ok := verbs[c.Action]
		if !ok {
			continue
		}
		counts[c.Action]++
		note := c.Note
		if c.Action == upgrade.Merge && note == "" {
			note = "your edits kept"
		}
		if note != "" {
			note = "  (" + note + ")"
		}
		fmt.Fprintf(w, "  %-10s  %s%s\n", v, c.Path, note)
	}
	if p.AnswersChanged {
		fmt.Fprintf(w, "  %-10s  %s\n", "answers", ".regstack/answers.toml")
	}
	for _, n := range p.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	suffix := ""
	if readOnly {
		suffix = " (nothing written)"
	}
	var parts []string
	for _, a := range []struct {
		action upgrade.Action
		word   string
	}{{upgrade.Replace, "replaced"}, {upgrade.Merge, "merged"}, {upgrade.Conflict, "with conflicts"}, {upgrade.Unresolved, "still with conflicts"},
		{upgrade.Add, "added"}, {upgrade.Remove, "removed"}, {upgrade.Regenerate, "regenerated"}, {upgrade.Edit, "edited"}} {
		if counts[a.action] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[a.action], a.word))
		}
	}
	if len(parts) == 0 {
		parts = []string{"no file changes"}
	}
	fmt.Fprintf(w, "upgrade regstack %s → %s: %s%s\n", p.OldVersion, p.NewVersion, strings.Join(parts, ", "), suffix)
}

// gitDirty lists `git status --porcelain` for the host folder, or nothing
// when git is not installed or the folder is not in a git work tree.
func gitDirty(ctx context.Context, root string) ([]string, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, nil
	}
	inside := exec.CommandContext(ctx, "git", "-C", root, "rev-parse", "--is-inside-work-tree")
	if b, err := inside.Output(); err != nil || strings.TrimSpace(string(b)) != "true" {
		return nil, nil
	}
	status := exec.CommandContext(ctx, "git", "-C", root, "status", "--porcelain", "--", ".")
	var stderr bytes.Buffer
	status.Stderr = &stderr
	b, err := status.Output()
	if err != nil {
		return nil, fmt.Errorf("git status in %s: %v\n%s", root, err, stderr.String())
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}
