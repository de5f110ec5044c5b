package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/term"
	"github.com/spf13/cobra"
)

// Password rules, as every route of the generated API enforces them:
// lengths in Unicode code points.
const (
	passwordMinLen = 8
	passwordMaxLen = 128
)

type createAdminOptions struct {
	hostFlags
	email    string
	password string
	force    bool
	// readSecret reads one line from the terminal without echo; nil when
	// stdin is not a terminal (tests set it to simulate one).
	readSecret func(prompt string) (string, error)
}

func newCreateAdminCmd(r hostRunner) *cobra.Command {
	return newCreateAdminCmdWith(r, &createAdminOptions{})
}

// newCreateAdminCmdWith binds the command's flags to o, whose readSecret a
// test may set.
func newCreateAdminCmdWith(r hostRunner, o *createAdminOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create-admin --email EMAIL [--password PASSWORD]",
		Short: "Create an administrator, or promote an existing user",
		Long: `create-admin makes EMAIL an administrator of the host's account system.

If no account has that address, it creates one that is verified, active and
a superuser, with the given password (8 to 128 characters), and says
"created". If the account exists and its address is verified it is
promoted, its password left as it was, and says "promoted"; an account that
already is an administrator is left alone.

An existing account whose address was never verified is refused (exit 1):
anyone can register an address, so it may belong to someone who registered
the administrator's address first, with a password of their own. Verify it
(follow the emailed link) first, or pass --force if you know who created it.

The password is asked on the terminal without echo (twice) when --password
is missing; leave it empty to only promote an existing user. When stdin is
not a terminal, its first line is the password (an empty input: none).
--password works too, but other users of the machine can see it in the
process list.

The command builds and runs the host's operator program
(<package>/cmd/authctl), which reads the host's configuration like the app
does and applies pending migrations first, like the app does at start-up.`,
		Example: `  regstack create-admin --email admin@example.com
  printf '%s\n' "$ADMIN_PASSWORD" | regstack create-admin --email admin@example.com
  regstack create-admin --email bob@example.com </dev/null   # promote an existing user
  regstack create-admin --email carol@example.com --force </dev/null   # even if unverified`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd, r)
		},
	}
	f := cmd.Flags()
	o.hostFlags.register(f)
	f.StringVar(&o.email, "email", "", "email address of the administrator (required)")
	f.StringVar(&o.password, "password", "", "password for a new account (prefer the prompt: a flag shows in the process list)")
	f.BoolVar(&o.force, "force", false, "promote an existing account even though its email address was never verified")
	return cmd
}

func (o *createAdminOptions) run(cmd *cobra.Command, r hostRunner) error {
	if strings.TrimSpace(o.email) == "" {
		return usageError(errors.New("--email is required"))
	}
	h, err := locateHost(o.dir, o.pkg)
	if err != nil {
		return err
	}
	args, err := o.programArgs()
	if err != nil {
		return err
	}
	plain, err := o.resolvePassword(cmd)
	if err != nil {
		return err
	}
	args = append([]string{"create-admin"}, append(args, "-email", o.email)...)
	if o.force {
		args = append(args, "-force")
	}
	// The password travels on the program's stdin, never on its command
	// line or in its environment.
	var stdin io.Reader = strings.NewReader("")
	if plain != "" {
		if err := checkPassword(plain); err != nil {
			return usageError(err)
		}
		args = append(args, "-password-stdin")
		stdin = strings.NewReader(plain + "\n")
	}
	return runProgram(cmd, r, h, stdin, args)
}

// resolvePassword returns --password, or asks for one on a terminal, or
// reads the first line of a piped stdin. "" means no password: fine for
// promoting an existing user, refused by the program for a new one.
func (o *createAdminOptions) resolvePassword(cmd *cobra.Command) (string, error) {
	if cmd.Flags().Changed("password") {
		if o.password == "" {
			return "", usageError(errors.New("--password is empty"))
		}
		return o.password, nil
	}
	read := o.readSecret
	if read == nil {
		if f, ok := cmd.InOrStdin().(*os.File); ok && term.IsTerminal(f.Fd()) {
			read = func(prompt string) (string, error) {
				fmt.Fprint(cmd.ErrOrStderr(), prompt)
				b, err := term.ReadPassword(f.Fd())
				fmt.Fprintln(cmd.ErrOrStderr())
				return string(b), err
			}
		}
	}
	if read == nil {
		line, err := bufio.NewReader(io.LimitReader(cmd.InOrStdin(), 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading the password from stdin: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	first, err := read("Password for a new account (empty: only promote an existing user): ")
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	if first == "" {
		return "", nil
	}
	if err := checkPassword(first); err != nil {
		return "", usageError(err)
	}
	second, err := read("Repeat the password: ")
	if err != nil {
		return "", fmt.Errorf("reading the password: %w", err)
	}
	if first != second {
		return "", usageError(errors.New("the two passwords differ; nothing was changed"))
	}
	return first, nil
}

func checkPassword(p string) error {
	if n := utf8.RuneCountInString(p); n < passwordMinLen || n > passwordMaxLen {
		return fmt.Errorf("the password must be %d to %d characters (it has %d)", passwordMinLen, passwordMaxLen, n)
	}
	return nil
}
