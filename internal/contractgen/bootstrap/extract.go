package main

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/fnokit/fnokit/internal/wsdl"
)

const nsXSD = "http://www.w3.org/2001/XMLSchema"

// unbounded is the Max of maxOccurs="unbounded".
const unbounded = -1

// entry is one element of a complex type's sequence. Type is a local type
// name or an XSD builtin's local name (the two never collide in FNO's
// schemas; builtins keeps them apart when they would).
type entry struct {
	Name     string
	Type     string
	Min, Max int
	Nillable bool
}

type complexType struct {
	Name    string
	Extends string
	Seq     []entry
}

type simpleType struct {
	Name   string
	Base   string
	Values []string
}

// schema is the part of one version's inline schema the contract format can
// express, keyed by local name (one target namespace per FNO WSDL).
type schema struct {
	TNS      string
	Complex  map[string]*complexType
	Simple   map[string]*simpleType
	Elements map[string]string // global element → type
	Order    []string          // type names in document order
	ElemOrd  []string          // global element names in document order
	builtins map[string]bool   // type names that resolved to the XSD namespace
	anon     map[string]bool   // "type.element" of entries with an anonymous type
}

type operation struct {
	Name, Input, Output string
}

// version is what one reference WSDL says about the in-scope operations:
// those operations (in portType order) and the closure of the types their
// messages reach.
type version struct {
	Name   string
	Ops    []operation
	Schema *schema
}

// extract reads one reference WSDL and keeps the in-scope operations and
// everything they reach. Operations the WSDL lacks are returned in missing.
func extract(data []byte, vname string, inScope []string) (*version, []string, error) {
	defs, err := wsdl.Parse(data)
	if err != nil {
		return nil, nil, err
	}
	if len(defs.Schemas) > 1 {
		return nil, nil, fmt.Errorf("%d inline schemas; the contract format has one namespace per version", len(defs.Schemas))
	}
	full := &schema{Complex: map[string]*complexType{}, Simple: map[string]*simpleType{}, Elements: map[string]string{}, builtins: map[string]bool{}, anon: map[string]bool{}}
	if len(defs.Schemas) == 1 {
		if full, err = parseSchema(defs.Schemas[0].Source); err != nil {
			return nil, nil, err
		}
	}
	want := map[string]bool{}
	for _, o := range inScope {
		want[o] = true
	}
	v := &version{Name: vname}
	seen := map[string]bool{}
	for _, o := range defs.Operations {
		if !want[o.Name] {
			continue
		}
		seen[o.Name] = true
		if o.Input.Space != full.TNS || o.Output.Space != full.TNS {
			return nil, nil, fmt.Errorf("operation %s: message element outside the schema namespace", o.Name)
		}
		v.Ops = append(v.Ops, operation{Name: o.Name, Input: o.Input.Local, Output: o.Output.Local})
	}
	var missing []string
	for _, o := range inScope {
		if !seen[o] {
			missing = append(missing, o)
		}
	}
	v.Schema, err = closure(full, v.Ops)
	return v, missing, err
}

