package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/regstack/regstack/internal/spec"
)

// TestQuestionFlagsFollowTheTable: gen and init declare one flag per row of
// the answers table, with its help and its fresh-folder default, and
// --upgrade refuses each of them, pointing at --set with the row's key.
func TestQuestionFlagsFollowTheTable(t *testing.T) {
	cmds := map[string]*cobra.Command{"gen": newGenCmd(), "init": newInitCmd()}
	for _, q := range spec.Questions() {
		for name, cmd := range cmds {
			f := cmd.Flags().Lookup(q.Flag)
			if f == nil {
				t.Errorf("%s has no --%s for %s", name, q.Flag, q.Key)
				continue
			}
			if !strings.HasPrefix(f.Usage, q.Help) || f.DefValue != q.Default.Starter {
				t.Errorf("%s --%s: usage %q default %q; want the table's %q and %q", name, q.Flag, f.Usage, f.DefValue, q.Help, q.Default.Starter)
			}
		}
		arg := "--" + q.Flag + "=" + q.Default.Starter
		r := runCLI(t, "", "gen", "--upgrade", "--dir", t.TempDir(), arg)
		if r.code != 2 || !strings.Contains(r.stderr, "--set "+q.Key+"=VALUE") {
			t.Errorf("gen --upgrade %s: exit %d, %s", arg, r.code, r.stderr)
		}
	}
}
