package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/mail"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/charmbracelet/huh"
	"github.com/spf13/cobra"

	"github.com/regstack/regstack/internal/hostfiles"
	"github.com/regstack/regstack/internal/sessetup"
	"github.com/regstack/regstack/internal/spec"
)

// The environment names of the explicit SES keys in the secrets file (the
// config loader's REGSTACK_<TABLE>__<KEY> spelling of email.ses_access_key_id
// and email.ses_secret_access_key), and how long the checks may take.
const (
	envSESKeyID      = "REGSTACK_EMAIL__SES_ACCESS_KEY_ID"
	envSESSecretKey  = "REGSTACK_EMAIL__SES_SECRET_ACCESS_KEY"
	sesSetupDeadline = 2 * time.Minute
)

type sesSetupOptions struct {
	dir              string
	region           string
	profile          string
	accessKeyID      string
	secretFile       string
	fromAddress      string
	fromName         string
	configurationSet string
	endpoint         string
	sendTestTo       string
	dryRun           bool
	headless         bool
	json             bool
}

func newSESCmd() *cobra.Command {
	ses := &cobra.Command{
		Use:   "ses",
		Short: "Amazon SES (and SNS SMS) for the host's mail",
		Args:  cobra.NoArgs,
	}
	ses.AddCommand(newSESSetupCmd())
	return ses
}

