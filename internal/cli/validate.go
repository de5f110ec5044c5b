package cli

import (
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/regstack/regstack/internal/validate"
)

type validateOptions struct {
	url         string
	apiPrefix   string
	uiPrefix    string
	emailDomain string
	probePhone  string
	logSource   string
	json        bool
	timeout     time.Duration
	insecure    bool
}

func newValidateCmd() *cobra.Command {
	o := &validateOptions{}
	cmd := &cobra.Command{
		Use:   "validate --url URL",
		Short: "Probe a running deployment end to end over HTTP",
		Long: `validate probes a running deployment the way its clients use it, over HTTP
only, and prints one line per check (✔ pass, ✘ fail, ⚠ warn, - skipped,
each with why) and a summary. It exits with the number of failed checks.

  reachability   POST {api-prefix}/login without credentials answers a 4xx
                 (a wrong --url or --api-prefix answers 404 or nothing)
  health, ready  GET {api-prefix}/health and /health/ready answer 200
  openapi        GET {api-prefix}/openapi.json parses, and every operation it
                 lists is served (probed without a token or with a body that
                 is not a JSON object, so nothing changes: 401 or 422, never
                 404 or 405)
  headers        Cache-Control: no-store and X-Content-Type-Options: nosniff
                 on API answers; a Content-Security-Policy on
                 {ui-prefix}/login when it answers 200; over https,
                 Strict-Transport-Security (a warning when missing: it is
                 set where TLS ends)

Then, with a throw-away account probe-<random>@<probe-email-domain>:
register, verify, login, me, logout_revokes (the token is refused after
logout), update_me, change_password_revokes (the old token is refused),
password_reset, change_email, and delete, which runs last whatever failed
before, so the probe leaves no account behind.

When the deployment has the SMS second factor (/phone routes), before
delete: sms_enrol (the account enrols --probe-phone with the texted code),
sms_login (a sign-in answers mfa_required, and the texted code completes
it) and sms_disable (DELETE /phone switches the codes off again).

verify, password_reset and change_email need the tokens of the mails the app
sends, and the SMS steps the texted codes. They are read from --log-source,
the log of an app whose email.backend (and sms.backend) is "console" (it
logs each mail's recipient and links, each text message's recipient and
body):
  file:PATH      the app's log file, followed from its current end
  cmd:COMMAND    a shell command that prints the log, run again while
                 waiting, such as 'cmd:docker logs app 2>&1'
Without it those steps are skipped; when the deployment requires
verification, so is everything after register.

Tokens, codes and passwords are never printed.`,
		Example: `  regstack validate --url https://app.example.com
  regstack validate --url http://127.0.0.1:8000 --log-source file:app.log
  regstack validate --url https://staging.example.com --log-source 'cmd:docker logs app 2>&1' --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	f.StringVar(&o.url, "url", "", "base `URL` of the running deployment (required)")
	f.StringVar(&o.apiPrefix, "api-prefix", "/api/auth", "`path` of the JSON API (the app's api_prefix)")
	f.StringVar(&o.uiPrefix, "ui-prefix", "/account", "`path` of the pages (the app's ui_prefix); empty when it serves none")
	f.StringVar(&o.emailDomain, "probe-email-domain", "regstack-probe.example", "`domain` of the throw-away account's address")
	f.StringVar(&o.probePhone, "probe-phone", "+14155550100", "`number` (E.164) the throw-away account enrols for SMS codes; empty skips the SMS steps")
	f.StringVar(&o.logSource, "log-source", "", "where the mailed tokens and texted codes are read: file:PATH (the app's log file) or cmd:COMMAND (prints the log)")
	f.BoolVar(&o.json, "json", false, "print the report as JSON")
	f.DurationVar(&o.timeout, "timeout", 30*time.Second, "how long one request may take (a mailed token or texted code is awaited for at most 10s)")
	f.BoolVar(&o.insecure, "insecure", false, "accept any TLS certificate (self-signed test deployments)")
	return cmd
}

// domainPattern is a DNS name with at least two labels.
var domainPattern = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// e164Pattern is the shape the generated app requires of a phone number
// before it asks libphonenumber whether the number exists.
var e164Pattern = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

func (o *validateOptions) options() (validate.Options, error) {
	if o.url == "" {
		return validate.Options{}, fmt.Errorf("--url is required")
	}
	if err := validate.CheckURL(o.url); err != nil {
		return validate.Options{}, fmt.Errorf("--url %q: %v", o.url, err)
	}
	api, err := prefixFlag("--api-prefix", o.apiPrefix, false)
	if err != nil {
		return validate.Options{}, err
	}
	ui, err := prefixFlag("--ui-prefix", o.uiPrefix, true)
	if err != nil {
		return validate.Options{}, err
	}
	if !domainPattern.MatchString(o.emailDomain) {
		return validate.Options{}, fmt.Errorf("--probe-email-domain %q: want a domain such as regstack-probe.example", o.emailDomain)
	}
	if o.probePhone != "" && !e164Pattern.MatchString(o.probePhone) {
		return validate.Options{}, fmt.Errorf("--probe-phone %q: want an E.164 number such as +14155550100, or \"\" to skip the SMS steps", o.probePhone)
	}
	if o.timeout <= 0 {
		return validate.Options{}, fmt.Errorf("--timeout %s: must be positive", o.timeout)
	}
	opts := validate.Options{
		URL:              strings.TrimRight(o.url, "/"),
		APIPrefix:        api,
		UIPrefix:         ui,
		ProbeEmailDomain: strings.ToLower(o.emailDomain),
		ProbePhone:       o.probePhone,
		Timeout:          o.timeout,
		Insecure:         o.insecure,
	}
	if o.logSource != "" {
		if opts.Logs, err = validate.ParseLogSource(o.logSource, o.timeout); err != nil {
			return validate.Options{}, err
		}
	}
	return opts, nil
}

// prefixFlag normalises a path prefix flag: it starts with / and has no
// trailing slash; "" (or "/") is allowed only when emptyOK.
func prefixFlag(name, v string, emptyOK bool) (string, error) {
	p := strings.TrimRight(v, "/")
	if p == "" {
		if emptyOK {
			return "", nil
		}
		return "", fmt.Errorf("%s must not be empty", name)
	}
	if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, "?# ") {
		return "", fmt.Errorf("%s %q: want a path such as /api/auth", name, v)
	}
	return p, nil
}

func (o *validateOptions) run(cmd *cobra.Command) error {
	opts, err := o.options()
	if err != nil {
		return usageError(err)
	}
	// Ctrl-C stops the probe between requests; it then still deletes its
	// throw-away account before exiting.
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	report := validate.Run(ctx, opts)
	out := cmd.OutOrStdout()
	if o.json {
		err = report.WriteJSON(out)
	} else {
		err = report.WriteText(out)
	}
	if err != nil {
		return err
	}
	if n := report.Count(validate.Fail); n > 0 {
		return &exitErr{code: min(n, 125), err: fmt.Errorf("%d check(s) failed", n), noHint: true}
	}
	return nil
}
