package project

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// Response builds the response payload of operation from a handler's
// content (the children of the response element): keys the version does
// not declare at their place are dropped, the rest are written in schema
// order; a []any value repeats its element; a nil value (or an absent key)
// omits the element. Leaves are strings (bools and integers are formatted
// too). A required element that is missing, a list for an element that
// occurs once, or a value of the wrong shape is an error naming the
// element's path, never its value.
//
// A required element that is nillable may be given as nil: it is written as
// xsi:nil="true". A response element that holds text only (LicenseGenerator's
// HostIdResponse) takes its text from the "#text" key, as soap.ToMap gives it.
func (p *Projector) Response(operation string, content map[string]any) (*xmltree.Node, error) {
	o, ok := p.ops[operation]
	if !ok {
		return nil, fmt.Errorf("%s %s has no operation %s", p.version.Service, p.version.Version, operation)
	}
	root, err := project(o.out, content)
	if err != nil {
		return nil, fmt.Errorf("%s %s %s response: %w", p.version.Service, p.version.Version, operation, err)
	}
	return root, nil
}

// RequestPayload builds the request payload of operation from plain values
// by the same rules as Response: what tests and load scripts send, written
// from one superset map for every version.
func (p *Projector) RequestPayload(operation string, content map[string]any) (*xmltree.Node, error) {
	o, ok := p.ops[operation]
	if !ok {
		return nil, fmt.Errorf("%s %s has no operation %s", p.version.Service, p.version.Version, operation)
	}
	root, err := project(o.in, content)
	if err != nil {
		return nil, fmt.Errorf("%s %s %s request: %w", p.version.Service, p.version.Version, operation, err)
	}
	return root, nil
}

// project builds the payload element e from content.
func project(e *elem, content map[string]any) (*xmltree.Node, error) {
	b := builder{}
	root := b.node(e.name)
	if e.content == nil && !e.open {
		if t, ok := content["#text"].(string); ok {
			root.Text = t
		}
		return root, nil
	}
	if content == nil {
		if e.content != nil && e.content.required {
			return nil, fmt.Errorf("no content, but the schema requires children of %s", e.name.Local)
		}
		return root, nil
	}
	b.steps = append(b.steps, step{name: e.name.Local, idx: -1})
	if e.open {
		if err := b.opaque(root, content); err != nil {
			return nil, err
		}
		return root, nil
	}
	if err := b.complex(root, e.content, content); err != nil {
		return nil, err
	}
	return root, nil
}

// step is one step of the path to the element being built. The builder
// keeps them in a stack that is turned into a string only for an error
// message (a linked list of frames on the call stack would be moved to the
// heap by escape analysis, which gives up on the recursion).
type step struct {
	name string
	idx  int // 1-based position among repeated siblings; -1 when not repeated
}

// path is the slash path of the element being built, e.g.
// /searchDevicesResponse/devices/device[3]/deviceId.
func (b *builder) path() string {
	var sb strings.Builder
	for _, s := range b.steps {
		sb.WriteByte('/')
		sb.WriteString(s.name)
		if s.idx > 0 {
			sb.WriteByte('[')
			sb.WriteString(strconv.Itoa(s.idx))
			sb.WriteByte(']')
		}
	}
	return sb.String()
}

// Slab sizes: a response's nodes and child lists come from chunks instead
// of one allocation each. Chunks double from firstChunk, so a small
// response stays small, up to maxChunk, which bounds the unused tail of the
// last chunk (a doubling without bound wastes up to half of a big
// response's memory).
const (
	firstChunk = 16
	maxChunk   = 256
)

// builder allocates one response tree. scratch holds the children of the
// elements being built, innermost last: an element's children are the tail
// of scratch from where it began until they are copied into its own slice.
type builder struct {
	nodes   []xmltree.Node
	ptrs    []*xmltree.Node
	scratch []*xmltree.Node
	steps   []step
	chunk   int
}

func (b *builder) node(name xmltree.Name) *xmltree.Node {
	if len(b.nodes) == cap(b.nodes) {
		b.chunk = min(max(b.chunk*2, firstChunk), maxChunk)
		b.nodes = make([]xmltree.Node, 0, b.chunk)
	}
	b.nodes = append(b.nodes, xmltree.Node{Name: name})
	return &b.nodes[len(b.nodes)-1]
}

// children returns a slice holding kids, carved from a shared chunk with
// its capacity clipped, so appending to one element's children (the drift
// injector may) never overwrites another's.
func (b *builder) children(kids []*xmltree.Node) []*xmltree.Node {
	n := len(kids)
	if n == 0 {
		return nil
	}
	if cap(b.ptrs)-len(b.ptrs) < n {
		b.ptrs = make([]*xmltree.Node, 0, max(n, min(max(b.chunk, firstChunk)*2, maxChunk)))
	}
	start := len(b.ptrs)
	b.ptrs = append(b.ptrs, kids...)
	return b.ptrs[start:len(b.ptrs):len(b.ptrs)]
}

