// Package cli wires the regstack commands to the generator pipeline.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// exitErr carries a specific exit status out of a command.
type exitErr struct {
	code int
	err  error
	// noHint leaves out the pointer to --help that exit status 2 normally
	// adds: `gen --upgrade --check` uses 2 for "an upgrade is available".
	noHint bool
}

func (e *exitErr) Error() string { return e.err.Error() }
func (e *exitErr) Unwrap() error { return e.err }

// usageError marks err as a mistake in how regstack was invoked (exit 2).
func usageError(err error) error { return &exitErr{code: exitUsage, err: err} }

// Main runs the command line and returns the process exit status.
func Main(args []string) int {
	return run(args, os.Stdin, os.Stdout, os.Stderr)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout, stderr)
	// Errors before any command's RunE starts (unknown command or flag,
	// wrong arguments) are usage errors; cobra does not mark them, so note
	// when a command actually begins.
	started := false
	root.PersistentPreRun = func(*cobra.Command, []string) { started = true }
	root.SetArgs(args)
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "regstack:", err)
	var ee *exitErr
	switch {
	case errors.As(err, &ee):
		if ee.code == exitUsage && !ee.noHint {
			fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return ee.code
	case !started:
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		return exitUsage
	}
	return exitError
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "regstack",
		Short: "Generate production-grade user accounts as code your Go application owns",
		Long: `regstack writes a complete account system (register, verify email, login,
logout, me, change password and email, password reset, account deletion)
into your Go module as ordinary code that you own and may edit.

Start with 'regstack gen' in an empty folder for a runnable starter site,
or in an existing module to add the package to it.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	root.AddCommand(newGenCmd(), newInitCmd(), newVersionCmd(), newThemeCmd())
	root.AddCommand(opsCommands()...)
	root.AddCommand(newValidateCmd())
	root.AddCommand(newSESCmd())
	root.AddCommand(newOAuthCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the regstack version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "regstack %s\n", Version)
			return err
		},
	}
}

// isTerminal reports whether v is an *os.File connected to a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// termWidth is the width in columns of the terminal v is connected to, or 0
// when v is not a terminal or its size is unknown.
func termWidth(v any) int {
	f, ok := v.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return 0
	}
	w, _, err := term.GetSize(f.Fd())
	if err != nil {
		return 0
	}
	return w
}
