package spec

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// tomlKeys lists the dotted TOML keys of the leaf fields of t.
func tomlKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("toml"), ",")
		if t.Field(i).Type.Kind() == reflect.Struct {
			out = append(out, tomlKeys(t.Field(i).Type, prefix+tag+".")...)
			continue
		}
		out = append(out, prefix+tag)
	}
	return out
}

// TestQuestionsTable checks the table against itself and against Answers:
// one row per answer field, in field order, each row reading and writing
// its own field, every default valid.
func TestQuestionsTable(t *testing.T) {
	if got, want := Keys(), tomlKeys(reflect.TypeOf(Answers{}), ""); !slices.Equal(got, want) {
		t.Errorf("table keys %v, Answers fields %v: add a row per field, in field order", got, want)
	}
	flags := map[string]bool{}
	conds := map[string]bool{}
	for _, q := range Questions() {
		if q.Flag == "" || flags[q.Flag] {
			t.Errorf("%s: flag %q empty or used twice", q.Key, q.Flag)
		}
		flags[q.Flag] = true
		if q.Title == "" || q.Description == "" || q.Help == "" {
			t.Errorf("%s: title, description and help are all needed", q.Key)
		}
		if q.Condition != "" {
			if conds[q.Condition] || q.Condition == CondStarter || strings.ContainsAny(q.Condition, ":!") {
				t.Errorf("%s: condition %q clashes", q.Key, q.Condition)
			}
			conds[q.Condition] = true
		}
		switch q.Kind {
		case Bool:
			if q.Bool == nil || q.Text != nil || q.Validate != nil || q.Options != nil {
				t.Errorf("%s: a Bool row has Bool and nothing of Text, Validate or Options", q.Key)
			}
		case Text, Select:
			if q.Text == nil || q.Bool != nil || q.Validate == nil {
				t.Errorf("%s: a Text or Select row has Text and Validate", q.Key)
			}
			if (q.Kind == Select) != (len(q.Options) > 0) {
				t.Errorf("%s: Options belong to Select rows, and every Select row has some", q.Key)
			}
			for _, o := range q.Options {
				if err := q.Validate(o.Value); err != nil {
					t.Errorf("%s: option %s does not validate: %v", q.Key, o.Value, err)
				}
			}
			if q.Kind == Text && q.Condition != "" {
				t.Errorf("%s: a Text answer cannot drive a condition", q.Key)
			}
		default:
			t.Errorf("%s: unknown kind %d", q.Key, q.Kind)
		}
		for _, starter := range []bool{true, false} {
			a := DefaultsFor(starter)
			if err := q.Check(&a); err != nil {
				t.Errorf("%s: default (starter %v) invalid: %v", q.Key, starter, err)
			}
		}
	}
	// Each accessor reaches its own field: changing one answer through the
	// table changes exactly that key of the encoded answers.
	base := Defaults()
	for _, q := range Questions() {
		a := base
		v := "changed"
		if q.Kind == Bool {
			v = "false"
		}
		if err := q.Set(&a, v); err != nil {
			t.Fatal(err)
		}
		if q.Get(&a) != v {
			t.Errorf("%s: Get after Set = %q", q.Key, q.Get(&a))
		}
		for _, other := range Questions() {
			if other.Key != q.Key && other.Get(&a) != other.Get(&base) {
				t.Errorf("setting %s changed %s", q.Key, other.Key)
			}
		}
		var c Answers
		q.Copy(&c, &a)
		if q.Get(&c) != v {
			t.Errorf("%s: Copy did not copy", q.Key)
		}
	}
}

func TestSetRefusesNonBool(t *testing.T) {
	q, _ := QuestionByKey(KeyAdmin)
	a := Defaults()
	if err := q.Set(&a, "yes please"); err == nil || !strings.Contains(err.Error(), "true or false") {
		t.Errorf("Set(yes please) = %v", err)
	}
	if _, ok := QuestionByKey("features"); ok {
		t.Error(`QuestionByKey("features") found a row for a group`)
	}
}

func TestConditions(t *testing.T) {
	got := Conditions()
	for _, want := range []string{"starter", "require_verification", "password_reset", "account_deletion", "admin", "backend:sqlite", "backend:postgres", "backend:mongo"} {
		if !slices.Contains(got, want) {
			t.Errorf("Conditions() = %v, lacks %s", got, want)
		}
	}
	s, err := New(Defaults(), true, "v0")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got {
		if _, err := s.Has(c); err != nil {
			t.Errorf("Has(%q): %v", c, err)
		}
		if _, err := s.Has("!" + c); err != nil {
			t.Errorf("Has(!%q): %v", c, err)
		}
	}
}

// TestDefaultsFor: the defaults differ by host only where a row says so.
func TestDefaultsFor(t *testing.T) {
	starter, existing := DefaultsFor(true), DefaultsFor(false)
	for _, q := range Questions() {
		if q.Default.Starter != q.Get(&starter) || q.Default.Existing != q.Get(&existing) {
			t.Errorf("%s: defaults %+v, got %q / %q", q.Key, q.Default, q.Get(&starter), q.Get(&existing))
		}
	}
	if Defaults() != starter {
		t.Error("Defaults() is not the starter defaults")
	}
}
