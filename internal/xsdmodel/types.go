package xsdmodel

import (
	"fmt"
	"strings"

	"github.com/fnokit/fnokit/internal/xmltree"
)

// Compositor is the kind of a model group.
type Compositor int

// The three XSD compositors.
const (
	Sequence Compositor = iota + 1
	Choice
	All
)

func (c Compositor) String() string {
	switch c {
	case Sequence:
		return "sequence"
	case Choice:
		return "choice"
	case All:
		return "all"
	}
	return "none"
}

// Derivation tells how a complex type derives from its base.
type Derivation int

// Derivation methods; NoDerivation is a type without complexContent or
// simpleContent derivation.
const (
	NoDerivation Derivation = iota
	Extension
	Restriction
)

func (d Derivation) String() string {
	switch d {
	case Extension:
		return "extension"
	case Restriction:
		return "restriction"
	}
	return "none"
}

// Group is a compositor with its occurrence and its particles as written.
type Group struct {
	Compositor Compositor
	MinOccurs  int
	MaxOccurs  int // Unbounded for maxOccurs="unbounded"
	Particles  []Particle
}

// Particle is one item of a group: an element (or a wildcard, Element with
// Wildcard set) carrying its own occurrence, or a nested group. Exactly one
// field is set.
type Particle struct {
	Element *Decl
	Group   *Group
}

// ComplexType is a complex type, named or anonymous.
type ComplexType struct {
	Name xmltree.Name // zero when anonymous
	// Derivation and Base say what the type derives from (complexContent or
	// simpleContent); BaseType is the base when it is a loaded complex type.
	Derivation Derivation
	Base       xmltree.Name
	BaseType   *ComplexType
	// Content is the type's own particle as written; for an extension, only
	// what the extension adds (Children has the inherited part too). Nil for
	// empty or simple content.
	Content *Group
	// SimpleContent is the type of the text of a simpleContent type.
	SimpleContent *SimpleType
	Mixed         bool
	Abstract      bool

	node      *xnode
	children  []*Decl
	inherited int
	resolution
}

// Children returns the flattened child declarations, inherited ones first.
func (ct *ComplexType) Children() []*Decl { return ct.children }

// Inherited returns how many of Children come from the extension base.
func (ct *ComplexType) Inherited() int { return ct.inherited }

// Simple reports whether the type has simple content (text only).
func (ct *ComplexType) Simple() bool { return ct.SimpleContent != nil || hasSimpleContent(ct.node) }

// Variety is the variety of a simple type.
type Variety int

// The three simple type varieties.
const (
	Atomic Variety = iota
	List
	Union
)

func (v Variety) String() string {
	switch v {
	case List:
		return "list"
	case Union:
		return "union"
	}
	return "atomic"
}

// SimpleType is a simple type: a builtin, a named or an anonymous one.
type SimpleType struct {
	Name    xmltree.Name // zero when anonymous
	Variety Variety
	// Base is the immediate restriction base (zero for a builtin, a list or
	// a union); Builtin is the XML Schema builtin type reached by following
	// the restriction chain (for a list, that of its items; zero for a union
	// or when the chain ends at an unresolved name).
	Base    xmltree.Name
	Builtin xmltree.Name
	// Enumeration is the effective list of allowed values: that of the most
	// derived restriction that has one.
	Enumeration []string
	// Facets are the effective facets other than enumeration, in Facet name
	// order; a facet restated by a derived type replaces the base's, except
	// patterns, which accumulate (a value must match every step's).
	Facets      []Facet
	ItemType    *SimpleType   // List
	MemberTypes []*SimpleType // Union

	node *xnode
	resolution
}

// resolution reads a named type's definition once and remembers the
// outcome; meeting the type again while it is being read is a derivation
// loop. Simple and complex types share it.
type resolution struct {
	state int // 0 new, 1 reading, 2 done
	err   error
}

// run reads the type with read, unless it was read already. kind and name
// label errors ("complex type X: …").
func (r *resolution) run(kind string, name xmltree.Name, depth int, read func() error) error {
	switch r.state {
	case 2:
		return r.err
	case 1:
		return fmt.Errorf("%s %s derives from itself", kind, name)
	}
	if depth > maxNesting {
		return fmt.Errorf("%s %s: derivation deeper than %d levels", kind, name, maxNesting)
	}
	r.state = 1
	r.err = read()
	r.state = 2
	if r.err != nil && name.Local != "" {
		r.err = fmt.Errorf("%s %s: %w", kind, name.Local, r.err)
	}
	return r.err
}

