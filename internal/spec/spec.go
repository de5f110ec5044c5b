// Package spec turns the operator's answers into a validated description of
// what to generate. It is the only input the renderer sees, so everything
// that depends on a choice (backend, features, names) is decided here.
package spec

import (
	"errors"
	"fmt"
	"go/token"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/mod/module"
)

// Answers are what the interview asks, what the flags set and what
// .regstack/answers.toml replays. Each field is the answer of one row of
// Questions; the TOML tags spell the row keys (a test keeps them in step).
type Answers struct {
	AppName    string   `toml:"app_name" json:"app_name"`
	Module     string   `toml:"module" json:"module"`
	BaseURL    string   `toml:"base_url" json:"base_url"`
	PackageDir string   `toml:"package_dir" json:"package_dir"`
	Backend    string   `toml:"backend" json:"backend"`
	Features   Features `toml:"features" json:"features"`
}

// Features are the optional flows. The zero value is "everything off"; see
// Defaults for what the interview proposes.
type Features struct {
	// RequireVerification makes registration create a pending row that
	// becomes a user only when the emailed link is followed. It is the
	// generated default of require_verification in regstack.toml; the runtime
	// setting still wins.
	RequireVerification bool `toml:"require_verification" json:"require_verification"`
	PasswordReset       bool `toml:"password_reset" json:"password_reset"`
	AccountDeletion     bool `toml:"account_deletion" json:"account_deletion"`
	// Admin generates the admin API (served unless enable_admin_router is
	// false at runtime).
	Admin bool `toml:"admin" json:"admin"`
	// Pages generates the server-rendered sign-in and account pages, their
	// cookie session and the theme CSS.
	Pages bool `toml:"pages" json:"pages"`
	// EmailBackend is the email sender a new host's regstack.toml starts
	// with ("console", "smtp" or "ses"). Console and SMTP are always built
	// in and [email] backend chooses between them at run time; "ses" also
	// generates the Amazon SES sender, the only one that brings a module
	// (the AWS SDK).
	EmailBackend string `toml:"email_backend" json:"email_backend"`
	// SMS generates the SMS second factor: phone enrolment, the sign-in
	// code step, and the console, null and Twilio senders.
	SMS bool `toml:"sms" json:"sms"`
	// SMSBackend adds an SMS sender that needs an SDK ("sns" adds the AWS
	// SDK); "twilio" adds nothing beyond the always-built-in senders. It
	// matters only with SMS.
	SMSBackend string `toml:"sms_backend" json:"sms_backend"`
	// Google generates Sign in with Google (OpenID Connect): the sign-in
	// and linking flows, their part of the store and, with pages, the
	// buttons and the connected-accounts section.
	Google bool `toml:"google" json:"google"`
}

// Defaults returns the answers --yes takes in a fresh folder (see
// DefaultsFor and the Default of each question).
func Defaults() Answers { return DefaultsFor(true) }

// Spec is validated answers plus everything derived from them.
type Spec struct {
	Answers
	// PackageImport is the import path of the generated package.
	PackageImport string
	// PackageName is the Go package name of the generated package (the last
	// element of PackageDir).
	PackageName string
	// Starter is true when the host is a fresh folder and gets a runnable
	// main package, go.mod and README of its own.
	Starter bool
	// Version is the generator version recorded in comments and provenance.
	Version string
}

// Validate checks every answer and reports all problems at once, each naming
// the answer and saying what is accepted.
//
// A question not asked (its When does not hold) is not checked: an answers
// file written before the question existed, or without its feature, does
// not give it.
func (a Answers) Validate() error {
	var errs []error
	for _, q := range Questions() {
		if !q.Asked(&a) {
			continue
		}
		errs = append(errs, q.Check(&a))
	}
	return errors.Join(errs...)
}

// ValidateAppName checks app_name. The name lands in Go string literals,
// TOML and email subjects, so quoting characters are refused rather than
// escaped in five different ways.
func ValidateAppName(name string) error {
	if strings.TrimSpace(name) == "" {
		return errors.New("app_name: must not be empty")
	}
	if strings.ContainsAny(name, "\"\\`") || strings.IndexFunc(name, unicode.IsControl) >= 0 || len(name) > 80 {
		return fmt.Errorf("app_name %q: use at most 80 characters without quotes, backslashes, backquotes or control characters", name)
	}
	return nil
}

