package cli

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/mod/modfile"

	"github.com/regstack/regstack/internal/apply"
	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/generate"
	"github.com/regstack/regstack/internal/interview"
	"github.com/regstack/regstack/internal/spec"
	"github.com/regstack/regstack/internal/tidy"
)

// SecretsFile holds the generated JWT secret. It is written once with mode
// 0600 and kept on later runs: replacing the secret would sign every user
// out, and it must never be part of the provenance snapshot.
const SecretsFile = generate.SecretsFile

type genOptions struct {
	dir         string
	answersFile string
	yes         bool
	force       bool
	dryRun      bool
	noTidy      bool
	// flags receives the question flags; only those the operator set
	// (Changed) are applied.
	flags spec.Answers
	// blueprints is --blueprints: a blueprint folder instead of the
	// embedded tree.
	blueprints string
	// up holds the --upgrade flags (upgrade.go).
	up upgradeOptions
}

func newGenCmd() *cobra.Command {
	o := &genOptions{flags: spec.Defaults()}
	cmd := &cobra.Command{
		Use:   "gen",
		Short: "Interview the operator and write the account system into a Go module",
		Long: `gen writes the account system into the host folder (--dir, default the
current folder).

In a folder with a go.mod it writes only the package (--package, default
internal/auth), regstack.toml, regstack.secrets.env and .regstack/, never
touches the host's own files, and prints the lines to paste into main.
In an empty folder (or one without go.mod) it also writes a runnable
starter: go.mod, main.go and friends.

On a terminal gen asks its questions in a form; without one it reads the
answers line by line from stdin. --yes takes the defaults instead, and
--answers replays a saved .regstack/answers.toml. Question flags answer
their question up front and override a replayed file.

Existing files are never overwritten without --force. Afterwards gen runs
'go get' for the pinned dependencies and 'go mod tidy' (skip with --no-tidy).`,
		Example: `  regstack gen                                   # interview on a terminal
  regstack gen --yes --dir ./shop --module github.com/acme/shop
  regstack gen --yes --package internal/accounts --password-reset=false
  regstack gen --answers .regstack/answers.toml --force
  printf 'Shop\n\n\n\n\ny\ny\ny\n' | regstack gen   # answers from a pipe`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "dir", ".", "host folder to write into (created if missing)")
	f.StringVar(&o.answersFile, "answers", "", "replay the answers in `FILE` (such as .regstack/answers.toml) instead of asking")
	f.BoolVarP(&o.yes, "yes", "y", false, "take the defaults (and any question flags) without asking")
	f.BoolVar(&o.force, "force", false, "overwrite files that already exist")
	f.BoolVar(&o.dryRun, "dry-run", false, "list the files that would be written and write nothing")
	f.BoolVar(&o.noTidy, "no-tidy", false, "skip 'go get' of the pinned dependencies and 'go mod tidy'")
	addQuestionFlags(f, &o.flags)
	o.addUpgradeFlags(f)
	return cmd
}

// addQuestionFlags declares one flag per row of the answers table,
// defaulting to what the interview proposes in a fresh folder. gen and init
// share them, so a gen command line works for init unchanged.
func addQuestionFlags(f *pflag.FlagSet, a *spec.Answers) {
	// Flags are declared before the host folder is known, so they show the
	// fresh-folder default and name the other where it differs; only flags
	// the operator sets are applied (answers), never these defaults.
	d := spec.DefaultsFor(true)
	for _, q := range spec.Questions() {
		help := q.Help
		if q.Default.Starter != q.Default.Existing {
			help += fmt.Sprintf(" (default %s in a fresh folder, %s in an existing module)", q.Default.Starter, q.Default.Existing)
		}
		switch q.Kind {
		case spec.Bool:
			f.BoolVar(q.Bool(a), q.Flag, *q.Bool(&d), help)
		default:
			f.StringVar(q.Text(a), q.Flag, *q.Text(&d), help)
		}
	}
}

