package golden

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fnokit/fnokit/internal/xmltree"
)

// Action says what a normalisation rule does to the nodes it selects.
type Action string

// Actions.
const (
	// Ignore removes the node, so its presence and value do not matter.
	Ignore Action = "ignore"
	// Mask replaces the node's value with the placeholder: the node must
	// still be there, but its value may change.
	Mask Action = "mask"
	// Keep cancels an earlier rule with the same selector for a narrower
	// scope (a service, version or operation), so a built-in default can
	// be switched off where the value is stable and worth comparing.
	Keep Action = "keep"
)

// DefaultPlaceholder replaces masked values.
const DefaultPlaceholder = "~masked~"

// Rule selects nodes by XPath (XML) or JSON Pointer (JSON) and says what to
// do with them. Exactly one of XPath and Pointer is set.
type Rule struct {
	// XPath is a local-name path: /a/b, //b, /a/*/c, //a//c, and an
	// optional final attribute step /@attr. Prefixes are not allowed:
	// matching is by local name, so any prefix would be misleading.
	XPath string `yaml:"xpath,omitempty" json:"xpath,omitempty"`
	// Pointer is a JSON Pointer (RFC 6901) where a "*" segment matches any
	// key or array index and a "**" segment matches any number of levels.
	Pointer string `yaml:"pointer,omitempty" json:"pointer,omitempty"`
	// Action is ignore, mask or keep.
	Action Action `yaml:"action" json:"action"`
	// Why says why the field is volatile; required, so every exception to
	// the comparison is explained where it is declared.
	Why string `yaml:"why" json:"why"`
}

func (r Rule) selector() string {
	if r.XPath != "" {
		return "xpath:" + r.XPath
	}
	return "pointer:" + r.Pointer
}

// RulesFile is the shape of golden/normalize.yaml (JSON works too: it is
// read with a YAML parser).
type RulesFile struct {
	// Builtins switches the built-in defaults (BuiltinRules) on or off;
	// on when absent.
	Builtins *bool `yaml:"builtins,omitempty"`
	// Placeholder replaces masked values; DefaultPlaceholder when empty.
	Placeholder string `yaml:"placeholder,omitempty"`
	// Defaults apply to every case.
	Defaults []Rule `yaml:"defaults,omitempty"`
	// Services apply to cases whose scope matches the map key: "Service",
	// "Service/version" or "Service/version/operation". Narrower scopes
	// apply after wider ones.
	Services map[string][]Rule `yaml:"services,omitempty"`
}

// Rules is a compiled rules file.
type Rules struct {
	builtins    bool
	placeholder string
	defaults    []compiled
	scoped      map[string][]compiled
}

type compiled struct {
	Rule
	xpath   *xpath
	pointer []string
}

// BuiltinRules are the volatile fields every comparison masks unless a
// rules file turns them off. They are masked, not ignored: the element
// must still be there, only its value may change between two runs of the
// same request. The reasons are in golden/README.md as well.
func BuiltinRules() []Rule {
	var out []Rule
	add := func(why string, names ...string) {
		for _, n := range names {
			out = append(out,
				Rule{XPath: "//" + n, Action: Mask, Why: why},
				Rule{Pointer: "/**/" + n, Action: Mask, Why: why})
		}
	}
	add("audit timestamp set by FNO when the record is created; records a suite creates get a new one every run",
		"createdOn", "createdOnDateTime", "creationDate", "createdDate", "dateCreated")
	add("audit timestamp set by FNO whenever the record changes",
		"lastModified", "lastModifiedDate", "lastModifiedDateTime", "dateLastModified", "lastUpdateTime", "updateTime")
	add("device heartbeat time: changes whenever the device or its server syncs",
		"lastSyncTime", "lastRequestTime")
	add("time the response was produced (registry and callout messages)",
		"timestamp")
	add("licence text and files are regenerated at each fulfilment and carry issue dates and signatures (SIGN=)",
		"licenseText", "licenseFile", "signature")
	out = append(out, Rule{Pointer: "/**/requestID", Action: Mask,
		Why: "Data Access API paging cursor, new for every query"})
	return out
}

