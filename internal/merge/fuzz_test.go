package merge

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// editScript applies line edits read from script to base: each edit takes
// three bytes (operation, position, size) and replaces, deletes or inserts
// lines, the new ones named prefix<n>. It is property_test.go's edit with
// the fuzzer choosing the edits instead of a random source, so coverage
// guidance can steer them.
func editScript(script []byte, base []string, prefix string) []string {
	out := slices.Clone(base)
	fresh := 0
	next := func() string {
		fresh++
		return fmt.Sprintf("%s%d", prefix, fresh-1)
	}
	for len(script) >= 3 && fresh < 64 {
		op, pos, size, count := script[0]%3, int(script[1]), 1+int(script[2]%3), 1+int(script[2]/3%3)
		script = script[3:]
		i := pos % (len(out) + 1)
		switch {
		case op == 0 && i < len(out): // replace 1..3 lines by 1..3 new ones
			repl := make([]string, count)
			for j := range repl {
				repl[j] = next()
			}
			out = slices.Replace(out, i, min(i+size, len(out)), repl...)
		case op == 1 && i < len(out): // delete 1..2 lines
			out = slices.Delete(out, i, min(i+1+size%2, len(out)))
		default: // insert a line
			out = slices.Insert(out, i, next())
		}
	}
	return out
}

// FuzzMerge3Edits is TestMergeProperties with the fuzzer writing the two
// edit scripts: base lines are unique ("b<i>"), so are the lines each side
// adds ("u<n>" for the user, "g<n>" for the generator), and the upgrade's
// promises are checked on every merge: no line either side wrote is lost
// (merged or inside a conflict block); an untouched side gives exactly the
// other; Conflicts agrees with the markers; taking one side of every
// conflict gives that side's file plus only the other side's changes.
func FuzzMerge3Edits(f *testing.F) {
	f.Add(uint8(10), []byte{0, 3, 0}, []byte{2, 7, 0})  // far apart: clean
	f.Add(uint8(10), []byte{0, 3, 0}, []byte{0, 3, 1})  // same line: conflict
	f.Add(uint8(10), []byte{1, 4, 1}, []byte{2, 5, 0})  // delete next to an insertion
	f.Add(uint8(0), []byte{2, 0, 0}, []byte{2, 0, 0})   // both insert into nothing
	f.Add(uint8(3), []byte{1, 0, 1, 1, 0, 1}, []byte{}) // user deletes everything
	f.Add(uint8(24), []byte("user edits"), []byte("generator"))
	f.Add(uint8(5), []byte{}, []byte{0, 0, 2, 0, 4, 2})
	f.Fuzz(func(t *testing.T, n uint8, userScript, genScript []byte) {
		base := make([]string, int(n)%40)
		for i := range base {
			base[i] = fmt.Sprintf("b%d", i)
		}
		yours := editScript(userScript, base, "u")
		theirs := editScript(genScript, base, "g")
		r := Merge3(join(base), join(yours), join(theirs), labels)
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("%s\nbase=%v\nyours=%v\ntheirs=%v\nresult:\n%s", fmt.Sprintf(format, args...), base, yours, theirs, r.Data)
		}
		resultLines := map[string]int{}
		for _, l := range strings.Split(string(r.Data), "\n") {
			resultLines[l]++
		}
		for _, l := range append(slices.Clone(yours), theirs...) {
			if (strings.HasPrefix(l, "u") || strings.HasPrefix(l, "g")) && resultLines[l] == 0 {
				fail("line %s lost", l)
			}
		}
		if slices.Equal(yours, base) && !bytes.Equal(r.Data, join(theirs)) {
			fail("user changed nothing, result differs from the generator's output")
		}
		if slices.Equal(theirs, base) && !bytes.Equal(r.Data, join(yours)) {
			fail("generator changed nothing, result differs from the user's file")
		}
		if (r.Conflicts > 0) != HasConflictMarkers(r.Data, labels) {
			fail("Conflicts=%d but HasConflictMarkers=%v", r.Conflicts, HasConflictMarkers(r.Data, labels))
		}
		if r.Conflicts == 0 {
			// Without a conflict no base line either side kept is lost,
			// and none either side deleted survives.
			userGone, genGone := deleted(base, yours), deleted(base, theirs)
			for _, l := range base {
				kept := !userGone[l] && !genGone[l]
				if kept != (resultLines[l] > 0) {
					fail("base line %s kept by both sides: %v, in the result: %v", l, kept, resultLines[l] > 0)
				}
			}
		}
		userGone, genGone := deleted(base, yours), deleted(base, theirs)
		if got, want := without(resolve(t, r.Data, false), "u", userGone), without(theirs, "u", userGone); !slices.Equal(got, want) {
			fail("outside the user's edits the result is not the generator's output:\n got %v\nwant %v", got, want)
		}
		if got, want := without(resolve(t, r.Data, true), "g", genGone), without(yours, "g", genGone); !slices.Equal(got, want) {
			fail("the user's side of the result is not the user's file:\n got %v\nwant %v", got, want)
		}
	})
}

