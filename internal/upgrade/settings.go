package upgrade

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/regstack/regstack/internal/configkeys"
	"github.com/regstack/regstack/internal/spec"
)

// ConfigFile is the host's settings file. It is written once and then
// belongs to the operator, with one exception: a setting of a feature the
// upgraded host no longer has (turned off with --set, or a key that only
// exists with another backend) is commented out. The config package refuses
// unknown keys, so leaving it would stop the app from starting; commenting
// it out keeps its value in the file for when the feature comes back.
const ConfigFile = "regstack.toml"

var (
	tableLine = regexp.MustCompile(`^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(#.*)?$`)
	keyLine   = regexp.MustCompile(`^\s*([A-Za-z0-9_.-]+)\s*=`)
)

// staleSettings returns, for every key the generator knows but does not
// generate for s, the answer that would bring it back.
func staleSettings(s *spec.Spec) (map[string]string, error) {
	kept, err := configkeys.For(s)
	if err != nil {
		return nil, err
	}
	generated := map[string]bool{}
	for _, k := range kept {
		generated[k.Name] = true
	}
	stale := map[string]string{}
	for _, k := range configkeys.Keys() {
		if generated[k.Name] {
			continue
		}
		if b, ok := strings.CutPrefix(k.Feature, "backend:"); ok {
			stale[k.Name] = fmt.Sprintf("backend = %q", b)
		} else {
			stale[k.Name] = "features." + k.Feature + " = true"
		}
	}
	return stale, nil
}

// retireSettings comments out the lines of data that set a key in stale,
// each under a line saying why, and returns the new text and the keys it
// commented out. It works line by line so that every other byte, comments
// included, stays as the operator wrote it. Only single-line values are
// handled (every feature setting is a scalar); if the result would not
// parse, data is returned unchanged with an error.
func retireSettings(data []byte, stale map[string]string) ([]byte, []string, error) {
	lines := strings.SplitAfter(string(data), "\n")
	var out strings.Builder
	var retired []string
	table := ""
	for _, line := range lines {
		if m := tableLine.FindStringSubmatch(line); m != nil {
			table = m[1]
		}
		m := keyLine.FindStringSubmatch(line)
		if m == nil {
			out.WriteString(line)
			continue
		}
		name := m[1]
		if table != "" {
			name = table + "." + name
		}
		needs, ok := stale[name]
		if !ok {
			out.WriteString(line)
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " \t"))]
		fmt.Fprintf(&out, "%s# regstack gen --upgrade: this host does not read %s (it needs %s).\n", indent, name, needs)
		out.WriteString(indent + "# " + strings.TrimLeft(line, " \t"))
		retired = append(retired, name)
	}
	if len(retired) == 0 {
		return data, nil, nil
	}
	result := []byte(out.String())
	var doc map[string]any
	if _, err := toml.Decode(string(result), &doc); err != nil {
		return data, nil, fmt.Errorf("%s sets %s, which this host does not read; remove them by hand (%v)", ConfigFile, strings.Join(retired, ", "), err)
	}
	sort.Strings(retired)
	return result, retired, nil
}

// retireStaleSettings turns the change of regstack.toml into an Edit when
// the file on disk sets keys the upgraded host does not read.
func retireStaleSettings(root string, s *spec.Spec, changes []Change) ([]string, error) {
	stale, err := staleSettings(s)
	if err != nil || len(stale) == 0 {
		return nil, err
	}
	for i, c := range changes {
		if c.Path != ConfigFile || c.Writes() {
			continue
		}
		disk, exists, perm, err := readHost(root, c.Path)
		if err != nil || !exists {
			return nil, err
		}
		edited, retired, err := retireSettings(disk, stale)
		if err != nil {
			return []string{err.Error()}, nil
		}
		if len(retired) == 0 || bytes.Equal(edited, disk) {
			return nil, nil
		}
		changes[i].Action, changes[i].Old, changes[i].New, changes[i].Perm = Edit, disk, edited, perm
		changes[i].Note = "commented out " + strings.Join(retired, ", ") + ": this host no longer reads them"
	}
	return nil, nil
}
