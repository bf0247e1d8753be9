package fno

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/metrics"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// jsCall is client.call(service, operation, payload[, params]).
func (c *client) jsCall(fc sobek.FunctionCall) sobek.Value {
	rt := c.mi.vu.Runtime()
	res, lazy, err := c.call(fc.Argument(0), fc.Argument(1), fc.Argument(2), fc.Argument(3))
	if err != nil {
		common.Throw(rt, err)
	}
	return resultObject(rt, res, lazy)
}

// resultKeys are call()'s result properties, in the order scripts see
// them.
var resultKeys = []string{"httpStatus", "status", "reason", "failedData", "fault", "bodySize", "payload",
	"error", "errorCode", "calloutDuration", "violations", "duration"}

// lazyParts decodes a response's payload and failedData on demand; errMsg
// is set when the body turns out to be unreadable past its statusInfo.
type lazyParts func() (payload, failedData any, errMsg string)

// resultObject makes the JS result. With lazy, payload and failedData are
// getters that decode the body on first use (then keep the values), so an
// iteration that only checks status does not pay for the payload.
func resultObject(rt *sobek.Runtime, res map[string]any, lazy lazyParts) sobek.Value {
	o := rt.NewObject()
	for _, k := range resultKeys {
		if lazy != nil && (k == "payload" || k == "failedData") {
			continue
		}
		if err := o.Set(k, res[k]); err != nil {
			common.Throw(rt, err)
		}
	}
	if lazy == nil {
		return o
	}
	var payload, failed sobek.Value
	load := func() {
		if payload != nil {
			return
		}
		p, f, msg := lazy()
		payload, failed = rt.ToValue(p), rt.ToValue(f)
		if msg != "" {
			_ = o.Set("error", msg)
		}
	}
	for _, g := range []struct {
		name string
		v    *sobek.Value
	}{{"payload", &payload}, {"failedData", &failed}} {
		getter := rt.ToValue(func(sobek.FunctionCall) sobek.Value { load(); return *g.v })
		if err := o.DefineAccessorProperty(g.name, getter, nil, sobek.FLAG_TRUE, sobek.FLAG_TRUE); err != nil {
			common.Throw(rt, err)
		}
	}
	return o
}

// call builds the envelope, sends it through k6, parses the answer and
// records the FNO metrics. An error is thrown to the script only for
// mistakes in the script (unknown service, operation or payload key) and,
// when k6's throw option is on, for a failed request; everything the
// server answers is in the result.
func (c *client) call(svcV, opV, payloadV, paramsV sobek.Value) (map[string]any, lazyParts, error) {
	state, err := c.state()
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	service, operation := svcV.String(), opV.String()
	params, err := parseCallParams(paramsV, "tags", "timeout", "version", "validate")
	if err != nil {
		return nil, nil, fmt.Errorf("call(%s, %s): %w", service, operation, err)
	}
	version, ok := c.opts.versions[service]
	if params.hasVer {
		version = params.version
	} else if !ok {
		if version, ok = c.latest[service]; !ok {
			return nil, nil, fmt.Errorf("call: unknown service %q; bundled services are %s", service, serviceList(c.latest))
		}
	}
	sv, err := c.mi.root.schemas.get(service, version)
	if err != nil {
		return nil, nil, fmt.Errorf("call(%s, %s): %w", service, operation, err)
	}
	op, in, err := sv.op(operation)
	if err != nil {
		return nil, nil, fmt.Errorf("call: %w", err)
	}
	body, err := c.envelope(op, in, sv, payloadV)
	if err != nil {
		return nil, nil, err
	}
	hdr := make(http.Header, 4)
	hdr.Set("Content-Type", soap.ContentType)
	hdr.Set("SOAPAction", soap.SOAPAction)
	out, err := c.do(state, &request{
		method: http.MethodPost, url: c.opts.baseURL + op.Endpoint(), body: body, header: hdr,
		creds: c.opts.soapCreds, service: service, version: version.String(), operation: operation,
		params: params,
	})
	if err != nil {
		return nil, nil, err
	}

	res := map[string]any{
		"httpStatus": out.resp.Status, "status": "", "reason": "", "failedData": []any{},
		"fault": nil, "bodySize": len(out.body), "payload": nil,
		"error": out.resp.Error, "errorCode": out.resp.ErrorCode,
		"calloutDuration": nil, "violations": nil,
	}
	samples := make(metrics.Samples, 0, 4)
	var lazy lazyParts
	if out.resp.Error == "" {
		samples, lazy = c.readSOAP(res, out, sv, op, params, samples)
	}
	now := time.Now()
	// The same value as fno_operation_duration, so a script can relate it
	// to calloutDuration per request with sub-millisecond resolution.
	res["duration"] = ms(now.Sub(start))
	samples = append(samples, sample(c.mi.metrics.operationDuration, out.tags, now, res["duration"].(float64)))
	c.push(state, samples)
	return res, lazy, nil
}

// envelope encodes the request: an object becomes the payload in schema
// order, a string is sent as the payload element's XML, verbatim (for
// requests a test means to be odd), and nothing sends an empty request
// element.
func (c *client) envelope(op contract.Operation, in xmltree.Name, sv *serviceVersion, payloadV sobek.Value) ([]byte, error) {
	var payload any
	switch v := exportValue(payloadV).(type) {
	case nil:
		payload = &xmltree.Node{Name: in}
	case string:
		payload = v
	case map[string]any:
		n, err := soap.FromValue(in, v, sv.model)
		if err != nil {
			return nil, fmt.Errorf("call(%s, %s): %w", op.Service, op.Name, err)
		}
		payload = n
	default:
		return nil, fmt.Errorf("call(%s, %s): the payload must be an object (the content of %s) or a string of XML", op.Service, op.Name, in.Local)
	}
	b, err := soap.Marshal(op, payload, c.opts.soapCreds)
	if err != nil {
		return nil, fmt.Errorf("call(%s, %s): %w", op.Service, op.Name, err)
	}
	return b, nil
}

