// Package apply writes a rendered file set into a host folder. Every file is
// written to a temporary sibling and renamed into place, so a run that is
// killed leaves each file either as it was or complete, never half-written.
package apply

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File is one file to write, with a slash-separated path relative to the
// host root.
type File struct {
	Path string
	Data []byte
	Perm fs.FileMode
}

// Existing returns the paths (in the given order) that already exist below
// root. Anything at the path counts, a folder too: writing there would
// replace or fail on it.
func Existing(root string, paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		name, err := HostPath(root, p)
		if err != nil {
			return nil, err
		}
		if _, err := os.Lstat(name); err == nil {
			out = append(out, p)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return out, nil
}

// WriteAll writes files below root in order, each atomically, and calls
// written after each one. It stops at the first failure; files written
// before it stay written (each of them complete). Each folder is synced once
// at the end rather than after every file.
func WriteAll(root string, files []File, written func(path string)) error {
	var dirs []string
	seen := map[string]bool{}
	for _, f := range files {
		name, err := HostPath(root, f.Path)
		if err != nil {
			return err
		}
		if err := writeFile(name, f.Data, f.Perm, writeData); err != nil {
			return fmt.Errorf("write %s: %w", f.Path, err)
		}
		if d := filepath.Dir(name); !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
		if written != nil {
			written(f.Path)
		}
	}
	for _, d := range dirs {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

// HostPath joins root and the slash path p of a file in the host. It
// refuses paths that would leave root, so a faulty blueprint or a tampered
// manifest cannot make gen or an upgrade touch a file outside the host.
func HostPath(root, p string) (string, error) {
	local := filepath.FromSlash(p)
	if !filepath.IsLocal(local) {
		return "", fmt.Errorf("refusing to touch %q: not a path inside the host folder", p)
	}
	return filepath.Join(root, local), nil
}

// WriteFile atomically replaces (or creates) name with data and perm,
// creating missing parent folders.
func WriteFile(name string, data []byte, perm fs.FileMode) error {
	if err := writeFile(name, data, perm, writeData); err != nil {
		return err
	}
	return syncDir(filepath.Dir(name))
}

func writeData(f *os.File, b []byte) error {
	_, err := f.Write(b)
	return err
}

// writeFile writes through a temporary file and renames it over name; the
// caller syncs the folder. The data write is a parameter so tests can make
// it fail halfway.
func writeFile(name string, data []byte, perm fs.FileMode, write func(*os.File, []byte) error) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".regstack-*")
	if err != nil {
		return err
	}
	// Until the rename succeeds the temporary file is ours to remove; after
	// it, the name no longer exists and Remove is a no-op.
	defer os.Remove(tmp.Name())
	if err := write(tmp, data); err != nil {
		tmp.Close()
		return err
	}
	// Chmod rather than a create mode, so the umask cannot widen or narrow
	// what the caller asked for (0600 for secrets).
	if err := tmp.Chmod(perm); err != nil {
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
	return os.Rename(tmp.Name(), name)
}

// syncDir makes the rename durable. Filesystems that cannot sync a
// directory report EINVAL, which is not worth failing a run for.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) && !isEINVAL(err) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
