package configkeys

import (
	"fmt"
	"strings"

	"github.com/regstack/regstack/internal/spec"
)

// TOML writes the regstack.toml of a new host: every generated key grouped
// as in Groups, with its documentation; the keys a deployment usually sets
// are set, the others show their default in a comment, and secrets are left
// to regstack.secrets.env.
func TOML(s *spec.Spec) ([]byte, error) {
	keys, err := For(s)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	comment := func(text string) {
		for _, line := range wrap(text, commentWidth) {
			b.WriteString("# " + line + "\n")
		}
	}
	comment("Configuration of the account system regstack generated for " + s.AppName + ".")
	comment("regstack wrote this file once and never touches it again: it is yours.")
	b.WriteString("#\n")
	comment("Precedence: this file, then regstack.secrets.env (secrets such as jwt_secret and smtp_password live there, never here), " +
		"then environment variables REGSTACK_<KEY> and REGSTACK_EMAIL__<KEY>, which win.")
	b.WriteString("#\n")
	comment("Every setting is listed; a commented-out one shows its default.")

	titles := map[string]string{}
	for _, g := range Groups() {
		titles[g.ID] = g.Title
	}
	group := ""
	for _, k := range keys {
		if k.Place == Omitted {
			continue
		}
		if k.Group != group {
			group = k.Group
			if k.Table() != "" {
				b.WriteString("\n[" + k.Table() + "]\n")
			} else {
				b.WriteString("\n# --- " + titles[group] + " ---\n")
			}
		}
		b.WriteString("\n")
		if k.FileDoc != nil {
			comment(k.FileDoc(s))
		} else {
			comment(k.FullDoc())
		}
		if k.FileNote != nil {
			comment(k.FileNote(s))
		}
		switch {
		case k.Place == Set && k.FileValue != nil:
			fmt.Fprintf(&b, "%s = %s\n", k.Leaf(), k.valueText(k.FileValue(s)))
		case k.Place == Set:
			fmt.Fprintf(&b, "%s = %s\n", k.Leaf(), k.DefaultText())
		default:
			fmt.Fprintf(&b, "# %s = %s\n", k.Leaf(), k.DefaultText())
		}
	}
	return []byte(b.String()), nil
}

// Doc markers around the generated part of docs/configuration.md.
const (
	DocBegin = "<!-- config keys: begin. Written from internal/configkeys; refresh with `go test ./internal/configkeys -update`. -->"
	DocEnd   = "<!-- config keys: end -->"
)

// Markdown is the key tables of docs/configuration.md: every key of every
// feature, one table per group.
func Markdown() string {
	keys := Keys()
	var b strings.Builder
	for _, g := range Groups() {
		first := true
		for _, k := range keys {
			if k.Group != g.ID {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n### %s\n\n%s\n\n", g.Title, g.Comment)
				b.WriteString("| Key | Type | Default | Environment variable | Meaning |\n|---|---|---|---|---|\n")
				first = false
			}
			typ := k.Type
			if typ == Int64 {
				typ = Int
			}
			def := "`" + k.DefaultText() + "`"
			if k.Default == nil || k.Default == "" {
				def = "(empty)"
			}
			meaning := k.FullDoc()
			if k.Secret {
				meaning = "**Secret.** " + meaning
			}
			if k.Feature != "" {
				meaning += " Only with " + FeatureText(k.Feature) + " generated."
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | `%s` | %s |\n", k.Leaf(), typ, def, k.Env(), strings.ReplaceAll(meaning, "|", `\|`))
		}
	}
	return b.String()
}

// ReplaceDoc returns doc with the part between DocBegin and DocEnd replaced
// by Markdown.
func ReplaceDoc(doc string) (string, error) {
	before, rest, ok := strings.Cut(doc, DocBegin)
	if !ok {
		return "", fmt.Errorf("no %q marker", DocBegin)
	}
	_, after, ok := strings.Cut(rest, DocEnd)
	if !ok {
		return "", fmt.Errorf("no %q marker", DocEnd)
	}
	return before + DocBegin + "\n" + Markdown() + "\n" + DocEnd + after, nil
}
