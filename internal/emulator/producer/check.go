package producer

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
)

// maxCheckDepth bounds the structural check's recursion; the parser's
// depth limit is larger, but nothing in these contracts nests this deep.
const maxCheckDepth = 64

// conform checks payload element n against its declaration d the way the
// emulator can afford on every call without libxml2 (the emulator never
// links internal/xsd; the tests check that conform agrees with it on the
// contracts' samples): element names, namespaces, order and counts of a
// sequence, xsi:nil only where nillable, no text in element-only content,
// and the built-in types these contracts use (boolean, int, long,
// base64Binary, dateTime) plus enumerations. The content of open types is
// not checked, as libxml2's lax wildcard would barely check it either.
//
// It returns "" when n conforms, else a reason naming the path of the first
// departure — never a value from the message.
func conform(m *xsdmodel.Model, d *xsdmodel.Decl, n *xmltree.Node) string {
	return check(m, d, n, "/"+n.Name.Local, 0)
}

func check(m *xsdmodel.Model, d *xsdmodel.Decl, n *xmltree.Node, path string, depth int) string {
	if depth > maxCheckDepth {
		return path + ": nested too deep"
	}
	if n.Name.Local != d.Name.Local || n.Name.Space != d.Name.Space {
		return path + ": expected element " + d.Name.Local + " in namespace " + d.Name.Space
	}
	if v, ok := nilAttr(n); ok {
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return path + ": xsi:nil is not a boolean"
		}
		if b {
			if !d.Nillable {
				return path + ": xsi:nil on an element that is not nillable"
			}
			if len(n.Children) > 0 || strings.TrimSpace(n.Text) != "" {
				return path + ": an element with xsi:nil must be empty"
			}
			return ""
		}
	}
	if d.Open() {
		return "" // xs:anyType: anything goes
	}
	kids, err := m.ChildrenOf(d)
	if err != nil {
		return path + ": the contract's type of this element is not loaded"
	}
	if d.Simple || d.ComplexType() == nil {
		if len(n.Children) > 0 {
			return path + ": text expected, found child elements"
		}
		return checkText(d.SimpleType(), n.Text, path)
	}
	if strings.TrimSpace(n.Text) != "" {
		return path + ": text found in element-only content"
	}
	i := 0
	for _, k := range kids {
		if k.Wildcard {
			// Our contracts write a wildcard only as the whole content of
			// a type whose content is not known (schemas/EXTERNAL-NOTES.md
			// C9): it takes every remaining child.
			i = len(n.Children)
			continue
		}
		count := 0
		for i < len(n.Children) && n.Children[i].Name.Local == k.Name.Local && n.Children[i].Name.Space == k.Name.Space {
			c := n.Children[i]
			p := path + "/" + k.Name.Local
			if k.Repeated() {
				p += "[" + strconv.Itoa(count+1) + "]"
			}
			if why := check(m, k, c, p, depth+1); why != "" {
				return why
			}
			count++
			i++
		}
		if count < k.MinOccurs && !k.InChoice {
			return path + ": required element " + k.Name.Local + " is missing or out of order"
		}
		if k.MaxOccurs != xsdmodel.Unbounded && count > k.MaxOccurs {
			return path + ": element " + k.Name.Local + " occurs too often"
		}
	}
	if i < len(n.Children) {
		return path + ": unexpected element " + n.Children[i].Name.Local
	}
	return ""
}

func nilAttr(n *xmltree.Node) (string, bool) {
	for _, a := range n.Attrs {
		if a.Name.Local == "nil" && a.Name.Space == contract.NSXSI {
			return a.Value, true
		}
	}
	return "", false
}

// checkText checks a text value against the built-in type its simple type
// derives from. Types the contracts of the generators do not use pass.
func checkText(st *xsdmodel.SimpleType, text, path string) string {
	if st == nil {
		return ""
	}
	v := strings.TrimSpace(text) // every type checked here collapses white space
	if len(st.Enumeration) > 0 && !slices.Contains(st.Enumeration, v) {
		return path + ": value not in the enumeration"
	}
	ok := true
	switch st.Builtin.Local {
	case "boolean":
		ok = v == "true" || v == "false" || v == "1" || v == "0"
	case "int":
		_, err := strconv.ParseInt(v, 10, 32)
		ok = err == nil && !strings.HasPrefix(v, "0x")
	case "long", "integer":
		_, err := strconv.ParseInt(v, 10, 64)
		ok = err == nil
	case "base64Binary":
		_, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
		ok = err == nil
	case "dateTime":
		ok = validDateTime(v)
	case "double", "float":
		_, err := strconv.ParseFloat(v, 64)
		ok = err == nil || v == "INF" || v == "-INF" || v == "NaN"
	}
	if !ok {
		return fmt.Sprintf("%s: not a valid xs:%s", path, st.Builtin.Local)
	}
	return ""
}

// validDateTime accepts xs:dateTime: a date, T, a time with optional
// fraction, and an optional zone.
func validDateTime(v string) bool {
	for _, layout := range []string{"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999"} {
		if _, err := time.Parse(layout, v); err == nil {
			return true
		}
	}
	return false
}
