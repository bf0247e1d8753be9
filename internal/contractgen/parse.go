package contractgen

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fnokit/fnokit/internal/contract"
)

// maxSourceBytes bounds a contract source: the largest FNO service is a few
// hundred types, far below this.
const maxSourceBytes = 8 << 20

// ParseFile reads and checks one contract.yaml.
func ParseFile(path string) (*Contract, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read contract source: %w", err)
	}
	return Parse(path, data)
}

// Parse checks a contract source held in memory; file names it in errors.
// On any problem it returns Errors listing all of them, each with its line
// and what to change; a nil error means every version generates.
func Parse(file string, data []byte) (*Contract, error) {
	if len(data) > maxSourceBytes {
		return nil, Errors{{File: file, Msg: fmt.Sprintf("larger than %d bytes: is this really a contract source?", maxSourceBytes)}}
	}
	p := &parser{file: file, c: &Contract{File: file}}
	root, err := p.document(data)
	if err != nil {
		return nil, err
	}
	p.contract(root)
	if len(p.errs) == 0 {
		p.check()
	}
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *Error) int { return a.Line - b.Line })
		return nil, p.errs
	}
	return p.c, nil
}

type parser struct {
	file       string
	c          *Contract
	errs       Errors
	familyLine int // where family is set (or service, when it is not), for checkFamily
}

func (p *parser) errf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document decodes the YAML into a node tree: the node tree keeps lines and
// key order, which typed decoding would lose.
func (p *parser) document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(quoteFlowOptional(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Errors{{File: p.file, Msg: "the file is empty: a contract needs at least service, versions and operations"}}
		}
		e := &Error{File: p.file, Msg: "not valid YAML: " + strings.TrimPrefix(err.Error(), "yaml: ")}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Msg = "not valid YAML: " + m[2]
		}
		return nil, Errors{e}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, Errors{{File: p.file, Line: extra.Line, Msg: "more than one YAML document: a contract source is one document (remove the ---)"}}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, Errors{{File: p.file, Msg: "not a YAML document"}}
	}
	return doc.Content[0], nil
}

// flowOptional is a type with the ? suffix as a value in a flow mapping:
// {type: string?, since: v2}. YAML allows that plain scalar, but the YAML
// library stops at "?," and "?}", so the format's own examples would fail.
var flowOptional = regexp.MustCompile(`([{,]\s*[A-Za-z_][\w.\-]*\s*:\s+)([A-Za-z_][\w.\-]*\?)(\s*[,}])`)

// quoteFlowOptional quotes such values ({type: "string?", …}); it keeps
// every line where it was, so error lines stay right.
func quoteFlowOptional(data []byte) []byte {
	for range 8 { // matches share their delimiters: repeat until stable
		next := flowOptional.ReplaceAll(data, []byte(`$1"$2"$3`))
		if bytes.Equal(next, data) {
			break
		}
		data = next
	}
	return data
}

// deref follows YAML aliases, so anchors can share a sequence or a mapping.
func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "single value"
	}
	return "YAML node"
}

type pair struct{ key, val *yaml.Node }

// pairs returns a mapping's entries in file order. With known set, any
// other key is an error (strict decoding: a typo must not pass silently).
func (p *parser) pairs(n *yaml.Node, what string, known ...string) []pair {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.errf(n, "%s must be a mapping (key: value), not a %s", what, kindName(n))
		return nil
	}
	seen := map[string]int{}
	var out []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.errf(k, "%s: keys must be plain names", what)
			continue
		}
		if k.Value == "<<" {
			p.errf(k, "%s: YAML merge keys (<<) are not supported: write the keys out", what)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			p.errf(k, "%s: %q is given twice (first at line %d): keep one", what, k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		if known != nil && !slices.Contains(known, k.Value) {
			p.errf(k, "%s: unknown key %q%s; known keys: %s", what, k.Value, suggest(k.Value, known), strings.Join(known, ", "))
			continue
		}
		out = append(out, pair{k, v})
	}
	return out
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null" && (n.Value == "" || n.Value == "~" || n.Value == "null")
}

