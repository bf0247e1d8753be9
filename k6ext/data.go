package fno

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/lib"
	"go.k6.io/k6/metrics"

	"github.com/fnokit/fnokit/internal/soap"
)

// Data Access API paths and limits (schemas/rest/data-access.yaml, seed 001
// lines 2121-2460).
const (
	dataAuthPath   = "/data/api/v1/authenticate"
	dataReportPath = "/data/api/v1/report/"
	// dataTokenRenewAt is when the client renews its JWT, a little before
	// the documented 60 minutes (seed 001 lines 2259-2270).
	dataTokenRenewAt = 55 * time.Minute
	// defaultMaxPages and maxMaxPages bound how far report() follows
	// nextPageURL: every loop has a bound.
	defaultMaxPages = 100
	maxMaxPages     = 10000
)

// dataGroups are the report groups (ReportGroup enum) with the operationId
// of their report, which tags the samples.
var dataGroups = map[string]string{
	"account":         "getAccountReport",
	"user":            "getUserReport",
	"entitlement":     "getEntitlementReport",
	"device":          "getDeviceReport",
	"served-device":   "getServedDeviceReport",
	"product-feature": "getProductFeatureReport",
	"fulfillment":     "getFulfillmentReport",
}

// dataSession holds the JWT from data.authenticate(), per client (so per
// VU). The token is never returned to the script or logged.
type dataSession struct {
	token  string
	issued time.Time
}

func (c *client) jsDataAuthenticate(fc sobek.FunctionCall) sobek.Value {
	rt := c.mi.vu.Runtime()
	res, err := c.dataAuthenticate(fc.Argument(0))
	if err != nil {
		common.Throw(rt, err)
	}
	return rt.ToValue(res)
}

// dataAuthenticate exchanges the client's user and password for a JWT and
// keeps it for the following data.report() calls.
func (c *client) dataAuthenticate(paramsV sobek.Value) (map[string]any, error) {
	state, err := c.state()
	if err != nil {
		return nil, err
	}
	if !c.opts.hasPassword {
		return nil, errors.New("data.authenticate() needs options.auth basic or soapHeader (a user and password); a token client sends its token to the Data Access API as it is")
	}
	params, err := parseCallParams(paramsV, "tags", "timeout")
	if err != nil {
		return nil, fmt.Errorf("data.authenticate: %w", err)
	}
	res, samples, err := c.authenticateOnce(state, params)
	if err != nil {
		return nil, err
	}
	c.push(state, samples)
	return res, nil
}

func (c *client) authenticateOnce(state *lib.State, params callParams) (map[string]any, metrics.Samples, error) {
	start := time.Now()
	out, err := c.get(state, ServiceDataAccess, "dataAccessAuthenticate", c.opts.baseURL+dataAuthPath, "", c.opts.restCreds, params)
	if err != nil {
		return nil, nil, err
	}
	res := map[string]any{"httpStatus": out.resp.Status, "ok": false, "bodySize": len(out.body),
		"error": out.resp.Error, "errorCode": out.resp.ErrorCode}
	if out.resp.Error == "" {
		switch tok, err := readToken(out); {
		case err != nil:
			res["error"] = err.Error()
		default:
			c.data = dataSession{token: tok, issued: time.Now()}
			res["ok"] = true
		}
	}
	now := time.Now()
	return res, metrics.Samples{sample(c.mi.metrics.operationDuration, out.tags, now, ms(now.Sub(start)))}, nil
}

// readToken takes the JWT out of an authenticate response: a JSON object
// {token} or the bare token as text (DA-2 in the contract allows both).
func readToken(out *outcome) (string, error) {
	if out.resp.Status != 200 {
		return "", fmt.Errorf("authenticate answered HTTP %d", out.resp.Status)
	}
	tok := strings.TrimSpace(string(out.body))
	if isJSON(out.resp.Headers["Content-Type"]) {
		var b struct {
			Token string `json:"token"`
		}
		if err := json.Unmarshal(out.body, &b); err != nil {
			return "", errors.New("the authenticate response is not valid JSON")
		}
		tok = b.Token
	}
	if strings.Count(tok, ".") != 2 || strings.ContainsAny(tok, " \t\r\n\"") {
		return "", errors.New("the authenticate response holds no JWT")
	}
	return tok, nil
}

func (c *client) jsDataReport(fc sobek.FunctionCall) sobek.Value {
	rt := c.mi.vu.Runtime()
	res, err := c.dataReport(fc.Argument(0), fc.Argument(1))
	if err != nil {
		common.Throw(rt, err)
	}
	return rt.ToValue(res)
}

// reportParams are data.report()'s second argument.
type reportParams struct {
	query    url.Values
	maxPages int
	keep     bool
	call     callParams
}

var reportFilterKeys = []string{"dateFrom", "dateTo", "limitRecords", "mode", "pastDays", "pageNumber"}

