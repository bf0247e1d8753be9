package versiondiff

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/contractgen"
	"github.com/fnokit/fnokit/internal/sharedref"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
	"github.com/fnokit/fnokit/schemas"
)

// expectation is one change a contract's since/until markings promise
// between two consecutive versions, and what finding shows it.
type expectation struct {
	what      string // for messages: "ManageDeviceService v7: operation zeroCountAddonLineItems added"
	operation string
	side      Side
	path      string   // "" for operation-level expectations
	rules     []string // acceptable rules; nil: any rule at the path
	old, new  string   // when set, the finding's Old (New) must equal it (enumeration values)
	below     bool     // a finding below path shows it too (a type replaced: its children differ)
}

// met reports whether a finding of the pair shows the expectation, and
// whether it does so directly (not through a change of an ancestor).
func (e expectation) met(p Pair) (ok, direct bool) {
	for _, f := range p.Findings {
		if f.Operation != e.operation {
			continue
		}
		if e.path == "" {
			if slices.Contains(e.rules, f.Rule) {
				return true, true
			}
			continue
		}
		if f.Side != e.side {
			continue
		}
		if e.below && strings.HasPrefix(f.Path, e.path+"/") {
			return true, true
		}
		if f.Path == e.path && (e.rules == nil || slices.Contains(e.rules, f.Rule)) &&
			(e.old == "" || f.Old == e.old) && (e.new == "" || f.New == e.new) {
			return true, true
		}
		// A change of an ancestor (an element added or removed above,
		// another content) hides what is below it: the walk stops there.
		if f.Path != e.path && strings.HasPrefix(e.path, f.Path+"/") && ancestorRule(f.Rule) {
			ok = true
		}
	}
	return ok, false
}

func ancestorRule(id string) bool {
	for _, s := range []string{"ELEMENT-REQUIRED-ADDED", "ELEMENT-OPTIONAL-ADDED", "ELEMENT-REMOVED", "CONTENT-CHANGED", "ROOT-ELEMENT-CHANGED"} {
		if strings.HasSuffix(id, s) {
			return true
		}
	}
	return false
}

// sameShape reports whether two sequence entries, a in version i and b in
// version j, accept the same instances: same cardinality, and types of the
// same shape (the contract sources, not the WSDLs: an independent view).
func sameShape(c *contractgen.Contract, a *contractgen.Entry, i int, b *contractgen.Entry, j int) bool {
	if a.Min != b.Min || a.Max != b.Max || a.Nillable != b.Nillable {
		return false
	}
	return sameType(c, a.Type, i, b.Type, j, map[[2]string]bool{})
}

func sameType(c *contractgen.Contract, a string, i int, b string, j int, seen map[[2]string]bool) bool {
	if contractgen.IsBuiltin(a) || contractgen.IsBuiltin(b) {
		return a == b
	}
	if seen[[2]string{a, b}] {
		return true
	}
	seen[[2]string{a, b}] = true
	if sa, sb := simpleAt(c, a, i), simpleAt(c, b, j); sa != nil || sb != nil {
		if sa == nil || sb == nil || sa.Base != sb.Base || fmt.Sprint(sa.Facets) != fmt.Sprint(sb.Facets) {
			return false
		}
		return slices.Equal(valuesAt(sa, i), valuesAt(sb, j))
	}
	ca, cb := complexAt(c, a, i), complexAt(c, b, j)
	if ca == nil || cb == nil || ca.Open != cb.Open {
		return false
	}
	ea, eb := entriesAt(c, ca, i), entriesAt(c, cb, j)
	if len(ea) != len(eb) {
		return false
	}
	for k := range ea {
		if ea[k].Name != eb[k].Name || ea[k].Min != eb[k].Min || ea[k].Max != eb[k].Max || ea[k].Nillable != eb[k].Nillable ||
			!sameType(c, ea[k].Type, i, eb[k].Type, j, seen) {
			return false
		}
	}
	return true
}

