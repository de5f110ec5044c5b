package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newMigrateCmd(r hostRunner) *cobra.Command {
	o := &hostFlags{}
	cmd := &cobra.Command{
		Use:   "migrate [up|down|status]",
		Short: "Apply, roll back or list the host's database migrations",
		Long: `migrate acts on the database of the host's configuration (database_url
from regstack.toml, regstack.secrets.env or REGSTACK_DATABASE_URL) through the
migrations the host's generated package now has, edited or added ones
included:

  up       apply every pending migration (the default)
  down     roll back the most recent one
  status   list every migration and whether it is applied

It prints the database URL with any password replaced by xxxxx, each step it
applied or rolled back, and where the schema stands. Only database_url is
needed, so it runs in a deployment step without the JWT secret. On failure
it prints the reason and exits 1.

The command builds and runs the host's operator program
(<package>/cmd/authctl) in the host module.`,
		Example: `  regstack migrate
  regstack migrate status
  REGSTACK_DATABASE_URL=sqlite:////var/lib/shop/auth.db regstack migrate up`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			action := "up"
			if len(args) == 1 {
				action = args[0]
			}
			switch action {
			case "up", "down", "status":
			default:
				return usageError(fmt.Errorf("unknown action %q: want up, down or status", action))
			}
			h, err := locateHost(o.dir, o.pkg)
			if err != nil {
				return err
			}
			flags, err := o.programArgs()
			if err != nil {
				return err
			}
			return runProgram(cmd, r, h, strings.NewReader(""), append([]string{"migrate", action}, flags...))
		},
	}
	o.register(cmd.Flags())
	return cmd
}