func parseReportParams(v sobek.Value) (reportParams, error) {
	p := reportParams{query: url.Values{}, maxPages: defaultMaxPages, keep: true}
	raw := exportValue(v)
	if raw == nil {
		return p, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return p, errors.New("params must be an object such as {pastDays: 7, query: {accountID: {$eq: 'ACME'}}}")
	}
	allowed := append([]string{"format", "query", "maxPages", "keep", "tags", "timeout"}, reportFilterKeys...)
	if err := knownKeys("params", m, allowed...); err != nil {
		return p, err
	}
	for _, k := range reportFilterKeys {
		switch x := m[k].(type) {
		case nil:
		case string:
			p.query.Set(k, x)
		case int64:
			p.query.Set(k, strconv.FormatInt(x, 10))
		case float64:
			p.query.Set(k, strconv.FormatFloat(x, 'f', -1, 64))
		default:
			return p, fmt.Errorf("params.%s must be a string or a number", k)
		}
	}
	if f, ok := m["format"]; ok && f != nil && f != "json" {
		return p, errors.New("params.format: report() reads the JSON pages (their header carries the paging); only 'json' is supported")
	}
	if q := m["query"]; q != nil {
		if _, ok := q.(map[string]any); !ok {
			return p, errors.New("params.query must be an object of group filters such as {accountID: {$eq: 'ACME'}}")
		}
		b, err := json.Marshal(q)
		if err != nil {
			return p, fmt.Errorf("params.query cannot be written as JSON: %w", err)
		}
		p.query.Set("query", string(b))
	}
	if mp, ok := m["maxPages"]; ok && mp != nil {
		n, ok := number(mp)
		if !ok || n < 1 || n > maxMaxPages || n != float64(int(n)) {
			return p, fmt.Errorf("params.maxPages must be a whole number from 1 to %d", maxMaxPages)
		}
		p.maxPages = int(n)
	}
	if k, ok := m["keep"]; ok && k != nil {
		b, ok := k.(bool)
		if !ok {
			return p, errors.New("params.keep must be a boolean (false: count the records without keeping them)")
		}
		p.keep = b
	}
	var err error
	if p.call.tags, err = parseTags("params.tags", m["tags"]); err != nil {
		return p, err
	}
	if t, ok := m["timeout"]; ok && t != nil {
		if p.call.timeout, err = parseTimeout("params.timeout", t); err != nil {
			return p, err
		}
	}
	return p, nil
}

// dataReport reads one report group, following the header's nextPageURL
// (seed 001 lines 2364-2394) up to maxPages. Paging stays on the client's
// baseURL: only the query of nextPageURL (requestID, pageNumber and the
// original filters) is taken, so a load test cannot be led to another host.
func (c *client) dataReport(groupV, paramsV sobek.Value) (map[string]any, error) {
	state, err := c.state()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	group := groupV.String()
	opID, ok := dataGroups[group]
	if !ok {
		return nil, fmt.Errorf("data.report: unknown group %q; groups are account, user, entitlement, device, served-device, product-feature, fulfillment", group)
	}
	p, err := parseReportParams(paramsV)
	if err != nil {
		return nil, fmt.Errorf("data.report(%s): %w", group, err)
	}
	var samples metrics.Samples
	if c.data.token != "" && c.opts.hasPassword && time.Since(c.data.issued) > dataTokenRenewAt {
		res, s, err := c.authenticateOnce(state, p.call)
		if err != nil {
			return nil, err
		}
		samples = append(samples, s...)
		if ok, _ := res["ok"].(bool); !ok {
			c.data = dataSession{} // fall back to the user and password
		}
	}
	auth := c.opts.restCreds
	if c.data.token != "" {
		auth = soap.Bearer(c.data.token)
	}

	base := c.opts.baseURL + dataReportPath + group
	next := base
	if enc := p.query.Encode(); enc != "" {
		next += "?" + enc
	}
	res := map[string]any{"httpStatus": 0, "pages": 0, "recordCount": 0, "records": nil,
		"totalRecords": nil, "totalPages": nil, "bodySize": 0, "truncated": false, "error": "", "errorCode": 0}
	var (
		records []any
		count   int
		size    int
		tags    metrics.TagsAndMeta
		seen    = map[string]bool{}
	)
	for page := 0; next != ""; page++ {
		if page == p.maxPages {
			res["truncated"] = true
			break
		}
		seen[next] = true
		out, err := c.get(state, ServiceDataAccess, opID, next, base, auth, p.call)
		if err != nil {
			return nil, err
		}
		tags = out.tags
		size += len(out.body)
		res["httpStatus"], res["pages"] = out.resp.Status, page+1
		body, errMsg := readReportPage(out)
		if errMsg != "" {
			res["error"], res["errorCode"] = errMsg, out.resp.ErrorCode
			break
		}
		data, _ := body["data"].([]any)
		count += len(data)
		if p.keep {
			records = append(records, data...)
		}
		hdr, _ := body["header"].(map[string]any)
		if page == 0 && hdr != nil {
			res["totalRecords"], res["totalPages"] = hdr["recordCount"], hdr["totalPages"]
		}
		next = ""
		if s, _ := hdr["nextPageURL"].(string); s != "" {
			u, err := url.Parse(s)
			if err != nil || u.RawQuery == "" {
				res["error"] = "the report header's nextPageURL is not a URL with a query; paging stopped"
				break
			}
			next = base + "?" + u.RawQuery
			if seen[next] {
				res["error"] = "the report header's nextPageURL points to a page already read; paging stopped"
				next = ""
			}
		}
	}
	res["recordCount"], res["bodySize"] = count, size
	if p.keep {
		if records == nil {
			records = []any{}
		}
		res["records"] = records
	}
	now := time.Now()
	samples = append(samples, sample(c.mi.metrics.operationDuration, tags, now, ms(now.Sub(start))))
	c.push(state, samples)
	return res, nil
}

// readReportPage decodes one JSON page, or says why it could not (without
// quoting the body).
func readReportPage(out *outcome) (map[string]any, string) {
	if out.resp.Error != "" {
		return nil, out.resp.Error
	}
	if out.resp.Status != 200 {
		return nil, fmt.Sprintf("the report page answered HTTP %d", out.resp.Status)
	}
	if !isJSON(out.resp.Headers["Content-Type"]) {
		return nil, fmt.Sprintf("the report page is %s, not JSON", mediaType(out.resp.Headers["Content-Type"]))
	}
	var body map[string]any
	if err := json.Unmarshal(out.body, &body); err != nil {
		return nil, "the report page is not a valid JSON object"
	}
	return body, ""
}