// complex fills n's children from content following t.
func (b *builder) complex(n *xmltree.Node, t *ctype, content map[string]any) error {
	if t == nil {
		// Text-only or open element given an object.
		return fmt.Errorf("%s: the schema gives this element text content, got an object", b.path())
	}
	if t.opaque {
		return b.opaque(n, content)
	}
	base := len(b.scratch)
	for i := range t.kids {
		k := &t.kids[i]
		v, present := content[k.name.Local]
		if v == nil {
			if !k.required {
				continue
			}
			if present && k.nillable {
				nn := b.node(k.name)
				nn.Attrs = []xmltree.Attr{{Name: xmltree.Name{Space: contract.NSXSI, Local: "nil"}, Value: "true"}}
				b.scratch = append(b.scratch, nn)
				continue
			}
			return fmt.Errorf("%s: required element %s is missing", b.path(), k.name.Local)
		}
		if err := b.value(k, v); err != nil {
			return err
		}
	}
	n.Children = b.children(b.scratch[base:])
	clear(b.scratch[base:])
	b.scratch = b.scratch[:base]
	return nil
}

// value appends the element(s) of one declared key.
func (b *builder) value(k *elem, v any) error {
	switch l := v.(type) {
	case []any:
		if err := b.checkCount(k, len(l)); err != nil {
			return err
		}
		for i, it := range l {
			if it == nil {
				continue
			}
			if err := b.one(k, it, b.index(k, i)); err != nil {
				return err
			}
		}
		return nil
	case []map[string]any:
		if err := b.checkCount(k, len(l)); err != nil {
			return err
		}
		for i, it := range l {
			if it == nil {
				continue
			}
			if err := b.one(k, it, b.index(k, i)); err != nil {
				return err
			}
		}
		return nil
	case []string:
		if err := b.checkCount(k, len(l)); err != nil {
			return err
		}
		for i, it := range l {
			if err := b.one(k, it, b.index(k, i)); err != nil {
				return err
			}
		}
		return nil
	}
	return b.one(k, v, -1)
}

func (b *builder) index(k *elem, i int) int {
	if k.repeated {
		return i + 1
	}
	return -1
}

func (b *builder) checkCount(k *elem, n int) error {
	if n > 1 && !k.repeated {
		return fmt.Errorf("%s/%s: occurs at most once in the schema, got a list of %d", b.path(), k.name.Local, n)
	}
	if n == 0 && k.required {
		return fmt.Errorf("%s: required element %s is missing (empty list)", b.path(), k.name.Local)
	}
	return nil
}

// one appends one element for the declaration k holding v; idx is its
// 1-based position in a list, -1 outside one.
func (b *builder) one(k *elem, v any, idx int) error {
	n := b.node(k.name)
	b.scratch = append(b.scratch, n)
	b.steps = append(b.steps, step{name: k.name.Local, idx: idx})
	if err := b.fill(n, k, v); err != nil {
		return err // the path stays as it is: it names where the error is
	}
	b.steps = b.steps[:len(b.steps)-1]
	return nil
}

func (b *builder) fill(n *xmltree.Node, k *elem, v any) error {
	if k.content != nil {
		switch c := v.(type) {
		case map[string]any:
			return b.complex(n, k.content, c)
		case string:
			if c == "" && !k.content.required {
				return nil // an empty element: valid, all children optional
			}
		}
		return fmt.Errorf("%s: the schema gives this element child elements, got a value of type %T; give a map[string]any", b.path(), v)
	}
	switch c := v.(type) {
	case string:
		n.Text = c
		return nil
	case bool:
		n.Text = strconv.FormatBool(c)
		return nil
	case int:
		n.Text = strconv.Itoa(c)
		return nil
	case int64:
		n.Text = strconv.FormatInt(c, 10)
		return nil
	case int32:
		n.Text = strconv.FormatInt(int64(c), 10)
		return nil
	case map[string]any:
		if k.open {
			return b.opaque(n, c)
		}
	}
	return fmt.Errorf("%s: the schema gives this element text content, got a value of type %T; give a string (op.Int, op.Bool, op.Date format the others)", b.path(), v)
}

// opaque writes content the schema does not describe (xs:anyType, or a type
// that is only a wildcard) as it is: keys sorted, in n's namespace.
func (b *builder) opaque(n *xmltree.Node, content map[string]any) error {
	built, err := soap.FromValue(n.Name, content, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", b.path(), err)
	}
	n.Text, n.Attrs, n.Children = built.Text, built.Attrs, built.Children
	return nil
}