// host is what gen learns about the target folder before asking anything.
type host struct {
	root string
	// module is the module path from go.mod; empty for a fresh folder.
	module string
	// goLine is the go line of go.mod before regstack wrote anything
	// (see goLineOf); empty for a fresh folder.
	goLine string
}

func (h host) existing() bool { return h.module != "" }

func inspectHost(dir string) (host, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return host{}, err
	}
	if fi, err := os.Stat(root); err == nil && !fi.IsDir() {
		return host{}, usageError(fmt.Errorf("--dir %s: not a folder", dir))
	}
	data, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if errors.Is(err, fs.ErrNotExist) {
		return host{root: root}, nil
	}
	if err != nil {
		return host{}, err
	}
	mf, err := modfile.ParseLax(filepath.Join(root, "go.mod"), data, nil)
	if err != nil {
		return host{}, err
	}
	if mf.Module == nil || mf.Module.Mod.Path == "" {
		return host{}, fmt.Errorf("%s: no module line", filepath.Join(root, "go.mod"))
	}
	return host{root: root, module: mf.Module.Mod.Path, goLine: goLineOf(mf)}, nil
}

// answers merges defaults, the replayed file, the module from go.mod and
// the flags the operator set, then interviews for the rest when nothing
// says not to.
func (o *genOptions) answers(cmd *cobra.Command, h host) (spec.Answers, error) {
	a := spec.DefaultsFor(!h.existing())
	if o.answersFile != "" {
		data, err := os.ReadFile(o.answersFile)
		if err != nil {
			return a, fmt.Errorf("answers file: %w", err)
		}
		if a, err = spec.DecodeAnswers(data, a); err != nil {
			return a, fmt.Errorf("answers file %s: %w", o.answersFile, err)
		}
		if h.existing() {
			a.Module = h.module
		}
		if err := a.Validate(); err != nil {
			return a, fmt.Errorf("answers file %s: %w", o.answersFile, err)
		}
	}

	// Only the flags the operator set are answers; the others merely hold
	// their defaults.
	set := map[string]bool{}
	flags := cmd.Flags()
	for _, q := range spec.Questions() {
		if flags.Changed(q.Flag) {
			set[q.Key] = true
			q.Copy(&a, &o.flags)
		}
	}
	if h.existing() && set[spec.KeyModule] && o.flags.Module != h.module {
		return a, usageError(fmt.Errorf("--module %s: %s already declares module %s; gen writes into that module", o.flags.Module, filepath.Join(h.root, "go.mod"), h.module))
	}
	if h.existing() {
		a.Module = h.module
	}
	// A bad flag value is a usage error; say so before asking anything.
	if err := flagErrors(a, set); err != nil {
		return a, usageError(err)
	}

	if o.yes || o.answersFile != "" {
		return a, nil
	}
	in := cmd.InOrStdin()
	opts := interview.Options{
		Starter:    !h.existing(),
		Skip:       set,
		Accessible: !isTerminal(in),
		In:         in,
		Out:        cmd.OutOrStdout(),
	}
	if !opts.Accessible {
		// The full-screen form draws on stderr so stdout stays clean.
		opts.Out = cmd.ErrOrStderr()
	}
	if err := interview.Run(&a, opts); err != nil {
		return a, err
	}
	return a, nil
}

// flagErrors validates only the answers given by flags, in table order.
func flagErrors(a spec.Answers, set map[string]bool) error {
	var errs []error
	for _, q := range spec.Questions() {
		if set[q.Key] {
			errs = append(errs, q.Check(&a))
		}
	}
	return errors.Join(errs...)
}

// plan is everything one run writes, in write order: the rendered files,
// the secrets (only if absent), the answers, the snapshot and last the
// manifest, so a manifest on disk always describes a finished run.
type plan struct {
	spec  *spec.Spec
	tree  *blueprint.Tree
	files []apply.File
	// keepSecrets is true when the secrets file exists and stays as it is.
	keepSecrets bool
}

