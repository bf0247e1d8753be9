package soap

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// NSEnvelope is the SOAP 1.1 envelope namespace, the only one FNO speaks.
const NSEnvelope = contract.NSSOAPEnv

// NSEnvelope12 is the SOAP 1.2 namespace; Parse names it in its error so a
// user who pointed fnokit at a SOAP 1.2 endpoint sees why it was refused.
const NSEnvelope12 = "http://www.w3.org/2003/05/soap-envelope"

// ContentType is the SOAP 1.1 request media type.
const ContentType = "text/xml; charset=utf-8"

// SOAPAction is the value every FNO WSDL declares (soapAction=""); SOAP 1.1
// requires the header to be present, quoted.
const SOAPAction = `""`

// Prefixes SoapUI uses, which is what the vendor's examples show and what
// people diff our requests against.
const (
	PrefixEnvelope = "soapenv"
	PrefixPayload  = "urn"
	PrefixAuth     = "flex"
)

// Payload returns an empty payload root named after the input element of a
// WSDL operation, in the namespace the WSDL declares for it. Use it rather
// than guessing "<op>Request": most FNO operations follow that pattern, but
// the WSDL is the authority.
func Payload(op wsdl.Operation) (*xmltree.Node, error) {
	if op.Input.Local == "" {
		return nil, fmt.Errorf("operation %s has no input element in its WSDL; build the payload root by hand", op.Name)
	}
	return &xmltree.Node{Name: op.Input}, nil
}

// Qualify returns a copy of the payload where every element without a
// namespace is put in ns. FNO schemas are all elementFormDefault="qualified",
// so a payload built with bare local names needs this before it is sent.
// Attributes keep their (usually empty) namespace.
func Qualify(n *xmltree.Node, ns string) *xmltree.Node {
	c := n.Clone()
	c.MoveNamespace("", ns)
	return c
}

// Envelope wraps the payload in a SOAP 1.1 envelope for op, adding the
// authentication header entries when creds use HeaderAuth. The payload is
// used as given (not copied): its root names the request element.
func Envelope(payload *xmltree.Node, creds Credentials) *xmltree.Node {
	env := &xmltree.Node{Name: xmltree.Name{Space: NSEnvelope, Local: "Envelope"}}
	// The Header is optional in SOAP 1.1; it is written only when it has
	// entries, so a Basic or Bearer request carries no SOAP header at all.
	if hs := creds.headerElements(); len(hs) > 0 {
		env.Children = append(env.Children, &xmltree.Node{
			Name: xmltree.Name{Space: NSEnvelope, Local: "Header"}, Children: hs})
	}
	body := &xmltree.Node{Name: xmltree.Name{Space: NSEnvelope, Local: "Body"}}
	if payload != nil {
		body.Children = []*xmltree.Node{payload}
	}
	env.Children = append(env.Children, body)
	return env
}

// prefixes is the prefix map for a request of op: soapenv, urn for the
// payload namespace, flex for the auth header (unless that is the payload
// namespace already, as for the base FlexnetAuthentication service).
func prefixes(op contract.Operation) map[string]string {
	p := map[string]string{NSEnvelope: PrefixEnvelope, op.Namespace(): PrefixPayload}
	if _, ok := p[NSAuthHeader]; !ok {
		p[NSAuthHeader] = PrefixAuth
	}
	return p
}

// Marshal encodes the request envelope of op around a payload, which is a
// *xmltree.Node, or the bytes ([]byte or string) of the payload element.
//
// Bytes are sent verbatim, without being parsed (a load test sends exactly
// what it was given, and may mean to send something invalid): an XML
// declaration at their start is dropped, and the envelope declares the
// soapenv and urn prefixes, so a SoapUI-style snippet <urn:…> works as is.
func Marshal(op contract.Operation, payload any, creds Credentials) ([]byte, error) {
	switch p := payload.(type) {
	case *xmltree.Node:
		if p == nil {
			return nil, errors.New("build SOAP request: nil payload")
		}
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		if err := Envelope(p, creds).Encode(&b, xmltree.EncodeOptions{Prefixes: prefixes(op)}); err != nil {
			return nil, fmt.Errorf("build SOAP request %s: %w", op, err)
		}
		return b.Bytes(), nil
	case []byte:
		return wrapBytes(op, p, creds)
	case string:
		return wrapBytes(op, []byte(p), creds)
	case nil:
		return nil, errors.New("build SOAP request: nil payload")
	}
	return nil, fmt.Errorf("build SOAP request %s: payload of type %T; pass an *xmltree.Node, []byte or string (convert plain values with FromValue)", op, payload)
}

func wrapBytes(op contract.Operation, p []byte, creds Credentials) ([]byte, error) {
	p = stripProlog(p)
	if len(p) == 0 || p[0] != '<' {
		return nil, fmt.Errorf("build SOAP request %s: payload bytes do not start with an element", op)
	}
	var b bytes.Buffer
	b.Grow(len(p) + 512)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="` + NSEnvelope + `" xmlns:urn="`)
	xml.EscapeText(&b, []byte(op.Namespace()))
	b.WriteString(`">`)
	if hs := creds.headerElements(); len(hs) > 0 {
		b.WriteString(`<soapenv:Header>`)
		for _, h := range hs {
			b.WriteString(`<flex:` + h.Name.Local + ` xmlns:flex="` + NSAuthHeader +
				`" soapenv:actor="` + ActorNext + `" soapenv:mustUnderstand="0">`)
			xml.EscapeText(&b, []byte(h.Text))
			b.WriteString(`</flex:` + h.Name.Local + `>`)
		}
		b.WriteString(`</soapenv:Header>`)
	}
	b.WriteString(`<soapenv:Body>`)
	b.Write(p)
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	return b.Bytes(), nil
}

// stripProlog drops a byte order mark, leading white space and an XML
// declaration, which cannot appear inside the Body.
func stripProlog(p []byte) []byte {
	p = bytes.TrimPrefix(p, []byte("\xef\xbb\xbf"))
	p = bytes.TrimLeft(p, " \t\r\n")
	if bytes.HasPrefix(p, []byte("<?xml")) {
		if i := bytes.Index(p, []byte("?>")); i >= 0 {
			p = bytes.TrimLeft(p[i+2:], " \t\r\n")
		}
	}
	return bytes.TrimRight(p, " \t\r\n")
}

// NewRequest builds the HTTP POST of op to baseURL (scheme, host and any
// path prefix; the service endpoint is appended) with the payload wrapped as
// Marshal does, Content-Type text/xml, SOAPAction "" and the credentials.
func NewRequest(ctx context.Context, baseURL string, op contract.Operation, payload any, creds Credentials) (*http.Request, error) {
	if op.Service == "" {
		return nil, errors.New("build SOAP request: operation has no service name")
	}
	body, err := Marshal(op, payload, creds)
	if err != nil {
		return nil, err
	}
	url := strings.TrimRight(baseURL, "/") + op.Endpoint()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		// The URL may hold credentials (user:pass@host); do not echo it.
		return nil, fmt.Errorf("build SOAP request %s: bad base URL: check its scheme and host", op)
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("SOAPAction", SOAPAction)
	creds.Apply(req)
	return req, nil
}
