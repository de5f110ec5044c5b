package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The answers-file keys of the questions (dotted paths, as --set takes them).
// Code that treats one answer specially names it by these.
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
	KeyPages               = "features.pages"
	KeyEmailBackend        = "features.email_backend"
	KeySMS                 = "features.sms"
	KeySMSBackend          = "features.sms_backend"
	KeyGoogle              = "features.google"
)

// CondStarter is the blueprint condition that holds for a fresh folder,
// where the host gets a runnable starter of its own. It is the one
// condition no question drives: the host folder decides it.
const CondStarter = "starter"

// Kind is the type of an answer: how the interview asks it, how a flag
// spells it and how an answers file or --set gives it.
type Kind int

const (
	// Text is a free-form string checked by the question's Validate.
	Text Kind = iota
	// Select is one of Options.
	Select
	// Bool is a yes/no answer; a feature switch is one.
	Bool
)

// Option is one choice of a Select question.
type Option struct {
	// Value is what the answers file and the flag hold, and what the
	// blueprint condition "<Condition>:<Value>" tests.
	Value string
	// Description is shown beside the value in the interview.
	Description string
}

// Default is the value a question proposes, spelled as on the command line
// ("true", "sqlite"), for each kind of host: a fresh folder that gets a
// starter, and an existing module the account system is added to. A feature
// a starter wants for a demo but an existing site would rather opt into
// (pages, say) differs between the two.
type Default struct {
	Starter, Existing string
}

// Same is a Default that does not depend on the host.
func Same(v string) Default { return Default{Starter: v, Existing: v} }

// Question is one row of the answers table: everything the interview, the
// flags of gen and init, the answers file, --set on upgrade and the
// catalog's `when` vocabulary know about one answer. Adding an answer is
// adding a row here and its field to Answers; nothing else lists them.
type Question struct {
	// Key is the answers-file key and the --set key: a dotted path of the
	// TOML tags of Answers ("features.admin").
	Key string
	// Flag is the gen and init flag, without dashes.
	Flag string
	// Title and Description are the interview prompt and the line under it.
	Title, Description string
	// Help is the flag's usage line in --help.
	Help string
	Kind Kind
	// Options are the choices of a Select question, in the order the
	// interview offers them.
	Options []Option
	Default Default
	// Validate checks a Text or Select answer; the error names the key and
	// says what is accepted. Nil for Bool.
	Validate func(string) error
	// Text returns the field a Text or Select answer lives in; Bool the
	// field of a Bool answer. Exactly one is set, matching Kind.
	Text func(*Answers) *string
	Bool func(*Answers) *bool
	// StarterOnly questions are asked only for a fresh folder: in an
	// existing module the host already answers them (the module path comes
	// from go.mod).
	StarterOnly bool
	// Fixed, when set, says why --set cannot change the answer on upgrade.
	Fixed string
	// Condition is the blueprint condition the answer drives, empty for
	// none. A Bool answer drives the condition of that name (true when the
	// answer is); a Select answer drives "<Condition>:<value>" for each of
	// its options.
	Condition string
	// When, if set, is the condition (of another answer) under which the
	// question is asked at all: the SMS provider only matters with SMS.
	// Otherwise the answer keeps its default and every condition it drives
	// is false.
	When string
}

