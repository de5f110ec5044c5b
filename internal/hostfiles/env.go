package hostfiles

import (
	"fmt"
	"regexp"
	"strings"
)

// The host files, in the host's folder.
const (
	ConfigFile  = "regstack.toml"
	SecretsFile = "regstack.secrets.env"
)

// SecretsMode is the permission of regstack.secrets.env: readable by its
// owner only. The generated app warns when it is looser.
const SecretsMode = 0o600

// EnvSetting is one KEY=value line of an env file.
type EnvSetting struct {
	Key   string
	Value string
}

var envKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// EditEnv sets keys in an env file (regstack.secrets.env: KEY=value lines,
// # comments, no export keyword): an existing line, or else a commented-out
// "# KEY=…" line, is replaced in place; a new key is appended. The keys in
// unset are commented out where they are set. Every other line is kept
// byte for byte. It reports what happened to each key that was set or
// unset.
func EditEnv(src []byte, set []EnvSetting, unset []string) ([]byte, []Change, error) {
	d := newDoc(src)
	var changes []Change
	for _, s := range set {
		if !envKey.MatchString(s.Key) {
			return nil, nil, fmt.Errorf("%q is not an environment variable name", s.Key)
		}
		value, err := envValue(s.Value)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", s.Key, err)
		}
		line := s.Key + "=" + value
		changes = append(changes, Change{s.Key, d.setEnv(s.Key, s.Value, line)})
	}
	for _, key := range unset {
		for i, l := range d.lines {
			if k, commented := envLine(l); k == key && !commented {
				ind := indent(l)
				d.lines[i] = ind + "# " + l[len(ind):]
				changes = append(changes, Change{key, Unset})
			}
		}
	}
	return d.bytes(), changes, nil
}

// LookupEnv returns the value of key in an env file, read the way the
// generated loader reads it.
func LookupEnv(src []byte, key string) (string, bool) {
	for _, l := range newDoc(src).lines {
		if k, commented := envLine(l); k == key && !commented {
			return readEnvValue(strings.TrimRight(l, "\r\n")), true
		}
	}
	return "", false
}

// envValue writes a value so that the generated loader reads it back: it
// trims white space and removes one pair of surrounding quotes, so such
// values are quoted; there is no escaping, so a line break cannot be
// written at all.
func envValue(v string) (string, error) {
	if strings.ContainsAny(v, "\r\n") {
		return "", fmt.Errorf("a value cannot hold a line break")
	}
	quoted := len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0]
	if v != strings.TrimSpace(v) || quoted {
		return `"` + v + `"`, nil
	}
	return v, nil
}

// readEnvValue is the value of a KEY=value line as the generated loader
// reads it: trimmed, and without one pair of surrounding quotes.
func readEnvValue(line string) string {
	_, v, _ := strings.Cut(line, "=")
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// envLine returns the key of a KEY=value line and whether it is commented
// out.
func envLine(line string) (key string, commented bool) {
	t := strings.TrimSpace(line)
	if rest, ok := strings.CutPrefix(t, "#"); ok {
		t, commented = strings.TrimSpace(rest), true
	}
	k, _, ok := strings.Cut(t, "=")
	k = strings.TrimSpace(k)
	if !ok || !envKey.MatchString(k) {
		return "", false
	}
	return k, commented
}

func (d *doc) setEnv(key, value, line string) Action {
	for i, l := range d.lines {
		if k, commented := envLine(l); k == key && !commented {
			if readEnvValue(l) == value {
				return Unchanged // however it is spelled, it reads the same
			}
			d.lines[i] = line + d.lineEnd(i)
			if d.lineEnd(i) == "" {
				d.lines[i] += d.eol // the file ends with a line break after an edit
			}
			return Replaced
		}
	}
	for i, l := range d.lines {
		if k, commented := envLine(l); k == key && commented {
			d.lines[i] = line + d.lineEnd(i)
			if d.lineEnd(i) == "" {
				d.lines[i] += d.eol
			}
			return Uncommented
		}
	}
	d.terminateLast()
	d.lines = append(d.lines, line+d.eol)
	return Added
}

// EnvDiff is Diff for an env file, and never shows a value: every value is replaced by a placeholder, and a value that
// differs between the versions is marked as changed, so the diff still
// shows which lines change.
func EnvDiff(name string, a, b []byte) []byte {
	if a == nil {
		return Diff(name, nil, redact(b, map[string]string{}))
	}
	return Diff(name, redact(a, nil), redact(b, envValues(a)))
}

// envValues maps each set key of an env file to its line.
func envValues(src []byte) map[string]string {
	out := map[string]string{}
	for _, l := range newDoc(src).lines {
		if k, commented := envLine(l); k != "" && !commented {
			out[k] = strings.TrimRight(l, "\r\n")
		}
	}
	return out
}

// redact hides the values of src. With old (the previous version's lines),
// a line that is new or differs from its old self says so.
func redact(src []byte, old map[string]string) []byte {
	d := newDoc(src)
	for i, l := range d.lines {
		k, commented := envLine(l)
		switch {
		case k == "":
			continue
		case commented:
			// A commented-out line may still hold a real secret.
			d.lines[i] = indent(l) + "# " + k + "=<hidden>" + d.lineEnd(i)
			continue
		}
		mark := "<hidden>"
		if prev, ok := old[k]; old != nil && (!ok || prev != strings.TrimRight(l, "\r\n")) {
			mark = "<hidden, changed>"
		}
		d.lines[i] = indent(l) + k + "=" + mark + d.lineEnd(i)
	}
	return d.bytes()
}
