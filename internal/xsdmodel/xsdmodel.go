// Package xsdmodel describes XML schemas as data: which child elements an
// element has, in which order and how often, which compositor (sequence,
// choice, all) holds them, what each complex type extends, and what each
// simple type is (its builtin base reached through restriction chains, its
// enumeration and facets). The SOAP codec uses it to turn a plain value (a
// JS object from a k6 script) into a payload whose children follow the
// schema's xs:sequence; schemadiff compares two models structurally; the
// sample generator writes instances from it.
//
// It is not a validator (libxml2 does that, elsewhere): it reads element and
// type declarations, sequences, choices, alls, groups, element references,
// complexContent and simpleContent derivations, simple types with their
// facets, and the imports of each schema document; it ignores attributes and
// identity constraints. It is pure Go, so the k6 extension can use it.
//
// Two views of a complex type's content are kept. ComplexType.Content is
// the particle tree as written (compositors nested, occurrences on each
// particle, the type's own part only for an extension). ChildrenOf and
// ComplexType.Children flatten it into one list of declarations:
//   - xs:sequence: declaration order; nested sequences are spliced in place.
//   - xs:choice: every branch, in declaration order, marked InChoice and with
//     MinOccurs 0 when there is more than one branch.
//   - xs:all: declaration order (the schema allows any order; this one is
//     always valid).
//   - complexContent/extension: the base type's children first, then the
//     extension's; complexContent/restriction: the restriction's own
//     particle, which restates the content it keeps.
//   - xs:group ref: the group's particle in place; element ref: the global
//     element, with the occurrence of the reference.
//   - occurrences multiply through nested groups (a child of an unbounded
//     sequence is unbounded).
//
// A Model is read-only once loaded and safe for concurrent use.
package xsdmodel

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// NSXSD is the XML Schema namespace.
const NSXSD = "http://www.w3.org/2001/XMLSchema"

// Unbounded is the MaxOccurs of maxOccurs="unbounded".
const Unbounded = -1

// Limits on what Load reads: schema documents are trusted more than
// messages, but a loop of group references or a huge file must still end.
const (
	maxDocBytes = 64 << 20
	maxDocDepth = 256
	maxNesting  = 64 // group references and derivation chains
)

// Decl is one element declaration as seen from its parent (or a global
// element). Decls are shared: treat them as read-only.
type Decl struct {
	Name xmltree.Name
	// Type is the QName of the declared type; zero for an anonymous type.
	Type      xmltree.Name
	MinOccurs int
	MaxOccurs int // Unbounded for maxOccurs="unbounded"
	// Simple is true when the element holds text only: a simple type, or a
	// complex type with simpleContent.
	Simple   bool
	Nillable bool
	// InChoice marks a branch of an xs:choice.
	InChoice bool
	// Compositor is the compositor of the group directly around the
	// declaration in its parent's content (zero for a global element).
	Compositor Compositor
	// Wildcard marks an xs:any; Name.Local is "*" and Name.Space holds the
	// namespace constraint as written (##any, ##other, a URI list).
	Wildcard bool

	content    *ComplexType // nil for simple, wildcard or anyType content
	simple     *SimpleType  // the simple type of a simple element (nil for simpleContent: see content)
	anyContent bool         // xs:anyType or no type: any children allowed
	unresolved bool         // the type QName names nothing loaded
}

// Repeated reports whether the element may occur more than once.
func (d *Decl) Repeated() bool { return d.MaxOccurs == Unbounded || d.MaxOccurs > 1 }

// Open reports whether the element's content is not constrained by the
// model (xs:anyType or no type), so any children are acceptable.
func (d *Decl) Open() bool { return d.anyContent }

// Unresolved reports whether the element's type names nothing the model
// loaded.
func (d *Decl) Unresolved() bool { return d.unresolved }

// ComplexType returns the element's complex type (named or anonymous), nil
// for a simple, wildcard, open or unresolved element.
func (d *Decl) ComplexType() *ComplexType { return d.content }

// SimpleType returns the simple type of the element's text: its simple type,
// or the simple content of its complex type; nil for element-only content.
func (d *Decl) SimpleType() *SimpleType {
	if d.simple != nil {
		return d.simple
	}
	if d.content != nil {
		return d.content.SimpleContent
	}
	return nil
}

