package versiondiff

import (
	"fmt"
	"slices"

	"github.com/fnokit/fnokit/internal/schemadiff"
)

// Level is how much a change matters to a client moving from the old
// contract to the new one.
type Level int

// Levels, from harmless to incompatible.
const (
	// NonBreaking: a client built for the old contract keeps working.
	NonBreaking Level = iota
	// NeedsAttention: it keeps working if its parser is lax or its code
	// does not depend on what changed; strict parsers (Axis 1.x beans,
	// validating JAXB, enums mapped to closed types) may fail.
	NeedsAttention
	// Breaking: some old client requests are refused, or some new
	// responses cannot be read as the old client expects.
	Breaking
)

func (l Level) String() string {
	switch l {
	case NeedsAttention:
		return "needs-attention"
	case Breaking:
		return "breaking"
	}
	return "non-breaking"
}

// ParseLevel reads the text form written by String.
func ParseLevel(s string) (Level, error) {
	for _, l := range []Level{NonBreaking, NeedsAttention, Breaking} {
		if s == l.String() {
			return l, nil
		}
	}
	return 0, fmt.Errorf("unknown level %q (want non-breaking, needs-attention or breaking)", s)
}

// MarshalText writes the level as its name, for JSON.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Side says which part of the contract a change is in, which decides how
// it is judged: requests are written by the client and read by FNO,
// responses the other way round.
type Side int

// Sides of a change.
const (
	// SideService: the service or operation as a whole (added, removed).
	SideService Side = iota
	SideRequest
	SideResponse
)

func (s Side) String() string {
	switch s {
	case SideRequest:
		return "request"
	case SideResponse:
		return "response"
	}
	return "service"
}

// MarshalText writes the side as its name, for JSON.
func (s Side) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// sideOf maps a schemadiff message to a side.
func sideOf(m schemadiff.Message) Side {
	if m == schemadiff.Response {
		return SideResponse
	}
	return SideRequest
}

// Rule is one entry of the one explicit list of version-diff rules. A
// structural rule matches a schemadiff difference by kind, side and the way
// the difference moves the accepted instances (Changes; nil matches any).
type Rule struct {
	ID    string
	Side  Side
	Level Level
	// Kind and Changes select the schemadiff differences the rule judges;
	// Kind is "" for the rules this package finds itself (services,
	// messages, namespaces) and for the REST family.
	Kind    schemadiff.Kind
	Changes []schemadiff.Change
	// Message says what changed, for every finding of the rule.
	Message string
	// Why argues the level from the client's point of view.
	Why string
}

// Rule IDs found outside the structural comparison. Stable.
const (
	RuleServiceAdded        = "SD-SERVICE-ADDED"
	RuleServiceRemoved      = "SD-SERVICE-REMOVED"
	RuleOperationAdded      = "SD-OP-ADDED"
	RuleOperationRemoved    = "SD-OP-REMOVED"
	RuleReqMessageAdded     = "SD-REQ-MESSAGE-ADDED"
	RuleReqMessageRemoved   = "SD-REQ-MESSAGE-REMOVED"
	RuleRespMessageAdded    = "SD-RESP-MESSAGE-ADDED"
	RuleRespMessageRemoved  = "SD-RESP-MESSAGE-REMOVED"
	RuleReqNamespaceVersion = "SD-REQ-NAMESPACE-VERSION"
	RuleRespNamespaceVer    = "SD-RESP-NAMESPACE-VERSION"
	RuleReqNamespaceChanged = "SD-REQ-NAMESPACE-CHANGED"
	RuleRespNamespaceChange = "SD-RESP-NAMESPACE-CHANGED"
	// RESTPrefix starts the ID of every REST finding: SD-REST- and the
	// oasdiff rule ID in upper case (see RESTRuleID).
	RESTPrefix = "SD-REST-"
)

// Change sets of the rules. Where a kind has several rules their sets
// partition the four changes; a change schemadiff never reports for a kind
// (a "neutral" minOccurs change) goes to the stricter rule.
var (
	anyChange    []schemadiff.Change
	widens       = []schemadiff.Change{schemadiff.Widens}
	narrows      = []schemadiff.Change{schemadiff.Narrows}
	notWidens    = []schemadiff.Change{schemadiff.Neutral, schemadiff.Narrows, schemadiff.Incompatible}
	notNarrows   = []schemadiff.Change{schemadiff.Neutral, schemadiff.Widens, schemadiff.Incompatible}
	incompatible = []schemadiff.Change{schemadiff.Neutral, schemadiff.Incompatible}
)

