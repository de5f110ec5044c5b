// Package merge is regstack's line-based three-way merge: the diff3
// algorithm over a Myers diff, git-style conflict markers, and the unified
// diff that `regstack gen --upgrade --dry-run` prints. It is pure Go and
// works on byte slices, so the upgrade needs neither git nor diff3 on PATH.
package merge

import "bytes"

// maxEditDistance bounds the Myers search. Beyond it two files share so
// little that a minimal diff buys nothing, and the search would cost
// quadratic memory; the middle of the files is then reported as one
// replaced block, which is still a correct (if coarse) diff.
const maxEditDistance = 2000

// splitLines cuts data into lines that keep their "\n"; a last line without
// one is kept as is. Joining the result gives data back.
func splitLines(data []byte) [][]byte {
	var lines [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			lines = append(lines, data)
			break
		}
		lines = append(lines, data[:i+1])
		data = data[i+1:]
	}
	return lines
}

// hunk says that base lines [o0,o1) became side lines [s0,s1). An empty
// base range is an insertion, an empty side range a deletion.
type hunk struct {
	o0, o1, s0, s1 int
}

// interner numbers distinct lines so the diff compares integers.
type interner map[string]int

func (in interner) ids(lines [][]byte) []int {
	out := make([]int, len(lines))
	for i, l := range lines {
		id, ok := in[string(l)]
		if !ok {
			id = len(in)
			in[string(l)] = id
		}
		out[i] = id
	}
	return out
}

// diffLines returns the hunks that turn a into b, in order.
func diffLines(a, b [][]byte) []hunk {
	in := interner{}
	return diffIDs(in.ids(a), in.ids(b))
}

func diffIDs(a, b []int) []hunk {
	// Common prefix and suffix cost nothing to find and shrink the search.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma) == 0 && len(mb) == 0 {
		return nil
	}
	matches, ok := myers(ma, mb)
	if !ok {
		return []hunk{{pre, pre + len(ma), pre, pre + len(mb)}}
	}
	// Turn the matched pairs into the gaps between them.
	var hunks []hunk
	x, y := 0, 0
	for _, m := range append(matches, [2]int{len(ma), len(mb)}) {
		if m[0] > x || m[1] > y {
			hunks = append(hunks, hunk{pre + x, pre + m[0], pre + y, pre + m[1]})
		}
		x, y = m[0]+1, m[1]+1
	}
	return hunks
}

// myers returns the index pairs (i, j) with a[i] == b[j] of a shortest edit
// script (E. Myers, "An O(ND) Difference Algorithm", 1986), in increasing
// order. ok is false when the edit distance exceeds maxEditDistance.
func myers(a, b []int) (matches [][2]int, ok bool) {
	n, m := len(a), len(b)
	limit := min(n+m, maxEditDistance)
	// v[k+off] is the furthest x reached on diagonal k. trace[d] keeps the
	// diagonals -d..d as they were after step d, for the walk back.
	off := limit + 1
	v := make([]int32, 2*limit+3)
	var trace [][]int32
	found := -1
	for d := 0; d <= limit && found < 0; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = int(v[off+k+1])
			} else {
				x = int(v[off+k-1]) + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = int32(x)
			if x >= n && y >= m {
				found = d
			}
		}
		snap := make([]int32, 2*d+1)
		copy(snap, v[off-d:off+d+1])
		trace = append(trace, snap)
	}
	if found < 0 {
		return nil, false
	}
	at := func(d, k int) int { return int(trace[d][k+d]) }
	x, y := n, m
	for d := found; d > 0; d-- {
		k := x - y
		var prevK int
		if k == -d || (k != d && at(d-1, k-1) < at(d-1, k+1)) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := at(d-1, prevK)
		prevY := prevX - prevK
		// The snake after the edit step.
		for x > prevX && y > prevY {
			x--
			y--
			matches = append(matches, [2]int{x, y})
		}
		x, y = prevX, prevY
	}
	// Step 0 is a pure snake from the origin.
	for x > 0 && y > 0 {
		x--
		y--
		matches = append(matches, [2]int{x, y})
	}
	for i, j := 0, len(matches)-1; i < j; i, j = i+1, j-1 {
		matches[i], matches[j] = matches[j], matches[i]
	}
	return matches, true
}