// DefaultRules returns the built-in defaults only.
func DefaultRules() *Rules {
	r, err := compileFile(RulesFile{})
	if err != nil {
		panic("golden: built-in rules do not compile: " + err.Error())
	}
	return r
}

// LoadRules reads a rules file; a missing file yields DefaultRules.
func LoadRules(path string) (*Rules, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return DefaultRules(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read normalisation rules: %w", err)
	}
	r, err := ParseRules(data)
	if err != nil {
		return nil, fmt.Errorf("normalisation rules %s: %w", path, err)
	}
	return r, nil
}

// ParseRules compiles a YAML or JSON rules file. Unknown fields are errors,
// so a misspelt key cannot silently disable a rule.
func ParseRules(data []byte) (*Rules, error) {
	var f RulesFile
	d := yaml.NewDecoder(bytes.NewReader(data))
	d.KnownFields(true)
	if err := d.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse: %w (see golden/README.md for the format)", err)
	}
	return compileFile(f)
}

func compileFile(f RulesFile) (*Rules, error) {
	r := &Rules{builtins: f.Builtins == nil || *f.Builtins, placeholder: f.Placeholder, scoped: map[string][]compiled{}}
	if r.placeholder == "" {
		r.placeholder = DefaultPlaceholder
	}
	var err error
	if r.builtins {
		if r.defaults, err = compileRules("builtin", BuiltinRules()); err != nil {
			return nil, err
		}
	}
	own, err := compileRules("defaults", f.Defaults)
	if err != nil {
		return nil, err
	}
	r.defaults = append(r.defaults, own...)
	for scope, rs := range f.Services {
		parts := strings.Split(scope, "/")
		if len(parts) > 3 {
			return nil, fmt.Errorf("services: scope %q has more than service/version/operation", scope)
		}
		for _, p := range parts {
			if err := checkComponent(p); err != nil {
				return nil, fmt.Errorf("services: scope %q: component %w", scope, err)
			}
		}
		c, err := compileRules("services."+scope, rs)
		if err != nil {
			return nil, err
		}
		r.scoped[scope] = c
	}
	return r, nil
}

