package merge

import (
	"bytes"
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

var labels = Labels{Yours: "yours", Base: "regstack v1", Their: "regstack v2"}

func lines(s ...string) []byte {
	if len(s) == 0 {
		return nil
	}
	return []byte(strings.Join(s, "\n") + "\n")
}

func TestMerge3Clean(t *testing.T) {
	base := lines("a", "b", "c", "d", "e", "f", "g")
	tests := []struct {
		name          string
		yours, theirs []byte
		want          []byte
	}{
		{"nobody changed", base, base, base},
		{"only yours", lines("a", "B", "c", "d", "e", "f", "g"), base, lines("a", "B", "c", "d", "e", "f", "g")},
		{"only theirs", base, lines("a", "b", "c", "d", "e", "F", "g"), lines("a", "b", "c", "d", "e", "F", "g")},
		{"far apart", lines("a", "B", "c", "d", "e", "f", "g"), lines("a", "b", "c", "d", "e", "F", "g"), lines("a", "B", "c", "d", "e", "F", "g")},
		{"same change both sides", lines("a", "X", "c", "d", "e", "f", "g"), lines("a", "X", "c", "d", "e", "f", "g"), lines("a", "X", "c", "d", "e", "f", "g")},
		{"insert and delete far apart", lines("new", "a", "b", "c", "d", "e", "f", "g"), lines("a", "b", "c", "d", "e", "g"), lines("new", "a", "b", "c", "d", "e", "g")},
		{"both append at different places", lines("a", "b", "y", "c", "d", "e", "f", "g"), lines("a", "b", "c", "d", "e", "f", "g", "t"), lines("a", "b", "y", "c", "d", "e", "f", "g", "t")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Merge3(base, tt.yours, tt.theirs, labels)
			if r.Conflicts != 0 || !bytes.Equal(r.Data, tt.want) {
				t.Errorf("Merge3: %d conflicts\n%s\nwant:\n%s", r.Conflicts, r.Data, tt.want)
			}
		})
	}
}

func TestMerge3Conflict(t *testing.T) {
	base := lines("a", "b", "c")
	r := Merge3(base, lines("a", "mine", "c"), lines("a", "theirs", "c"), labels)
	want := lines("a", "<<<<<<< yours", "mine", "||||||| regstack v1", "b", "=======", "theirs", ">>>>>>> regstack v2", "c")
	if r.Conflicts != 1 || !bytes.Equal(r.Data, want) {
		t.Fatalf("got %d conflicts:\n%s\nwant:\n%s", r.Conflicts, r.Data, want)
	}
	if !HasConflictMarkers(r.Data, labels) {
		t.Error("HasConflictMarkers misses the block Merge3 wrote")
	}
	if HasConflictMarkers(base, labels) {
		t.Error("HasConflictMarkers on a clean file")
	}
}

func TestMerge3NoFinalNewline(t *testing.T) {
	base := []byte("a\nb")
	r := Merge3(base, []byte("a\nmine"), []byte("a\ntheirs"), labels)
	want := "a\n<<<<<<< yours\nmine\n||||||| regstack v1\nb\n=======\ntheirs\n>>>>>>> regstack v2\n"
	if string(r.Data) != want {
		t.Errorf("got\n%q\nwant\n%q", r.Data, want)
	}
	r = Merge3([]byte("a\nb\nc"), []byte("x\nb\nc"), []byte("a\nb\nc\n"), labels)
	if r.Conflicts != 0 || string(r.Data) != "x\nb\nc\n" {
		t.Errorf("got %d conflicts %q", r.Conflicts, r.Data)
	}
}

func TestFileGofmtsGoSides(t *testing.T) {
	base := []byte("package p\n\nfunc A() int {\n\treturn 1\n}\n\nfunc B() int {\n\treturn 2\n}\n")
	// The user changed A and left B badly indented (as an editor without
	// gofmt would); the generator changed B.
	yours := []byte("package p\n\nfunc A() int {\n    return 10\n}\n\nfunc   B() int {\n        return 2\n}\n")
	theirs := []byte("package p\n\nfunc A() int {\n\treturn 1\n}\n\nfunc B() int {\n\treturn 20\n}\n")
	r := File("x.go", base, yours, theirs, labels)
	want := "package p\n\nfunc A() int {\n\treturn 10\n}\n\nfunc B() int {\n\treturn 20\n}\n"
	if r.Conflicts != 0 || string(r.Data) != want {
		t.Errorf("File: %d conflicts\n%s", r.Conflicts, r.Data)
	}
	// A side that does not parse is merged as it is.
	broken := []byte("package p\n\nfunc A() int {\n\treturn 1 \n\nfunc B() int {\n\treturn 2\n}\n")
	r = File("x.go", base, broken, theirs, labels)
	if !bytes.Contains(r.Data, []byte("return 1 \n")) {
		t.Errorf("unparsable side was altered:\n%s", r.Data)
	}
}

