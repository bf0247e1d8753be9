package dataaccess

import (
	"context"
	"strconv"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// kind is the type of a value.
type kind uint8

const (
	kNull kind = iota
	kString
	kNumber
	kBool
	kTime
)

// value is one field of one record. Values are built only for the
// records of the page asked for (and the filter fields of the others),
// so a value is a small struct rather than an interface.
type value struct {
	kind kind
	b    bool
	n    int64
	s    string
	t    time.Time
}

// str is a VARCHAR value; empty text is null, as a warehouse column
// without a value.
func str(s string) value {
	if s == "" {
		return value{}
	}
	return value{kind: kString, s: s}
}

func num(n int) value   { return value{kind: kNumber, n: int64(n)} }
func flag(b bool) value { return value{kind: kBool, b: b} }
func stamp(t time.Time) value {
	if t.IsZero() {
		return value{}
	}
	return value{kind: kTime, t: t}
}

// text is the value as a filter compares it: null is "".
func (v value) text() string {
	switch v.kind {
	case kString:
		return v.s
	case kNumber:
		return strconv.FormatInt(v.n, 10)
	case kBool:
		return strconv.FormatBool(v.b)
	}
	return ""
}

// window is a report's period, [from, to).
type window struct{ from, to time.Time }

func (w window) contains(t time.Time) bool { return !t.Before(w.from) && t.Before(w.to) }

// env is what one report request reads besides its group's records:
// the store and memos of the records they refer to.
type env struct {
	ctx   context.Context
	st    *state.Store
	accts map[string]string // account ID → name, loaded on first use
	items map[string]*state.LineItem
	ents  map[string]*state.Entitlement
}

func newEnv(ctx context.Context, st *state.Store) *env {
	return &env{ctx: ctx, st: st, items: map[string]*state.LineItem{}, ents: map[string]*state.Entitlement{}}
}

func (e *env) accountName(id string) string {
	if id == "" {
		return ""
	}
	if e.accts == nil {
		e.accts = map[string]string{}
		if as, err := e.st.Accounts(state.AccountQuery{}, state.Page{}); err == nil {
			for _, a := range as {
				e.accts[a.ID] = a.Name
			}
		}
	}
	if n, ok := e.accts[id]; ok {
		return n
	}
	// An account created since the map was loaded.
	if a, err := e.st.Account(id); err == nil {
		e.accts[id] = a.Name
		return a.Name
	}
	return ""
}

// lineItem returns the line item of an activation ID, nil if unknown.
func (e *env) lineItem(aid string) *state.LineItem {
	if aid == "" {
		return nil
	}
	if it, ok := e.items[aid]; ok {
		return it
	}
	var p *state.LineItem
	if it, err := e.st.LineItem(aid); err == nil {
		p = &it
	}
	e.items[aid] = p
	return p
}

// entitlement returns the entitlement of an ID, nil if unknown.
func (e *env) entitlement(id string) *state.Entitlement {
	if id == "" {
		return nil
	}
	if en, ok := e.ents[id]; ok {
		return en
	}
	var p *state.Entitlement
	if en, err := e.st.Entitlement(id); err == nil {
		p = &en
	}
	e.ents[id] = p
	return p
}

// column is a field of a group and how to read it from a record of type S.
type column[S any] struct {
	Field
	get func(*env, *S) value
}

// report is one report group.
type report interface {
	name() string
	fields() []Field
	// filter returns the column index of a filter name, -1 if the name is
	// not one of the group's filters.
	filter(name string) int
	zone() *time.Location
	run(ctx context.Context, e *env, w window, fs []filter, offset, limit int, countAll bool) (page, error)
}

// page is the part of a report one request returns.
type page struct {
	fields  []Field
	rows    [][]value
	matched int // records matching, all of them when counted, else at least offset+len(rows)+(1 if more)
}

// group is a report over records of type S. sources lists the records
// changed in the window, in the store's order; the filters are a hint it
// may use to narrow the store query (the rows are filtered anyway).
type group[S any] struct {
	id      string
	loc     *time.Location
	cols    []column[S]
	sources func(e *env, w window, fs []filter) ([]S, error)
}

func (g *group[S]) name() string         { return g.id }
func (g *group[S]) zone() *time.Location { return g.loc }

func (g *group[S]) fields() []Field {
	out := make([]Field, len(g.cols))
	for i, c := range g.cols {
		out[i] = c.Field
	}
	return out
}

func (g *group[S]) filter(name string) int {
	for i, c := range g.cols {
		if c.Filter && c.Name == name {
			return i
		}
	}
	return -1
}

// run filters the group's records and renders those of [offset,
// offset+limit). Unless countAll, it stops at the first match after the
// page, which is enough to know whether there is a next page.
func (g *group[S]) run(ctx context.Context, e *env, w window, fs []filter, offset, limit int, countAll bool) (page, error) {
	srcs, err := g.sources(e, w, fs)
	if err != nil {
		return page{}, err
	}
	p := page{fields: g.fields()}
	n := 0
	for i := range srcs {
		if i&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return page{}, err
			}
		}
		s := &srcs[i]
		ok := true
		for _, f := range fs {
			if !f.matches(g.cols[f.col].get(e, s).text()) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if n >= offset && n-offset < limit {
			row := make([]value, len(g.cols))
			for j, c := range g.cols {
				row[j] = c.get(e, s)
			}
			p.rows = append(p.rows, row)
		}
		n++
		if !countAll && n > offset+limit {
			break
		}
	}
	p.matched = n
	return p, nil
}

// Field constructors, for the group tables.
func varchar(name string, length int, desc string) Field {
	return Field{Name: name, Type: typeVarchar, Length: &length, Description: desc}
}

func filterable(name string, length int, desc string) Field {
	f := varchar(name, length, desc)
	f.Filter = true
	return f
}

func number(name, desc string) Field  { return Field{Name: name, Type: typeNumber, Description: desc} }
func boolean(name, desc string) Field { return Field{Name: name, Type: typeBoolean, Description: desc} }
func timestamp(name, desc string) Field {
	return Field{Name: name, Type: typeTimestamp, Description: desc}
}
