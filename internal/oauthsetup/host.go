// Package oauthsetup is `regstack oauth setup`: it registers the host with
// Google for Sign in with Google. It computes the redirect URI and
// JavaScript origin the operator pastes into Google's console, checks the
// client ID and secret they copy back, and merges them into the host's
// regstack.toml ([oauth], keeping everything else) and
// regstack.secrets.env (0600). The wizard is a local web page (Wizard);
// the command line's headless mode uses the same Host and Plan.
package oauthsetup

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/regstack/regstack/internal/configkeys"
	"github.com/regstack/regstack/internal/hostfiles"
	"github.com/regstack/regstack/internal/spec"
)

// SecretEnv is the secrets-file name of oauth.google_client_secret.
const SecretEnv = "REGSTACK_OAUTH__GOOGLE_CLIENT_SECRET"

// ErrNoConfig is returned by ReadHost for a folder without regstack.toml.
var ErrNoConfig = errors.New("no " + hostfiles.ConfigFile)

// Host is what the wizard reads from the host folder. It is read afresh
// for every plan, so a hand edit made meanwhile is merged, never lost.
type Host struct {
	Dir     string
	Config  []byte // regstack.toml
	Secrets []byte // regstack.secrets.env; nil when absent

	// The settings the wizard shows and starts from, with the generated
	// app's defaults where the file leaves them out.
	BaseURL     string
	APIPrefix   string
	UIPrefix    string
	Issuer      string
	ClientID    string
	RedirectURI string // google_redirect_uri as set ("" = computed)
	AutoLink    bool
	HaveSecret  bool // the secrets file sets the client secret

	// NeedsGoogle is set when .regstack/answers.toml says the package was
	// generated without Sign in with Google: its config then refuses the
	// [oauth] keys until `gen --upgrade --set features.google=true`.
	NeedsGoogle bool
}

// fileSettings are the keys ReadHost reads from regstack.toml.
type fileSettings struct {
	BaseURL   *string `toml:"base_url"`
	APIPrefix *string `toml:"api_prefix"`
	UIPrefix  *string `toml:"ui_prefix"`
	OAuth     struct {
		ClientID    string  `toml:"google_client_id"`
		RedirectURI string  `toml:"google_redirect_uri"`
		Issuer      *string `toml:"google_issuer"`
		AutoLink    bool    `toml:"auto_link_verified_emails"`
	} `toml:"oauth"`
}

