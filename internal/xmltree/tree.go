// Package xmltree is fnokit's generic, ordered view of an XML message: a tree
// of namespace-qualified elements that keeps document order. The SOAP codec
// parses payloads into it, golden files compare it canonically, and the k6
// extension builds requests from it. Parsing is bounded: size, depth and DTDs
// are refused before they can cost memory or read a file.
package xmltree

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/fnokit/fnokit/internal/contract"
)

// Name is a namespace-qualified XML name; Space is the namespace URI, never a
// prefix, so trees from messages with different prefixes compare equal.
type Name struct {
	Space string
	Local string
}

func (n Name) String() string {
	if n.Space == "" {
		return n.Local
	}
	return "{" + n.Space + "}" + n.Local
}

// Attr is an attribute other than a namespace declaration.
type Attr struct {
	Name  Name
	Value string
}

// Node is one element. Text holds the element's character data; whitespace
// between child elements is dropped, since FNO messages have no mixed content.
type Node struct {
	Name     Name
	Attrs    []Attr
	Text     string
	Children []*Node
}

// Limits bound what Parse accepts. A zero field means the default.
type Limits struct {
	MaxBytes int64 // whole document
	MaxDepth int   // element nesting
}

// DefaultLimits fit the largest FNO responses (2000 devices per batch) with
// room to spare while keeping a hostile body from costing more than a few
// times its size in memory.
var DefaultLimits = Limits{MaxBytes: 64 << 20, MaxDepth: 256}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	return l
}

// ParseError says why a document was refused. Rule is the contract rule ID the
// caller reports; the message names the problem and never quotes content.
type ParseError struct {
	Rule string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// ErrTooLarge is wrapped by the ParseError returned for oversized input.
var ErrTooLarge = errors.New("document exceeds the size limit")

type limitedReader struct {
	r     io.Reader
	left  int64
	limit int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more than allowed proves the input is too large without
		// reading the rest of it.
		var one [1]byte
		n, _ := l.r.Read(one[:])
		if n > 0 {
			return 0, ErrTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// ParseBytes parses a whole document held in memory.
func ParseBytes(b []byte, lim Limits) (*Node, error) {
	return Parse(bytes.NewReader(b), lim)
}

// Parse reads one XML document into a tree. It refuses DTDs (and with them
// every entity trick), input over lim.MaxBytes, and nesting over lim.MaxDepth,
// each with a *ParseError that carries the rule ID to report.
func Parse(r io.Reader, lim Limits) (*Node, error) {
	lim = lim.withDefaults()
	lr := &limitedReader{r: r, left: lim.MaxBytes, limit: lim.MaxBytes}
	d := xml.NewDecoder(lr)
	d.Strict = true
	var (
		root  *Node
		stack []*Node
		text  [][]byte
	)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, convertError(err, lim)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= lim.MaxDepth {
				line, _ := d.InputPos()
				return nil, &ParseError{Rule: contract.RuleXMLTooDeep, Line: line,
					Msg: fmt.Sprintf("elements nest deeper than %d levels", lim.MaxDepth)}
			}
			n := &Node{Name: Name(t.Name)}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				n.Attrs = append(n.Attrs, Attr{Name: Name(a.Name), Value: a.Value})
			}
			if len(stack) == 0 {
				if root != nil {
					return nil, &ParseError{Rule: contract.RuleXMLMalformed, Msg: "more than one root element"}
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.Children = append(p.Children, n)
			}
			stack = append(stack, n)
			text = append(text, nil)
		case xml.EndElement:
			n := stack[len(stack)-1]
			s := string(text[len(text)-1])
			if len(n.Children) == 0 || strings.TrimSpace(s) != "" {
				n.Text = s
			}
			stack = stack[:len(stack)-1]
			text = text[:len(text)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if strings.TrimSpace(string(t)) != "" {
					return nil, &ParseError{Rule: contract.RuleXMLMalformed, Msg: "text outside the root element"}
				}
				continue
			}
			text[len(text)-1] = append(text[len(text)-1], t...)
		case xml.Directive:
			line, _ := d.InputPos()
			return nil, &ParseError{Rule: contract.RuleXMLDTDForbidden, Line: line,
				Msg: "document type declarations are not allowed in SOAP messages"}
		}
	}
	if root == nil {
		return nil, &ParseError{Rule: contract.RuleXMLMalformed, Msg: "no root element"}
	}
	return root, nil
}

func convertError(err error, lim Limits) error {
	if errors.Is(err, ErrTooLarge) {
		return &ParseError{Rule: contract.RuleXMLTooLarge,
			Msg: fmt.Sprintf("document is larger than %d bytes", lim.MaxBytes)}
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &ParseError{Rule: contract.RuleXMLMalformed, Line: se.Line, Msg: syntaxReason(se.Msg)}
	}
	return &ParseError{Rule: contract.RuleXMLMalformed, Msg: "cannot read the document: " + err.Error()}
}

// syntaxReason keeps encoding/xml's reason but drops anything quoted from the
// input (entity names, attribute values), which could be payload.
func syntaxReason(msg string) string {
	switch {
	case strings.Contains(msg, "UTF-8"):
		return "invalid UTF-8"
	case strings.HasPrefix(msg, "invalid character entity"):
		return "undefined entity reference (DTD entities are not allowed)"
	case strings.Contains(msg, "unexpected EOF"):
		return "unexpected end of document"
	}
	if i := strings.IndexAny(msg, "\"'"); i > 0 {
		return strings.TrimSpace(msg[:i])
	}
	return msg
}

// Child returns the first child with the given local name, whatever its
// namespace: FNO responses arrive under varying prefixes and namespaces.
func (n *Node) Child(local string) *Node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Name.Local == local {
			return c
		}
	}
	return nil
}

