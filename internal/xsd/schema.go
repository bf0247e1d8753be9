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
	if f := precheck(data); f != nil {
		return contract.Findings{*f}, nil
	}
	return s.h.withContext(func(v *C.xmlSchemaValidCtxt) (contract.Findings, error) {
		return s.check(data, m, v)
	})
}

// check runs one document through a validation context.
func (s *Schema) check(data []byte, m mode, v *C.xmlSchemaValidCtxt) (contract.Findings, error) {
	st := new(C.fk_parse_state)
	st.max_depth = C.int(effectiveDepth(s.limits.MaxDepth))
	c := &collector{st: st, max: s.limits.MaxFindings}
	ch := cgo.NewHandle(c)
	defer ch.Delete()
	// One C call parses, finds the payload, validates and frees (see fk_check).
	rc := C.fk_check((*C.char)(unsafe.Pointer(&data[0])), C.int(len(data)), C.int(m), v, C.uintptr_t(ch), st)

	root := "/" + C.GoString(&st.root_name[0])
	switch st.outcome {
	case C.FK_PARSE_FAILED:
		return contract.Findings{parseFinding(st, s.limits.MaxDepth)}, nil
	case C.FK_NO_ENVELOPE:
		return contract.Findings{contract.New(contract.RuleSOAPNoEnvelope, "", root,
			"the root element is not a SOAP 1.1 Envelope (namespace "+NSSOAP11+")")}, nil
	case C.FK_NO_BODY:
		return contract.Findings{contract.New(contract.RuleSOAPNoBody, "", "/Envelope", "the SOAP envelope has no Body")}, nil
	case C.FK_EMPTY_BODY:
		return contract.Findings{contract.New(contract.RuleSOAPNoBody, "", "/Envelope/Body", "the SOAP Body is empty")}, nil
	}
	return c.finish(int(rc), s.name)
}

// ValidateElement validates one element of a document the caller parsed
// with github.com/lestrrat-go/libxml2 (types.Element from its dom package).
// The document must stay alive for the call; the caller still frees it.
func (s *Schema) ValidateElement(n types.Node) (contract.Findings, error) {
	if n == nil || n.Pointer() == 0 || n.NodeType() != clib.ElementNode {
		return nil, errors.New("xsd: ValidateElement needs an element node")
	}
	return s.h.withContext(func(v *C.xmlSchemaValidCtxt) (contract.Findings, error) {
		elem := C.fk_node_ptr(C.uintptr_t(n.Pointer()))
		c := &collector{root: elem, max: s.limits.MaxFindings}
		ch := cgo.NewHandle(c)
		defer ch.Delete()
		return c.finish(int(C.fk_validate(v, elem, C.uintptr_t(ch))), s.name)
	})
}

// withContext runs f with a pooled validation context while holding the
// schema open, so Close waits for validations in flight.
func (h *schemaHandle) withContext(f func(*C.xmlSchemaValidCtxt) (contract.Findings, error)) (contract.Findings, error) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.ptr == nil {
		return nil, ErrClosed
	}
	v, err := h.acquire()
	if err != nil {
		return nil, err
	}
	defer h.release(v)
	return f(v)
}

// effectiveDepth clamps the depth limit to libxml2's own (see Limits).
func effectiveDepth(d int) int { return min(d, 256) }

// precheck answers what needs no parser.
func precheck(data []byte) *contract.Finding {
	switch {
	case len(data) == 0:
		f := contract.New(contract.RuleXMLMalformed, "", "", "the message is empty")
		return &f
	case len(data) > 1<<31-1:
		f := contract.New(contract.RuleXMLTooLarge, "", "", "the message is larger than 2 GiB")
		return &f
	}
	initLibxml2()
	return nil
}

// parseFinding says why libxml2 did not build a document.
func parseFinding(st *C.fk_parse_state, maxDepth int) contract.Finding {
	msg := C.GoString(&st.err_msg[0])
	switch {
	case st.dtd != 0:
		return contract.New(contract.RuleXMLDTDForbidden, "", "",
			"the message carries a DOCTYPE; DTDs and entity declarations are refused in SOAP messages")
	case st.too_deep != 0 || strings.Contains(msg, "Excessive depth"):
		return contract.New(contract.RuleXMLTooDeep, "", "",
			fmt.Sprintf("elements nest deeper than the limit of %d levels", effectiveDepth(maxDepth)))
	}
	text := parseMessage(msg)
	if text == "" {
		text = "libxml2 error " + strconv.Itoa(int(st.err_code))
	}
	if st.err_line > 0 {
		return contract.New(contract.RuleXMLMalformed, "", "", fmt.Sprintf("not well-formed XML at line %d: %s", int(st.err_line), text))
	}
	return contract.New(contract.RuleXMLMalformed, "", "", "not well-formed XML: "+text)
}

// collector turns libxml2's structured validation errors into findings
// while libxml2 validates (the nodes are only valid until the document is
// freed).
type collector struct {
	root     *C.xmlNode        // the validated element, or nil: read st.target
	st       *C.fk_parse_state // set when fk_check validates
	max      int
	findings contract.Findings
	more     int
	unknown  bool
}

func (c *collector) add(e *C.xmlError) {
	if e.level == C.XML_ERR_WARNING {
		return
	}
	if c.root == nil && c.st != nil {
		c.root = c.st.target
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

// finish turns libxml2's return code and the collected errors into the
// result of one validation.
func (c *collector) finish(rc int, schema string) (contract.Findings, error) {
	if rc < 0 {
		return nil, fmt.Errorf("xsd: libxml2 internal error %d while validating against %s", rc, schema)
	}
	if c.more > 0 {
		c.findings = append(c.findings, contract.New(contract.RuleXSDInvalid, "", "",
			fmt.Sprintf("%d more schema violations not listed (at most %d are listed per document)", c.more, c.max)))
	}
	if rc > 0 && len(c.findings) == 0 {
		// libxml2 said invalid but reported nothing we could attribute.
		c.findings = append(c.findings, contract.New(contract.RuleXSDInvalid, "", "", "the payload does not match the schema"))
	}
	return c.findings, nil
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