// readSOAP fills res from the response body and returns samples with the
// FNO metrics it gives rise to. A SUCCESS answer is read only up to its
// statusInfo (scanHead), and its payload and failedData are left to the
// returned lazyParts; anything else is decoded whole at once.
func (c *client) readSOAP(res map[string]any, out *outcome, sv *serviceVersion, op contract.Operation, params callParams, samples metrics.Samples) (metrics.Samples, lazyParts) {
	m := c.mi.metrics
	now := time.Now()
	if dur, ok := calloutTiming(out.resp.Headers["Server-Timing"]); ok {
		res["calloutDuration"] = dur
		samples = append(samples, sample(m.calloutDuration, out.tags, now, dur))
	}
	var lazy lazyParts
	if st, reason, ok := scanHead(out.body); ok && st == soap.StatusSuccess {
		res["status"], res["reason"] = string(st), reason
		lazy = func() (any, any, string) {
			parsed, err := soap.Parse(bytes.NewReader(out.body), xmltree.DefaultLimits)
			if err != nil {
				return nil, []any{}, notSOAP(out, err)
			}
			return payloadOf(parsed, sv), failedDataOf(parsed, sv), ""
		}
	} else {
		parsed, err := soap.Parse(bytes.NewReader(out.body), xmltree.DefaultLimits)
		if err != nil {
			res["error"] = notSOAP(out, err)
			return samples, nil
		}
		if f := parsed.Fault; f != nil {
			fault := map[string]any{"code": f.Code, "string": f.String, "actor": f.Actor, "detail": nil}
			if f.Detail != nil {
				fault["detail"] = soap.ToMap(f.Detail, nil)
			}
			res["fault"] = fault
			return append(samples, sample(m.soapFaults, out.tags, now, 1)), nil
		}
		if st := parsed.Status; st != nil {
			res["status"], res["reason"] = string(st.Status), st.Reason
			if st.Status != soap.StatusSuccess {
				failTags := out.tags
				failTags.Tags = failTags.Tags.With(TagStatus, string(st.Status))
				samples = append(samples, sample(m.statusFailures, failTags, now, 1))
			}
		}
		res["payload"], res["failedData"] = payloadOf(parsed, sv), failedDataOf(parsed, sv)
	}
	if c.shouldValidate(params) {
		samples = c.validate(res, out, op, samples, now)
	}
	return samples, lazy
}

// payloadOf is the response element's content as plain values, or nil.
func payloadOf(parsed *soap.Response, sv *serviceVersion) any {
	if parsed.Payload == nil {
		return nil
	}
	return soap.ToMap(parsed.Payload, sv.model)
}

// failedDataOf lists failedData's records for the script.
func failedDataOf(parsed *soap.Response, sv *serviceVersion) []any {
	fd := make([]any, len(parsed.Failed))
	for i, r := range parsed.Failed {
		rec := soap.ToMap(r.Node, sv.model)
		delete(rec, "reason")
		fd[i] = map[string]any{"element": r.Element, "path": r.Path, "reason": r.Reason, "record": rec}
	}
	return fd
}

func (c *client) shouldValidate(p callParams) bool {
	switch {
	case p.validate > 0:
		return true
	case p.validate < 0 || c.opts.sample <= 0:
		return false
	case c.opts.sample >= 1:
		return true
	}
	return c.rnd.Float64() < c.opts.sample
}

// validate checks the response envelope against the version's schema,
// lists the findings in res.violations and counts those of error severity.
func (c *client) validate(res map[string]any, out *outcome, op contract.Operation, samples metrics.Samples, now time.Time) metrics.Samples {
	fs, err := c.mi.root.valid.validate(op.Service, op.Version, out.body)
	if err != nil {
		// The check could not run (e.g. the schema did not compile): say
		// so in the result rather than count a violation that was not seen.
		res["error"] = fmt.Sprintf("validate the response against %s %s: %v", op.Service, op.Version, err)
		return samples
	}
	list := make([]any, len(fs))
	errs := 0
	for i, f := range fs {
		list[i] = map[string]any{"rule": f.Rule, "location": f.Location, "message": f.Message, "severity": f.Severity.String()}
		if f.Severity == contract.Error {
			errs++
		}
	}
	res["violations"] = list
	return append(samples, sample(c.mi.metrics.schemaViolations, out.tags, now, float64(errs)))
}

// notSOAP says why a response could not be read as SOAP: an HTTP error
// page (refused credentials, a proxy) is named by its status, a broken
// envelope by its contract rule; the body is never quoted.
func notSOAP(out *outcome, err error) string {
	st := out.resp.Status
	ct := mediaType(out.resp.Headers["Content-Type"])
	switch {
	case st == 401 || st == 403:
		return fmt.Sprintf("HTTP %d with a %s body, not a SOAP envelope: the credentials were refused; check options.auth", st, ct)
	case st >= 400 && !strings.Contains(ct, "xml"):
		return fmt.Sprintf("HTTP %d with a %s body, not a SOAP envelope", st, ct)
	}
	var se *soap.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("the response (HTTP %d) is not a SOAP envelope [%s]: %s", st, se.Rule, se.Msg)
	}
	return fmt.Sprintf("read the response (HTTP %d): %v", st, err)
}
