package cli

import (
	"path/filepath"
	"testing"

	"github.com/regstack/regstack/generator/golden"
)

// goldenDir is testdata/golden at the repository root.
var goldenDir = filepath.Join("..", "..", "testdata", "golden")

// TestGolden generates each scenario into a fresh folder and compares every
// file with the committed tree under testdata/golden/<scenario>/, except the
// secrets file, whose JWT secret is random. Refresh with
//
//	make golden    # go test ./generator/cli -update
func TestGolden(t *testing.T) {
	scenarios := map[string][]string{
		// spec.Defaults() into an empty folder: the starter host included.
		"defaults": nil,
		// Every optional flow off.
		"minimal": {"--require-verification=false", "--password-reset=false", "--account-deletion=false", "--admin=false"},
		// The defaults on each server backend: the one store
		// implementation, the database_url and the README differ.
		"postgres-defaults": {"--backend", "postgres"},
		"mongo-defaults":    {"--backend", "mongo"},
	}
	for name, flags := range scenarios {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			mustGen(t, append([]string{"--yes", "--no-tidy", "--dir", dir}, flags...)...)
			golden.Check(t, filepath.Join(goldenDir, name), golden.Tree(t, dir, SecretsFile))
		})
	}
}
