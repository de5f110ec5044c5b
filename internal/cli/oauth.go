package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/regstack/regstack/internal/checkreport"
	"github.com/regstack/regstack/internal/hostfiles"
	"github.com/regstack/regstack/internal/oauthsetup"
	"github.com/regstack/regstack/internal/spec"
)

type oauthSetupOptions struct {
	dir            string
	clientID       string
	secretFile     string
	baseURL        string
	redirectURI    string
	autoLink       bool
	headless       bool
	dryRun         bool
	json           bool
	noOpen         bool
	port           int
	checkDiscovery bool
	upgrade        bool
}

func newOAuthCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "oauth",
		Short: "Sign in with Google for the host",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newOAuthSetupCmd())
	return cmd
}

func newOAuthSetupCmd() *cobra.Command {
	o := &oauthSetupOptions{}
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Register the host with Google for Sign in with Google, and configure it",
		Long: `setup walks you through creating a Google OAuth client for the host and
writes it into the host's files:

  regstack.toml                enable_oauth = true; in [oauth]
                               google_client_id, auto_link_verified_emails,
                               and google_redirect_uri when pinned; comments,
                               other keys and other tables are kept
  regstack.secrets.env (0600)  REGSTACK_OAUTH__GOOGLE_CLIENT_SECRET

Without --headless it starts a wizard on 127.0.0.1 (a random port and a
random token in the URL that every request must carry) and opens it in the
browser, or prints its URL. The wizard shows the exact JavaScript origin and
redirect URI to paste into Google's console, computed from base_url and
api_prefix in regstack.toml, takes the client ID and secret back, and saves.
It works without JavaScript. Ctrl-C (or Done on the page) stops it.

With --headless it writes from the flags; --dry-run prints the diffs and
writes nothing. Invalid input exits 2 listing each field, and nothing is
written. A host generated without Sign in with Google needs the package
first: --upgrade (or the wizard's checkbox) runs
'regstack gen --upgrade --set features.google=true' before writing.`,
		Example: `  regstack oauth setup
  regstack oauth setup --headless --client-id 123-abc.apps.googleusercontent.com --client-secret-file secret.txt
  regstack oauth setup --headless --client-id 123-abc.apps.googleusercontent.com --client-secret-file - < secret.txt
  regstack oauth setup --dry-run --client-id 123-abc.apps.googleusercontent.com --client-secret-file - --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "dir", ".", "the host's `folder` (holds regstack.toml)")
	f.StringVar(&o.clientID, "client-id", "", "the Google client `ID` (…apps.googleusercontent.com; default: the host's)")
	f.StringVar(&o.secretFile, "client-secret-file", "", "`file` holding the client secret, - for stdin (never a flag: it would show in ps and shell history); headless only")
	f.StringVar(&o.baseURL, "base-url", "", "the app's public `URL` the addresses are computed from (default: base_url in regstack.toml)")
	f.StringVar(&o.redirectURI, "redirect-uri", "", "a custom redirect `URI` to pin as google_redirect_uri; \"\" removes a pinned one")
	f.BoolVar(&o.autoLink, "auto-link", false, "link a Google sign-in to an existing account with the same verified address (default: the host's)")
	f.BoolVar(&o.headless, "headless", false, "write from the flags without the wizard")
	f.BoolVar(&o.dryRun, "dry-run", false, "write nothing; print the diffs, secret values hidden (implies --headless)")
	f.BoolVar(&o.json, "json", false, "with --headless or --dry-run: print the result as JSON")
	f.BoolVar(&o.noOpen, "no-open", false, "print the wizard's URL without opening a browser")
	f.IntVar(&o.port, "port", 0, "port for the wizard on 127.0.0.1 (default: a free one)")
	f.BoolVar(&o.checkDiscovery, "check-discovery", false, "with --headless: also fetch the issuer's discovery document (a warning when it fails)")
	f.BoolVar(&o.upgrade, "upgrade", false, "with --headless: first run 'regstack gen --upgrade --set features.google=true' when the package lacks Sign in with Google")
	return cmd
}

func (o *oauthSetupOptions) run(cmd *cobra.Command) error {
	if o.dryRun {
		o.headless = true
	}
	if !o.headless {
		for _, name := range []string{"client-secret-file", "json", "check-discovery", "upgrade"} {
			if cmd.Flags().Changed(name) {
				return usageError(fmt.Errorf("--%s works only with --headless or --dry-run (the wizard asks in the page)", name))
			}
		}
	}
	if o.port < 0 || o.port > 65535 {
		return usageError(fmt.Errorf("--port %d: not a port number", o.port))
	}
	h, err := oauthsetup.ReadHost(o.dir)
	if errors.Is(err, oauthsetup.ErrNoConfig) {
		return usageError(err)
	}
	if err != nil {
		return err
	}
	in := o.input(cmd, h)
	if o.headless {
		if o.secretFile != "" {
			if in.ClientSecret, err = readClientSecret(o.secretFile, cmd.InOrStdin()); err != nil {
				return usageError(fmt.Errorf("--client-secret-file: %w", err))
			}
		}
		return o.headlessRun(cmd, h, oauthsetup.Clean(in))
	}
	return o.wizard(cmd, oauthsetup.Clean(in))
}

// input is the host's current settings with the flags the operator set
// on top.
func (o *oauthSetupOptions) input(cmd *cobra.Command, h *oauthsetup.Host) oauthsetup.Input {
	in := h.Defaults()
	flags := cmd.Flags()
	if flags.Changed("base-url") {
		in.BaseURL = o.baseURL
	}
	if flags.Changed("client-id") {
		in.ClientID = o.clientID
	}
	if flags.Changed("redirect-uri") {
		in.RedirectURI = o.redirectURI
	}
	if flags.Changed("auto-link") {
		in.AutoLink = o.autoLink
	}
	return in
}

// readClientSecret reads the client secret from a file or, for "-", from
// the first line of stdin.
func readClientSecret(name string, stdin io.Reader) (string, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = bufio.NewReader(stdin).ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			err = nil
		}
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(data))
	if s == "" || strings.ContainsAny(s, "\r\n") {
		return "", errors.New("want the client secret alone on one line")
	}
	return s, nil
}

// oauthJSON is the --json output.
type oauthJSON struct {
	ConfigPath       string             `json:"config_path"`
	ConfigDiff       string             `json:"config_diff"`
	SecretsPath      string             `json:"secrets_path"`
	SecretsDiff      string             `json:"secrets_diff"`
	ReplacedExisting bool               `json:"replaced_existing"`
	DryRun           bool               `json:"dry_run"`
	RedirectURI      string             `json:"redirect_uri"`
	Upgraded         bool               `json:"upgraded,omitempty"`
	Discovery        *checkreport.Check `json:"discovery,omitempty"`
}

func (o *oauthSetupOptions) headlessRun(cmd *cobra.Command, h *oauthsetup.Host, in oauthsetup.Input) error {
	if errs := oauthsetup.Validate(in, h.HaveSecret); len(errs) > 0 {
		lines := make([]string, len(errs))
		for i, e := range errs {
			lines[i] = "  - " + e.String()
		}
		return &exitErr{code: exitUsage, noHint: true,
			err: fmt.Errorf("validation failed; nothing was written:\n%s", strings.Join(lines, "\n"))}
	}
	// A file the editor cannot change safely is reported before an
	// upgrade touches the host.
	p, err := h.Plan(in)
	if err != nil {
		return err
	}
	out, notes := cmd.OutOrStdout(), cmd.ErrOrStderr()
	upgrade := h.NeedsGoogle && o.upgrade
	switch {
	case h.NeedsGoogle && !o.upgrade && o.dryRun:
		fmt.Fprintln(notes, "note: the package was generated without Sign in with Google and its config refuses [oauth]: add --upgrade")
	case h.NeedsGoogle && !o.upgrade:
		return usageError(fmt.Errorf("the package was generated without Sign in with Google (%s: features.google = false), and its config refuses these settings: add --upgrade to run regstack gen --upgrade --set %s=true first", spec.AnswersFile, spec.KeyGoogle))
	case upgrade && o.dryRun:
		fmt.Fprintf(notes, "note: would first run regstack gen --upgrade --set %s=true\n", spec.KeyGoogle)
	case upgrade:
		// With --json the upgrade reports on stderr, so stdout stays one
		// JSON document.
		log := out
		if o.json {
			log = notes
		}
		if err := upgradeGoogle(cmd.Context(), h.Dir, log); err != nil {
			return fmt.Errorf("regstack gen --upgrade --set %s=true: %w\nnothing else was written", spec.KeyGoogle, err)
		}
		// The upgrade may have edited regstack.toml: merge into that.
		if h, err = oauthsetup.ReadHost(h.Dir); err != nil {
			return err
		}
		if p, err = h.Plan(in); err != nil {
			return err
		}
	}
	if !o.dryRun {
		if err := p.Write(h.Dir); err != nil {
			return err
		}
	}
	var discovery *checkreport.Check
	if o.checkDiscovery {
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		c := oauthsetup.CheckDiscovery(ctx, http.DefaultClient, h.Issuer)
		discovery = &c
	}
	if o.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(oauthJSON{
			ConfigPath: filepath.Join(h.Dir, hostfiles.ConfigFile), ConfigDiff: string(p.ConfigDiff),
			SecretsPath: filepath.Join(h.Dir, hostfiles.SecretsFile), SecretsDiff: string(p.SecretsDiff),
			ReplacedExisting: p.ReplacedExisting, DryRun: o.dryRun, RedirectURI: p.RedirectURI,
			Upgraded: upgrade && !o.dryRun, Discovery: discovery,
		})
	}
	return writeOAuthText(out, p, discovery, o.dryRun)
}

func writeOAuthText(w io.Writer, p *oauthsetup.Plan, discovery *checkreport.Check, dryRun bool) error {
	verb := "wrote"
	if dryRun {
		verb = "would write (--dry-run: nothing written)"
	}
	var b strings.Builder
	if p.ConfigDiff == nil {
		fmt.Fprintf(&b, "%s: already up to date\n", hostfiles.ConfigFile)
	} else {
		fmt.Fprintf(&b, "%s %s: %s\n", verb, hostfiles.ConfigFile, oauthsetup.Summary(p.ConfigChanges))
	}
	if p.SecretsDiff != nil {
		fmt.Fprintf(&b, "%s %s (mode 0600): %s\n", verb, hostfiles.SecretsFile, oauthsetup.Summary(p.SecretsChanges))
	}
	if p.ReplacedExisting {
		b.WriteString("the previous Google client was replaced\n")
	}
	fmt.Fprintf(&b, "redirect URI to register with Google: %s\n", p.RedirectURI)
	if discovery != nil {
		fmt.Fprintf(&b, "%s %s — %s\n", discovery.Status.Symbol(), discovery.ID, discovery.Detail)
		if discovery.Fix != "" {
			fmt.Fprintf(&b, "    fix: %s\n", discovery.Fix)
		}
	}
	if dryRun {
		b.Write(p.ConfigDiff)
		b.Write(p.SecretsDiff)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// upgradeGoogle runs `regstack gen --upgrade --set features.google=true`
// in dir, in this process, its report going to out.
func upgradeGoogle(ctx context.Context, dir string, out io.Writer) error {
	c := &cobra.Command{}
	c.SetContext(ctx)
	c.SetOut(out)
	c.SetErr(out)
	o := &genOptions{dir: dir, up: upgradeOptions{enabled: true, set: []string{spec.KeyGoogle + "=true"}}}
	return o.runUpgrade(c)
}

func (o *oauthSetupOptions) wizard(cmd *cobra.Command, in oauthsetup.Input) error {
	display := o.dir
	if abs, err := filepath.Abs(o.dir); err == nil {
		display = abs
	}
	// Without flags the page reads the host afresh, so an edit made after
	// the launch still shows.
	var initial *oauthsetup.Input
	for _, name := range []string{"base-url", "client-id", "redirect-uri", "auto-link"} {
		if cmd.Flags().Changed(name) {
			initial = &in
		}
	}
	wz, err := oauthsetup.New(oauthsetup.Options{Dir: o.dir, Display: display, Initial: initial, Upgrade: func(ctx context.Context, out io.Writer) error {
		return upgradeGoogle(ctx, o.dir, out)
	}})
	if err != nil {
		return err
	}
	ln, err := oauthsetup.Listen(o.port)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	url := wz.URL(ln.Addr())
	// Printed even when a browser opens: it is the way back in after
	// closing the tab.
	fmt.Fprintf(out, "Wizard URL: %s\n", url)
	if !o.noOpen && openBrowser(url) {
		fmt.Fprintln(out, "Opened in your browser.")
	}
	fmt.Fprintln(out, "Press Ctrl-C (or Done on the page) to stop.")
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := wz.Serve(ctx, ln); err != nil {
		return err
	}
	fmt.Fprintln(out, "wizard stopped")
	return nil
}