// scalar returns a single value as written (no YAML 1.1 yes/no games: an
// enumeration value NO stays "NO").
func (p *parser) scalar(n *yaml.Node, what string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode {
		p.errf(n, "%s must be a single value, not a %s", what, kindName(n))
		return "", false
	}
	if isNull(n) {
		return "", true
	}
	return n.Value, true
}

// name returns a scalar that must be an XML name (NCName).
func (p *parser) name(n *yaml.Node, what string) (string, bool) {
	s, ok := p.scalar(n, what)
	if !ok {
		return "", false
	}
	if !isNCName(s) {
		p.errf(n, "%s %q is not an XML name: use letters, digits, _ . - and start with a letter or _", what, s)
		return "", false
	}
	return s, true
}

var ncName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)

func isNCName(s string) bool { return ncName.MatchString(s) }

func (p *parser) sequence(n *yaml.Node, what string) []*yaml.Node {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errf(n, "%s must be a list, not a %s", what, kindName(n))
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out
}

// versionName accepts exactly "base" or "vN" (N ≥ 1, no leading zero): the
// folder names and the form the rest of the file uses.
func versionName(s string) (contract.Version, bool) {
	if s == "base" {
		return contract.Base, true
	}
	if len(s) < 2 || s[0] != 'v' || s[1] == '0' {
		return "", false
	}
	n, err := strconv.Atoi(s[1:])
	if err != nil || n < 1 || n > 99 {
		return "", false
	}
	return contract.Version(s), true
}

var topKeys = []string{"service", "family", "namespace", "versions", "doc", "changes",
	"portType", "serviceName", "namesWithoutSlashSince", "simpleTypes", "complexTypes", "elements", "operations"}

func (p *parser) contract(root *yaml.Node) {
	top := map[string]pair{}
	for _, kv := range p.pairs(root, "contract", topKeys...) {
		top[kv.key.Value] = kv
	}
	if root.Kind != yaml.MappingNode {
		return
	}
	c := p.c
	if kv, ok := top["service"]; ok {
		c.Service, _ = p.name(kv.val, "service")
	} else {
		p.errf(root, "service is missing: name the service as in its endpoint, e.g. service: ManageDeviceService")
	}
	c.Family = FamilyOperations
	if kv, ok := top["service"]; ok {
		p.familyLine = kv.key.Line
	}
	if kv, ok := top["family"]; ok {
		p.familyLine = kv.key.Line
		if s, ok := p.scalar(kv.val, "family"); ok {
			switch s {
			case FamilyOperations, FamilyFNE, FamilyPlatform, FamilyCustom:
				c.Family = s
			default:
				p.errf(kv.val, "family %q is unknown%s: use operations, fne, platform or custom", s,
					suggest(s, []string{FamilyOperations, FamilyFNE, FamilyPlatform, FamilyCustom}))
			}
		}
	}
	if kv, ok := top["namespace"]; ok {
		c.Namespace, _ = p.scalar(kv.val, "namespace")
		if c.Family != FamilyCustom {
			p.errf(kv.key, "namespace is only for family: custom; the %s family fixes the namespace", c.Family)
		}
	}
	if kv, ok := top["versions"]; ok {
		p.versions(kv.val)
	} else {
		p.errf(root, "versions is missing: list the published versions in order, e.g. versions: [base, v1, v2]")
	}
	if c.Family == FamilyCustom {
		p.customNamespace(root, top)
	}
	if kv, ok := top["doc"]; ok {
		c.Doc, _ = p.scalar(kv.val, "doc")
	}
	if kv, ok := top["portType"]; ok {
		c.PortType, _ = p.name(kv.val, "portType")
	}
	if kv, ok := top["serviceName"]; ok {
		c.ServiceName, _ = p.name(kv.val, "serviceName")
	}
	if len(c.Versions) == 0 {
		return // every since/until below needs the version list
	}
	if kv, ok := top["namesWithoutSlashSince"]; ok {
		if i, ok := p.version(kv.val, "namesWithoutSlashSince"); ok {
			if c.Versions[i] == contract.Base {
				p.errf(kv.val, "namesWithoutSlashSince: base names have no version prefix; name the first vN whose names omit the /")
			} else {
				c.NoSlashSince = c.Versions[i]
			}
		}
	}
	if kv, ok := top["changes"]; ok {
		p.changes(kv.val)
	}
	if kv, ok := top["simpleTypes"]; ok {
		for _, t := range p.pairs(kv.val, "simpleTypes") {
			p.simpleType(t)
		}
	}
	if kv, ok := top["complexTypes"]; ok {
		for _, t := range p.pairs(kv.val, "complexTypes") {
			p.complexType(t)
		}
	}
	if kv, ok := top["elements"]; ok {
		for _, e := range p.pairs(kv.val, "elements") {
			p.element(e)
		}
	}
	if kv, ok := top["operations"]; ok {
		for _, o := range p.pairs(kv.val, "operations") {
			p.operation(o)
		}
	}
	if len(c.Operations) == 0 && len(p.errs) == 0 {
		p.errf(root, "no operations: a contract describes at least one operation")
	}
}

