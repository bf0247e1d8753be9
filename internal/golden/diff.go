package golden

import (
	"fmt"
	"strings"
)

// Diff limits. Myers' algorithm costs O((N+M)·D) time and, with the trace
// kept for the edit script, O(D²) memory; beyond these bounds Unified falls
// back to one coarse hunk over the changed region, which is still correct
// (every removed and added line is shown) but less minimal.
const (
	diffMaxLines = 200_000 // lines in both inputs together
	diffMaxEdits = 1_000   // D, the number of inserted plus deleted lines
	diffMaxOut   = 2_000   // lines of diff output before it is cut
)

type opKind byte

const (
	opEqual opKind = ' '
	opDel   opKind = '-'
	opIns   opKind = '+'
)

type edit struct {
	op   opKind
	a, b int // line index in a (for equal/del) and b (for equal/ins)
}

// Unified returns a unified diff of two texts, line by line, with context
// lines around each change and @@ hunk headers as diff -u writes them. It
// returns "" when the texts are equal.
func Unified(aName, bName, a, b string, context int) string {
	if a == b {
		return ""
	}
	al, bl := splitLines(a), splitLines(b)
	edits, coarse := diffLines(al, bl)
	var w strings.Builder
	fmt.Fprintf(&w, "--- %s\n+++ %s\n", aName, bName)
	if coarse {
		w.WriteString("# inputs too different for a minimal diff: the changed region is shown whole\n")
	}
	writeHunks(&w, edits, al, bl, context)
	return w.String()
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

// diffLines returns the edit script from a to b and whether it is the
// coarse fallback.
func diffLines(a, b []string) ([]edit, bool) {
	// Common prefix and suffix cost nothing to find and usually leave a
	// small middle for Myers.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var edits []edit
	for i := 0; i < pre; i++ {
		edits = append(edits, edit{opEqual, i, i})
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	mid, ok := myers(am, bm)
	if !ok {
		mid = mid[:0]
		for i := range am {
			mid = append(mid, edit{opDel, i, 0})
		}
		for j := range bm {
			mid = append(mid, edit{opIns, len(am), j})
		}
	}
	for _, e := range mid {
		e.a += pre
		e.b += pre
		edits = append(edits, e)
	}
	for i := 0; i < suf; i++ {
		edits = append(edits, edit{opEqual, len(a) - suf + i, len(b) - suf + i})
	}
	return edits, !ok
}

// myers computes a shortest edit script, or reports false when the inputs
// exceed the bounds.
func myers(a, b []string) ([]edit, bool) {
	n, m := len(a), len(b)
	if n+m > diffMaxLines {
		return nil, false
	}
	// Compare interned line numbers rather than strings.
	ids := map[string]int{}
	intern := func(ls []string) []int {
		out := make([]int, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = len(ids)
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	ai, bi := intern(a), intern(b)
	max := n + m
	if max > diffMaxEdits {
		max = diffMaxEdits
	}
	off := max + 1
	v := make([]int, 2*max+3)
	var trace [][]int
	found := false
	for d := 0; d <= max && !found; d++ {
		// Snapshot only the diagonals reachable at this d.
		snap := make([]int, 2*d+3)
		copy(snap, v[off-d-1:off+d+2])
		trace = append(trace, snap)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[off+k-1] < v[off+k+1] {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && ai[x] == bi[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	if !found {
		return nil, false
	}
	// Walk the trace backwards to recover the path.
	var rev []edit
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		snap := trace[d] // v before step d, diagonals -d-1 … d+1
		get := func(k int) int { return snap[k+d+1] }
		k := x - y
		var pk int
		if k == -d || k != d && get(k-1) < get(k+1) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := get(pk)
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, edit{opEqual, x, y})
		}
		if x == px {
			y--
			rev = append(rev, edit{opIns, x, y})
		} else {
			x--
			rev = append(rev, edit{opDel, x, y})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, edit{opEqual, x, y})
	}
	out := make([]edit, len(rev))
	for i, e := range rev {
		out[len(rev)-1-i] = e
	}
	return out, true
}

// writeHunks groups edits into hunks with context lines.
func writeHunks(w *strings.Builder, edits []edit, a, b []string, context int) {
	if context < 0 {
		context = 0
	}
	written := 0
	i := 0
	for i < len(edits) {
		// Find the next change.
		for i < len(edits) && edits[i].op == opEqual {
			i++
		}
		if i == len(edits) {
			return
		}
		start := i - context
		if start < 0 {
			start = 0
		}
		// Extend the hunk while changes are within 2*context of each other.
		end := i
		for {
			for end < len(edits) && edits[end].op != opEqual {
				end++
			}
			run := end
			for run < len(edits) && edits[run].op == opEqual && run-end < 2*context+1 {
				run++
			}
			if run < len(edits) && edits[run].op != opEqual && run-end <= 2*context {
				end = run
				continue
			}
			break
		}
		stop := end + context
		if stop > len(edits) {
			stop = len(edits)
		}
		h := edits[start:stop]
		as, bs, ac, bc := hunkRange(h)
		fmt.Fprintf(w, "@@ -%s +%s @@\n", rangeText(as, ac), rangeText(bs, bc))
		for _, e := range h {
			if written >= diffMaxOut {
				fmt.Fprintf(w, "# diff cut after %d lines\n", diffMaxOut)
				return
			}
			var line string
			if e.op == opIns {
				line = b[e.b]
			} else {
				line = a[e.a]
			}
			w.WriteByte(byte(e.op))
			w.WriteString(line)
			w.WriteByte('\n')
			written++
		}
		i = stop
	}
}

// hunkRange returns the 0-based start and the line count on each side.
func hunkRange(h []edit) (as, bs, ac, bc int) {
	as, bs = -1, -1
	for _, e := range h {
		switch e.op {
		case opEqual:
			ac++
			bc++
		case opDel:
			ac++
		case opIns:
			bc++
		}
		if as < 0 && e.op != opIns {
			as = e.a
		}
		if bs < 0 && e.op != opDel {
			bs = e.b
		}
	}
	// A side with no lines in the hunk starts where the other edits sit.
	if as < 0 {
		as = h[0].a
	}
	if bs < 0 {
		bs = h[0].b
	}
	return
}

// rangeText formats a hunk range as diff -u does: "l,c", just "l" when the
// count is 1, and the line before the hunk when the count is 0.
func rangeText(start, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, count)
}
