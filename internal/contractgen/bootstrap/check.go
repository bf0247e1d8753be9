package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The self-check reads contract.yaml back with a YAML library (not with
// the writer's own structures), expands one version the way the contract
// format defines it, and compares the expansion with what the reference
// WSDL says. It is a deliberately small reader of the format: the real one
// lives in internal/contractgen.

type bounded struct{ since, until string }

type cEntry struct {
	entry
	bounded
}

type cComplex struct {
	extends string
	bounded
	seq []cEntry
}

type cValue struct {
	value string
	bounded
}

type cSimple struct {
	base string
	bounded
	values []cValue
}

type cElement struct {
	typ string
	bounded
}

type cOp struct {
	operation
	bounded
}

type contractFile struct {
	service   string
	versions  []string
	simple    map[string]*cSimple
	complex   map[string]*cComplex
	typeOrder []string
	elements  map[string]cElement
	elemOrder []string
	ops       []cOp
}

func mapPairs(n *yaml.Node) ([][2]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("line %d: want a mapping", n.Line)
	}
	var out [][2]*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, [2]*yaml.Node{n.Content[i], n.Content[i+1]})
	}
	return out, nil
}

func readBounds(k string, v *yaml.Node, b *bounded) bool {
	switch k {
	case "since":
		b.since = v.Value
	case "until":
		b.until = v.Value
	default:
		return false
	}
	return true
}

// parseTypeRef splits "name?" into the name and its occurrence bounds.
func parseTypeRef(s string) (string, int, int) {
	switch {
	case strings.HasSuffix(s, "?"):
		return s[:len(s)-1], 0, 1
	case strings.HasSuffix(s, "*"):
		return s[:len(s)-1], 0, unbounded
	case strings.HasSuffix(s, "+"):
		return s[:len(s)-1], 1, unbounded
	}
	return s, 1, 1
}