// rules is the one explicit list. Order matters only for the document; a
// test proves every combination of kind, side and change meets exactly one
// rule.
var rules = []Rule{
	// The service and its operations.
	{RuleServiceAdded, SideService, NonBreaking, "", nil,
		"a service exists only on the new side",
		"nothing the client does today uses it"},
	{RuleServiceRemoved, SideService, Breaking, "", nil,
		"a service exists only on the old side",
		"every call the client makes to it fails"},
	{RuleOperationAdded, SideService, NonBreaking, schemadiff.OperationAdded, anyChange,
		"an operation exists only on the new side",
		"nothing the client does today uses it"},
	{RuleOperationRemoved, SideService, Breaking, schemadiff.OperationRemoved, anyChange,
		"an operation exists only on the old side",
		"every call the client makes to it fails"},
	{RuleReqMessageAdded, SideRequest, NonBreaking, "", nil,
		"a global request element (plain XSD: no operations) exists only on the new side",
		"a new message the client does not send yet"},
	{RuleReqMessageRemoved, SideRequest, Breaking, "", nil,
		"a global request element (plain XSD: no operations) exists only on the old side",
		"the client can no longer send that message"},
	{RuleRespMessageAdded, SideResponse, NonBreaking, "", nil,
		"a global response element (plain XSD: no operations) exists only on the new side",
		"it answers a request the client does not send yet"},
	{RuleRespMessageRemoved, SideResponse, Breaking, "", nil,
		"a global response element (plain XSD: no operations) exists only on the old side",
		"the client no longer receives the message it reads"},

	// The namespace, once per service and side.
	{RuleReqNamespaceVersion, SideRequest, NeedsAttention, "", nil,
		"the payload namespace moved to the new service version's",
		"moving versions means calling the new endpoint with every request element in the new namespace (regenerate the stubs; fnokit migrate rewrites it); the old version's endpoint keeps its namespace, so nothing breaks until the client moves"},
	{RuleRespNamespaceVer, SideResponse, NeedsAttention, "", nil,
		"the payload namespace moved to the new service version's",
		"answers of the new version come in its namespace: a parser that matches qualified names must be regenerated with the client"},
	{RuleReqNamespaceChanged, SideRequest, Breaking, "", nil,
		"the payload namespace changed without a version move (or between namespaces that are not FNO's)",
		"the new side refuses every request element in the old namespace, and nothing about the version tells the client to expect it"},
	{RuleRespNamespaceChange, SideResponse, Breaking, "", nil,
		"the payload namespace changed without a version move (or between namespaces that are not FNO's)",
		"a parser that matches qualified names finds none of its elements"},

	// Requests: the client writes, the new server validates. A change
	// breaks when it refuses a request an old client may send.
	{"SD-REQ-ROOT-ELEMENT-CHANGED", SideRequest, Breaking, schemadiff.RootElementChanged, anyChange,
		"the operation's request element has another name",
		"the client sends an element the operation no longer takes"},
	{"SD-REQ-ELEMENT-REQUIRED-ADDED", SideRequest, Breaking, schemadiff.ElementAdded, notWidens,
		"a required request element was added",
		"requests of old clients lack it and are refused"},
	{"SD-REQ-ELEMENT-OPTIONAL-ADDED", SideRequest, NonBreaking, schemadiff.ElementAdded, widens,
		"an optional request element was added",
		"old requests stay valid; clients may start sending it"},
	{"SD-REQ-ELEMENT-REMOVED", SideRequest, Breaking, schemadiff.ElementRemoved, anyChange,
		"a request element was removed",
		"a client that sends it is refused (a required one: every client)"},
	{"SD-REQ-ORDER-CHANGED", SideRequest, Breaking, schemadiff.OrderChanged, anyChange,
		"a request element moved among its siblings (xs:sequence)",
		"requests in the old order no longer validate"},
	{"SD-REQ-MIN-OCCURS-RAISED", SideRequest, Breaking, schemadiff.MinOccursChanged, notWidens,
		"a request element's minOccurs was raised",
		"requests with fewer occurrences (or none) are refused"},
	{"SD-REQ-MIN-OCCURS-LOWERED", SideRequest, NonBreaking, schemadiff.MinOccursChanged, widens,
		"a request element's minOccurs was lowered",
		"old requests stay valid"},
	{"SD-REQ-MAX-OCCURS-LOWERED", SideRequest, Breaking, schemadiff.MaxOccursChanged, notWidens,
		"a request element's maxOccurs was lowered",
		"requests with more occurrences are refused"},
	{"SD-REQ-MAX-OCCURS-RAISED", SideRequest, NonBreaking, schemadiff.MaxOccursChanged, widens,
		"a request element's maxOccurs was raised",
		"old requests stay valid"},
	{"SD-REQ-NILLABLE-WITHDRAWN", SideRequest, Breaking, schemadiff.NillableChanged, notWidens,
		"a request element is no longer nillable",
		"requests with xsi:nil on it are refused"},
	{"SD-REQ-NILLABLE-GRANTED", SideRequest, NonBreaking, schemadiff.NillableChanged, widens,
		"a request element became nillable",
		"old requests stay valid"},
	{"SD-REQ-COMPOSITOR-CHANGED", SideRequest, Breaking, schemadiff.CompositorChanged, anyChange,
		"the group around a request element is another compositor",
		"sequence, choice and all accept different requests"},
	{"SD-REQ-CONTENT-CHANGED", SideRequest, Breaking, schemadiff.ContentChanged, anyChange,
		"a request element holds another kind of content (text, child elements, any)",
		"old requests carry the old content"},
	{"SD-REQ-TYPE-CHANGED", SideRequest, Breaking, schemadiff.BuiltinTypeChanged, anyChange,
		"a request element's text has another type",
		"values written for the old type may not parse as the new one"},
	{"SD-REQ-ENUM-VALUE-ADDED", SideRequest, NonBreaking, schemadiff.EnumValueAdded, anyChange,
		"a request enumeration allows a new value",
		"old requests stay valid; clients may start sending it"},
	{"SD-REQ-ENUM-VALUE-REMOVED", SideRequest, Breaking, schemadiff.EnumValueRemoved, anyChange,
		"a request enumeration no longer allows a value",
		"requests with that value are refused"},
	{"SD-REQ-FACET-TIGHTENED", SideRequest, Breaking, schemadiff.FacetChanged, narrows,
		"a request facet (length, range, pattern, digits, enumeration) was tightened",
		"values the old contract allowed may be refused"},
	{"SD-REQ-FACET-LOOSENED", SideRequest, NonBreaking, schemadiff.FacetChanged, widens,
		"a request facet was loosened or dropped",
		"old requests stay valid"},
	{"SD-REQ-FACET-CHANGED", SideRequest, Breaking, schemadiff.FacetChanged, incompatible,
		"a request facet changed in a way that is neither looser nor tighter (pattern, whiteSpace, length)",
		"some values the old contract allowed are refused"},
	{"SD-REQ-EXTENSION-BASE-CHANGED", SideRequest, NeedsAttention, schemadiff.ExtensionBaseChanged, anyChange,
		"a request type inherits another set of elements from its extension base",
		"the XML is the same, but classes generated from the WSDL inherit differently: code naming the base class may need a change"},

	// Responses: the new server writes, the old client reads. A change
	// breaks when the client meets what it was not built for or loses
	// what it read; unknown content needs attention (lax parsers skip it,
	// strict ones fail).
	{"SD-RESP-ROOT-ELEMENT-CHANGED", SideResponse, Breaking, schemadiff.RootElementChanged, anyChange,
		"the operation's response element has another name",
		"the client does not recognise the answer"},
	{"SD-RESP-ELEMENT-REQUIRED-ADDED", SideResponse, NeedsAttention, schemadiff.ElementAdded, notWidens,
		"a response element was added (always present)",
		"every answer carries an element the client does not know: lax parsers skip it, strict ones (Axis 1.x beans, validating JAXB) fail"},
	{"SD-RESP-ELEMENT-OPTIONAL-ADDED", SideResponse, NeedsAttention, schemadiff.ElementAdded, widens,
		"an optional response element was added",
		"answers may carry an element the client does not know: lax parsers skip it, strict ones fail"},
	{"SD-RESP-ELEMENT-REMOVED", SideResponse, Breaking, schemadiff.ElementRemoved, anyChange,
		"a response element was removed",
		"a client that reads it gets nothing (a required one: code that relies on it fails)"},
	{"SD-RESP-ORDER-CHANGED", SideResponse, Breaking, schemadiff.OrderChanged, anyChange,
		"a response element moved among its siblings (xs:sequence)",
		"sequence-driven parsers (Axis 1.x, streaming readers) lose or misplace it"},
	{"SD-RESP-MIN-OCCURS-LOWERED", SideResponse, Breaking, schemadiff.MinOccursChanged, notNarrows,
		"a response element's minOccurs was lowered",
		"a client that relies on it being there meets answers without it"},
	{"SD-RESP-MIN-OCCURS-RAISED", SideResponse, NonBreaking, schemadiff.MinOccursChanged, narrows,
		"a response element's minOccurs was raised",
		"every new answer was a valid old answer"},
	{"SD-RESP-MAX-OCCURS-RAISED", SideResponse, Breaking, schemadiff.MaxOccursChanged, notNarrows,
		"a response element's maxOccurs was raised",
		"a client built for fewer occurrences (a single field) meets more"},
	{"SD-RESP-MAX-OCCURS-LOWERED", SideResponse, NonBreaking, schemadiff.MaxOccursChanged, narrows,
		"a response element's maxOccurs was lowered",
		"every new answer was a valid old answer"},
	{"SD-RESP-NILLABLE-GRANTED", SideResponse, Breaking, schemadiff.NillableChanged, notNarrows,
		"a response element became nillable",
		"a client that reads its value meets xsi:nil"},
	{"SD-RESP-NILLABLE-WITHDRAWN", SideResponse, NonBreaking, schemadiff.NillableChanged, narrows,
		"a response element is no longer nillable",
		"every new answer was a valid old answer"},
	{"SD-RESP-COMPOSITOR-CHANGED", SideResponse, Breaking, schemadiff.CompositorChanged, anyChange,
		"the group around a response element is another compositor",
		"answers may be shaped in ways the old parser does not accept"},
	{"SD-RESP-CONTENT-CHANGED", SideResponse, Breaking, schemadiff.ContentChanged, anyChange,
		"a response element holds another kind of content (text, child elements, any)",
		"the client reads the old content"},
	{"SD-RESP-TYPE-CHANGED", SideResponse, Breaking, schemadiff.BuiltinTypeChanged, anyChange,
		"a response element's text has another type",
		"the client parses the text as the old type"},
	{"SD-RESP-ENUM-VALUE-ADDED", SideResponse, NeedsAttention, schemadiff.EnumValueAdded, anyChange,
		"a response enumeration has a new value",
		"a client that maps the values to a closed enum type (generated stubs do) fails on the new one"},
	{"SD-RESP-ENUM-VALUE-REMOVED", SideResponse, NonBreaking, schemadiff.EnumValueRemoved, anyChange,
		"a response enumeration lost a value",
		"the client simply never meets it again"},
	{"SD-RESP-FACET-LOOSENED", SideResponse, NeedsAttention, schemadiff.FacetChanged, widens,
		"a response facet was loosened or dropped",
		"answers may carry values outside the old bounds: storage sized or code written for them may not cope (stubs rarely check facets)"},
	{"SD-RESP-FACET-TIGHTENED", SideResponse, NonBreaking, schemadiff.FacetChanged, narrows,
		"a response facet was tightened",
		"every new answer was a valid old answer"},
	{"SD-RESP-FACET-CHANGED", SideResponse, NeedsAttention, schemadiff.FacetChanged, incompatible,
		"a response facet changed in a way that is neither looser nor tighter",
		"some values may fall outside what the client was built for (stubs rarely check facets)"},
	{"SD-RESP-EXTENSION-BASE-CHANGED", SideResponse, NeedsAttention, schemadiff.ExtensionBaseChanged, anyChange,
		"a response type inherits another set of elements from its extension base",
		"the XML is the same, but classes generated from the WSDL inherit differently: code naming the base class may need a change"},
}

