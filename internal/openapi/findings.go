package openapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/jsontree"
)

// The functions below turn kin-openapi's errors into findings. They build
// every message from the structure of the error (schema keyword, the
// schema's own bounds, parameter name) rather than from Error(): kin-openapi
// puts values from the message into several of its texts (ParseError,
// format errors, the "Value:" dump of SchemaError), and a finding must
// never carry a payload value.

// flatten lists the independent errors of a MultiError (kin-openapi nests
// them when MultiError is on).
func flatten(err error) []error {
	if err == nil {
		return nil
	}
	if me, ok := err.(openapi3.MultiError); ok {
		var out []error
		for _, e := range me {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func requestFindings(err error) contract.Findings {
	var out contract.Findings
	for _, e := range flatten(err) {
		var re *openapi3filter.RequestError
		var se *openapi3filter.SecurityRequirementsError
		switch {
		case errors.As(e, &se):
			out = append(out, contract.New(contract.RuleOpenAPISecurity, "", "", securityMessage(se)))
		case errors.As(e, &re) && re.Parameter != nil:
			out = append(out, parameterFindings(re)...)
		case errors.As(e, &re) && re.RequestBody != nil:
			out = append(out, bodyFindings(re.Reason, re.Err, "request")...)
		default:
			out = append(out, contract.New(contract.RuleOpenAPIRequest, "", "", fmt.Sprintf("the request does not match the document (%T)", e)))
		}
	}
	return out
}

func responseFindings(err error) contract.Findings {
	var out contract.Findings
	for _, e := range flatten(err) {
		var re *openapi3filter.ResponseError
		if !errors.As(e, &re) {
			out = append(out, contract.New(contract.RuleOpenAPIResponse, "", "", fmt.Sprintf("the response does not match the document (%T)", e)))
			continue
		}
		switch r := re.Reason; {
		case r == "status is not supported":
			out = append(out, contract.New(contract.RuleOpenAPIStatus, "", "", "the status is not declared for the operation"))
		case strings.HasPrefix(r, "response header "):
			// `response header "X-Name" missing` / `... doesn't match schema`;
			// the name comes from the document.
			name, _, _ := strings.Cut(strings.TrimPrefix(r, `response header "`), `"`)
			loc := "/header/" + jsontree.EscapePointer(name)
			if re.Err == nil {
				out = append(out, contract.New(contract.RuleOpenAPIResponse, "", loc, "required response header is missing"))
				continue
			}
			for _, f := range schemaFindings(re.Err, contract.RuleOpenAPIResponse) {
				f.Location = loc + f.Location
				out = append(out, f)
			}
		case strings.HasPrefix(r, "unable to decode header "):
			name, _, _ := strings.Cut(strings.TrimPrefix(r, `unable to decode header "`), `"`)
			out = append(out, contract.New(contract.RuleOpenAPIResponse, "", "/header/"+jsontree.EscapePointer(name), "response header cannot be decoded as its schema declares"))
		default:
			out = append(out, bodyFindings(r, re.Err, "response")...)
		}
	}
	return out
}

// bodyFindings maps a body error of either side.
func bodyFindings(reason string, err error, side string) contract.Findings {
	switch {
	case errors.Is(err, openapi3filter.ErrInvalidRequired):
		return contract.Findings{contract.New(ruleFor(side), "", "", side+" body is required but empty")}
	case errors.Is(err, openapi3filter.ErrInvalidEmptyValue):
		return contract.Findings{contract.New(ruleFor(side), "", "", side+" body may not be empty")}
	case strings.Contains(reason, "header Content-Type has unexpected value"):
		return contract.Findings{contract.New(contract.RuleOpenAPIMediaType, "", "/header/Content-Type", side+" content type is not declared for the operation")}
	case strings.Contains(reason, "failed to decode"):
		return contract.Findings{contract.New(contract.RuleJSONMalformed, "", "", side+" body cannot be decoded as its declared media type")}
	case strings.Contains(reason, "doesn't match schema"):
		return schemaFindings(err, contract.RuleOpenAPIBodySchema)
	}
	return contract.Findings{contract.New(ruleFor(side), "", "", side+" body could not be checked: "+safeReason(reason, nil))}
}

func ruleFor(side string) string {
	if side == "request" {
		return contract.RuleOpenAPIRequest
	}
	return contract.RuleOpenAPIResponse
}

func parameterFindings(re *openapi3filter.RequestError) contract.Findings {
	p := re.Parameter
	loc := "/" + jsontree.EscapePointer(p.In) + "/" + jsontree.EscapePointer(p.Name)
	rule := contract.RuleOpenAPIParameter
	var pe *openapi3filter.ParseError
	switch {
	case errors.Is(re.Err, openapi3filter.ErrInvalidRequired):
		return contract.Findings{contract.New(rule, "", loc, "required parameter is missing")}
	case errors.Is(re.Err, openapi3filter.ErrInvalidEmptyValue):
		return contract.Findings{contract.New(rule, "", loc, "parameter may not be empty")}
	case errors.As(re.Err, &pe):
		// ParseError.Error() quotes the value; its Reason is a fixed text
		// ("an invalid integer"), still screened in case it is not.
		return contract.Findings{contract.New(rule, "", loc, "parameter cannot be parsed: "+safeReason(pe.Reason, pe.Value))}
	}
	fs := schemaFindings(re.Err, rule)
	if len(fs) == 0 {
		return contract.Findings{contract.New(rule, "", loc, "parameter does not match its declaration")}
	}
	for i := range fs {
		fs[i].Location = loc + fs[i].Location
	}
	return fs
}

// schemaFindings gives one finding per schema violation in err, located by
// a JSON Pointer relative to the validated value.
func schemaFindings(err error, rule string) contract.Findings {
	var out contract.Findings
	for _, e := range flatten(err) {
		var se *openapi3.SchemaError
		if !errors.As(e, &se) {
			out = append(out, contract.New(rule, "", "", fmt.Sprintf("value could not be checked against its schema (%T)", e)))
			continue
		}
		out = append(out, contract.New(rule, "", jsontree.Pointer(se.JSONPointer()), schemaMessage(se)))
	}
	return out
}

// schemaMessage describes a schema violation from the keyword that failed
// and the schema's own values. Keywords whose kin-openapi reason can
// contain the value (pattern, format, enum, type) are described from
// scratch; other reasons are built by kin-openapi from the schema alone and
// are still screened by safeReason.
func schemaMessage(se *openapi3.SchemaError) string {
	s := se.Schema
	switch se.SchemaField {
	case "pattern":
		if s != nil {
			if str, ok := se.Value.(string); ok {
				if m, err := compileECMAScript(s.Pattern); err == nil && m.matchTimedOut(str) {
					return fmt.Sprintf("pattern check timed out after %s, the value is treated as not matching %q", MatchTimeout, s.Pattern)
				}
			}
			return fmt.Sprintf("string does not match pattern %q", s.Pattern)
		}
	case "format":
		if s != nil {
			return fmt.Sprintf("string does not match format %q", s.Format)
		}
	case "enum":
		if s != nil {
			return "value is not one of the allowed values" + allowed(s.Enum)
		}
	case "type":
		if s != nil && s.Type != nil {
			return fmt.Sprintf("value must be of type %s", strings.Join(s.Type.Slice(), " or "))
		}
	case "nullable":
		return "value must not be null"
	case "minLength":
		if s != nil {
			return fmt.Sprintf("string is shorter than the minimum length %d", s.MinLength)
		}
	case "maxLength":
		if s != nil && s.MaxLength != nil {
			return fmt.Sprintf("string is longer than the maximum length %d", *s.MaxLength)
		}
	}
	if se.Reason != "" {
		return safeReason(se.Reason, se.Value)
	}
	return fmt.Sprintf("value does not satisfy schema keyword %q", se.SchemaField)
}

// safeReason passes a kin-openapi reason through unless it contains the
// offending value (a string of some length, to avoid flagging "1" or "a"),
// in which case it is replaced: a message must never echo a value.
func safeReason(reason string, value any) string {
	if s, ok := value.(string); ok && len(s) >= 3 && strings.Contains(reason, s) {
		return "value does not match its schema"
	}
	if len(reason) > 300 {
		reason = reason[:300] + "…"
	}
	return reason
}

func securityMessage(se *openapi3filter.SecurityRequirementsError) string {
	var alts []string
	for _, req := range se.SecurityRequirements {
		names := make([]string, 0, len(req))
		for n := range req {
			names = append(names, n)
		}
		slices.Sort(names)
		alts = append(alts, strings.Join(names, " + "))
	}
	msg := "the request meets none of the operation's security requirements"
	if len(alts) > 0 {
		msg += " (" + strings.Join(alts, " | ") + ")"
	}
	// Our authentication functions name what is missing, never a value.
	var why []string
	for _, e := range se.Errors {
		why = append(why, e.Error())
	}
	if len(why) > 0 {
		msg += ": " + strings.Join(why, "; ")
	}
	return msg
}

// allowed lists a short enum (its values come from the document, not the
// message), or counts a long one.
func allowed(enum []any) string {
	if len(enum) > 10 {
		return fmt.Sprintf(" (%d of them)", len(enum))
	}
	vals := make([]string, len(enum))
	for i, e := range enum {
		vals[i] = fmt.Sprint(e)
	}
	return " (" + strings.Join(vals, ", ") + ")"
}
