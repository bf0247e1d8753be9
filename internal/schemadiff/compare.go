// Package schemadiff compares two XML schema models structurally, from given
// root elements (an operation's input and output), and reports every
// difference with a location path, a stable kind ID and a breaking
// classification.
//
// Only what an instance can show is compared: element names, order,
// occurrences, nillable, compositors, and the simple content each element
// reaches (builtin base, variety, enumeration, facets); plus, because
// generated classes depend on it, the split of a complex type's elements
// between its extension bases. Type names are not compared, so two files
// that factor their types differently compare equal; namespaces are
// compared modulo each side's target namespace (the namespace of its root
// element), so two versions of one service can be compared too.
//
// The walk follows the element tree from the roots; a pair of complex types
// already being compared on the current path is not entered again, which
// bounds recursive types. Attributes are not compared (FNO's schemas have
// none; xsdmodel does not read them).
package schemadiff

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
)

// Difference is one structural difference between the old and the new side.
type Difference struct {
	Kind    Kind
	Message Message
	// Path locates the element: /root/child/grandchild (a repeated sibling
	// name gets [n], counted from 1).
	Path string
	// Old and New describe each side (e.g. "string, 0..1", "absent").
	Old, New string
	// Change says how the accepted instances move; Breaking is the
	// classifier's verdict for Message.
	Change   Change
	Breaking bool
}

func (d Difference) String() string {
	b := ""
	if d.Breaking {
		b = " (breaking)"
	}
	return fmt.Sprintf("%s %s %s: old %s, new %s%s", d.Message, d.Kind, d.Path, d.Old, d.New, b)
}

// Side is one model and the global element a message starts from.
type Side struct {
	Model *xsdmodel.Model
	Root  xmltree.Name
}

// Options tune Compare.
type Options struct {
	Message Message
	// Classify decides Difference.Breaking; nil means Breaking.
	Classify Classifier
	// MaxElements bounds the number of element pairs compared (default
	// 1,000,000), so a pathological schema cannot run forever.
	MaxElements int
}

// Compare compares the element trees of old and new from their roots. An
// error means the comparison could not run (a root not declared, a type not
// loaded, the element bound exceeded); differences are not errors.
func Compare(old, new Side, opt Options) ([]Difference, error) {
	if opt.Classify == nil {
		opt.Classify = Breaking
	}
	if opt.MaxElements <= 0 {
		opt.MaxElements = 1_000_000
	}
	a, ok := old.Model.Element(old.Root.Space, old.Root.Local)
	if !ok {
		return nil, fmt.Errorf("old side: no global element %s; check the operation's message part", old.Root)
	}
	b, ok := new.Model.Element(new.Root.Space, new.Root.Local)
	if !ok {
		return nil, fmt.Errorf("new side: no global element %s; check the operation's message part", new.Root)
	}
	w := &walker{opt: opt, oldNS: old.Root.Space, newNS: new.Root.Space, onPath: map[[2]*xsdmodel.ComplexType]bool{}}
	path := "/" + b.Name.Local
	if w.key(a.Name, w.oldNS) != w.key(b.Name, w.newNS) {
		w.add(RootElementChanged, "/", w.name(a.Name, w.oldNS), w.name(b.Name, w.newNS), Incompatible)
	}
	if a.Nillable != b.Nillable {
		w.add(NillableChanged, path, nillable(a.Nillable), nillable(b.Nillable), widenIf(b.Nillable))
	}
	w.content(path, a, b)
	return w.diffs, w.err
}

type walker struct {
	opt          Options
	oldNS, newNS string
	onPath       map[[2]*xsdmodel.ComplexType]bool
	diffs        []Difference
	n            int
	err          error
}

func (w *walker) add(k Kind, path, old, new string, c Change) {
	d := Difference{Kind: k, Message: w.opt.Message, Path: path, Old: old, New: new, Change: c}
	d.Breaking = w.opt.Classify(d)
	w.diffs = append(w.diffs, d)
}

// key identifies an element name modulo the side's target namespace.
func (w *walker) key(n xmltree.Name, tns string) string {
	if n.Space == tns {
		return n.Local
	}
	return "{" + n.Space + "}" + n.Local
}

