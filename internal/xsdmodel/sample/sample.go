// Package sample writes sample instances of schema elements from an
// xsdmodel.Model: a minimal valid one (every required element, once; the
// first branch of a required choice; realistic values per builtin type; the
// first value of an enumeration) and an invalid one that breaks the schema
// in exactly one, deterministically chosen place, which it names.
//
// The samples are test fixtures for contract suites ("a valid and an
// invalid sample message for every operation"); they are not meant to be
// realistic business data. Attributes are not generated (xsdmodel does not
// read them; FNO's schemas have none).
package sample

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
)

// maxDepth bounds the instance: a chain of required recursive elements has
// no finite instance.
const maxDepth = 64

const nsXSI = "http://www.w3.org/2001/XMLSchema-instance"

// Sample is one generated instance.
type Sample struct {
	Root *xmltree.Node
	// Note says what the sample is: for an invalid one, the one way it
	// breaks the schema, with the path of the element concerned.
	Note string
}

// slot is one generated element, kept to choose where to break the valid
// instance.
type slot struct {
	node, parent *xmltree.Node
	path         string
	simple       *xsdmodel.SimpleType
	required     bool // its count equals a minOccurs ≥ 1 in a required context
}

type gen struct {
	slots  []slot
	onPath map[*xsdmodel.ComplexType]int // complex types of the elements being built
}

// Valid returns a minimal valid instance of the global element root.
func Valid(m *xsdmodel.Model, root xmltree.Name) (Sample, error) {
	n, _, err := build(m, root)
	if err != nil {
		return Sample{}, err
	}
	return Sample{Root: n, Note: "valid: minimal instance (required elements only, once each; first choice branch; first enumeration value)"}, nil
}

// Invalid returns the minimal valid instance broken in one place, chosen
// in this order of preference, the first element in document order that
// allows it:
//  1. an element with an enumeration gets a value outside it;
//  2. an element of a non-string builtin type (number, boolean, date…;
//     not base64Binary, which libxml2 checks too laxly) gets a value that
//     is not of that type;
//  3. a required element is removed;
//  4. otherwise an undeclared element is appended to the root, or, when
//     the root's content has a wildcard (xs:any) that would accept it, text
//     is put into the root's element-only content.
func Invalid(m *xsdmodel.Model, root xmltree.Name) (Sample, error) {
	n, g, err := build(m, root)
	if err != nil {
		return Sample{}, err
	}
	for _, s := range g.slots {
		if s.simple != nil && len(enumOf(s.simple)) > 0 {
			s.node.Text = "FNOKIT_NOT_IN_ENUMERATION"
			return Sample{Root: n, Note: "invalid: " + s.path + " holds a value outside its enumeration"}, nil
		}
	}
	for _, s := range g.slots {
		if s.simple == nil {
			continue
		}
		if b := builtinOf(s.simple); b != "" && !stringLike(b) && b != "base64Binary" {
			s.node.Text = "not-a-" + b
			if bad, ok := invalidValues[b]; ok {
				s.node.Text = bad
			}
			return Sample{Root: n, Note: "invalid: " + s.path + " holds a value that is not an xs:" + b}, nil
		}
	}
	for _, s := range g.slots {
		if s.required && s.parent != nil {
			kids := s.parent.Children[:0:0]
			for _, c := range s.parent.Children {
				if c != s.node {
					kids = append(kids, c)
				}
			}
			s.parent.Children = kids
			return Sample{Root: n, Note: "invalid: required element " + s.path + " removed"}, nil
		}
	}
	d, _ := m.Element(root.Space, root.Local)
	if ct := d.ComplexType(); ct != nil && acceptsAny(ct, d.Name.Space, root.Space) {
		// An open type ("content not known") takes any element, but its
		// content is still element-only.
		if ct.Mixed || ct.Simple() {
			return Sample{}, fmt.Errorf("/%s: its content accepts any element and text, so there is no place to break it", root.Local)
		}
		n.Text = "fnokit text in element-only content"
		return Sample{Root: n, Note: "invalid: /" + root.Local + " holds text, but its content (an xs:any wildcard) is element-only"}, nil
	}
	n.Children = append(n.Children, &xmltree.Node{Name: xmltree.Name{Space: root.Space, Local: "fnokitUndeclared"}})
	return Sample{Root: n, Note: "invalid: undeclared element /" + root.Local + "/fnokitUndeclared appended"}, nil
}

// acceptsAny reports whether ct's content (inherited part included) has a
// wildcard that admits an element of namespace ns. tns is the namespace of
// the schema the wildcards are read against: the type's, or for an anonymous
// type its global element's (a wildcard inherited from another schema's type
// is rare enough to be read against it too).
func acceptsAny(ct *xsdmodel.ComplexType, tns, ns string) bool {
	if ct.Name.Local != "" {
		tns = ct.Name.Space
	}
	for _, d := range ct.Children() {
		if !d.Wildcard {
			continue
		}
		for _, c := range strings.Fields(d.Name.Space) {
			switch c {
			case "##any":
				return true
			case "##other":
				if ns != tns && ns != "" {
					return true
				}
			case "##targetNamespace":
				if ns == tns {
					return true
				}
			case "##local":
				if ns == "" {
					return true
				}
			default:
				if c == ns {
					return true
				}
			}
		}
	}
	return false
}

