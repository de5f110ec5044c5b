package cli

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/regstack/regstack/blueprints"
	"github.com/regstack/regstack/generator/apply"
	"github.com/regstack/regstack/generator/blueprint"
	"github.com/regstack/regstack/generator/render"
	"github.com/regstack/regstack/generator/spec"
)

type genOptions struct {
	dir     string
	yes     bool
	force   bool
	dryRun  bool
	noTidy  bool
	answers spec.Answers
}

func newGenCmd() *cobra.Command {
	o := &genOptions{answers: spec.Defaults()}
	cmd := &cobra.Command{
		Use:   "gen",
		Short: "Interview the operator and write the account system into a Go module",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "dir", ".", "host folder to write into")
	f.BoolVarP(&o.yes, "yes", "y", false, "take the defaults (and any flags) without asking")
	f.BoolVar(&o.force, "force", false, "overwrite files that already exist")
	f.BoolVar(&o.dryRun, "dry-run", false, "list the files that would be written and write nothing")
	f.BoolVar(&o.noTidy, "no-tidy", false, "do not run go mod tidy afterwards")
	f.StringVar(&o.answers.AppName, "app-name", o.answers.AppName, "application name shown in emails")
	f.StringVar(&o.answers.Module, "module", o.answers.Module, "Go module path (for a fresh folder)")
	f.StringVar(&o.answers.BaseURL, "base-url", o.answers.BaseURL, "public base URL of the site")
	f.StringVar(&o.answers.PackageDir, "package", o.answers.PackageDir, "folder of the generated package")
	f.StringVar(&o.answers.Backend, "backend", o.answers.Backend, "database backend")
	f.BoolVar(&o.answers.Features.RequireVerification, "require-verification", o.answers.Features.RequireVerification, "require email verification before login")
	f.BoolVar(&o.answers.Features.PasswordReset, "password-reset", o.answers.Features.PasswordReset, "include forgot/reset password")
	f.BoolVar(&o.answers.Features.AccountDeletion, "account-deletion", o.answers.Features.AccountDeletion, "include account deletion")
	return cmd
}

func (o *genOptions) run(cmd *cobra.Command) error {
	starter := true
	if _, err := os.Stat(filepath.Join(o.dir, "go.mod")); err == nil {
		starter = false
	}
	s, err := spec.New(o.answers, starter, Version)
	if err != nil {
		return err
	}
	tree, err := blueprint.Load(blueprints.FS)
	if err != nil {
		return err
	}
	files, err := render.Render(s, tree)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if o.dryRun {
		for _, f := range files {
			fmt.Fprintln(out, "would write", f.Path)
		}
		return nil
	}
	if !o.force {
		var clash []string
		for _, f := range files {
			if _, err := os.Stat(filepath.Join(o.dir, filepath.FromSlash(f.Path))); err == nil {
				clash = append(clash, f.Path)
			}
		}
		if len(clash) > 0 {
			return fmt.Errorf("%d files already exist (first: %s); rerun with --force to overwrite", len(clash), clash[0])
		}
	}
	for _, f := range files {
		if err := apply.WriteFile(filepath.Join(o.dir, filepath.FromSlash(f.Path)), f.Data, f.Perm); err != nil {
			return err
		}
		fmt.Fprintln(out, "wrote", f.Path)
	}
	secrets := filepath.Join(o.dir, "regstack.secrets.env")
	if _, err := os.Stat(secrets); errors.Is(err, os.ErrNotExist) {
		key := make([]byte, 64)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		body := "# Secrets for regstack. Keep this file out of version control.\nREGSTACK_JWT_SECRET=" + base64.RawURLEncoding.EncodeToString(key) + "\n"
		if err := apply.WriteFile(secrets, []byte(body), 0o600); err != nil {
			return err
		}
		fmt.Fprintln(out, "wrote regstack.secrets.env")
	}
	return nil
}
