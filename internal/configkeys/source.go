package configkeys

import "embed"

// Source is this package's own Go source. The generator's version hashes it
// together with the blueprint tree (internal/cli/version.go): the files this
// package emits are as much a part of a host as the blueprints are, so two
// builds whose emitters differ must not report the same version.
//
//go:embed *.go
var Source embed.FS
