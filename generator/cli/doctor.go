package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/regstack/regstack/blueprints"
	"github.com/regstack/regstack/generator/blueprint"
	"github.com/regstack/regstack/generator/drift"
	"github.com/regstack/regstack/generator/manifest"
)

type doctorOptions struct {
	hostFlags
	checkDNS  bool
	dnsServer string
	sendTo    string
	purge     bool
}

func newDoctorCmd(r hostRunner) *cobra.Command {
	o := &doctorOptions{}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check the host's configuration, database, email and generated files",
		Long: `doctor prints one line per check, ✔ or ✘ with the reason, and exits with
the number of failed checks (0 when everything is fine). It changes nothing,
unless --purge asks it to delete expired rows.

The host's operator program (<package>/cmd/authctl), reading the
configuration as the app does, checks:
  config          every setting is valid
  jwt secret      present, at least 32 bytes, and not guessable (no repeated
                  character or pattern, phrase or handful of characters)
  database        reachable (the URL is printed with its password redacted)
  schema          every migration the host's code carries is applied
  email backend   the configured backend can be built
  email send      with --send-test-email TO: a probe is sent through it
  dns mx/spf/dmarc  with --check-dns: the sender domain's MX, SPF and DMARC
                  records (5 s per lookup; --dns-server to ask a given server)
  purge           with --purge: deletes the expired pending registrations,
                  account tokens, revoked-token rows and old attempt counts
                  (what the app's background purge deletes every
                  purge_interval_seconds) and prints how many; only on a
                  reachable database whose schema is up to date

regstack itself then compares the generated files with .regstack/manifest.json:
  generated files    which ones the host has modified or deleted since
                     generation (yours to edit; an edit to a file gen
                     regenerates in full, such as sqlc output, fails)
  generator updates  which ones this regstack would now write differently
                     from the same answers (run 'regstack gen --upgrade')`,
		Example: `  regstack doctor
  regstack doctor --check-dns --send-test-email you@example.com
  regstack doctor --purge
  REGSTACK_EMAIL__BACKEND=smtp regstack doctor --config /etc/shop/regstack.toml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd, r)
		},
	}
	f := cmd.Flags()
	o.hostFlags.register(f)
	f.BoolVar(&o.checkDNS, "check-dns", false, "check the MX, SPF and DMARC records of the sender's domain")
	f.StringVar(&o.dnsServer, "dns-server", "", "DNS server (`host:port`) for --check-dns instead of the system's resolver")
	f.StringVar(&o.sendTo, "send-test-email", "", "send a probe email to `ADDRESS` through the configured backend")
	f.BoolVar(&o.purge, "purge", false, "delete expired rows now (as the app's background purge does) and print how many")
	return cmd
}

func (o *doctorOptions) run(cmd *cobra.Command, r hostRunner) error {
	if o.sendTo != "" {
		if _, err := mail.ParseAddress(o.sendTo); err != nil || strings.ContainsAny(o.sendTo, "<>") {
			return usageError(fmt.Errorf("--send-test-email %q: not an email address", o.sendTo))
		}
	}
	args, err := o.programArgs()
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	failures := 0

	root, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	h, err := locateHost(o.dir, o.pkg)
	var ee *exitErr
	switch {
	case errors.As(err, &ee):
		return err // a usage mistake, such as a bad --package
	case err != nil:
		fmt.Fprintf(out, "✘ operator program: %v\n", err)
		failures++
	default:
		args = append([]string{"doctor", "-summary=false"}, args...)
		if o.checkDNS {
			args = append(args, "-check-dns")
		}
		if o.dnsServer != "" {
			args = append(args, "-dns-server", o.dnsServer)
		}
		if o.sendTo != "" {
			args = append(args, "-send-test-email", o.sendTo)
		}
		if o.purge {
			args = append(args, "-purge")
		}
		code, err := r.Run(cmd.Context(), h, args, stdio{in: strings.NewReader(""), out: out, err: cmd.ErrOrStderr()})
		var be *buildError
		switch {
		case errors.As(err, &be):
			fmt.Fprintf(out, "✘ operator program: %s does not build:\n%s\n", be.program, indent(be.output))
			failures++
		case err != nil:
			return err
		default:
			failures += code
		}
	}

	failures += fileChecks(out, root)
	if failures > 0 {
		return &exitErr{code: min(failures, 125), err: fmt.Errorf("%d check(s) failed", failures)}
	}
	return nil
}

// fileChecks prints the generated-files and generator-updates lines and
// returns how many failed.
func fileChecks(w io.Writer, root string) int {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(manifest.Path)))
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(w, "✔ generated files: no %s here (not generated by regstack gen, or only configured with regstack init); skipped\n", manifest.Path)
		return 0
	}
	if err != nil {
		fmt.Fprintf(w, "✘ generated files: %v\n", err)
		return 1
	}
	m, err := manifest.Parse(data)
	if err != nil {
		fmt.Fprintf(w, "✘ generated files: %v\n", err)
		return 1
	}
	r, err := driftReport(root, m)
	if err != nil {
		fmt.Fprintf(w, "✘ generated files: %v\n", err)
		return 1
	}

	failures := 0
	switch {
	case len(r.ManagedModified) > 0:
		failures++
		fmt.Fprintf(w, "✘ generated files: %d modified, of which %d are regenerated in full and lose the edit on the next upgrade (change their source instead, such as query.sql, and regenerate):\n",
			len(r.Modified), len(r.ManagedModified))
	case len(r.Modified)+len(r.Missing) == 0:
		fmt.Fprintf(w, "✔ generated files: none of %d modified since generation (%s)\n", r.Checked, m.Generator)
	default:
		fmt.Fprintf(w, "✔ generated files: %d of %d modified and %d deleted since generation (yours to edit; `regstack gen --upgrade` merges into them):\n",
			len(r.Modified), r.Checked, len(r.Missing))
	}
	managed := map[string]bool{}
	for _, p := range r.ManagedModified {
		managed[p] = true
	}
	for _, p := range r.Modified {
		note := "modified"
		if managed[p] {
			note = "modified, regenerated in full"
		}
		fmt.Fprintf(w, "    %s (%s)\n", p, note)
	}
	for _, p := range r.Missing {
		fmt.Fprintf(w, "    %s (deleted)\n", p)
	}

	changes := len(r.Newer) + len(r.Added) + len(r.Dropped)
	if changes == 0 {
		fmt.Fprintf(w, "✔ generator updates: none; regstack %s writes the same files as %s did\n", Version, m.Generator)
		return failures
	}
	fmt.Fprintf(w, "✔ generator updates: regstack %s writes %d file(s) differently from %s (run `regstack gen --upgrade`):\n", Version, changes, m.Generator)
	for _, l := range []struct {
		paths []string
		note  string
	}{{r.Newer, "newer output"}, {r.Added, "new file"}, {r.Dropped, "no longer generated"}} {
		for _, p := range l.paths {
			fmt.Fprintf(w, "    %s (%s)\n", p, l.note)
		}
	}
	return failures
}

func driftReport(root string, m *manifest.Manifest) (drift.Report, error) {
	tree, err := blueprint.Load(blueprints.FS)
	if err != nil {
		return drift.Report{}, err
	}
	current, err := drift.Rerender(m, tree, Version)
	if err != nil {
		return drift.Report{}, fmt.Errorf("re-rendering with the recorded answers: %w", err)
	}
	return drift.Check(root, m, current)
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}
