// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

// Command authctl is the operator program of the account system: it
// creates administrators, runs the database migrations and checks a
// deployment. `regstack create-admin`, `regstack migrate` and `regstack
// doctor` build it from this folder and run it in the module root, so they
// act through this module's own code: its configuration loading, its store
// and its migrations, including any edits made to them. It runs as well on
// its own:
//
//	go run ./internal/auth/cmd/authctl migrate status
//	go run ./internal/auth/cmd/authctl doctor -check-dns
//	printf '%s\n' "$PASSWORD" | go run ./internal/auth/cmd/authctl create-admin -email a@example.com -password-stdin
//
// Configuration is read exactly as the application reads it: regstack.toml
// (or -config / $REGSTACK_CONFIG), regstack.secrets.env (or -secrets), then
// REGSTACK_* environment variables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/config"
)

// Exit statuses. doctor exits with the number of failed checks instead.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}

// env is everything a command touches outside its arguments, so tests can
// run commands in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// environ is the environment as KEY=value pairs; nil means os.Environ().
	environ []string
	// resolver answers the DNS checks of doctor; nil means the system's
	// (or the one -dns-server names).
	resolver resolver
	// authOptions are added to every auth.New of a command (tests give a
	// clock or a store here).
	authOptions []auth.Option
}

const usage = `authctl is the operator program of the account system.

Usage:
  authctl create-admin -email EMAIL [-password-stdin] [-force]
                                       create an administrator, or promote a verified account
  authctl migrate [up|down|status]     apply, roll back or list migrations
  authctl doctor [-check-dns] [-send-test-email TO] [-purge]
                                       check the configuration and the database

Every command takes -config PATH (default regstack.toml or $REGSTACK_CONFIG)
and -secrets PATH (default regstack.secrets.env). Run 'authctl COMMAND -h'
for its flags.
`

func run(ctx context.Context, args []string, e *env) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	commands := map[string]func(context.Context, []string, *env) int{
		"create-admin": createAdmin,
		"migrate":      migrate,
		"doctor":       doctor,
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(e.stdout, usage)
		return exitOK
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(e.stderr, "authctl: unknown command %q\n\n%s", name, usage)
		return exitUsage
	}
	return cmd(ctx, rest, e)
}

// configFlags are the flags every command shares.
type configFlags struct {
	tomlPath, secretsPath string
}

func (c *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.tomlPath, "config", "", "configuration `file` (default regstack.toml, or $REGSTACK_CONFIG)")
	fs.StringVar(&c.secretsPath, "secrets", "", "secrets `file` (default regstack.secrets.env)")
}

func (c *configFlags) options(e *env) config.LoadOptions {
	return config.LoadOptions{TOMLPath: c.tomlPath, SecretsPath: c.secretsPath, Environ: e.environ,
		// Warnings (a secrets file others can read) go where the
		// command's errors go.
		Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, e *env) *flag.FlagSet {
	fs := flag.NewFlagSet("authctl "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseInterspersed parses flags that may come before or after the
// positional arguments (`migrate status -config x` and `migrate -config x
// status` both work) and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// usageStatus is the exit status for a flag parsing error: 0 for -h.
func usageStatus(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

// redactURL returns databaseURL fit for printing: a password in it is
// replaced by xxxxx. A URL that does not parse is reduced to its scheme, in
// case the part that failed to parse holds the password.
func redactURL(databaseURL string) string {
	if !strings.Contains(databaseURL, "://") {
		// sqlite file: URIs and plain paths carry no credentials.
		return databaseURL
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		scheme, _, _ := strings.Cut(databaseURL, "://")
		return scheme + "://…"
	}
	return u.Redacted()
}

// backendName is the database kind a URL names, for messages.
func backendName(databaseURL string) string {
	scheme, _, _ := strings.Cut(databaseURL, ":")
	scheme, _, _ = strings.Cut(scheme, "+")
	switch scheme {
	case "file":
		return "sqlite"
	case "postgresql":
		return "postgres"
	case "mongodb", "mongodb+srv":
		return "mongodb"
	}
	return scheme
}
