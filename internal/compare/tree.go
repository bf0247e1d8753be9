package compare

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/fnokit/fnokit/internal/jsontree"
	"github.com/fnokit/fnokit/internal/redact"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// differ collects the value-level differences of two normalised answers,
// every one of them (not only the first, as a golden comparison does), up
// to max; beyond it they are only counted.
type differ struct {
	max     int
	out     []Difference
	omitted int
	// skip holds locations already reported at another level
	// (statusInfo/status when the status changed).
	skip map[string]bool
}

func (d *differ) add(x Difference) {
	if x.Level == "" {
		x.Level = Value
	}
	if x.Level == Value && d.skip[x.Location] {
		return
	}
	if len(d.out) >= d.max {
		d.omitted++
		return
	}
	x.Baseline, x.Candidate = shown(x.Baseline), shown(x.Candidate)
	d.out = append(d.out, x)
}

// shown is a value as a difference may show it: redacted (the answers were
// redacted before they were parsed; this catches a credential in text that
// the structural pass kept, such as a JWT in a description) and cut short.
func shown(v string) string {
	v = redact.Text(v)
	if utf8.RuneCountInString(v) <= MaxValue {
		return v
	}
	r := []rune(v)
	return string(r[:MaxValue]) + "…"
}

// xml compares two elements at path, their attributes, text and children.
// Children are paired by local name and position among their namesakes
// (/devices/device[2]), so a record missing in the middle of a list shows as
// changed values after it and one extra at the end: a list is compared as
// the client reads it, position by position. A namespace change is
// reported where it starts, not again on each descendant that changed the
// same way (a whole answer in another version's namespace is one
// difference).
func (d *differ) xml(a, b *xmltree.Node, path string) {
	d.xmlIn(a, b, path, [2]string{})
}

// xmlIn compares a and b; moved is the namespace change reported on an
// ancestor.
func (d *differ) xmlIn(a, b *xmltree.Node, path string, moved [2]string) {
	if ns := [2]string{a.Name.Space, b.Name.Space}; ns[0] != ns[1] && ns != moved {
		d.add(Difference{Kind: ValueChanged, Location: path, Message: "the element's namespace differs",
			Baseline: a.Name.Space, Candidate: b.Name.Space})
		moved = ns
	}
	d.attrs(a, b, path)
	if at, bt := strings.TrimSpace(a.Text), strings.TrimSpace(b.Text); at != bt {
		d.add(Difference{Kind: ValueChanged, Location: path, Message: "the text of <" + a.Name.Local + "> differs",
			Baseline: at, Candidate: bt})
	}
	var names []string
	seen := map[string]bool{}
	for _, n := range [][]*xmltree.Node{a.Children, b.Children} {
		for _, c := range n {
			if !seen[c.Name.Local] {
				seen[c.Name.Local] = true
				names = append(names, c.Name.Local)
			}
		}
	}
	for _, name := range names {
		as, bs := named(a, name), named(b, name)
		multi := len(as) > 1 || len(bs) > 1
		for i := 0; i < max(len(as), len(bs)); i++ {
			p := path + "/" + name
			if multi {
				p += "[" + strconv.Itoa(i+1) + "]"
			}
			switch {
			case i < len(as) && i < len(bs):
				d.xmlIn(as[i], bs[i], p, moved)
			case i < len(as):
				d.add(Difference{Kind: OnlyInBaseline, Location: p, Message: "<" + name + "> is in the baseline's answer only",
					Baseline: summaryXML(as[i])})
			default:
				d.add(Difference{Kind: OnlyInCandidate, Location: p, Message: "<" + name + "> is in the candidate's answer only",
					Candidate: summaryXML(bs[i])})
			}
		}
	}
}

func named(n *xmltree.Node, local string) []*xmltree.Node {
	var out []*xmltree.Node
	for _, c := range n.Children {
		if c.Name.Local == local {
			out = append(out, c)
		}
	}
	return out
}

