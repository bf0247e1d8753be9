package callout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/jsontree"
	"github.com/fnokit/fnokit/schemas"
)

// MaxBody is the largest callout message, request or response, the
// validator, the server and the check accept: FNO's requests are a few
// kilobytes even with every detail on, so a megabyte is generous.
const MaxBody = 1 << 20

// The $id prefix of schemas/callout/*.schema.json.
const schemaURN = "urn:fnokit:schema:callout:"

// compiled holds the schemas, compiled once from the embedded files.
type compiled struct {
	request      *jsonschema.Schema
	hostSummary  *jsonschema.Schema
	addOnSummary *jsonschema.Schema
	response     *jsonschema.Schema // any trigger point
	byTrigger    map[TriggerPoint]*jsonschema.Schema
}

var schemaSet = sync.OnceValues(func() (*compiled, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	for _, name := range []string{"capability-request", "capability-response"} {
		data, err := fs.ReadFile(schemas.FS(), "callout/"+name+".schema.json")
		if err != nil {
			return nil, fmt.Errorf("callout schema %s: %w", name, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("callout schema %s: %w", name, err)
		}
		if err := c.AddResource(schemaURN+name, doc); err != nil {
			return nil, fmt.Errorf("callout schema %s: %w", name, err)
		}
	}
	get := func(loc string) (*jsonschema.Schema, error) {
		s, err := c.Compile(schemaURN + loc)
		if err != nil {
			return nil, fmt.Errorf("compile callout schema %s: %w", loc, err)
		}
		return s, nil
	}
	var out compiled
	var err error
	for _, x := range []struct {
		dst **jsonschema.Schema
		loc string
	}{
		{&out.request, "capability-request"},
		{&out.hostSummary, "capability-request#/$defs/HostInfoSummary"},
		{&out.addOnSummary, "capability-request#/$defs/AddOnInfoSummary"},
		{&out.response, "capability-response"},
	} {
		if *x.dst, err = get(x.loc); err != nil {
			return nil, err
		}
	}
	out.byTrigger = make(map[TriggerPoint]*jsonschema.Schema, 3)
	for _, tp := range TriggerPoints() {
		if out.byTrigger[tp], err = get("capability-response#/$defs/" + tp.responseDef()); err != nil {
			return nil, err
		}
	}
	return &out, nil
})

// ValidateRequest checks a request body against the request schema. A
// finding is a violation; an error means the schemas would not compile.
func ValidateRequest(body []byte) (contract.Findings, error) {
	s, err := schemaSet()
	if err != nil {
		return nil, err
	}
	doc, f := decode(body)
	if f != nil {
		return f, nil
	}
	return leafFindings(s.request.Validate(doc), contract.RuleJSONSchemaInvalid, "", nil), nil
}

// ValidateDetails checks that a valid request honours the detail settings
// (Callout Includes Host Details / Add-on Details): with a setting off,
// hostInfo or each addOnInfo entry must be the closed summary shape.
func ValidateDetails(body []byte, hostDetails, addOnDetails bool) (contract.Findings, error) {
	s, err := schemaSet()
	if err != nil {
		return nil, err
	}
	doc, f := decode(body)
	if f != nil {
		return f, nil
	}
	m, _ := doc.(map[string]any)
	var out contract.Findings
	if !hostDetails {
		out = append(out, leafFindings(s.hostSummary.Validate(m["hostInfo"]), contract.RuleJSONSchemaInvalid, "/hostInfo",
			func(string) string { return "a host detail is sent while Callout Includes Host Details is off" })...)
	}
	if !addOnDetails {
		list, _ := m["addOnInfo"].([]any)
		for i, a := range list {
			out = append(out, leafFindings(s.addOnSummary.Validate(a), contract.RuleJSONSchemaInvalid, fmt.Sprintf("/addOnInfo/%d", i),
				func(string) string { return "an add-on detail is sent while Callout Includes Add-on Details is off" })...)
		}
	}
	return out, nil
}

// ValidateResponse checks a response body against the schema of its
// trigger point. A field that is valid in general but an action the
// trigger point does not allow (Table 5-2) is reported as
// callout-action-not-allowed; any other violation as json-schema-invalid.
func ValidateResponse(tp TriggerPoint, body []byte) (contract.Findings, error) {
	s, err := schemaSet()
	if err != nil {
		return nil, err
	}
	at, ok := s.byTrigger[tp]
	if !ok {
		return nil, fmt.Errorf("validate callout response: %w", errUnknownTrigger)
	}
	doc, f := decode(body)
	if f != nil {
		return f, nil
	}
	verr := at.Validate(doc)
	if verr == nil {
		return nil, nil
	}
	general := leafFindings(s.response.Validate(doc), contract.RuleJSONSchemaInvalid, "", nil)
	bad := make(map[string]bool, len(general))
	for _, g := range general {
		bad[g.Location] = true
	}
	out := general
	for _, a := range leafFindings(verr, contract.RuleCalloutActionAllowed, "", func(string) string {
		return fmt.Sprintf("action not allowed at %s: here it must be absent, null, false or empty (seed 001 Table 5-2)", tp)
	}) {
		if !bad[a.Location] {
			out = append(out, a)
		}
	}
	out.Sort()
	return out, nil
}

var errUnknownTrigger = errors.New("unknown trigger point (want finalizeHost, checkAccess or finalizeResponse)")

// decode reads a JSON document as the validator wants it (numbers kept
// exact), or says why it is not JSON without quoting it.
func decode(body []byte) (any, contract.Findings) {
	if len(body) > MaxBody {
		return nil, contract.Findings{contract.New(contract.RuleBodyTooLarge, "", "",
			fmt.Sprintf("the body has %d bytes, more than the limit of %d", len(body), MaxBody))}
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return nil, contract.Findings{contract.New(contract.RuleJSONMalformed, "", "", jsonProblem(err))}
	}
	return doc, nil
}

// jsonProblem describes a decoding error by position only: Go's messages
// quote the offending character, which is payload.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("not well-formed JSON: syntax error at byte %d", syn.Offset)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "not well-formed JSON: the body is empty or ends too early"
	case strings.Contains(err.Error(), "after top-level value"):
		return "not well-formed JSON: more data after the top-level value"
	}
	return "not well-formed JSON"
}

