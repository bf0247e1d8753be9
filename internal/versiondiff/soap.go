package versiondiff

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/schemadiff"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
)

// CompareWSDL compares every operation of two WSDLs of one service, old
// side first: the union of both sides' operations, the old side's order
// first, so a removed operation is reported as well as an added one.
func CompareWSDL(service string, old, new *wsdl.Definitions, oldLabel, newLabel string) (Pair, error) {
	p := Pair{Service: service, Format: FormatWSDL, Old: oldLabel, New: newLabel}
	seen := map[string]bool{}
	for _, defs := range []*wsdl.Definitions{old, new} {
		for _, op := range defs.Operations {
			if !seen[op.Name] {
				seen[op.Name] = true
				p.Operations = append(p.Operations, op.Name)
			}
		}
	}
	if len(p.Operations) == 0 {
		return p, fmt.Errorf("%s: neither WSDL defines an operation (a WSDL without a SOAP binding?)", service)
	}
	rep, err := schemadiff.CompareDefinitions(old, new, oldLabel, newLabel, p.Operations, Classify)
	if err != nil {
		return p, err
	}
	for _, op := range rep.Operations {
		for _, d := range op.Differences {
			p.Findings = append(p.Findings, fromDifference(service, op.Name, d))
		}
	}
	p.Findings = append(p.Findings, namespaceFindings(service,
		messageNamespace(old.Operations, SideRequest), messageNamespace(new.Operations, SideRequest),
		messageNamespace(old.Operations, SideResponse), messageNamespace(new.Operations, SideResponse))...)
	sortFindings(&p)
	return p, nil
}

// fromDifference classifies one structural difference with its rule.
func fromDifference(service, op string, d schemadiff.Difference) Finding {
	r, ok := ruleFor(d)
	if !ok {
		// Rules() covers every kind, side and change (TestEveryDifferenceHasOneRule);
		// should schemadiff grow a kind first, it is reported as breaking
		// under its own name rather than dropped.
		r = Rule{ID: "SD-UNCLASSIFIED-" + strings.ToUpper(string(d.Kind)), Side: sideOf(d.Message), Level: Breaking,
			Message: "a difference no rule classifies yet (" + string(d.Kind) + ")"}
	}
	f := Finding{Rule: r.ID, Level: r.Level, Side: r.Side, Service: service, Operation: op, Message: r.Message}
	if r.Side == SideService {
		return f // operation added or removed: no path, no sides to describe
	}
	f.Path, f.Old, f.New = d.Path, d.Old, d.New
	return f
}

// messageNamespace is the namespace most request (or response) elements of
// the operations are in: FNO puts every payload of a version in one.
func messageNamespace(ops []wsdl.Operation, side Side) string {
	count := map[string]int{}
	for _, op := range ops {
		n := op.Input
		if side == SideResponse {
			n = op.Output
		}
		if n.Local != "" {
			count[n.Space]++
		}
	}
	return mostCommon(count)
}

func mostCommon(count map[string]int) string {
	best, n := "", -1
	for ns, c := range count {
		if c > n || (c == n && ns < best) {
			best, n = ns, c
		}
	}
	return best
}

// fnoNamespace recognises FNO's payload namespaces (PRODUCT.md; seed 001
// table 2-2): the family and the version number (0 for base). ManageDevice's
// base opsembedded namespace and its versioned fne ones are one family.
var versioned = regexp.MustCompile(`^urn:v([0-9]{1,2})\.(fne\.webservices\.operations|webservices\.operations|webservices\.platform)\.flexnet\.com$`)

func fnoNamespace(ns string) (family string, version int, ok bool) {
	switch ns {
	case contract.NSOperations:
		return "webservices.operations", 0, true
	case contract.NSEmbedded:
		return "fne.webservices.operations", 0, true
	case contract.NSPlatform:
		return "webservices.platform", 0, true
	}
	m := versioned.FindStringSubmatch(ns)
	if m == nil {
		return "", 0, false
	}
	n, _ := strconv.Atoi(m[1])
	return m[2], n, true
}

// versionMove reports whether old → new is a move between two versions of
// one FNO namespace family.
func versionMove(old, new string) bool {
	fa, va, okA := fnoNamespace(old)
	fb, vb, okB := fnoNamespace(new)
	return okA && okB && fa == fb && va != vb
}

