package cli

import (
	"os"
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

// TestCLIDocsListEveryQuestion: docs/cli.md's table of questions has a row
// for each row of the answers table, naming its flag and its key, so a new
// answer cannot ship undocumented.
func TestCLIDocsListEveryQuestion(t *testing.T) {
	doc, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		rows[line] = true
	}
	for _, q := range spec.Questions() {
		found := false
		for line := range rows {
			if strings.HasPrefix(line, "| ") && strings.Contains(line, "`--"+q.Flag+"`") && strings.Contains(line, "`"+q.Key+"`") {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("docs/cli.md has no question row with `--%s` and `%s`", q.Flag, q.Key)
		}
	}
}
