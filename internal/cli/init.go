package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/regstack/regstack/internal/apply"
	"github.com/regstack/regstack/internal/generate"
	"github.com/regstack/regstack/internal/spec"
	"github.com/regstack/regstack/internal/upgrade"
)

// ConfigFile is the configuration gen and init write, relative to the host
// root.
const ConfigFile = upgrade.ConfigFile

func newInitCmd() *cobra.Command {
	o := &genOptions{flags: spec.Defaults()}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write regstack.toml and regstack.secrets.env only",
		Long: `init writes the two configuration files of the account system into the
folder (--dir, default the current folder), and nothing else: for a host
that keeps the generated code elsewhere, such as a second deployment of the
same application.

It asks the same questions as gen (the module path and package folder are
not asked: they do not appear in the configuration) and takes the same
question flags, --yes and --answers. regstack.toml is byte for byte what gen
writes for the same answers. regstack.secrets.env (mode 0600) gets a fresh
64-byte JWT secret; an existing one is kept, since a new secret would sign
every user out.

An existing regstack.toml is never overwritten without --force.`,
		Example: `  regstack init
  regstack init --yes --dir /etc/shop --app-name Shop --base-url https://shop.example.com
  regstack init --answers .regstack/answers.toml --dir ../staging --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runInit(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "dir", ".", "folder to write the two files into (created if missing)")
	f.StringVar(&o.answersFile, "answers", "", "take the answers from `FILE` (such as .regstack/answers.toml) instead of asking")
	f.BoolVarP(&o.yes, "yes", "y", false, "take the defaults (and any question flags) without asking")
	f.BoolVar(&o.force, "force", false, "overwrite an existing regstack.toml (an existing secrets file is still kept)")
	addQuestionFlags(f, &o.flags)
	// gen's flags that do not change the configuration: accepted, so a gen
	// command line works here unchanged, but hidden and never asked.
	for _, name := range notConfigFlags() {
		if err := f.MarkHidden(name); err != nil {
			panic(err)
		}
	}
	return cmd
}

// notConfigFlags are the flags of the answers that regstack.toml does not
// depend on: where the code goes, not how the site behaves.
func notConfigFlags() []string {
	var out []string
	for _, key := range []string{spec.KeyModule, spec.KeyPackageDir} {
		q, _ := spec.QuestionByKey(key)
		out = append(out, q.Flag)
	}
	return out
}

func runInit(cmd *cobra.Command, o *genOptions) error {
	out := cmd.OutOrStdout()
	root, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
		return usageError(fmt.Errorf("--dir %s: not a folder", o.dir))
	}
	// A flag the operator set is an answer, so the interview skips it;
	// marking module and package as set keeps them out of the questions.
	for _, name := range notConfigFlags() {
		if fl := cmd.Flags().Lookup(name); !fl.Changed {
			if err := fl.Value.Set(fl.DefValue); err != nil {
				return err
			}
			fl.Changed = true
		}
	}
	a, err := o.answers(cmd, host{root: root})
	if err != nil {
		return err
	}
	config, err := renderConfig(a)
	if err != nil {
		return err
	}

	existing, err := apply.Existing(root, []string{ConfigFile})
	if err != nil {
		return err
	}
	if len(existing) > 0 && !o.force {
		return fmt.Errorf("%s already exists; nothing was written. Rerun with --force to overwrite it", filepath.Join(root, ConfigFile))
	}
	files := []apply.File{{Path: ConfigFile, Data: config, Perm: 0o644}}
	secrets, err := secretsFile(root)
	if err != nil {
		return err
	}
	if secrets != nil {
		files = append(files, *secrets)
	}
	if err := apply.WriteAll(root, files, func(path string) { fmt.Fprintln(out, "wrote", filepath.Join(root, path)) }); err != nil {
		return err
	}
	if secrets == nil {
		fmt.Fprintf(out, "kept %s (its secret stays valid)\n", filepath.Join(root, SecretsFile))
	}
	return nil
}

// renderConfig takes regstack.toml from what gen would generate for the
// same answers, so the two commands can never disagree about its content.
func renderConfig(a spec.Answers) ([]byte, error) {
	s, err := spec.New(a, false, Version)
	if err != nil {
		return nil, err
	}
	tree, err := loadBlueprints("")
	if err != nil {
		return nil, err
	}
	files, err := generate.Generate(s, tree)
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f.Path == ConfigFile {
			return f.Data, nil
		}
	}
	return nil, fmt.Errorf("the blueprints render no %s", ConfigFile)
}