// Document encodes a sample as an XML document with its Note as a comment
// after the declaration (prefix "" for the root's namespace).
func Document(s Sample, header string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	comment := strings.TrimSpace(header + " " + s.Note)
	comment = strings.ReplaceAll(comment, "--", "- -")
	b.WriteString("<!-- " + comment + " -->\n")
	s.Root.Encode(&b, xmltree.EncodeOptions{Indent: "  ", Prefixes: map[string]string{s.Root.Name.Space: "", nsXSI: "xsi"}})
	b.WriteString("\n")
	return []byte(b.String())
}

func build(m *xsdmodel.Model, root xmltree.Name) (*xmltree.Node, *gen, error) {
	d, ok := m.Element(root.Space, root.Local)
	if !ok {
		return nil, nil, fmt.Errorf("no global element %s in the model; check the operation's message part", root)
	}
	g := &gen{onPath: map[*xsdmodel.ComplexType]int{}}
	n, err := g.element(d, nil, "/"+d.Name.Local, true, 0)
	return n, g, err
}

func (g *gen) element(d *xsdmodel.Decl, parent *xmltree.Node, path string, required bool, depth int) (*xmltree.Node, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("%s: required elements nest deeper than %d levels (a required recursive type?)", path, maxDepth)
	}
	if d.Unresolved() {
		return nil, fmt.Errorf("%s: type %s is not defined by the loaded schemas", path, d.Type)
	}
	n := &xmltree.Node{Name: d.Name}
	s := slot{node: n, parent: parent, path: path, required: required}
	if st := d.SimpleType(); d.Simple {
		v, err := value(st)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		n.Text = v
		s.simple = st
		g.slots = append(g.slots, s)
		return n, nil
	}
	ct := d.ComplexType()
	if ct != nil && g.onPath[ct] > 0 && d.Nillable {
		// A required element of a type being built already: nil ends the
		// recursion where the schema allows it (xsi:nil="true").
		n.Attrs = append(n.Attrs, xmltree.Attr{Name: xmltree.Name{Space: nsXSI, Local: "nil"}, Value: "true"})
		return n, nil
	}
	g.slots = append(g.slots, s)
	if ct != nil {
		g.onPath[ct]++
		err := g.complexContent(ct, n, path, depth)
		g.onPath[ct]--
		if err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (g *gen) complexContent(ct *xsdmodel.ComplexType, n *xmltree.Node, path string, depth int) error {
	if ct.Derivation == xsdmodel.Extension && ct.BaseType != nil {
		if err := g.complexContent(ct.BaseType, n, path, depth); err != nil {
			return err
		}
	}
	if ct.Content == nil {
		return nil
	}
	return g.group(ct.Content, n, path, true, depth)
}

func (g *gen) group(gr *xsdmodel.Group, n *xmltree.Node, path string, required bool, depth int) error {
	if gr.MinOccurs == 0 {
		return nil
	}
	for range gr.MinOccurs {
		particles := gr.Particles
		if gr.Compositor == xsdmodel.Choice && len(particles) > 0 {
			particles = particles[:1]
		}
		for _, p := range particles {
			if p.Group != nil {
				if err := g.group(p.Group, n, path, required, depth); err != nil {
					return err
				}
				continue
			}
			d := p.Element
			if d.MinOccurs == 0 {
				continue
			}
			if d.Wildcard {
				return fmt.Errorf("%s: a required wildcard (xs:any) cannot be sampled", path)
			}
			// Required only when it is the only way to fill its place: a
			// choice of one branch or a sequence/all.
			req := required && (gr.Compositor != xsdmodel.Choice || len(gr.Particles) == 1)
			for range d.MinOccurs {
				c, err := g.element(d, n, path+"/"+d.Name.Local, req, depth+1)
				if err != nil {
					return err
				}
				n.Children = append(n.Children, c)
			}
		}
	}
	return nil
}

func enumOf(st *xsdmodel.SimpleType) []string {
	if st.Variety == xsdmodel.List && st.ItemType != nil && len(st.Enumeration) == 0 {
		return st.ItemType.Enumeration
	}
	return st.Enumeration
}

func builtinOf(st *xsdmodel.SimpleType) string {
	if st.Variety == xsdmodel.Union {
		return ""
	}
	return st.Builtin.Local
}

func stringLike(b string) bool {
	switch b {
	case "string", "normalizedString", "token", "Name", "NCName", "NMTOKEN", "NMTOKENS", "ID", "IDREF", "IDREFS", "ENTITY", "ENTITIES", "anySimpleType", "language", "QName", "NOTATION", "anyURI":
		return true
	}
	return false
}

// invalidValues replace "not-a-<type>" where that would be valid. (No value
// is used for base64Binary: libxml2 skips characters outside the base64
// alphabet, so Invalid does not pick such elements.)
var invalidValues = map[string]string{"hexBinary": "ZZ"}

// builtinValues are realistic values per builtin type.
var builtinValues = map[string]string{
	"string": "sample", "normalizedString": "sample", "token": "sample", "Name": "sample", "NCName": "sample",
	"NMTOKEN": "SAMPLE", "NMTOKENS": "SAMPLE", "ID": "id1", "IDREF": "id1", "IDREFS": "id1", "ENTITY": "sample", "ENTITIES": "sample",
	"language": "en", "anyURI": "https://example.com/sample", "QName": "sample", "anySimpleType": "sample",
	"boolean": "true", "decimal": "1.5", "float": "1.5", "double": "1.5",
	"integer": "1", "int": "1", "long": "1", "short": "1", "byte": "1",
	"nonNegativeInteger": "1", "positiveInteger": "1", "unsignedLong": "1", "unsignedInt": "1", "unsignedShort": "1", "unsignedByte": "1",
	"nonPositiveInteger": "0", "negativeInteger": "-1",
	"date": "2024-01-31", "dateTime": "2024-01-31T12:00:00Z", "time": "12:00:00", "duration": "P1D",
	"gYear": "2024", "gYearMonth": "2024-01", "gMonth": "--01", "gDay": "---31", "gMonthDay": "--01-31",
	"base64Binary": "c2FtcGxl", "hexBinary": "73616D706C65",
}

// value returns a valid lexical value of a simple type.
func value(st *xsdmodel.SimpleType) (string, error) {
	if st == nil {
		return "sample", nil
	}
	switch st.Variety {
	case xsdmodel.Union:
		if len(st.MemberTypes) == 0 {
			return "", fmt.Errorf("union without member types")
		}
		return value(st.MemberTypes[0])
	case xsdmodel.List:
		if e := st.Enumeration; len(e) > 0 {
			return e[0], nil
		}
		v, err := value(st.ItemType)
		if err != nil {
			return "", err
		}
		return v, nil
	}
	if len(st.Enumeration) > 0 {
		return st.Enumeration[0], nil
	}
	b := st.Builtin.Local
	v, ok := builtinValues[b]
	if !ok {
		return "", fmt.Errorf("no sample value for builtin type %q", b)
	}
	if !stringLike(b) {
		v = numericBounds(st, v)
	} else {
		v = lengthBounds(st, v)
	}
	for _, f := range st.Facets {
		if f.Name != "pattern" {
			continue
		}
		re, err := regexp.Compile(`^(?:` + f.Value + `)$`)
		if err != nil || !re.MatchString(v) {
			return "", fmt.Errorf("cannot produce a value matching pattern facet %q; extend internal/xsdmodel/sample", f.Value)
		}
	}
	return v, nil
}

func lengthBounds(st *xsdmodel.SimpleType, v string) string {
	atoi := func(name string) (int, bool) {
		s, ok := st.Facet(name)
		if !ok {
			return 0, false
		}
		n, err := strconv.Atoi(s)
		return n, err == nil
	}
	if n, ok := atoi("length"); ok {
		return fit(v, n, n)
	}
	lo, hasLo := atoi("minLength")
	hi, hasHi := atoi("maxLength")
	if !hasLo {
		lo = 0
	}
	if !hasHi {
		hi = math.MaxInt
	}
	return fit(v, lo, hi)
}

func fit(v string, lo, hi int) string {
	for len(v) < lo {
		v += "x"
	}
	if len(v) > hi {
		v = v[:hi]
	}
	return v
}

// numericBounds moves a numeric value inside min/max facets (only for
// numbers; dates with bounds keep their value, which is rare enough).
func numericBounds(st *xsdmodel.SimpleType, v string) string {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v
	}
	integral := !strings.ContainsAny(v, ".")
	get := func(name string) (float64, bool) {
		s, ok := st.Facet(name)
		if !ok {
			return 0, false
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	step := 0.5
	if integral {
		step = 1
	}
	if lo, ok := get("minInclusive"); ok && x < lo {
		x = lo
	}
	if lo, ok := get("minExclusive"); ok && x <= lo {
		x = lo + step
	}
	if hi, ok := get("maxInclusive"); ok && x > hi {
		x = hi
	}
	if hi, ok := get("maxExclusive"); ok && x >= hi {
		x = hi - step
	}
	if fd, ok := st.Facet("fractionDigits"); ok && fd == "0" {
		x, integral = math.Trunc(x), true
	}
	if integral {
		return strconv.FormatInt(int64(x), 10)
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}
