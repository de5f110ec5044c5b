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
	"strings"

	"golang.org/x/mod/module"
)

// Backends the generator can emit. Only SQLite is offered until the
// PostgreSQL and MongoDB blueprints land.
var Backends = []string{"sqlite"}

// Answers are what the interview asks, what the flags set and what
// .regstack/answers.toml replays. Field names are the TOML keys.
type Answers struct {
	AppName    string   `toml:"app_name"`
	Module     string   `toml:"module"`
	BaseURL    string   `toml:"base_url"`
	PackageDir string   `toml:"package_dir"`
	Backend    string   `toml:"backend"`
	Features   Features `toml:"features"`
}

// Features are the optional flows. The zero value is "everything off"; see
// Defaults for what the interview proposes.
type Features struct {
	// RequireVerification makes registration create a pending row that
	// becomes a user only when the emailed link is followed. It is the
	// generated default of require_verification in regstack.toml; the runtime
	// setting still wins.
	RequireVerification bool `toml:"require_verification"`
	PasswordReset       bool `toml:"password_reset"`
	AccountDeletion     bool `toml:"account_deletion"`
}

// Defaults returns the answers --yes takes.
func Defaults() Answers {
	return Answers{
		AppName:    "Demo",
		Module:     "example.com/demo",
		BaseURL:    "http://127.0.0.1:8000",
		PackageDir: "internal/auth",
		Backend:    "sqlite",
		Features: Features{
			RequireVerification: true,
			PasswordReset:       true,
			AccountDeletion:     true,
		},
	}
}

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
func (a Answers) Validate() error {
	var errs []error
	if strings.TrimSpace(a.AppName) == "" {
		errs = append(errs, errors.New("app_name: must not be empty"))
	} else if strings.ContainsAny(a.AppName, "\"\\\n\r\t`") || len(a.AppName) > 80 {
		errs = append(errs, fmt.Errorf("app_name %q: use at most 80 characters without quotes, backslashes, backquotes or control characters", a.AppName))
	}
	if err := module.CheckPath(a.Module); err != nil {
		errs = append(errs, fmt.Errorf("module %q: not a valid Go module path (%v)", a.Module, err))
	}
	if u, err := url.Parse(a.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		errs = append(errs, fmt.Errorf("base_url %q: want an absolute http:// or https:// URL without query or fragment", a.BaseURL))
	}
	if err := checkPackageDir(a.PackageDir); err != nil {
		errs = append(errs, err)
	}
	if !contains(Backends, a.Backend) {
		errs = append(errs, fmt.Errorf("backend %q: choose one of %s", a.Backend, strings.Join(Backends, ", ")))
	}
	return errors.Join(errs...)
}

func checkPackageDir(dir string) error {
	if dir == "" || path.IsAbs(dir) || strings.Contains(dir, "\\") || path.Clean(dir) != dir || dir == "." || strings.HasPrefix(dir, "..") {
		return fmt.Errorf("package_dir %q: want a relative slash-separated folder inside the module, such as internal/auth", dir)
	}
	for _, elem := range strings.Split(dir, "/") {
		if elem == "testdata" || strings.HasPrefix(elem, ".") || strings.HasPrefix(elem, "_") {
			return fmt.Errorf("package_dir %q: the go command ignores folders named testdata or starting with . or _", dir)
		}
	}
	name := path.Base(dir)
	if !token.IsIdentifier(name) || name != strings.ToLower(name) || name == "main" || token.Lookup(name).IsKeyword() {
		return fmt.Errorf("package_dir %q: its last element %q becomes the package name, so it must be a lower-case Go identifier (not main or a keyword)", dir, name)
	}
	return nil
}

// New validates the answers and derives the spec.
func New(a Answers, starter bool, version string) (*Spec, error) {
	a.BaseURL = strings.TrimRight(a.BaseURL, "/")
	if err := a.Validate(); err != nil {
		return nil, err
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
// Conditions are feature names, "starter", "backend:<name>", or any of those
// prefixed with "!".
func (s *Spec) Has(cond string) (bool, error) {
	if neg, ok := strings.CutPrefix(cond, "!"); ok {
		v, err := s.Has(neg)
		return !v, err
	}
	if b, ok := strings.CutPrefix(cond, "backend:"); ok {
		return s.Backend == b, nil
	}
	switch cond {
	case "starter":
		return s.Starter, nil
	case "require_verification":
		return s.Features.RequireVerification, nil
	case "password_reset":
		return s.Features.PasswordReset, nil
	case "account_deletion":
		return s.Features.AccountDeletion, nil
	}
	return false, fmt.Errorf("unknown blueprint condition %q", cond)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
