package spec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDefaultsAreValid(t *testing.T) {
	if err := Defaults().Validate(); err != nil {
		t.Fatalf("Defaults().Validate() = %v", err)
	}
}

func TestValidateNamesTheKey(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Answers)
		key    string
	}{
		{"empty app name", func(a *Answers) { a.AppName = "  " }, "app_name"},
		{"quote in app name", func(a *Answers) { a.AppName = `My "App"` }, "app_name"},
		{"control char in app name", func(a *Answers) { a.AppName = "a\x00b" }, "app_name"},
		{"long app name", func(a *Answers) { a.AppName = strings.Repeat("x", 81) }, "app_name"},
		{"bad module", func(a *Answers) { a.Module = "Not A Module" }, "module"},
		{"empty module", func(a *Answers) { a.Module = "" }, "module"},
		{"relative url", func(a *Answers) { a.BaseURL = "example.com" }, "base_url"},
		{"ftp url", func(a *Answers) { a.BaseURL = "ftp://example.com" }, "base_url"},
		{"url with query", func(a *Answers) { a.BaseURL = "https://example.com/?a=b" }, "base_url"},
		{"url with credentials", func(a *Answers) { a.BaseURL = "https://u:p@example.com" }, "base_url"},
		{"absolute package", func(a *Answers) { a.PackageDir = "/internal/auth" }, "package_dir"},
		{"escaping package", func(a *Answers) { a.PackageDir = "../auth" }, "package_dir"},
		{"unclean package", func(a *Answers) { a.PackageDir = "internal//auth" }, "package_dir"},
		{"testdata package", func(a *Answers) { a.PackageDir = "testdata/auth" }, "package_dir"},
		{"hidden package", func(a *Answers) { a.PackageDir = "internal/.auth" }, "package_dir"},
		{"keyword package", func(a *Answers) { a.PackageDir = "internal/func" }, "package_dir"},
		{"main package", func(a *Answers) { a.PackageDir = "main" }, "package_dir"},
		{"upper-case package", func(a *Answers) { a.PackageDir = "internal/Auth" }, "package_dir"},
		{"dashed package", func(a *Answers) { a.PackageDir = "internal/my-auth" }, "package_dir"},
		{"unknown backend", func(a *Answers) { a.Backend = "oracle" }, "backend"},
		{"backend alias", func(a *Answers) { a.Backend = "postgresql" }, "backend"},
		{"upper-case backend", func(a *Answers) { a.Backend = "Mongo" }, "backend"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Defaults()
			tt.change(&a)
			err := a.Validate()
			if err == nil {
				t.Fatal("Validate() = nil, want an error")
			}
			if !strings.HasPrefix(err.Error(), tt.key+" ") && !strings.HasPrefix(err.Error(), tt.key+":") {
				t.Errorf("Validate() = %q, want it to start with the key %q", err, tt.key)
			}
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	a := Answers{Backend: "oracle"}
	err := a.Validate()
	if err == nil {
		t.Fatal("Validate() = nil")
	}
	for _, key := range []string{"app_name", "module", "base_url", "package_dir", "backend"} {
		if !strings.Contains(err.Error(), key) {
			t.Errorf("Validate() = %q, does not mention %s", err, key)
		}
	}
}

func TestValidateAccepts(t *testing.T) {
	good := []Answers{
		{AppName: "Acme Accounts", Module: "github.com/acme/shop", BaseURL: "https://shop.example.com", PackageDir: "internal/accounts", Backend: "sqlite"},
		{AppName: "x", Module: "shop", BaseURL: "http://localhost:8080/app/", PackageDir: "auth", Backend: "sqlite"},
		{AppName: "x", Module: "shop", BaseURL: "http://localhost:8080", PackageDir: "auth", Backend: "postgres"},
		{AppName: "x", Module: "shop", BaseURL: "http://localhost:8080", PackageDir: "auth", Backend: "mongo"},
	}
	for _, a := range good {
		if err := a.Validate(); err != nil {
			t.Errorf("%+v: Validate() = %v", a, err)
		}
	}
}

func TestNewDerives(t *testing.T) {
	a := Defaults()
	a.Module = "github.com/acme/shop"
	a.PackageDir = "internal/accounts"
	a.BaseURL = "https://shop.example.com/"
	s, err := New(a, false, "v1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	if s.PackageImport != "github.com/acme/shop/internal/accounts" || s.PackageName != "accounts" {
		t.Errorf("PackageImport, PackageName = %q, %q", s.PackageImport, s.PackageName)
	}
	if s.BaseURL != "https://shop.example.com" {
		t.Errorf("BaseURL = %q, want the trailing slash stripped", s.BaseURL)
	}
	if s.Starter || s.Version != "v1.2.3" {
		t.Errorf("Starter, Version = %v, %q", s.Starter, s.Version)
	}
	if _, err := New(Answers{}, true, "v1"); err == nil {
		t.Error("New(Answers{}) = nil error")
	}
}

func TestHas(t *testing.T) {
	a := Defaults()
	a.Features.PasswordReset = false
	s, err := New(a, true, "v0")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"starter":              true,
		"!starter":             false,
		"backend:sqlite":       true,
		"backend:postgres":     false,
		"!backend:postgres":    true,
		"require_verification": true,
		"password_reset":       false,
		"!password_reset":      true,
		"account_deletion":     true,
		// Alternatives hold when any does.
		"password_reset|account_deletion": true,
		"password_reset|sms":              false,
		"sms|!password_reset":             true,
		// sms_backend is not asked without SMS, so none of its options
		// holds.
		"sms_backend:twilio|sms_backend:sns": false,
	}
	for cond, w := range want {
		got, err := s.Has(cond)
		if err != nil || got != w {
			t.Errorf("Has(%q) = %v, %v; want %v", cond, got, err, w)
		}
	}
	for _, bad := range []string{"sso", "!sso", "sms_backend", "backend:oracle", "backend", "admin:true", "!!admin", "", "sms|sso", "sms|"} {
		if _, err := s.Has(bad); err == nil {
			t.Errorf("Has(%q) = nil error, want unknown condition", bad)
		}
	}
}

