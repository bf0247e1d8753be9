package fno

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/lib"
	"go.k6.io/k6/metrics"

	"github.com/fnokit/fnokit/internal/soap"
)

// Service tag values of the REST helpers' samples (they have no version
// tag; operation is the OpenAPI operationId).
const (
	ServiceApplicationREST = "application"
	ServiceDataAccess      = "data-access"
)

// restRoute is one helper of client.rest, from schemas/rest/application.yaml.
type restRoute struct {
	method      string // JS name
	httpMethod  string
	path        string
	operationID string
}

// restRoutes are the application REST operations a load test drives
// (seed 001 lines 4171-5313); consumption takes its account as a query
// parameter (seed 001 lines 5315-5331).
var restRoutes = []restRoute{
	{"searchDevices", http.MethodPost, "/flexnet/operations/manageDevice/devices", "devices"},
	{"devicesCount", http.MethodPost, "/flexnet/operations/manageDevice/devicesCount", "devicesCount"},
	{"entitlementOrders", http.MethodPost, "/flexnet/operations/entitlementOrders", "entitlementOrders"},
	{"entitlementOrdersCount", http.MethodPost, "/flexnet/operations/entitlementOrders/count", "entitlementOrdersCount"},
	{"consumption", http.MethodGet, "/flexnet/operations/consumption", "consumption"},
}

// jsREST returns client.rest.<method>(body[, params]); consumption takes
// (accountId[, params]).
func (c *client) jsREST(r restRoute) func(sobek.FunctionCall) sobek.Value {
	return func(fc sobek.FunctionCall) sobek.Value {
		rt := c.mi.vu.Runtime()
		res, err := c.rest(r, fc.Argument(0), fc.Argument(1))
		if err != nil {
			common.Throw(rt, err)
		}
		return rt.ToValue(res)
	}
}

func (c *client) rest(r restRoute, argV, paramsV sobek.Value) (map[string]any, error) {
	state, err := c.state()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	params, err := parseCallParams(paramsV, "tags", "timeout")
	if err != nil {
		return nil, fmt.Errorf("rest.%s: %w", r.method, err)
	}
	req := &request{
		method: r.httpMethod, url: c.opts.baseURL + r.path, header: make(http.Header, 4),
		creds: c.opts.restCreds, service: ServiceApplicationREST, operation: r.operationID, params: params,
	}
	req.header.Set("Accept", "application/json")
	if r.httpMethod == http.MethodGet {
		acct, ok := exportValue(argV).(string)
		if !ok || acct == "" {
			return nil, fmt.Errorf("rest.%s(accountId): accountId must be a non-empty string", r.method)
		}
		req.url += "?accountId=" + url.QueryEscape(acct)
		req.name = c.opts.baseURL + r.path
	} else {
		body := exportValue(argV)
		if body == nil {
			body = map[string]any{}
		}
		if _, ok := body.(map[string]any); !ok {
			return nil, fmt.Errorf("rest.%s(body): body must be an object (the JSON request)", r.method)
		}
		if req.body, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("rest.%s(body): the body cannot be written as JSON: %w", r.method, err)
		}
		req.header.Set("Content-Type", "application/json")
	}
	out, err := c.do(state, req)
	if err != nil {
		return nil, err
	}
	res, samples := c.readJSON(out)
	now := time.Now()
	samples = append(samples, sample(c.mi.metrics.operationDuration, out.tags, now, ms(now.Sub(start))))
	c.push(state, samples)
	return res, nil
}

// readJSON makes the result of a REST exchange: the body as a JS value, and
// statusInfo (application REST) read out of it. A body that is not JSON is
// reported in error, with the HTTP status, never quoted.
func (c *client) readJSON(out *outcome) (map[string]any, metrics.Samples) {
	res := map[string]any{
		"httpStatus": out.resp.Status, "status": "", "reason": "", "failedData": nil,
		"body": nil, "bodySize": len(out.body), "error": out.resp.Error, "errorCode": out.resp.ErrorCode,
	}
	if out.resp.Error != "" || len(out.body) == 0 {
		return res, nil
	}
	if !isJSON(out.resp.Headers["Content-Type"]) {
		res["body"] = string(out.body)
		if out.resp.Status >= 400 {
			res["error"] = fmt.Sprintf("HTTP %d with a %s body", out.resp.Status, mediaType(out.resp.Headers["Content-Type"]))
		}
		return res, nil
	}
	var body any
	if err := json.Unmarshal(out.body, &body); err != nil {
		res["error"] = fmt.Sprintf("the response (HTTP %d) is not valid JSON", out.resp.Status)
		return res, nil
	}
	res["body"] = body
	obj, _ := body.(map[string]any)
	si, _ := obj["statusInfo"].(map[string]any)
	if si == nil {
		return res, nil
	}
	st, _ := si["status"].(string)
	res["status"] = st
	res["reason"], _ = si["reason"].(string)
	res["failedData"] = obj["failedData"]
	if st != "" && st != string(soap.StatusSuccess) {
		tags := out.tags
		tags.Tags = tags.Tags.With(TagStatus, st)
		return res, metrics.Samples{sample(c.mi.metrics.statusFailures, tags, time.Now(), 1)}
	}
	return res, nil
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt == "" {
		return "untyped"
	}
	return mt
}

func isJSON(ct string) bool {
	mt := mediaType(ct)
	return mt == "application/json" || (len(mt) > 5 && mt[len(mt)-5:] == "+json")
}

// get sends a GET through k6 for the Data Access helpers, with the
// client's REST credentials or the Data Access token.
func (c *client) get(state *lib.State, service, operation, rawURL, name string, auth soap.Credentials, params callParams) (*outcome, error) {
	req := &request{
		method: http.MethodGet, url: rawURL, header: make(http.Header, 2), creds: auth,
		service: service, operation: operation, name: name, params: params,
	}
	req.header.Set("Accept", "application/json")
	return c.do(state, req)
}
