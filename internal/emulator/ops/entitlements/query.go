package entitlements

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// criteria reads query criteria from a queryParams map, collecting the
// first problem instead of failing at each call.
type criteria struct {
	m   map[string]any
	err string
}

// match reads a SimpleQueryType (or StateQueryType) criterion.
func (c *criteria) match(key string) state.Match {
	v := op.Obj(c.m[key])
	if v == nil {
		return state.Match{}
	}
	m := state.Match{Value: op.Str(v, "value"), Type: state.SearchType(op.Str(v, "searchType"))}
	if m.Type == "" {
		m.Type = state.Equals
	}
	if err := m.Validate(key, false); err != nil && c.err == "" {
		c.err = err.Error()
	}
	return m
}

// date reads a DateQueryType criterion.
func (c *criteria) date(key string) state.DateMatch {
	v := op.Obj(c.m[key])
	if v == nil {
		return state.DateMatch{}
	}
	t, ok := op.GetDate(v, "value")
	if !ok {
		t, ok = op.GetDateTime(v, "value")
	}
	m := state.DateMatch{Value: t, Type: state.DateSearchType(op.Str(v, "searchType"))}
	switch {
	case !ok:
		c.fail("%s: value is not a date", key)
	case m.Type != state.Before && m.Type != state.After && m.Type != state.On:
		c.fail("%s: unsupported search type", key)
	}
	return m
}

// flag reads an optional boolean criterion.
func (c *criteria) flag(key string) *bool { return op.OptBool(c.m, key) }

func (c *criteria) fail(format string, args ...any) {
	if c.err == "" {
		c.err = fmt.Sprintf(format, args...)
	}
}

// number reads a NumberQueryType criterion as a predicate.
func (c *criteria) number(key string) func(int) bool {
	v := op.Obj(c.m[key])
	if v == nil {
		return nil
	}
	n, present, ok := op.GetInt(v, "value")
	if !present || !ok {
		c.fail("%s: value is not a number", key)
		return nil
	}
	switch op.Str(v, "searchType") {
	case "GREATER_THAN":
		return func(x int) bool { return int64(x) > n }
	case "GREATER_THAN_EQUALS":
		return func(x int) bool { return int64(x) >= n }
	case "LESS_THAN":
		return func(x int) bool { return int64(x) < n }
	case "LESS_THAN_EQUALS":
		return func(x int) bool { return int64(x) <= n }
	case "EQUALS":
		return func(x int) bool { return int64(x) == n }
	case "NOT_EQUALS":
		return func(x int) bool { return int64(x) != n }
	}
	c.fail("%s: unsupported search type", key)
	return nil
}

// attrs reads a list of custom attribute criteria (attributeName with a
// stringValue SimpleQueryType, or a booleanValue) as a predicate over
// attributes; nil when there are none.
func (c *criteria) attrs(key string) func([]state.Attribute) bool {
	list := op.List(c.m, key, "attribute")
	if len(list) == 0 {
		return nil
	}
	type one struct {
		name string
		m    state.Match
	}
	var want []one
	for _, a := range list {
		name := op.Str(a, "attributeName")
		sub := criteria{m: op.Obj(a)}
		m := sub.match("stringValue")
		if b, ok := op.GetBool(a, "booleanValue"); ok && !m.Set() {
			m = state.Match{Value: fmt.Sprint(b), Type: state.Equals}
		}
		if sub.err != "" {
			c.fail("%s: %s", key, sub.err)
		}
		want = append(want, one{name, m})
	}
	return func(as []state.Attribute) bool {
		for _, w := range want {
			if !slices.ContainsFunc(as, func(a state.Attribute) bool {
				return strings.EqualFold(a.Name, w.name) && w.m.Matches(a.Value)
			}) {
				return false
			}
		}
		return true
	}
}

// unmodelled reports the first of keys present in the criteria: fields the
// emulator's data never has (channel partners, maintenance line items,
// version dates, e-mail templates). A criterion on them matches nothing,
// as it would on a tenant whose records lack those fields.
func (c *criteria) unmodelled(keys ...string) bool {
	for _, k := range keys {
		if c.m[k] != nil {
			return true
		}
	}
	return false
}

// durationEq compares a DurationType criterion with a line item's.
func durationEq(v any, d state.Duration) bool {
	n, _, _ := op.GetInt(v, "numDuration")
	return int(n) == d.Count && strings.EqualFold(op.Str(v, "durationUnit"), d.Unit)
}

// filterPage applies an extra predicate the state query cannot, then pages:
// the state returns every match (at most a tenant's worth of line items or
// entitlements) and the handler keeps page p of those that pass.
// pagedSearch pages a state search. The criteria the state cannot evaluate
// (keep, nil when there are none) are applied before paging, so counts agree
// with queries; p.Size < 0 asks for the total only.
func pagedSearch[T any](p state.Page, keep func(T) bool,
	count func() (int, error), list func(state.Page) ([]T, error)) ([]T, int, error) {
	if keep == nil {
		if p.Size < 0 {
			n, err := count()
			return nil, n, err
		}
		xs, err := list(p)
		return xs, len(xs), err
	}
	all, err := list(state.Page{})
	if err != nil {
		return nil, 0, err
	}
	if p.Size < 0 {
		_, n := filterPage(all, keep, state.Page{})
		return nil, n, nil
	}
	page, n := filterPage(all, keep, p)
	return page, n, nil
}

func filterPage[T any](all []T, keep func(T) bool, p state.Page) (page []T, total int) {
	var kept []T
	for _, x := range all {
		if keep(x) {
			kept = append(kept, x)
		}
	}
	lo := (p.Number - 1) * p.Size
	if p.Size <= 0 {
		return kept, len(kept)
	}
	if lo >= len(kept) || lo < 0 {
		return nil, len(kept)
	}
	hi := min(lo+p.Size, len(kept))
	return kept[lo:hi], len(kept)
}

// dayBefore etc. compare calendar days for DateTimeQueryType criteria.
func dateTimeMatch(v any, t time.Time) bool {
	want, ok := op.GetDateTime(v, "value")
	if !ok {
		return false
	}
	switch op.Str(v, "searchType") {
	case "BEFORE":
		return t.Before(want)
	case "AFTER":
		return t.After(want)
	case "ON":
		return t.UTC().Truncate(24 * time.Hour).Equal(want.UTC().Truncate(24 * time.Hour))
	}
	return false
}