func (p *parser) versions(n *yaml.Node) {
	items := p.sequence(n, "versions")
	if len(items) == 0 && deref(n).Kind == yaml.SequenceNode {
		p.errf(n, "versions is empty: list at least one version, e.g. [base]")
	}
	var good []contract.Version
	for _, it := range items {
		s, ok := p.scalar(it, "a version")
		if !ok {
			return
		}
		v, ok := versionName(s)
		if !ok {
			p.errf(it, "version %q is not a version name: write base, v1, v2, … (lower-case v, no leading zero)", s)
			return
		}
		if len(good) > 0 && v.Number() <= good[len(good)-1].Number() {
			p.errf(it, "versions must be listed once each, oldest first: %s comes after %s", v, good[len(good)-1])
			return
		}
		good = append(good, v)
	}
	p.c.Versions = good
}

func (p *parser) customNamespace(root *yaml.Node, top map[string]pair) {
	c := p.c
	kv, ok := top["namespace"]
	if !ok {
		p.errf(root, "family: custom needs namespace, a template such as urn:example:{v} ({v} → base, v1 …; {n} → 0, 1 …)")
		return
	}
	if c.Namespace == "" {
		p.errf(kv.val, "namespace is empty: give a URI template such as urn:example:{v}")
		return
	}
	if len(c.Versions) > 1 && !strings.Contains(c.Namespace, "{v}") && !strings.Contains(c.Namespace, "{n}") {
		p.errf(kv.val, "namespace has neither {v} nor {n}, so all %d versions would share one namespace: add {v} or {n}", len(c.Versions))
	}
	rest := strings.NewReplacer("{v}", "", "{n}", "").Replace(c.Namespace)
	if strings.ContainsAny(rest, "{} \t\n") {
		p.errf(kv.val, "namespace template may only use {v} and {n}, and no spaces")
	}
}

// version parses a since/until value into its index in the version list.
func (p *parser) version(n *yaml.Node, key string) (int, bool) {
	s, ok := p.scalar(n, key)
	if !ok {
		return 0, false
	}
	v, ok := versionName(s)
	if !ok {
		p.errf(n, "%s %q is not a version name: write base, v1, v2, …", key, s)
		return 0, false
	}
	i := p.c.VersionIndex(v)
	if i < 0 {
		p.errf(n, "%s %s is not one of the versions (%s): add it to versions or pick a listed one", key, v, p.versionList())
		return 0, false
	}
	return i, true
}

func (p *parser) versionList() string {
	names := make([]string, len(p.c.Versions))
	for i, v := range p.c.Versions {
		names[i] = v.String()
	}
	return strings.Join(names, ", ")
}

// span reads the since/until pair of an entry's mapping (either may be nil).
func (p *parser) span(what string, since, until *yaml.Node) Span {
	s := Span{From: 0, To: len(p.c.Versions) - 1}
	okS, okU := true, true
	if since != nil {
		s.From, okS = p.version(since, what+": since")
	}
	if until != nil {
		s.To, okU = p.version(until, what+": until")
	}
	if !okS || !okU {
		return Span{From: 0, To: len(p.c.Versions) - 1}
	}
	if s.From > s.To {
		at := since
		if at == nil {
			at = until
		}
		p.errf(at, "%s: since %s is after until %s: it would exist in no version; swap them or fix one",
			what, p.c.Versions[s.From], p.c.Versions[s.To])
		return Span{From: 0, To: len(p.c.Versions) - 1}
	}
	return s
}

