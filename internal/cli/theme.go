package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/regstack/regstack/internal/manifest"
	"github.com/regstack/regstack/internal/spec"
	"github.com/regstack/regstack/internal/theme"
)

func newThemeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "theme",
		Short: "Edit the theme of the account pages",
		Long: `theme works on the theme of the account pages a host generated with the
pages feature: <package>/pages/static/theme.css, the --rs-* CSS custom
properties that core.css draws with.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newThemeDesignCmd())
	return cmd
}

type themeOptions struct {
	dir, pkg, file string
	headless       bool
	dryRun         bool
	vars           []string
	port           int
	noOpen         bool
}

func newThemeDesignCmd() *cobra.Command {
	o := &themeOptions{}
	cmd := &cobra.Command{
		Use:   "design",
		Short: "Design the pages' theme in a local browser preview, or set variables headless",
		Long: `design starts a theme designer on 127.0.0.1 (a random port, and a random
token in the URL that every request must carry) and opens it in the
browser, or prints its URL when there is no browser. It shows a control for
every --rs-* variable, a light/dark switch, the contrast of each text and
background pair (warning below WCAG AA, 4.5:1), and the host's own login,
register and account templates rendered with sample data, updated as you
change a value. Save writes the theme file; Ctrl-C (or Done) stops.

With --headless it sets the variables given by --var and writes the file
without a browser; --dry-run prints the resulting file instead. A --var is
[light:|dark:]NAME=VALUE; light: is the default, and dark:NAME= (empty)
removes the dark redefinition so the dark scheme inherits the light value.