// Model holds the declarations of a set of schema documents.
type Model struct {
	elements   map[xmltree.Name]*Decl
	complex    map[xmltree.Name]*ComplexType
	simple     map[xmltree.Name]*SimpleType
	builtins   map[string]*SimpleType
	groups     map[xmltree.Name]*xnode
	unresolved map[xmltree.Name]bool
	schemas    []Schema
}

// Schema describes one loaded schema document.
type Schema struct {
	TargetNamespace string
	// ElementFormDefault is "qualified" or "unqualified" (the default).
	ElementFormDefault string
	// Imports lists the xs:import and xs:include children in document
	// order; an include has the schema's own namespace and Include set.
	Imports []Import
}

// Import is one xs:import (or xs:include) of a schema document.
type Import struct {
	Namespace      string
	SchemaLocation string
	Include        bool
}

// LoadWSDL builds the model of a WSDL's inline schemas.
func LoadWSDL(d *wsdl.Definitions) (*Model, error) {
	docs := make([][]byte, len(d.Schemas))
	for i, s := range d.Schemas {
		docs[i] = s.Source
	}
	return Load(docs...)
}

// Load reads XSD documents (for a WSDL, the Source of each of its inline
// schemas) into one model. References resolve across documents by QName,
// so load together the schemas that refer to each other. A definition seen
// twice (the same schema loaded from two WSDLs) keeps the first.
//
// Load fails on unreadable documents and on structural loops (a type that
// extends itself); a reference to a type that no document defines is not an
// error here, it is listed by Unresolved and reported by ChildrenOf.
func Load(docs ...[]byte) (*Model, error) {
	m := &Model{
		elements:   map[xmltree.Name]*Decl{},
		complex:    map[xmltree.Name]*ComplexType{},
		simple:     map[xmltree.Name]*SimpleType{},
		builtins:   map[string]*SimpleType{},
		groups:     map[xmltree.Name]*xnode{},
		unresolved: map[xmltree.Name]bool{},
	}
	var globals []*xnode
	for i, doc := range docs {
		root, err := parseDoc(doc)
		if err != nil {
			return nil, fmt.Errorf("schema document %d: %w", i+1, err)
		}
		if root.name.Space != NSXSD || root.name.Local != "schema" {
			return nil, fmt.Errorf("schema document %d: root element is %s, want xs:schema (pass a WSDL's inline schemas one by one)", i+1, root.name.Local)
		}
		sc := &schemaInfo{tns: root.attr("targetNamespace"), qualified: root.attr("elementFormDefault") == "qualified"}
		info := Schema{TargetNamespace: sc.tns, ElementFormDefault: "unqualified"}
		if sc.qualified {
			info.ElementFormDefault = "qualified"
		}
		for _, c := range root.kids {
			c.schema = sc
			if c.name.Space != NSXSD {
				continue
			}
			name := xmltree.Name{Space: sc.tns, Local: c.attr("name")}
			switch c.name.Local {
			case "import":
				info.Imports = append(info.Imports, Import{Namespace: c.attr("namespace"), SchemaLocation: c.attr("schemaLocation")})
			case "include":
				info.Imports = append(info.Imports, Import{Namespace: sc.tns, SchemaLocation: c.attr("schemaLocation"), Include: true})
			case "element":
				if _, dup := m.elements[name]; !dup && name.Local != "" {
					m.elements[name] = &Decl{Name: name, MinOccurs: 1, MaxOccurs: 1}
					globals = append(globals, c)
				}
			case "complexType":
				if _, dup := m.complex[name]; !dup && name.Local != "" {
					m.complex[name] = &ComplexType{Name: name, node: c, Abstract: c.attr("abstract") == "true", Mixed: c.attr("mixed") == "true"}
				}
			case "simpleType":
				if _, dup := m.simple[name]; !dup && name.Local != "" {
					m.simple[name] = &SimpleType{Name: name, node: c}
				}
			case "group":
				if _, dup := m.groups[name]; !dup && name.Local != "" {
					m.groups[name] = c
				}
			}
		}
		m.schemas = append(m.schemas, info)
	}
	// Simple types first: element declarations point at them.
	for _, name := range sortedNames(m.simple) {
		if err := m.resolveSimple(m.simple[name], 0); err != nil {
			return nil, err
		}
	}
	// Global elements next, so element references and types can point at
	// them; their types are only pointed at, not filled, so recursive types
	// cost nothing here.
	for _, g := range globals {
		d := m.elements[xmltree.Name{Space: g.schema.tns, Local: g.attr("name")}]
		if err := m.typeOf(d, g); err != nil {
			return nil, err
		}
		d.Nillable = g.attr("nillable") == "true"
	}
	for _, name := range sortedNames(m.complex) {
		if err := m.fill(m.complex[name], 0); err != nil {
			return nil, err
		}
	}
	for _, g := range globals {
		d := m.elements[xmltree.Name{Space: g.schema.tns, Local: g.attr("name")}]
		if d.content != nil {
			if err := m.fill(d.content, 0); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func sortedNames[V any](mp map[xmltree.Name]V) []xmltree.Name {
	out := make([]xmltree.Name, 0, len(mp))
	for n := range mp {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Space != out[j].Space {
			return out[i].Space < out[j].Space
		}
		return out[i].Local < out[j].Local
	})
	return out
}

// Element returns the global element declaration ns:local.
func (m *Model) Element(ns, local string) (*Decl, bool) {
	d, ok := m.elements[xmltree.Name{Space: ns, Local: local}]
	return d, ok
}

// Elements lists the global elements, sorted by namespace and name.
func (m *Model) Elements() []xmltree.Name { return sortedNames(m.elements) }

// ComplexType returns the named complex type.
func (m *Model) ComplexType(ns, local string) (*ComplexType, bool) {
	ct, ok := m.complex[xmltree.Name{Space: ns, Local: local}]
	return ct, ok
}

// ComplexTypes lists the named complex types, sorted by namespace and name.
func (m *Model) ComplexTypes() []xmltree.Name { return sortedNames(m.complex) }

// SimpleType returns the named simple type; a name in the XML Schema
// namespace returns that builtin type.
func (m *Model) SimpleType(ns, local string) (*SimpleType, bool) {
	if ns == NSXSD {
		if local == "anyType" || local == "" {
			return nil, false
		}
		return m.builtin(local), true
	}
	st, ok := m.simple[xmltree.Name{Space: ns, Local: local}]
	return st, ok
}

// SimpleTypes lists the named (non-builtin) simple types, sorted by
// namespace and name.
func (m *Model) SimpleTypes() []xmltree.Name { return sortedNames(m.simple) }

// Schemas describes the loaded schema documents in load order.
func (m *Model) Schemas() []Schema { return append([]Schema(nil), m.schemas...) }

// Namespaces lists the target namespaces of the loaded schemas, sorted and
// without duplicates.
func (m *Model) Namespaces() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range m.schemas {
		if !seen[s.TargetNamespace] {
			seen[s.TargetNamespace] = true
			out = append(out, s.TargetNamespace)
		}
	}
	sort.Strings(out)
	return out
}

// ChildrenOf returns the ordered child element declarations of d; nil for a
// simple, wildcard or open (anyType) element. It fails when d's type names
// nothing the model loaded.
func (m *Model) ChildrenOf(d *Decl) ([]*Decl, error) {
	if d == nil {
		return nil, errors.New("xsdmodel: nil declaration")
	}
	if d.unresolved {
		return nil, fmt.Errorf("element %s has type %s, which no loaded schema defines; load the schema that declares it", d.Name.Local, d.Type)
	}
	if d.content == nil {
		return nil, nil
	}
	return d.content.children, nil
}

// TypeChildren returns the ordered child element declarations of the named
// complex type.
func (m *Model) TypeChildren(ns, local string) ([]*Decl, error) {
	ct, ok := m.complex[xmltree.Name{Space: ns, Local: local}]
	if !ok {
		return nil, fmt.Errorf("no complex type %s in the loaded schemas", xmltree.Name{Space: ns, Local: local})
	}
	return ct.children, nil
}

// Unresolved lists the type QNames referenced but not defined by any loaded
// schema (other than the XML Schema built-ins).
func (m *Model) Unresolved() []xmltree.Name { return sortedNames(m.unresolved) }

// typeOf sets d's type from an element node: type="QName", or an anonymous
// complexType/simpleType child, or none (anyType).
func (m *Model) typeOf(d *Decl, n *xnode) error {
	if t := n.attr("type"); t != "" {
		q, err := n.resolve(t)
		if err != nil {
			return err
		}
		d.Type = q
		m.link(d)
		return nil
	}
	for _, c := range n.kids {
		if c.name.Space != NSXSD {
			continue
		}
		switch c.name.Local {
		case "complexType":
			d.content = &ComplexType{node: c, Abstract: c.attr("abstract") == "true", Mixed: c.attr("mixed") == "true"}
			d.Simple = hasSimpleContent(c)
			return nil
		case "simpleType":
			st := &SimpleType{node: c}
			if err := m.resolveSimple(st, 0); err != nil {
				return fmt.Errorf("element %s: %w", d.Name.Local, err)
			}
			d.simple = st
			d.Simple = true
			return nil
		}
	}
	d.anyContent = true
	return nil
}

// link points d at its named type; built-in XSD types are simple, except
// anyType.
func (m *Model) link(d *Decl) {
	if d.Type.Space == NSXSD {
		if d.Type.Local == "anyType" {
			d.anyContent = true
		} else {
			d.Simple = true
			d.simple = m.builtin(d.Type.Local)
		}
		return
	}
	if ct, ok := m.complex[d.Type]; ok {
		d.content = ct
		d.Simple = hasSimpleContent(ct.node)
		return
	}
	if st, ok := m.simple[d.Type]; ok {
		d.Simple = true
		d.simple = st
		return
	}
	d.unresolved = true
	m.unresolved[d.Type] = true
}

// fill computes a complex type's content; derivation bases are filled
// first, and a type met again while being filled is a loop.
func (m *Model) fill(ct *ComplexType, depth int) error {
	return ct.run("complex type", ct.Name, depth, func() error { return m.content(ct, depth) })
}

// content reads the content model of ct's node into ct.
func (m *Model) content(ct *ComplexType, depth int) error {
	for _, c := range ct.node.kids {
		if c.name.Space != NSXSD {
			continue
		}
		switch c.name.Local {
		case "sequence", "choice", "all", "group", "element", "any":
			g, err := m.ownContent(ct.node, depth)
			if err != nil {
				return err
			}
			ct.Content = g
			ct.children = flatten(g)
			return nil
		case "simpleContent":
			return m.simpleContent(ct, c, depth)
		case "complexContent":
			if c.attr("mixed") == "true" {
				ct.Mixed = true
			}
			for _, d := range c.kids {
				if d.name.Space != NSXSD || (d.name.Local != "extension" && d.name.Local != "restriction") {
					continue
				}
				q, err := d.resolve(d.attr("base"))
				if err != nil {
					return err
				}
				ct.Base = q
				ct.Derivation = Restriction
				if d.name.Local == "extension" {
					ct.Derivation = Extension
				}
				var base []*Decl
				if q.Space != NSXSD { // xs:anyType: nothing to inherit
					bt, ok := m.complex[q]
					if !ok {
						m.unresolved[q] = true
						return fmt.Errorf("base type %s is not defined by any loaded schema", q)
					}
					if err := m.fill(bt, depth+1); err != nil {
						return err
					}
					ct.BaseType = bt
					if ct.Derivation == Extension {
						base = bt.children
					}
				}
				g, err := m.ownContent(d, depth)
				if err != nil {
					return err
				}
				ct.Content = g
				ct.inherited = len(base)
				ct.children = append(append([]*Decl(nil), base...), flatten(g)...)
				return nil
			}
		}
	}
	return nil
}

// ownContent reads the one particle a complex type (or its derivation
// element) holds directly, as a group; nil when there is none.
func (m *Model) ownContent(n *xnode, depth int) (*Group, error) {
	for _, c := range n.kids {
		if c.name.Space != NSXSD {
			continue
		}
		switch c.name.Local {
		case "sequence", "choice", "all", "group":
			p, err := m.particle(c, depth)
			if err != nil {
				return nil, err
			}
			return p.Group, nil
		case "element", "any":
			// Not allowed directly by XSD, tolerated as a one-item sequence.
			p, err := m.particle(c, depth)
			if err != nil {
				return nil, err
			}
			return &Group{Compositor: Sequence, MinOccurs: 1, MaxOccurs: 1, Particles: []Particle{p}}, nil
		}
	}
	return nil, nil
}

type occurs struct{ min, max int }

func (o occurs) times(p occurs) occurs {
	r := occurs{o.min * p.min, o.max * p.max}
	if o.max == Unbounded || p.max == Unbounded {
		r.max = Unbounded
	}
	if o.max == 0 || p.max == 0 {
		r.max = 0
	}
	return r
}

func (n *xnode) occurs() (occurs, error) {
	o := occurs{1, 1}
	if s := n.attr("minOccurs"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			return o, fmt.Errorf("bad minOccurs on %s", n.what())
		}
		o.min = v
	}
	if s := n.attr("maxOccurs"); s == "unbounded" {
		o.max = Unbounded
	} else if s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 {
			return o, fmt.Errorf("bad maxOccurs on %s", n.what())
		}
		o.max = v
	}
	return o, nil
}