func TestAnswersRoundTrip(t *testing.T) {
	a := Answers{
		AppName: "Acme", Module: "github.com/acme/shop", BaseURL: "https://acme.example",
		PackageDir: "internal/accounts", Backend: "sqlite",
		Features: Features{RequireVerification: false, PasswordReset: true, AccountDeletion: false},
	}
	data, err := EncodeAnswers(a)
	if err != nil {
		t.Fatal(err)
	}
	again, err := EncodeAnswers(a)
	if err != nil || string(again) != string(data) {
		t.Fatalf("EncodeAnswers is not deterministic")
	}
	got, err := DecodeAnswers(data, Defaults())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

func TestDecodeAnswersKeepsBaseForMissingKeys(t *testing.T) {
	got, err := DecodeAnswers([]byte("app_name = \"Shop\"\n[features]\npassword_reset = false\n"), Defaults())
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	want.AppName = "Shop"
	want.Features.PasswordReset = false
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDecodeAnswersErrorsNameTheKey(t *testing.T) {
	tests := map[string]string{
		"app_name = 3\n":                          "app_name",
		"[features]\npassword_reset = \"yes\"\n":  "features.password_reset",
		"features = 1\n":                          "features",
		"colour = \"blue\"\n":                     "colour",
		"[features]\nsso = true\n":                "features.sso",
		"app_name = \n":                           "app_name",
		"app_name = \"a\"\napp_name = \"b\"\n":    "app_name",
		"module = \"x\"\nbase_url = [\"http\"]\n": "base_url",
	}
	for in, key := range tests {
		_, err := DecodeAnswers([]byte(in), Defaults())
		if err == nil {
			t.Errorf("DecodeAnswers(%q) = nil error", in)
			continue
		}
		if !strings.Contains(err.Error(), key) {
			t.Errorf("DecodeAnswers(%q) = %q, want it to name %q", in, err, key)
		}
	}
}

// Aliases people type for a backend are refused (the name is the layer
// folder) but the message names the one they meant.
func TestValidateBackendHints(t *testing.T) {
	for in, want := range map[string]string{"postgresql": `"postgres"`, "pg": `"postgres"`, "mongodb": `"mongo"`, "MongoDB": `"mongo"`, "sqlite3": `"sqlite"`} {
		err := ValidateBackend(in)
		if err == nil || !strings.Contains(err.Error(), "did you mean "+want) {
			t.Errorf("ValidateBackend(%q) = %v, want a hint naming %s", in, err, want)
		}
	}
	if err := ValidateBackend("oracle"); err == nil || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("ValidateBackend(oracle) = %v, want an error without a hint", err)
	}
	q, _ := QuestionByKey(KeyBackend)
	for _, o := range q.Options {
		if o.Description == "" {
			t.Errorf("backend %s has no description for the interview", o.Value)
		}
	}
}