Saving changes only the managed declarations of the file; its other rules,
comments and variables are kept.`,
		Example: `  regstack theme design
  regstack theme design --headless --var --rs-accent=#0f766e --var dark:--rs-accent=#5eead4
  regstack theme design --dry-run --var --rs-radius=10px`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runThemeDesign(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "dir", ".", "host module folder")
	f.StringVar(&o.pkg, "package", "", "folder of the generated package, relative to the module root (default: from .regstack/answers.toml)")
	f.StringVar(&o.file, "file", "", "theme `file` to edit (default <package>/pages/static/theme.css)")
	f.BoolVar(&o.headless, "headless", false, "set the --var values and write the file without starting the designer")
	f.BoolVar(&o.dryRun, "dry-run", false, "print the resulting theme file and write nothing (implies --headless)")
	f.StringArrayVar(&o.vars, "var", nil, "set one `variable`: [light:|dark:]NAME=VALUE (repeatable; needs --headless or --dry-run)")
	f.IntVar(&o.port, "port", 0, "port for the designer on 127.0.0.1 (default: a free one)")
	f.BoolVar(&o.noOpen, "no-open", false, "print the designer's URL without opening a browser")
	return cmd
}

// assignment is one --var.
type assignment struct {
	scheme      theme.Scheme
	name, value string
}

// parseVars reads the --var flags. The variable's name and the shape of
// the flag are checked here; the value is checked with the others by
// theme.Merge, so one run reports every bad value at once.
func parseVars(vars []string) ([]assignment, error) {
	var out []assignment
	for _, raw := range vars {
		a := assignment{scheme: theme.Light}
		body := raw
		if rest, ok := strings.CutPrefix(body, "dark:"); ok {
			a.scheme, body = theme.Dark, rest
		} else if rest, ok := strings.CutPrefix(body, "light:"); ok {
			body = rest
		}
		name, value, ok := strings.Cut(body, "=")
		if !ok {
			return nil, fmt.Errorf("--var %s: want [light:|dark:]NAME=VALUE, such as --rs-accent=#0f766e", raw)
		}
		a.name, a.value = strings.TrimSpace(name), value
		if _, ok := theme.Lookup(a.name); !ok {
			return nil, fmt.Errorf("--var %s: unknown variable %s (known: %s)", raw, a.name, strings.Join(theme.Names(), ", "))
		}
		if a.scheme == theme.Light && strings.TrimSpace(value) == "" {
			return nil, fmt.Errorf("--var %s: %s needs a value (only a dark: value may be empty, to inherit the light one)", raw, a.name)
		}
		out = append(out, a)
	}
	return out, nil
}

// themeHost is where the theme lives in a host.
type themeHost struct {
	root, pkgDir string
	// pkgPath is the generated package's folder on disk.
	pkgPath string
	// themePath is the theme file to edit.
	themePath string
	appName   string
}

// locateTheme finds the generated package (--package, else package_dir
// from .regstack/answers.toml, else from .regstack/manifest.json) and the
// theme file in it.
func locateTheme(o *themeOptions) (themeHost, error) {
	root, err := filepath.Abs(o.dir)
	if err != nil {
		return themeHost{}, err
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return themeHost{}, usageError(fmt.Errorf("--dir %s: not a folder", o.dir))
	}
	h := themeHost{root: root, pkgDir: o.pkg}
	if a, err := hostAnswers(root); err == nil {
		h.appName = a.AppName
		if h.pkgDir == "" {
			h.pkgDir = a.PackageDir
		}
	} else if h.pkgDir == "" {
		return themeHost{}, err
	}
	if err := spec.ValidatePackageDir(h.pkgDir); err != nil {
		return themeHost{}, usageError(fmt.Errorf("--package: %w", err))
	}
	h.pkgPath = filepath.Join(root, filepath.FromSlash(h.pkgDir))
	h.themePath = filepath.Join(theme.StaticDir(h.pkgPath), "theme.css")
	if o.file != "" {
		if h.themePath, err = filepath.Abs(o.file); err != nil {
			return themeHost{}, err
		}
	}
	return h, nil
}

// hostAnswers reads the answers the host was generated with.
func hostAnswers(root string) (spec.Answers, error) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(spec.AnswersFile)))
	if err == nil {
		a, err := spec.DecodeAnswers(data, spec.Defaults())
		if err != nil {
			return a, fmt.Errorf("%s: %w", spec.AnswersFile, err)
		}
		return a, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return spec.Answers{}, err
	}
	data, err = os.ReadFile(filepath.Join(root, filepath.FromSlash(manifest.Path)))
	if errors.Is(err, fs.ErrNotExist) {
		return spec.Answers{}, fmt.Errorf("%s has neither %s nor %s to say where the generated package is; pass --package (such as internal/auth)", root, spec.AnswersFile, manifest.Path)
	}
	if err != nil {
		return spec.Answers{}, err
	}
	m, err := manifest.Parse(data)
	if err != nil {
		return spec.Answers{}, err
	}
	return m.Answers, nil
}

// display shows path relative to the host root when it lies inside it.
func (h themeHost) display(path string) string {
	if rel, err := filepath.Rel(h.root, path); err == nil && filepath.IsLocal(rel) {
		return filepath.ToSlash(rel)
	}
	return path
}

func runThemeDesign(cmd *cobra.Command, o *themeOptions) error {
	assigns, err := parseVars(o.vars)
	if err != nil {
		return usageError(err)
	}
	if o.dryRun {
		o.headless = true
	}
	if len(assigns) > 0 && !o.headless {
		return usageError(errors.New("--var sets values without the designer: add --headless (write) or --dry-run (print)"))
	}
	if o.port < 0 || o.port > 65535 {
		return usageError(fmt.Errorf("--port %d: not a port number", o.port))
	}
	h, err := locateTheme(o)
	if err != nil {
		return err
	}
	if o.headless {
		return themeHeadless(cmd, o, h, assigns)
	}
	return themeDesigner(cmd, o, h)
}

func themeHeadless(cmd *cobra.Command, o *themeOptions, h themeHost, assigns []assignment) error {
	if !o.dryRun && o.file == "" {
		if _, err := os.Stat(filepath.Dir(h.themePath)); err != nil {
			return noPagesError(h)
		}
	}
	doc, err := theme.Load(h.themePath)
	if err != nil {
		return err
	}
	cur := theme.Current(doc)
	next := cur.Clone()
	for _, a := range assigns {
		if a.scheme == theme.Dark {
			next.Dark[a.name] = a.value
		} else {
			next.Light[a.name] = a.value
		}
	}
	th, errs := theme.Merge(cur, next)
	if len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return usageError(fmt.Errorf("nothing was written:\n  %s", strings.Join(msgs, "\n  ")))
	}
	out := doc.Render(th)
	warnContrast(cmd.ErrOrStderr(), th)
	if o.dryRun {
		_, err := cmd.OutOrStdout().Write(out)
		return err
	}
	if err := theme.Write(h.themePath, out); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d light, %d dark values)\n", h.display(h.themePath), len(th.Light), len(th.Dark))
	return nil
}

// warnContrast names every pair below WCAG AA. A warning, not an error:
// large display text needs only 3:1, and the operator decides.
func warnContrast(w io.Writer, th theme.Theme) {
	for _, c := range theme.Check(th) {
		if c.OK {
			continue
		}
		if c.Ratio == 0 {
			fmt.Fprintf(w, "warning: %s %s (%s on %s): contrast unknown, a colour is not one the check reads\n", c.Scheme, strings.ToLower(c.Label), c.Foreground, c.Background)
			continue
		}
		fmt.Fprintf(w, "warning: %s %s (%s on %s): contrast %.2f:1, below WCAG AA (%.1f:1)\n", c.Scheme, strings.ToLower(c.Label), c.Foreground, c.Background, c.Ratio, theme.AA)
	}
}

func noPagesError(h themeHost) error {
	return fmt.Errorf("%s has no account pages (no %s): generate them with `regstack gen --upgrade --set features.pages=true`, or pass --file", h.pkgDir, h.display(theme.TemplatesDir(h.pkgPath)))
}

func themeDesigner(cmd *cobra.Command, o *themeOptions, h themeHost) error {
	ok, err := theme.HasPages(h.pkgPath)
	if err != nil {
		return err
	}
	if !ok {
		return noPagesError(h)
	}
	d, err := theme.New(theme.Options{
		ThemePath: h.themePath,
		Display:   h.display(h.themePath),
		CoreCSS:   filepath.Join(theme.StaticDir(h.pkgPath), "core.css"),
		Preview:   theme.HostPages{Dir: theme.TemplatesDir(h.pkgPath), AppName: h.appName},
	})
	if err != nil {
		return err
	}
	ln, err := theme.Listen(o.port)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	url := d.URL(ln.Addr())
	// The URL is printed even when a browser opens: it is the way back in
	// after closing the tab.
	fmt.Fprintf(out, "Designer URL: %s\n", url)
	if !o.noOpen && openBrowser(url) {
		fmt.Fprintln(out, "Opened in your browser.")
	}
	fmt.Fprintln(out, "Press Ctrl-C (or Done on the page) to stop.")
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := d.Serve(ctx, ln); err != nil {
		return err
	}
	fmt.Fprintln(out, "designer stopped")
	return nil
}

// openBrowser starts the system's URL opener when there is one and reports
// whether it did. It never fails the command: without a browser the
// printed URL is enough.
func openBrowser(url string) bool {
	var name string
	var args []string
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler"}
	default:
		// Without a display xdg-open would fall back to a text browser in
		// this terminal, fighting the designer for it.
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return false
		}
		name = "xdg-open"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return false
	}
	c := exec.Command(path, append(args, url)...)
	if err := c.Start(); err != nil {
		return false
	}
	// Reap the opener when it exits; its status does not matter.
	go c.Wait()
	return true
}
