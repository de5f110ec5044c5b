// This file is part of your application: regstack wrote it, you own it.
// Edit it freely; `regstack gen --upgrade` merges later fixes into your edits.

package config

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Default file names, looked up in the working directory.
const (
	DefaultTOMLPath    = "regstack.toml"
	DefaultSecretsPath = "regstack.secrets.env"
)

// LoadOptions says where Load looks. The zero value means: regstack.toml
// (or the file named by $REGSTACK_CONFIG), regstack.secrets.env, and the
// process environment.
type LoadOptions struct {
	// TOMLPath names the TOML file. A file named here (or by
	// $REGSTACK_CONFIG) must exist; the default regstack.toml may be absent.
	TOMLPath string
	// SecretsPath names the secrets file. A file named here must exist; the
	// default regstack.secrets.env may be absent.
	SecretsPath string
	// Environ is the environment as "KEY=value" pairs; nil means os.Environ().
	Environ []string
	// Logger receives warnings that do not stop loading (a secrets file
	// other users can read); nil means slog.Default().
	Logger *slog.Logger
}

// Load builds the configuration from defaults ← TOML file ← secrets file
// ← environment (later sources win) and validates it.
func Load(opts LoadOptions) (Config, error) {
	cfg, err := Read(opts)
	if err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Read is Load without the final Validate: the sources are read and every
// value must parse, but a missing secret or an out-of-range setting is left
// for the caller to report (`regstack doctor` lists them one per check).
func Read(opts LoadOptions) (Config, error) {
	environ := opts.Environ
	if environ == nil {
		environ = os.Environ()
	}
	cfg := Default()

	tomlPath, tomlRequired := opts.TOMLPath, true
	if tomlPath == "" {
		tomlPath = envValue(environ, "REGSTACK_CONFIG")
	}
	if tomlPath == "" {
		tomlPath, tomlRequired = DefaultTOMLPath, false
	}
	if err := loadTOML(&cfg, tomlPath, tomlRequired); err != nil {
		return Config{}, err
	}

	secretsPath, secretsRequired := opts.SecretsPath, true
	if secretsPath == "" {
		secretsPath, secretsRequired = DefaultSecretsPath, false
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if err := loadSecrets(&cfg, secretsPath, secretsRequired, logger); err != nil {
		return Config{}, err
	}

	if err := applyEnv(&cfg, environ); err != nil {
		return Config{}, err
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	return cfg, nil
}

// envValue returns the last value of name in environ (case-insensitive).
func envValue(environ []string, name string) string {
	value := ""
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.EqualFold(k, name) {
			value = v
		}
	}
	return value
}

// readOptional reads path; a missing file is (nil, nil) unless required.
func readOptional(path string, required bool) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !required {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return data, nil
}

func loadTOML(cfg *Config, path string, required bool) error {
	data, err := readOptional(path, required)
	if err != nil || data == nil {
		return err
	}
	var tree map[string]any
	if _, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&tree); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("config: %s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		return fmt.Errorf("config: %s: %w", path, err)
	}
	flat := map[string]any{}
	if err := flatten(tree, "", flat); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	names := make([]string, 0, len(flat))
	for name := range flat {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic: the first problem in key order
	for _, name := range names {
		f, ok := lookupName(name)
		if !ok {
			return fmt.Errorf("config: %s%s: unknown key %q (misspelt? see docs/configuration.md for the list)", path, lineOf(data, name), name)
		}
		if name == "jwt_secret" {
			// The TOML file is meant to be committed; a signing key in it
			// ends up in every clone and backup of the repository.
			return fmt.Errorf("config: %s%s: jwt_secret does not belong in %s, which is usually committed to version control: "+
				"remove it there and put it in regstack.secrets.env as REGSTACK_JWT_SECRET, or set the REGSTACK_JWT_SECRET environment variable",
				path, lineOf(data, name), path)
		}
		text, err := tomlText(flat[name], f.list)
		source := fmt.Sprintf("%s%s: %s", path, lineOf(data, name), name)
		if err != nil {
			return fmt.Errorf("config: %s: %v", source, err)
		}
		if err := f.set(cfg, text, source); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	return nil
}

// flatten turns {"email": {"smtp_host": ...}} into {"email.smtp_host": ...}.
// Only one level of tables exists.
func flatten(tree map[string]any, prefix string, out map[string]any) error {
	for k, v := range tree {
		if sub, ok := v.(map[string]any); ok {
			if prefix != "" {
				return fmt.Errorf("unknown table [%s%s]", prefix, k)
			}
			if err := flatten(sub, k+".", out); err != nil {
				return err
			}
			continue
		}
		out[prefix+k] = v
	}
	return nil
}

// tomlText renders a TOML value as the text an environment variable would
// hold, so both sources go through one parser.
func tomlText(v any, list bool) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case bool:
		return strconv.FormatBool(x), nil
	case []any:
		// A list of strings, for a list setting; items must not contain the
		// comma that joins them (addresses and CIDRs never do).
		if !list {
			return "", fmt.Errorf("unsupported value: a list, where a single value is expected")
		}
		items := make([]string, len(x))
		for i, item := range x {
			s, ok := item.(string)
			if !ok || strings.Contains(s, ",") {
				return "", fmt.Errorf("list item %v is not a string without commas", item)
			}
			items[i] = s
		}
		return strings.Join(items, ","), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return strconv.FormatInt(int64(x), 10), nil
		}
		return "", fmt.Errorf("%v is not an integer", x)
	}
	return "", fmt.Errorf("unsupported value of type %T", v)
}

