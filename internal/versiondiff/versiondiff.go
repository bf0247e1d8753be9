// Package versiondiff tells a client what moving from one version of a
// contract to another changes for it: every added, removed or changed
// service, operation, element, type, cardinality, enumeration value and
// namespace, each judged breaking, needs-attention or non-breaking,
// separately for requests and responses, by one explicit list of rules
// (Rules; rendered to schemas/DIFF-RULES.md).
//
// It builds on internal/schemadiff, which finds the structural differences
// of two XSD models from an operation's root elements; this package picks
// the pairs to compare (two WSDL or XSD files, two folders matched by file
// name, or two versions of a service embedded in schemas/), adds what the
// structural walk ignores on purpose (the payload namespace, services and
// global elements present on one side only), and classifies each
// difference with its rule. REST documents are compared with oasdiff
// (github.com/oasdiff/oasdiff) and its findings mapped onto the same levels
// and sides (rest.go).
//
// FNO publishes every service version in its own namespace (seed 001 table
// 2-2 lists the versions; PRODUCT.md the URNs), so a version move always
// changes the namespace: that is reported once per service and side as
// needs-attention, not once per element, and not as breaking — the old
// version's endpoint keeps answering in the old namespace. A namespace
// change between two files of the same version is breaking.
//
// Findings are values; an error means a comparison could not run.
package versiondiff

import (
	"fmt"
	"sort"
)

// Finding is one classified change.
type Finding struct {
	Rule  string `json:"rule"`
	Level Level  `json:"level"`
	Side  Side   `json:"side"`
	// Service names the compared pair: the service, or the file name
	// both folders share.
	Service string `json:"service,omitempty"`
	// Operation is the SOAP operation, the XSD global element, or the REST
	// "METHOD /path"; empty for service-wide findings.
	Operation string `json:"operation,omitempty"`
	// Path locates the element (/root/child, as schemadiff writes it) or
	// the REST source; empty for operations and namespaces.
	Path string `json:"path,omitempty"`
	// Old and New describe each side of the change in schema terms
	// ("string, 0..1", "absent", a namespace); never message contents.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Message is the rule's message (for REST: oasdiff's text).
	Message string `json:"message"`
}

func (f Finding) String() string {
	s := fmt.Sprintf("%s %s [%s]", f.Level, f.Side, f.Rule)
	if f.Operation != "" {
		s += " " + f.Operation
	}
	if f.Path != "" {
		s += " at " + f.Path
	}
	s += ": " + f.Message
	if f.Old != "" || f.New != "" {
		s += fmt.Sprintf(" (old: %s; new: %s)", orAbsent(f.Old), orAbsent(f.New))
	}
	return s
}

func orAbsent(s string) string {
	if s == "" {
		return "absent"
	}
	return s
}

// Format names what kind of documents a pair compared.
type Format string

// Formats of compared documents.
const (
	FormatWSDL    Format = "wsdl"
	FormatXSD     Format = "xsd"
	FormatOpenAPI Format = "openapi"
	// FormatMissing: the file exists on one side only.
	FormatMissing Format = "missing"
)

// Pair is the comparison of one service (or one file name of two
// folders).
type Pair struct {
	Service string `json:"service"`
	Format  Format `json:"format"`
	// Old and New say what was compared (a path, or "embedded v6").
	Old string `json:"old"`
	New string `json:"new"`
	// Operations lists every operation (or global element, or REST
	// operation) compared, differences or not, old order first.
	Operations []string  `json:"operations"`
	Findings   []Finding `json:"findings"`
}

// Result is one run of the comparison.
type Result struct {
	Old   string `json:"old"`
	New   string `json:"new"`
	Pairs []Pair `json:"pairs"`
}

// Findings returns every finding of the result, pair by pair.
func (r Result) Findings() []Finding {
	var out []Finding
	for _, p := range r.Pairs {
		out = append(out, p.Findings...)
	}
	return out
}

// Counts returns the number of findings of each level.
func (r Result) Counts() map[Level]int {
	m := map[Level]int{}
	for _, f := range r.Findings() {
		m[f.Level]++
	}
	return m
}

// Worst returns the highest level of any finding, and false when there is
// none.
func (r Result) Worst() (Level, bool) {
	worst, any := NonBreaking, false
	for _, f := range r.Findings() {
		if !any || f.Level > worst {
			worst, any = f.Level, true
		}
	}
	return worst, any
}

// Fails reports whether some finding is at level failOn or above.
func (r Result) Fails(failOn Level) bool {
	w, any := r.Worst()
	return any && w >= failOn
}

// ForOperation returns the findings of one operation of a pair, plus the
// service-wide ones of the given side (a namespace move concerns every
// operation).
func (p Pair) ForOperation(op string, side Side) []Finding {
	var out []Finding
	for _, f := range p.Findings {
		if f.Side != side && f.Side != SideService {
			continue
		}
		if f.Operation == op || (f.Operation == "" && f.Side == side) {
			out = append(out, f)
		}
	}
	return out
}

// sortFindings orders the findings of a pair: service-wide first, then by
// operation in the pair's order, request before response, then by path.
func sortFindings(p *Pair) {
	place := map[string]int{"": -1}
	for i, op := range p.Operations {
		place[op] = i
	}
	sort.SliceStable(p.Findings, func(i, j int) bool {
		a, b := p.Findings[i], p.Findings[j]
		if place[a.Operation] != place[b.Operation] {
			return place[a.Operation] < place[b.Operation]
		}
		if a.Side != b.Side {
			return a.Side < b.Side
		}
		return false // keep schemadiff's walk order within a message
	})
}