func compileRules(where string, rs []Rule) ([]compiled, error) {
	out := make([]compiled, 0, len(rs))
	for i, r := range rs {
		c := compiled{Rule: r}
		switch r.Action {
		case Ignore, Mask, Keep:
		default:
			return nil, fmt.Errorf("%s[%d]: action %q is not ignore, mask or keep", where, i, r.Action)
		}
		if strings.TrimSpace(r.Why) == "" {
			return nil, fmt.Errorf("%s[%d]: give a reason in 'why' for every rule", where, i)
		}
		var err error
		switch {
		case r.XPath != "" && r.Pointer != "":
			return nil, fmt.Errorf("%s[%d]: set either xpath or pointer, not both", where, i)
		case r.XPath != "":
			c.xpath, err = compileXPath(r.XPath)
		case r.Pointer != "":
			c.pointer, err = compilePointer(r.Pointer)
		default:
			return nil, fmt.Errorf("%s[%d]: set xpath (XML) or pointer (JSON)", where, i)
		}
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", where, i, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// For returns the rules that apply to a case, in order: built-ins,
// defaults, then service, service/version and service/version/operation
// scopes. A keep rule removes the earlier rules with the same selector.
func (r *Rules) For(k Key) []Rule {
	var out []Rule
	for _, c := range r.effective(k) {
		out = append(out, c.Rule)
	}
	return out
}

func (r *Rules) effective(k Key) []compiled {
	all := append([]compiled(nil), r.defaults...)
	for _, scope := range []string{k.Service, k.Service + "/" + k.Version, k.Service + "/" + k.Version + "/" + k.Operation} {
		all = append(all, r.scoped[scope]...)
	}
	var out []compiled
	for _, c := range all {
		if c.Action == Keep {
			sel := c.selector()
			kept := out[:0]
			for _, o := range out {
				if o.selector() != sel {
					kept = append(kept, o)
				}
			}
			out = kept
			continue
		}
		out = append(out, c)
	}
	return out
}

// ---- XPath subset ----

type xstep struct {
	desc bool   // preceded by //
	name string // local name or "*"
}

type xpath struct {
	steps []xstep
	attr  string // final @attr step, "" for none; "*" for any attribute
	abs   bool   // starts with a single /
}

const maxSteps = 32

func compileXPath(s string) (*xpath, error) {
	if !strings.HasPrefix(s, "/") {
		return nil, fmt.Errorf("xpath %q must start with / or //", s)
	}
	x := &xpath{abs: !strings.HasPrefix(s, "//")}
	rest := s
	for rest != "" {
		desc := false
		switch {
		case strings.HasPrefix(rest, "//"):
			desc, rest = true, rest[2:]
		case strings.HasPrefix(rest, "/"):
			rest = rest[1:]
		default:
			return nil, fmt.Errorf("xpath %q: expected / between steps", s)
		}
		name := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			name, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		if strings.HasPrefix(name, "@") {
			if rest != "" || desc {
				return nil, fmt.Errorf("xpath %q: an @attribute step must be the last and follow a single /", s)
			}
			if len(x.steps) == 0 {
				return nil, fmt.Errorf("xpath %q: an @attribute step needs an element step before it", s)
			}
			x.attr = name[1:]
			if err := checkXName(s, x.attr); err != nil {
				return nil, err
			}
			break
		}
		if err := checkXName(s, name); err != nil {
			return nil, err
		}
		x.steps = append(x.steps, xstep{desc: desc, name: name})
		if len(x.steps) > maxSteps {
			return nil, fmt.Errorf("xpath %q has more than %d steps", s, maxSteps)
		}
	}
	if len(x.steps) == 0 {
		return nil, fmt.Errorf("xpath %q selects nothing", s)
	}
	return x, nil
}

func checkXName(path, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("xpath %q has an empty step", path)
	case name == "*":
		return nil
	case strings.Contains(name, ":"):
		return fmt.Errorf("xpath %q: step %q has a prefix; steps match local names, drop the prefix", path, name)
	case strings.ContainsAny(name, "[]()=@ \t'\""):
		return fmt.Errorf("xpath %q: step %q uses XPath syntax beyond local names, // and *", path, name)
	}
	return nil
}

// match reports whether the chain of local names (outermost first) is
// selected by the element steps.
func (x *xpath) match(chain []string) bool {
	return matchSteps(x.steps, chain)
}

func matchSteps(steps []xstep, chain []string) bool {
	if len(steps) == 0 {
		return len(chain) == 0
	}
	s := steps[0]
	if s.desc {
		for j := 0; j < len(chain); j++ {
			if (s.name == "*" || s.name == chain[j]) && matchSteps(steps[1:], chain[j+1:]) {
				return true
			}
		}
		return false
	}
	return len(chain) > 0 && (s.name == "*" || s.name == chain[0]) && matchSteps(steps[1:], chain[1:])
}

// soapEnvelopes are the SOAP 1.1 and 1.2 envelope namespaces.
var soapEnvelopes = map[string]bool{
	"http://schemas.xmlsoap.org/soap/envelope/": true,
	"http://www.w3.org/2003/05/soap-envelope":   true,
}

// NormalizeXML applies the rules to a copy of the tree. Absolute paths are
// tried from the document root and, for a SOAP envelope, also from the
// payload element inside Body, so /searchDevicesResponse/... works on a
// whole envelope.
func (r *Rules) NormalizeXML(k Key, root *xmltree.Node) *xmltree.Node {
	return normalizeXML(r.effective(k), r.placeholder, root)
}

func normalizeXML(rules []compiled, placeholder string, root *xmltree.Node) *xmltree.Node {
	n := root.Clone()
	var xr []compiled
	for _, c := range rules {
		if c.xpath != nil {
			xr = append(xr, c)
		}
	}
	if len(xr) == 0 || n == nil {
		return n
	}
	envelope := n.Name.Local == "Envelope" && soapEnvelopes[n.Name.Space]
	var visit func(node *xmltree.Node, chain []string)
	apply := func(node *xmltree.Node, chain []string) (remove bool) {
		inBody := envelope && len(chain) >= 3 && chain[1] == "Body"
		matches := func(x *xpath) bool {
			if x.match(chain) {
				return true
			}
			return x.abs && inBody && x.match(chain[2:])
		}
		for _, c := range xr {
			if !matches(c.xpath) {
				continue
			}
			if c.xpath.attr != "" {
				attrs := node.Attrs[:0]
				for _, a := range node.Attrs {
					if c.xpath.attr == "*" || a.Name.Local == c.xpath.attr {
						if c.Action == Mask {
							a.Value = placeholder
						} else {
							continue
						}
					}
					attrs = append(attrs, a)
				}
				node.Attrs = attrs
				continue
			}
			if c.Action == Ignore && len(chain) > 1 {
				return true
			}
			node.Text = placeholder
			node.Children = nil
		}
		return false
	}
	visit = func(node *xmltree.Node, chain []string) {
		kids := node.Children[:0]
		for _, ch := range node.Children {
			cc := append(chain[:len(chain):len(chain)], ch.Name.Local)
			if apply(ch, cc) {
				continue
			}
			visit(ch, cc)
			kids = append(kids, ch)
		}
		node.Children = kids
	}
	rootChain := []string{n.Name.Local}
	apply(n, rootChain)
	visit(n, rootChain)
	return n
}

// ---- JSON Pointer with wildcards ----

func compilePointer(s string) ([]string, error) {
	if !strings.HasPrefix(s, "/") {
		return nil, fmt.Errorf("pointer %q must start with /", s)
	}
	raw := strings.Split(s[1:], "/")
	if len(raw) > maxSteps {
		return nil, fmt.Errorf("pointer %q has more than %d segments", s, maxSteps)
	}
	out := make([]string, len(raw))
	for i, seg := range raw {
		// RFC 6901: ~1 is '/', ~0 is '~'; any other ~ escape is invalid.
		for j := 0; j < len(seg); j++ {
			if seg[j] == '~' && (j+1 >= len(seg) || seg[j+1] != '0' && seg[j+1] != '1') {
				return nil, fmt.Errorf("pointer %q: '~' must be followed by 0 or 1", s)
			}
		}
		out[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
	}
	if out[len(out)-1] == "**" {
		return nil, fmt.Errorf("pointer %q: ** must be followed by a segment", s)
	}
	return out, nil
}

func matchPointer(pat, path []string) bool {
	if len(pat) == 0 {
		return len(path) == 0
	}
	if pat[0] == "**" {
		for j := 0; j <= len(path); j++ {
			if matchPointer(pat[1:], path[j:]) {
				return true
			}
		}
		return false
	}
	return len(path) > 0 && (pat[0] == "*" || pat[0] == path[0]) && matchPointer(pat[1:], path[1:])
}

// NormalizeJSON applies the rules to a decoded JSON value (as produced by
// a json.Decoder with UseNumber) and returns the normalised copy.
func (r *Rules) NormalizeJSON(k Key, v any) any {
	return normalizeJSON(r.effective(k), r.placeholder, v)
}

func normalizeJSON(rules []compiled, placeholder string, v any) any {
	var jr []compiled
	for _, c := range rules {
		if c.pointer != nil {
			jr = append(jr, c)
		}
	}
	// decide returns the action for a path, if any: ignore wins over mask.
	decide := func(path []string) Action {
		act := Action("")
		for _, c := range jr {
			if matchPointer(c.pointer, path) {
				if c.Action == Ignore {
					return Ignore
				}
				act = c.Action
			}
		}
		return act
	}
	var walk func(v any, path []string) any
	walk = func(v any, path []string) any {
		switch t := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(t))
			for key, val := range t {
				p := append(path[:len(path):len(path)], key)
				switch decide(p) {
				case Ignore:
					continue
				case Mask:
					out[key] = placeholder
				default:
					out[key] = walk(val, p)
				}
			}
			return out
		case []any:
			out := make([]any, 0, len(t))
			for i, val := range t {
				p := append(path[:len(path):len(path)], strconv.Itoa(i))
				switch decide(p) {
				case Ignore:
					continue
				case Mask:
					out = append(out, placeholder)
				default:
					out = append(out, walk(val, p))
				}
			}
			return out
		}
		return v
	}
	if len(jr) == 0 {
		return v
	}
	return walk(v, nil)
}