func (p *parser) changes(n *yaml.Node) {
	for _, kv := range p.pairs(n, "changes") {
		i, ok := p.version(kv.key, "changes key")
		if !ok {
			continue
		}
		var text []string
		switch v := deref(kv.val); v.Kind {
		case yaml.SequenceNode:
			for _, it := range p.sequence(v, "changes of "+kv.key.Value) {
				if s, ok := p.scalar(it, "a change"); ok {
					text = append(text, strings.TrimSpace(s))
				}
			}
		default:
			if s, ok := p.scalar(v, "changes of "+kv.key.Value); ok {
				text = append(text, strings.TrimSpace(s))
			}
		}
		p.c.Changes = append(p.c.Changes, Change{Version: p.c.Versions[i], Text: text})
	}
	slices.SortStableFunc(p.c.Changes, func(a, b Change) int { return a.Version.Number() - b.Version.Number() })
}

// fields indexes a mapping's pairs by key.
func fields(ps []pair) map[string]*yaml.Node {
	m := make(map[string]*yaml.Node, len(ps))
	for _, kv := range ps {
		m[kv.key.Value] = kv.val
	}
	return m
}

func (p *parser) doc(f map[string]*yaml.Node, what string) string {
	if n, ok := f["doc"]; ok {
		s, _ := p.scalar(n, what+" doc")
		return strings.TrimSpace(s)
	}
	return ""
}

var simpleKeys = []string{"doc", "since", "until", "base", "values", "minLength", "maxLength", "pattern", "minInclusive", "maxInclusive"}

func (p *parser) simpleType(kv pair) {
	name, ok := p.name(kv.key, "simple type name")
	if !ok {
		return
	}
	what := "simple type " + name
	f := fields(p.pairs(kv.val, what, simpleKeys...))
	t := &SimpleType{Name: name, Base: "NMTOKEN", line: kv.key.Line, Doc: p.doc(f, what), Span: p.span(what, f["since"], f["until"])}
	if n, ok := f["base"]; ok {
		if b, ok := p.scalar(n, what+" base"); ok {
			b = strings.TrimPrefix(b, "xsd:")
			if !IsBuiltin(b) {
				p.errf(n, "%s: base %q is not an XSD builtin type: a simple type restricts a builtin such as string, NMTOKEN, int%s",
					what, b, suggest(b, builtinNames()))
			} else {
				t.Base = b
			}
		}
	}
	if n, ok := f["values"]; ok {
		for _, it := range p.sequence(n, what+" values") {
			p.enumValue(t, it)
		}
	}
	for _, facet := range []string{"minLength", "maxLength", "pattern", "minInclusive", "maxInclusive"} {
		n, ok := f[facet]
		if !ok {
			continue
		}
		s, ok := p.scalar(n, what+" "+facet)
		if !ok {
			continue
		}
		if facet == "minLength" || facet == "maxLength" {
			if k, err := strconv.Atoi(s); err != nil || k < 0 {
				p.errf(n, "%s: %s must be a whole number ≥ 0", what, facet)
				continue
			}
		}
		if s == "" {
			p.errf(n, "%s: %s is empty", what, facet)
			continue
		}
		t.Facets = append(t.Facets, Facet{Name: facet, Value: s})
	}
	p.c.SimpleTypes = append(p.c.SimpleTypes, t)
}

func (p *parser) enumValue(t *SimpleType, n *yaml.Node) {
	what := "simple type " + t.Name + " value"
	ev := &EnumValue{line: n.Line, Span: Span{0, len(p.c.Versions) - 1}}
	if n.Kind == yaml.MappingNode {
		f := fields(p.pairs(n, what, "value", "since", "until", "doc"))
		v, ok := f["value"]
		if !ok {
			p.errf(n, "%s: the long form needs value: {value: X, since: v5}", what)
			return
		}
		if ev.Value, ok = p.scalar(v, what); !ok {
			return
		}
		ev.Span = p.span(what, f["since"], f["until"])
		ev.Doc = p.doc(f, what)
	} else {
		s, ok := p.scalar(n, what)
		if !ok {
			return
		}
		ev.Value = s
	}
	t.Values = append(t.Values, ev)
}

