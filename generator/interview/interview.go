// Package interview asks the operator for the answers with a huh form: a
// full-screen form on a terminal, or huh's accessible mode (plain numbered
// prompts, one answer per line) when stdin is a pipe or a screen reader is
// in use.
package interview

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/regstack/regstack/generator/spec"
)

// Keys of the questions, the same as the answers-file keys, for Skip.
const (
	KeyAppName             = "app_name"
	KeyModule              = "module"
	KeyBaseURL             = "base_url"
	KeyPackageDir          = "package_dir"
	KeyBackend             = "backend"
	KeyRequireVerification = "features.require_verification"
	KeyPasswordReset       = "features.password_reset"
	KeyAccountDeletion     = "features.account_deletion"
	KeyAdmin               = "features.admin"
)

// ErrAborted is returned when the operator cancels the form (ctrl-c, esc).
var ErrAborted = errors.New("interview aborted; nothing written")

// Options configure one interview.
type Options struct {
	// AskModule asks for the module path; leave it false in an existing
	// module, whose go.mod already says.
	AskModule bool
	// Skip holds the keys already answered (by flags); they are not asked.
	Skip map[string]bool
	// Accessible selects line-by-line prompts instead of the full-screen
	// form; use it whenever In is not a terminal.
	Accessible bool
	// In and Out are the operator's terminal or pipe.
	In  io.Reader
	Out io.Writer
}

// Run asks every question not skipped, starting from the values in a (the
// defaults), and stores the answers in a. Each text answer is checked with
// the same validation the spec applies, and a wrong one is asked again.
func Run(a *spec.Answers, o Options) error {
	var fields []huh.Field
	input := func(key, title, desc string, v *string, check func(string) error) {
		if o.Skip[key] {
			return
		}
		fields = append(fields, huh.NewInput().
			Key(key).
			Title(title).
			Description(desc).
			Value(v).
			Validate(validator(check, *v, o.Accessible)))
	}
	confirm := func(key, title, desc string, v *bool) {
		if o.Skip[key] {
			return
		}
		fields = append(fields, huh.NewConfirm().Key(key).Title(title).Description(desc).Value(v))
	}

	input(KeyAppName, "Application name", "Shown in emails and pages.", &a.AppName, spec.ValidateAppName)
	if o.AskModule {
		input(KeyModule, "Go module path", "For the new go.mod, e.g. github.com/you/app.", &a.Module, spec.ValidateModule)
	}
	input(KeyBaseURL, "Public base URL", "Where users reach the site; emailed links start with it.", &a.BaseURL, spec.ValidateBaseURL)
	input(KeyPackageDir, "Package folder", "Where the generated package goes, inside the module.", &a.PackageDir, spec.ValidatePackageDir)
	if !o.Skip[KeyBackend] {
		opts := make([]huh.Option[string], len(spec.Backends))
		for i, b := range spec.Backends {
			opts[i] = huh.NewOption(b+" — "+spec.BackendDescriptions[b], b)
		}
		fields = append(fields, huh.NewSelect[string]().
			Key(KeyBackend).
			Title("Database backend").
			Description("Where accounts and sessions live; database_url in regstack.toml points at it.").
			Options(opts...).
			Value(&a.Backend))
	}
	confirm(KeyRequireVerification, "Require email verification before login?", "New accounts must follow an emailed link first.", &a.Features.RequireVerification)
	confirm(KeyPasswordReset, "Include password reset?", "Forgot-password email and reset flow.", &a.Features.PasswordReset)
	confirm(KeyAccountDeletion, "Include account deletion?", "Users can delete their own account.", &a.Features.AccountDeletion)
	confirm(KeyAdmin, "Include the admin API?", "Operators list, inspect, disable and delete users.", &a.Features.Admin)

	if len(fields) == 0 {
		return nil
	}
	form := huh.NewForm(huh.NewGroup(fields...))
	if o.Accessible {
		form = form.WithAccessible(true).WithInput(oneByteReader{o.In})
	} else if o.In != nil {
		form = form.WithInput(o.In)
	}
	if o.Out != nil {
		form = form.WithOutput(o.Out)
	}
	if err := form.Run(); err != nil {
		if errors.Is(err, huh.ErrUserAborted) {
			return ErrAborted
		}
		return fmt.Errorf("interview: %w", err)
	}
	for _, s := range []*string{&a.AppName, &a.Module, &a.BaseURL, &a.PackageDir} {
		*s = strings.TrimSpace(*s)
	}
	return nil
}

// validator adapts a spec check to a huh input. In accessible mode an empty
// line means "keep the default" (huh substitutes it after validating), so
// it passes when the default itself is valid.
func validator(check func(string) error, def string, accessible bool) func(string) error {
	defOK := check(def) == nil
	return func(s string) error {
		s = strings.TrimSpace(s)
		if accessible && s == "" && defOK {
			return nil
		}
		return check(s)
	}
}

// oneByteReader hands out at most one byte per Read. huh v1.0.0's
// accessible mode wraps the input in a new bufio.Scanner for every prompt,
// and a scanner reading ahead would swallow the later answers of a pipe;
// with one byte per Read it never holds more than the current line.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}