// particle reads one particle as written: an element or wildcard with its
// own occurrence, or a compositor (a group reference becomes the group's
// compositor with the reference's occurrence).
func (m *Model) particle(n *xnode, depth int) (Particle, error) {
	if depth > maxNesting {
		return Particle{}, fmt.Errorf("particles nest deeper than %d levels (a group that refers to itself?)", maxNesting)
	}
	occ, err := n.occurs()
	if err != nil {
		return Particle{}, err
	}
	switch n.name.Local {
	case "element":
		d, err := m.localElement(n, occ)
		return Particle{Element: d}, err
	case "any":
		ns := n.attr("namespace")
		if ns == "" {
			ns = "##any"
		}
		return Particle{Element: &Decl{Name: xmltree.Name{Space: ns, Local: "*"}, MinOccurs: occ.min, MaxOccurs: occ.max, Wildcard: true}}, nil
	case "group":
		q, err := n.resolve(n.attr("ref"))
		if err != nil {
			return Particle{}, err
		}
		g, ok := m.groups[q]
		if !ok {
			return Particle{}, fmt.Errorf("group %s is not defined by any loaded schema", q)
		}
		for _, c := range g.kids {
			if c.name.Space == NSXSD && (c.name.Local == "sequence" || c.name.Local == "choice" || c.name.Local == "all") {
				p, err := m.particle(c, depth+1)
				if err != nil || p.Group == nil {
					return p, err
				}
				cp := *p.Group
				cp.MinOccurs, cp.MaxOccurs = occ.min, occ.max
				return Particle{Group: &cp}, nil
			}
		}
		return Particle{Group: &Group{Compositor: Sequence, MinOccurs: occ.min, MaxOccurs: occ.max}}, nil
	case "sequence", "choice", "all":
		g := &Group{MinOccurs: occ.min, MaxOccurs: occ.max}
		switch n.name.Local {
		case "sequence":
			g.Compositor = Sequence
		case "choice":
			g.Compositor = Choice
		default:
			g.Compositor = All
		}
		for _, c := range n.kids {
			if c.name.Space != NSXSD || c.name.Local == "annotation" {
				continue
			}
			p, err := m.particle(c, depth+1)
			if err != nil {
				return Particle{}, err
			}
			if p.Element != nil || p.Group != nil {
				g.Particles = append(g.Particles, p)
			}
		}
		return Particle{Group: g}, nil
	}
	return Particle{}, nil
}

