package main

import (
	"fmt"
	"slices"
	"strconv"
)

// presence says in which of the service's versions (by index) something
// exists.
type presence []bool

func (p presence) first() int {
	for i, b := range p {
		if b {
			return i
		}
	}
	return -1
}

func (p presence) last() int {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] {
			return i
		}
	}
	return -1
}

type mEntry struct {
	entry
	pres presence
}

func (e entry) key() string {
	return e.Name + "|" + e.Type + "|" + strconv.Itoa(e.Min) + "|" + strconv.Itoa(e.Max) + "|" + strconv.FormatBool(e.Nillable)
}

type mComplex struct {
	Name, Extends string
	pres          presence
	Seq           []*mEntry
}

type mValue struct {
	Value string
	pres  presence
}

type mSimple struct {
	Name, Base string
	pres       presence
	Values     []*mValue
}

type mElement struct {
	Name, Type string
	pres       presence
}

type mOp struct {
	operation
	pres presence
}

// merged is one service's versions folded into one description, every part
// carrying the versions it exists in.
type merged struct {
	Versions []string
	Types    []string // simple and complex, in a merged document order
	Complex  map[string]*mComplex
	Simple   map[string]*mSimple
	Elements []*mElement
	Ops      []*mOp
}

// step is one position of an alignment: li indexes the merged list, si the
// new version's list; -1 when that side has nothing there.
type step struct{ li, si int }

// align lines up a merged list with the next version's list by a longest
// common subsequence of keys. Only matchable list items may pair up: an item
// that the previous version no longer had must not come back to life, or its
// version range would have a hole. Unpaired items of both sides keep their
// relative order; between two anchors the old ones come first.
func align(keys []string, matchable []bool, seq []string) []step {
	n, m := len(keys), len(seq)
	dp := make([][]int, n+1)
	for i := range dp {
		dp[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case matchable[i] && keys[i] == seq[j]:
				dp[i][j] = dp[i+1][j+1] + 1
			case dp[i+1][j] >= dp[i][j+1]:
				dp[i][j] = dp[i+1][j]
			default:
				dp[i][j] = dp[i][j+1]
			}
		}
	}
	var out []step
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case matchable[i] && keys[i] == seq[j] && dp[i][j] == dp[i+1][j+1]+1:
			out = append(out, step{i, j})
			i++
			j++
		case dp[i+1][j] >= dp[i][j+1]:
			out = append(out, step{i, -1})
			i++
		default:
			out = append(out, step{-1, j})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, step{i, -1})
	}
	for ; j < m; j++ {
		out = append(out, step{-1, j})
	}
	return out
}