// name renders an element name for a description: the local name, with its
// namespace when that is not the side's target namespace.
func (w *walker) name(n xmltree.Name, tns string) string {
	if n.Space == tns {
		return n.Local
	}
	if n.Space == "" {
		return n.Local + " (unqualified)"
	}
	return n.Local + " {" + n.Space + "}"
}

// decl compares two matched child declarations.
func (w *walker) decl(path string, a, b *xsdmodel.Decl) {
	if w.err != nil {
		return
	}
	w.n++
	if w.n > w.opt.MaxElements {
		w.err = fmt.Errorf("compared more than %d elements at %s; raise Options.MaxElements if the schema is really this large", w.opt.MaxElements, path)
		return
	}
	if a.MinOccurs != b.MinOccurs {
		c := Narrows
		if b.MinOccurs < a.MinOccurs {
			c = Widens
		}
		w.add(MinOccursChanged, path, strconv.Itoa(a.MinOccurs), strconv.Itoa(b.MinOccurs), c)
	}
	if a.MaxOccurs != b.MaxOccurs {
		c := Narrows
		if b.MaxOccurs == xsdmodel.Unbounded || (a.MaxOccurs != xsdmodel.Unbounded && b.MaxOccurs > a.MaxOccurs) {
			c = Widens
		}
		w.add(MaxOccursChanged, path, maxString(a.MaxOccurs), maxString(b.MaxOccurs), c)
	}
	if a.Nillable != b.Nillable {
		w.add(NillableChanged, path, nillable(a.Nillable), nillable(b.Nillable), widenIf(b.Nillable))
	}
	if a.Compositor != b.Compositor && a.Compositor != 0 && b.Compositor != 0 {
		w.add(CompositorChanged, path, a.Compositor.String(), b.Compositor.String(), Incompatible)
	}
	w.content(path, a, b)
}

// contentKind names what an element holds.
func contentKind(d *xsdmodel.Decl) string {
	switch {
	case d.Wildcard:
		return "wildcard"
	case d.Unresolved():
		return "unresolved type"
	case d.Open():
		return "any content"
	case d.Simple:
		return "simple"
	}
	return "complex"
}

func (w *walker) content(path string, a, b *xsdmodel.Decl) {
	ka, kb := contentKind(a), contentKind(b)
	if ka == "unresolved type" || kb == "unresolved type" {
		side, d := "old", a
		if kb == "unresolved type" {
			side, d = "new", b
		}
		w.err = fmt.Errorf("%s: %s side's type %s is not defined by its schemas; load the schema that declares it", path, side, d.Type)
		return
	}
	if ka != kb {
		w.add(ContentChanged, path, describeContent(a), describeContent(b), Incompatible)
		return
	}
	switch ka {
	case "simple":
		w.simple(path, a.SimpleType(), b.SimpleType())
	case "complex":
		ca, cb := a.ComplexType(), b.ComplexType()
		if ca == nil || cb == nil {
			return
		}
		pair := [2]*xsdmodel.ComplexType{ca, cb}
		if w.onPath[pair] {
			return // a recursive type: this pair is being compared above
		}
		w.onPath[pair] = true
		defer delete(w.onPath, pair)
		if oa, ob := inheritance(ca), inheritance(cb); oa != ob {
			w.add(ExtensionBaseChanged, path, oa, ob, Neutral)
		}
		w.children(path, ca.Children(), cb.Children())
	}
}

// inheritance describes which of a complex type's elements come from which
// extension base, outermost base first, as "a, b | c | d, e" (no names of
// types, only of elements).
func inheritance(ct *xsdmodel.ComplexType) string {
	var segs []string
	for c := ct; c != nil; {
		kids := c.Children()
		own := kids[min(c.Inherited(), len(kids)):]
		var names []string
		for _, k := range own {
			names = append(names, k.Name.Local)
		}
		segs = append([]string{strings.Join(names, ", ")}, segs...)
		if c.Derivation != xsdmodel.Extension || c.BaseType == nil {
			break
		}
		c = c.BaseType
	}
	if len(segs) == 1 {
		return "no extension base"
	}
	for i, s := range segs {
		if s == "" {
			segs[i] = "(none)"
		}
	}
	return "inherits " + strings.Join(segs[:len(segs)-1], " | ") + "; adds " + segs[len(segs)-1]
}

