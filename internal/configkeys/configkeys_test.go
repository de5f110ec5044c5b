package configkeys

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/regstack/regstack/internal/golden"
	"github.com/regstack/regstack/internal/spec"
)

const docPath = "../../docs/configuration.md"

// docs/configuration.md lists exactly the keys of the table; refresh it
// with go test ./internal/configkeys -update.
func TestDocsTableIsCurrent(t *testing.T) {
	b, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ReplaceDoc(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if *golden.Update {
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want != string(b) {
		t.Errorf("%s does not match the key table; refresh it with: go test ./internal/configkeys -update", docPath)
	}
}

func TestTable(t *testing.T) {
	groups := map[string]bool{}
	for _, g := range Groups() {
		groups[g.ID] = true
	}
	s := mustSpec(t, spec.Defaults())
	names, fields := map[string]bool{}, map[string]bool{}
	lastGroup, seenGroups := "", map[string]bool{}
	ident := regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$`)
	for _, k := range Keys() {
		if !ident.MatchString(k.Name) {
			t.Errorf("%s: not a snake_case key", k.Name)
		}
		if names[k.Name] || fields[k.Field] {
			t.Errorf("%s: name or field %s listed twice", k.Name, k.Field)
		}
		names[k.Name], fields[k.Field] = true, true
		if !groups[k.Group] {
			t.Errorf("%s: unknown group %q", k.Name, k.Group)
		}
		if k.Group != lastGroup {
			if seenGroups[k.Group] {
				t.Errorf("%s: group %s is split", k.Name, k.Group)
			}
			seenGroups[k.Group], lastGroup = true, k.Group
		}
		if (k.Table() == "email") != (k.Group == "email") || (k.Table() == "email") != strings.HasPrefix(k.Field, "Email.") {
			t.Errorf("%s: the [email] table, the email group and the Email struct must agree", k.Name)
		}
		if k.Doc == "" || !strings.HasSuffix(k.Doc, ".") {
			t.Errorf("%s: doc %q must be a sentence", k.Name, k.Doc)
		}
		if k.Feature != "" {
			if _, err := s.Has(k.Feature); err != nil {
				t.Errorf("%s: %v", k.Name, err)
			}
		}
		if !k.Bounds.IsZero() && k.Type != Int && k.Type != Int64 {
			t.Errorf("%s: bounds on a %s", k.Name, k.Type)
		}
		if len(k.Allowed) > 0 && k.Type != String {
			t.Errorf("%s: allowed values on a %s", k.Name, k.Type)
		}
		if (k.Route != "") != strings.HasSuffix(k.Name, "_rate_limit") {
			t.Errorf("%s: a route belongs to exactly the *_rate_limit keys", k.Name)
		}
		_ = k.DefaultText() // panics on a default of the wrong type
	}
	if k := find(t, "email.smtp_host"); k.Env() != "REGSTACK_EMAIL__SMTP_HOST" || k.Leaf() != "smtp_host" {
		t.Errorf("email.smtp_host: env %s, leaf %s", k.Env(), k.Leaf())
	}
}

func find(t *testing.T, name string) Key {
	for _, k := range Keys() {
		if k.Name == name {
			return k
		}
	}
	t.Fatalf("no key %s", name)
	return Key{}
}

func mustSpec(t *testing.T, a spec.Answers) *spec.Spec {
	t.Helper()
	s, err := spec.New(a, true, "v0.0.0-test")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A feature switched off takes its keys out of every emitted file.
func TestFeatureGating(t *testing.T) {
	gated := map[string][]string{
		"password_reset":   {"enable_password_reset", "password_reset_token_ttl_seconds", "password_reset_url_template", "forgot_password_rate_limit", "reset_password_rate_limit"},
		"account_deletion": {"enable_account_deletion", "delete_account_rate_limit"},
		"admin":            {"enable_admin_router"},
	}
	for _, backend := range spec.Backends() {
		all := spec.Defaults()
		all.Backend = backend
		min := all
		min.Features = spec.Features{}
		for _, a := range []spec.Answers{all, min} {
			s := mustSpec(t, a)
			files := map[string][]byte{}
			for name, fn := range map[string]func(*spec.Spec) ([]byte, error){"config.go": ConfigGo, "fields.go": FieldsGo, "regstack.toml": TOML} {
				b, err := fn(s)
				if err != nil {
					t.Fatalf("%s %s: %v", backend, name, err)
				}
				files[name] = b
			}
			for feature, keys := range gated {
				on, _ := s.Has(feature)
				for _, name := range keys {
					field := find(t, name).Field
					for file, b := range files {
						text := string(b)
						has := strings.Contains(text, `"`+name+`"`) || strings.Contains(text, name+" =") || regexp.MustCompile(`\b`+field+`\b`).MatchString(text)
						if has != on {
							t.Errorf("%s, %s=%v: %s has %s: %v", backend, feature, on, file, name, has)
						}
					}
				}
			}
		}
	}
}

// The emitted regstack.toml parses, sets what the answers say and only
// names keys of the table.
func TestTOML(t *testing.T) {
	for _, backend := range spec.Backends() {
		a := spec.Defaults()
		a.Backend = backend
		a.Features.RequireVerification = false
		s := mustSpec(t, a)
		b, err := TOML(s)
		if err != nil {
			t.Fatal(err)
		}
		var tree map[string]any
		if _, err := toml.Decode(string(b), &tree); err != nil {
			t.Fatalf("%s: %v\n%s", backend, err, b)
		}
		if tree["app_name"] != s.AppName || tree["base_url"] != s.BaseURL || tree["require_verification"] != false {
			t.Errorf("%s: answers not set: %v", backend, tree)
		}
		if u, _ := tree["database_url"].(string); !strings.HasPrefix(u, map[string]string{"sqlite": "sqlite:", "postgres": "postgres:", "mongo": "mongodb:"}[backend]) {
			t.Errorf("%s: database_url %q", backend, u)
		}
		if strings.Contains(string(b), "jwt_secret =") || strings.Contains(string(b), "smtp_password =") {
			t.Errorf("%s: a secret in regstack.toml", backend)
		}
		// Every commented-out setting, uncommented, is a key of the table
		// with its default.
		for _, line := range strings.Split(string(b), "\n") {
			if m := regexp.MustCompile(`^# ([a-z_]+) = (.*)$`).FindStringSubmatch(line); m != nil {
				if _, err := toml.Decode(m[1]+" = "+m[2], &map[string]any{}); err != nil {
					t.Errorf("%s: %q: %v", backend, line, err)
				}
			}
		}
	}
}

func TestGoIsOwnedAndPlain(t *testing.T) {
	s := mustSpec(t, spec.Defaults())
	for name, fn := range map[string]func(*spec.Spec) ([]byte, error){"config.go": ConfigGo, "fields.go": FieldsGo} {
		b, err := fn(s)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), "// This file is part of your application: regstack wrote it, you own it.\n") {
			t.Errorf("%s: no owned-file header", name)
		}
		low := strings.ToLower(string(b))
		if strings.Contains(low, "code generated") || strings.Contains(low, "do not edit") {
			t.Errorf("%s: reads as generated code", name)
		}
	}
}
