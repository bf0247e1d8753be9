// Package wsdl reads WSDL 1.1 documents as FNO publishes them (Axis 1.4,
// document/literal): the inline <types> schemas, made standalone so an XSD
// compiler can take them one by one, and the operations with the elements
// their messages carry. It is pure Go so both the libxml2 validator and the
// k6 extension can use it.
package wsdl

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/fnokit/fnokit/internal/xmltree"
)

// Namespaces of the WSDL 1.1 vocabulary.
const (
	NSWSDL    = "http://schemas.xmlsoap.org/wsdl/"
	NSSOAP11  = "http://schemas.xmlsoap.org/wsdl/soap/"
	NSXSD     = "http://www.w3.org/2001/XMLSchema"
	maxSize   = 64 << 20
	maxNested = 256
)

// Definitions is what fnokit needs from a WSDL.
type Definitions struct {
	TargetNamespace string
	Schemas         []Schema
	Operations      []Operation
	Services        []Service
}

// Schema is one inline schema as a standalone XSD document: the bytes of the
// original <schema> element with the namespace declarations it inherited
// from wsdl:definitions and wsdl:types added to its start tag.
type Schema struct {
	TargetNamespace string
	Source          []byte
}

// Operation is one operation of the (first) SOAP binding's port type.
type Operation struct {
	Name       string
	SOAPAction string
	Input      xmltree.Name // element of the input message's part
	Output     xmltree.Name // element of the output message's part
}

// Service is a wsdl:service with its SOAP port addresses.
type Service struct {
	Name  string
	Ports []Port
}

// Port is one wsdl:port.
type Port struct {
	Name    string
	Binding string
	Address string
}

// Operation returns the named operation.
func (d *Definitions) Operation(name string) (Operation, bool) {
	for _, op := range d.Operations {
		if op.Name == name {
			return op, true
		}
	}
	return Operation{}, false
}

// IsWSDL reports whether data looks like a WSDL 1.1 document: its root
// element is definitions in the WSDL namespace.
func IsWSDL(data []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Space == NSWSDL && se.Name.Local == "definitions"
		}
	}
}

// ParseFile reads and parses a WSDL file.
func ParseFile(path string) (*Definitions, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read WSDL: %w", err)
	}
	d, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// scope is the namespace declarations of one open element.
type scope map[string]string // prefix ("" for default) → URI

type parser struct {
	data   []byte
	dec    *xml.Decoder
	scopes []scope
	defs   Definitions

	messages map[string]xmltree.Name // message local name → part element
	portOps  map[string][2]string    // operation → input, output message local names
	actions  map[string]string       // operation → soapAction
	opOrder  []string
}

// Parse reads a WSDL document held in memory.
func Parse(data []byte) (*Definitions, error) {
	if len(data) > maxSize {
		return nil, fmt.Errorf("WSDL is larger than %d bytes", maxSize)
	}
	p := &parser{
		data:     data,
		dec:      xml.NewDecoder(bytes.NewReader(data)),
		messages: map[string]xmltree.Name{},
		portOps:  map[string][2]string{},
		actions:  map[string]string{},
	}
	p.dec.Strict = true
	if err := p.run(); err != nil {
		return nil, err
	}
	for _, name := range p.opOrder {
		io := p.portOps[name]
		p.defs.Operations = append(p.defs.Operations, Operation{
			Name: name, SOAPAction: p.actions[name],
			Input: p.messages[io[0]], Output: p.messages[io[1]],
		})
	}
	return &p.defs, nil
}

func (p *parser) resolve(qname string) xmltree.Name {
	prefix, local, ok := strings.Cut(qname, ":")
	if !ok {
		prefix, local = "", qname
	}
	for i := len(p.scopes) - 1; i >= 0; i-- {
		if uri, ok := p.scopes[i][prefix]; ok {
			return xmltree.Name{Space: uri, Local: local}
		}
	}
	return xmltree.Name{Local: local}
}

func (p *parser) push(se xml.StartElement) xmltree.Name {
	s := scope{}
	for _, a := range se.Attr {
		switch {
		case a.Name.Space == "xmlns":
			s[a.Name.Local] = a.Value
		case a.Name.Space == "" && a.Name.Local == "xmlns":
			s[""] = a.Value
		}
	}
	p.scopes = append(p.scopes, s)
	return p.resolve(qualified(se.Name))
}

