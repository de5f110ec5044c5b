package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"runtime/debug"

	"golang.org/x/mod/semver"

	"github.com/regstack/regstack/blueprints"
)

// Version is the generator version: `regstack version` prints it, the
// manifest records it as the generator that wrote a host, and upgrade
// reports and conflict markers name it. Release builds may set it with
// -ldflags "-X github.com/regstack/regstack/internal/cli.Version=v1.2.3";
// left empty, it is worked out from the build (see buildVersion). Tests pin
// it so that the golden manifests do not change with every blueprint edit.
var Version string

func init() {
	if Version == "" {
		info, _ := debug.ReadBuildInfo()
		Version = buildVersion(info, blueprints.FS)
	}
}

// devVersion is the base of versions of builds that carry no module version.
const devVersion = "v0.1.0-dev"

// buildVersion names the build, so that two different builds never report
// the same version:
//
//   - the main module's version when it is a real one (`go install
//     github.com/regstack/regstack@v1.2.3`, or a pseudo-version that the go
//     command stamps from VCS information);
//   - else the VCS revision the go command recorded, with -dirty when the
//     work tree was modified: v0.1.0-dev+0123456789ab-dirty;
//   - else (no VCS information, as under the Makefile's -buildvcs=false) a
//     short hash of the embedded blueprint tree: v0.1.0-dev+bp.1a2b3c4d, so
//     builds with different blueprints still differ.
func buildVersion(info *debug.BuildInfo, tree fs.FS) string {
	if info != nil {
		if v := info.Main.Version; semver.IsValid(v) {
			return v
		}
		var rev string
		var modified bool
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if rev != "" {
			v := devVersion + "+" + rev[:min(len(rev), 12)]
			if modified {
				v += "-dirty"
			}
			return v
		}
	}
	if tree != nil {
		if sum, err := treeHash(tree); err == nil {
			return devVersion + "+bp." + sum[:8]
		}
	}
	return devVersion
}

// treeHash is the hex SHA-256 of every regular file of tree, with its path,
// in walk (lexical) order.
func treeHash(tree fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(tree, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := fs.ReadFile(tree, path)
		if err != nil {
			return err
		}
		// Path and length first, so that no two trees hash the same stream.
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