// entriesAt flattens a complex type's sequence in version i, inherited
// entries first.
func entriesAt(c *contractgen.Contract, t *contractgen.ComplexType, i int) []*contractgen.Entry {
	var out []*contractgen.Entry
	if t.Extends != "" {
		if base := complexAt(c, t.Extends, i); base != nil && base != t {
			out = entriesAt(c, base, i)
		}
	}
	for _, e := range t.Sequence {
		if e.Span.Has(i) {
			out = append(out, e)
		}
	}
	return out
}

func valuesAt(t *contractgen.SimpleType, i int) []string {
	var out []string
	for _, v := range t.Values {
		if v.Span.Has(i) {
			out = append(out, v.Value)
		}
	}
	return out
}

// typeAt returns the definition of a complex (simple) type a version has.
func complexAt(c *contractgen.Contract, name string, i int) *contractgen.ComplexType {
	for _, t := range c.ComplexTypes {
		if t.Name == name && t.Span.Has(i) {
			return t
		}
	}
	return nil
}

func simpleAt(c *contractgen.Contract, name string, i int) *contractgen.SimpleType {
	for _, t := range c.SimpleTypes {
		if t.Name == name && t.Span.Has(i) {
			return t
		}
	}
	return nil
}

// site is an element of a message, with the path schemadiff gives it.
type site struct {
	operation string
	side      Side
	path      string
	decl      *xsdmodel.Decl
}

// sites walks every message of the operations both versions define, as
// schemadiff walks it (same path segments, a complex type not entered
// again below itself).
func sites(m *xsdmodel.Model, ops []wsdl.Operation, common map[string]bool) []site {
	var out []site
	for _, op := range ops {
		if !common[op.Name] {
			continue
		}
		for _, msg := range []struct {
			side Side
			root xmltree.Name
		}{{SideRequest, op.Input}, {SideResponse, op.Output}} {
			d, ok := m.Element(msg.root.Space, msg.root.Local)
			if !ok {
				continue
			}
			onPath := map[*xsdmodel.ComplexType]bool{}
			var walk func(path string, d *xsdmodel.Decl)
			walk = func(path string, d *xsdmodel.Decl) {
				out = append(out, site{op.Name, msg.side, path, d})
				ct := d.ComplexType()
				if ct == nil || onPath[ct] {
					return
				}
				onPath[ct] = true
				defer delete(onPath, ct)
				seen := map[string]int{}
				for _, k := range ct.Children() {
					seen[k.Name.Local]++
					seg := k.Name.Local
					if n := seen[k.Name.Local]; n > 1 {
						seg += "[" + strconv.Itoa(n) + "]"
					}
					walk(path+"/"+seg, k)
				}
			}
			walk("/"+d.Name.Local, d)
		}
	}
	return out
}

// hasType reports whether an element's complex type is name or extends it.
func hasType(d *xsdmodel.Decl, name string) bool {
	for ct := d.ComplexType(); ct != nil; ct = ct.BaseType {
		if ct.Name.Local == name {
			return true
		}
		if ct.Derivation != xsdmodel.Extension {
			break
		}
	}
	return false
}

func hasSimpleType(d *xsdmodel.Decl, name string) bool {
	st := d.SimpleType()
	return st != nil && st.Name.Local == name
}

