package hostfiles

import "github.com/regstack/regstack/internal/merge"

// Diff is a unified diff of a change to the host file name (a path
// relative to the host's folder), headed the way git heads one; a file
// that did not exist (old is nil) comes from /dev/null. Equal contents
// give nil. Use EnvDiff for a secrets file.
func Diff(name string, old, new []byte) []byte {
	from := "a/" + name
	if old == nil {
		from = "/dev/null"
	}
	return merge.Unified(from, "b/"+name, old, new)
}