func buildPlan(h host, a spec.Answers, tree *blueprint.Tree) (*plan, error) {
	s, err := spec.New(a, !h.existing(), Version)
	if err != nil {
		return nil, err
	}
	files, err := generate.Generate(s, tree)
	if err != nil {
		return nil, err
	}
	p := &plan{spec: s, tree: tree}
	secrets, err := secretsFile(h.root)
	if err != nil {
		return nil, err
	}
	p.keepSecrets = secrets == nil
	for _, f := range files {
		if f.Provenance && secrets != nil {
			// The secrets go after the rendered files and before the
			// provenance, which describes a finished run.
			p.files = append(p.files, *secrets)
			secrets = nil
		}
		p.files = append(p.files, apply.File{Path: f.Path, Data: f.Data, Perm: f.Perm})
	}
	return p, nil
}

// secretsFile returns the file that creates regstack.secrets.env in root
// with a fresh secret, or nil if the file exists: an existing secret stays
// valid and is never replaced, not even with --force.
func secretsFile(root string) (*apply.File, error) {
	_, err := os.Lstat(filepath.Join(root, SecretsFile))
	switch {
	case err == nil:
		return nil, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	secrets, err := newSecrets()
	if err != nil {
		return nil, err
	}
	return &apply.File{Path: SecretsFile, Data: secrets, Perm: 0o600}, nil
}

// newSecrets returns the body of regstack.secrets.env with a fresh 64-byte
// JWT secret, base64url without padding.
func newSecrets() ([]byte, error) {
	key := make([]byte, 64)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return []byte("# Secrets for regstack: keep this file out of version control (mode 0600).\n" +
		"# Environment variables of the same name override these values.\n" +
		"REGSTACK_JWT_SECRET=" + base64.RawURLEncoding.EncodeToString(key) + "\n"), nil
}

func (o *genOptions) run(cmd *cobra.Command) error {
	if err := o.checkUpgradeFlags(cmd); err != nil {
		return err
	}
	if o.up.enabled {
		return o.runUpgrade(cmd)
	}
	out := cmd.OutOrStdout()
	h, err := inspectHost(o.dir)
	if err != nil {
		return err
	}
	tree, err := loadBlueprints(o.blueprints)
	if err != nil {
		return err
	}
	a, err := o.answers(cmd, h)
	if err != nil {
		return err
	}
	p, err := buildPlan(h, a, tree)
	if err != nil {
		return err
	}

	paths := make([]string, len(p.files))
	for i, f := range p.files {
		paths[i] = f.Path
	}
	existing, err := apply.Existing(h.root, paths)
	if err != nil {
		return err
	}
	if o.dryRun {
		exists := map[string]bool{}
		for _, e := range existing {
			exists[e] = true
		}
		for _, f := range p.files {
			note := ""
			if exists[f.Path] {
				note = " (exists: overwritten with --force)"
			}
			fmt.Fprintf(out, "would write %s%s\n", f.Path, note)
		}
		if p.keepSecrets {
			fmt.Fprintf(out, "would keep %s\n", SecretsFile)
		}
	}
	if len(existing) > 0 && !o.force {
		return fmt.Errorf("%d files already exist; nothing was written. Rerun with --force to overwrite them:\n  %s",
			len(existing), strings.Join(existing, "\n  "))
	}
	if o.dryRun {
		fmt.Fprintf(out, "dry run: %d files, nothing written\n", len(p.files))
		return nil
	}

	if err := apply.WriteAll(h.root, p.files, func(path string) { fmt.Fprintln(out, "wrote", path) }); err != nil {
		return err
	}
	if p.keepSecrets {
		fmt.Fprintf(out, "kept %s (its secret stays valid)\n", SecretsFile)
	}
	fmt.Fprintf(out, "regstack %s wrote %d files into %s\n", Version, len(p.files), h.root)

	if !o.noTidy {
		if err := o.tidy(cmd, h, p); err != nil {
			return err
		}
	}
	nextSteps(out, h, p.spec)
	return nil
}

func (o *genOptions) tidy(cmd *cobra.Command, h host, p *plan) error {
	// The pins follow the host's go line (blueprint.Catalog.DepsForGo), so
	// a host on Go 1.25 keeps building with Go 1.25 and one on a newer Go
	// gets the newest pins. It is the line the host had before regstack
	// wrote anything: an upgrade that merges a newer starter go.mod into
	// the host's (the starter's line went from 1.26.0 down to 1.25.0) must
	// not move a host tidied on Go 1.26 to older pins. A fresh folder has
	// the starter's line.
	goLine := h.goLine
	if !h.existing() {
		var err error
		if goLine, err = starterGoLine(h.root); err != nil {
			return err
		}
	}
	deps, err := p.tree.Catalog.DepsForGo(p.spec.Has, goLine)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	err = tidy.Run(cmd.Context(), tidy.Options{Dir: h.root, Out: out, Spinner: isTerminal(out), Width: termWidth(out)}, deps)
	if err != nil {
		return fmt.Errorf("%w\nThe generated files were written and stay in place. Fix the problem above, then run 'go mod tidy' in %s.", err, h.root)
	}
	return nil
}

// starterGoLine is the go line of the go.mod regstack wrote into a fresh
// folder (blueprints/_common/starter/go.mod.tmpl); without one (nothing
// wrote it) the pins are the newest and go get says what is missing.
func starterGoLine(root string) (string, error) {
	name := filepath.Join(root, "go.mod")
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	mf, err := modfile.ParseLax(name, data, nil)
	if err != nil {
		return "", err
	}
	return goLineOf(mf), nil
}

// goLineOf is the go line of a go.mod; without one it is 1.16, as for the
// go command.
func goLineOf(mf *modfile.File) string {
	if mf.Go == nil {
		return "1.16"
	}
	return mf.Go.Version
}

func nextSteps(w io.Writer, h host, s *spec.Spec) {
	if !h.existing() {
		dir := h.root
		if wd, err := os.Getwd(); err == nil && wd == h.root {
			dir = "."
		}
		fmt.Fprintf(w, "\nNext:\n  cd %s && go run .\nthen open %s\n", dir, s.BaseURL)
		printDatabaseHint(w, s)
		return
	}
	printDatabaseHint(w, s)
	fmt.Fprintf(w, `
Your own files were not changed. To serve the account system, add to your main package:

	import (
		%q
		%q
	)

	cfg, err := config.Load(config.LoadOptions{}) // regstack.toml, %s, REGSTACK_* env
	if err != nil {
		return err
	}
	accounts, err := %s.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer accounts.Close()
	mux.Handle(cfg.APIPrefix+"/", accounts.Handler()) // /api/auth/... by default

`, s.PackageImport, s.PackageImport+"/config", SecretsFile, s.PackageName)
}

// printDatabaseHint tells the operator of a server backend where the app
// will look for its database; SQLite needs nothing.
func printDatabaseHint(w io.Writer, s *spec.Spec) {
	switch s.Backend {
	case "postgres":
		fmt.Fprintf(w, "The app uses PostgreSQL at database_url in regstack.toml (postgres://...@127.0.0.1:5432/regstack);\nset REGSTACK_DATABASE_URL to yours. Tests: REGSTACK_TEST_DATABASE_URL=postgres://... go test ./...\n")
	case "mongo":
		fmt.Fprintf(w, "The app uses MongoDB at database_url in regstack.toml (mongodb://127.0.0.1:27017/regstack);\nset REGSTACK_DATABASE_URL to yours. Tests: REGSTACK_TEST_DATABASE_URL=mongodb://... go test ./...\n")
	}
}