func (d *differ) attrs(a, b *xmltree.Node, path string) {
	for _, x := range xmltree.AttrPairs(a, b) {
		n, p := x.Name, path+"/@"+x.Name.Local
		switch {
		case !x.InB:
			d.add(Difference{Kind: OnlyInBaseline, Location: p, Message: "attribute " + n.Local + " is in the baseline's answer only", Baseline: x.A})
		case !x.InA:
			d.add(Difference{Kind: OnlyInCandidate, Location: p, Message: "attribute " + n.Local + " is in the candidate's answer only", Candidate: x.B})
		case x.A != x.B:
			d.add(Difference{Kind: ValueChanged, Location: p, Message: "attribute " + n.Local + " differs", Baseline: x.A, Candidate: x.B})
		}
	}
}

// summaryXML is the value of an element for a difference: its text, or how
// many elements it holds.
func summaryXML(n *xmltree.Node) string {
	if len(n.Children) == 0 {
		return strings.TrimSpace(n.Text)
	}
	count := 0
	n.Walk(func(string, *xmltree.Node) bool { count++; return true })
	return fmt.Sprintf("<%s> with %d element(s) inside", n.Name.Local, count-1)
}

// json compares two decoded JSON values (numbers as json.Number) at a JSON
// Pointer.
func (d *differ) json(a, b any, ptr string) {
	switch at := a.(type) {
	case map[string]any:
		bt, ok := b.(map[string]any)
		if !ok {
			break
		}
		for _, k := range jsontree.UnionKeys(at, bt) {
			p := ptr + "/" + jsontree.EscapePointer(k)
			av, aok := at[k]
			bv, bok := bt[k]
			switch {
			case !bok:
				d.add(Difference{Kind: OnlyInBaseline, Location: p, Message: "member is in the baseline's answer only", Baseline: summaryJSON(av)})
			case !aok:
				d.add(Difference{Kind: OnlyInCandidate, Location: p, Message: "member is in the candidate's answer only", Candidate: summaryJSON(bv)})
			default:
				d.json(av, bv, p)
			}
		}
		return
	case []any:
		bt, ok := b.([]any)
		if !ok {
			break
		}
		for i := 0; i < max(len(at), len(bt)); i++ {
			p := ptr + "/" + strconv.Itoa(i)
			switch {
			case i < len(at) && i < len(bt):
				d.json(at[i], bt[i], p)
			case i < len(at):
				d.add(Difference{Kind: OnlyInBaseline, Location: p, Message: "array item is in the baseline's answer only", Baseline: summaryJSON(at[i])})
			default:
				d.add(Difference{Kind: OnlyInCandidate, Location: p, Message: "array item is in the candidate's answer only", Candidate: summaryJSON(bt[i])})
			}
		}
		return
	}
	ta, tb := jsontree.Type(a), jsontree.Type(b)
	switch {
	case ta != tb:
		d.add(Difference{Kind: ValueChanged, Location: ptr, Message: "a " + ta + " in the baseline's answer is a " + tb + " in the candidate's",
			Baseline: summaryJSON(a), Candidate: summaryJSON(b)})
	case summaryJSON(a) != summaryJSON(b):
		d.add(Difference{Kind: ValueChanged, Location: ptr, Message: "the " + ta + " differs", Baseline: summaryJSON(a), Candidate: summaryJSON(b)})
	}
}

func summaryJSON(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return fmt.Sprintf("object with %d member(s)", len(x))
	case []any:
		return fmt.Sprintf("array of %d item(s)", len(x))
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	}
	return fmt.Sprint(v)
}

// decodeJSON reads exactly one JSON value, keeping numbers as written.
func decodeJSON(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("not valid JSON: syntax error at byte %d", se.Offset)
		}
		return nil, errors.New("not valid JSON")
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, errors.New("not valid JSON: more than one value")
	}
	return v, nil
}

// prettyJSON is the canonical text of a JSON value: keys sorted, two-space
// indentation, no HTML escaping, numbers as written.
func prettyJSON(v any) string {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		return ""
	}
	return b.String()
}

// canonicalXML is the canonical text of an element, one element per line.
func canonicalXML(n *xmltree.Node) string {
	if n == nil {
		return ""
	}
	return string(xmltree.Canonical(n)) + "\n"
}