// leafFindings turns a validation error into one finding per deepest
// cause, located by a JSON Pointer relative to prefix. msg, when given,
// overrides the message made from the error kind.
func leafFindings(err error, rule, prefix string, msg func(string) string) contract.Findings {
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return contract.Findings{contract.New(rule, "", prefix, "does not match its JSON Schema")}
	}
	var out contract.Findings
	seen := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		loc := prefix + jsontree.Pointer(e.InstanceLocation)
		m := kindMessage(e.ErrorKind)
		if msg != nil {
			m = msg(m)
		}
		if key := loc + "\x00" + m; !seen[key] {
			seen[key] = true
			out = append(out, contract.New(rule, "", loc, m))
		}
	}
	walk(ve)
	out.Sort()
	return out
}

// kindMessage says what a schema keyword refused without the value that
// broke it: property names and the schema's own limits are fine to show.
func kindMessage(k jsonschema.ErrorKind) string {
	switch k := k.(type) {
	case *kind.Type:
		return fmt.Sprintf("is a %s, want %s", k.Got, strings.Join(k.Want, " or "))
	case *kind.Required:
		return fmt.Sprintf("missing required %s", quoteAll(k.Missing))
	case *kind.AdditionalProperties:
		return fmt.Sprintf("unknown %s: the schema allows no other fields here", quoteAll(k.Properties))
	case *kind.PropertyNames:
		return fmt.Sprintf("field %q is not allowed here", k.Property)
	case *kind.Enum, *kind.Const:
		return "the value is not one the schema allows"
	case *kind.Pattern:
		return "does not match the pattern of its schema"
	case *kind.Format:
		return fmt.Sprintf("is not a valid %s", k.Want)
	case *kind.MinLength:
		return fmt.Sprintf("is shorter than %d characters", k.Want)
	case *kind.MaxLength:
		return fmt.Sprintf("is longer than %d characters", k.Want)
	case *kind.MaxItems:
		return fmt.Sprintf("has more than %d items", k.Want)
	case *kind.MinItems:
		return fmt.Sprintf("has fewer than %d items", k.Want)
	case *kind.MaxProperties:
		return fmt.Sprintf("has more than %d fields", k.Want)
	case *kind.MinProperties:
		return fmt.Sprintf("has fewer than %d fields", k.Want)
	case *kind.Minimum:
		return fmt.Sprintf("is below the minimum %s", k.Want.RatString())
	case *kind.Maximum:
		return fmt.Sprintf("is above the maximum %s", k.Want.RatString())
	case *kind.FalseSchema:
		return "no value is allowed here"
	}
	if kp := k.KeywordPath(); len(kp) > 0 {
		return fmt.Sprintf("fails the schema keyword %s", strings.Join(kp, "/"))
	}
	return "does not match its JSON Schema"
}

func quoteAll(names []string) string {
	names = append([]string(nil), names...)
	sort.Strings(names)
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	word := "field "
	if len(q) > 1 {
		word = "fields "
	}
	return word + strings.Join(q, ", ")
}