func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func (p *parser) run() error {
	var (
		path       []string // local names of open WSDL elements
		curMessage string
		curPortOp  string
		curBindOp  string
		curService *Service
		sawRoot    bool
	)
	for {
		start := p.dec.InputOffset()
		tok, err := p.dec.RawToken()
		if err == io.EOF {
			if len(p.scopes) > 0 {
				return errors.New("not well-formed XML: the document ends inside an element")
			}
			break
		}
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return fmt.Errorf("not well-formed XML at line %d: %s", se.Line, se.Msg)
			}
			return fmt.Errorf("read WSDL: %w", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return errors.New("WSDL carries a DTD; fnokit refuses DTDs so no entity can be expanded or fetched")
		case xml.StartElement:
			if len(p.scopes) >= maxNested {
				return fmt.Errorf("WSDL nests deeper than %d elements", maxNested)
			}
			name := p.push(t)
			if !sawRoot {
				sawRoot = true
				if name.Space != NSWSDL || name.Local != "definitions" {
					return fmt.Errorf("root element is %s, not wsdl:definitions: is this an XSD or another document?", name.Local)
				}
				p.defs.TargetNamespace = attr(t, "targetNamespace")
			}
			if name.Space == NSXSD && name.Local == "schema" && len(path) > 0 && path[len(path)-1] == "types" {
				if err := p.schema(start, t); err != nil {
					return err
				}
				continue
			}
			parent := ""
			if len(path) > 0 {
				parent = path[len(path)-1]
			}
			path = append(path, name.Local)
			switch {
			case name.Space == NSWSDL && name.Local == "message":
				curMessage = attr(t, "name")
			case name.Space == NSWSDL && name.Local == "part" && parent == "message":
				if el := attr(t, "element"); el != "" {
					p.messages[curMessage] = p.resolve(el)
				}
			case name.Space == NSWSDL && name.Local == "operation" && parent == "portType":
				curPortOp = attr(t, "name")
				if _, seen := p.portOps[curPortOp]; !seen {
					p.opOrder = append(p.opOrder, curPortOp)
					p.portOps[curPortOp] = [2]string{}
				}
			case name.Space == NSWSDL && (name.Local == "input" || name.Local == "output") && parent == "operation" && curPortOp != "":
				io := p.portOps[curPortOp]
				msg := p.resolve(attr(t, "message")).Local
				if name.Local == "input" {
					io[0] = msg
				} else {
					io[1] = msg
				}
				p.portOps[curPortOp] = io
			case name.Space == NSWSDL && name.Local == "operation" && parent == "binding":
				curBindOp = attr(t, "name")
			case name.Space == NSSOAP11 && name.Local == "operation" && curBindOp != "":
				if _, seen := p.actions[curBindOp]; !seen {
					p.actions[curBindOp] = attr(t, "soapAction")
				}
			case name.Space == NSWSDL && name.Local == "service":
				p.defs.Services = append(p.defs.Services, Service{Name: attr(t, "name")})
				curService = &p.defs.Services[len(p.defs.Services)-1]
			case name.Space == NSWSDL && name.Local == "port" && curService != nil:
				curService.Ports = append(curService.Ports, Port{Name: attr(t, "name"), Binding: p.resolve(attr(t, "binding")).Local})
			case name.Space == NSSOAP11 && name.Local == "address" && curService != nil && len(curService.Ports) > 0:
				curService.Ports[len(curService.Ports)-1].Address = attr(t, "location")
			}
		case xml.EndElement:
			p.scopes = p.scopes[:len(p.scopes)-1]
			if len(path) > 0 {
				ended := path[len(path)-1]
				path = path[:len(path)-1]
				parent := ""
				if len(path) > 0 {
					parent = path[len(path)-1]
				}
				switch {
				case ended == "operation" && parent == "portType":
					curPortOp = ""
				case ended == "operation" && parent == "binding":
					curBindOp = ""
				case ended == "service":
					curService = nil
				}
			}
		}
	}
	if !sawRoot {
		return errors.New("document has no root element")
	}
	return nil
}

// schema copies one inline schema out of the WSDL. start is the offset of
// the schema's '<'; the decoder stands just after its start tag.
func (p *parser) schema(start int64, se xml.StartElement) error {
	depth := 1
	for depth > 0 {
		tok, err := p.dec.RawToken()
		if err != nil {
			return fmt.Errorf("read inline schema: %w", err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxNested {
				return fmt.Errorf("inline schema nests deeper than %d elements", maxNested)
			}
		case xml.EndElement:
			depth--
		}
	}
	end := p.dec.InputOffset()
	own := p.scopes[len(p.scopes)-1]
	p.scopes = p.scopes[:len(p.scopes)-1]

	// Every declaration in scope that the schema element does not make
	// itself: QNames in attribute values (type="impl:foo") depend on them.
	inherited := map[string]string{}
	for _, s := range p.scopes {
		for prefix, uri := range s {
			inherited[prefix] = uri
		}
	}
	prefixes := make([]string, 0, len(inherited))
	for prefix := range inherited {
		if _, ok := own[prefix]; !ok {
			prefixes = append(prefixes, prefix)
		}
	}
	sort.Strings(prefixes)
	var decls strings.Builder
	for _, prefix := range prefixes {
		if prefix == "" {
			decls.WriteString(` xmlns="`)
		} else {
			decls.WriteString(` xmlns:` + prefix + `="`)
		}
		xml.EscapeText(&decls, []byte(inherited[prefix]))
		decls.WriteString(`"`)
	}
	raw := p.data[start:end]
	tag := "<" + qualified(se.Name)
	if !bytes.HasPrefix(raw, []byte(tag)) {
		return errors.New("cannot locate the inline schema's start tag")
	}
	src := make([]byte, 0, len(raw)+decls.Len()+64)
	src = append(src, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"...)
	src = append(src, tag...)
	src = append(src, decls.String()...)
	src = append(src, raw[len(tag):]...)
	p.defs.Schemas = append(p.defs.Schemas, Schema{TargetNamespace: attr(se, "targetNamespace"), Source: src})
	return nil
}
