package interview

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"

	"github.com/regstack/regstack/internal/spec"
)

// TestAccessibleReadsEveryPipedAnswer pipes one answer per line, as a
// script or CI job would, and checks that every answer arrives, not just
// the first (huh v1.0.0 loses all but the first without oneByteReader).
func TestAccessibleReadsEveryPipedAnswer(t *testing.T) {
	in := strings.Join([]string{
		"Acme Shop",
		"github.com/acme/shop",
		"https://shop.example.com",
		"internal/accounts",
		"1",
		"n",
		"y",
		"n",
		"n",
		"n", // pages
		"3", // email sender: ses
		"n", // sms (so no provider question)
	}, "\n") + "\n"
	a := spec.Defaults()
	var out bytes.Buffer
	// bufio-style readers may return everything at once; DataErrReader also
	// returns EOF with the last bytes, as some pipes do.
	err := Run(&a, Options{Starter: true, Accessible: true, In: iotest.DataErrReader(strings.NewReader(in)), Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	want := spec.Answers{
		AppName: "Acme Shop", Module: "github.com/acme/shop", BaseURL: "https://shop.example.com",
		PackageDir: "internal/accounts", Backend: "sqlite",
		Features: spec.Features{RequireVerification: false, PasswordReset: true, AccountDeletion: false, EmailBackend: "ses", SMSBackend: "twilio"},
	}
	if diff := cmp.Diff(want, a); diff != "" {
		t.Errorf("answers (-want +got):\n%s\nprompts:\n%s", diff, out.String())
	}
	for _, prompt := range []string{"Application name", "Go module path", "Public base URL", "Package folder", "Database backend", "email verification", "password reset", "account deletion"} {
		if !strings.Contains(out.String(), prompt) {
			t.Errorf("prompt %q not shown:\n%s", prompt, out.String())
		}
	}
}

func TestAccessibleEmptyLinesKeepDefaults(t *testing.T) {
	a := spec.Defaults()
	if err := Run(&a, Options{Starter: true, Accessible: true, In: strings.NewReader(strings.Repeat("\n", 9)), Out: io.Discard}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(spec.Defaults(), a); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
}

// TestAccessibleRepromptsInvalidAnswers gives a wrong answer first for each
// text question; the spec's error is shown and the question asked again.
func TestAccessibleRepromptsInvalidAnswers(t *testing.T) {
	in := strings.Join([]string{
		`Bad "quoted" name`, "Good Name",
		"ftp://nope", "http://localhost:9000",
		"../outside", "internal/users",
		"", "y", "y",
	}, "\n") + "\n"
	a := spec.Defaults()
	var out bytes.Buffer
	err := Run(&a, Options{Accessible: true, In: strings.NewReader(in), Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if a.AppName != "Good Name" || a.BaseURL != "http://localhost:9000" || a.PackageDir != "internal/users" {
		t.Errorf("answers = %+v\n%s", a, out.String())
	}
	if a.Module != spec.Defaults().Module {
		t.Errorf("module was asked although Starter is false: %q", a.Module)
	}
	if strings.Contains(out.String(), "Go module path") {
		t.Error("module question shown although Starter is false")
	}
	for _, msg := range []string{"app_name", "base_url", "package_dir"} {
		if !strings.Contains(out.String(), msg) {
			t.Errorf("validation message for %s not shown:\n%s", msg, out.String())
		}
	}
}

func TestSkipAsksOnlyTheRest(t *testing.T) {
	a := spec.Defaults()
	a.AppName = "From Flag"
	skip := map[string]bool{spec.KeyAppName: true, spec.KeyBaseURL: true, spec.KeyPackageDir: true, spec.KeyBackend: true, spec.KeyRequireVerification: true, spec.KeyPasswordReset: true}
	var out bytes.Buffer
	if err := Run(&a, Options{Skip: skip, Accessible: true, In: strings.NewReader("n\n"), Out: &out}); err != nil {
		t.Fatal(err)
	}
	if a.AppName != "From Flag" || a.Features.AccountDeletion {
		t.Errorf("answers = %+v", a)
	}
	if strings.Contains(out.String(), "Application name") {
		t.Errorf("skipped question asked:\n%s", out.String())
	}
}

func TestOneByteReader(t *testing.T) {
	r := oneByteReader{strings.NewReader("abc")}
	buf := make([]byte, 10)
	n, err := r.Read(buf)
	if n != 1 || err != nil || buf[0] != 'a' {
		t.Errorf("Read = %d, %v, %q", n, err, buf[:n])
	}
	if err := iotest.TestReader(oneByteReader{strings.NewReader("hello world")}, []byte("hello world")); err != nil {
		t.Error(err)
	}
}

// TestBackendChoice: the interview offers every backend, each with its
// description, and the number typed picks it.
func TestBackendChoice(t *testing.T) {
	backendQ, _ := spec.QuestionByKey(spec.KeyBackend)
	for i, backend := range spec.Backends() {
		t.Run(backend, func(t *testing.T) {
			a := spec.Defaults()
			var out bytes.Buffer
			skip := map[string]bool{spec.KeyAppName: true, spec.KeyBaseURL: true, spec.KeyPackageDir: true, spec.KeyRequireVerification: true, spec.KeyPasswordReset: true, spec.KeyAccountDeletion: true, spec.KeyAdmin: true}
			in := strings.NewReader(string(rune('1'+i)) + "\n")
			if err := Run(&a, Options{Accessible: true, Skip: skip, In: in, Out: &out}); err != nil {
				t.Fatal(err)
			}
			if a.Backend != backend {
				t.Errorf("typing %d chose %q, want %q", i+1, a.Backend, backend)
			}
			for _, o := range backendQ.Options {
				if !strings.Contains(out.String(), o.Description) {
					t.Errorf("the backend question does not offer %s (%q):\n%s", o.Value, o.Description, out.String())
				}
			}
		})
	}
}

// TestAsksTheTableInOrder: the interview asks every row of the answers
// table, in table order, and a StarterOnly row only for a fresh folder.
func TestAsksTheTableInOrder(t *testing.T) {
	for _, starter := range []bool{true, false} {
		a := spec.Defaults()
		// Every row is asked only when the conditions of the rows asked
		// only sometimes (When) hold.
		a.Features.SMS = true
		var out bytes.Buffer
		in := strings.NewReader(strings.Repeat("\n", len(spec.Questions())))
		if err := Run(&a, Options{Starter: starter, Accessible: true, In: in, Out: &out}); err != nil {
			t.Fatal(err)
		}
		shown := out.String()
		last := -1
		for _, q := range spec.Questions() {
			i := strings.Index(shown, q.Title)
			switch {
			case q.StarterOnly && !starter:
				if i >= 0 {
					t.Errorf("%s asked in an existing module", q.Key)
				}
			case i < 0:
				t.Errorf("%s (%q) not asked (starter %v)", q.Key, q.Title, starter)
			case i < last:
				t.Errorf("%s asked out of table order", q.Key)
			default:
				last = i
			}
		}
	}
}

// TestAsksOnlyWhenItsConditionHolds: the SMS provider is asked right after
// a yes to SMS and not at all after a no (spec.Question.When).
func TestAsksOnlyWhenItsConditionHolds(t *testing.T) {
	provider, _ := spec.QuestionByKey(spec.KeySMSBackend)
	skip := map[string]bool{}
	for _, q := range spec.Questions() {
		if q.Key != spec.KeySMS && q.Key != spec.KeySMSBackend {
			skip[q.Key] = true
		}
	}
	for _, tc := range []struct {
		in      string
		asked   bool
		backend string
	}{
		{"n\n", false, "twilio"},
		{"y\n2\n", true, "sns"},
		{"y\n1\n", true, "twilio"},
	} {
		a := spec.Defaults()
		var out bytes.Buffer
		if err := Run(&a, Options{Starter: true, Accessible: true, Skip: skip, In: strings.NewReader(tc.in), Out: &out}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(out.String(), provider.Title); got != tc.asked {
			t.Errorf("input %q: provider asked = %v, want %v:\n%s", tc.in, got, tc.asked, out.String())
		}
		if a.Features.SMSBackend != tc.backend {
			t.Errorf("input %q: sms_backend = %q, want %q", tc.in, a.Features.SMSBackend, tc.backend)
		}
	}
}