// Facet is one constraining facet. For a pattern, Value joins the
// alternatives of one derivation step with "|".
type Facet struct {
	Name  string
	Value string
}

// facetOrder is the canonical facet order, which also lists the facets the
// model reads.
var facetOrder = []string{"length", "minLength", "maxLength", "pattern", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "totalDigits", "fractionDigits", "whiteSpace"}

// Facet returns the value of the named facet (the last step's, for pattern).
func (s *SimpleType) Facet(name string) (string, bool) {
	v, ok := "", false
	for _, f := range s.Facets {
		if f.Name == name {
			v, ok = f.Value, true
		}
	}
	return v, ok
}

// IsBuiltin reports whether the type is an XML Schema builtin.
func (s *SimpleType) IsBuiltin() bool { return s.Name.Space == NSXSD }

// builtin returns the shared SimpleType of an XML Schema builtin.
func (m *Model) builtin(local string) *SimpleType {
	if st, ok := m.builtins[local]; ok {
		return st
	}
	name := xmltree.Name{Space: NSXSD, Local: local}
	st := &SimpleType{Name: name, Builtin: name, resolution: resolution{state: 2}}
	switch local {
	case "NMTOKENS", "IDREFS", "ENTITIES":
		st.Variety = List
		st.ItemType = m.builtin(strings.TrimSuffix(local, "S"))
		st.Builtin = st.ItemType.Builtin
	}
	m.builtins[local] = st
	return st
}

// simpleRef resolves a QName naming a simple type; nil (and the name noted
// as unresolved) when it names nothing loaded.
func (m *Model) simpleRef(n *xnode, q string, depth int) (*SimpleType, xmltree.Name, error) {
	name, err := n.resolve(q)
	if err != nil {
		return nil, name, err
	}
	if name.Space == NSXSD {
		return m.builtin(name.Local), name, nil
	}
	if st, ok := m.simple[name]; ok {
		if err := m.resolveSimple(st, depth+1); err != nil {
			return nil, name, err
		}
		return st, name, nil
	}
	m.unresolved[name] = true
	return nil, name, nil
}

// resolveSimple reads a simpleType node: restriction (base attribute or an
// anonymous base), list or union. A type met again while being resolved is
// a loop.
func (m *Model) resolveSimple(st *SimpleType, depth int) error {
	return st.run("simple type", st.Name, depth, func() error { return m.readSimple(st, depth) })
}

func (m *Model) readSimple(st *SimpleType, depth int) error {
	for _, c := range st.node.kids {
		if c.name.Space != NSXSD {
			continue
		}
		switch c.name.Local {
		case "restriction":
			base, name, err := m.restrictionBase(c, depth)
			if err != nil {
				return err
			}
			st.Base = name
			restrict(st, base, c)
			return nil
		case "list":
			st.Variety = List
			var item *SimpleType
			if it := c.attr("itemType"); it != "" {
				t, _, err := m.simpleRef(c, it, depth)
				if err != nil {
					return err
				}
				item = t
			} else if a := anonymousSimple(c); a != nil {
				item = &SimpleType{node: a}
				if err := m.resolveSimple(item, depth+1); err != nil {
					return err
				}
			}
			st.ItemType = item
			if item != nil {
				st.Builtin = item.Builtin
			}
			return nil
		case "union":
			st.Variety = Union
			for _, f := range strings.Fields(c.attr("memberTypes")) {
				t, _, err := m.simpleRef(c, f, depth)
				if err != nil {
					return err
				}
				if t != nil {
					st.MemberTypes = append(st.MemberTypes, t)
				}
			}
			for _, a := range c.kids {
				if a.name.Space == NSXSD && a.name.Local == "simpleType" {
					t := &SimpleType{node: a}
					if err := m.resolveSimple(t, depth+1); err != nil {
						return err
					}
					st.MemberTypes = append(st.MemberTypes, t)
				}
			}
			return nil
		}
	}
	return fmt.Errorf("simple type %s has no restriction, list or union", st.Name.Local)
}