type child struct {
	key string // name modulo tns, with the occurrence among same-named siblings
	seg string // path segment
	d   *xsdmodel.Decl
}

func (w *walker) index(kids []*xsdmodel.Decl, tns string) ([]child, map[string]child) {
	seen := map[string]int{}
	var list []child
	by := map[string]child{}
	for _, d := range kids {
		k := w.key(d.Name, tns)
		seen[k]++
		c := child{key: k + "#" + strconv.Itoa(seen[k]), seg: d.Name.Local, d: d}
		if seen[k] > 1 {
			c.seg += "[" + strconv.Itoa(seen[k]) + "]"
		}
		list = append(list, c)
		by[c.key] = c
	}
	return list, by
}

func (w *walker) children(path string, as, bs []*xsdmodel.Decl) {
	la, ma := w.index(as, w.oldNS)
	lb, mb := w.index(bs, w.newNS)
	var commonA, commonB []string
	for _, c := range la {
		if _, ok := mb[c.key]; ok {
			commonA = append(commonA, c.key)
		} else {
			ch := Narrows
			if c.d.MinOccurs > 0 {
				ch = Incompatible
			}
			w.add(ElementRemoved, path+"/"+c.seg, describeDecl(c.d, w.oldNS), "absent", ch)
		}
	}
	for _, c := range lb {
		if _, ok := ma[c.key]; ok {
			commonB = append(commonB, c.key)
		} else {
			ch := Widens
			if c.d.MinOccurs > 0 {
				ch = Incompatible
			}
			w.add(ElementAdded, path+"/"+c.seg, "absent", describeDecl(c.d, w.newNS), ch)
		}
	}
	// Elements outside the longest common subsequence moved.
	inLCS := lcs(commonA, commonB)
	for i, k := range commonB {
		if inLCS[k] {
			continue
		}
		a, b := ma[k], mb[k]
		if a.d.Compositor == xsdmodel.All && b.d.Compositor == xsdmodel.All {
			continue // xs:all: order is free
		}
		j := indexOf(commonA, k)
		w.add(OrderChanged, path+"/"+b.seg, position(commonA, j, ma), position(commonB, i, mb), Incompatible)
	}
	for _, k := range commonA {
		w.decl(path+"/"+mb[k].seg, ma[k].d, mb[k].d)
	}
}

func position(keys []string, i int, m map[string]child) string {
	if i == 0 {
		return "first"
	}
	return "after " + m[keys[i-1]].seg
}

func indexOf(s []string, k string) int {
	for i, v := range s {
		if v == k {
			return i
		}
	}
	return -1
}

// lcs returns the keys of a longest common subsequence of a and b (both
// hold the same keys, each once).
func lcs(a, b []string) map[string]bool {
	n, m := len(a), len(b)
	t := make([][]int, n+1)
	for i := range t {
		t[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i][j] = t[i+1][j+1] + 1
			} else {
				t[i][j] = max(t[i+1][j], t[i][j+1])
			}
		}
	}
	out := map[string]bool{}
	for i, j := 0, 0; i < n && j < m; {
		switch {
		case a[i] == b[j]:
			out[a[i]] = true
			i, j = i+1, j+1
		case t[i+1][j] >= t[i][j+1]:
			i++
		default:
			j++
		}
	}
	return out
}

// simple compares two simple types (nil stands for text without a type the
// model knows, such as an unresolved simpleContent base).
func (w *walker) simple(path string, a, b *xsdmodel.SimpleType) {
	if a == nil || b == nil {
		if (a == nil) != (b == nil) {
			w.add(BuiltinTypeChanged, path, describeSimple(a), describeSimple(b), Incompatible)
		}
		return
	}
	if da, db := describeSimple(a), describeSimple(b); da != db {
		w.add(BuiltinTypeChanged, path, da, db, Incompatible)
		return
	}
	if a.Variety == xsdmodel.List && a.ItemType != nil && b.ItemType != nil {
		w.simple(path, a.ItemType, b.ItemType)
	}
	w.enumeration(path, a.Enumeration, b.Enumeration)
	w.facets(path, a, b)
}

