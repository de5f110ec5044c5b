package cli

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/regstack/regstack/internal/spec"
)

// The generated app refuses jwt_secret in regstack.toml (the file is
// usually committed), so no answers may ever make the blueprint write one,
// not even commented out where an operator might uncomment it.
func TestConfigNeverHoldsTheSecret(t *testing.T) {
	for _, backend := range spec.Backends() {
		for _, features := range []spec.Features{{}, spec.Defaults().Features} {
			a := spec.Defaults()
			a.Backend, a.Features = backend, features
			data, err := renderConfig(a)
			if err != nil {
				t.Fatal(err)
			}
			var tree map[string]any
			if _, err := toml.Decode(string(data), &tree); err != nil {
				t.Fatalf("%s: %v", backend, err)
			}
			if _, ok := tree["jwt_secret"]; ok {
				t.Errorf("%s %+v: regstack.toml sets jwt_secret", backend, features)
			}
			for _, line := range strings.Split(string(data), "\n") {
				if trimmed := strings.TrimLeft(line, "# \t"); strings.HasPrefix(trimmed, "jwt_secret") && strings.Contains(trimmed, "=") {
					t.Errorf("%s %+v: regstack.toml has a jwt_secret line: %q", backend, features, line)
				}
			}
		}
	}
}

// The secret gen and init write is what the app's strength check was
// calibrated on (config.CheckJWTSecret, tested in the generated suite with
// this same shape): 64 random bytes, base64url without padding, and fresh
// every time.
func TestNewSecretsShape(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		body, err := newSecrets()
		if err != nil {
			t.Fatal(err)
		}
		var secret string
		for _, line := range strings.Split(string(body), "\n") {
			if v, ok := strings.CutPrefix(line, "REGSTACK_JWT_SECRET="); ok {
				secret = v
			} else if line != "" && !strings.HasPrefix(line, "#") {
				t.Fatalf("unexpected line %q", line)
			}
		}
		key, err := base64.RawURLEncoding.DecodeString(secret)
		if err != nil || len(key) != 64 || bytes.Count(key, key[:1]) == 64 {
			t.Fatalf("REGSTACK_JWT_SECRET %q: %d bytes, %v", secret, len(key), err)
		}
		if seen[secret] {
			t.Fatal("the same secret twice")
		}
		seen[secret] = true
	}
}