// expectations derives, from a contract's since/until markings, every
// change between versions i-1 and i that a client can see, placed at the
// paths where the two generated WSDLs use the changed type.
func expectations(c *contractgen.Contract, i int, oldM, newM *xsdmodel.Model, oldOps, newOps []wsdl.Operation) []expectation {
	from, to := c.Versions[i-1], c.Versions[i]
	label := fmt.Sprintf("%s %s→%s", c.Service, from, to)
	var out []expectation
	for _, op := range c.Operations {
		switch {
		case op.Span.From == i:
			out = append(out, expectation{what: label + ": operation " + op.Name + " added", operation: op.Name, rules: []string{RuleOperationAdded}})
		case op.Span.To == i-1:
			out = append(out, expectation{what: label + ": operation " + op.Name + " removed", operation: op.Name, rules: []string{RuleOperationRemoved}})
		}
	}
	common := map[string]bool{}
	for _, a := range oldOps {
		for _, b := range newOps {
			if a.Name == b.Name {
				common[a.Name] = true
			}
		}
	}
	oldSites, newSites := sites(oldM, oldOps, common), sites(newM, newOps, common)
	// An expectation holds at a place both versions have, with the changed
	// type on both sides; elsewhere the change shows as something else (an
	// element added above it, another type), which other expectations or
	// the diff's own tests cover.
	key := func(s site) string { return s.operation + "|" + s.side.String() + "|" + s.path }
	oldAt, newAt := map[string]*xsdmodel.Decl{}, map[string]*xsdmodel.Decl{}
	for _, s := range oldSites {
		oldAt[key(s)] = s.decl
	}
	for _, s := range newSites {
		newAt[key(s)] = s.decl
	}
	other := func(s site, goes bool) *xsdmodel.Decl {
		if goes {
			return newAt[key(s)]
		}
		return oldAt[key(s)]
	}
	added := map[string][]string{"request": {"SD-REQ-ELEMENT-REQUIRED-ADDED", "SD-REQ-ELEMENT-OPTIONAL-ADDED"},
		"response": {"SD-RESP-ELEMENT-REQUIRED-ADDED", "SD-RESP-ELEMENT-OPTIONAL-ADDED"}}
	removed := map[string][]string{"request": {"SD-REQ-ELEMENT-REMOVED"}, "response": {"SD-RESP-ELEMENT-REMOVED"}}
	for _, t := range c.ComplexTypes {
		if !t.Span.Has(i) || !t.Span.Has(i-1) {
			continue // a type new or gone in version i shows through the entries that use it
		}
		for _, e := range t.Sequence {
			appears, goes := e.Span.From == i, e.Span.To == i-1
			if !appears && !goes {
				continue
			}
			// An entry replaced by another of the same name (another type
			// or cardinality) is a change at that path or below, of
			// whatever kind — unless both have the same shape, which no
			// instance can tell apart (a type renamed).
			var twin *contractgen.Entry
			for _, o := range t.Sequence {
				if o != e && o.Name == e.Name && ((appears && o.Span.Has(i-1)) || (goes && o.Span.Has(i))) {
					twin = o
				}
			}
			if twin != nil && (appears || sameShape(c, e, i-1, twin, i)) {
				continue // reported once, from the entry that goes
			}
			ss, verb, want := newSites, "added", added
			if goes {
				ss, verb, want = oldSites, "removed", removed
			}
			for _, s := range ss {
				if !hasType(s.decl, t.Name) {
					continue
				}
				if o := other(s, goes); o == nil || !hasType(o, t.Name) {
					continue
				}
				x := expectation{what: fmt.Sprintf("%s: %s.%s %s (%s %s)", label, t.Name, e.Name, verb, s.operation, s.side),
					operation: s.operation, side: s.side, path: s.path + "/" + e.Name, rules: want[s.side.String()]}
				if twin != nil {
					x.what, x.rules, x.below = fmt.Sprintf("%s: %s.%s changed (%s %s)", label, t.Name, e.Name, s.operation, s.side), nil, true
				}
				out = append(out, x)
			}
		}
	}
	for _, t := range c.SimpleTypes {
		if !t.Span.Has(i) || !t.Span.Has(i-1) {
			continue
		}
		for _, v := range t.Values {
			appears, goes := v.Span.From == i, v.Span.To == i-1
			if !appears && !goes {
				continue
			}
			ss, rule, verb := newSites, "ENUM-VALUE-ADDED", "added"
			if goes {
				ss, rule, verb = oldSites, "ENUM-VALUE-REMOVED", "removed"
			}
			for _, s := range ss {
				if !hasSimpleType(s.decl, t.Name) {
					continue
				}
				if o := other(s, goes); o == nil || !hasSimpleType(o, t.Name) {
					continue
				}
				prefix := "SD-REQ-"
				if s.side == SideResponse {
					prefix = "SD-RESP-"
				}
				x := expectation{what: fmt.Sprintf("%s: %s=%s %s (%s %s)", label, t.Name, v.Value, verb, s.operation, s.side),
					operation: s.operation, side: s.side, path: s.path, rules: []string{prefix + rule}}
				if appears {
					x.new = v.Value
				} else {
					x.old = v.Value
				}
				out = append(out, x)
			}
		}
	}
	return out
}