// lineSet is the set of data's lines, without their terminators.
func lineSet(data []byte) map[string]bool {
	out := map[string]bool{}
	for _, l := range bytes.Split(data, []byte("\n")) {
		out[string(bytes.TrimSuffix(l, []byte("\r")))] = true
	}
	return out
}

// FuzzMerge3 merges arbitrary bytes: no line structure, repeated lines,
// missing final newlines, CRLF, NUL, lines that look like conflict
// markers. Properties: it never panics; a side equal to base gives exactly
// the other side; identical sides give that side; every line of yours or
// theirs that base does not have is in the result (merged, or inside a
// conflict block); a merge without conflicts never adds a line that none of
// the three inputs has; and Conflicts > 0 always leaves markers behind.
func FuzzMerge3(f *testing.F) {
	for _, s := range [][3]string{
		{"a\nb\nc\n", "a\nB\nc\n", "a\nb\nC\n"},
		{"a\nb\nc\n", "a\nX\nc\n", "a\nY\nc\n"},
		{"a\nb", "a\nb\nc", "z\na\nb"},
		{"", "x\n", "y\n"},
		{"", "", ""},
		{"a\r\nb\r\n", "a\r\nB\r\n", "A\r\nb\r\n"},
		{"x\nx\nx\nx\n", "x\ny\nx\nx\n", "x\nx\nx\nz\n"},
		{"a\n", "<<<<<<< yours\na\n", "a\n>>>>>>> regstack v2\n"},
		{"package p\n\nfunc f() {}\n", "package p\n\n// doc\nfunc f() {}\n", "package p\n\nfunc f() { return }\n"},
		{"\x00\n\xff\n", "\x00\n", "\xff\n"},
	} {
		f.Add([]byte(s[0]), []byte(s[1]), []byte(s[2]))
	}
	f.Fuzz(func(t *testing.T, base, yours, theirs []byte) {
		r := Merge3(base, yours, theirs, labels)
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("%s\nbase=%q\nyours=%q\ntheirs=%q\nresult=%q", fmt.Sprintf(format, args...), base, yours, theirs, r.Data)
		}
		switch {
		case bytes.Equal(yours, base) && !bytes.Equal(r.Data, theirs):
			fail("yours equals base, result is not theirs")
		case bytes.Equal(theirs, base) && !bytes.Equal(r.Data, yours):
			fail("theirs equals base, result is not yours")
		case bytes.Equal(yours, theirs) && !bytes.Equal(r.Data, yours):
			fail("both sides made the same change, result is not that side")
		case r.Conflicts < 0, r.Conflicts > 0 && !HasConflictMarkers(r.Data, labels):
			fail("Conflicts=%d, markers %v", r.Conflicts, HasConflictMarkers(r.Data, labels))
		}
		got, inBase := lineSet(r.Data), lineSet(base)
		for _, side := range [][]byte{yours, theirs} {
			for l := range lineSet(side) {
				if !inBase[l] && !got[l] {
					fail("line %q lost", l)
				}
			}
		}
		if r.Conflicts == 0 {
			known := lineSet(yours)
			for l := range lineSet(theirs) {
				known[l] = true
			}
			for l := range inBase {
				known[l] = true
			}
			for l := range got {
				if !known[l] {
					fail("clean merge made up the line %q", l)
				}
			}
		}
	})
}
