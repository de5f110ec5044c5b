package upgrade

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestRetireSettings(t *testing.T) {
	in := `# Our settings.
app_name = "Shop"
enable_password_reset = false   # we send resets by hand
  forgot_password_rate_limit = "1/minute"
trusted_proxies = ["10.0.0.0/8"]

[email]
backend = "smtp"
mongodb_database = "not-a-table-key"
`
	stale := map[string]string{
		"enable_password_reset":      "features.password_reset = true",
		"forgot_password_rate_limit": "features.password_reset = true",
		"mongodb_database":           `backend = "mongo"`,
		"email.backend":              "features.nothing = true",
	}
	out, retired, err := retireSettings([]byte(in), stale)
	if err != nil {
		t.Fatal(err)
	}
	want := `# Our settings.
app_name = "Shop"
# regstack gen --upgrade: this host does not read enable_password_reset (it needs features.password_reset = true).
# enable_password_reset = false   # we send resets by hand
  # regstack gen --upgrade: this host does not read forgot_password_rate_limit (it needs features.password_reset = true).
  # forgot_password_rate_limit = "1/minute"
trusted_proxies = ["10.0.0.0/8"]

[email]
# regstack gen --upgrade: this host does not read email.backend (it needs features.nothing = true).
# backend = "smtp"
mongodb_database = "not-a-table-key"
`
	if string(out) != want {
		t.Errorf("retired:\n%s\nwant:\n%s", out, want)
	}
	// mongodb_database inside [email] is email.mongodb_database, another key.
	if got := strings.Join(retired, ","); got != "email.backend,enable_password_reset,forgot_password_rate_limit" {
		t.Errorf("retired keys %s", got)
	}
	var doc map[string]any
	if _, err := toml.Decode(string(out), &doc); err != nil {
		t.Fatalf("result does not parse: %v", err)
	}

	// Nothing stale: the bytes stay exactly as they were.
	same, retired, err := retireSettings([]byte(in), map[string]string{"admin_only": "features.admin = true"})
	if err != nil || string(same) != in || retired != nil {
		t.Errorf("nothing to retire changed the file: %v %v\n%s", err, retired, same)
	}

	// A multi-line value cannot be commented out line by line: the file is
	// left alone and the error says what to remove.
	multi := "enable_password_reset = \"\"\"\nfalse\n\"\"\"\n"
	kept, _, err := retireSettings([]byte(multi), stale)
	if err == nil || string(kept) != multi || !strings.Contains(err.Error(), "enable_password_reset") {
		t.Errorf("multi-line value: err %v, file\n%s", err, kept)
	}
}
