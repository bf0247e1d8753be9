package contractgen

import (
	"fmt"
	"strings"

	"github.com/fnokit/fnokit/internal/contract"
)

// check runs the rules that span the file: every reference resolves in
// every version it is used in, names are unique per version, extension
// chains end. A problem seen in several versions is reported once, with the
// versions listed.
func (p *parser) check() {
	c := p.c
	p.checkFamily()
	simple := map[string]*SimpleType{}
	for _, t := range c.SimpleTypes {
		simple[t.Name] = t
		if IsBuiltin(t.Name) {
			p.at(t.line, "simple type %s has the name of an XSD builtin: rename it, references to %s mean the builtin", t.Name, t.Name)
		}
	}
	complexT := map[string]*ComplexType{}
	for _, t := range c.ComplexTypes {
		complexT[t.Name] = t
		if IsBuiltin(t.Name) {
			p.at(t.line, "complex type %s has the name of an XSD builtin: rename it, references to %s mean the builtin", t.Name, t.Name)
		}
		if s, ok := simple[t.Name]; ok && overlap(s.Span, t.Span) {
			p.at(t.line, "%s is both a simple type (line %d) and a complex type in %s: rename one or make their since/until disjoint",
				t.Name, s.line, p.spanText(intersect(s.Span, t.Span)))
		}
	}
	p.checkOpen(complexT)
	elements := map[string]*Element{}
	for _, e := range c.Elements {
		elements[e.Name] = e
	}

	agg := &aggregate{}
	known := p.typeNames()
	// ref checks one type reference from line in version i.
	ref := func(line int, what, typ string, i int) {
		if IsBuiltin(typ) {
			return
		}
		s, isS := simple[typ]
		ct, isC := complexT[typ]
		switch {
		case isS && s.Span.Has(i), isC && ct.Span.Has(i):
		case isS || isC:
			span := Span{}
			if isS {
				span = s.Span
			} else {
				span = ct.Span
			}
			agg.add(line, fmt.Sprintf("%s refers to type %s, which does not exist in {versions} (it exists in %s): narrow this entry's since/until or widen the type's",
				what, typ, p.spanText(span)), c.Versions[i])
		default:
			agg.add(line, fmt.Sprintf("%s refers to unknown type %q%s: define it under simpleTypes or complexTypes, or use an XSD builtin (string, int, dateTime, …)",
				what, typ, suggest(typ, known)), "")
		}
	}

	for i, v := range c.Versions {
		for _, t := range c.SimpleTypes {
			if !t.Span.Has(i) {
				continue
			}
			seen := map[string]int{}
			for _, ev := range t.Values {
				if !ev.Span.Has(i) {
					continue
				}
				if first, dup := seen[ev.Value]; dup {
					agg.add(ev.line, fmt.Sprintf("simple type %s lists value %q twice in {versions} (first at line %d): give the entries disjoint since/until or drop one",
						t.Name, ev.Value, first), v)
				}
				seen[ev.Value] = ev.line
			}
		}
		for _, t := range c.ComplexTypes {
			if !t.Span.Has(i) {
				continue
			}
			if t.Extends != "" {
				base, ok := complexT[t.Extends]
				switch {
				case ok && base.Span.Has(i):
					p.cycle(t, complexT, i, agg)
				case ok:
					agg.add(t.line, fmt.Sprintf("complex type %s extends %s, which does not exist in {versions} (it exists in %s)",
						t.Name, t.Extends, p.spanText(base.Span)), v)
				case IsBuiltin(t.Extends) || simple[t.Extends] != nil:
					agg.add(t.line, fmt.Sprintf("complex type %s extends %s, which is not a complex type: extends names another complex type",
						t.Name, t.Extends), "")
				default:
					agg.add(t.line, fmt.Sprintf("complex type %s extends unknown type %q%s", t.Name, t.Extends, suggest(t.Extends, known)), "")
				}
			}
			seen := map[string]int{}
			for _, e := range t.Sequence {
				if !e.Span.Has(i) {
					continue
				}
				if first, dup := seen[e.Name]; dup {
					agg.add(e.line, fmt.Sprintf("complex type %s has element %s twice in {versions} (first at line %d): the same name may appear twice only with disjoint since/until",
						t.Name, e.Name, first), v)
				}
				seen[e.Name] = e.line
				ref(e.line, "complex type "+t.Name+" element "+e.Name, e.Type, i)
			}
		}
		for _, e := range c.Elements {
			if e.Span.Has(i) {
				ref(e.line, "element "+e.Name, e.Type, i)
			}
		}
		messages := map[string]string{}
		for _, op := range c.Operations {
			if !op.Span.Has(i) {
				continue
			}
			for _, io := range []struct{ key, el string }{{"input", op.Input}, {"output", op.Output}} {
				el, ok := elements[io.el]
				switch {
				case ok && el.Span.Has(i):
				case ok:
					agg.add(op.line, fmt.Sprintf("operation %s: %s element %s does not exist in {versions} (it exists in %s): give the operation since/until within the element's, or widen the element's",
						op.Name, io.key, io.el, p.spanText(el.Span)), v)
				default:
					agg.add(op.line, fmt.Sprintf("operation %s: %s element %q is not defined%s: add it under elements", op.Name, io.key, io.el,
						suggest(io.el, p.elementNames())), "")
				}
			}
			for _, m := range []string{op.Name + "Request", op.Name + "Response"} {
				if other, dup := messages[m]; dup {
					agg.add(op.line, fmt.Sprintf("operations %s and %s would both have a WSDL message named %s: rename one", other, op.Name, m), "")
				}
				messages[m] = op.Name
			}
		}
	}
	for _, e := range agg.items {
		msg := strings.ReplaceAll(e.msg, "{versions}", strings.Join(e.versions, ", "))
		p.at(e.line, "%s", msg)
	}
}