// flatten turns a content group into the declaration list of ChildrenOf,
// multiplying the occurrence of the groups around each element into it.
func flatten(g *Group) []*Decl {
	if g == nil {
		return nil
	}
	return flattenGroup(g, occurs{1, 1}, false)
}

func flattenGroup(g *Group, outer occurs, inChoice bool) []*Decl {
	occ := occurs{g.MinOccurs, g.MaxOccurs}.times(outer)
	choice := g.Compositor == Choice
	inner := occ
	if choice && len(g.Particles) > 1 {
		inner.min = 0
	}
	var out []*Decl
	for _, p := range g.Particles {
		if p.Group != nil {
			out = append(out, flattenGroup(p.Group, inner, inChoice || choice)...)
			continue
		}
		d := *p.Element
		o := occurs{d.MinOccurs, d.MaxOccurs}.times(inner)
		d.MinOccurs, d.MaxOccurs = o.min, o.max
		d.InChoice = inChoice || choice
		d.Compositor = g.Compositor
		out = append(out, &d)
	}
	return out
}

func (m *Model) localElement(n *xnode, occ occurs) (*Decl, error) {
	if ref := n.attr("ref"); ref != "" {
		q, err := n.resolve(ref)
		if err != nil {
			return nil, err
		}
		g, ok := m.elements[q]
		if !ok {
			return nil, fmt.Errorf("element reference %s names no global element of the loaded schemas", q)
		}
		d := *g
		d.MinOccurs, d.MaxOccurs = occ.min, occ.max
		return &d, nil
	}
	name := xmltree.Name{Local: n.attr("name")}
	if name.Local == "" {
		return nil, fmt.Errorf("local element without a name or ref")
	}
	form := n.attr("form")
	if form == "qualified" || (form == "" && n.schemaOf().qualified) {
		name.Space = n.schemaOf().tns
	}
	d := &Decl{Name: name, MinOccurs: occ.min, MaxOccurs: occ.max, Nillable: n.attr("nillable") == "true"}
	if err := m.typeOf(d, n); err != nil {
		return nil, err
	}
	if d.content != nil && d.content.Name.Local == "" {
		// Anonymous type: fill it now, it cannot be reached any other way.
		if err := m.fill(d.content, 0); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// hasSimpleContent tells text-only complex types apart from the node alone,
// so it is known before (or while) the type is filled, which recursive types
// need.
func hasSimpleContent(n *xnode) bool {
	for _, c := range n.kids {
		if c.name.Space == NSXSD && c.name.Local == "simpleContent" {
			return true
		}
	}
	return false
}

// schemaInfo is what a schema document's root says about its declarations.
type schemaInfo struct {
	tns       string
	qualified bool
}

// xnode is a schema element with the namespace declarations in scope, which
// QName-valued attributes (type, ref, base) need; xmltree drops them.
type xnode struct {
	name   xmltree.Name
	raw    xml.Name          // prefix and local name as written, to match end tags
	attrs  map[string]string // unqualified attributes only
	scope  map[string]string // prefix ("" default) → URI
	kids   []*xnode
	parent *xnode
	schema *schemaInfo // set on the top-level children of xs:schema
}

func (n *xnode) attr(local string) string { return strings.TrimSpace(n.attrs[local]) }

func (n *xnode) schemaOf() *schemaInfo {
	for p := n; p != nil; p = p.parent {
		if p.schema != nil {
			return p.schema
		}
	}
	return &schemaInfo{}
}

func (n *xnode) what() string {
	if nm := n.attr("name"); nm != "" {
		return n.name.Local + " " + nm
	}
	return n.name.Local
}

// resolve turns a QName attribute value into a namespace-qualified name
// using the declarations in scope where it appears.
func (n *xnode) resolve(q string) (xmltree.Name, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return xmltree.Name{}, fmt.Errorf("empty QName on %s", n.what())
	}
	prefix, local := "", q
	if i := strings.IndexByte(q, ':'); i >= 0 {
		prefix, local = q[:i], q[i+1:]
	}
	uri, ok := n.scope[prefix]
	if !ok && prefix != "" {
		return xmltree.Name{}, fmt.Errorf("prefix %q used on %s is not declared", prefix, n.what())
	}
	return xmltree.Name{Space: uri, Local: local}, nil
}

// parseDoc reads a schema document into xnodes, refusing DTDs.
func parseDoc(doc []byte) (*xnode, error) {
	if len(doc) > maxDocBytes {
		return nil, fmt.Errorf("document larger than %d bytes", maxDocBytes)
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var root, cur *xnode
	depth := 0
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, _ := d.InputPos()
			return nil, fmt.Errorf("line %d: not well-formed XML", line)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxDocDepth {
				return nil, fmt.Errorf("elements nest deeper than %d levels", maxDocDepth)
			}
			n := &xnode{attrs: map[string]string{}, parent: cur, raw: t.Name}
			if cur != nil {
				n.scope = cur.scope
			} else {
				n.scope = map[string]string{"xml": "http://www.w3.org/XML/1998/namespace"}
			}
			copied := false
			for _, a := range t.Attr {
				var prefix string
				switch {
				case a.Name.Space == "xmlns":
					prefix = a.Name.Local
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					prefix = ""
				default:
					if a.Name.Space == "" {
						n.attrs[a.Name.Local] = a.Value
					}
					continue
				}
				if !copied {
					s := make(map[string]string, len(n.scope)+1)
					for k, v := range n.scope {
						s[k] = v
					}
					n.scope, copied = s, true
				}
				n.scope[prefix] = a.Value
			}
			uri, ok := n.scope[t.Name.Space]
			if !ok && t.Name.Space != "" {
				return nil, fmt.Errorf("element prefix %q is not declared", t.Name.Space)
			}
			n.name = xmltree.Name{Space: uri, Local: t.Name.Local}
			if cur == nil {
				if root != nil {
					return nil, errors.New("more than one root element")
				}
				root = n
			} else {
				cur.kids = append(cur.kids, n)
			}
			cur = n
		case xml.EndElement:
			depth--
			if cur == nil || cur.raw != t.Name {
				line, _ := d.InputPos()
				return nil, fmt.Errorf("line %d: end tag does not match its start tag", line)
			}
			cur = cur.parent
		case xml.Directive:
			return nil, errors.New("DTDs are not allowed in schema documents")
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	if cur != nil {
		return nil, errors.New("unexpected end of document")
	}
	return root, nil
}
