package redact

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
)

// XML redacts an XML document (typically a SOAP envelope): the content of
// every element whose local name is a secret name (UserPassword in the FNO
// platform header, password, token, *Token, *Password, *Secret … see
// IsSecretName), whatever its prefix or namespace, and the value of every
// attribute with such a name. Text anywhere else loses JWTs, Basic/Bearer
// credentials and URL credentials.
//
// Only the secret bytes are replaced; prefixes, declarations, comments and
// white space stay exactly as they were. A secret element with child
// elements loses its children too. Input that is not well-formed XML is
// redacted by regular expressions and the Result says so.
func XML(b []byte) ([]byte, Result) {
	out, n, err := xmlStructural(b)
	if err != nil {
		out, n = xmlFallback(b)
		return out, Result{Redacted: n, Fallback: true, Reason: "not well-formed XML (" + err.Error() + "); redacted by pattern"}
	}
	return out, Result{Redacted: n}
}

// errUnbalanced reports a document whose start and end tags do not match;
// RawToken does not check that itself.
var errUnbalanced = errors.New("start and end tags do not match")

// xmlStructural walks raw tokens (prefixes unresolved, so undeclared or odd
// prefixes do not stop it) and splices replacements into a copy of the
// input by byte offset.
func xmlStructural(b []byte) ([]byte, int, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	// No entity expansion: an undefined entity is an error, and DTDs are
	// passed through as opaque directives.
	var (
		out     bytes.Buffer
		copied  int64 // bytes of b already written to out
		count   int
		stack   []xml.Name
		secretD = -1  // depth of the outermost open secret element, or -1
		innerAt int64 // offset where that element's content starts
		sawRoot bool
	)
	out.Grow(len(b))
	for {
		start := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, 0, errors.New(cleanXMLErr(err))
		}
		end := d.InputOffset()
		switch t := tok.(type) {
		case xml.StartElement:
			sawRoot = true
			stack = append(stack, t.Name)
			if secretD >= 0 {
				continue // inside a secret element: it is replaced whole
			}
			if tag, n := redactStartTag(b[start:end], t); n > 0 {
				out.Write(b[copied:start])
				out.Write(tag)
				copied = end
				count += n
			}
			if IsSecretName(t.Name.Local) {
				secretD = len(stack)
				innerAt = end
			}
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1] != t.Name {
				return nil, 0, errUnbalanced
			}
			if secretD == len(stack) {
				// Replace the content only if there is some: for
				// <UserPassword/> start and end share one tag.
				if start > innerAt {
					out.Write(b[copied:innerAt])
					out.WriteString(Marker)
					copied = start
					count++
				}
				secretD = -1
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if secretD >= 0 {
				continue
			}
			// Work on the decoded text so an escaped URL (&amp;token=…)
			// is seen as the URL it is; re-escape only if it changed.
			if r := textTokens(string(t)); r != string(t) {
				out.Write(b[copied:start])
				xml.EscapeText(&out, []byte(r))
				copied = end
				count++
			}
		case xml.Comment:
			if secretD >= 0 {
				continue
			}
			if r := textTokens(string(t)); r != string(t) {
				out.Write(b[copied:start])
				out.WriteString("<!--" + r + "-->")
				copied = end
				count++
			}
		}
	}
	if len(stack) != 0 {
		return nil, 0, errors.New("unexpected end of document")
	}
	if !sawRoot {
		return nil, 0, errors.New("no root element")
	}
	out.Write(b[copied:])
	return out.Bytes(), count, nil
}

// redactStartTag rewrites a start tag whose attributes hold secrets or
// credential-looking text. It returns the new tag and how many values it
// replaced (0: keep the original bytes).
func redactStartTag(raw []byte, t xml.StartElement) ([]byte, int) {
	n := 0
	attrs := make([]xml.Attr, len(t.Attr))
	for i, a := range t.Attr {
		attrs[i] = a
		if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
			continue // namespace declarations are never secrets
		}
		switch {
		case IsSecretName(a.Name.Local) && a.Value != "":
			attrs[i].Value = Marker
			n++
		default:
			if v := textTokens(a.Value); v != a.Value {
				attrs[i].Value = v
				n++
			}
		}
	}
	if n == 0 {
		return nil, 0
	}
	var b bytes.Buffer
	b.WriteByte('<')
	b.WriteString(qname(t.Name))
	for _, a := range attrs {
		b.WriteByte(' ')
		b.WriteString(qname(a.Name))
		b.WriteString(`="`)
		xml.EscapeText(&b, []byte(a.Value))
		b.WriteByte('"')
	}
	if bytes.HasSuffix(bytes.TrimRight(raw, " \t\r\n"), []byte("/>")) {
		b.WriteString("/>")
	} else {
		b.WriteByte('>')
	}
	return b.Bytes(), n
}

// qname spells a raw (unresolved) name as prefix:local.
func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// cleanXMLErr keeps encoding/xml's reason without quoting input.
func cleanXMLErr(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg := se.Msg
		if i := bytes.IndexAny([]byte(msg), "\"'`"); i > 0 {
			msg = msg[:i]
		}
		return "line " + itoa(se.Line) + ": " + string(bytes.TrimSpace([]byte(msg)))
	}
	return "cannot read the document"
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var buf [20]byte
	p := len(buf)
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		p--
		buf[p] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		p--
		buf[p] = '-'
	}
	return string(buf[p:])
}

var (
	// A start tag: prefix, local name, attributes, optional "/".
	xmlTagRE = regexp.MustCompile(`<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)((?:\s[^<>]*?)?)(/?)>`)
	// An attribute inside a start tag.
	xmlAttrRE = regexp.MustCompile(`([\w.\-]+:)?([\w.\-]+)(\s*=\s*)("[^"]*"|'[^']*')`)
	// Content after a secret start tag: a CDATA section or text up to the
	// next tag (or the end of the input, for truncated documents).
	xmlContentRE = regexp.MustCompile(`^(?s:<!\[CDATA\[.*?(?:\]\]>|$)|[^<]*)`)
)

// xmlFallback redacts what it can recognise in broken XML: the content of
// secret elements up to the next tag, secret attributes, and credentials
// anywhere in the text.
func xmlFallback(b []byte) ([]byte, int) {
	s := string(b)
	var out bytes.Buffer
	out.Grow(len(s))
	count, last := 0, 0
	for _, m := range xmlTagRE.FindAllStringSubmatchIndex(s, -1) {
		if m[0] < last {
			continue // inside a CDATA section already replaced
		}
		tagEnd := m[1]
		local := s[m[4]:m[5]]
		attrs := s[m[6]:m[7]]
		selfClosing := m[9] > m[8]
		out.WriteString(s[last:m[6]])
		out.WriteString(xmlAttrRE.ReplaceAllStringFunc(attrs, func(a string) string {
			g := xmlAttrRE.FindStringSubmatch(a)
			if g[1] == "xmlns:" || g[2] == "xmlns" || !IsSecretName(g[2]) {
				return a
			}
			count++
			q := g[4][:1]
			return g[1] + g[2] + g[3] + q + Marker + q
		}))
		out.WriteString(s[m[7]:tagEnd])
		last = tagEnd
		if selfClosing || !IsSecretName(local) {
			continue
		}
		c := xmlContentRE.FindStringIndex(s[tagEnd:])
		if c != nil && c[1] > 0 {
			out.WriteString(Marker)
			last = tagEnd + c[1]
			count++
		}
	}
	out.WriteString(s[last:])
	r := Text(out.String())
	if r != out.String() {
		count++
	}
	return []byte(r), count
}