// namespaceFindings reports a namespace change once per side.
func namespaceFindings(service, reqOld, reqNew, respOld, respNew string) []Finding {
	var out []Finding
	for _, s := range []struct {
		side          Side
		old, new      string
		moved, change string
	}{
		{SideRequest, reqOld, reqNew, RuleReqNamespaceVersion, RuleReqNamespaceChanged},
		{SideResponse, respOld, respNew, RuleRespNamespaceVer, RuleRespNamespaceChange},
	} {
		if s.old == s.new || s.old == "" || s.new == "" {
			continue
		}
		id := s.change
		if versionMove(s.old, s.new) {
			id = s.moved
		}
		r := ruleIndex[id]
		out = append(out, Finding{Rule: r.ID, Level: r.Level, Side: r.Side, Service: service, Old: s.old, New: s.new, Message: r.Message})
	}
	return out
}

// CompareXSD compares two plain schema documents (no operations): each
// global element both sides declare (by local name; the namespace is
// compared once, as for WSDLs) is compared as a message. Its side comes
// from its name — …Request a request, …Response a response, anything else
// both, since a plain XSD does not say which way it travels.
func CompareXSD(service string, old, new []byte, oldLabel, newLabel string) (Pair, error) {
	p := Pair{Service: service, Format: FormatXSD, Old: oldLabel, New: newLabel}
	mo, err := xsdmodel.Load(old)
	if err != nil {
		return p, fmt.Errorf("%s: %w", oldLabel, err)
	}
	mn, err := xsdmodel.Load(new)
	if err != nil {
		return p, fmt.Errorf("%s: %w", newLabel, err)
	}
	oldEls, newEls := byLocal(mo.Elements()), byLocal(mn.Elements())
	names := map[string]bool{}
	for n := range oldEls {
		names[n] = true
	}
	for n := range newEls {
		names[n] = true
	}
	for n := range names {
		p.Operations = append(p.Operations, n)
	}
	sort.Strings(p.Operations)
	nsCount := func(m map[string]xmltree.Name) string {
		c := map[string]int{}
		for _, n := range m {
			c[n.Space]++
		}
		return mostCommon(c)
	}
	for _, name := range p.Operations {
		a, inOld := oldEls[name]
		b, inNew := newEls[name]
		for _, side := range messageSides(name) {
			switch {
			case !inNew:
				id := RuleReqMessageRemoved
				if side == SideResponse {
					id = RuleRespMessageRemoved
				}
				p.Findings = append(p.Findings, ruleFinding(id, service, name))
				continue
			case !inOld:
				id := RuleReqMessageAdded
				if side == SideResponse {
					id = RuleRespMessageAdded
				}
				p.Findings = append(p.Findings, ruleFinding(id, service, name))
				continue
			}
			msg := schemadiff.Request
			if side == SideResponse {
				msg = schemadiff.Response
			}
			ds, err := schemadiff.Compare(schemadiff.Side{Model: mo, Root: a}, schemadiff.Side{Model: mn, Root: b},
				schemadiff.Options{Message: msg, Classify: Classify})
			if err != nil {
				return p, fmt.Errorf("element %s: %w", name, err)
			}
			for _, d := range ds {
				p.Findings = append(p.Findings, fromDifference(service, name, d))
			}
		}
	}
	nsOld, nsNew := nsCount(oldEls), nsCount(newEls)
	p.Findings = append(p.Findings, namespaceFindings(service, nsOld, nsNew, nsOld, nsNew)...)
	sortFindings(&p)
	return p, nil
}

func byLocal(names []xmltree.Name) map[string]xmltree.Name {
	m := make(map[string]xmltree.Name, len(names))
	for _, n := range names {
		if _, dup := m[n.Local]; !dup {
			m[n.Local] = n
		}
	}
	return m
}

// messageSides guesses which way a global element travels from its name.
func messageSides(name string) []Side {
	switch {
	case strings.HasSuffix(name, "Request"):
		return []Side{SideRequest}
	case strings.HasSuffix(name, "Response"):
		return []Side{SideResponse}
	}
	return []Side{SideRequest, SideResponse}
}

func ruleFinding(id, service, op string) Finding {
	r := ruleIndex[id]
	return Finding{Rule: r.ID, Level: r.Level, Side: r.Side, Service: service, Operation: op, Message: r.Message}
}