func TestDiffIsAnEditScript(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 300; i++ {
		a := randomLines(rng, rng.Intn(30), 5)
		b := randomLines(rng, rng.Intn(30), 5)
		al, bl := splitLines(a), splitLines(b)
		hs := diffLines(al, bl)
		// Applying the hunks to a gives b, and lines outside hunks match.
		var got bytes.Buffer
		pos := 0
		for _, h := range hs {
			for _, l := range al[pos:h.o0] {
				got.Write(l)
			}
			for _, l := range bl[h.s0:h.s1] {
				got.Write(l)
			}
			pos = h.o1
		}
		for _, l := range al[pos:] {
			got.Write(l)
		}
		if !bytes.Equal(got.Bytes(), b) {
			t.Fatalf("case %d: hunks do not rebuild b\na=%q\nb=%q\nhunks=%v", i, a, b, hs)
		}
		// Minimality against a plain LCS.
		if edits(hs) != len(al)+len(bl)-2*lcs(al, bl) {
			t.Fatalf("case %d: diff is not minimal: %d edits, LCS says %d", i, edits(hs), len(al)+len(bl)-2*lcs(al, bl))
		}
	}
}

func edits(hs []hunk) int {
	n := 0
	for _, h := range hs {
		n += h.o1 - h.o0 + h.s1 - h.s0
	}
	return n
}

func lcs(a, b [][]byte) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if bytes.Equal(a[i], b[j]) {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}

func randomLines(rng *rand.Rand, n, alphabet int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%c\n", 'a'+rng.Intn(alphabet))
	}
	return b.Bytes()
}

func TestDiffFallsBackBeyondLimit(t *testing.T) {
	var a, b bytes.Buffer
	for i := 0; i < maxEditDistance; i++ {
		fmt.Fprintf(&a, "a%d\n", i)
		fmt.Fprintf(&b, "b%d\n", i)
	}
	hs := diffLines(splitLines(a.Bytes()), splitLines(b.Bytes()))
	if len(hs) != 1 || hs[0] != (hunk{0, maxEditDistance, 0, maxEditDistance}) {
		t.Errorf("got %v", hs)
	}
}

func TestUnified(t *testing.T) {
	a := lines("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
	b := lines("1", "2", "3", "4", "FIVE", "6", "7", "8", "9", "10", "11", "12", "13")
	got := string(Unified("a/x", "b/x", a, b))
	want := `--- a/x
+++ b/x
@@ -2,7 +2,7 @@
 2
 3
 4
-5
+FIVE
 6
 7
 8
@@ -10,3 +10,4 @@
 10
 11
 12
+13
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if Unified("a", "b", a, a) != nil {
		t.Error("equal inputs gave a diff")
	}
	got = string(Unified("/dev/null", "b/new", nil, []byte("x")))
	if got != "--- /dev/null\n+++ b/new\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n" {
		t.Errorf("new file diff:\n%s", got)
	}
}

// TestHasConflictMarkers: a marker counts only at the start of a line, and
// the same text earlier inside a line does not hide a real block after it
// (what FuzzMerge3 found: an upgrade would have called such a file resolved).
func TestHasConflictMarkers(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want bool
	}{
		{"block", "a\n<<<<<<< yours\nx\n=======\ny\n>>>>>>> regstack v2\n", true},
		{"block at the start", "<<<<<<< yours\nx\n>>>>>>> regstack v2\n", true},
		{"marker text inside a line, then a block", "s := \"<<<<<<< yours\n<<<<<<< yours\nx\n>>>>>>> regstack v2\n", true},
		{"marker text inside a line only", "s := \"<<<<<<< yours\nx\n>>>>>>> regstack v2\n", false},
		{"no closing marker", "<<<<<<< yours\nx\n", false},
		{"another label", "<<<<<<< mine\nx\n>>>>>>> regstack v2\n", false},
		{"none", "a\nb\n", false},
	} {
		if got := HasConflictMarkers([]byte(tc.data), labels); got != tc.want {
			t.Errorf("%s: HasConflictMarkers(%q) = %v, want %v", tc.name, tc.data, got, tc.want)
		}
	}
}
