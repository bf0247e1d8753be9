package main

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var plain = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_./-]*[?*+]?$`)

// yamlWords are plain scalars some YAML readers take for booleans or null.
var yamlWords = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true, "null": true}

// q writes s as a YAML scalar, quoting only when a reader could take it for
// something other than a string.
func q(s string) string {
	if plain.MatchString(s) && !yamlWords[strings.ToLower(s)] {
		return s
	}
	return strconv.Quote(s)
}

// occurs returns the compact suffix for min/max, or ok=false when the pair
// needs the explicit form.
func occurs(min, max int) (string, bool) {
	switch {
	case min == 1 && max == 1:
		return "", true
	case min == 0 && max == 1:
		return "?", true
	case min == 0 && max == unbounded:
		return "*", true
	case min == 1 && max == unbounded:
		return "+", true
	}
	return "", false
}

// flow writes a flow mapping. A plain scalar ending in "?" is quoted there:
// go.yaml.in/yaml/v3 (like libyaml) rejects `{type: string?}`.
func flow(kv ...string) string {
	var parts []string
	for i := 0; i < len(kv); i += 2 {
		if v := kv[i+1]; v != "" {
			if strings.HasSuffix(v, "?") && !strings.HasPrefix(v, `"`) {
				v = strconv.Quote(v)
			}
			parts = append(parts, kv[i]+": "+v)
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func block(b *bytes.Buffer, indent, key, text string) {
	text = strings.TrimRight(text, "\n")
	if !strings.Contains(text, "\n") && len(text) < 90 {
		fmt.Fprintf(b, "%s%s: %s\n", indent, key, strconv.Quote(text))
		return
	}
	fmt.Fprintf(b, "%s%s: |\n", indent, key)
	for _, l := range strings.Split(text, "\n") {
		if l == "" {
			b.WriteString("\n")
			continue
		}
		fmt.Fprintf(b, "%s  %s\n", indent, l)
	}
}

// render writes the merged service as contract.yaml.
func render(svc *serviceSpec, m *merged, changes map[string]string) []byte {
	var b bytes.Buffer
	all := allPresent(len(m.Versions))
	fmt.Fprintf(&b, "# %s: the contract source the generator turns into <version>/%s.wsdl.\n", svc.Name, svc.Name)
	b.WriteString("# base–" + m.Versions[len(m.Versions)-1] + " were bootstrapped by `go run ./internal/contractgen/bootstrap` from the\n")
	b.WriteString("# vendor's published WSDLs (structure only, in-scope operations only) and are\n")
	b.WriteString("# hand-maintained from then on; `-check` re-verifies them against the references.\n")
	fmt.Fprintf(&b, "service: %s\n", svc.Name)
	fmt.Fprintf(&b, "family: %s\n", svc.Family)
	fmt.Fprintf(&b, "versions: [%s]\n", strings.Join(m.Versions, ", "))
	block(&b, "", "doc", svc.Doc)
	if len(changes) > 0 {
		b.WriteString("changes:\n")
		for _, v := range m.Versions {
			if c, ok := changes[v]; ok {
				block(&b, "  ", v, c)
			}
		}
	}
	var simples, complexes []string
	for _, n := range m.Types {
		if m.Simple[n] != nil {
			simples = append(simples, n)
		} else {
			complexes = append(complexes, n)
		}
	}
	if len(simples) > 0 {
		b.WriteString("simpleTypes:\n")
	}
	for _, n := range simples {
		s := m.Simple[n]
		fmt.Fprintf(&b, "  %s:\n", q(n))
		if s.Base != "NMTOKEN" {
			fmt.Fprintf(&b, "    base: %s\n", q(s.Base))
		}
		writeRange(&b, "    ", s.pres, all, m.Versions)
		var items []string
		for _, v := range s.Values {
			since, until, ok := bounds(v.pres, s.pres, m.Versions)
			if !ok {
				panic("value with a hole: " + n + "." + v.Value)
			}
			if since == "" && until == "" {
				items = append(items, q(v.Value))
			} else {
				items = append(items, flow("value", q(v.Value), "since", since, "until", until))
			}
		}
		line := "    values: ["
		for i, it := range items {
			if i > 0 {
				line += ","
				if len(line)+len(it) > 96 {
					b.WriteString(line + "\n")
					line = "      "
				} else {
					line += " "
				}
			}
			line += it
		}
		b.WriteString(line + "]\n")
	}
	if len(complexes) > 0 {
		b.WriteString("complexTypes:\n")
	}
	for _, n := range complexes {
		c := m.Complex[n]
		fmt.Fprintf(&b, "  %s:\n", q(n))
		if d := svc.TypeDocs[n]; d != "" {
			block(&b, "    ", "doc", d)
		}
		if c.Extends != "" {
			fmt.Fprintf(&b, "    extends: %s\n", q(c.Extends))
		}
		writeRange(&b, "    ", c.pres, all, m.Versions)
		if len(c.Seq) == 0 {
			b.WriteString("    sequence: []\n")
			continue
		}
		b.WriteString("    sequence:\n")
		for _, e := range c.Seq {
			since, until, ok := bounds(e.pres, c.pres, m.Versions)
			if !ok {
				panic("entry with a hole: " + n + "." + e.Name)
			}
			suf, compact := occurs(e.Min, e.Max)
			if compact && since == "" && until == "" && !e.Nillable {
				fmt.Fprintf(&b, "      - %s: %s\n", q(e.Name), q(e.Type+suf))
				continue
			}
			var kv []string
			if compact {
				kv = append(kv, "type", q(e.Type+suf))
			} else {
				max := strconv.Itoa(e.Max)
				if e.Max == unbounded {
					max = "unbounded"
				}
				kv = append(kv, "type", q(e.Type), "min", strconv.Itoa(e.Min), "max", max)
			}
			if e.Nillable {
				kv = append(kv, "nillable", "true")
			}
			kv = append(kv, "since", since, "until", until)
			fmt.Fprintf(&b, "      - %s: %s\n", q(e.Name), flow(kv...))
		}
	}
	b.WriteString("elements:\n")
	for _, e := range m.Elements {
		since, until, ok := bounds(e.pres, all, m.Versions)
		if !ok {
			panic("element with a hole: " + e.Name)
		}
		if since == "" && until == "" {
			fmt.Fprintf(&b, "  %s: %s\n", q(e.Name), q(e.Type))
		} else {
			fmt.Fprintf(&b, "  %s: %s\n", q(e.Name), flow("type", q(e.Type), "since", since, "until", until))
		}
	}
	b.WriteString("operations:\n")
	for _, o := range m.Ops {
		since, until, ok := bounds(o.pres, all, m.Versions)
		if !ok {
			panic("operation with a hole: " + o.Name)
		}
		fmt.Fprintf(&b, "  %s: %s\n", q(o.Name), flow("input", q(o.Input), "output", q(o.Output), "since", since, "until", until, "doc", quoteIf(svc.OpDocs[o.Name])))
	}
	return b.Bytes()
}

