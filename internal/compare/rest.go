package compare

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/internal/redact"
	"github.com/fnokit/fnokit/schemas"
)

// restRequest is one read request of the application REST API.
type restRequest struct {
	operation string // the OpenAPI operationId
	name      string // the case, lower-kebab
	method    string
	path      string
	query     url.Values
	body      any // JSON-encoded; nil for none
}

// restBatch is the batchSize of the REST list requests: big enough to page
// (so a target with a lower read limit answers differently, as it would a
// client), far below FNO's limit of 2000 (seed 001 lines 4162-4169).
const restBatch = 100

// restRequests are the read requests of the application API, built from
// the records (a request whose record is missing is left out: on both
// sides alike). Every route is a read: the POSTs are searches and counts.
func restRequests(rec conformance.Records) []restRequest {
	const (
		items       = "/flexnet/operations/entitlementOrders"
		itemsCount  = "/flexnet/operations/entitlementOrders/count"
		devices     = "/flexnet/operations/manageDevice/devices"
		devicesCnt  = "/flexnet/operations/manageDevice/devicesCount"
		consumption = "/flexnet/operations/consumption"
		health      = "/flexnet/operations/health/consumption"
	)
	eq := func(v string) map[string]any { return map[string]any{"value": v, "searchType": "EQUALS"} }
	rs := []restRequest{
		{"entitlementOrders", "first-page", http.MethodPost, items, nil, map[string]any{"batchSize": restBatch, "pageNumber": 1}},
		{"entitlementOrdersCount", "all", http.MethodPost, itemsCount, nil, map[string]any{}},
		{"devices", "first-page", http.MethodPost, devices, nil, map[string]any{"batchSize": restBatch, "pageNumber": 1}},
		{"devicesCount", "all", http.MethodPost, devicesCnt, nil, map[string]any{}},
		{"devicesCount", "servers", http.MethodPost, devicesCnt, nil, map[string]any{"queryParams": map[string]any{"isServer": true}}},
	}
	if id := rec.EntitlementID; id != "" {
		rs = append(rs, restRequest{"entitlementOrders", "by-entitlement", http.MethodPost, items, nil,
			map[string]any{"activatableItemSearchCriteria": map[string]any{"entitlementId": eq(id)}, "batchSize": restBatch, "pageNumber": 1}})
	}
	if len(rec.Clients) > 0 {
		flags := map[string]any{}
		for _, f := range []string{"alias", "description", "status", "servedStatus", "hostTypeName", "soldTo", "soldToOrgId",
			"channelPartners", "preBuiltLicense", "addOnActivationId", "addOnCounts", "addOnProduct", "addOnLicense",
			"addOnExpirationDateOverride", "addOnCreatedDate", "addOnLastModifiedDate", "publisherIdentity", "parent",
			"machineType", "vmDetails", "vmInfo", "vendorDictionary", "deviceUser", "updates"} {
			flags[f] = true
		}
		rs = append(rs, restRequest{"devices", "by-device", http.MethodPost, devices, nil,
			map[string]any{"queryParams": map[string]any{"deviceId": eq(rec.Clients[0].ID)}, "deviceResponseConfig": flags, "batchSize": restBatch, "pageNumber": 1}})
	}
	if a := rec.Account; a != nil {
		rs = append(rs,
			restRequest{"entitlementOrdersCount", "by-account", http.MethodPost, itemsCount, nil,
				map[string]any{"queryParams": map[string]any{"accountId": eq(a.ID)}}},
			restRequest{"consumption", "by-account", http.MethodGet, consumption, url.Values{"accountId": {a.ID}}, nil},
			restRequest{"consumptionHealth", "by-account", http.MethodGet, health, url.Values{"accountId": {a.ID}}, nil},
		)
	}
	return rs
}

// restValidator checks answers against the bundled application.yaml; the
// contract is embedded, so it is loaded once per process.
var restValidator = sync.OnceValues(func() (*openapi.Validator, error) {
	data, err := fs.ReadFile(schemas.FS(), "rest/"+RESTAPI+".yaml")
	if err != nil {
		return nil, err
	}
	doc, err := openapi.LoadBytes(data, "")
	if err != nil {
		return nil, fmt.Errorf("load the %s API contract: %w", RESTAPI, err)
	}
	return openapi.New(doc, openapi.Options{})
})

// restAnswer is one side's answer to a REST request.
type restAnswer struct {
	status   int
	header   http.Header
	body     []byte
	findings contract.Findings
	err      error
	took     time.Duration
}

// restParallel bounds the REST requests in flight per side.
const restParallel = 4

