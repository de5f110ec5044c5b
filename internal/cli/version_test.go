package cli

import (
	"os"
	"regexp"
	"runtime/debug"
	"testing"
	"testing/fstest"

	"github.com/regstack/regstack/blueprints"
)

// testVersion is the version the tests run as. The golden manifests
// (testdata/golden/*/want/.regstack/manifest.json, written by
// internal/generate's TestGolden as goldenVersion) record it, and
// TestGenWritesGolden compares gen's output with them; a real build's
// version carries a hash of the blueprint tree, which would change those
// files with every blueprint edit.
const testVersion = "v0.1.0-dev"

func TestMain(m *testing.M) {
	Version = testVersion
	os.Exit(m.Run())
}

func TestBuildVersion(t *testing.T) {
	tree := fstest.MapFS{"catalog.toml": {Data: []byte("x")}, "_common/a.go": {Data: []byte("package a")}}
	bp := "v0.1.0-dev+bp." + mustTreeHash(t, tree)[:8]
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"go install @tag", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: vcs("vcs.revision", rev)}, "v1.2.3"},
		{"pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20250102030405-0123456789ab+dirty"}}, "v0.0.0-20250102030405-0123456789ab+dirty"},
		{"vcs clean", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("vcs.revision", rev, "vcs.modified", "false")}, "v0.1.0-dev+0123456789ab"},
		{"vcs dirty", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("vcs", "git", "vcs.revision", rev, "vcs.modified", "true")}, "v0.1.0-dev+0123456789ab-dirty"},
		{"short revision", &debug.BuildInfo{Settings: vcs("vcs.revision", "abc")}, "v0.1.0-dev+abc"},
		{"-buildvcs=false", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("-buildvcs", "false")}, bp},
		{"no main version", &debug.BuildInfo{}, bp},
		{"no build info", nil, bp},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := buildVersion(tc.info, tree); got != tc.want {
				t.Errorf("buildVersion = %q, want %q", got, tc.want)
			}
		})
	}
	if got := buildVersion(nil, nil); got != devVersion {
		t.Errorf("buildVersion(nil, nil) = %q, want %q", got, devVersion)
	}
}

func TestBuildVersionIdentifiesBlueprints(t *testing.T) {
	// Builds without VCS information (the Makefile's -buildvcs=false) differ
	// exactly when their blueprints do.
	info := &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}
	a := fstest.MapFS{"catalog.toml": {Data: []byte("a")}, "_common/x.go": {Data: []byte("package x")}}
	same := fstest.MapFS{"catalog.toml": {Data: []byte("a")}, "_common/x.go": {Data: []byte("package x")}}
	edited := fstest.MapFS{"catalog.toml": {Data: []byte("a")}, "_common/x.go": {Data: []byte("package x ")}}
	renamed := fstest.MapFS{"catalog.toml": {Data: []byte("a")}, "_common/y.go": {Data: []byte("package x")}}
	// The same bytes split differently between path and content.
	moved := fstest.MapFS{"catalog.toml": {Data: []byte("a")}, "_common/x.g": {Data: []byte("opackage x")}}
	va := buildVersion(info, a)
	if !regexp.MustCompile(`^v0\.1\.0-dev\+bp\.[0-9a-f]{8}$`).MatchString(va) {
		t.Fatalf("version = %q, want v0.1.0-dev+bp.<8 hex digits>", va)
	}
	if got := buildVersion(info, same); got != va {
		t.Errorf("same tree: %q, want %q", got, va)
	}
	for name, tree := range map[string]fstest.MapFS{"edited": edited, "renamed": renamed, "moved": moved} {
		if got := buildVersion(info, tree); got == va {
			t.Errorf("%s tree: version %q, same as the original", name, got)
		}
	}
	// A second tree (the config emitters' source) counts too, and which
	// tree a file is in matters.
	emitters := fstest.MapFS{"emit.go": {Data: []byte("package emit")}}
	emittersEdited := fstest.MapFS{"emit.go": {Data: []byte("package emit ")}}
	vb := buildVersion(info, a, emitters)
	if vb == va || buildVersion(info, a, emittersEdited) == vb || buildVersion(info, emitters, a) == vb {
		t.Errorf("emitter source not identified: %q, edited %q, swapped %q",
			vb, buildVersion(info, a, emittersEdited), buildVersion(info, emitters, a))
	}
	// The embedded tree hashes deterministically.
	if x, y := buildVersion(info, blueprints.FS), buildVersion(info, blueprints.FS); x != y || x == devVersion {
		t.Errorf("embedded blueprints: %q then %q", x, y)
	}
}

func mustTreeHash(t *testing.T, tree fstest.MapFS) string {
	t.Helper()
	sum, err := treeHash(tree)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}
