package hostfiles

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFile replaces path with data atomically: it writes a temporary file
// in the same folder and renames it over path, so a crash or a full disk
// leaves the old file whole, never half a file. An existing file keeps its
// permission bits; a new one gets mode. A secrets file passes
// SecretsMode and force, which applies mode even to an existing file.
func WriteFile(path string, data []byte, mode fs.FileMode, force bool) error {
	perm := mode
	if fi, err := os.Stat(path); err == nil && !force {
		perm = fi.Mode().Perm()
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	// CreateTemp makes the file 0600, so a secret is never readable by
	// others, not even before the chmod below.
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), perm); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
