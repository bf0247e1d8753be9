package main

import "fmt"

// rename records that a version's type is written under another name in the
// contract.
type rename struct {
	Version, From, To, Element string
}

// unifyElementTypes handles a global element whose type name changes
// between versions (EntitlementOrderService's createEntitlementLineItemRequest:
// addOrReplaceEntitlementLineItemRequestType in base, addOnly… from v1).
// The format keys elements by name, so one element has one type name: the
// earlier versions' type is renamed to the latest name, in that version
// only. Type names are not on the wire (elements are), so the structure the
// contract describes is unchanged; each rename is reported for the notes.
func unifyElementTypes(vs []*version) ([]rename, error) {
	var out []rename
	for i := len(vs) - 1; i > 0; i-- {
		later := vs[i].Schema
		for j := i - 1; j >= 0; j-- {
			s := vs[j].Schema
			for _, el := range s.ElemOrd {
				want, ok := later.Elements[el]
				if !ok || s.Elements[el] == want {
					continue
				}
				from := s.Elements[el]
				if s.Complex[want] != nil || s.Simple[want] != nil {
					return nil, fmt.Errorf("%s: element %s has type %s, later %s, and %s names another type there", vs[j].Name, el, from, want, want)
				}
				renameType(s, from, want)
				out = append(out, rename{Version: vs[j].Name, From: from, To: want, Element: el})
			}
		}
	}
	return out, nil
}

func renameType(s *schema, from, to string) {
	if c := s.Complex[from]; c != nil {
		delete(s.Complex, from)
		cc := *c
		cc.Name = to
		s.Complex[to] = &cc
	}
	if st := s.Simple[from]; st != nil {
		delete(s.Simple, from)
		cs := *st
		cs.Name = to
		s.Simple[to] = &cs
	}
	for i, n := range s.Order {
		if n == from {
			s.Order[i] = to
		}
	}
	for n, c := range s.Complex {
		changed := false
		seq := make([]entry, len(c.Seq))
		for k, e := range c.Seq {
			if e.Type == from {
				e.Type = to
				changed = true
			}
			seq[k] = e
		}
		ext := c.Extends
		if ext == from {
			ext, changed = to, true
		}
		if changed {
			s.Complex[n] = &complexType{Name: c.Name, Extends: ext, Seq: seq}
		}
	}
	for el, t := range s.Elements {
		if t == from {
			s.Elements[el] = to
		}
	}
}
