// Package xsdmodel answers one question about XML schemas: which child
// elements does an element have, in which order, how often, and are they
// simple or complex. The SOAP codec uses it to turn a plain value (a JS object
// from a k6 script) into a payload whose children follow the schema's
// xs:sequence, and to know which response elements are lists.
//
// It is not a validator (libxml2 does that, elsewhere): it reads element and
// type declarations, sequences, choices, alls, groups, element references and
// complexContent extensions, and ignores facets, attributes and identity
// constraints. It is pure Go, so the k6 extension can use it.
//
// Ordering rules, flattened into one list per type:
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
	maxNesting  = 64 // group references and extension chains
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
	// Wildcard marks an xs:any; Name.Local is "*" and Name.Space holds the
	// namespace constraint as written (##any, ##other, a URI list).
	Wildcard bool

	content    *complexType // nil for simple, wildcard or anyType content
	anyContent bool         // xs:anyType or no type: any children allowed
	unresolved bool         // the type QName names nothing loaded
}

// Repeated reports whether the element may occur more than once.
func (d *Decl) Repeated() bool { return d.MaxOccurs == Unbounded || d.MaxOccurs > 1 }

// Open reports whether the element's content is not constrained by the
// model (xs:anyType or no type), so any children are acceptable.
func (d *Decl) Open() bool { return d.anyContent }

type complexType struct {
	name     xmltree.Name // zero when anonymous
	node     *xnode
	children []*Decl
	simple   bool // simpleContent
	state    int  // 0 new, 1 filling, 2 done
	err      error
}

type simpleType struct{}

// Model holds the declarations of a set of schema documents.
type Model struct {
	elements   map[xmltree.Name]*Decl
	complex    map[xmltree.Name]*complexType
	simple     map[xmltree.Name]simpleType
	groups     map[xmltree.Name]*xnode
	unresolved map[xmltree.Name]bool
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
		complex:    map[xmltree.Name]*complexType{},
		simple:     map[xmltree.Name]simpleType{},
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
		for _, c := range root.kids {
			c.schema = sc
			if c.name.Space != NSXSD {
				continue
			}
			name := xmltree.Name{Space: sc.tns, Local: c.attr("name")}
			switch c.name.Local {
			case "element":
				if _, dup := m.elements[name]; !dup && name.Local != "" {
					m.elements[name] = &Decl{Name: name, MinOccurs: 1, MaxOccurs: 1}
					globals = append(globals, c)
				}
			case "complexType":
				if _, dup := m.complex[name]; !dup && name.Local != "" {
					m.complex[name] = &complexType{name: name, node: c}
				}
			case "simpleType":
				m.simple[name] = simpleType{}
			case "group":
				if _, dup := m.groups[name]; !dup && name.Local != "" {
					m.groups[name] = c
				}
			}
		}
	}
	// Global elements first, so element references and types can point at
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
			d.content = &complexType{node: c}
			d.Simple = hasSimpleContent(c)
			return nil
		case "simpleType":
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
		}
		return
	}
	if ct, ok := m.complex[d.Type]; ok {
		d.content = ct
		d.Simple = hasSimpleContent(ct.node)
		return
	}
	if _, ok := m.simple[d.Type]; ok {
		d.Simple = true
		return
	}
	d.unresolved = true
	m.unresolved[d.Type] = true
}

// fill computes a complex type's flattened children; extension bases are
// filled first, and a type met again while being filled is a loop.
func (m *Model) fill(ct *complexType, depth int) error {
	switch ct.state {
	case 2:
		return ct.err
	case 1:
		return fmt.Errorf("complex type %s derives from itself", ct.name)
	}
	if depth > maxNesting {
		return fmt.Errorf("complex type %s: derivation deeper than %d levels", ct.name, maxNesting)
	}
	ct.state = 1
	ct.children, ct.simple, ct.err = m.content(ct.node, depth)
	ct.state = 2
	if ct.err != nil && ct.name.Local != "" {
		ct.err = fmt.Errorf("complex type %s: %w", ct.name.Local, ct.err)
	}
	return ct.err
}

