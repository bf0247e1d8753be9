package xsd

/*
#include <stdlib.h>
#include "fnokit_xsd.h"

// fk_node_ptr turns the uintptr lestrrat-go/libxml2 hands out for a node
// back into a pointer on the C side, where go vet has no say.
static inline xmlNodePtr fk_node_ptr(uintptr_t p) { return (xmlNodePtr)p; }
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime"
	"runtime/cgo"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/lestrrat-go/libxml2/clib"
	"github.com/lestrrat-go/libxml2/dom"
	"github.com/lestrrat-go/libxml2/types"
)

// NSSOAP11 is the SOAP 1.1 envelope namespace.
const NSSOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"

// ErrClosed is returned when a closed Schema is used.
var ErrClosed = errors.New("xsd: schema is closed")

// Schema is a compiled schema set. It is immutable after compile and safe
// for concurrent use: each validation takes its own libxml2 validation
// context from a small pool. Close it when done; a cleanup frees it if it
// is dropped without Close, as a safety net only.
type Schema struct {
	name     string
	limits   Limits
	warnings []string
	h        *schemaHandle
}

// schemaHandle owns the C memory. It is separate from Schema so a runtime
// cleanup can free it without keeping the Schema reachable.
type schemaHandle struct {
	mu   sync.RWMutex // validations hold it shared, Close exclusively
	ptr  *C.xmlSchema
	pool chan *C.xmlSchemaValidCtxt
}

func newSchema(name string, ptr *C.xmlSchema, l Limits, warnings []string) *Schema {
	h := &schemaHandle{ptr: ptr, pool: make(chan *C.xmlSchemaValidCtxt, 2*runtime.GOMAXPROCS(0))}
	s := &Schema{name: name, limits: l, warnings: warnings, h: h}
	runtime.AddCleanup(s, func(h *schemaHandle) { h.free() }, h)
	return s
}

// Name is the file or label the schema was compiled from.
func (s *Schema) Name() string { return s.name }

// Limits are the validation limits in force.
func (s *Schema) Limits() Limits { return s.limits }

// Warnings are libxml2's compile warnings (the schema compiled anyway), for
// a schema lint to show.
func (s *Schema) Warnings() []string { return append([]string(nil), s.warnings...) }

// Close frees the compiled schema. It waits for validations in flight; later
// validations return ErrClosed.
func (s *Schema) Close() error {
	s.h.free()
	return nil
}

func (h *schemaHandle) free() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.ptr == nil {
		return
	}
	for {
		select {
		case v := <-h.pool:
			C.xmlSchemaFreeValidCtxt(v)
			continue
		default:
		}
		break
	}
	C.xmlSchemaFree(h.ptr)
	h.ptr = nil
}

func (h *schemaHandle) acquire() (*C.xmlSchemaValidCtxt, error) {
	select {
	case v := <-h.pool:
		return v, nil
	default:
	}
	v := C.xmlSchemaNewValidCtxt(h.ptr)
	if v == nil {
		return nil, errors.New("xsd: libxml2 could not create a validation context (out of memory?)")
	}
	return v, nil
}

func (h *schemaHandle) release(v *C.xmlSchemaValidCtxt) {
	select {
	case h.pool <- v:
	default:
		C.xmlSchemaFreeValidCtxt(v)
	}
}

// ValidatePayload validates a bare payload document: its root element must
// be declared by the schema.
func (s *Schema) ValidatePayload(xml []byte) (contract.Findings, error) {
	return s.validate(xml, modePayload)
}

// ValidateEnvelope validates the first element child of the Body of a SOAP
// 1.1 envelope (whatever its prefix); the envelope itself is not checked
// against the schema.
func (s *Schema) ValidateEnvelope(xml []byte) (contract.Findings, error) {
	return s.validate(xml, modeEnvelope)
}

// Validate validates a SOAP envelope's payload if the document is a SOAP
// 1.1 envelope, and the document itself otherwise.
func (s *Schema) Validate(xml []byte) (contract.Findings, error) {
	return s.validate(xml, modeAuto)
}

type mode int

const (
	modePayload mode = iota
	modeEnvelope
	modeAuto
)

func (s *Schema) validate(data []byte, m mode) (contract.Findings, error) {
	if int64(len(data)) > s.limits.MaxBytes {
		return contract.Findings{contract.New(contract.RuleXMLTooLarge, "", "",
			fmt.Sprintf("the message is %d bytes, more than the limit of %d bytes", len(data), s.limits.MaxBytes))}, nil
	}
	h := s.h
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.ptr == nil {
		return nil, ErrClosed
	}
	doc, bad := parse(data, s.limits.MaxDepth)
	if bad != nil {
		return contract.Findings{*bad}, nil
	}
	defer doc.Free()

	root, err := doc.DocumentElement()
	if err != nil || root == nil {
		return contract.Findings{contract.New(contract.RuleXMLMalformed, "", "", "the document has no root element")}, nil
	}
	target := root
	if m == modeEnvelope || (m == modeAuto && isSOAP(root, "Envelope")) {
		var f *contract.Finding
		target, f = bodyPayload(root)
		if f != nil {
			return contract.Findings{*f}, nil
		}
	}
	return s.validateElement(target)
}

func isSOAP(n types.Node, local string) bool {
	e, ok := n.(types.Element)
	return ok && e.LocalName() == local && e.NamespaceURI() == NSSOAP11
}

func localName(n types.Node) string {
	if e, ok := n.(types.Element); ok {
		return e.LocalName()
	}
	return n.NodeName()
}

// bodyPayload finds the first element child of the envelope's Body.
func bodyPayload(env types.Node) (types.Node, *contract.Finding) {
	if !isSOAP(env, "Envelope") {
		f := contract.New(contract.RuleSOAPNoEnvelope, "", "/"+localName(env),
			"the root element is not a SOAP 1.1 Envelope (namespace "+NSSOAP11+")")
		return nil, &f
	}
	kids, _ := env.ChildNodes()
	for _, k := range kids {
		if !isSOAP(k, "Body") {
			continue
		}
		inner, _ := k.ChildNodes()
		for _, c := range inner {
			if c.NodeType() == clib.ElementNode {
				return c, nil
			}
		}
		f := contract.New(contract.RuleSOAPNoBody, "", "/Envelope/Body", "the SOAP Body is empty")
		return nil, &f
	}
	f := contract.New(contract.RuleSOAPNoBody, "", "/Envelope", "the SOAP envelope has no Body")
	return nil, &f
}

// validateElement validates one element subtree with a pooled context.
func (s *Schema) validateElement(n types.Node) (contract.Findings, error) {
	v, err := s.h.acquire()
	if err != nil {
		return nil, err
	}
	defer s.h.release(v)
	elem := C.fk_node_ptr(C.uintptr_t(n.Pointer()))
	c := &collector{root: elem, max: s.limits.MaxFindings}
	ch := cgo.NewHandle(c)
	rc := C.fk_validate(v, elem, C.uintptr_t(ch))
	ch.Delete()
	if rc < 0 {
		return nil, fmt.Errorf("xsd: libxml2 internal error %d while validating against %s", int(rc), s.name)
	}
	fs := c.result()
	if rc > 0 && len(fs) == 0 {
		// libxml2 said invalid but reported nothing we could attribute.
		fs = append(fs, contract.New(contract.RuleXSDInvalid, "", pathOf(elem, elem), "the payload does not match the schema"))
	}
	return fs, nil
}

// parse reads a document with libxml2: no network, no entity expansion, no
// DTD, bounded depth. It returns the document or the finding saying why not.
func parse(data []byte, maxDepth int) (*dom.Document, *contract.Finding) {
	initLibxml2()
	malformed := func(msg string) (*dom.Document, *contract.Finding) {
		f := contract.New(contract.RuleXMLMalformed, "", "", msg)
		return nil, &f
	}
	if len(data) == 0 {
		return malformed("the message is empty")
	}
	if len(data) > 1<<31-1 {
		f := contract.New(contract.RuleXMLTooLarge, "", "", "the message is larger than 2 GiB")
		return nil, &f
	}
	var st C.fk_parse_state
	st.max_depth = C.int(min(maxDepth, 256))
	doc := C.fk_parse((*C.char)(unsafe.Pointer(&data[0])), C.int(len(data)), &st)
	if doc != nil {
		return dom.WrapDocument(uintptr(unsafe.Pointer(doc))), nil
	}
	msg := C.GoString(&st.err_msg[0])
	switch {
	case st.dtd != 0:
		f := contract.New(contract.RuleXMLDTDForbidden, "", "",
			"the message carries a DOCTYPE; DTDs and entity declarations are refused in SOAP messages")
		return nil, &f
	case st.too_deep != 0 || strings.Contains(msg, "Excessive depth"):
		f := contract.New(contract.RuleXMLTooDeep, "", "",
			fmt.Sprintf("elements nest deeper than the limit of %d levels", min(maxDepth, 256)))
		return nil, &f
	}
	text := parseMessage(msg)
	if text == "" {
		text = "libxml2 error " + strconv.Itoa(int(st.err_code))
	}
	if st.err_line > 0 {
		return malformed(fmt.Sprintf("not well-formed XML at line %d: %s", int(st.err_line), text))
	}
	return malformed("not well-formed XML: " + text)
}

// collector turns libxml2's structured validation errors into findings
// while libxml2 validates (the nodes are only valid until the document is
// freed).
type collector struct {
	root     *C.xmlNode
	max      int
	findings contract.Findings
	more     int
	unknown  bool
}

func (c *collector) add(e *C.xmlError) {
	if e.level == C.XML_ERR_WARNING {
		return
	}
	node := (*C.xmlNode)(e.node)
	if e.code == C.XML_SCHEMAV_CVC_ELT_1 && (node == nil || node == c.root) {
		if !c.unknown {
			c.unknown = true
			name := qname(c.root)
			c.findings = append(c.findings, contract.New(contract.RuleXSDUnknownElement, "", pathOf(c.root, c.root),
				"the root element "+name+" is not declared by the schema"))
		}
		return
	}
	if len(c.findings) >= c.max {
		c.more++
		return
	}
	loc := pathOf(c.root, c.root)
	if node != nil {
		loc = pathOf(node, c.root)
	}
	raw := strings.TrimSpace(C.GoString(e.message))
	if a := subjectAttribute(raw); a != "" && node != nil && node._type == C.XML_ELEMENT_NODE {
		// libxml2 reports attribute errors on the owning element.
		loc += "/@" + a
	}
	msg := sanitize(raw, nodeValues(node))
	if e.line > 0 {
		msg += fmt.Sprintf(" (line %d)", int(e.line))
	}
	c.findings = append(c.findings, contract.New(contract.RuleXSDInvalid, "", loc, msg))
}

func (c *collector) result() contract.Findings {
	if c.more > 0 {
		c.findings = append(c.findings, contract.New(contract.RuleXSDInvalid, "", "",
			fmt.Sprintf("%d more schema violations not listed (at most %d are listed per document)", c.more, c.max)))
	}
	return c.findings
}

func qname(n *C.xmlNode) string {
	local := C.GoString((*C.char)(unsafe.Pointer(n.name)))
	if n.ns != nil && n.ns.href != nil {
		return "{" + C.GoString((*C.char)(unsafe.Pointer(n.ns.href))) + "}" + local
	}
	return local
}

// pathOf builds the XPath-like location of n below root: local names, with
// a 1-based index only where siblings share the name (as xmltree.Walk does).
func pathOf(n, root *C.xmlNode) string {
	var segs []string
	if n._type == C.XML_ATTRIBUTE_NODE {
		segs = append(segs, "@"+C.GoString((*C.char)(unsafe.Pointer(n.name))))
		n = n.parent
	}
	for ; n != nil && n._type == C.XML_ELEMENT_NODE; n = n.parent {
		segs = append(segs, elementStep(n))
		if n == root {
			break
		}
	}
	var b strings.Builder
	for i := len(segs) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(segs[i])
	}
	return b.String()
}

func elementStep(n *C.xmlNode) string {
	name := C.GoString((*C.char)(unsafe.Pointer(n.name)))
	if n.parent == nil || n.parent._type != C.XML_ELEMENT_NODE {
		return name
	}
	idx, total := 0, 0
	for s := n.parent.children; s != nil; s = s.next {
		if s._type != C.XML_ELEMENT_NODE || C.xmlStrEqual(s.name, n.name) == 0 {
			continue
		}
		total++
		if s == n {
			idx = total
		}
	}
	if total > 1 {
		return name + "[" + strconv.Itoa(idx) + "]"
	}
	return name
}

// nodeValues returns the text a validation error may quote: the node's own
// text children, or an attribute's value. The sanitizer blanks any of them
// left in a message as a last line of defence.
func nodeValues(n *C.xmlNode) []string {
	if n == nil {
		return nil
	}
	var vals []string
	for c := n.children; c != nil; c = c.next {
		if (c._type == C.XML_TEXT_NODE || c._type == C.XML_CDATA_SECTION_NODE) && c.content != nil {
			vals = append(vals, C.GoString((*C.char)(unsafe.Pointer(c.content))))
		}
	}
	if n._type == C.XML_ELEMENT_NODE {
		for a := n.properties; a != nil; a = a.next {
			if a.children != nil && a.children.content != nil {
				vals = append(vals, C.GoString((*C.char)(unsafe.Pointer(a.children.content))))
			}
		}
	}
	if len(vals) > 1 {
		vals = append(vals, strings.Join(vals, ""))
	}
	return vals
}
