package merge

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// edit applies random line edits to base: replacements, deletions and
// insertions of fresh lines named prefix<n>. Base lines are unique ("b<i>")
// and so are the fresh ones, so every line says where it came from.
func edit(rng *rand.Rand, base []string, prefix string, maxEdits int) []string {
	out := slices.Clone(base)
	fresh := 0
	for n := rng.Intn(maxEdits + 1); n > 0; n-- {
		i := rng.Intn(len(out) + 1)
		switch op := rng.Intn(3); {
		case op == 0 && i < len(out): // replace 1–3 lines
			k := min(1+rng.Intn(3), len(out)-i)
			repl := make([]string, 1+rng.Intn(3))
			for j := range repl {
				repl[j] = fmt.Sprintf("%s%d", prefix, fresh)
				fresh++
			}
			out = slices.Replace(out, i, i+k, repl...)
		case op == 1 && i < len(out): // delete 1–2 lines
			out = slices.Delete(out, i, min(i+1+rng.Intn(2), len(out)))
		default: // insert a line
			out = slices.Insert(out, i, fmt.Sprintf("%s%d", prefix, fresh))
			fresh++
		}
	}
	return out
}

func join(ls []string) []byte {
	if len(ls) == 0 {
		return nil
	}
	return []byte(strings.Join(ls, "\n") + "\n")
}

// resolve replaces every conflict block by one of its sides.
func resolve(t *testing.T, merged []byte, takeYours bool) []string {
	t.Helper()
	var out []string
	state := "" // "", "yours", "base", "theirs"
	for _, l := range strings.Split(strings.TrimSuffix(string(merged), "\n"), "\n") {
		switch {
		case l == MarkerYours+labels.Yours:
			state = "yours"
		case l == MarkerBase+labels.Base:
			state = "base"
		case l == MarkerSep:
			state = "theirs"
		case l == MarkerTheir+labels.Their:
			state = ""
		case state == "", state == "yours" && takeYours, state == "theirs" && !takeYours:
			out = append(out, l)
		}
	}
	if string(merged) == "" {
		return nil
	}
	return out
}

// without drops the lines in drop and the lines starting with prefix.
func without(ls []string, prefix string, drop map[string]bool) []string {
	var out []string
	for _, l := range ls {
		if !strings.HasPrefix(l, prefix) && !drop[l] {
			out = append(out, l)
		}
	}
	return out
}

func deleted(base, side []string) map[string]bool {
	kept := map[string]bool{}
	for _, l := range side {
		kept[l] = true
	}
	gone := map[string]bool{}
	for _, l := range base {
		if !kept[l] {
			gone[l] = true
		}
	}
	return gone
}

// TestMergeProperties runs hundreds of random three-way merges and checks
// what the upgrade promises: no edit by the user is lost (every line the
// user wrote is in the result, merged or inside a conflict block), and
// wherever the user changed nothing the result is exactly the generator's
// output.
func TestMergeProperties(t *testing.T) {
	seed := int64(20260501)
	rng := rand.New(rand.NewSource(seed))
	conflicted := 0
	const cases = 800
	for c := 0; c < cases; c++ {
		base := make([]string, rng.Intn(25))
		for i := range base {
			base[i] = fmt.Sprintf("b%d", i)
		}
		yours := edit(rng, base, "u", 4)
		theirs := edit(rng, base, "g", 4)
		if rng.Intn(8) == 0 {
			yours = slices.Clone(base)
		}
		r := Merge3(join(base), join(yours), join(theirs), labels)
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("seed %d case %d: %s\nbase=%v\nyours=%v\ntheirs=%v\nresult:\n%s", seed, c, fmt.Sprintf(format, args...), base, yours, theirs, r.Data)
		}
		resultLines := map[string]int{}
		for _, l := range strings.Split(string(r.Data), "\n") {
			resultLines[l]++
		}
		// 1. Every line the user or the generator wrote is there.
		for _, l := range append(slices.Clone(yours), theirs...) {
			if (strings.HasPrefix(l, "u") || strings.HasPrefix(l, "g")) && resultLines[l] == 0 {
				fail("line %s lost", l)
			}
		}
		// 2. An untouched file becomes exactly the generator's output.
		if slices.Equal(yours, base) && string(r.Data) != string(join(theirs)) {
			fail("user changed nothing, result differs from the generator's output")
		}
		if slices.Equal(theirs, base) && string(r.Data) != string(join(yours)) {
			fail("generator changed nothing, result differs from the user's file")
		}
		if (r.Conflicts > 0) != HasConflictMarkers(r.Data, labels) {
			fail("Conflicts=%d but HasConflictMarkers=%v", r.Conflicts, HasConflictMarkers(r.Data, labels))
		}
		if r.Conflicts > 0 {
			conflicted++
		}
		// 3. Taking the generator's side of every conflict and removing
		// the user's own lines and deletions gives the generator's output:
		// outside the user's edits the result is the generator's, line for
		// line.
		userGone, genGone := deleted(base, yours), deleted(base, theirs)
		if got, want := without(resolve(t, r.Data, false), "u", userGone), without(theirs, "u", userGone); !slices.Equal(got, want) {
			fail("outside the user's edits the result is not the generator's output:\n got %v\nwant %v", got, want)
		}
		// 4. Symmetrically, taking the user's side of every conflict gives
		// the user's file plus only the generator's changes: nothing of the
		// user's is lost or moved.
		if got, want := without(resolve(t, r.Data, true), "g", genGone), without(yours, "g", genGone); !slices.Equal(got, want) {
			fail("the user's side of the result is not the user's file:\n got %v\nwant %v", got, want)
		}
	}
	// The generator must actually exercise both outcomes.
	if conflicted < cases/10 || conflicted > cases*9/10 {
		t.Errorf("%d of %d cases conflicted; the generator of edits is unbalanced", conflicted, cases)
	}
	t.Logf("%d cases, %d with conflicts", cases, conflicted)
}
