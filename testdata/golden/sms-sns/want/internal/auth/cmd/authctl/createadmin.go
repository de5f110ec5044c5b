// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"example.com/demo/internal/auth"
	"example.com/demo/internal/auth/config"
)

// createAdmin creates a verified administrator, or promotes an existing
// account whose address is verified (an unverified one only with -force).
// The password never appears on a command line (where ps shows it): with
// -password-stdin it is the first line of standard input.
func createAdmin(ctx context.Context, args []string, e *env) int {
	fs := newFlagSet("create-admin", e)
	var cf configFlags
	cf.register(fs)
	email := fs.String("email", "", "email address of the administrator (required)")
	passwordStdin := fs.Bool("password-stdin", false, "read the password of a new account from the first line of standard input")
	force := fs.Bool("force", false, "promote an existing account even though its email address was never verified")
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return usageStatus(err)
	}
	if len(positional) > 0 || *email == "" {
		fmt.Fprintln(e.stderr, "authctl create-admin: -email is required and no arguments are accepted")
		return exitUsage
	}
	plain := ""
	if *passwordStdin {
		if plain, err = readPasswordLine(e.stdin); err != nil {
			fmt.Fprintln(e.stderr, "authctl create-admin:", err)
			return exitUsage
		}
	}

	cfg, err := config.Load(cf.options(e))
	if err != nil {
		fmt.Fprintln(e.stderr, "authctl create-admin:", err)
		return exitFailure
	}
	// New opens the database and applies pending migrations, exactly as
	// the application does when it starts.
	logger := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := auth.New(ctx, cfg, append([]auth.Option{auth.WithLogger(logger)}, e.authOptions...)...)
	if err != nil {
		fmt.Fprintln(e.stderr, "authctl create-admin:", err)
		return exitFailure
	}
	defer a.Close()

	var opts []auth.AdminOption
	if *force {
		opts = append(opts, auth.PromoteUnverified())
	}
	u, outcome, err := a.BootstrapAdmin(ctx, *email, plain, opts...)
	switch {
	case errors.Is(err, auth.ErrUnverifiedAccount):
		// Whoever registered the address first chose the password: when
		// sign-up does not require verification that may be anyone.
		fmt.Fprintf(e.stderr, "authctl create-admin: refusing to promote unverified account %s (id=%s): "+
			"anyone can register an address, so it may not be yours; verify it first (follow the emailed link) "+
			"or pass --force if you know who created it\n", u.Email, u.ID)
		return exitFailure
	case errors.Is(err, auth.ErrPasswordRules) && plain == "":
		fmt.Fprintf(e.stderr, "authctl create-admin: %s has no account yet, and creating one needs a password\n", *email)
		return exitUsage
	case errors.Is(err, auth.ErrPasswordRules):
		fmt.Fprintln(e.stderr, "authctl create-admin:", err)
		return exitUsage
	case err != nil:
		fmt.Fprintln(e.stderr, "authctl create-admin:", err)
		return exitFailure
	}
	switch outcome {
	case auth.AdminCreated:
		fmt.Fprintf(e.stdout, "created admin %s (id=%s), verified and active\n", u.Email, u.ID)
	case auth.AdminPromoted:
		fmt.Fprintf(e.stdout, "promoted %s to admin (id=%s); their password was not changed\n", u.Email, u.ID)
		if !u.IsVerified {
			fmt.Fprintf(e.stderr, "warning: the address %s was never verified (promoted because of --force)\n", u.Email)
		}
	default:
		fmt.Fprintf(e.stdout, "%s is already an admin (id=%s); nothing changed\n", u.Email, u.ID)
	}
	return exitOK
}

// readPasswordLine reads the first line of r without its line ending.
func readPasswordLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("-password-stdin: standard input held no password")
	}
	return line, nil
}