func quoteIf(s string) string {
	if s == "" {
		return ""
	}
	return strconv.Quote(s)
}

// writeRange writes a type's since/until when its presence is one run; a
// type with a hole gets none (the generator writes only reachable types, so
// the bounds would only be documentation).
func writeRange(b *bytes.Buffer, indent string, p, all presence, versions []string) {
	since, until, ok := bounds(p, all, versions)
	if !ok {
		return
	}
	if since != "" {
		fmt.Fprintf(b, "%ssince: %s\n", indent, since)
	}
	if until != "" {
		fmt.Fprintf(b, "%suntil: %s\n", indent, until)
	}
}

// derivedChanges lists, per version after the first, what the merge says
// that version added, removed or changed, for the changes: section.
func derivedChanges(m *merged) map[string][]string {
	out := map[string][]string{}
	for vi := 1; vi < len(m.Versions); vi++ {
		v := m.Versions[vi]
		var add, rem, chg, opsAdd, opsRem, typesNew, typesGone []string
		for _, o := range m.Ops {
			switch {
			case o.pres[vi] && !o.pres[vi-1]:
				opsAdd = append(opsAdd, o.Name)
			case !o.pres[vi] && o.pres[vi-1]:
				opsRem = append(opsRem, o.Name)
			}
		}
		for _, n := range m.Types {
			var p presence
			if c := m.Complex[n]; c != nil {
				p = c.pres
			} else {
				p = m.Simple[n].pres
			}
			switch {
			case p[vi] && !p[vi-1]:
				typesNew = append(typesNew, n)
			case !p[vi] && p[vi-1]:
				typesGone = append(typesGone, n)
			}
			if !p[vi] || !p[vi-1] {
				continue
			}
			if c := m.Complex[n]; c != nil {
				a, r := map[string]bool{}, map[string]bool{}
				for _, e := range c.Seq {
					if e.pres[vi] && !e.pres[vi-1] {
						a[e.Name] = true
					}
					if !e.pres[vi] && e.pres[vi-1] {
						r[e.Name] = true
					}
				}
				for _, e := range c.Seq {
					switch {
					case a[e.Name] && r[e.Name] && e.pres[vi]:
						chg = append(chg, n+"."+e.Name)
					case a[e.Name] && !r[e.Name]:
						add = append(add, n+"."+e.Name)
					case r[e.Name] && !a[e.Name]:
						rem = append(rem, n+"."+e.Name)
					}
				}
			} else {
				for _, x := range m.Simple[n].Values {
					if x.pres[vi] && !x.pres[vi-1] {
						add = append(add, n+"="+x.Value)
					}
					if !x.pres[vi] && x.pres[vi-1] {
						rem = append(rem, n+"="+x.Value)
					}
				}
			}
		}
		var lines []string
		put := func(label string, xs []string) {
			if len(xs) > 0 {
				sort.Strings(xs)
				lines = append(lines, label+": "+strings.Join(xs, ", "))
			}
		}
		put("operations added", opsAdd)
		put("operations removed", opsRem)
		put("types new in the in-scope closure", typesNew)
		put("types no longer in the closure", typesGone)
		put("elements/values added", add)
		put("elements/values removed", rem)
		put("elements whose type or cardinality changed", chg)
		out[v] = lines
	}
	return out
}