// lineOf finds the line that sets name ("email.smtp_host" → smtp_host) for
// error messages; "" when it cannot tell.
func lineOf(data []byte, name string) string {
	last := name[strings.LastIndex(name, ".")+1:]
	re := regexp.MustCompile(`^\s*(?:` + regexp.QuoteMeta(name) + `|` + regexp.QuoteMeta(last) + `|"` + regexp.QuoteMeta(last) + `")\s*=`)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		if re.MatchString(sc.Text()) {
			return ":" + strconv.Itoa(n)
		}
	}
	return ""
}

// loadSecrets reads KEY=value lines: blank lines and # comments are skipped,
// whitespace around key and value is trimmed, and one pair of matching
// surrounding quotes is removed. There is no export keyword, escaping or
// interpolation. Keys are environment names; unknown ones are ignored.
func loadSecrets(cfg *Config, path string, required bool, logger *slog.Logger) error {
	data, err := readOptional(path, required)
	if err != nil || data == nil {
		return err
	}
	warnIfShared(path, logger)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		// The line itself is never quoted in errors: it may hold a secret.
		key, value, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t") {
			return fmt.Errorf("config: %s:%d: expected KEY=value (no `export`, one setting per line)", path, n)
		}
		f, known := lookupEnv(key)
		if !known {
			continue
		}
		if err := f.set(cfg, unquote(strings.TrimSpace(value)), fmt.Sprintf("%s:%d: %s", path, n, key)); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	return nil
}

// warnIfShared warns when other users of the machine may read the secrets
// file. It does not refuse to start: a container or a deliberate group
// setup may be fine, and the operator is better served by a loud hint than
// by an outage. Windows has no such mode bits.
func warnIfShared(path string, logger *slog.Logger) {
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(path)
	// Only a regular file: /dev/null (an empty secrets file in tests and
	// scripts) is readable by everyone and holds nothing.
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 {
		return
	}
	logger.Warn("config: the secrets file can be read by other users of this machine; restrict it with chmod 600",
		"path", path, "mode", fmt.Sprintf("%04o", fi.Mode().Perm()))
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// applyEnv applies REGSTACK_* variables. Names are case-insensitive and
// unknown ones are ignored (REGSTACK_CONFIG, or keys of a newer version).
func applyEnv(cfg *Config, environ []string) error {
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(strings.ToUpper(k), "REGSTACK_") {
			continue
		}
		if f, known := lookupEnv(k); known {
			if err := f.set(cfg, v, "environment variable "+k); err != nil {
				return fmt.Errorf("config: %w", err)
			}
		}
	}
	return nil
}