// Questions returns the answers table in the order the interview asks and
// the answers file lists them. It is built on each call so nobody can
// change it for everyone else.
//
// A new answer is one row (and its Answers field): a feature such as pages,
// SMS or Google sign-in is a Bool row whose Condition gates its blueprints;
// a backend choice such as the email or SMS sender is a Select row whose
// "<condition>:<option>" conditions decide which optional senders (SES,
// SNS) are compiled in, the always-present ones (console and SMTP, console
// and Twilio) being chosen at run time; a Default that differs between a
// starter and an existing module says so in the row.
func Questions() []Question {
	// Each backend is a blueprint layer (blueprints/_<name>) holding that
	// database's store implementation; the generated package gets exactly
	// one.
	backends := []Option{
		// modernc.org/sqlite, pure Go; one process per database file.
		{"sqlite", "SQLite file, no server; one app process"},
		// pgx/v5 (pgxpool), sqlc queries, goose migrations.
		{"postgres", "PostgreSQL (postgres:// URL); replicas share it"},
		// The official mongo-driver/v2, versioned index steps.
		{"mongo", "MongoDB (mongodb:// URL); replicas share it"},
	}
	backendNames := make([]string, len(backends))
	for i, o := range backends {
		backendNames[i] = o.Value
	}
	return []Question{
		{
			Key: KeyAppName, Flag: "app-name", Kind: Text,
			Title: "Application name", Description: "Shown in emails and pages.",
			Help:     "application name shown in emails and pages",
			Default:  Same("Demo"),
			Validate: ValidateAppName,
			Text:     func(a *Answers) *string { return &a.AppName },
		},
		{
			Key: KeyModule, Flag: "module", Kind: Text,
			Title: "Go module path", Description: "For the new go.mod, e.g. github.com/you/app.",
			Help:        "Go module path of a fresh host (an existing go.mod decides otherwise)",
			Default:     Same("example.com/demo"),
			Validate:    ValidateModule,
			Text:        func(a *Answers) *string { return &a.Module },
			StarterOnly: true,
			Fixed:       "the module path comes from go.mod",
		},
		{
			Key: KeyBaseURL, Flag: "base-url", Kind: Text,
			Title: "Public base URL", Description: "Where users reach the site; emailed links start with it.",
			Help:     "public base URL of the site; emailed links start with it",
			Default:  Same("http://127.0.0.1:8000"),
			Validate: ValidateBaseURL,
			Text:     func(a *Answers) *string { return &a.BaseURL },
		},
		{
			Key: KeyPackageDir, Flag: "package", Kind: Text,
			Title: "Package folder", Description: "Where the generated package goes, inside the module.",
			Help:     "folder of the generated package, relative to the module root",
			Default:  Same("internal/auth"),
			Validate: ValidatePackageDir,
			Text:     func(a *Answers) *string { return &a.PackageDir },
			Fixed:    "moving the generated package is not an upgrade; move it with your editor or regenerate into a fresh folder",
		},
		{
			Key: KeyBackend, Flag: "backend", Kind: Select,
			Title: "Database backend", Description: "Where accounts and sessions live; database_url in regstack.toml points at it.",
			Help:      "database backend: " + strings.Join(backendNames, ", ") + " (postgres and mongo need a server; see docs/backends.md)",
			Options:   backends,
			Default:   Same("sqlite"),
			Validate:  ValidateBackend,
			Text:      func(a *Answers) *string { return &a.Backend },
			Condition: "backend",
		},
		{
			Key: KeyRequireVerification, Flag: "require-verification", Kind: Bool,
			Title: "Require email verification before login?", Description: "New accounts must follow an emailed link first.",
			Help:      "require email verification before login",
			Default:   Same("true"),
			Bool:      func(a *Answers) *bool { return &a.Features.RequireVerification },
			Condition: "require_verification",
		},
		{
			Key: KeyPasswordReset, Flag: "password-reset", Kind: Bool,
			Title: "Include password reset?", Description: "Forgot-password email and reset flow.",
			Help:      "include forgot/reset password",
			Default:   Same("true"),
			Bool:      func(a *Answers) *bool { return &a.Features.PasswordReset },
			Condition: "password_reset",
		},
		{
			Key: KeyAccountDeletion, Flag: "account-deletion", Kind: Bool,
			Title: "Include account deletion?", Description: "Users can delete their own account.",
			Help:      "include account deletion",
			Default:   Same("true"),
			Bool:      func(a *Answers) *bool { return &a.Features.AccountDeletion },
			Condition: "account_deletion",
		},
		{
			Key: KeyAdmin, Flag: "admin", Kind: Bool,
			Title: "Include the admin API?", Description: "Operators list, inspect, disable and delete users.",
			Help:      "include the admin API",
			Default:   Same("true"),
			Bool:      func(a *Answers) *bool { return &a.Features.Admin },
			Condition: "admin",
		},
		{
			// A starter gets the pages so it can be tried in a browser at
			// once; an existing site usually has pages of its own, so it
			// opts in.
			Key: KeyPages, Flag: "pages", Kind: Bool,
			Title: "Include sign-in and account pages?", Description: "Server-rendered pages under /account (sign in, register, account), no JavaScript needed, themed with CSS.",
			Help:      "include the sign-in and account pages (HTML, cookie session, theme CSS)",
			Default:   Default{Starter: "true", Existing: "false"},
			Bool:      func(a *Answers) *bool { return &a.Features.Pages },
			Condition: "pages",
		},
		{
			// Console and SMTP need nothing beyond the standard library and
			// are always built in; [email] backend picks one at run time.
			// Only SES brings a module (the AWS SDK), so only it changes
			// what is generated. Console is the default everywhere: a host
			// starts and shows its links without any mail setup, and
			// regstack.toml says how to switch.
			Key: KeyEmailBackend, Flag: "email-backend", Kind: Select,
			Title: "Email sender", Description: "What [email] backend in regstack.toml starts as; console and smtp are always built in, ses adds the Amazon SES sender.",
			Help: "email sender regstack.toml starts with: console (logs mail, development), smtp, or ses (adds the Amazon SES sender and the AWS SDK)",
			Options: []Option{
				{"console", "Log mail and its links instead of sending (development)"},
				{"smtp", "An SMTP server (submission port, STARTTLS)"},
				{"ses", "Amazon SES, through the AWS SDK for Go v2"},
			},
			Default:   Same("console"),
			Validate:  ValidateEmailBackend,
			Text:      func(a *Answers) *string { return &a.Features.EmailBackend },
			Condition: "email_backend",
		},
		{
			Key: KeySMS, Flag: "sms", Kind: Bool,
			Title: "Include an SMS second factor?", Description: "Users may add a phone number; signing in then also asks for a code sent by SMS.",
			Help:      "include the SMS second factor (phone enrolment, sign-in codes; Twilio and console senders)",
			Default:   Same("false"),
			Bool:      func(a *Answers) *bool { return &a.Features.SMS },
			Condition: "sms",
		},
		{
			// Twilio is spoken over plain HTTP and always built in with SMS,
			// as are the console and null senders; only SNS brings a module
			// (the AWS SDK), so only it is a generation-time choice.
			Key: KeySMSBackend, Flag: "sms-backend", Kind: Select,
			Title: "SMS provider", Description: "Which provider sends the codes in production; [sms] backend in regstack.toml chooses at run time.",
			Help: "SMS provider with --sms: twilio (plain HTTP) or sns (adds the AWS SDK)",
			Options: []Option{
				{"twilio", "Twilio Messages API, no SDK"},
				{"sns", "Amazon SNS, through the AWS SDK for Go v2"},
			},
			Default:   Same("twilio"),
			Validate:  ValidateSMSBackend,
			Text:      func(a *Answers) *string { return &a.Features.SMSBackend },
			Condition: "sms_backend",
			When:      "sms",
		},
		{
			// Off by default: it needs a client registered with Google
			// (regstack oauth setup walks through it) and brings go-oidc.
			Key: KeyGoogle, Flag: "google", Kind: Bool,
			Title: "Include Sign in with Google?", Description: "Users may sign in or register with a Google account and link one to their account (OpenID Connect).",
			Help:      "include Sign in with Google (OpenID Connect with PKCE; account linking)",
			Default:   Same("false"),
			Bool:      func(a *Answers) *bool { return &a.Features.Google },
			Condition: "google",
		},
	}
}