func parseContract(data []byte) (*contractFile, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) != 1 {
		return nil, fmt.Errorf("empty document")
	}
	top, err := mapPairs(doc.Content[0])
	if err != nil {
		return nil, err
	}
	c := &contractFile{simple: map[string]*cSimple{}, complex: map[string]*cComplex{}, elements: map[string]cElement{}}
	for _, kv := range top {
		k, v := kv[0].Value, kv[1]
		switch k {
		case "service":
			c.service = v.Value
		case "versions":
			for _, x := range v.Content {
				c.versions = append(c.versions, x.Value)
			}
		case "family", "namespace", "doc", "changes":
		case "simpleTypes":
			ps, err := mapPairs(v)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				st := &cSimple{base: "NMTOKEN"}
				fs, err := mapPairs(p[1])
				if err != nil {
					return nil, err
				}
				for _, f := range fs {
					if readBounds(f[0].Value, f[1], &st.bounded) {
						continue
					}
					switch f[0].Value {
					case "base":
						st.base = f[1].Value
					case "doc":
					case "values":
						for _, x := range f[1].Content {
							cv := cValue{value: x.Value}
							if x.Kind == yaml.MappingNode {
								xs, _ := mapPairs(x)
								for _, y := range xs {
									if !readBounds(y[0].Value, y[1], &cv.bounded) && y[0].Value == "value" {
										cv.value = y[1].Value
									}
								}
							}
							st.values = append(st.values, cv)
						}
					default:
						return nil, fmt.Errorf("simpleType %s: facet %s is not checked by the bootstrap", p[0].Value, f[0].Value)
					}
				}
				c.simple[p[0].Value] = st
				c.typeOrder = append(c.typeOrder, p[0].Value)
			}
		case "complexTypes":
			ps, err := mapPairs(v)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				ct := &cComplex{}
				fs, err := mapPairs(p[1])
				if err != nil {
					return nil, err
				}
				for _, f := range fs {
					if readBounds(f[0].Value, f[1], &ct.bounded) {
						continue
					}
					switch f[0].Value {
					case "extends":
						ct.extends = f[1].Value
					case "doc":
					case "sequence":
						for _, item := range f[1].Content {
							es, err := mapPairs(item)
							if err != nil || len(es) != 1 {
								return nil, fmt.Errorf("line %d: a sequence entry is a one-key mapping", item.Line)
							}
							ce, err := parseEntry(es[0][0].Value, es[0][1])
							if err != nil {
								return nil, fmt.Errorf("%s: %w", p[0].Value, err)
							}
							ct.seq = append(ct.seq, ce)
						}
					default:
						return nil, fmt.Errorf("complexType %s: unknown key %s", p[0].Value, f[0].Value)
					}
				}
				c.complex[p[0].Value] = ct
				c.typeOrder = append(c.typeOrder, p[0].Value)
			}
		case "elements":
			ps, err := mapPairs(v)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				var ce cElement
				if p[1].Kind == yaml.ScalarNode {
					ce.typ = p[1].Value
				} else {
					fs, _ := mapPairs(p[1])
					for _, f := range fs {
						if !readBounds(f[0].Value, f[1], &ce.bounded) && f[0].Value == "type" {
							ce.typ = f[1].Value
						}
					}
				}
				c.elements[p[0].Value] = ce
				c.elemOrder = append(c.elemOrder, p[0].Value)
			}
		case "operations":
			ps, err := mapPairs(v)
			if err != nil {
				return nil, err
			}
			for _, p := range ps {
				o := cOp{operation: operation{Name: p[0].Value}}
				fs, err := mapPairs(p[1])
				if err != nil {
					return nil, err
				}
				for _, f := range fs {
					if readBounds(f[0].Value, f[1], &o.bounded) {
						continue
					}
					switch f[0].Value {
					case "input":
						o.Input = f[1].Value
					case "output":
						o.Output = f[1].Value
					}
				}
				c.ops = append(c.ops, o)
			}
		default:
			return nil, fmt.Errorf("unknown top-level key %s", k)
		}
	}
	return c, nil
}

func parseEntry(name string, v *yaml.Node) (cEntry, error) {
	ce := cEntry{entry: entry{Name: name}}
	if v.Kind == yaml.ScalarNode {
		ce.Type, ce.Min, ce.Max = parseTypeRef(v.Value)
		return ce, nil
	}
	fs, err := mapPairs(v)
	if err != nil {
		return ce, err
	}
	explicitMin, explicitMax := -2, -2
	for _, f := range fs {
		if readBounds(f[0].Value, f[1], &ce.bounded) {
			continue
		}
		switch f[0].Value {
		case "type":
			ce.Type, ce.Min, ce.Max = parseTypeRef(f[1].Value)
		case "min":
			explicitMin, _ = strconv.Atoi(f[1].Value)
		case "max":
			if f[1].Value == "unbounded" {
				explicitMax = unbounded
			} else {
				explicitMax, _ = strconv.Atoi(f[1].Value)
			}
		case "nillable":
			ce.Nillable = f[1].Value == "true"
		case "doc":
		default:
			return ce, fmt.Errorf("%s: unknown key %s", name, f[0].Value)
		}
	}
	if explicitMin != -2 {
		ce.Min = explicitMin
	}
	if explicitMax != -2 {
		ce.Max = explicitMax
	}
	return ce, nil
}

// in reports whether version v lies within b, by position in versions.
func (b bounded) in(v string, versions []string) bool {
	i := slices.Index(versions, v)
	if b.since != "" && i < slices.Index(versions, b.since) {
		return false
	}
	if b.until != "" && i > slices.Index(versions, b.until) {
		return false
	}
	return true
}