// checkOpen keeps open types (one lax xsd:any) deterministic. XSD's
// Unique Particle Attribution rule forbids a content model in which an
// element could match both a declared element and the wildcard; libxml2
// then refuses the whole schema. So an open type declares no elements
// itself, inherits none, and a type extending it adds none (the wildcard
// it inherits comes first and would swallow them). Checked on the sequences
// as written, whatever their since/until: the simple rule is the one a
// contract author can keep in mind.
func (p *parser) checkOpen(complexT map[string]*ComplexType) {
	const why = "an xsd:any next to declared elements makes the content model ambiguous (XSD's Unique Particle Attribution rule) and libxml2 rejects the schema"
	for _, t := range p.c.ComplexTypes {
		if t.Open && len(t.Sequence) > 0 {
			p.at(t.openLine, "complex type %s is open (any elements accepted), so its sequence must be empty: %s; drop open, or the sequence and say in doc what is known of the content", t.Name, why)
		}
		// Walk the extension chain once (a loop is reported by cycle); one
		// message per type is enough.
		seen := map[string]bool{t.Name: true}
	chain:
		for cur := t; cur.Extends != ""; {
			base, ok := complexT[cur.Extends]
			if !ok || seen[base.Name] {
				break
			}
			seen[base.Name] = true
			switch {
			case t.Open && len(base.Sequence) > 0:
				p.at(t.openLine, "complex type %s is open but extends %s, which declares elements: %s; drop extends or open", t.Name, base.Name, why)
				break chain
			case base.Open && len(t.Sequence) > 0:
				p.at(t.line, "complex type %s extends %s, which is open (any elements accepted), and adds elements: %s; leave its sequence empty and say in doc what it adds", t.Name, base.Name, why)
				break chain
			}
			cur = base
		}
	}
}

// checkFamily catches a contract whose family gives another namespace than
// the one FNO publishes the service in (family forgotten on ManageDevice).
func (p *parser) checkFamily() {
	c := p.c
	want := ""
	switch c.Service {
	case "ManageDeviceService":
		want = FamilyFNE
	case "FlexnetAuthentication":
		want = FamilyPlatform
	default:
		return
	}
	if c.Family != want {
		p.at(p.familyLine, "FNO publishes %s in the %s namespace family (%s for base): set family: %s",
			c.Service, want, contract.Namespace(c.Service, contract.Base), want)
	}
}

// cycle reports an extension chain that comes back to t in version i.
func (p *parser) cycle(t *ComplexType, complexT map[string]*ComplexType, i int, agg *aggregate) {
	seen := map[string]bool{t.Name: true}
	chain := []string{t.Name}
	for cur := t; cur.Extends != ""; {
		next, ok := complexT[cur.Extends]
		if !ok || !next.Span.Has(i) {
			return
		}
		chain = append(chain, next.Name)
		if seen[next.Name] {
			if next == t {
				agg.add(t.line, "complex type "+t.Name+" extends itself through "+strings.Join(chain, " → ")+": break the loop", "")
			}
			return
		}
		seen[next.Name] = true
		cur = next
	}
}

func (p *parser) at(line int, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) typeNames() []string {
	var out []string
	for _, t := range p.c.SimpleTypes {
		out = append(out, t.Name)
	}
	for _, t := range p.c.ComplexTypes {
		out = append(out, t.Name)
	}
	return append(out, builtinNames()...)
}

func (p *parser) elementNames() []string {
	var out []string
	for _, e := range p.c.Elements {
		out = append(out, e.Name)
	}
	return out
}

// spanText says which versions a span covers, for messages.
func (p *parser) spanText(s Span) string { return p.c.spanText(s) }

func (c *Contract) spanText(s Span) string {
	vs := c.Versions
	switch {
	case s.From == 0 && s.To == len(vs)-1:
		return "all versions"
	case s.From == s.To:
		return vs[s.From].String() + " only"
	case s.To == len(vs)-1:
		return vs[s.From].String() + " and later"
	}
	return vs[s.From].String() + " to " + vs[s.To].String()
}

func overlap(a, b Span) bool { return a.From <= b.To && b.From <= a.To }

func intersect(a, b Span) Span { return Span{From: max(a.From, b.From), To: min(a.To, b.To)} }

// aggregate merges the same problem found in several versions into one
// message listing them, in the order first seen.
type aggregate struct {
	items []*aggItem
	index map[string]*aggItem
}

type aggItem struct {
	line     int
	msg      string
	versions []string
}

func (a *aggregate) add(line int, msg string, v contract.Version) {
	if a.index == nil {
		a.index = map[string]*aggItem{}
	}
	key := fmt.Sprintf("%d\x00%s", line, msg)
	it, ok := a.index[key]
	if !ok {
		it = &aggItem{line: line, msg: msg}
		a.index[key] = it
		a.items = append(a.items, it)
	}
	if strings.Contains(msg, "{versions}") {
		it.versions = append(it.versions, v.String())
	}
}