// closure keeps the elements and types reachable from ops.
func closure(full *schema, ops []operation) (*schema, error) {
	out := &schema{TNS: full.TNS, Complex: map[string]*complexType{}, Simple: map[string]*simpleType{}, Elements: map[string]string{}, builtins: full.builtins}
	var visit func(t, from string) error
	visit = func(t, from string) error {
		if full.builtins[t] {
			return nil
		}
		if _, ok := out.Complex[t]; ok {
			return nil
		}
		if _, ok := out.Simple[t]; ok {
			return nil
		}
		if s, ok := full.Simple[t]; ok {
			out.Simple[t] = s
			return nil
		}
		c, ok := full.Complex[t]
		if !ok {
			return fmt.Errorf("%s: type %s is not defined", from, t)
		}
		out.Complex[t] = c
		if c.Extends != "" {
			if err := visit(c.Extends, t); err != nil {
				return err
			}
		}
		for _, e := range c.Seq {
			if full.anon[t+"."+e.Name] {
				return fmt.Errorf("%s.%s has an anonymous type, which the contract format cannot express", t, e.Name)
			}
			if err := visit(e.Type, t+"."+e.Name); err != nil {
				return err
			}
		}
		return nil
	}
	for _, o := range ops {
		for _, el := range []string{o.Input, o.Output} {
			t, ok := full.Elements[el]
			if !ok {
				return nil, fmt.Errorf("operation %s: element %s is not declared", o.Name, el)
			}
			out.Elements[el] = t
			if err := visit(t, el); err != nil {
				return nil, err
			}
		}
	}
	for _, n := range full.Order {
		if out.Complex[n] != nil || out.Simple[n] != nil {
			out.Order = append(out.Order, n)
		}
	}
	for _, n := range full.ElemOrd {
		if _, ok := out.Elements[n]; ok {
			out.ElemOrd = append(out.ElemOrd, n)
		}
	}
	return out, nil
}

// xnode is a schema element with its QName-valued attributes resolved.
type xnode struct {
	local string
	attrs map[string]string
	kids  []*xnode
	ns    map[string]string // in-scope prefix → namespace
}

func (n *xnode) qname(attr string) (space, local string, err error) {
	v := n.attrs[attr]
	p, l, ok := strings.Cut(v, ":")
	if !ok {
		p, l = "", v
	}
	space, found := n.ns[p]
	if !found {
		return "", "", fmt.Errorf("%s=%q: prefix %q is not declared", attr, v, p)
	}
	return space, l, nil
}