// restRule documents the REST family: one entry standing for every oasdiff
// rule, listed in the rules document from oasdiff's own registry.
var restRule = Rule{RESTPrefix + "*", SideService, NonBreaking, "", nil,
	"an OpenAPI change oasdiff reports (its rule ID follows the prefix)",
	"oasdiff judges REST changes from the client's point of view too: ERR maps to breaking, WARN to needs-attention, INFO to non-breaking; its direction gives the side"}

// Rules returns every rule of the list, the REST family last.
func Rules() []Rule {
	out := slices.Clone(rules)
	return append(out, restRule)
}

var ruleIndex = func() map[string]Rule {
	m := make(map[string]Rule, len(rules))
	for _, r := range rules {
		m[r.ID] = r
	}
	return m
}()

// LookupRule returns the rule with the given ID (SOAP rules only; REST
// findings carry their level with them).
func LookupRule(id string) (Rule, bool) {
	r, ok := ruleIndex[id]
	return r, ok
}

// ruleFor returns the rule that judges a structural difference.
func ruleFor(d schemadiff.Difference) (Rule, bool) {
	side := sideOf(d.Message)
	if d.Kind == schemadiff.OperationAdded || d.Kind == schemadiff.OperationRemoved {
		side = SideService
	}
	for _, r := range rules {
		if r.Kind == d.Kind && r.Side == side && (r.Changes == nil || slices.Contains(r.Changes, d.Change)) {
			return r, true
		}
	}
	return Rule{}, false
}

// Classify is a schemadiff.Classifier that says whether the version-diff
// rules judge a difference breaking, so schemadiff's own Breaking field
// agrees with the findings.
func Classify(d schemadiff.Difference) bool {
	r, ok := ruleFor(d)
	return !ok || r.Level == Breaking
}