func loadEmbedded(t *testing.T, service string, v contract.Version) (*wsdl.Definitions, *xsdmodel.Model) {
	t.Helper()
	data, err := schemas.WSDL(service, v.String())
	if err != nil {
		t.Fatal(err)
	}
	d, err := wsdl.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := xsdmodel.LoadWSDL(d)
	if err != nil {
		t.Fatal(err)
	}
	return d, m
}

// TestContractChangesAppear walks every consecutive version pair of every
// SOAP service and checks that each change the contract sources mark with
// since/until (operations, sequence entries, enumeration values) is
// reported at every place the WSDLs use it, with a rule of the right kind
// and side, and that the namespace move is reported once per side. The
// changes: entries are prose; the markings are their machine-readable form
// (a change entry without markings documents no visible schema change, such
// as EntitlementOrder v4 or a type renamed to one of the same shape).
func TestContractChangesAppear(t *testing.T) {
	t.Parallel()
	cs, err := contractgen.Contracts(filepath.Join("..", "..", "schemas", "soap"))
	if err != nil {
		t.Fatal(err)
	}
	total, direct := 0, 0
	for _, c := range cs {
		for i := 1; i < len(c.Versions); i++ {
			from, to := c.Versions[i-1], c.Versions[i]
			r, err := CompareEmbedded(c.Service, from.String(), to.String())
			if err != nil {
				t.Errorf("%s %s→%s: %v", c.Service, from, to, err)
				continue
			}
			oldD, oldM := loadEmbedded(t, c.Service, from)
			newD, newM := loadEmbedded(t, c.Service, to)
			xs := expectations(c, i, oldM, newM, oldD.Operations, newD.Operations)
			if c.TargetNamespace(from) != c.TargetNamespace(to) {
				for _, id := range []string{RuleReqNamespaceVersion, RuleRespNamespaceVer} {
					xs = append(xs, expectation{what: fmt.Sprintf("%s %s→%s: namespace moved", c.Service, from, to), rules: []string{id}})
				}
			}
			shown := 0
			for _, x := range xs {
				ok, d := x.met(r.Pairs[0])
				if !ok {
					t.Errorf("not reported: %s at %s (want %v)", x.what, x.path, x.rules)
				}
				if d {
					shown++
				}
			}
			total += len(xs)
			direct += shown
		}
	}
	if total == 0 || direct == 0 {
		t.Fatalf("no expectation derived (%d) or met directly (%d): the derivation is broken", total, direct)
	}
	t.Logf("%d expectations from since/until markings, %d met directly", total, direct)
}

// TestManageDeviceV7 pins the one change of ManageDevice v7 (seed 002
// L13-81) and the namespace move, with their levels: the client's view
// of the 2025 R1 upgrade.
func TestManageDeviceV7(t *testing.T) {
	t.Parallel()
	r, err := CompareEmbedded("ManageDeviceService", "v6", "v7")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Level{}
	for _, f := range r.Findings() {
		got[f.Rule+" "+f.Operation] = f.Level
	}
	want := map[string]Level{
		"SD-OP-ADDED zeroCountAddonLineItems": NonBreaking,
		"SD-REQ-NAMESPACE-VERSION ":           NeedsAttention,
		"SD-RESP-NAMESPACE-VERSION ":          NeedsAttention,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings\n got %v\nwant %v", got, want)
	}
	if r.Fails(Breaking) || !r.Fails(NeedsAttention) {
		t.Errorf("v6→v7 must not break and must need attention (namespace)")
	}
}

