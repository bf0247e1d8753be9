package suite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/onsi/ginkgo/v2"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/schemas"
)

// SOAPResult is the answer to one SOAP call, checked against the called
// version's WSDL.
type SOAPResult struct {
	HTTPStatus int
	// Status and Reason are statusInfo/status and statusInfo/reason (""
	// when none). Reason is the target's text: never put it into findings
	// or failure messages.
	Status, Reason string
	// Payload is the response payload as plain values (soap.ToMap); nil
	// for a fault.
	Payload map[string]any
	Fault   *soap.Fault
	// Findings are the XSD findings of the response against the version's
	// WSDL (libxml2), plus a wrong payload element or an answer that is
	// not SOAP.
	Findings contract.Findings
	// Raw is the response body.
	Raw []byte

	key     string // Service/version/operation
	service string
	version string
	op      string
	request []byte
	env     *Env
}

// Key is "Service/version/operation".
func (r *SOAPResult) Key() string { return r.key }

// SOAP sends operation op of service version (base, v1 …) with payload —
// plain values in the shapes soap.FromValue and the emulator's handlers
// use; element order comes from the schema — and checks the answer
// against that version's WSDL. A call that cannot be made (unknown
// operation, transport error) fails the spec.
func (e *Env) SOAP(service, version, op string, payload map[string]any) *SOAPResult {
	ginkgo.GinkgoHelper()
	r, err := e.soapCall(service, version, op, payload)
	if err != nil {
		e.fail(fmt.Sprintf("%s/%s/%s: %v", service, version, op, err))
	}
	e.attachFindings(r.key, r.Findings)
	return r
}

func (e *Env) soapCall(service, version, op string, payload map[string]any) (*SOAPResult, error) {
	v, err := schemas.Find(service, version)
	if err != nil {
		return nil, err
	}
	var o *schemas.Operation
	for i := range v.Operations {
		if v.Operations[i].Name == op {
			o = &v.Operations[i]
		}
	}
	if o == nil {
		return nil, fmt.Errorf("%s %s has no operation %s", service, v.Version, op)
	}
	if !e.WritesAllowed() && !conformance.Reads(op) {
		// A spec labelled read that writes all the same: refused, not sent.
		return nil, fmt.Errorf("%s changes records: refused on a live target without --allow-writes (label the spec kind:write)", op)
	}
	p, err := project.For(service, v.Version)
	if err != nil {
		return nil, err
	}
	if payload == nil {
		payload = map[string]any{}
	}
	node, err := p.RequestPayload(op, payload)
	if err != nil {
		return nil, fmt.Errorf("build the request: %w", err)
	}
	opn := contract.Operation{Service: service, Version: v.Version, Name: op}
	req, err := soap.NewRequest(e.callContext(), e.base, opn, node, e.soapCredentials())
	if err != nil {
		return nil, fmt.Errorf("build the request: %w", err)
	}
	r := &SOAPResult{key: service + "/" + v.Version.String() + "/" + op, service: service,
		version: v.Version.String(), op: op, env: e}
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			r.request, _ = io.ReadAll(rc)
		}
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("HTTP: %w", scrubURLError(err))
	}
	defer resp.Body.Close()
	r.HTTPStatus = resp.StatusCode
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read the response: %w", scrubURLError(err))
	}
	target := r.key + " response"
	if len(body) > maxBody {
		r.Findings = contract.Findings{contract.New(contract.RuleXMLTooLarge, target, "",
			fmt.Sprintf("the response is larger than %d MiB", maxBody>>20))}
		return r, nil
	}
	r.Raw = body
	parsed, err := soap.Parse(bytes.NewReader(body), xmltree.Limits{})
	if err != nil {
		if f, ok := soap.AsFinding(err, target); ok {
			r.Findings = contract.Findings{f}
			return r, nil
		}
		return nil, fmt.Errorf("read the response: %w", err)
	}
	if parsed.Fault != nil {
		r.Fault = parsed.Fault
		return r, nil
	}
	want := xmltree.Name{Space: o.Output.Space, Local: o.Output.Local}
	if parsed.Payload == nil || parsed.Payload.Name != want {
		got, loc := "nothing", "/Envelope/Body"
		if parsed.Payload != nil {
			got, loc = parsed.Payload.Name.String(), "/"+parsed.Payload.Name.Local
		}
		r.Findings = contract.Findings{contract.New(contract.RuleWrongPayload, target, loc,
			fmt.Sprintf("the Body holds %s, the operation's output is %s", got, want))}
		return r, nil
	}
	r.Payload = soap.ToMap(parsed.Payload, p.Model())
	if st := parsed.Status; st != nil {
		r.Status, r.Reason = string(st.Status), st.Reason
	}
	schema, err := conformance.Schema(v)
	if err != nil {
		return nil, fmt.Errorf("the WSDL of %s %s does not compile: %w", service, v.Version, err)
	}
	found, err := schema.ValidateEnvelope(body)
	if err != nil {
		return nil, fmt.Errorf("validation could not run: %w", err)
	}
	r.Findings = found.WithTarget(target)
	return r, nil
}