var complexKeys = []string{"doc", "extends", "open", "since", "until", "sequence"}

func (p *parser) complexType(kv pair) {
	name, ok := p.name(kv.key, "complex type name")
	if !ok {
		return
	}
	what := "complex type " + name
	f := fields(p.pairs(kv.val, what, complexKeys...))
	t := &ComplexType{Name: name, line: kv.key.Line, Doc: p.doc(f, what), Span: p.span(what, f["since"], f["until"])}
	if n, ok := f["extends"]; ok {
		t.Extends, _ = p.typeName(n, what+" extends")
	}
	if n, ok := f["open"]; ok {
		t.Open, _ = p.boolean(n, what+": open")
		t.openLine = n.Line
	}
	if n, ok := f["sequence"]; ok {
		for _, it := range p.sequence(n, what+" sequence") {
			p.entry(t, it)
		}
	}
	p.c.ComplexTypes = append(p.c.ComplexTypes, t)
}

// boolean reads true or false (nothing else: yes/no/on are YAML 1.1 games).
func (p *parser) boolean(n *yaml.Node, what string) (bool, bool) {
	s, ok := p.scalar(n, what)
	if !ok {
		return false, false
	}
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	p.errf(n, "%s must be true or false", what)
	return false, false
}

// typeName reads a reference to a type (no occurrence suffix).
func (p *parser) typeName(n *yaml.Node, what string) (string, bool) {
	s, ok := p.scalar(n, what)
	if !ok {
		return "", false
	}
	s = strings.TrimSpace(s)
	if pre, local, found := strings.Cut(s, ":"); found {
		p.errf(n, "%s: write the type without a prefix (%s, not %s:%s): builtins and our types are told apart by name", what, local, pre, local)
		return "", false
	}
	if !isNCName(s) {
		p.errf(n, "%s: %q is not a type name", what, s)
		return "", false
	}
	return s, true
}

// typeSpec reads "Type", "Type?", "Type*" or "Type+".
func (p *parser) typeSpec(n *yaml.Node, what string) (name string, lo, hi int, suffixed, ok bool) {
	s, ok := p.scalar(n, what)
	if !ok {
		return "", 0, 0, false, false
	}
	s = strings.TrimSpace(s)
	lo, hi = 1, 1
	if s != "" {
		switch s[len(s)-1] {
		case '?':
			lo, hi, suffixed = 0, 1, true
		case '*':
			lo, hi, suffixed = 0, Unbounded, true
		case '+':
			lo, hi, suffixed = 1, Unbounded, true
		}
	}
	if suffixed {
		s = strings.TrimSpace(s[:len(s)-1])
	}
	if s == "" {
		p.errf(n, "%s: the type is missing", what)
		return "", 0, 0, false, false
	}
	if pre, local, found := strings.Cut(s, ":"); found {
		p.errf(n, "%s: write the type without a prefix (%s, not %s:%s): builtins and our types are told apart by name", what, local, pre, local)
		return "", 0, 0, false, false
	}
	if !isNCName(s) {
		p.errf(n, "%s: %q is not a type name; a type may end in ? (optional), * (any number) or + (at least one)", what, s)
		return "", 0, 0, false, false
	}
	return s, lo, hi, suffixed, true
}

var entryKeys = []string{"type", "min", "max", "nillable", "since", "until", "doc"}