// ValidateEmailBackend checks email_backend. Empty is console: Features'
// zero value is the host with nothing optional, and answers written in Go
// (tests, tools) need not spell out the sender to mean that.
func ValidateEmailBackend(b string) error {
	switch b {
	case "", "console", "smtp", "ses":
		return nil
	}
	return fmt.Errorf("email_backend %q: choose console, smtp or ses", b)
}

// ValidateSMSBackend checks sms_backend.
func ValidateSMSBackend(b string) error {
	if b == "twilio" || b == "sns" {
		return nil
	}
	return fmt.Errorf("sms_backend %q: choose twilio or sns", b)
}

// QuestionByKey returns the row of an answers-file key.
func QuestionByKey(key string) (Question, bool) {
	for _, q := range Questions() {
		if q.Key == key {
			return q, true
		}
	}
	return Question{}, false
}

// Keys lists the answers-file keys in table order.
func Keys() []string {
	qs := Questions()
	keys := make([]string, len(qs))
	for i, q := range qs {
		keys[i] = q.Key
	}
	return keys
}

// Get returns the answer of q in a, spelled as on the command line.
func (q Question) Get(a *Answers) string {
	if q.Kind == Bool {
		return strconv.FormatBool(*q.Bool(a))
	}
	return *q.Text(a)
}

