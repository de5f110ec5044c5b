package hostfiles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEditTOML(t *testing.T) {
	ses := TableEdit{Table: "email", Set: []Setting{
		{"backend", "ses"},
		{"ses_region", "eu-west-1"},
	}}
	tests := []struct {
		name    string
		src     string
		edit    TableEdit
		want    string
		changes []Change
	}{
		{
			name: "replaces in place and keeps comments, order and other tables",
			src: `# top comment
app_name = "Demo"

[email]
# How mail leaves.
backend = "console" # was console
from_address = "noreply@example.com"

[sms]
backend = "null"
`,
			edit: ses,
			want: `# top comment
app_name = "Demo"

[email]
# How mail leaves.
backend = "ses" # was console
from_address = "noreply@example.com"
ses_region = "eu-west-1"

[sms]
backend = "null"
`,
			changes: []Change{{"backend", Replaced}, {"ses_region", Added}},
		},
		{
			name: "a commented-out key becomes the setting",
			src: `[email]
backend = "console"

# Region of SES.
# ses_region = ""

# ses_profile = ""
`,
			edit: ses,
			want: `[email]
backend = "ses"

# Region of SES.
ses_region = "eu-west-1"

# ses_profile = ""
`,
			changes: []Change{{"backend", Replaced}, {"ses_region", Uncommented}},
		},
		{
			name:    "a missing table is appended",
			src:     "app_name = \"Demo\"\n\n[sms]\nbackend = \"null\"\n",
			edit:    ses,
			want:    "app_name = \"Demo\"\n\n[sms]\nbackend = \"null\"\n\n[email]\nbackend = \"ses\"\nses_region = \"eu-west-1\"\n",
			changes: []Change{{"backend", Added}, {"ses_region", Added}},
		},
		{
			name:    "an empty file gets the table",
			src:     "",
			edit:    ses,
			want:    "[email]\nbackend = \"ses\"\nses_region = \"eu-west-1\"\n",
			changes: []Change{{"backend", Added}, {"ses_region", Added}},
		},
		{
			name:    "a file without a final line break",
			src:     "[email]\nbackend = \"console\"",
			edit:    ses,
			want:    "[email]\nbackend = \"ses\"\nses_region = \"eu-west-1\"\n",
			changes: []Change{{"backend", Replaced}, {"ses_region", Added}},
		},
		{
			name:    "CRLF line endings are kept and used for new lines",
			src:     "# c\r\n[email]\r\nbackend = \"console\"\r\n",
			edit:    ses,
			want:    "# c\r\n[email]\r\nbackend = \"ses\"\r\nses_region = \"eu-west-1\"\r\n",
			changes: []Change{{"backend", Replaced}, {"ses_region", Added}},
		},
		{
			name:    "an equal value is left alone",
			src:     "[email]\nbackend   =   'ses'   # odd spacing\nses_region = \"eu-west-1\"\n",
			edit:    ses,
			want:    "[email]\nbackend   =   'ses'   # odd spacing\nses_region = \"eu-west-1\"\n",
			changes: []Change{{"backend", Unchanged}, {"ses_region", Unchanged}},
		},
		{
			name: "multi-line arrays and strings are skipped over, and replaced whole",
			src: `[email]
note = """
[sms]
backend = "not a key"
"""
backend = [
  "a", # ]
  "b",
]
list = ["x", "y"]
[sms]
backend = "null"
`,
			edit: ses,
			want: `[email]
note = """
[sms]
backend = "not a key"
"""
backend = "ses"
list = ["x", "y"]
ses_region = "eu-west-1"
[sms]
backend = "null"
`,
			changes: []Change{{"backend", Replaced}, {"ses_region", Added}},
		},
		{
			name:    "the same key in another table is not touched",
			src:     "[sms]\nbackend = \"sns\"\n\n[email]\n\n[pages]\nbackend = 1\n",
			edit:    ses,
			want:    "[sms]\nbackend = \"sns\"\n\n[email]\nbackend = \"ses\"\nses_region = \"eu-west-1\"\n\n[pages]\nbackend = 1\n",
			changes: []Change{{"backend", Added}, {"ses_region", Added}},
		},
		{
			name:    "sub-tables and arrays of tables end a section",
			src:     "[email]\nbackend = \"smtp\"\n[email.extra]\nx = 1\n[[hooks]]\nname = \"a\"\n",
			edit:    ses,
			want:    "[email]\nbackend = \"ses\"\nses_region = \"eu-west-1\"\n[email.extra]\nx = 1\n[[hooks]]\nname = \"a\"\n",
			changes: []Change{{"backend", Replaced}, {"ses_region", Added}},
		},
		{
			name:    "quoted and spaced headers match",
			src:     "[ \"email\" ] # mail\nbackend = \"smtp\"\n",
			edit:    ses,
			want:    "[ \"email\" ] # mail\nbackend = \"ses\"\nses_region = \"eu-west-1\"\n",
			changes: []Change{{"backend", Replaced}, {"ses_region", Added}},
		},
		{
			name:    "unset comments a key out, indented",
			src:     "[email]\n  backend = \"ses\"\n  ses_profile = \"prod\"\n",
			edit:    TableEdit{Table: "email", Set: []Setting{{"ses_access_key_id", "AKIA"}}, Unset: []string{"ses_profile", "absent"}},
			want:    "[email]\n  backend = \"ses\"\n  # ses_profile = \"prod\"\nses_access_key_id = \"AKIA\"\n",
			changes: []Change{{"ses_access_key_id", Added}, {"ses_profile", Unset}},
		},
		{
			name:    "root keys go before the first table and its comments",
			src:     "# regstack settings\n\n# Mail.\n[email]\nbackend = \"smtp\"\n",
			edit:    TableEdit{Set: []Setting{{"enable_oauth", true}}},
			want:    "# regstack settings\n\nenable_oauth = true\n\n# Mail.\n[email]\nbackend = \"smtp\"\n",
			changes: []Change{{"enable_oauth", Added}},
		},
		{
			name:    "root keys follow the last root key",
			src:     "app_name = \"x\"\n[email]\n",
			edit:    TableEdit{Set: []Setting{{"enable_oauth", true}, {"n", 3}, {"proxies", []string{"10.0.0.0/8", `a"b`}}}},
			want:    "app_name = \"x\"\nenable_oauth = true\nn = 3\nproxies = [\"10.0.0.0/8\", \"a\\\"b\"]\n[email]\n",
			changes: []Change{{"enable_oauth", Added}, {"n", Added}, {"proxies", Added}},
		},
		{
			name:    "a nested table",
			src:     "[oauth]\nx = 1\n",
			edit:    TableEdit{Table: "oauth.google", Set: []Setting{{"client_id", "id\twith\\tab"}}},
			want:    "[oauth]\nx = 1\n\n[oauth.google]\nclient_id = \"id\\twith\\\\tab\"\n",
			changes: []Change{{"client_id", Added}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changes, err := EditTOML([]byte(tt.src), tt.edit)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("document (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.changes, changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEditTOMLRefuses(t *testing.T) {
	ses := TableEdit{Table: "email", Set: []Setting{{"backend", "ses"}}}
	tests := []struct {
		name, src string
		edit      TableEdit
		wantErr   string
	}{
		{"invalid before", "[email\n", ses, "parse"},
		{"inline table", "email = { backend = \"smtp\" }\n", ses, "edit it by hand"},
		{"dotted keys at the root", "email.backend = \"smtp\"\n", ses, "edit it by hand"},
		{"not a table", "email = 3\n", ses, "not a table"},
		{"quoted key", "", TableEdit{Table: "email", Set: []Setting{{"a b", "x"}}}, "bare keys"},
		{"dotted table name part", "", TableEdit{Table: "a..b", Set: []Setting{{"k", "x"}}}, "bare names"},
		{"unsupported value", "", TableEdit{Table: "email", Set: []Setting{{"k", 1.5}}}, "cannot write"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := EditTOML([]byte(tt.src), tt.edit)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestTableKeys(t *testing.T) {
	keys, err := TableKeys([]byte("[oauth]\nb = 1\na = 2\n[x]\nc = 3\n"), "oauth")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b"}, keys); diff != "" {
		t.Error(diff)
	}
	if keys, _ := TableKeys([]byte(""), "oauth"); len(keys) != 0 {
		t.Errorf("missing table: %v", keys)
	}
}

// TestEditTOMLGenerated edits the [email] table of a regstack.toml as
// `regstack gen` writes it (documented keys, commented-out defaults): the
// edits land on their own lines and every other line stays.
func TestEditTOMLGenerated(t *testing.T) {
	src, err := os.ReadFile("../../testdata/golden/minimal/want/regstack.toml")
	if err != nil {
		t.Fatal(err)
	}
	out, changes, err := EditTOML(src, TableEdit{Table: "email", Set: []Setting{
		{"backend", "ses"}, {"from_name", "Demo"}, {"from_address", "noreply@example.com"}, {"ses_region", "eu-west-1"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{"backend", Replaced}, {"from_name", Uncommented}, {"from_address", Unchanged}, {"ses_region", Added}}
	if diff := cmp.Diff(want, changes); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	diff := string(Diff("regstack.toml", src, out))
	var edited []string
	for _, line := range strings.Split(diff, "\n") {
		if (strings.HasPrefix(line, "-") || strings.HasPrefix(line, "+")) && !strings.HasPrefix(line, "---") && !strings.HasPrefix(line, "+++") {
			edited = append(edited, line)
		}
	}
	wantEdited := []string{`-backend = "console"`, `+backend = "ses"`, `-# from_name = ""`, `+from_name = "Demo"`, `+ses_region = "eu-west-1"`}
	if d := cmp.Diff(wantEdited, edited); d != "" {
		t.Errorf("edited lines (-want +got):\n%s\n%s", d, diff)
	}
}

// TestEditTOMLEveryGolden edits every regstack.toml the golden tests keep
// (each generated from different answers): the root table, an existing
// table and a new one. EditTOML itself proves that nothing else changed
// in meaning; here every original line must also survive.
func TestEditTOMLEveryGolden(t *testing.T) {
	files, err := filepath.Glob("../../testdata/golden/*/want/regstack.toml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden regstack.toml: %v", err)
	}
	edits := []TableEdit{
		{Set: []Setting{{"enable_oauth", true}}},
		{Table: "email", Set: []Setting{{"backend", "ses"}, {"ses_region", "eu-west-1"}}, Unset: []string{"log_bodies"}},
		{Table: "oauth", Set: []Setting{{"google_client_id", "x.apps.googleusercontent.com"}}},
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range edits {
			out, _, err := EditTOML(src, e)
			if err != nil {
				t.Errorf("%s [%s]: %v", f, e.Table, err)
				continue
			}
			kept := 0
			for _, line := range strings.SplitAfter(string(src), "\n") {
				if strings.Contains(string(out), line) {
					kept++
				}
			}
			// Only the edited keys' lines may go (replaced or commented out).
			if lost := len(strings.SplitAfter(string(src), "\n")) - kept; lost > len(e.Set)+len(e.Unset) {
				t.Errorf("%s [%s]: %d original lines lost", f, e.Table, lost)
			}
		}
	}
}

// FuzzEditTOML: whatever the document, EditTOML returns an error or a
// document it has checked; it never panics. The seeds are the layouts the
// scanner must get right.
func FuzzEditTOML(f *testing.F) {
	for _, seed := range []string{
		"", "[email]\nbackend = \"x\"\n", "a = \"\"\"\n[email]\n\"\"\"\n", "a = '''\n'''\n[email]\n",
		"a = [\n 1, # ]\n 2,\n]\n[email]\n", "[[email]]\nx = 1\n", "email.backend = 1\n",
		"[ 'email' ]\r\nbackend = 1\r\n", "# backend = 1\n[email]\n# backend = 2\n", "a = \"x\\\"\" # c\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		_, _, _ = EditTOML([]byte(src), TableEdit{Table: "email", Set: []Setting{{"backend", "ses"}}, Unset: []string{"old"}})
	})
}
