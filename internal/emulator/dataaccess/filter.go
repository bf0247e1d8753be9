package dataaccess

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// The conditional operators (seed 2413-2449).
const (
	opEq  = "$eq"
	opSw  = "$sw"
	opEw  = "$ew"
	opCon = "$con"
	opIn  = "$in"
)

// maxInValues bounds the values of one $in.
const maxInValues = 1000

var opMatch = map[string]state.SearchType{
	opEq: state.Equals, opSw: state.StartsWith, opEw: state.EndsWith, opCon: state.Contains,
}

// filter is one group filter of ?query=: a field, an operator and its
// value (values for $in).
type filter struct {
	name string
	col  int
	op   string
	m    state.Match // $eq, $sw, $ew, $con
	in   []string    // $in
}

// matches reports whether a field's text satisfies the filter. Like FNO's
// other searches (state.Match) the comparison ignores case.
func (f *filter) matches(s string) bool {
	if f.op == opIn {
		for _, v := range f.in {
			if strings.EqualFold(s, v) {
				return true
			}
		}
		return false
	}
	return f.m.Matches(s)
}

func badQuery(reason string) *restkit.Error {
	return &restkit.Error{Status: http.StatusBadRequest, Reason: "query: " + reason}
}

const opList = "$eq, $sw, $ew, $con or $in"

// parseQuery reads the ?query= filters of group g: a JSON object whose
// properties are filters of the group, each an object with one operator
// (seed 2413-2449; data-access.yaml Condition and the group's Query
// schema). The filters come back sorted by name, so that equal queries
// compare equal whatever order they were written in.
func parseQuery(raw string, g report, maxBytes int64) ([]filter, *restkit.Error) {
	if int64(len(raw)) > maxBytes {
		return nil, badQuery("the filter is longer than the emulator's limit (--max-body)")
	}
	var m map[string]any
	if err := restkit.DecodeJSON([]byte(raw), &m); err != nil || m == nil {
		return nil, badQuery(`not a URL-encoded JSON object such as {"accountID":{"$eq":"..."}}`)
	}
	if len(m) == 0 {
		return nil, badQuery("the object names no filter")
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	out := make([]filter, 0, len(names))
	for _, name := range names {
		c := g.filter(name)
		if c < 0 {
			return nil, badQuery("a filter name is not one of the " + g.name() + " report's filters (" + strings.Join(filterNames(g), ", ") + ")")
		}
		cond, ok := m[name].(map[string]any)
		if !ok || len(cond) != 1 {
			return nil, badQuery("filter " + name + " must be an object with exactly one operator: " + opList)
		}
		for op, v := range cond {
			f := filter{name: name, col: c, op: op}
			switch op {
			case opEq, opSw, opEw, opCon:
				s, ok := v.(string)
				if !ok {
					return nil, badQuery("the value of " + op + " in filter " + name + " must be a string")
				}
				if s == "" && op != opEq {
					return nil, badQuery("the value of " + op + " in filter " + name + " must not be empty")
				}
				f.m = state.Match{Value: s, Type: opMatch[op]}
			case opIn:
				list, ok := v.([]any)
				if !ok || len(list) == 0 || len(list) > maxInValues {
					return nil, badQuery("the value of $in in filter " + name + " must be an array of 1 to 1000 strings")
				}
				for _, x := range list {
					s, ok := x.(string)
					if !ok {
						return nil, badQuery("the value of $in in filter " + name + " must be an array of 1 to 1000 strings")
					}
					f.in = append(f.in, s)
				}
			default:
				return nil, badQuery("filter " + name + " has an unknown operator: use " + opList)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// filterNames lists the filters of a group, in field order.
func filterNames(g report) []string {
	var out []string
	for _, f := range g.fields() {
		if f.Filter {
			out = append(out, f.Name)
		}
	}
	return out
}

// canonical is the filters' text for the requestID's signature; every
// piece is length-prefixed, so no value can imitate a separator.
func canonical(fs []filter) string {
	var b strings.Builder
	put := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	for _, f := range fs {
		put(f.name)
		put(f.op)
		if f.op == opIn {
			b.WriteString(strconv.Itoa(len(f.in)))
			for _, v := range f.in {
				put(v)
			}
		} else {
			put(f.m.Value)
		}
	}
	return b.String()
}
