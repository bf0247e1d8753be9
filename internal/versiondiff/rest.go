package versiondiff

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// RESTRule is one oasdiff rule as this package maps it: our ID, the level
// and side oasdiff's level and direction give.
type RESTRule struct {
	ID        string // SD-REST-…
	OasdiffID string
	Level     Level
	Side      Side
}

// RESTRuleID is our ID of an oasdiff rule: the prefix and its ID in upper
// case (response-property-removed → SD-REST-RESPONSE-PROPERTY-REMOVED).
func RESTRuleID(oasdiffID string) string { return RESTPrefix + strings.ToUpper(oasdiffID) }

// levelOf maps oasdiff's levels, which judge from the client's point of
// view as our rules do: ERR breaks clients, WARN may, INFO does not.
func levelOf(l checker.Level) Level {
	switch {
	case l >= checker.ERR:
		return Breaking
	case l >= checker.WARN:
		return NeedsAttention
	}
	return NonBreaking
}

func sideOfDirection(d checker.Direction) Side {
	switch d {
	case checker.DirectionRequest:
		return SideRequest
	case checker.DirectionResponse:
		return SideResponse
	}
	return SideService
}

// restRules indexes oasdiff's registry once.
var restRules = sync.OnceValue(func() map[string]RESTRule {
	m := map[string]RESTRule{}
	for _, r := range checker.GetAllRules() {
		m[r.Id] = RESTRule{ID: RESTRuleID(r.Id), OasdiffID: r.Id, Level: levelOf(r.Level), Side: sideOfDirection(r.Direction)}
	}
	return m
})

// RESTRules lists every oasdiff rule with our ID, level and side, sorted by
// ID; the rules document lists them.
func RESTRules() []RESTRule {
	var out []RESTRule
	for _, r := range restRules() {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// CompareOpenAPI compares two OpenAPI documents with oasdiff: every check
// of its registry at every level (INFO included, so added endpoints are
// listed as non-breaking). External references are not followed: our
// documents are self-contained, and a diff must not reach the network.
func CompareOpenAPI(name string, old, new []byte, oldLabel, newLabel string) (Pair, error) {
	p := Pair{Service: name, Format: FormatOpenAPI, Old: oldLabel, New: newLabel}
	load1 := func(data []byte, label string) (*load.SpecInfo, error) {
		loader := openapi3.NewLoader()
		loader.IsExternalRefsAllowed = false
		s, err := load.NewSpecInfoFromData(loader, data, label)
		if err != nil {
			return nil, fmt.Errorf("%s: load OpenAPI: %w", label, err)
		}
		return s, nil
	}
	s1, err := load1(old, oldLabel)
	if err != nil {
		return p, err
	}
	s2, err := load1(new, newLabel)
	if err != nil {
		return p, err
	}
	d, osm, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(), s1, s2)
	if err != nil {
		return p, fmt.Errorf("%s: oasdiff: %w", name, err)
	}
	seen := map[string]bool{}
	for _, s := range []*openapi3.T{s1.Spec, s2.Spec} {
		for _, op := range operationsOf(s) {
			if !seen[op] {
				seen[op] = true
				p.Operations = append(p.Operations, op)
			}
		}
	}
	sort.Strings(p.Operations)
	changes := checker.CheckBackwardCompatibilityUntilLevel(checker.NewConfig(checker.GetAllChecks()), d, osm, checker.INFO)
	loc := checker.NewDefaultLocalizer()
	index := restRules()
	for _, c := range changes {
		r, ok := index[c.GetId()]
		if !ok {
			r = RESTRule{ID: RESTRuleID(c.GetId()), OasdiffID: c.GetId(), Side: SideService}
		}
		f := Finding{Rule: r.ID, Level: levelOf(c.GetLevel()), Side: r.Side, Service: name,
			Message: c.GetUncolorizedText(loc)}
		if c.GetOperation() != "" && c.GetPath() != "" {
			f.Operation = c.GetOperation() + " " + c.GetPath()
		} else {
			f.Path = c.GetSource()
		}
		p.Findings = append(p.Findings, f)
	}
	sortFindings(&p)
	return p, nil
}

// operationsOf lists "METHOD /path" for every operation of a document, by
// path then method.
func operationsOf(s *openapi3.T) []string {
	if s == nil || s.Paths == nil {
		return nil
	}
	var out []string
	for _, path := range s.Paths.InMatchingOrder() {
		item := s.Paths.Value(path)
		if item == nil {
			continue
		}
		for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodOptions, http.MethodHead, http.MethodPatch, http.MethodTrace} {
			if item.GetOperation(m) != nil {
				out = append(out, m+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out
}