// ReadHost reads the host folder dir.
func ReadHost(dir string) (*Host, error) {
	h := &Host{Dir: dir}
	var err error
	h.Config, err = os.ReadFile(filepath.Join(dir, hostfiles.ConfigFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has %w: run it in a host folder (made by regstack gen) or pass --dir", dir, ErrNoConfig)
	}
	if err != nil {
		return nil, err
	}
	var f fileSettings
	if _, err := toml.Decode(string(h.Config), &f); err != nil {
		return nil, fmt.Errorf("%s: %w", hostfiles.ConfigFile, err)
	}
	h.BaseURL = orDefault(f.BaseURL, "base_url")
	h.APIPrefix = orDefault(f.APIPrefix, "api_prefix")
	h.UIPrefix = orDefault(f.UIPrefix, "ui_prefix")
	h.Issuer = orDefault(f.OAuth.Issuer, "oauth.google_issuer")
	h.ClientID, h.RedirectURI, h.AutoLink = f.OAuth.ClientID, f.OAuth.RedirectURI, f.OAuth.AutoLink

	h.Secrets, err = os.ReadFile(filepath.Join(dir, hostfiles.SecretsFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	secret, _ := hostfiles.LookupEnv(h.Secrets, SecretEnv)
	h.HaveSecret = secret != ""

	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(spec.AnswersFile)))
	switch {
	case err == nil:
		a, err := spec.DecodeAnswers(data, spec.Answers{})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", spec.AnswersFile, err)
		}
		h.NeedsGoogle = !a.Features.Google
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	return h, nil
}

// orDefault is the file's value, else the generated app's default for key.
func orDefault(v *string, key string) string {
	if v != nil {
		return *v
	}
	for _, k := range configkeys.Keys() {
		if k.Name == key {
			s, _ := k.Default.(string)
			return s
		}
	}
	return ""
}

// Defaults is the Input that changes nothing but what the operator gives:
// the host's current settings.
func (h *Host) Defaults() Input {
	return Input{BaseURL: h.BaseURL, ClientID: h.ClientID, RedirectURI: h.RedirectURI, AutoLink: h.AutoLink}
}

// EffectiveRedirectURI is the redirect URI the app will send Google once
// in is written (see Plan).
func (h *Host) EffectiveRedirectURI(in Input) string {
	if r := h.pinnedRedirect(in); r != "" {
		return r
	}
	return RedirectURI(h.BaseURL, h.APIPrefix)
}

// pinnedRedirect is the google_redirect_uri to write, "" for none: the
// custom one, or, when the operator's base URL is not the file's
// base_url, the one computed from theirs. base_url itself is left alone:
// it also shapes every emailed link and the session cookie, and production
// usually sets it in the environment.
func (h *Host) pinnedRedirect(in Input) string {
	switch {
	case in.RedirectURI != "":
		return in.RedirectURI
	case strings.TrimRight(in.BaseURL, "/") != strings.TrimRight(h.BaseURL, "/"):
		return RedirectURI(in.BaseURL, h.APIPrefix)
	}
	return ""
}

// Plan is the new content of the host files and what changed.
type Plan struct {
	Config, Secrets               []byte
	ConfigChanges, SecretsChanges []hostfiles.Change
	// The diffs, nil when a file does not change; the secrets file's
	// never shows a value.
	ConfigDiff, SecretsDiff []byte
	// ReplacedExisting is set when an existing client ID or secret is
	// replaced by another.
	ReplacedExisting bool
	// RedirectURI is the one to register with Google.
	RedirectURI string
}

// Plan merges in into the host files: top-level enable_oauth = true and,
// in [oauth], google_client_id, auto_link_verified_emails and
// google_redirect_uri (commented out when not pinned, so the computed one
// applies); the secret replaces its line in the secrets file or is
// appended. Every other line of both files is kept byte for byte. in must
// be valid.
func (h *Host) Plan(in Input) (*Plan, error) {
	config, rootChanges, err := hostfiles.EditTOML(h.Config, hostfiles.TableEdit{
		Set: []hostfiles.Setting{{Key: "enable_oauth", Value: true}},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", hostfiles.ConfigFile, err)
	}
	edit := hostfiles.TableEdit{Table: "oauth", Set: []hostfiles.Setting{
		{Key: "google_client_id", Value: in.ClientID},
		{Key: "auto_link_verified_emails", Value: in.AutoLink},
	}}
	if r := h.pinnedRedirect(in); r != "" {
		edit.Set = append(edit.Set, hostfiles.Setting{Key: "google_redirect_uri", Value: r})
	} else {
		edit.Unset = []string{"google_redirect_uri"}
	}
	config, oauthChanges, err := hostfiles.EditTOML(config, edit)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", hostfiles.ConfigFile, err)
	}
	p := &Plan{Config: config, RedirectURI: h.EffectiveRedirectURI(in)}
	p.ConfigChanges = append(p.ConfigChanges, rootChanges...)
	for _, c := range oauthChanges {
		c.Key = "oauth." + c.Key
		p.ConfigChanges = append(p.ConfigChanges, c)
		if c.Key == "oauth.google_client_id" && c.Action == hostfiles.Replaced && h.ClientID != "" {
			p.ReplacedExisting = true
		}
	}
	p.ConfigDiff = hostfiles.Diff(hostfiles.ConfigFile, h.Config, p.Config)

	if in.ClientSecret != "" {
		p.Secrets, p.SecretsChanges, err = hostfiles.EditEnv(h.Secrets, []hostfiles.EnvSetting{{Key: SecretEnv, Value: in.ClientSecret}}, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", hostfiles.SecretsFile, err)
		}
		for _, c := range p.SecretsChanges {
			if c.Action == hostfiles.Replaced && h.HaveSecret {
				p.ReplacedExisting = true
			}
		}
		p.SecretsDiff = hostfiles.EnvDiff(hostfiles.SecretsFile, h.Secrets, p.Secrets)
	}
	return p, nil
}

// Write saves the files that change, each replaced atomically; the
// secrets file ends up 0600 whatever its mode was.
func (p *Plan) Write(dir string) error {
	if p.ConfigDiff != nil {
		if err := hostfiles.WriteFile(filepath.Join(dir, hostfiles.ConfigFile), p.Config, 0o644, false); err != nil {
			return err
		}
	}
	if p.SecretsDiff != nil {
		if err := hostfiles.WriteFile(filepath.Join(dir, hostfiles.SecretsFile), p.Secrets, hostfiles.SecretsMode, true); err != nil {
			return err
		}
	}
	return nil
}

// Summary lists the keys the plan changes ("enable_oauth replaced,
// oauth.google_client_id added"), for one file's changes.
func Summary(changes []hostfiles.Change) string {
	var parts []string
	for _, c := range changes {
		if c.Action != hostfiles.Unchanged {
			parts = append(parts, c.Key+" "+string(c.Action))
		}
	}
	return strings.Join(parts, ", ")
}

// Clean trims the white space a paste brings along from every field.
func Clean(in Input) Input {
	in.BaseURL = strings.TrimSpace(in.BaseURL)
	in.ClientID = strings.TrimSpace(in.ClientID)
	in.ClientSecret = strings.TrimSpace(in.ClientSecret)
	in.RedirectURI = strings.TrimSpace(in.RedirectURI)
	return in
}
