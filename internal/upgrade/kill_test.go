package upgrade

import (
	"bufio"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/regstack/regstack/internal/blueprint"
	"github.com/regstack/regstack/internal/generate"
)

// The kill test runs upgrades in a child process (this test binary, told
// by helperEnv to act as the upgrader) and SIGKILLs it at random points.
const helperEnv = "REGSTACK_UPGRADE_HELPER"

func TestMain(m *testing.M) {
	if dir := os.Getenv(helperEnv); dir != "" {
		os.Exit(helperMain(dir))
	}
	os.Exit(m.Run())
}

// helperMain upgrades dir to the v2 miniature blueprints the way the CLI
// does (finish an interrupted run, then plan and apply), printing a line
// per file written and pausing after each so the parent can kill it
// mid-run.
func helperMain(dir string) int {
	out := bufio.NewWriter(os.Stdout)
	progress := func(path string, removed bool) {
		fmt.Fprintln(out, "done", path)
		out.Flush()
		time.Sleep(time.Millisecond)
	}
	if err := runUpgrade(dir, progress); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func runUpgrade(dir string, progress Progress) error {
	if _, skipped, err := Resume(dir, progress); err != nil {
		return err
	} else if len(skipped) > 0 {
		return fmt.Errorf("resume skipped %v", skipped)
	}
	tr, err := loadTree(filepath.Join("..", "..", "testdata", "upgrade", "v2"))
	if err != nil {
		return err
	}
	p, err := Prepare(Options{Root: dir, Tree: tr, Version: "v2.0.0"})
	if err != nil {
		return err
	}
	return p.Apply(progress)
}

// killHost is a v1 host with edits that exercise every kind of write:
// replace, merge, conflict, add, remove, regenerate.
func killHost(t *testing.T) string {
	dir := t.TempDir()
	genHost(t, dir, tree(t, "v1"), testAnswers(), "v1.0.0")
	replaceIn(t, dir, pkg+"auth.go", "return strings.ToLower(email)", "return strings.ToUpper(email)")
	replaceIn(t, dir, pkg+"README.txt", "The auth package.", "Ours.")
	replaceIn(t, dir, pkg+"store/sqlite/sqlitedb/models.go", "Email string", "Email string // x")
	return dir
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func isTemp(p string) bool {
	return strings.HasPrefix(filepath.Base(p), ".") && strings.Contains(filepath.Base(p), ".regstack-")
}

// TestKilledUpgradeIsEitherOldOrNewAndResumes kills upgrades at random
// points. Afterwards every file must be exactly as before or exactly as a
// complete upgrade leaves it (never half-written, never a third version),
// and running the upgrade again must finish the job: the same bytes as an
// upgrade that was never interrupted.
func TestKilledUpgradeIsEitherOldOrNewAndResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	template := killHost(t)
	old := files(t, template)
	refDir := t.TempDir()
	copyTree(t, template, refDir)
	if err := runUpgrade(refDir, nil); err != nil {
		t.Fatal(err)
	}
	want := files(t, refDir)
	ops := 0
	for p := range want {
		if old[p] != want[p] {
			ops++
		}
	}

	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	t.Logf("seed %d, %d files differ between old and new", seed, ops)
	const runs = 40
	interrupted := 0
	for i := 0; i < runs; i++ {
		dir := t.TempDir()
		copyTree(t, template, dir)
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"="+dir)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Let the child report k files, then kill it a random moment later.
		k := rng.Intn(ops + 4)
		sc := bufio.NewScanner(stdout)
		for n := 0; n < k && sc.Scan(); n++ {
		}
		time.Sleep(time.Duration(rng.Intn(1500)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for sc.Scan() {
		}
		err = cmd.Wait()
		if err != nil {
			interrupted++
		}

		got := files(t, dir)
		for p, content := range got {
			if isTemp(p) || p == JournalPath {
				continue
			}
			if content != old[p] && content != want[p] {
				t.Fatalf("run %d (k=%d, seed %d): %s is neither the old nor the new version:\n%q", i, k, seed, p, content)
			}
		}
		for p := range old {
			if _, ok := got[p]; !ok {
				if _, inNew := want[p]; inNew {
					t.Fatalf("run %d: %s vanished", i, p)
				}
			}
		}

		if err := runUpgrade(dir, nil); err != nil {
			t.Fatalf("run %d: re-run after the kill: %v", i, err)
		}
		final := files(t, dir)
		var diffs []string
		for p := range want {
			if final[p] != want[p] {
				diffs = append(diffs, p)
			}
		}
		for p := range final {
			if _, ok := want[p]; !ok {
				diffs = append(diffs, p+" (left over)")
			}
		}
		if len(diffs) > 0 {
			sort.Strings(diffs)
			t.Fatalf("run %d (k=%d, seed %d): after the re-run these differ from an uninterrupted upgrade: %v", i, k, seed, diffs)
		}
	}
	// Most runs must actually have been cut short, or the test proves
	// little.
	if interrupted < runs/2 {
		t.Errorf("only %d of %d runs were interrupted", interrupted, runs)
	}
	t.Logf("%d of %d runs killed before finishing", interrupted, runs)
}

func loadTree(dir string) (*blueprint.Tree, error) { return generate.LoadBlueprints(os.DirFS(dir)) }
