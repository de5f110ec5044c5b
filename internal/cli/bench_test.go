package cli

import "testing"

// BenchmarkGen measures a full gen run: interview-free answers, render of
// every blueprint, gofmt, atomic writes of every file and the provenance,
// into a fresh folder each iteration (no go get / go mod tidy).
func BenchmarkGen(b *testing.B) {
	for b.Loop() {
		dir := b.TempDir()
		if r := runCLI(b, "", "gen", "--yes", "--no-tidy", "--dir", dir); r.code != 0 {
			b.Fatalf("exit %d: %s", r.code, r.stderr)
		}
	}
}
