package xmltree

import (
	"bufio"
	"encoding/xml"
	"io"
	"sort"
	"strconv"
	"strings"
)

// EncodeOptions choose how a tree is written.
type EncodeOptions struct {
	// Prefixes maps namespace URIs to the prefixes to use for them; "" as a
	// prefix makes that namespace the default one. Namespaces not listed get
	// ns1, ns2, … in order of first appearance.
	Prefixes map[string]string
	// Indent, if set, pretty-prints with this string per level.
	Indent string
	// SortAttrs writes attributes in name order (canonical form).
	SortAttrs bool
	// TrimText trims surrounding white space from text (canonical form).
	TrimText bool
	// Declare lists extra namespace declarations to put on the root, e.g.
	// for QName values inside text such as xsi:type.
	Declare map[string]string

	canonical bool
}

// Encode writes the tree as XML. Every namespace used anywhere in the tree is
// declared once, on the root element.
func (n *Node) Encode(w io.Writer, opt EncodeOptions) error {
	bw := bufio.NewWriter(w)
	e := encoder{w: bw, opt: opt, prefix: map[string]string{}}
	e.assign(n)
	e.element(n, 0, true)
	return bw.Flush()
}

// Bytes returns the tree encoded with opt.
func (n *Node) Bytes(opt EncodeOptions) []byte {
	var b strings.Builder
	n.Encode(&b, opt)
	return []byte(b.String())
}

// Canonical returns a form of the tree that is the same for any two documents
// that differ only in prefixes, namespace declaration placement, attribute
// order or white space around text: prefixes are n0, n1, … by first use, one
// element per line, attributes sorted. Golden files compare and diff on it.
func Canonical(n *Node) []byte {
	return n.Bytes(EncodeOptions{Indent: "  ", SortAttrs: true, TrimText: true, Prefixes: map[string]string{}, canonical: true})
}

// Equal reports whether two trees are equal in canonical form.
func Equal(a, b *Node) bool {
	return string(Canonical(a)) == string(Canonical(b))
}

type encoder struct {
	w      *bufio.Writer
	opt    EncodeOptions
	prefix map[string]string // namespace URI → prefix
	order  []string          // namespaces in first-use order
}

func (e *encoder) assign(root *Node) {
	next := 1
	if e.opt.canonical {
		next = 0
	}
	used := map[string]bool{}
	add := func(ns string, forAttr bool) {
		if ns == "" {
			return
		}
		if p, ok := e.prefix[ns]; ok && (p != "" || !forAttr) {
			return
		}
		p, ok := e.opt.Prefixes[ns]
		if ok && p == "" && forAttr {
			ok = false // attributes cannot use the default namespace
		}
		if !ok || used[p] {
			for {
				if e.opt.canonical {
					p = "n" + strconv.Itoa(next)
				} else {
					p = "ns" + strconv.Itoa(next)
				}
				next++
				if !used[p] && !e.prefixTaken(p) {
					break
				}
			}
		}
		if _, seen := e.prefix[ns]; !seen {
			e.order = append(e.order, ns)
		}
		e.prefix[ns] = p
		used[p] = true
	}
	declared := make([]string, 0, len(e.opt.Declare))
	for ns := range e.opt.Declare {
		declared = append(declared, ns)
	}
	sort.Strings(declared)
	for _, ns := range declared {
		p := e.opt.Declare[ns]
		e.prefix[ns] = p
		e.order = append(e.order, ns)
		used[p] = true
	}
	var visit func(n *Node)
	visit = func(n *Node) {
		add(n.Name.Space, false)
		for _, a := range n.Attrs {
			add(a.Name.Space, true)
		}
		for _, c := range n.Children {
			visit(c)
		}
	}
	visit(root)
}

func (e *encoder) prefixTaken(p string) bool {
	for _, q := range e.opt.Prefixes {
		if q == p {
			return true
		}
	}
	return false
}

func (e *encoder) qname(n Name) string {
	if n.Space == "" {
		return n.Local
	}
	if p := e.prefix[n.Space]; p != "" {
		return p + ":" + n.Local
	}
	return n.Local
}

func (e *encoder) element(n *Node, depth int, root bool) {
	if e.opt.Indent != "" && depth > 0 {
		e.w.WriteByte('\n')
		e.w.WriteString(strings.Repeat(e.opt.Indent, depth))
	}
	name := e.qname(n.Name)
	e.w.WriteByte('<')
	e.w.WriteString(name)
	if root {
		for _, ns := range e.order {
			p := e.prefix[ns]
			if p == "" {
				e.w.WriteString(` xmlns="`)
			} else {
				e.w.WriteString(` xmlns:` + p + `="`)
			}
			xml.EscapeText(e.w, []byte(ns))
			e.w.WriteByte('"')
		}
	}
	attrs := n.Attrs
	if e.opt.SortAttrs {
		attrs = append([]Attr(nil), attrs...)
		sort.Slice(attrs, func(i, j int) bool {
			if attrs[i].Name.Space != attrs[j].Name.Space {
				return attrs[i].Name.Space < attrs[j].Name.Space
			}
			return attrs[i].Name.Local < attrs[j].Name.Local
		})
	}
	for _, a := range attrs {
		e.w.WriteByte(' ')
		if a.Name.Space != "" {
			e.w.WriteString(e.prefix[a.Name.Space] + ":")
		}
		e.w.WriteString(a.Name.Local)
		e.w.WriteString(`="`)
		xml.EscapeText(e.w, []byte(a.Value))
		e.w.WriteByte('"')
	}
	text := n.Text
	if e.opt.TrimText {
		text = strings.TrimSpace(text)
	}
	if len(n.Children) == 0 && text == "" {
		e.w.WriteString("/>")
		return
	}
	e.w.WriteByte('>')
	xml.EscapeText(e.w, []byte(text))
	for _, c := range n.Children {
		e.element(c, depth+1, false)
	}
	if e.opt.Indent != "" && len(n.Children) > 0 {
		e.w.WriteByte('\n')
		e.w.WriteString(strings.Repeat(e.opt.Indent, depth))
	}
	e.w.WriteString("</" + name + ">")
}