// TestReferenceVersions compares the vendor's reference WSDL folders
// version by version (base→v1→v2→v3), as a user would compare two pulled
// folders: every service on both sides is compared, the namespace move is
// reported for each, a service on one side only is added or removed, and
// every change our contract sources mark for the in-scope operations shows
// in the vendor's WSDLs too, at the same places.
func TestReferenceVersions(t *testing.T) {
	t.Parallel()
	dir := sharedref.WSDLDir()
	if dir == "" {
		t.Skip("../shared/reference/fno-wsdl not present; set FNOKIT_SHARED to run this test")
	}
	cs, err := contractgen.Contracts(filepath.Join("..", "..", "schemas", "soap"))
	if err != nil {
		t.Fatal(err)
	}
	versions := []contract.Version{contract.Base, "v1", "v2", "v3"}
	checked := 0
	for k := 1; k < len(versions); k++ {
		from, to := versions[k-1], versions[k]
		oldDir, newDir := filepath.Join(dir, from.String()), filepath.Join(dir, to.String())
		r, err := ComparePaths(oldDir, newDir)
		if err != nil {
			t.Fatalf("%s→%s: %v", from, to, err)
		}
		for _, p := range r.Pairs {
			_, errOld := os.Stat(filepath.Join(oldDir, p.Service+".wsdl"))
			_, errNew := os.Stat(filepath.Join(newDir, p.Service+".wsdl"))
			rules := map[string]bool{}
			for _, f := range p.Findings {
				rules[f.Rule] = true
			}
			switch {
			case errOld != nil && !rules[RuleServiceAdded], errNew != nil && !rules[RuleServiceRemoved]:
				t.Errorf("%s→%s %s: a service on one side only must be added or removed: %v", from, to, p.Service, rules)
			case errOld == nil && errNew == nil && (!rules[RuleReqNamespaceVersion] || !rules[RuleRespNamespaceVer]):
				t.Errorf("%s→%s %s: the namespace move is not reported", from, to, p.Service)
			}
			if errOld != nil || errNew != nil {
				continue
			}
			for _, c := range cs {
				i := c.VersionIndex(to)
				if c.Service != p.Service || i < 1 || c.Versions[i-1] != from {
					continue
				}
				oldD, oldM := loadFile(t, filepath.Join(oldDir, p.Service+".wsdl"))
				newD, newM := loadFile(t, filepath.Join(newDir, p.Service+".wsdl"))
				ours := map[string]bool{}
				for _, op := range c.Operations {
					if op.Span.Has(i) && op.Span.Has(i-1) {
						ours[op.Name] = true
					}
				}
				for _, x := range expectations(c, i, oldM, newM, inScope(oldD.Operations, ours), inScope(newD.Operations, ours)) {
					if x.path == "" {
						continue // our operation spans are not the vendor's (in-scope operations only)
					}
					checked++
					if ok, _ := x.met(p); !ok {
						t.Errorf("reference %s: not reported: %s at %s", p.Service, x.what, x.path)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no contract marking checked against the reference WSDLs")
	}
	t.Logf("%d contract markings found in the reference diffs", checked)
}

func inScope(ops []wsdl.Operation, keep map[string]bool) []wsdl.Operation {
	var out []wsdl.Operation
	for _, op := range ops {
		if keep[op.Name] {
			out = append(out, op)
		}
	}
	return out
}

func loadFile(t *testing.T, path string) (*wsdl.Definitions, *xsdmodel.Model) {
	t.Helper()
	d, err := wsdl.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := xsdmodel.LoadWSDL(d)
	if err != nil {
		t.Fatal(err)
	}
	return d, m
}
