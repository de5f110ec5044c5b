package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"runtime/debug"

	"golang.org/x/mod/semver"

	"github.com/regstack/regstack/blueprints"
	"github.com/regstack/regstack/internal/configkeys"
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
		Version = buildVersion(info, blueprints.FS, configkeys.Source)
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
//     short hash of the trees that decide what is generated (the embedded
//     blueprints and the config emitters' source): v0.1.0-dev+bp.1a2b3c4d,
//     so builds with different blueprints or emitters still differ.
func buildVersion(info *debug.BuildInfo, trees ...fs.FS) string {
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
	if sum, err := treeHash(trees...); err == nil && sum != "" {
		return devVersion + "+bp." + sum[:8]
	}
	return devVersion
}

// treeHash is the hex SHA-256 of every regular file of the trees, each
// with its tree's position and its path, in walk (lexical) order; "" when
// every tree is nil.
func treeHash(trees ...fs.FS) (string, error) {
	h := sha256.New()
	hashed := false
	for i, tree := range trees {
		if tree == nil {
			continue
		}
		hashed = true
		if err := hashTree(h, i, tree); err != nil {
			return "", err
		}
	}
	if !hashed {
		return "", nil
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashTree(h io.Writer, index int, tree fs.FS) error {
	return fs.WalkDir(tree, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := fs.ReadFile(tree, path)
		if err != nil {
			return err
		}
		// Tree, path and length first, so that no two sets of trees hash
		// the same stream.
		fmt.Fprintf(h, "%d\x00%s\x00%d\x00", index, path, len(data))
		_, err = h.Write(data)
		return err
	})
}