func (p *parser) entry(t *ComplexType, n *yaml.Node) {
	what := "complex type " + t.Name + " sequence"
	if n.Kind != yaml.MappingNode {
		p.errf(n, "%s: each entry is one element written - name: Type (or - name: {type: Type, …}), not a %s", what, kindName(n))
		return
	}
	ps := p.pairs(n, what+" entry")
	if len(ps) != 1 {
		p.errf(n, "%s: each entry is one element (- name: Type); this one has %d keys: is a '- ' missing, or an indentation off?", what, len(ps))
		return
	}
	name, ok := p.name(ps[0].key, what+" element name")
	if !ok {
		return
	}
	what = "complex type " + t.Name + " element " + name
	e := &Entry{Name: name, line: ps[0].key.Line, Span: Span{0, len(p.c.Versions) - 1}}
	v := ps[0].val
	if v.Kind != yaml.MappingNode {
		typ, lo, hi, _, ok := p.typeSpec(v, what)
		if !ok {
			return
		}
		e.Type, e.Min, e.Max = typ, lo, hi
		t.Sequence = append(t.Sequence, e)
		return
	}
	f := fields(p.pairs(v, what, entryKeys...))
	tn, ok := f["type"]
	if !ok {
		p.errf(v, "%s: the long form needs type: {type: string?, since: v2}", what)
		return
	}
	typ, lo, hi, suffixed, ok := p.typeSpec(tn, what)
	if !ok {
		return
	}
	e.Type, e.Min, e.Max = typ, lo, hi
	if mn, ok := f["min"]; ok {
		if suffixed {
			p.errf(mn, "%s: give either a ?, * or + after the type or min/max, not both", what)
		} else if s, ok := p.scalar(mn, what+" min"); ok {
			if k, err := strconv.Atoi(s); err != nil || k < 0 {
				p.errf(mn, "%s: min must be a whole number ≥ 0", what)
			} else {
				e.Min = k
			}
		}
	}
	if mx, ok := f["max"]; ok {
		if suffixed {
			p.errf(mx, "%s: give either a ?, * or + after the type or min/max, not both", what)
		} else if s, ok := p.scalar(mx, what+" max"); ok {
			if s == "unbounded" {
				e.Max = Unbounded
			} else if k, err := strconv.Atoi(s); err != nil || k < 1 {
				p.errf(mx, "%s: max must be a whole number ≥ 1 or unbounded", what)
			} else {
				e.Max = k
			}
		}
	}
	if e.Max != Unbounded && e.Min > e.Max {
		p.errf(v, "%s: min %d is larger than max %d", what, e.Min, e.Max)
	}
	if nl, ok := f["nillable"]; ok {
		e.Nillable, _ = p.boolean(nl, what+": nillable")
	}
	e.Span = p.span(what, f["since"], f["until"])
	e.Doc = p.doc(f, what)
	t.Sequence = append(t.Sequence, e)
}

func (p *parser) element(kv pair) {
	name, ok := p.name(kv.key, "element name")
	if !ok {
		return
	}
	what := "element " + name
	el := &Element{Name: name, line: kv.key.Line, Span: Span{0, len(p.c.Versions) - 1}}
	if kv.val.Kind == yaml.MappingNode {
		f := fields(p.pairs(kv.val, what, "type", "since", "until", "doc"))
		tn, ok := f["type"]
		if !ok {
			p.errf(kv.val, "%s: the long form needs type: {type: fooType, since: v3}", what)
			return
		}
		if el.Type, ok = p.typeName(tn, what+" type"); !ok {
			return
		}
		el.Span = p.span(what, f["since"], f["until"])
		el.Doc = p.doc(f, what)
	} else if el.Type, ok = p.typeName(kv.val, what+" type"); !ok {
		return
	}
	p.c.Elements = append(p.c.Elements, el)
}

func (p *parser) operation(kv pair) {
	name, ok := p.name(kv.key, "operation name")
	if !ok {
		return
	}
	what := "operation " + name
	f := fields(p.pairs(kv.val, what, "input", "output", "since", "until", "doc"))
	if kv.val.Kind != yaml.MappingNode {
		return
	}
	op := &Operation{Name: name, line: kv.key.Line, Doc: p.doc(f, what), Span: p.span(what, f["since"], f["until"])}
	for _, io := range []struct {
		key string
		dst *string
	}{{"input", &op.Input}, {"output", &op.Output}} {
		n, ok := f[io.key]
		if !ok {
			p.errf(kv.val, "%s: %s is missing: name the global element of the %s message", what, io.key, io.key)
			continue
		}
		*io.dst, _ = p.name(n, what+" "+io.key)
	}
	if op.Input == "" || op.Output == "" {
		return
	}
	p.c.Operations = append(p.c.Operations, op)
}

func builtinNames() []string {
	out := make([]string, 0, len(builtins))
	for n := range builtins {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
