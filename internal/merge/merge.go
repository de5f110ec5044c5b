package merge

import (
	"bytes"
	"go/format"
	"strings"
)

// Labels name the three sides in conflict markers.
type Labels struct {
	Yours string // the file as the user has it, e.g. "yours"
	Base  string // what the generator wrote last time, e.g. "regstack v0.1.0"
	Their string // what the generator writes now, e.g. "regstack v0.2.0"
}

// Marker prefixes, as git writes them with merge.conflictStyle=diff3.
const (
	MarkerYours = "<<<<<<< "
	MarkerBase  = "||||||| "
	MarkerSep   = "======="
	MarkerTheir = ">>>>>>> "
)

// Result is a merged file.
type Result struct {
	Data []byte
	// Conflicts counts the conflict blocks written into Data.
	Conflicts int
}

// Merge3 merges the changes from base to yours and from base to theirs.
// Regions changed on one side take that side; regions changed identically
// on both sides take the change once; regions changed differently on both
// sides, or changes that touch each other, become a conflict block:
//
//	<<<<<<< yours
//	(your lines)
//	||||||| regstack v0.1.0
//	(the lines as the generator wrote them last time)
//	=======
//	(the generator's new lines)
//	>>>>>>> regstack v0.2.0
//
// Every line of yours that is not in base therefore ends up in the result,
// either merged or inside a conflict block, and when yours equals base the
// result is exactly theirs.
func Merge3(base, yours, theirs []byte, l Labels) Result {
	o, a, b := splitLines(base), splitLines(yours), splitLines(theirs)
	in := interner{}
	oi, ai, bi := in.ids(o), in.ids(a), in.ids(b)
	ha, hb := diffIDs(oi, ai), diffIDs(oi, bi)

	var out bytes.Buffer
	res := Result{}
	write := func(lines [][]byte) {
		for _, ln := range lines {
			out.Write(ln)
		}
	}
	pos := 0 // next base line not yet copied
	for len(ha) > 0 || len(hb) > 0 {
		// Start a group with the earliest hunk and pull in every hunk of
		// either side whose base range overlaps or touches the group.
		var ga, gb []hunk
		take := func() {
			if len(hb) == 0 || (len(ha) > 0 && ha[0].o0 <= hb[0].o0) {
				ga = append(ga, ha[0])
				ha = ha[1:]
			} else {
				gb = append(gb, hb[0])
				hb = hb[1:]
			}
		}
		take()
		lo, hi := groupRange(ga, gb)
		for {
			switch {
			case len(ha) > 0 && ha[0].o0 <= hi:
				ga = append(ga, ha[0])
				ha = ha[1:]
			case len(hb) > 0 && hb[0].o0 <= hi:
				gb = append(gb, hb[0])
				hb = hb[1:]
			default:
				goto grouped
			}
			lo, hi = groupRange(ga, gb)
		}
	grouped:
		write(o[pos:lo])
		pos = hi
		sa := side(o, a, ga, lo, hi)
		sb := side(o, b, gb, lo, hi)
		switch {
		case len(gb) == 0:
			write(sa)
		case len(ga) == 0:
			write(sb)
		case equalLines(sa, sb):
			write(sa)
		default:
			res.Conflicts++
			out.WriteString(MarkerYours + l.Yours + "\n")
			writeTerminated(&out, sa)
			out.WriteString(MarkerBase + l.Base + "\n")
			writeTerminated(&out, o[lo:hi])
			out.WriteString(MarkerSep + "\n")
			writeTerminated(&out, sb)
			out.WriteString(MarkerTheir + l.Their + "\n")
		}
	}
	write(o[pos:])
	res.Data = out.Bytes()
	return res
}

// groupRange is the base range covered by the hunks of a group.
func groupRange(ga, gb []hunk) (lo, hi int) {
	lo, hi = -1, -1
	for _, hs := range [][]hunk{ga, gb} {
		for _, h := range hs {
			if lo < 0 || h.o0 < lo {
				lo = h.o0
			}
			if h.o1 > hi {
				hi = h.o1
			}
		}
	}
	return lo, hi
}

// side returns one side's lines for base range [lo,hi): base lines where
// the side has no hunk, the side's own lines where it has. Between and
// around its hunks the side equals base, so the offsets carry over.
func side(o, s [][]byte, hs []hunk, lo, hi int) [][]byte {
	if len(hs) == 0 {
		return o[lo:hi]
	}
	first, last := hs[0], hs[len(hs)-1]
	return s[first.s0-(first.o0-lo) : last.s1+(hi-last.o1)]
}

func equalLines(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// writeTerminated writes lines and ends the last one with a newline, so a
// side that lacks a final newline cannot glue itself to the next marker.
func writeTerminated(out *bytes.Buffer, lines [][]byte) {
	for _, ln := range lines {
		out.Write(ln)
	}
	if n := len(lines); n > 0 && !bytes.HasSuffix(lines[n-1], []byte("\n")) {
		out.WriteByte('\n')
	}
}

// File merges one file. Go files (by name) are gofmt'd on all three sides
// first, so a difference in formatting alone never conflicts, and a clean
// Go result is gofmt'd again; a side that does not parse is merged as it
// is.
func File(name string, base, yours, theirs []byte, l Labels) Result {
	isGo := strings.HasSuffix(name, ".go")
	if isGo {
		base, yours, theirs = Gofmt(base), Gofmt(yours), Gofmt(theirs)
	}
	r := Merge3(base, yours, theirs, l)
	if isGo && r.Conflicts == 0 {
		r.Data = Gofmt(r.Data)
	}
	return r
}

// Gofmt returns src formatted by gofmt, or src unchanged if it does not
// parse.
func Gofmt(src []byte) []byte {
	out, err := format.Source(src)
	if err != nil {
		return src
	}
	return out
}

// HasConflictMarkers reports whether data still holds a conflict block
// written by Merge3 with the given labels: a line "<<<<<<< yours" and a
// later line starting ">>>>>>> ". Only a line's start counts: the same
// text inside an earlier line must not hide a block after it (FuzzMerge3's
// seed 7c87a4e2c87c20f4).
func HasConflictMarkers(data []byte, l Labels) bool {
	start := []byte(MarkerYours + l.Yours + "\n")
	i := 0
	if !bytes.HasPrefix(data, start) {
		if i = bytes.Index(data, append([]byte("\n"), start...)); i < 0 {
			return false
		}
		i++ // past the newline
	}
	rest := data[i+len(start):]
	return bytes.HasPrefix(rest, []byte(MarkerTheir)) || bytes.Contains(rest, []byte("\n"+MarkerTheir))
}