func readTree(src []byte) (*xnode, error) {
	d := xml.NewDecoder(bytes.NewReader(src))
	var stack []*xnode
	var root *xnode
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{local: t.Name.Local, attrs: map[string]string{}, ns: map[string]string{}}
			if len(stack) > 0 {
				for k, v := range stack[len(stack)-1].ns {
					n.ns[k] = v
				}
			}
			for _, a := range t.Attr {
				switch {
				case a.Name.Space == "xmlns":
					n.ns[a.Name.Local] = a.Value
				case a.Name.Space == "" && a.Name.Local == "xmlns":
					n.ns[""] = a.Value
				case a.Name.Space == "":
					n.attrs[a.Name.Local] = a.Value
				}
			}
			if n.ns[t.Name.Space] != nsXSD {
				return nil, fmt.Errorf("element %s is not in the XML Schema namespace", t.Name.Local)
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if root == nil {
		return nil, errors.New("empty schema")
	}
	return root, nil
}

// parseSchema reads the subset of XSD that FNO's WSDLs use and refuses
// anything else, so a construct the contract format cannot express is never
// silently dropped.
func parseSchema(src []byte) (*schema, error) {
	root, err := readTree(src)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	s := &schema{TNS: root.attrs["targetNamespace"], Complex: map[string]*complexType{}, Simple: map[string]*simpleType{}, Elements: map[string]string{}, builtins: map[string]bool{}, anon: map[string]bool{}}
	ref := func(n *xnode, attr string) (string, error) {
		space, local, err := n.qname(attr)
		if err != nil {
			return "", err
		}
		switch space {
		case nsXSD:
			s.builtins[local] = true
		case s.TNS:
		default:
			return "", fmt.Errorf("%s refers to namespace %s", attr, space)
		}
		return local, nil
	}
	for _, c := range root.kids {
		name := c.attrs["name"]
		switch c.local {
		case "element":
			t, err := ref(c, "type")
			if err != nil {
				return nil, fmt.Errorf("element %s: %w", name, err)
			}
			s.Elements[name] = t
			s.ElemOrd = append(s.ElemOrd, name)
		case "simpleType":
			st, err := parseSimple(c, ref)
			if err != nil {
				return nil, fmt.Errorf("simpleType %s: %w", name, err)
			}
			s.Simple[name] = st
			s.Order = append(s.Order, name)
		case "complexType":
			ct, err := parseComplex(c, s, ref)
			if err != nil {
				return nil, fmt.Errorf("complexType %s: %w", name, err)
			}
			s.Complex[name] = ct
			s.Order = append(s.Order, name)
		default:
			return nil, fmt.Errorf("unsupported top-level xs:%s", c.local)
		}
	}
	for n := range s.builtins {
		if s.Complex[n] != nil || s.Simple[n] != nil {
			return nil, fmt.Errorf("type %s is both a builtin and a schema type", n)
		}
	}
	return s, nil
}

func parseSimple(c *xnode, ref func(*xnode, string) (string, error)) (*simpleType, error) {
	if len(c.kids) != 1 || c.kids[0].local != "restriction" {
		return nil, errors.New("only a restriction is supported")
	}
	r := c.kids[0]
	base, err := ref(r, "base")
	if err != nil {
		return nil, err
	}
	st := &simpleType{Name: c.attrs["name"], Base: base}
	for _, f := range r.kids {
		if f.local != "enumeration" {
			return nil, fmt.Errorf("facet %s is not handled by the bootstrap", f.local)
		}
		st.Values = append(st.Values, f.attrs["value"])
	}
	return st, nil
}

func parseComplex(c *xnode, s *schema, ref func(*xnode, string) (string, error)) (*complexType, error) {
	ct := &complexType{Name: c.attrs["name"]}
	if len(c.kids) != 1 {
		return nil, fmt.Errorf("%d children, want one sequence or complexContent", len(c.kids))
	}
	seq := c.kids[0]
	if seq.local == "complexContent" {
		if len(seq.kids) != 1 || seq.kids[0].local != "extension" {
			return nil, errors.New("complexContent without a single extension")
		}
		ext := seq.kids[0]
		base, err := ref(ext, "base")
		if err != nil {
			return nil, err
		}
		ct.Extends = base
		switch len(ext.kids) {
		case 0:
			return ct, nil
		case 1:
			seq = ext.kids[0]
		default:
			return nil, errors.New("extension with more than one particle")
		}
	}
	if seq.local != "sequence" {
		return nil, fmt.Errorf("xs:%s is not supported", seq.local)
	}
	for _, e := range seq.kids {
		if e.local != "element" {
			return nil, fmt.Errorf("xs:%s in a sequence is not supported", e.local)
		}
		en := entry{Name: e.attrs["name"], Min: 1, Max: 1, Nillable: e.attrs["nillable"] == "true"}
		if v, ok := e.attrs["minOccurs"]; ok {
			if _, err := fmt.Sscan(v, &en.Min); err != nil {
				return nil, fmt.Errorf("%s minOccurs: %w", en.Name, err)
			}
		}
		if v, ok := e.attrs["maxOccurs"]; ok {
			if v == "unbounded" {
				en.Max = unbounded
			} else if _, err := fmt.Sscan(v, &en.Max); err != nil {
				return nil, fmt.Errorf("%s maxOccurs: %w", en.Name, err)
			}
		}
		for k := range e.attrs {
			switch k {
			case "name", "type", "minOccurs", "maxOccurs", "nillable":
			default:
				return nil, fmt.Errorf("%s: attribute %s is not supported", en.Name, k)
			}
		}
		if _, ok := e.attrs["type"]; ok {
			t, err := ref(e, "type")
			if err != nil {
				return nil, fmt.Errorf("%s: %w", en.Name, err)
			}
			en.Type = t
		} else {
			// An anonymous type: remembered so the closure refuses it only
			// when an in-scope operation reaches it.
			s.anon[ct.Name+"."+en.Name] = true
		}
		ct.Seq = append(ct.Seq, en)
	}
	return ct, nil
}