// ExpectValid fails the spec unless the answer is HTTP 200, no SOAP fault,
// and valid against the version's WSDL. The message names the rule, the
// operation and the location of the first problem; statusInfo FAILURE is
// still valid (use ExpectStatus).
func (r *SOAPResult) ExpectValid() {
	ginkgo.GinkgoHelper()
	if r.Fault != nil {
		msg := fmt.Sprintf("%s: %s: SOAP fault %s", r.key, contract.RuleSOAPFault, r.Fault.Code)
		if r.Fault.Detail != nil {
			if p := r.Fault.Detail.TextOf("problem"); p != "" {
				msg += " (" + p + ")"
			}
		}
		r.env.fail(msg)
	}
	if msg := problem(r.key, r.Findings); msg != "" {
		r.env.fail(msg)
	}
	if r.HTTPStatus != http.StatusOK {
		r.env.fail(fmt.Sprintf("%s: %s: HTTP %d, want 200", r.key, contract.RuleSOAPFault, r.HTTPStatus))
	}
}

// ExpectStatus fails the spec unless statusInfo/status is s. The reason is
// not quoted (it is the target's text).
func (r *SOAPResult) ExpectStatus(s string) {
	ginkgo.GinkgoHelper()
	if r.Status != s {
		got := r.Status
		if r.Fault != nil {
			got = "a SOAP fault " + r.Fault.Code
		} else if got == "" {
			got = "no statusInfo"
		}
		r.env.fail(fmt.Sprintf("%s: %s: statusInfo/status is %s, want %s", r.key, contract.RuleSOAPStatus, got, s))
	}
}

// ExpectGolden compares the response with
// golden/soap/<Service>/<version>/<op>/<caseName> after normalisation, or
// records it (with its request) when the run updates golden files. A
// difference fails the spec and attaches the diff to the report.
func (r *SOAPResult) ExpectGolden(caseName string) {
	ginkgo.GinkgoHelper()
	k := golden.Key{Kind: golden.SOAP, Service: r.service, Version: r.version, Operation: r.op, Case: caseName}
	r.env.expectGolden(k, golden.Exchange{Request: r.request, Response: r.Raw})
}

// problem is the failure message of the first error finding: the rule,
// the key, the location and the message (which never quotes values);
// "" when there is none.
func problem(key string, fs contract.Findings) string {
	var errs contract.Findings
	for _, f := range fs {
		if f.Severity >= contract.Error {
			errs = append(errs, f)
		}
	}
	if len(errs) == 0 {
		return ""
	}
	f := errs[0]
	msg := key + ": " + f.Rule
	if f.Location != "" {
		msg += " at " + f.Location
	}
	msg += ": " + f.Message
	if len(errs) > 1 {
		msg += fmt.Sprintf(" (and %d more finding(s))", len(errs)-1)
	}
	return msg
}

// scrubURLError drops the URL from a *url.Error (it could carry a query
// string); the method and the cause stay.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}
