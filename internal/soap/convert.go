package soap

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
)

// Plain values ↔ payload trees.
//
// The mapping, both ways (it is what a k6 script sees):
//
//	XML                                 value
//	<a>text</a>                         "a": "text"
//	<a/> (no attributes)                "a": ""
//	<a xsi:nil="true"/>                 "a": nil
//	<a><b>1</b><c>2</c></a>             "a": {"b": "1", "c": "2"}
//	<a><b>1</b><b>2</b></a>             "a": {"b": ["1", "2"]}
//	<a id="7">text</a>                  "a": {"@id": "7", "#text": "text"}
//
// Keys are local names; namespaces are not kept in values (FNO payloads use
// one namespace per service version). With a schema model, an element the
// schema declares repeatable (maxOccurs > 1) is a list even when it occurs
// once, so scripts can index it safely; an absent element is an absent key.
//
// Building a tree from a value (FromValue):
//   - maps are elements, lists repeat the element of their key, nil omits
//     the element, scalars (string, bool, integers, floats, json.Number,
//     time.Time) are text; "@name" keys are attributes, "#text" is text.
//   - With a model, children are written in the schema's order (see
//     package xsdmodel for choices and extensions) and in the schema's
//     namespaces; a key the schema does not declare is an error naming the
//     key and its parent element. Dates: time.Time is written as xs:date
//     (2006-01-02) when the schema says so, else RFC 3339.
//   - Without a model (or below an xs:anyType element), children are in
//     the input's order when it has one (Fields), else sorted by key, and
//     in the namespace of their parent.

// Field is one entry of an ordered object.
type Field struct {
	Name  string
	Value any
}

// Fields is an object whose key order is kept when no schema gives one.
type Fields []Field

// maxValueDepth bounds FromValue on self-referencing Go values.
var maxValueDepth = xmltree.DefaultLimits.MaxDepth

// FromValue builds the payload element name from a plain value: what a JS
// object becomes in Go (map[string]any, []any, scalars), or Fields. With m,
// name must be a global element of the model, and children follow its
// schema; m may be nil.
func FromValue(name xmltree.Name, v any, m *xsdmodel.Model) (*xmltree.Node, error) {
	b := builder{m: m}
	var decl *xsdmodel.Decl
	if m != nil {
		d, ok := m.Element(name.Space, name.Local)
		if !ok {
			return nil, fmt.Errorf("build payload: element %s is not declared by the loaded schemas; check the operation's namespace and name", name)
		}
		decl = d
	}
	if v == nil {
		return &xmltree.Node{Name: name}, nil
	}
	if isList(v) {
		return nil, fmt.Errorf("build payload: the value of the root element %s is a list; give an object", name.Local)
	}
	return b.element(name, v, decl, "/"+name.Local, 0)
}

type builder struct {
	m *xsdmodel.Model
}

type entry struct {
	key string
	val any
}

// entries returns the keys of an object value in input order (Fields) or
// sorted (maps); ok is false when v is not an object.
func entries(v any) (out []entry, ok bool) {
	switch o := v.(type) {
	case Fields:
		for _, f := range o {
			out = append(out, entry{f.Name, f.Value})
		}
		return out, true
	case []Field:
		return entries(Fields(o))
	case map[string]any:
		keys := make([]string, 0, len(o))
		for k := range o {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, entry{k, o[k]})
		}
		return out, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String {
		keys := rv.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		for _, k := range keys {
			out = append(out, entry{k.String(), rv.MapIndex(k).Interface()})
		}
		return out, true
	}
	return nil, false
}

func isList(v any) bool {
	if v == nil {
		return false
	}
	if _, ok := v.(Fields); ok {
		return false
	}
	if _, ok := v.([]Field); ok {
		return false
	}
	if _, ok := v.([]byte); ok {
		return false
	}
	k := reflect.ValueOf(v).Kind()
	return k == reflect.Slice || k == reflect.Array
}

func listItems(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	rv := reflect.ValueOf(v)
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out
}