// ValidateModule checks module, the Go module path of the host. Paths
// without a dot (`go mod init shop`) are fine for an application that is
// never fetched by others, so the import-path rules apply, not the stricter
// rules for downloadable modules.
func ValidateModule(mod string) error {
	if err := module.CheckImportPath(mod); err != nil {
		return fmt.Errorf("module %q: not a valid Go module path (%v)", mod, err)
	}
	return nil
}

// ValidateBaseURL checks base_url, the public origin emailed links point at.
// A trailing slash is accepted (New strips it).
func ValidateBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("base_url %q: want an absolute http:// or https:// URL without credentials, query or fragment", raw)
	}
	return nil
}

// ValidatePackageDir checks package_dir, the folder of the generated package
// relative to the module root.
func ValidatePackageDir(dir string) error {
	if dir == "" || path.IsAbs(dir) || strings.Contains(dir, "\\") || path.Clean(dir) != dir || dir == "." || dir == ".." || strings.HasPrefix(dir, "../") {
		return fmt.Errorf("package_dir %q: want a relative slash-separated folder inside the module, such as internal/auth", dir)
	}
	for _, elem := range strings.Split(dir, "/") {
		if elem == "testdata" || elem == "vendor" || strings.HasPrefix(elem, ".") || strings.HasPrefix(elem, "_") {
			return fmt.Errorf("package_dir %q: the go command ignores folders named testdata or vendor or starting with . or _", dir)
		}
	}
	name := path.Base(dir)
	if !token.IsIdentifier(name) || name != strings.ToLower(name) || name == "main" || token.Lookup(name).IsKeyword() {
		return fmt.Errorf("package_dir %q: its last element %q becomes the package name, so it must be a lower-case Go identifier (not main or a keyword)", dir, name)
	}
	return nil
}

// ValidateBackend checks backend against the backends this version emits.
// Names are exact (lower case); the common aliases get a hint.
func ValidateBackend(b string) error {
	backends := Backends()
	if slices.Contains(backends, b) {
		return nil
	}
	hint := ""
	switch strings.ToLower(strings.TrimSpace(b)) {
	case "postgresql", "pg", "pgx", "postgres":
		hint = ` (did you mean "postgres"?)`
	case "mongodb", "mongo", "ferretdb":
		hint = ` (did you mean "mongo"?)`
	case "sqlite3", "sqlite":
		hint = ` (did you mean "sqlite"?)`
	}
	return fmt.Errorf("backend %q: choose one of %s%s", b, strings.Join(backends, ", "), hint)
}

// New validates the answers and derives the spec.
func New(a Answers, starter bool, version string) (*Spec, error) {
	a.BaseURL = strings.TrimRight(a.BaseURL, "/")
	if err := a.Validate(); err != nil {
		return nil, err
	}
	// Empty is console (ValidateEmailBackend); spelled out, it is what
	// regstack.toml and the answers file show.
	if a.Features.EmailBackend == "" {
		a.Features.EmailBackend = "console"
	}
	// An answer that was not asked is its default, so two specs with the
	// same features are the same spec.
	for _, q := range Questions() {
		if !q.Asked(&a) {
			if err := q.Set(&a, q.Default.Starter); err != nil {
				return nil, fmt.Errorf("%s: %w", q.Key, err)
			}
		}
	}
	return &Spec{
		Answers:       a,
		PackageImport: a.Module + "/" + a.PackageDir,
		PackageName:   path.Base(a.PackageDir),
		Starter:       starter,
		Version:       version,
	}, nil
}

// Has reports whether the condition named by a blueprint holds for the spec.
// Conditions are the names Conditions lists (from the answers table), each
// possibly prefixed with "!" to negate it, and alternatives joined by "|"
// hold when any of them does; any other name is an error.
func (s *Spec) Has(cond string) (bool, error) {
	if alts := strings.Split(cond, "|"); len(alts) > 1 {
		// Alternatives: a file several features need, such as a helper
		// both the SMS and the SES settings use.
		for _, alt := range alts {
			ok, err := s.Has(alt)
			if ok || err != nil {
				return ok, err
			}
		}
		return false, nil
	}
	if neg, ok := strings.CutPrefix(cond, "!"); ok {
		v, err := s.condition(neg)
		return !v, err
	}
	return s.condition(cond)
}