func newSESSetupCmd() *cobra.Command {
	o := &sesSetupOptions{}
	cmd := &cobra.Command{
		Use:   "setup",
		Short: "Check an AWS account for sending the host's mail through SES, and configure it",
		Long: `ses setup checks that an AWS account can send the host's mail through
Amazon SES, prints one line per check (✔ pass, ✘ fail, ⚠ warn, - skipped)
with the fix, and then writes the settings into the host:

  [email] in regstack.toml     backend = "ses", ses_region, from_address,
                               and from_name, ses_profile and
                               ses_configuration_set when given; comments,
                               other keys and other tables are kept
  regstack.secrets.env (0600)  with explicit keys only:
                               REGSTACK_EMAIL__SES_ACCESS_KEY_ID and
                               REGSTACK_EMAIL__SES_SECRET_ACCESS_KEY

The checks:
  host_ses_sender      the host was generated with the SES sender
                       (features.email_backend = "ses")
  region               a region is configured
  credentials          they work (STS GetCallerIdentity)
  sender_identity      from_address, or its whole domain, is a verified
                       SES identity (GetEmailIdentity)
  dkim                 DKIM signing of that identity is verified
  production_access    the account is out of the SES sandbox (GetAccount);
                       in the sandbox it only sends to verified recipients,
                       200 messages a day (a warning)
  sending_enabled      sending is enabled and the account is healthy
  send_quota           the daily quota and what is left of it
  configuration_set    with --configuration-set: it exists
  send_test            with --send-test-to: SES accepts a real message
  sns_sms_sandbox      when the host sends SMS through SNS: the SMS sandbox
  sns_sms_spend_limit  ... and the monthly SMS spend limit

A call that the credentials may not make (or an emulator lacks) is a
warning, "could not check: ...". The settings are written whatever the
checks found, so fix the account and run it again; --dry-run writes
nothing and prints the diff instead. The exit status is the number of
failed checks (2 also for a usage error).

Without --headless, the answers not given as flags are asked in a form
(plain prompts when stdin is not a terminal), with the host's current
settings as defaults. Credentials come from the standard AWS chain unless
--profile or explicit keys are given.`,
		Example: `  regstack ses setup --region eu-west-1 --from-address noreply@example.com
  regstack ses setup --headless --region eu-west-1 --profile mail --dry-run
  regstack ses setup --headless --region eu-west-1 --access-key-id AKIA... --secret-access-key-file - < key.txt
  regstack ses setup --headless --send-test-to you@example.com --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd) },
	}
	f := cmd.Flags()
	f.StringVar(&o.dir, "dir", ".", "the host's `folder` (holds regstack.toml)")
	f.StringVar(&o.region, "region", "", "AWS `region` of SES (default: the host's ses_region, else the AWS configuration's)")
	f.StringVar(&o.profile, "profile", "", "AWS shared config `profile` for the credentials (written as ses_profile)")
	f.StringVar(&o.accessKeyID, "access-key-id", "", "explicit AWS access key `ID` (needs --secret-access-key-file)")
	f.StringVar(&o.secretFile, "secret-access-key-file", "", "`file` holding the secret access key, - for stdin (never a flag: it would show in ps and shell history)")
	f.StringVar(&o.fromAddress, "from-address", "", "sender `address` (default: the host's from_address)")
	f.StringVar(&o.fromName, "from-name", "", "sender display `name`")
	f.StringVar(&o.configurationSet, "configuration-set", "", "SES configuration set `name` to send with")
	f.StringVar(&o.endpoint, "endpoint", "", "`URL` replacing the AWS endpoints (an emulator such as moto; not written)")
	f.StringVar(&o.sendTestTo, "send-test-to", "", "send a real test message to this `address`")
	f.BoolVar(&o.dryRun, "dry-run", false, "write nothing; print the changes as diffs (secret values hidden)")
	f.BoolVar(&o.headless, "headless", false, "ask nothing: every answer comes from flags and the host's settings")
	f.BoolVar(&o.json, "json", false, "print the report and the changes as JSON")
	return cmd
}

// sesHost is what ses setup reads from the host folder.
type sesHost struct {
	dir        string
	config     []byte // regstack.toml
	secrets    []byte // regstack.secrets.env; nil when absent
	email      emailSettings
	answers    *spec.Answers // nil when .regstack/answers.toml is absent
	keyID      string        // explicit keys already in the secrets file
	secretKey  string
	secretMode fs.FileMode
}

// emailSettings are the [email] keys ses setup reads as defaults.
type emailSettings struct {
	FromAddress      string `toml:"from_address"`
	FromName         string `toml:"from_name"`
	Region           string `toml:"ses_region"`
	Profile          string `toml:"ses_profile"`
	AccessKeyID      string `toml:"ses_access_key_id"`
	ConfigurationSet string `toml:"ses_configuration_set"`
}

func readSESHost(dir string) (*sesHost, error) {
	h := &sesHost{dir: dir}
	var err error
	h.config, err = os.ReadFile(filepath.Join(dir, hostfiles.ConfigFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, usageError(fmt.Errorf("%s has no %s: run it in a host folder (made by regstack gen) or pass --dir", dir, hostfiles.ConfigFile))
	}
	if err != nil {
		return nil, err
	}
	var doc struct {
		Email emailSettings `toml:"email"`
	}
	if _, err := toml.Decode(string(h.config), &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", hostfiles.ConfigFile, err)
	}
	h.email = doc.Email

	h.secrets, err = os.ReadFile(filepath.Join(dir, hostfiles.SecretsFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	// The key ID may also be in regstack.toml, where the config allows it;
	// ses setup keeps the pair together in the secrets file.
	h.keyID, _ = hostfiles.LookupEnv(h.secrets, envSESKeyID)
	h.keyID = first(h.keyID, h.email.AccessKeyID)
	h.secretKey, _ = hostfiles.LookupEnv(h.secrets, envSESSecretKey)

	data, err := os.ReadFile(filepath.Join(dir, spec.AnswersFile))
	switch {
	case err == nil:
		a, err := spec.DecodeAnswers(data, spec.Answers{})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", spec.AnswersFile, err)
		}
		h.answers = &a
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	return h, nil
}

// smsOverSNS reports whether the host was generated with SMS sent
// through SNS, which adds the SNS checks.
func (h *sesHost) smsOverSNS() bool {
	return h.answers != nil && h.answers.Features.SMS && h.answers.Features.SMSBackend == "sns"
}

// generatedEmailBackend is the email backend answer, "" when unknown.
func (h *sesHost) generatedEmailBackend() string {
	if h.answers == nil {
		return ""
	}
	if b := h.answers.Features.EmailBackend; b != "" {
		return b
	}
	return "console" // an empty answer means console
}

// Credential sources of the form.
const (
	credChain    = "chain"
	credProfile  = "profile"
	credExplicit = "explicit"
)

// sesAnswers are the resolved settings: flags, then the form, then the
// host's current settings.
type sesAnswers struct {
	region, fromAddress, fromName, configurationSet, sendTestTo string
	source                                                      string // credChain, credProfile or credExplicit
	profile, keyID, secretKey                                   string
	// explicitSource is set when the operator chose the credential source
	// (a flag or the form), so the settings of the other sources are
	// removed from the host.
	explicitSource bool
}

func (o *sesSetupOptions) run(cmd *cobra.Command) error {
	flags := cmd.Flags()
	if (o.accessKeyID == "") != (o.secretFile == "") {
		return usageError(errors.New("--access-key-id and --secret-access-key-file go together"))
	}
	if o.profile != "" && o.accessKeyID != "" {
		return usageError(errors.New("--profile and --access-key-id exclude each other: the app uses one or the other"))
	}
	for _, f := range []struct{ name, addr string }{{"--from-address", o.fromAddress}, {"--send-test-to", o.sendTestTo}} {
		if err := checkAddress(f.addr); f.addr != "" && err != nil {
			return usageError(fmt.Errorf("%s: %v", f.name, err))
		}
	}
	h, err := readSESHost(o.dir)
	if err != nil {
		return err
	}

	a := sesAnswers{
		region: first(o.region, h.email.Region), fromAddress: first(o.fromAddress, h.email.FromAddress),
		fromName: first(o.fromName, h.email.FromName), configurationSet: first(o.configurationSet, h.email.ConfigurationSet),
		sendTestTo: o.sendTestTo,
	}
	switch {
	case o.accessKeyID != "":
		a.source, a.keyID, a.explicitSource = credExplicit, o.accessKeyID, true
		if a.secretKey, err = readSecret(o.secretFile, cmd.InOrStdin()); err != nil {
			return usageError(fmt.Errorf("--secret-access-key-file: %w", err))
		}
	case o.profile != "":
		a.source, a.profile, a.explicitSource = credProfile, o.profile, true
	case h.keyID != "" && h.secretKey != "":
		a.source, a.keyID, a.secretKey = credExplicit, h.keyID, h.secretKey
	case h.email.Profile != "":
		a.source, a.profile = credProfile, h.email.Profile
	default:
		a.source = credChain
	}

	// The secret on stdin used up stdin: there is nothing left to ask with.
	if !o.headless && o.secretFile != "-" {
		in := cmd.InOrStdin()
		if err := askSES(&a, flags.Changed, in, cmd.ErrOrStderr(), !isTerminal(in)); err != nil {
			return err
		}
	}

	// A host file the editor cannot change safely is reported before the
	// checks spend time on AWS.
	if _, err := h.plan(a); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, sesSetupDeadline)
	defer cancel()
	creds := sessetup.AWS{Region: a.region, Endpoint: o.endpoint}
	switch a.source {
	case credProfile:
		creds.Profile = a.profile
	case credExplicit:
		creds.AccessKeyID, creds.SecretAccessKey = a.keyID, a.secretKey
	}
	report := sessetup.Run(ctx, creds, sessetup.Options{
		FromAddress: a.fromAddress, FromName: a.fromName, ConfigurationSet: a.configurationSet,
		SendTestTo: a.sendTestTo, SMS: h.smsOverSNS(), GeneratedEmailBackend: h.generatedEmailBackend(),
	})
	if a.region == "" {
		a.region = report.Region // pin what the AWS configuration resolved
	}

	changes, err := h.plan(a)
	if err != nil {
		return err
	}
	if !o.dryRun {
		if err := changes.write(h.dir); err != nil {
			return err
		}
	}
	out := cmd.OutOrStdout()
	if o.json {
		err = writeSESJSON(out, report, changes, h.dir, o.dryRun)
	} else {
		err = writeSESText(out, report, changes, o.dryRun)
	}
	if err != nil {
		return err
	}
	if n := report.Count(sessetup.Fail); n > 0 {
		return &exitErr{code: min(n, 125), err: fmt.Errorf("%d check(s) failed", n), noHint: true}
	}
	return nil
}

func first(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// checkAddress accepts a bare address, as SES and the config want it.
func checkAddress(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return fmt.Errorf("%q: want a bare address such as noreply@example.com", s)
	}
	return nil
}

// readSecret reads the secret access key from a file or, for "-", from
// the first line of stdin.
func readSecret(name string, stdin io.Reader) (string, error) {
	var data []byte
	var err error
	if name == "-" {
		line, rerr := bufio.NewReader(stdin).ReadString('\n')
		data, err = []byte(line), rerr
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
		return "", errors.New("want the secret access key alone on one line")
	}
	return s, nil
}

// askSES asks, in huh forms, the answers no flag gave. The credential
// source comes first because it decides what the second form asks.
func askSES(a *sesAnswers, given func(string) bool, in io.Reader, out io.Writer, accessible bool) error {
	defer func() {
		for _, p := range []*string{&a.region, &a.fromAddress, &a.fromName, &a.configurationSet, &a.sendTestTo, &a.profile, &a.keyID, &a.secretKey} {
			*p = strings.TrimSpace(*p)
		}
	}()
	var fields []huh.Field
	if !given("region") {
		fields = append(fields, huh.NewInput().Title("AWS region of SES").
			Description("Where your SES identities are verified, such as eu-west-1. Empty: the AWS configuration's.").Value(&a.region))
	}
	if !given("from-address") {
		fields = append(fields, huh.NewInput().Title("Sender address").
			Description("email.from_address: an address at a domain you verify in SES.").Value(&a.fromAddress).
			Validate(keepDefault(checkAddress, a.fromAddress, accessible)))
	}
	if !given("from-name") {
		fields = append(fields, huh.NewInput().Title("Sender name").Description("Empty: the app name.").Value(&a.fromName))
	}
	if !given("profile") && !given("access-key-id") {
		fields = append(fields, huh.NewSelect[string]().Title("Credentials").Options(
			huh.NewOption("the standard AWS chain (environment, instance role)", credChain),
			huh.NewOption("a named profile of ~/.aws/config", credProfile),
			huh.NewOption("an access key in regstack.secrets.env", credExplicit),
		).Value(&a.source))
	}
	if !given("configuration-set") {
		fields = append(fields, huh.NewInput().Title("Configuration set").Description("Optional SES configuration set for event tracking.").Value(&a.configurationSet))
	}
	if !given("send-test-to") {
		fields = append(fields, huh.NewInput().Title("Send a test message to").
			Description("Optional; in the SES sandbox it must be a verified address.").Value(&a.sendTestTo).
			Validate(func(s string) error {
				if s = strings.TrimSpace(s); s == "" {
					return nil
				}
				return checkAddress(s)
			}))
	}
	before := a.source
	if err := runSESForm(fields, in, out, accessible); err != nil {
		return err
	}
	if given("profile") || given("access-key-id") {
		return nil
	}
	if a.source != before {
		a.explicitSource = true
	}
	required := func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New("required")
		}
		return nil
	}
	var err error
	switch a.source {
	case credProfile:
		a.explicitSource = true
		err = runSESForm([]huh.Field{huh.NewInput().Title("Profile name").Value(&a.profile).
			Validate(keepDefault(required, a.profile, accessible))}, in, out, accessible)
	case credExplicit:
		a.explicitSource = true
		secret := huh.NewInput().Title("Secret access key").Value(&a.secretKey).
			Validate(keepDefault(required, a.secretKey, accessible))
		if !accessible {
			// huh's accessible password prompt reads a terminal only and
			// gives up silently on a pipe, which echoes nothing anyway.
			secret = secret.EchoMode(huh.EchoModePassword)
		}
		err = runSESForm([]huh.Field{
			huh.NewInput().Title("Access key ID").Value(&a.keyID).Validate(keepDefault(required, a.keyID, accessible)),
			secret,
		}, in, out, accessible)
	}
	return err
}

// keepDefault adapts a check to a huh input. In accessible mode an empty
// line keeps the default (huh substitutes it after validating), so it
// passes when the default itself does.
func keepDefault(check func(string) error, def string, accessible bool) func(string) error {
	defOK := check(def) == nil
	return func(s string) error {
		if accessible && strings.TrimSpace(s) == "" && defOK {
			return nil
		}
		return check(strings.TrimSpace(s))
	}
}

func runSESForm(fields []huh.Field, in io.Reader, out io.Writer, accessible bool) error {
	if len(fields) == 0 {
		return nil
	}
	form := huh.NewForm(huh.NewGroup(fields...)).WithOutput(out)
	if accessible {
		// One byte per read: huh's accessible prompts each wrap the input
		// in a new scanner, which would swallow the next answers of a pipe.
		form = form.WithAccessible(true).WithInput(oneByteReader{in})
	} else {
		form = form.WithInput(in)
	}
	if err := form.Run(); err != nil {
		if errors.Is(err, huh.ErrUserAborted) {
			return errors.New("aborted; nothing was written")
		}
		return err
	}
	return nil
}

// oneByteReader hands out at most one byte per Read (see runSESForm).
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

// sesChanges are the new host files and what changed in them.
type sesChanges struct {
	config, secrets               []byte
	configChanges, secretsChanges []hostfiles.Change
	configDiff, secretsDiff       []byte
	oldSecrets                    []byte // nil when the file did not exist
}

// plan computes the new regstack.toml and regstack.secrets.env.
func (h *sesHost) plan(a sesAnswers) (*sesChanges, error) {
	edit := hostfiles.TableEdit{Table: "email", Set: []hostfiles.Setting{{Key: "backend", Value: "ses"}}}
	add := func(key, v string) {
		if v != "" {
			edit.Set = append(edit.Set, hostfiles.Setting{Key: key, Value: v})
		}
	}
	add("ses_region", a.region)
	add("from_address", a.fromAddress)
	add("from_name", a.fromName)
	add("ses_configuration_set", a.configurationSet)
	var envSet []hostfiles.EnvSetting
	var envUnset []string
	switch a.source {
	case credProfile:
		add("ses_profile", a.profile)
		edit.Unset = []string{"ses_access_key_id"}
		envUnset = []string{envSESKeyID, envSESSecretKey}
	case credExplicit:
		// Both keys go into the secrets file, so the pair stays together
		// and regstack.toml can be committed.
		edit.Unset = []string{"ses_profile", "ses_access_key_id"}
		envSet = []hostfiles.EnvSetting{{Key: envSESKeyID, Value: a.keyID}, {Key: envSESSecretKey, Value: a.secretKey}}
	case credChain:
		if a.explicitSource {
			edit.Unset = []string{"ses_profile", "ses_access_key_id"}
			envUnset = []string{envSESKeyID, envSESSecretKey}
		}
	}

	c := &sesChanges{oldSecrets: h.secrets}
	var err error
	if c.config, c.configChanges, err = hostfiles.EditTOML(h.config, edit); err != nil {
		return nil, fmt.Errorf("%s: %w", hostfiles.ConfigFile, err)
	}
	c.configDiff = hostfiles.Diff(hostfiles.ConfigFile, h.config, c.config)
	if len(envSet) > 0 || (h.secrets != nil && len(envUnset) > 0) {
		if c.secrets, c.secretsChanges, err = hostfiles.EditEnv(h.secrets, envSet, envUnset); err != nil {
			return nil, fmt.Errorf("%s: %w", hostfiles.SecretsFile, err)
		}
		c.secretsDiff = hostfiles.EnvDiff(hostfiles.SecretsFile, h.secrets, c.secrets)
	}
	return c, nil
}

// write saves the files that changed; the secrets file always ends up
// 0600.
func (c *sesChanges) write(dir string) error {
	if c.configDiff != nil {
		if err := hostfiles.WriteFile(filepath.Join(dir, hostfiles.ConfigFile), c.config, 0o644, false); err != nil {
			return err
		}
	}
	if c.secretsDiff != nil {
		if err := hostfiles.WriteFile(filepath.Join(dir, hostfiles.SecretsFile), c.secrets, hostfiles.SecretsMode, true); err != nil {
			return err
		}
	}
	return nil
}

// summarize lists the keys an edit changed ("ses_region added").
func summarize(changes []hostfiles.Change) string {
	var parts []string
	for _, c := range changes {
		if c.Action != hostfiles.Unchanged {
			parts = append(parts, c.Key+" "+string(c.Action))
		}
	}
	return strings.Join(parts, ", ")
}

func writeSESText(w io.Writer, r sessetup.Report, c *sesChanges, dryRun bool) error {
	if err := r.WriteText(w); err != nil {
		return err
	}
	verb := "wrote"
	if dryRun {
		verb = "would write (--dry-run: nothing written)"
	}
	var b strings.Builder
	b.WriteString("\n")
	if c.configDiff == nil {
		fmt.Fprintf(&b, "%s: [email] already up to date\n", hostfiles.ConfigFile)
	} else {
		fmt.Fprintf(&b, "%s %s: [email] %s\n", verb, hostfiles.ConfigFile, summarize(c.configChanges))
	}
	if c.secretsDiff != nil {
		fmt.Fprintf(&b, "%s %s (mode 0600): %s\n", verb, hostfiles.SecretsFile, summarize(c.secretsChanges))
	}
	if dryRun {
		b.Write(c.configDiff)
		b.Write(c.secretsDiff)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// sesFileJSON is one host file in the JSON output.
type sesFileJSON struct {
	Path    string             `json:"path"`
	Changed bool               `json:"changed"`
	Changes []hostfiles.Change `json:"changes"`
	Diff    string             `json:"diff"`
}

func writeSESJSON(w io.Writer, r sessetup.Report, c *sesChanges, dir string, dryRun bool) error {
	file := func(name string, changes []hostfiles.Change, diff []byte) sesFileJSON {
		if changes == nil {
			changes = []hostfiles.Change{}
		}
		return sesFileJSON{Path: filepath.Join(dir, name), Changed: diff != nil, Changes: changes, Diff: string(diff)}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		sessetup.Summary
		DryRun  bool        `json:"dry_run"`
		Config  sesFileJSON `json:"config"`
		Secrets sesFileJSON `json:"secrets"`
	}{r.Summary(), dryRun, file(hostfiles.ConfigFile, c.configChanges, c.configDiff), file(hostfiles.SecretsFile, c.secretsChanges, c.secretsDiff)})
}