// restrictionBase returns the base of a restriction element: its base
// attribute or its anonymous simpleType child.
func (m *Model) restrictionBase(r *xnode, depth int) (*SimpleType, xmltree.Name, error) {
	if b := r.attr("base"); b != "" {
		return m.simpleRef(r, b, depth)
	}
	if a := anonymousSimple(r); a != nil {
		t := &SimpleType{node: a}
		if err := m.resolveSimple(t, depth+1); err != nil {
			return nil, xmltree.Name{}, err
		}
		return t, xmltree.Name{}, nil
	}
	return nil, xmltree.Name{}, fmt.Errorf("restriction without a base")
}

func anonymousSimple(n *xnode) *xnode {
	for _, c := range n.kids {
		if c.name.Space == NSXSD && c.name.Local == "simpleType" {
			return c
		}
	}
	return nil
}

// restrict makes st the restriction of base by the facets of node r.
func restrict(st, base *SimpleType, r *xnode) {
	facets := map[string]string{}
	var patterns []string
	if base != nil {
		st.Variety = base.Variety
		st.Builtin = base.Builtin
		st.ItemType = base.ItemType
		st.MemberTypes = base.MemberTypes
		st.Enumeration = base.Enumeration
		for _, f := range base.Facets {
			if f.Name == "pattern" {
				patterns = append(patterns, f.Value)
			} else {
				facets[f.Name] = f.Value
			}
		}
	}
	var enum, stepPatterns []string
	for _, c := range r.kids {
		if c.name.Space != NSXSD {
			continue
		}
		v := c.attrs["value"] // as written: whitespace may matter
		switch c.name.Local {
		case "enumeration":
			enum = append(enum, v)
		case "pattern":
			stepPatterns = append(stepPatterns, v)
		default:
			for _, f := range facetOrder {
				if f == c.name.Local {
					facets[f] = strings.TrimSpace(v)
				}
			}
		}
	}
	if enum != nil {
		st.Enumeration = enum
	}
	if stepPatterns != nil {
		patterns = append(patterns, strings.Join(stepPatterns, "|"))
	}
	st.Facets = nil
	for _, f := range facetOrder {
		if f == "pattern" {
			for _, p := range patterns {
				st.Facets = append(st.Facets, Facet{Name: f, Value: p})
			}
			continue
		}
		if v, ok := facets[f]; ok {
			st.Facets = append(st.Facets, Facet{Name: f, Value: v})
		}
	}
}

// simpleContent reads a simpleContent derivation: an extension of a simple
// type (or of a simple-content complex type) keeps its text type; a
// restriction of a simple-content complex type narrows it with facets.
func (m *Model) simpleContent(ct *ComplexType, sc *xnode, depth int) error {
	for _, d := range sc.kids {
		if d.name.Space != NSXSD || (d.name.Local != "extension" && d.name.Local != "restriction") {
			continue
		}
		q, err := d.resolve(d.attr("base"))
		if err != nil {
			return err
		}
		ct.Base = q
		ct.Derivation = Extension
		if d.name.Local == "restriction" {
			ct.Derivation = Restriction
		}
		var base *SimpleType
		switch {
		case q.Space == NSXSD:
			base = m.builtin(q.Local)
		case m.simple[q] != nil:
			base = m.simple[q]
		case m.complex[q] != nil:
			bt := m.complex[q]
			if err := m.fill(bt, depth+1); err != nil {
				return err
			}
			ct.BaseType = bt
			base = bt.SimpleContent
		default:
			m.unresolved[q] = true
		}
		if ct.Derivation == Extension {
			if base == nil {
				base = &SimpleType{}
			}
			ct.SimpleContent = base
			return nil
		}
		if a := anonymousSimple(d); a != nil {
			t := &SimpleType{node: a}
			if err := m.resolveSimple(t, depth+1); err != nil {
				return err
			}
			base = t
		}
		st := &SimpleType{Base: q}
		restrict(st, base, d)
		ct.SimpleContent = st
		return nil
	}
	ct.SimpleContent = &SimpleType{}
	return nil
}