func (w *walker) enumeration(path string, a, b []string) {
	switch {
	case a == nil && b == nil:
		return
	case a == nil:
		w.add(FacetChanged, path, "enumeration: none", fmt.Sprintf("enumeration of %d values", len(b)), Narrows)
		return
	case b == nil:
		w.add(FacetChanged, path, fmt.Sprintf("enumeration of %d values", len(a)), "enumeration: none", Widens)
		return
	}
	inA, inB := set(a), set(b)
	for _, v := range a {
		if !inB[v] {
			w.add(EnumValueRemoved, path, v, "absent", Narrows)
		}
	}
	for _, v := range b {
		if !inA[v] {
			w.add(EnumValueAdded, path, "absent", v, Widens)
		}
	}
}

func set(s []string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, v := range s {
		m[v] = true
	}
	return m
}

// facetNames lists the facets compared, in xsdmodel's canonical order.
var facetNames = []string{"length", "minLength", "maxLength", "pattern", "minInclusive", "maxInclusive", "minExclusive", "maxExclusive", "totalDigits", "fractionDigits", "whiteSpace"}

func facetValues(s *xsdmodel.SimpleType, name string) string {
	var vs []string
	for _, f := range s.Facets {
		if f.Name == name {
			vs = append(vs, f.Value)
		}
	}
	sort.Strings(vs)
	return strings.Join(vs, " & ")
}

func (w *walker) facets(path string, a, b *xsdmodel.SimpleType) {
	for _, f := range facetNames {
		va, vb := facetValues(a, f), facetValues(b, f)
		if va == vb {
			continue
		}
		w.add(FacetChanged, path, facetString(f, va), facetString(f, vb), facetChange(f, va, vb))
	}
}

func facetString(name, v string) string {
	if v == "" {
		return name + ": none"
	}
	return name + "=" + v
}

// facetChange tells whether a facet change widens or narrows: a facet
// dropped widens, one added narrows, a numeric bound moved outwards widens;
// anything else (patterns, whiteSpace, length) is incompatible.
func facetChange(name, a, b string) Change {
	switch {
	case a == "":
		return Narrows
	case b == "":
		return Widens
	}
	fa, errA := strconv.ParseFloat(a, 64)
	fb, errB := strconv.ParseFloat(b, 64)
	if errA != nil || errB != nil {
		return Incompatible
	}
	switch name {
	case "maxLength", "maxInclusive", "maxExclusive", "totalDigits", "fractionDigits":
		if fb > fa {
			return Widens
		}
		return Narrows
	case "minLength", "minInclusive", "minExclusive":
		if fb < fa {
			return Widens
		}
		return Narrows
	}
	return Incompatible
}

func describeSimple(s *xsdmodel.SimpleType) string {
	if s == nil {
		return "text of an unknown type"
	}
	switch s.Variety {
	case xsdmodel.List:
		if s.ItemType == nil {
			return "list"
		}
		return "list of " + describeSimple(s.ItemType)
	case xsdmodel.Union:
		var ms []string
		for _, m := range s.MemberTypes {
			ms = append(ms, describeSimple(m))
		}
		return "union of " + strings.Join(ms, " | ")
	}
	if s.Builtin.Local == "" {
		return "text of an unknown type"
	}
	return s.Builtin.Local
}

func describeContent(d *xsdmodel.Decl) string {
	switch k := contentKind(d); k {
	case "simple":
		return "simple content (" + describeSimple(d.SimpleType()) + ")"
	case "complex":
		if ct := d.ComplexType(); ct != nil {
			return fmt.Sprintf("complex content (%d child elements)", len(ct.Children()))
		}
		return "complex content"
	default:
		return k
	}
}

// describeDecl summarises an element for added/removed differences: its
// content, its occurrence and nillable.
func describeDecl(d *xsdmodel.Decl, tns string) string {
	s := describeContent(d) + ", " + strconv.Itoa(d.MinOccurs) + ".." + maxString(d.MaxOccurs)
	if d.Nillable {
		s += ", nillable"
	}
	if d.Name.Space != tns && !d.Wildcard {
		s += ", namespace " + strconv.Quote(d.Name.Space)
	}
	return s
}

func maxString(n int) string {
	if n == xsdmodel.Unbounded {
		return "unbounded"
	}
	return strconv.Itoa(n)
}

func nillable(b bool) string {
	if b {
		return "nillable"
	}
	return "not nillable"
}

func widenIf(b bool) Change {
	if b {
		return Widens
	}
	return Narrows
}