func (m *Model) content(n *xnode, depth int) (kids []*Decl, simple bool, err error) {
	for _, c := range n.kids {
		if c.name.Space != NSXSD {
			continue
		}
		switch c.name.Local {
		case "sequence", "choice", "all", "group", "element", "any":
			k, err := m.particle(c, occurs{1, 1}, false, depth)
			return k, false, err
		case "simpleContent":
			return nil, true, nil
		case "complexContent":
			for _, d := range c.kids {
				if d.name.Space != NSXSD || (d.name.Local != "extension" && d.name.Local != "restriction") {
					continue
				}
				var base []*Decl
				if d.name.Local == "extension" {
					if base, err = m.baseChildren(d, depth); err != nil {
						return nil, false, err
					}
				}
				own, _, err := m.content(d, depth)
				if err != nil {
					return nil, false, err
				}
				return append(append([]*Decl(nil), base...), own...), false, nil
			}
		}
	}
	return nil, false, nil
}

func (m *Model) baseChildren(ext *xnode, depth int) ([]*Decl, error) {
	q, err := ext.resolve(ext.attr("base"))
	if err != nil {
		return nil, err
	}
	if q.Space == NSXSD {
		return nil, nil // anyType: nothing to inherit
	}
	ct, ok := m.complex[q]
	if !ok {
		m.unresolved[q] = true
		return nil, fmt.Errorf("base type %s is not defined by any loaded schema", q)
	}
	if err := m.fill(ct, depth+1); err != nil {
		return nil, err
	}
	return ct.children, nil
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

// particle flattens one particle into declarations, multiplying the
// occurrence of the groups around it into each.
func (m *Model) particle(n *xnode, outer occurs, inChoice bool, depth int) ([]*Decl, error) {
	if depth > maxNesting {
		return nil, fmt.Errorf("particles nest deeper than %d levels (a group that refers to itself?)", maxNesting)
	}
	occ, err := n.occurs()
	if err != nil {
		return nil, err
	}
	occ = occ.times(outer)
	switch n.name.Local {
	case "element":
		return m.localElement(n, occ, inChoice)
	case "any":
		ns := n.attr("namespace")
		if ns == "" {
			ns = "##any"
		}
		return []*Decl{{Name: xmltree.Name{Space: ns, Local: "*"}, MinOccurs: occ.min, MaxOccurs: occ.max, Wildcard: true, InChoice: inChoice}}, nil
	case "group":
		q, err := n.resolve(n.attr("ref"))
		if err != nil {
			return nil, err
		}
		g, ok := m.groups[q]
		if !ok {
			return nil, fmt.Errorf("group %s is not defined by any loaded schema", q)
		}
		for _, c := range g.kids {
			if c.name.Space == NSXSD && (c.name.Local == "sequence" || c.name.Local == "choice" || c.name.Local == "all") {
				return m.particle(c, occ, inChoice, depth+1)
			}
		}
		return nil, nil
	case "sequence", "choice", "all":
		var branches []*xnode
		for _, c := range n.kids {
			if c.name.Space == NSXSD && c.name.Local != "annotation" {
				branches = append(branches, c)
			}
		}
		choice := n.name.Local == "choice"
		inner := occ
		if choice && len(branches) > 1 {
			inner.min = 0
		}
		var out []*Decl
		for _, c := range branches {
			k, err := m.particle(c, inner, inChoice || choice, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, k...)
		}
		return out, nil
	}
	return nil, nil
}

func (m *Model) localElement(n *xnode, occ occurs, inChoice bool) ([]*Decl, error) {
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
		d.MinOccurs, d.MaxOccurs, d.InChoice = occ.min, occ.max, inChoice
		return []*Decl{&d}, nil
	}
	name := xmltree.Name{Local: n.attr("name")}
	if name.Local == "" {
		return nil, fmt.Errorf("local element without a name or ref")
	}
	form := n.attr("form")
	if form == "qualified" || (form == "" && n.schemaOf().qualified) {
		name.Space = n.schemaOf().tns
	}
	d := &Decl{Name: name, MinOccurs: occ.min, MaxOccurs: occ.max, InChoice: inChoice, Nillable: n.attr("nillable") == "true"}
	if err := m.typeOf(d, n); err != nil {
		return nil, err
	}
	if d.content != nil && d.content.name.Local == "" {
		// Anonymous type: fill it now, it cannot be reached any other way.
		if err := m.fill(d.content, 0); err != nil {
			return nil, err
		}
	}
	return []*Decl{d}, nil
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