func (b *builder) element(name xmltree.Name, v any, decl *xsdmodel.Decl, path string, depth int) (*xmltree.Node, error) {
	if depth > maxValueDepth {
		return nil, fmt.Errorf("build payload: %s nests deeper than %d levels (a value that contains itself?)", path, maxValueDepth)
	}
	n := &xmltree.Node{Name: name}
	es, isObj := entries(v)
	if !isObj {
		text, err := scalar(v, decl, path)
		if err != nil {
			return nil, err
		}
		if text != "" && decl != nil && !decl.Simple && !decl.Open() {
			if kids, _ := b.m.ChildrenOf(decl); len(kids) > 0 {
				return nil, fmt.Errorf("build payload: %s has child elements in the schema; give an object, not a scalar", path)
			}
		}
		n.Text = text
		return n, nil
	}
	var children []entry
	for _, e := range es {
		switch {
		case strings.HasPrefix(e.key, "@"):
			if e.val == nil {
				continue
			}
			s, err := scalar(e.val, nil, path+"/"+e.key)
			if err != nil {
				return nil, err
			}
			n.Attrs = append(n.Attrs, xmltree.Attr{Name: xmltree.Name{Local: e.key[1:]}, Value: s})
		case e.key == "#text":
			s, err := scalar(e.val, decl, path)
			if err != nil {
				return nil, err
			}
			n.Text = s
		default:
			children = append(children, e)
		}
	}
	if decl == nil || decl.Open() {
		for _, e := range children {
			if err := b.appendChild(n, xmltree.Name{Space: name.Space, Local: e.key}, e.val, nil, path, depth); err != nil {
				return nil, err
			}
		}
		return n, nil
	}
	decls, err := b.m.ChildrenOf(decl)
	if err != nil {
		return nil, fmt.Errorf("build payload: %s: %w", path, err)
	}
	if decl.Simple && len(children) > 0 {
		return nil, fmt.Errorf("build payload: %s holds text only in the schema, but the value has child key %q", path, children[0].key)
	}
	byName := make(map[string]entry, len(children))
	for _, e := range children {
		byName[e.key] = e
	}
	used := make(map[string]bool, len(children))
	wildcard := -1
	for i, d := range decls {
		if d.Wildcard {
			if wildcard < 0 {
				wildcard = i
			}
			continue
		}
		e, ok := byName[d.Name.Local]
		if !ok || used[d.Name.Local] {
			continue
		}
		used[d.Name.Local] = true
		if err := b.appendChild(n, d.Name, e.val, d, path, depth); err != nil {
			return nil, err
		}
	}
	var extra []entry
	for _, e := range children {
		if !used[e.key] {
			extra = append(extra, e)
		}
	}
	if len(extra) == 0 {
		return n, nil
	}
	if wildcard < 0 {
		return nil, fmt.Errorf("build payload: key %q is not an element the schema declares under %s", extra[0].key, path)
	}
	// Keys the wildcard takes go where the wildcard is: after the children
	// declared before it, before those declared after it.
	before := 0
	for _, d := range decls[:wildcard] {
		if used[d.Name.Local] {
			before += countChildren(n, d.Name)
		}
	}
	tail := append([]*xmltree.Node(nil), n.Children[before:]...)
	n.Children = n.Children[:before]
	for _, e := range extra {
		if err := b.appendChild(n, xmltree.Name{Space: name.Space, Local: e.key}, e.val, nil, path, depth); err != nil {
			return nil, err
		}
	}
	n.Children = append(n.Children, tail...)
	return n, nil
}

func countChildren(n *xmltree.Node, name xmltree.Name) int {
	c := 0
	for _, ch := range n.Children {
		if ch.Name == name {
			c++
		}
	}
	return c
}

// appendChild adds the element(s) of one key: one per list item, none for
// nil.
func (b *builder) appendChild(n *xmltree.Node, name xmltree.Name, v any, decl *xsdmodel.Decl, path string, depth int) error {
	if v == nil {
		return nil
	}
	p := path + "/" + name.Local
	items := []any{v}
	if isList(v) {
		items = listItems(v)
		if decl != nil && !decl.Repeated() && len(items) > 1 {
			return fmt.Errorf("build payload: %s occurs at most once in the schema, got a list of %d", p, len(items))
		}
	}
	for _, it := range items {
		if it == nil {
			continue
		}
		if isList(it) {
			return fmt.Errorf("build payload: %s is a list of lists; nest objects instead", p)
		}
		c, err := b.element(name, it, decl, p, depth+1)
		if err != nil {
			return err
		}
		n.Children = append(n.Children, c)
	}
	return nil
}

