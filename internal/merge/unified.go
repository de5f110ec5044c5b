package merge

import (
	"bytes"
	"fmt"
)

// Unified returns a unified diff (as `diff -u` and git print it) from a to
// b with three lines of context, headed "--- fromName" / "+++ toName", or
// nil when a and b are equal. A missing file is an empty a or b; name it
// /dev/null.
func Unified(fromName, toName string, a, b []byte) []byte {
	if bytes.Equal(a, b) {
		return nil
	}
	const context = 3
	al, bl := splitLines(a), splitLines(b)
	hs := diffLines(al, bl)
	var out bytes.Buffer
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", fromName, toName)
	for i := 0; i < len(hs); {
		// Hunks closer than two contexts apart share one @@ block.
		j := i
		for j+1 < len(hs) && hs[j+1].o0-hs[j].o1 <= 2*context {
			j++
		}
		o0 := max(hs[i].o0-context, 0)
		o1 := min(hs[j].o1+context, len(al))
		s0 := hs[i].s0 - (hs[i].o0 - o0)
		s1 := hs[j].s1 + (o1 - hs[j].o1)
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", span(o0, o1), span(s0, s1))
		pos := o0
		for _, h := range hs[i : j+1] {
			writePrefixed(&out, ' ', al[pos:h.o0])
			writePrefixed(&out, '-', al[h.o0:h.o1])
			writePrefixed(&out, '+', bl[h.s0:h.s1])
			pos = h.o1
		}
		writePrefixed(&out, ' ', al[pos:o1])
		i = j + 1
	}
	return out.Bytes()
}

// span formats a hunk range the way diff -u does: "start,count", with
// start 1-based, or the line before an empty range.
func span(lo, hi int) string {
	n := hi - lo
	switch {
	case n == 0:
		return fmt.Sprintf("%d,0", lo)
	case n == 1:
		return fmt.Sprintf("%d", lo+1)
	}
	return fmt.Sprintf("%d,%d", lo+1, n)
}

func writePrefixed(out *bytes.Buffer, prefix byte, lines [][]byte) {
	for _, ln := range lines {
		out.WriteByte(prefix)
		out.Write(ln)
		if !bytes.HasSuffix(ln, []byte("\n")) {
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}
