package upgrade

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/regstack/regstack/internal/spec"
)

// AnswerRenames maps answer keys of earlier regstack versions to the keys
// that replaced them (dotted paths, as in --set). Loading old answers, old
// manifests and --set arguments goes through it, so a renamed question
// never breaks an upgrade. Add an entry whenever an answers key is renamed;
// never reuse an old key for something else.
var AnswerRenames = map[string]string{}

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
// keys of spec.Questions (features.admin); old names are accepted through
// renames. A row's Fixed says why --set may not change it.
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
		q, ok := spec.QuestionByKey(key)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("--set %s: unknown answer (known: %s)", key, strings.Join(settableKeys(), ", ")))
		case q.Fixed != "":
			errs = append(errs, fmt.Errorf("--set %s: %s", key, q.Fixed))
		default:
			// Checked here, like a flag, so a bad value is a usage error
			// rather than a failed render.
			if err := q.Set(a, val); err != nil {
				errs = append(errs, fmt.Errorf("--set %s: %w", key, err))
			} else if err := q.Check(a); err != nil {
				errs = append(errs, fmt.Errorf("--set %w", err))
			}
		}
	}
	return errors.Join(errs...)
}

// settableKeys lists the keys --set may change, in table order.
func settableKeys() []string {
	var out []string
	for _, q := range spec.Questions() {
		if q.Fixed == "" {
			out = append(out, q.Key)
		}
	}
	return out
}
