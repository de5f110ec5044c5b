package hostfiles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEditEnv(t *testing.T) {
	set := []EnvSetting{{"REGSTACK_A", "new-a"}, {"REGSTACK_B", "new-b"}}
	tests := []struct {
		name, src, want string
		changes         []Change
	}{
		{
			name:    "replaced in place, others kept",
			src:     "# secrets\nREGSTACK_JWT_SECRET=xyz\nREGSTACK_A=old\nOTHER = 1\n",
			want:    "# secrets\nREGSTACK_JWT_SECRET=xyz\nREGSTACK_A=new-a\nOTHER = 1\nREGSTACK_B=new-b\n",
			changes: []Change{{"REGSTACK_A", Replaced}, {"REGSTACK_B", Added}},
		},
		{
			name:    "commented-out line used, no final newline",
			src:     "# REGSTACK_B=\nX=1",
			want:    "REGSTACK_B=new-b\nX=1\nREGSTACK_A=new-a\n",
			changes: []Change{{"REGSTACK_A", Added}, {"REGSTACK_B", Uncommented}},
		},
		{
			name:    "spaces around the key and CRLF",
			src:     " REGSTACK_A = new-a\r\nREGSTACK_B = x\r\n",
			want:    " REGSTACK_A = new-a\r\nREGSTACK_B=new-b\r\n",
			changes: []Change{{"REGSTACK_A", Unchanged}, {"REGSTACK_B", Replaced}},
		},
		{
			name:    "unchanged",
			src:     "REGSTACK_A=new-a\nREGSTACK_B=new-b\n",
			want:    "REGSTACK_A=new-a\nREGSTACK_B=new-b\n",
			changes: []Change{{"REGSTACK_A", Unchanged}, {"REGSTACK_B", Unchanged}},
		},
		{
			name:    "empty file",
			src:     "",
			want:    "REGSTACK_A=new-a\nREGSTACK_B=new-b\n",
			changes: []Change{{"REGSTACK_A", Added}, {"REGSTACK_B", Added}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, changes, err := EditEnv([]byte(tt.src), set, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("file (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.changes, changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEditEnvUnsetAndLookup(t *testing.T) {
	src := []byte("A=1\n  B = ' two '\n# C=3\n")
	got, changes, err := EditEnv(src, nil, []string{"B", "C", "D"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "A=1\n  # B = ' two '\n# C=3\n"; string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if diff := cmp.Diff([]Change{{"B", Unset}}, changes); diff != "" {
		t.Error(diff)
	}
	if v, ok := LookupEnv(src, "B"); !ok || v != " two " {
		t.Errorf("LookupEnv B = %q, %v", v, ok)
	}
	if _, ok := LookupEnv(src, "C"); ok {
		t.Error("a commented-out key was found")
	}
}

func TestEditEnvValues(t *testing.T) {
	for v, want := range map[string]string{
		"plain/+=":  "K=plain/+=",
		" padded ":  `K=" padded "`,
		`"quoted"`:  `K=""quoted""`,
		"":          "K=",
		"it's fine": "K=it's fine",
	} {
		got, _, err := EditEnv(nil, []EnvSetting{{"K", v}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSuffix(string(got), "\n") != want {
			t.Errorf("value %q written as %q, want %q", v, got, want)
		}
	}
	if _, _, err := EditEnv(nil, []EnvSetting{{"K", "a\nb"}}, nil); err == nil {
		t.Error("a line break was accepted")
	}
	if _, _, err := EditEnv(nil, []EnvSetting{{"1K", "v"}}, nil); err == nil {
		t.Error("a bad name was accepted")
	}
}

func TestEnvDiffHidesValues(t *testing.T) {
	old := []byte("REGSTACK_JWT_SECRET=topsecret1\n# REGSTACK_A=oldsecret2\n")
	new, _, err := EditEnv(old, []EnvSetting{{"REGSTACK_A", "newsecret3"}, {"REGSTACK_B", "newsecret4"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	diff := string(EnvDiff("regstack.secrets.env", old, new))
	for _, secret := range []string{"topsecret1", "oldsecret2", "newsecret3", "newsecret4"} {
		if strings.Contains(diff, secret) {
			t.Errorf("diff shows %s:\n%s", secret, diff)
		}
	}
	want := `--- a/regstack.secrets.env
+++ b/regstack.secrets.env
@@ -1,2 +1,3 @@
 REGSTACK_JWT_SECRET=<hidden>
-# REGSTACK_A=<hidden>
+REGSTACK_A=<hidden, changed>
+REGSTACK_B=<hidden, changed>
`
	if d := cmp.Diff(want, diff); d != "" {
		t.Errorf("diff (-want +got):\n%s", d)
	}
	if created := string(EnvDiff("s.env", nil, []byte("K=v\n"))); !strings.Contains(created, "--- /dev/null") || !strings.Contains(created, "+K=<hidden, changed>") {
		t.Errorf("diff of a new file:\n%s", created)
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "regstack.toml")
	if err := os.WriteFile(p, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("new"), 0o644, false); err != nil {
		t.Fatal(err)
	}
	assertFile(t, p, "new", 0o640) // the existing mode is kept

	s := filepath.Join(dir, "regstack.secrets.env")
	if err := os.WriteFile(s, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(s, []byte("K=v\n"), SecretsMode, true); err != nil {
		t.Fatal(err)
	}
	assertFile(t, s, "K=v\n", SecretsMode) // forced down to 0600

	n := filepath.Join(dir, "new.env")
	if err := WriteFile(n, []byte("x"), SecretsMode, false); err != nil {
		t.Fatal(err)
	}
	assertFile(t, n, "x", SecretsMode)

	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func assertFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != content {
		t.Errorf("%s = %q, want %q", path, got, content)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != mode {
		t.Errorf("%s mode %04o, want %04o", path, fi.Mode().Perm(), mode)
	}
}