// Set parses v as the command line spells it and stores it in a. A Bool
// takes what strconv.ParseBool accepts; Text and Select are stored as given
// and checked by Check (or Validate on the whole answers).
func (q Question) Set(a *Answers, v string) error {
	if q.Kind == Bool {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*q.Bool(a) = b
		return nil
	}
	*q.Text(a) = v
	return nil
}

// Copy sets the answer of q in dst to its value in src.
func (q Question) Copy(dst, src *Answers) {
	if q.Kind == Bool {
		*q.Bool(dst) = *q.Bool(src)
		return
	}
	*q.Text(dst) = *q.Text(src)
}

// Check validates the answer of q in a; Bool answers are always valid.
func (q Question) Check(a *Answers) error {
	if q.Validate == nil {
		return nil
	}
	return q.Validate(*q.Text(a))
}

// Asked reports whether q is asked given the answers in a: always, unless
// its When names a condition of another answer that does not hold.
func (q Question) Asked(a *Answers) bool {
	if q.When == "" {
		return true
	}
	ok, err := (&Spec{Answers: *a}).condition(q.When)
	return ok && err == nil
}

// Values lists the option values of a Select question.
func (q Question) Values() []string {
	out := make([]string, len(q.Options))
	for i, o := range q.Options {
		out[i] = o.Value
	}
	return out
}

// DefaultsFor returns the answers a run proposes (and --yes takes) for a
// fresh folder (starter) or an existing module.
func DefaultsFor(starter bool) Answers {
	var a Answers
	for _, q := range Questions() {
		v := q.Default.Existing
		if starter {
			v = q.Default.Starter
		}
		if err := q.Set(&a, v); err != nil {
			// The table is constant and TestQuestionsTable parses every
			// default, so this is a programming error.
			panic(fmt.Sprintf("spec: default of %s: %v", q.Key, err))
		}
	}
	return a
}

// Backends lists the backends this version emits, in the order the
// interview offers them: the options of the backend question.
func Backends() []string {
	q, _ := QuestionByKey(KeyBackend)
	return q.Values()
}

// Conditions is the vocabulary of blueprint conditions: "starter", each
// Bool answer's condition and "<condition>:<option>" for each Select
// answer's options. A catalog may also negate any of them with a leading
// "!"; blueprint.Load refuses any other name.
func Conditions() []string {
	out := []string{CondStarter}
	for _, q := range Questions() {
		switch {
		case q.Condition == "":
		case q.Kind == Bool:
			out = append(out, q.Condition)
		case q.Kind == Select:
			for _, v := range q.Values() {
				out = append(out, q.Condition+":"+v)
			}
		}
	}
	return out
}

// condition decides one positive condition (no "!") from the table.
func (s *Spec) condition(cond string) (bool, error) {
	if cond == CondStarter {
		return s.Starter, nil
	}
	name, value, isSelect := strings.Cut(cond, ":")
	for _, q := range Questions() {
		if q.Condition != name {
			continue
		}
		switch {
		case q.Kind == Bool && !isSelect:
			return *q.Bool(&s.Answers), nil
		case q.Kind == Select && isSelect && slices.Contains(q.Values(), value):
			return q.Asked(&s.Answers) && *q.Text(&s.Answers) == value, nil
		}
	}
	return false, fmt.Errorf("unknown blueprint condition %q (known: %s; ! negates)", cond, strings.Join(Conditions(), ", "))
}
