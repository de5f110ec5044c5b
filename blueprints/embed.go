// Package blueprints holds the templates regstack renders into a host
// project. The tree is data: catalog.toml says which file goes where, under
// which condition and in which upgrade mode.
package blueprints

import "embed"

// FS is the embedded blueprint tree. The all: prefix keeps files whose names
// start with a dot or underscore.
//
//go:embed catalog.toml all:_common all:_sqlite all:_postgres all:_mongo
var FS embed.FS