// mergeVersions folds the versions (in order) into one description.
func mergeVersions(vs []*version) (*merged, error) {
	nv := len(vs)
	m := &merged{Complex: map[string]*mComplex{}, Simple: map[string]*mSimple{}}
	for _, v := range vs {
		m.Versions = append(m.Versions, v.Name)
	}
	newPres := func(i int) presence {
		p := make(presence, nv)
		p[i] = true
		return p
	}
	for vi, v := range vs {
		s := v.Schema
		// Type order: names are unique, any earlier slot may be reused.
		{
			keys := m.Types
			all := make([]bool, len(keys))
			for i := range all {
				all[i] = true
			}
			// A type the new version moved keeps its earlier slot.
			known := map[string]bool{}
			for _, k := range keys {
				known[k] = true
			}
			var out []string
			for _, st := range align(keys, all, s.Order) {
				switch {
				case st.li >= 0:
					out = append(out, keys[st.li])
				case !known[s.Order[st.si]]:
					out = append(out, s.Order[st.si])
				}
			}
			m.Types = out
		}
		for _, name := range s.Order {
			if st, ok := s.Simple[name]; ok {
				if m.Complex[name] != nil {
					return nil, fmt.Errorf("%s: %s is simple here and complex in an earlier version", v.Name, name)
				}
				ms := m.Simple[name]
				if ms == nil {
					ms = &mSimple{Name: name, Base: st.Base, pres: make(presence, nv)}
					m.Simple[name] = ms
				}
				if ms.Base != st.Base {
					return nil, fmt.Errorf("%s: simple type %s changes its base (%s → %s); the contract format cannot express that", v.Name, name, ms.Base, st.Base)
				}
				prev := ms.pres.last()
				ms.pres[vi] = true
				keys := make([]string, len(ms.Values))
				alive := make([]bool, len(ms.Values))
				for i, x := range ms.Values {
					keys[i] = x.Value
					alive[i] = prev >= 0 && x.pres[prev]
				}
				var out []*mValue
				for _, stp := range align(keys, alive, st.Values) {
					switch {
					case stp.li >= 0 && stp.si >= 0:
						ms.Values[stp.li].pres[vi] = true
						out = append(out, ms.Values[stp.li])
					case stp.li >= 0:
						out = append(out, ms.Values[stp.li])
					default:
						out = append(out, &mValue{Value: st.Values[stp.si], pres: newPres(vi)})
					}
				}
				ms.Values = out
				continue
			}
			ct := s.Complex[name]
			if m.Simple[name] != nil {
				return nil, fmt.Errorf("%s: %s is complex here and simple in an earlier version", v.Name, name)
			}
			mc := m.Complex[name]
			if mc == nil {
				mc = &mComplex{Name: name, Extends: ct.Extends, pres: make(presence, nv)}
				m.Complex[name] = mc
			}
			if mc.Extends != ct.Extends {
				return nil, fmt.Errorf("%s: complex type %s changes its base type (%q → %q); the contract format cannot express that", v.Name, name, mc.Extends, ct.Extends)
			}
			prev := mc.pres.last()
			mc.pres[vi] = true
			keys := make([]string, len(mc.Seq))
			alive := make([]bool, len(mc.Seq))
			for i, e := range mc.Seq {
				keys[i] = e.key()
				alive[i] = prev >= 0 && e.pres[prev]
			}
			seq := make([]string, len(ct.Seq))
			for i, e := range ct.Seq {
				seq[i] = e.key()
			}
			var out []*mEntry
			for _, stp := range align(keys, alive, seq) {
				switch {
				case stp.li >= 0 && stp.si >= 0:
					mc.Seq[stp.li].pres[vi] = true
					out = append(out, mc.Seq[stp.li])
				case stp.li >= 0:
					out = append(out, mc.Seq[stp.li])
				default:
					out = append(out, &mEntry{entry: ct.Seq[stp.si], pres: newPres(vi)})
				}
			}
			mc.Seq = out
		}
		// Global elements and operations: unique names, a changed type or
		// message is an error (the format keys them by name).
		{
			keys := make([]string, len(m.Elements))
			all := make([]bool, len(keys))
			for i, e := range m.Elements {
				keys[i], all[i] = e.Name, true
			}
			var out []*mElement
			for _, stp := range align(keys, all, s.ElemOrd) {
				switch {
				case stp.li >= 0 && stp.si >= 0:
					e := m.Elements[stp.li]
					if t := s.Elements[e.Name]; t != e.Type {
						return nil, fmt.Errorf("%s: element %s changes its type (%s → %s)", v.Name, e.Name, e.Type, t)
					}
					e.pres[vi] = true
					out = append(out, e)
				case stp.li >= 0:
					out = append(out, m.Elements[stp.li])
				default:
					n := s.ElemOrd[stp.si]
					if slices.IndexFunc(m.Elements, func(e *mElement) bool { return e.Name == n }) >= 0 {
						return nil, fmt.Errorf("%s: element %s moved; the merge keeps one slot per element, place it by hand", v.Name, n)
					}
					out = append(out, &mElement{Name: n, Type: s.Elements[n], pres: newPres(vi)})
				}
			}
			m.Elements = out
		}
		{
			keys := make([]string, len(m.Ops))
			all := make([]bool, len(keys))
			for i, o := range m.Ops {
				keys[i], all[i] = o.Name, true
			}
			seq := make([]string, len(v.Ops))
			for i, o := range v.Ops {
				seq[i] = o.Name
			}
			var out []*mOp
			for _, stp := range align(keys, all, seq) {
				switch {
				case stp.li >= 0 && stp.si >= 0:
					o := m.Ops[stp.li]
					if o.operation != v.Ops[stp.si] {
						return nil, fmt.Errorf("%s: operation %s changes its messages", v.Name, o.Name)
					}
					o.pres[vi] = true
					out = append(out, o)
				case stp.li >= 0:
					out = append(out, m.Ops[stp.li])
				default:
					if slices.IndexFunc(m.Ops, func(o *mOp) bool { return o.Name == v.Ops[stp.si].Name }) >= 0 {
						return nil, fmt.Errorf("%s: operation %s moved; the merge keeps one slot per operation", v.Name, v.Ops[stp.si].Name)
					}
					out = append(out, &mOp{operation: v.Ops[stp.si], pres: newPres(vi)})
				}
			}
			m.Ops = out
		}
	}
	return m, nil
}

// bounds turns a presence into since/until relative to the container's own
// presence: versions where the container does not exist are "don't care",
// so an entry of a type that exists only in v2 and v3 needs no bounds.
// ok is false when the presence has a hole the bounds cannot express.
func bounds(p, container presence, versions []string) (since, until string, ok bool) {
	f, l := p.first(), p.last()
	if f < 0 {
		return "", "", false
	}
	for i := f; i <= l; i++ {
		if container[i] && !p[i] {
			return "", "", false
		}
	}
	if f != container.first() {
		since = versions[f]
	}
	if l != container.last() {
		until = versions[l]
	}
	return since, until, true
}

func allPresent(n int) presence {
	p := make(presence, n)
	for i := range p {
		p[i] = true
	}
	return p
}