func compareREST(ctx context.Context, sides [2]*side, rec conformance.Records, opts Options) []Call {
	reqs := restRequests(rec)
	v, verr := restValidator()
	calls := make([]Call, len(reqs))
	done := make([]bool, len(reqs))
	var wg sync.WaitGroup
	sem := make(chan struct{}, restParallel)
	for i, r := range reqs {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			var ans [2]restAnswer
			var both sync.WaitGroup
			for j, s := range sides {
				both.Go(func() { ans[j] = sendREST(ctx, s, r, v) })
			}
			both.Wait()
			calls[i], done[i] = restCall(r, ans[0], ans[1], verr, opts), true
		})
	}
	wg.Wait()
	out := calls[:0]
	for i, c := range calls {
		if done[i] {
			out = append(out, c)
		}
	}
	return out
}

func sendREST(ctx context.Context, s *side, r restRequest, v *openapi.Validator) (a restAnswer) {
	start := time.Now()
	defer func() { a.took = time.Since(start) }()
	u := strings.TrimSuffix(s.ep.URL, "/") + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if r.body != nil {
		data, err := json.Marshal(r.body)
		if err != nil {
			a.err = err
			return a
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		a.err = fmt.Errorf("build the request: %w", err)
		return a
	}
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	s.ep.Credentials.Apply(req)
	resp, err := s.plain.Do(req)
	if err != nil {
		a.err = fmt.Errorf("HTTP: %w", err)
		return a
	}
	defer resp.Body.Close()
	a.status, a.header = resp.StatusCode, resp.Header
	a.body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		a.err = fmt.Errorf("read the response: %w", err)
		return a
	}
	if len(a.body) > maxBody {
		a.findings = contract.Findings{contract.New(contract.RuleBodyTooLarge, "", "", fmt.Sprintf("the response is larger than %d MiB", maxBody>>20))}
		a.body = nil
		return a
	}
	if v != nil {
		// The validator only routes req; its body was sent already.
		if fs, err := v.ValidateResponse(req, a.status, a.header, a.body); err == nil {
			a.findings = fs
		}
	}
	return a
}

func restCall(r restRequest, b, c restAnswer, verr error, opts Options) Call {
	call := Call{Protocol: "rest", Service: RESTAPI, Version: "v1", Operation: r.operation, Case: r.name,
		Baseline: b.answer(), Candidate: c.answer(), Duration: max(b.took, c.took)}
	if b.err != nil || c.err != nil {
		call.Err = sideErrors(b.err, c.err)
		return call
	}
	if verr != nil {
		call.Err = redact.Text("the REST contract could not be loaded: " + verr.Error())
		return call
	}
	d := &differ{max: opts.MaxDifferences, skip: map[string]bool{}}
	if b.status != c.status {
		d.add(Difference{Kind: StatusChanged, Level: Outcome, Location: "HTTP status", Message: "the HTTP status differs",
			Baseline: strconv.Itoa(b.status), Candidate: strconv.Itoa(c.status)})
	}
	k := golden.Key{Kind: golden.REST, Service: RESTAPI, Version: "v1", Operation: r.operation, Case: r.name}
	bv, berr := restValue(b.body, k, opts.Rules)
	cv, cerr := restValue(c.body, k, opts.Rules)
	if bs, cs := statusOfJSON(bv), statusOfJSON(cv); bs != cs {
		d.add(Difference{Kind: StatusChanged, Level: Outcome, Location: "/statusInfo/status", Message: "statusInfo/status differs",
			Baseline: bs, Candidate: cs})
		d.skip["/statusInfo/status"] = true
	}
	schemaDiff(d, b.findings, c.findings)
	if berr == nil && cerr == nil && bv != nil && cv != nil {
		d.json(bv, cv, "")
	}
	call.Differences, call.Omitted = d.out, d.omitted
	if call.Differs() {
		var bt, ct string
		if bv != nil {
			bt = prettyJSON(bv)
		}
		if cv != nil {
			ct = prettyJSON(cv)
		}
		call.Diff = diffText(call.ID(), bt, ct, opts.Context)
	}
	return call
}

func (a restAnswer) answer() Answer {
	out := Answer{HTTPStatus: a.status, Findings: len(a.findings)}
	if v, err := decodeJSON(a.body); err == nil {
		out.Status = statusOfJSON(v)
	}
	if a.err != nil {
		out.Err = redact.Text(a.err.Error())
	}
	return out
}

// restValue redacts, decodes and normalises a JSON answer; an empty body
// gives nil, nil.
func restValue(body []byte, k golden.Key, rules *golden.Rules) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	red, _ := redact.JSON(body)
	v, err := decodeJSON(red)
	if err != nil {
		return nil, err
	}
	return rules.NormalizeJSON(k, v), nil
}

func statusOfJSON(v any) string {
	m, _ := v.(map[string]any)
	si, _ := m["statusInfo"].(map[string]any)
	s, _ := si["status"].(string)
	return s
}