// ChildrenNamed returns every child with the given local name.
func (n *Node) ChildrenNamed(local string) []*Node {
	if n == nil {
		return nil
	}
	var out []*Node
	for _, c := range n.Children {
		if c.Name.Local == local {
			out = append(out, c)
		}
	}
	return out
}

// Path follows children by local name: n.Path("statusInfo", "status").
func (n *Node) Path(locals ...string) *Node {
	for _, l := range locals {
		n = n.Child(l)
	}
	return n
}

// TextOf returns the trimmed text of the descendant at the path, or "".
func (n *Node) TextOf(locals ...string) string {
	c := n.Path(locals...)
	if c == nil {
		return ""
	}
	return strings.TrimSpace(c.Text)
}

// Attr returns the value of the attribute with the given local name.
func (n *Node) Attr(local string) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// Walk calls fn for n and every descendant in document order with the
// XPath-like location of each (/a/b[2]/c); it stops early if fn returns false.
func (n *Node) Walk(fn func(path string, n *Node) bool) {
	walk(n, "/"+n.Name.Local, fn)
}

func walk(n *Node, path string, fn func(string, *Node) bool) bool {
	if !fn(path, n) {
		return false
	}
	counts := map[string]int{}
	totals := map[string]int{}
	for _, c := range n.Children {
		totals[c.Name.Local]++
	}
	for _, c := range n.Children {
		counts[c.Name.Local]++
		p := path + "/" + c.Name.Local
		if totals[c.Name.Local] > 1 {
			p += fmt.Sprintf("[%d]", counts[c.Name.Local])
		}
		if !walk(c, p, fn) {
			return false
		}
	}
	return true
}

// MoveNamespace puts every element of the tree that is in namespace from
// ("" for none) into namespace to, in place. Attributes keep theirs.
func (n *Node) MoveNamespace(from, to string) {
	if n.Name.Space == from {
		n.Name.Space = to
	}
	for _, c := range n.Children {
		c.MoveNamespace(from, to)
	}
}

// Clone returns a deep copy, so normalisation never edits a caller's tree.
func (n *Node) Clone() *Node {
	if n == nil {
		return nil
	}
	c := &Node{Name: n.Name, Text: n.Text}
	c.Attrs = append([]Attr(nil), n.Attrs...)
	for _, ch := range n.Children {
		c.Children = append(c.Children, ch.Clone())
	}
	return c
}

// AttrPair is one attribute name of two elements, with its value on each
// side (In* false where that element lacks it).
type AttrPair struct {
	Name     Name
	A, B     string
	InA, InB bool
}

// AttrPairs lists the attributes of a and b by name, sorted, each with its
// value on both sides: what a comparison of two elements walks.
func AttrPairs(a, b *Node) []AttrPair {
	byName := map[Name]*AttrPair{}
	for _, x := range a.Attrs {
		byName[x.Name] = &AttrPair{Name: x.Name, A: x.Value, InA: true}
	}
	for _, x := range b.Attrs {
		p := byName[x.Name]
		if p == nil {
			p = &AttrPair{Name: x.Name}
			byName[x.Name] = p
		}
		p.B, p.InB = x.Value, true
	}
	out := make([]AttrPair, 0, len(byName))
	for _, p := range byName {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name.String() < out[j].Name.String() })
	return out
}
