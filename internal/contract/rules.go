package contract

import "sort"

// Rule describes one kind of check. Every rule fnokit can report is listed in
// rules below, in one place, so reports can explain a rule ID and tests can
// prove no check invents an unlisted one.
type Rule struct {
	ID       string
	Severity Severity
	Summary  string
}

// Rule IDs. Stable: reports and known-deviation lists refer to them.
const (
	// Input that could not be read as a message at all.
	RuleXMLMalformed    = "xml-malformed"
	RuleXMLTooLarge     = "xml-too-large"
	RuleXMLTooDeep      = "xml-too-deep"
	RuleXMLDTDForbidden = "xml-dtd-forbidden"
	RuleJSONMalformed   = "json-malformed"
	RuleJSONTooDeep     = "json-too-deep"
	RuleBodyTooLarge    = "body-too-large"

	// SOAP envelope shape.
	RuleSOAPNoEnvelope = "soap-no-envelope"
	RuleSOAPNoBody     = "soap-no-body"
	RuleSOAPFault      = "soap-fault"
	RuleSOAPStatus     = "soap-status-not-success"

	// The message does not belong to the operation it is filed under.
	RuleUnknownOperation = "contract-unknown-operation"
	RuleWrongPayload     = "contract-wrong-payload"

	// XSD validation (libxml2).
	RuleXSDInvalid        = "xsd-invalid"
	RuleXSDUnknownElement = "xsd-unknown-root"

	// OpenAPI validation (kin-openapi).
	RuleOpenAPIRequest    = "openapi-request-invalid"
	RuleOpenAPIResponse   = "openapi-response-invalid"
	RuleOpenAPINoRoute    = "openapi-no-route"
	RuleOpenAPIStatus     = "openapi-status-undeclared"
	RuleOpenAPIMediaType  = "openapi-media-type"
	RuleOpenAPISecurity   = "openapi-security"
	RuleOpenAPIParameter  = "openapi-parameter-invalid"
	RuleOpenAPIBodySchema = "openapi-body-schema"

	// Golden comparison.
	RuleGoldenMismatch = "golden-mismatch"
	RuleGoldenMissing  = "golden-missing"

	// A behaviour check of a contract suite (a Gomega assertion) failed.
	RuleSpecFailed = "spec-failed"

	// Differential runs (fnokit compare): the kinds of difference.
	RuleCompareOnlyInBaseline  = "compare-only-in-baseline"
	RuleCompareOnlyInCandidate = "compare-only-in-candidate"
	RuleCompareValueChanged    = "compare-value-changed"
	RuleCompareStatusChanged   = "compare-status-changed"
	RuleCompareFaultChanged    = "compare-fault-changed"

	// Schema lint.
	RuleSchemaCompile = "schema-compile-failed"
	RuleSchemaLoad    = "schema-load-failed"
	RuleSchemaInvalid = "schema-invalid"

	// Capability request callout (JSON Schema validation and HTTP behaviour).
	RuleJSONSchemaInvalid    = "json-schema-invalid"
	RuleCalloutActionAllowed = "callout-action-not-allowed"
	RuleCalloutStatus        = "callout-status"
	RuleCalloutContentType   = "callout-content-type"
	RuleCalloutTimeout       = "callout-timeout"
	RuleCalloutTransport     = "callout-transport"
)

var rules = []Rule{
	{RuleXMLMalformed, Error, "the message is not well-formed XML"},
	{RuleXMLTooLarge, Error, "the message is larger than the configured limit"},
	{RuleXMLTooDeep, Error, "the message nests elements deeper than the configured limit"},
	{RuleXMLDTDForbidden, Error, "the message carries a DTD or entity declarations, which FNO messages never do"},
	{RuleJSONMalformed, Error, "the body is not well-formed JSON"},
	{RuleJSONTooDeep, Error, "the body nests arrays and objects deeper than the configured limit"},
	{RuleBodyTooLarge, Error, "the body is larger than the configured limit"},

	{RuleSOAPNoEnvelope, Error, "the document is not a SOAP 1.1 envelope"},
	{RuleSOAPNoBody, Error, "the SOAP envelope has no Body or an empty Body"},
	{RuleSOAPFault, Error, "the response is a SOAP fault"},
	{RuleSOAPStatus, Warning, "statusInfo/status is not SUCCESS"},

	{RuleUnknownOperation, Error, "the service version's contract does not define the operation"},
	{RuleWrongPayload, Error, "the payload element is not the one the operation's message carries"},

	{RuleXSDInvalid, Error, "the payload does not match the XML schema"},
	{RuleXSDUnknownElement, Error, "the payload's root element is not declared by the schema"},

	{RuleOpenAPIRequest, Error, "the request does not match the OpenAPI document"},
	{RuleOpenAPIResponse, Error, "the response does not match the OpenAPI document"},
	{RuleOpenAPINoRoute, Error, "no path and method of the OpenAPI document match the request"},
	{RuleOpenAPIStatus, Error, "the response status code is not declared for the operation"},
	{RuleOpenAPIMediaType, Error, "the content type is not declared for the operation"},
	{RuleOpenAPISecurity, Error, "the request does not satisfy the operation's security requirements"},
	{RuleOpenAPIParameter, Error, "a parameter does not match its declaration"},
	{RuleOpenAPIBodySchema, Error, "the body does not match its schema"},

	{RuleGoldenMismatch, Error, "the normalised message differs from its golden file"},
	{RuleGoldenMissing, Error, "there is no golden file for this case"},
	{RuleSpecFailed, Error, "a behaviour check of a contract suite failed (filters, paging, counts, limits, auth, writes)"},

	{RuleCompareOnlyInBaseline, Error, "the baseline's answer has something the candidate's lacks"},
	{RuleCompareOnlyInCandidate, Error, "the candidate's answer has something the baseline's lacks"},
	{RuleCompareValueChanged, Error, "baseline and candidate answer the same request with different values"},
	{RuleCompareStatusChanged, Error, "baseline and candidate answer the same request with a different HTTP or statusInfo status"},
	{RuleCompareFaultChanged, Error, "one side answers the same request with a SOAP fault the other does not, or another one"},

	{RuleSchemaCompile, Error, "an XSD or WSDL does not compile"},
	{RuleSchemaLoad, Error, "a schema file could not be read or parsed"},
	{RuleSchemaInvalid, Error, "an OpenAPI document is not valid"},

	{RuleJSONSchemaInvalid, Error, "the JSON message does not match its JSON Schema"},
	{RuleCalloutActionAllowed, Error, "the callout asks for an action its trigger point does not allow (seed 001 Table 5-2)"},
	{RuleCalloutStatus, Error, "the callout answered with an HTTP status other than 200"},
	{RuleCalloutContentType, Error, "the callout answered with a content type other than application/json"},
	{RuleCalloutTimeout, Error, "the callout did not answer within the timeout"},
	{RuleCalloutTransport, Error, "the callout broke the connection or answered something that is not HTTP"},
}

var ruleIndex = func() map[string]Rule {
	m := make(map[string]Rule, len(rules))
	for _, r := range rules {
		m[r.ID] = r
	}
	return m
}()

// Rules lists every rule, sorted by ID.
func Rules() []Rule {
	out := append([]Rule(nil), rules...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// LookupRule returns the rule with the given ID.
func LookupRule(id string) (Rule, bool) {
	r, ok := ruleIndex[id]
	return r, ok
}

// RuleSeverity is the default severity of a rule; unknown rules are errors so
// a typo can never hide a violation.
func RuleSeverity(id string) Severity {
	if r, ok := ruleIndex[id]; ok {
		return r.Severity
	}
	return Error
}