// expand returns what the contract says version v is: its operations and
// the closure of the types they reach, in the shape extract produces.
func (c *contractFile) expand(v string) (*version, error) {
	out := &version{Name: v}
	full := &schema{Complex: map[string]*complexType{}, Simple: map[string]*simpleType{}, Elements: map[string]string{}, builtins: map[string]bool{}, anon: map[string]bool{}}
	for _, n := range c.typeOrder {
		if st := c.simple[n]; st != nil {
			if !st.in(v, c.versions) {
				continue
			}
			s := &simpleType{Name: n, Base: st.base}
			for _, x := range st.values {
				if x.in(v, c.versions) {
					s.Values = append(s.Values, x.value)
				}
			}
			full.Simple[n] = s
		} else {
			ct := c.complex[n]
			if !ct.in(v, c.versions) {
				continue
			}
			x := &complexType{Name: n, Extends: ct.extends}
			names := map[string]bool{}
			for _, e := range ct.seq {
				if e.in(v, c.versions) {
					if names[e.Name] {
						return nil, fmt.Errorf("%s: %s.%s appears twice", v, n, e.Name)
					}
					names[e.Name] = true
					x.Seq = append(x.Seq, e.entry)
				}
			}
			full.Complex[n] = x
		}
		full.Order = append(full.Order, n)
	}
	for _, n := range c.elemOrder {
		if e := c.elements[n]; e.in(v, c.versions) {
			full.Elements[n] = e.typ
			full.ElemOrd = append(full.ElemOrd, n)
		}
	}
	// Builtins: every referenced name without a definition.
	mark := func(t string) {
		if full.Complex[t] == nil && full.Simple[t] == nil {
			full.builtins[t] = true
		}
	}
	for _, ct := range full.Complex {
		for _, e := range ct.Seq {
			mark(e.Type)
		}
	}
	for _, t := range full.Elements {
		mark(t)
	}
	for _, o := range c.ops {
		if o.in(v, c.versions) {
			out.Ops = append(out.Ops, o.operation)
		}
	}
	var err error
	out.Schema, err = closure(full, out.Ops)
	return out, err
}

// compare lists every structural difference between the reference's
// in-scope closure (want) and the contract's expansion (got).
func compare(want, got *version) []string {
	var d []string
	add := func(f string, a ...any) { d = append(d, want.Name+": "+fmt.Sprintf(f, a...)) }
	if !slices.Equal(want.Ops, got.Ops) {
		add("operations differ:\n    reference %v\n    contract  %v", want.Ops, got.Ops)
	}
	w, g := want.Schema, got.Schema
	for _, n := range w.ElemOrd {
		if gt, ok := g.Elements[n]; !ok {
			add("element %s missing", n)
		} else if gt != w.Elements[n] {
			add("element %s: type %s, reference %s", n, gt, w.Elements[n])
		}
	}
	for _, n := range g.ElemOrd {
		if _, ok := w.Elements[n]; !ok {
			add("element %s is extra", n)
		}
	}
	for _, n := range w.Order {
		if ws := w.Simple[n]; ws != nil {
			gs := g.Simple[n]
			if gs == nil {
				add("simple type %s missing", n)
				continue
			}
			if gs.Base != ws.Base || !slices.Equal(gs.Values, ws.Values) {
				add("simple type %s differs:\n    reference %s %v\n    contract  %s %v", n, ws.Base, ws.Values, gs.Base, gs.Values)
			}
			continue
		}
		wc, gc := w.Complex[n], g.Complex[n]
		if gc == nil {
			add("complex type %s missing", n)
			continue
		}
		if wc.Extends != gc.Extends {
			add("complex type %s extends %q, reference %q", n, gc.Extends, wc.Extends)
		}
		if !slices.Equal(wc.Seq, gc.Seq) {
			add("complex type %s sequence differs:\n    reference %v\n    contract  %v", n, wc.Seq, gc.Seq)
		}
	}
	for _, n := range g.Order {
		if w.Complex[n] == nil && w.Simple[n] == nil {
			add("type %s is extra", n)
		}
	}
	return d
}