// scalar writes a leaf value as XML Schema text. Errors name the path and
// the Go type, never the value.
func scalar(v any, decl *xsdmodel.Decl, path string) (string, error) {
	switch s := v.(type) {
	case nil:
		return "", nil
	case string:
		return s, nil
	case bool:
		return strconv.FormatBool(s), nil
	case json.Number:
		return s.String(), nil
	case time.Time:
		if decl != nil && decl.Type == (xmltree.Name{Space: xsdmodel.NSXSD, Local: "date"}) {
			return s.Format("2006-01-02"), nil
		}
		return s.Format(time.RFC3339Nano), nil
	case float64:
		return formatFloat(s, path)
	case float32:
		return formatFloat(float64(s), path)
	case []byte:
		return string(s), nil
	case fmt.Stringer:
		return s.String(), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), nil
	}
	return "", fmt.Errorf("build payload: %s: a value of type %T cannot be written as XML text", path, v)
}

// formatFloat writes JS numbers: integral values without a fraction (a JS
// 25 arrives as float64 and must be "25" for xs:integer), others in the
// shortest form; NaN and infinities have no XML Schema integer form and
// xs:double spells them differently from Go, so they are refused.
func formatFloat(f float64, path string) (string, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "", fmt.Errorf("build payload: %s: NaN or infinite number", path)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10), nil
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// ToMap converts the content of a payload element to plain values, as
// described above: the map holds n's attributes, text and children (not n's
// own name). With m, elements the schema declares repeatable are always
// lists; m may be nil, and elements the model does not know are converted
// by the document alone.
func ToMap(n *xmltree.Node, m *xsdmodel.Model) map[string]any {
	var decl *xsdmodel.Decl
	if m != nil {
		decl, _ = m.Element(n.Name.Space, n.Name.Local)
	}
	out := map[string]any{}
	fillMap(out, n, decl, m, 0)
	return out
}

func fillMap(out map[string]any, n *xmltree.Node, decl *xsdmodel.Decl, m *xsdmodel.Model, depth int) {
	for _, a := range n.Attrs {
		if a.Name.Space == contract.NSXSI && a.Name.Local == "nil" {
			continue
		}
		out["@"+a.Name.Local] = a.Value
	}
	if len(n.Children) == 0 {
		if n.Text != "" {
			out["#text"] = n.Text
		}
		return
	}
	if strings.TrimSpace(n.Text) != "" {
		out["#text"] = n.Text
	}
	var decls []*xsdmodel.Decl
	if decl != nil && m != nil {
		decls, _ = m.ChildrenOf(decl)
	}
	find := func(name xmltree.Name) *xsdmodel.Decl {
		for _, d := range decls {
			if d.Name == name {
				return d
			}
		}
		return nil
	}
	for _, c := range n.Children {
		d := find(c.Name)
		v := value(c, d, m, depth+1)
		key := c.Name.Local
		switch prev := out[key].(type) {
		case nil:
			if _, exists := out[key]; exists {
				out[key] = []any{prev, v}
			} else if d != nil && d.Repeated() {
				out[key] = []any{v}
			} else {
				out[key] = v
			}
		case []any:
			out[key] = append(prev, v)
		default:
			out[key] = []any{prev, v}
		}
	}
}

func value(n *xmltree.Node, decl *xsdmodel.Decl, m *xsdmodel.Model, depth int) any {
	if len(n.Children) == 0 {
		if n.Text == "" && isNil(n) {
			return nil
		}
		if !hasPlainAttrs(n) {
			return n.Text
		}
	}
	out := map[string]any{}
	if depth > maxValueDepth {
		return out
	}
	fillMap(out, n, decl, m, depth)
	return out
}

func isNil(n *xmltree.Node) bool {
	for _, a := range n.Attrs {
		if a.Name.Space == contract.NSXSI && a.Name.Local == "nil" {
			return a.Value == "true" || a.Value == "1"
		}
	}
	return false
}

// hasPlainAttrs reports attributes other than xsi:nil, which the mapping
// expresses as nil rather than as an "@nil" key.
func hasPlainAttrs(n *xmltree.Node) bool {
	for _, a := range n.Attrs {
		if a.Name.Space != contract.NSXSI || a.Name.Local != "nil" {
			return true
		}
	}
	return false
}
