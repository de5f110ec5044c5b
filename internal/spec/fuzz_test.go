package spec

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzDecodeAnswers reads arbitrary .regstack/answers.toml files over the
// defaults. Properties: it never panics; a refused file leaves the answers
// it was given untouched and says where (a line or the unknown key); an
// accepted one, written back by EncodeAnswers, reads back to the same
// answers, and encoding is deterministic.
func FuzzDecodeAnswers(f *testing.F) {
	saved, err := EncodeAnswers(Defaults())
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		string(saved),
		"",
		"app_name = \"Shop\"\n",
		"app_name = \"Shop\"\nbackend = \"postgres\"\n[features]\nadmin = true\npages = true\nsms = true\nsms_backend = \"sns\"\n",
		"backend = 5\n",
		"app_name = [\"a\"]\n",
		"[features]\nadmin = \"yes\"\n",
		"[features]\nunknown = true\n",
		"surprise = 1\n",
		"[surprise]\n",
		"[[features]]\n",
		"features = 1\n",
		"app_name = \"a\"\napp_name = \"b\"\n",
		"app_name = \"\\u0000\\uFFFF\"\n",
		"module = 'github.com/x/y'\npackage_dir = \"internal/../..\"\n",
		"base_url = \"\"\"\nmulti\nline\"\"\"\n",
		"= 1\n",
		"[",
		"app_name = \"\xff\"\n",
		"\ufeffapp_name = \"Shop\"\n",
		"features.admin = true\n",
		"app_name = 1979-05-27\n",
	} {
		f.Add(s)
	}
	base := Defaults()
	f.Fuzz(func(t *testing.T, data string) {
		a, err := DecodeAnswers([]byte(data), base)
		if err != nil {
			if !reflect.DeepEqual(a, base) {
				t.Fatalf("DecodeAnswers(%q) failed (%v) but changed the answers: %+v", data, err, a)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "line ") && !strings.HasPrefix(msg, "unknown key ") &&
				!strings.Contains(msg, "toml:") {
				t.Fatalf("DecodeAnswers(%q): error %q says neither the line nor the key", data, msg)
			}
			return
		}
		enc, err := EncodeAnswers(a)
		if err != nil {
			t.Fatalf("EncodeAnswers(%+v): %v", a, err)
		}
		if enc2, _ := EncodeAnswers(a); string(enc2) != string(enc) {
			t.Fatalf("EncodeAnswers is not deterministic:\n%s\n%s", enc, enc2)
		}
		back, err := DecodeAnswers(enc, Answers{})
		if err != nil {
			t.Fatalf("answers read from %q encode as %q, which does not read back: %v", data, enc, err)
		}
		if !reflect.DeepEqual(back, a) {
			t.Fatalf("round trip of %q:\n read    %+v\n written %q\n re-read %+v", data, a, enc, back)
		}
	})
}
