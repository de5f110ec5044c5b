package upgrade

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/regstack/regstack/generator/spec"
)

// AnswerRenames maps answer keys of earlier regstack versions to the keys
// that replaced them (dotted paths, as in --set). Loading old answers, old
// manifests and --set arguments goes through it, so a renamed question
// never breaks an upgrade. Add an entry whenever an answers key is renamed;
// never reuse an old key for something else.
var AnswerRenames = map[string]string{}

// fixedKeys are answers an upgrade cannot change with --set: the module
// comes from go.mod, and moving the package is a rename of every file, not
// a merge.
var fixedKeys = map[string]string{
	"module":      "the module path comes from go.mod",
	"package_dir": "moving the generated package is not an upgrade; move it with your editor or regenerate into a fresh folder",
}

// renameKeys moves values in a decoded TOML or JSON document from old keys
// to new ones and returns a line per key moved. A document that already has
// both keys keeps the new one.
func renameKeys(doc map[string]any, renames map[string]string) []string {
	olds := make([]string, 0, len(renames))
	for k := range renames {
		olds = append(olds, k)
	}
	sort.Strings(olds)
	var notes []string
	for _, old := range olds {
		v, ok := lookupKey(doc, old)
		if !ok {
			continue
		}
		deleteKey(doc, old)
		if _, taken := lookupKey(doc, renames[old]); !taken {
			setKey(doc, renames[old], v)
		}
		notes = append(notes, fmt.Sprintf("answer %s is now called %s", old, renames[old]))
	}
	return notes
}

func lookupKey(doc map[string]any, key string) (any, bool) {
	parts := strings.Split(key, ".")
	cur := doc
	for i, p := range parts {
		v, ok := cur[p]
		if !ok {
			return nil, false
		}
		if i == len(parts)-1 {
			return v, true
		}
		if cur, ok = v.(map[string]any); !ok {
			return nil, false
		}
	}
	return nil, false
}

func deleteKey(doc map[string]any, key string) {
	parts := strings.Split(key, ".")
	cur := doc
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			return
		}
		cur = next
	}
	delete(cur, parts[len(parts)-1])
}

func setKey(doc map[string]any, key string, v any) {
	parts := strings.Split(key, ".")
	cur := doc
	for _, p := range parts[:len(parts)-1] {
		next, ok := cur[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[p] = next
		}
		cur = next
	}
	cur[parts[len(parts)-1]] = v
}

// recordedAnswers reads the answers a manifest recorded, renaming old keys
// first (manifest.Parse refuses unknown fields).
func recordedAnswers(manifestJSON []byte, renames map[string]string) ([]byte, []string, error) {
	var doc map[string]any
	if err := json.Unmarshal(manifestJSON, &doc); err != nil {
		return nil, nil, err
	}
	answers, ok := doc["answers"].(map[string]any)
	if !ok {
		return manifestJSON, nil, nil
	}
	notes := renameKeys(answers, renames)
	if len(notes) == 0 {
		return manifestJSON, nil, nil
	}
	out, err := json.Marshal(doc)
	return out, notes, err
}

// loadAnswers reads .regstack/answers.toml over recorded, the answers of
// the last run as its manifest saw them. Keys missing from the file keep
// the recorded value; a feature that did not exist when the host was
// generated is therefore off until --set turns it on.
func loadAnswers(data []byte, recorded spec.Answers, renames map[string]string) (spec.Answers, []string, error) {
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return recorded, nil, fmt.Errorf("%s: %w", spec.AnswersFile, err)
	}
	notes := renameKeys(doc, renames)
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(doc); err != nil {
		return recorded, nil, err
	}
	a, err := spec.DecodeAnswers(buf.Bytes(), recorded)
	if err != nil {
		return recorded, nil, fmt.Errorf("%s: %w", spec.AnswersFile, err)
	}
	return a, notes, nil
}

// applySet applies "key=value" answer changes. Keys are the answers-file
// keys (features.admin); old names are accepted through renames.
func applySet(a *spec.Answers, sets []string, renames map[string]string) error {
	var errs []error
	for _, kv := range sets {
		key, val, ok := strings.Cut(kv, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			errs = append(errs, fmt.Errorf("--set %q: want key=value, such as features.admin=true", kv))
			continue
		}
		if n, ok := renames[key]; ok {
			key = n
		}
		if why, ok := fixedKeys[key]; ok {
			errs = append(errs, fmt.Errorf("--set %s: %s", key, why))
			continue
		}
		if err := setAnswer(a, key, val); err != nil {
			errs = append(errs, fmt.Errorf("--set %s: %w", key, err))
		}
	}
	return errors.Join(errs...)
}

// setAnswer sets the field whose toml tag path is key. Reflection over the
// tags keeps --set in step with spec.Answers as questions are added.
func setAnswer(a *spec.Answers, key, val string) error {
	v := reflect.ValueOf(a).Elem()
	parts := strings.Split(key, ".")
	for i, p := range parts {
		f, ok := fieldByTag(v, p)
		if !ok {
			return fmt.Errorf("unknown answer (known: %s)", strings.Join(answerKeys(reflect.TypeOf(spec.Answers{}), ""), ", "))
		}
		if i < len(parts)-1 {
			if f.Kind() != reflect.Struct {
				return errors.New("unknown answer")
			}
			v = f
			continue
		}
		switch f.Kind() {
		case reflect.Bool:
			b, err := strconv.ParseBool(val)
			if err != nil {
				return fmt.Errorf("%q is not true or false", val)
			}
			f.SetBool(b)
		case reflect.String:
			f.SetString(val)
		default:
			return errors.New("a group of answers, not one answer")
		}
	}
	return nil
}

func fieldByTag(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ","); tag == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func answerKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		if t.Field(i).Type.Kind() == reflect.Struct {
			out = append(out, answerKeys(t.Field(i).Type, prefix+tag+".")...)
			continue
		}
		if _, fixed := fixedKeys[prefix+tag]; !fixed {
			out = append(out, prefix+tag)
		}
	}
	return out
}
