package openapi

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
)

// The vendor's entitlement ID pattern, enforced in a response: each invalid
// ID gives a body-schema finding at its JSON Pointer, valid ones none.
func TestResponseEntitlementIDPattern(t *testing.T) {
	t.Parallel()
	v := fnoValidator(t)
	cases := []struct {
		id    string
		valid bool
	}{
		{"ent-id-1234", true},
		{"K_Ent2", true},
		{"ENT 2025.01,a_b-c", true},
		{"Entitlement-ÄÖÜ", true},
		{strings.Repeat("x", 255), true},
		{"", false},
		{"   ", false},
		{"\t", false},
		{strings.Repeat("x", 256), false}, // maxLength
		{"a\nb", false},
	}
	for _, c := range "'\"&%^()#@!~/<>`{}=|" {
		cases = append(cases, struct {
			id    string
			valid bool
		}{"ent" + string(c) + "1", false})
	}
	for _, c := range cases {
		// The ID under test is the second of three items, to check the index.
		body := ordersBody(t, item(0, "OK-0"), item(1, c.id), item(2, "OK-2"))
		fs, err := v.ValidateResponse(ordersRequest(), 200, jsonHeader, body)
		if err != nil {
			t.Fatal(err)
		}
		if c.valid {
			if len(fs) != 0 {
				t.Errorf("valid ID %q: unexpected findings %v", c.id, fs)
			}
			continue
		}
		if len(fs) != 1 || !hasFinding(fs, contract.RuleOpenAPIBodySchema, "/activatableItem/1/entitlementId") {
			t.Errorf("invalid ID %q: want one body-schema finding at /activatableItem/1/entitlementId, got %v", c.id, fs)
		}
	}
}

// All violations of a body are reported, not just the first.
func TestResponseReportsAllErrors(t *testing.T) {
	t.Parallel()
	v := fnoValidator(t)
	bad1 := item(1, "bad/one")
	bad3 := item(3, "")
	bad3["entitlementState"] = "GONE"
	data := bad3["activatableItemData"].(map[string]any)
	data["numberOfCopies"] = -1
	data["activationId"] = map[string]any{"id": "act<1>"}
	bad4 := item(4, "ok")
	delete(bad4, "activatableItemType")
	body := ordersBody(t, item(0, "ok"), bad1, item(2, "ok"), bad3, bad4)
	fs, err := v.ValidateResponse(ordersRequest(), 200, jsonHeader, body)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/activatableItem/1/entitlementId",
		"/activatableItem/3/activatableItemData/activationId/id",
		"/activatableItem/3/activatableItemData/numberOfCopies",
		"/activatableItem/3/entitlementId",
		"/activatableItem/3/entitlementState",
		"/activatableItem/4/activatableItemType",
	}
	got := locations(byRule(fs, contract.RuleOpenAPIBodySchema))
	if !slices.Equal(got, want) {
		t.Fatalf("locations:\n got %q\nwant %q\nfindings: %v", got, want, fs)
	}
	if len(fs) != len(want) {
		t.Errorf("unexpected extra findings: %v", fs)
	}
	for _, f := range fs {
		if f.Location == "/activatableItem/4/activatableItemType" && !strings.Contains(f.Message, `"activatableItemType" is missing`) {
			t.Errorf("missing property finding does not name it: %s", f)
		}
	}
}

func TestResponseStatusMediaTypeAndHeaders(t *testing.T) {
	t.Parallel()
	v := fnoValidator(t)
	report := func() *http.Request {
		return httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/data/api/v1/report/device?mode=BATCH", nil)
	}
	okReport := []byte(`{"header":{"recordCount":-1,"totalPages":-1},"data":[{"deviceID":"D1"}]}`)
	withID := func(ct, id string) http.Header {
		h := http.Header{"Content-Type": {ct}}
		if id != "" {
			h.Set("X-Request-Id", id)
		}
		return h
	}
	cases := []struct {
		name   string
		req    *http.Request
		status int
		header http.Header
		body   []byte
		rule   string // "" for no findings
		loc    string
	}{
		{"valid report", report(), 200, withID("application/json", "cV9yYzotMQ=="), okReport, "", ""},
		{"csv report", report(), 200, withID("text/csv", "abc"), []byte("accountID,accountName\n1,ACME\n"), "", ""},
		{"undeclared status", report(), 500, withID("application/json", "abc"), okReport, contract.RuleOpenAPIStatus, ""},
		{"undeclared media type", report(), 200, withID("text/html", "abc"), []byte("<html/>"), contract.RuleOpenAPIMediaType, "/header/Content-Type"},
		{"missing required header", report(), 200, withID("application/json", ""), okReport, contract.RuleOpenAPIResponse, "/header/X-Request-Id"},
		{"header breaks pattern", report(), 200, withID("application/json", "a b"), okReport, contract.RuleOpenAPIResponse, "/header/X-Request-Id"},
		{"body breaks schema", report(), 200, withID("application/json", "abc"), []byte(`{"header":{"recordCount":"many","totalPages":1},"data":[]}`), contract.RuleOpenAPIBodySchema, "/header/recordCount"},
		{"declared status without content", ordersRequest(), 401, nil, nil, "", ""},
		{"no route", httptest.NewRequest(http.MethodGet, "/flexnet/operations/nothing", nil), 200, nil, nil, contract.RuleOpenAPINoRoute, ""},
		{"method not declared", httptest.NewRequest(http.MethodDelete, "/flexnet/operations/entitlementOrders", nil), 200, nil, nil, contract.RuleOpenAPINoRoute, ""},
	}
	for _, c := range cases {
		fs, err := v.ValidateResponse(c.req, c.status, c.header, c.body)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.rule == "" {
			if len(fs) != 0 {
				t.Errorf("%s: unexpected findings %v", c.name, fs)
			}
			continue
		}
		if len(fs) != 1 || fs[0].Rule != c.rule || fs[0].Location != c.loc {
			t.Errorf("%s: want one %s finding at %q, got %v", c.name, c.rule, c.loc, fs)
		}
	}
}

func TestAllowUndeclaredStatus(t *testing.T) {
	t.Parallel()
	v := newValidator(t, "testdata/fno-rest.yaml", Options{AllowUndeclaredStatus: true})
	fs, err := v.ValidateResponse(ordersRequest(), 503, nil, []byte("down"))
	if err != nil || len(fs) != 0 {
		t.Fatalf("with AllowUndeclaredStatus a 503 passes; got %v, %v", fs, err)
	}
}

func TestRequestParameters(t *testing.T) {
	t.Parallel()
	v := fnoValidator(t)
	cases := []struct {
		target string
		loc    string // "" for a valid request
	}{
		{"/data/api/v1/report/device?mode=INTERACTIVE&limitRecords=100&pageNumber=2&dateFrom=2020-01-28", ""},
		{"/data/api/v1/report/served-device", ""},
		{"/data/api/v1/report/device?pageNumber=0", "/query/pageNumber"},
		{"/data/api/v1/report/device?limitRecords=2501", "/query/limitRecords"},
		{"/data/api/v1/report/device?limitRecords=lots", "/query/limitRecords"},
		{"/data/api/v1/report/device?mode=FAST", "/query/mode"},
		{"/data/api/v1/report/device?dateFrom=2020-1-28", "/query/dateFrom"},
		{"/data/api/v1/report/devices", "/path/group"},
		{"/entitlements-api/v1/entitlements?activationId=act%2F1", "/query/activationId"},
		{"/entitlements-api/v1/entitlements?activationId=%20%20", "/query/activationId"},
		{"/entitlements-api/v1/entitlements?activationId=act-1&page=0&limit=10", ""},
	}
	for _, c := range cases {
		req := httptest.NewRequest(http.MethodGet, "https://uat.example"+c.target, nil)
		fs, err := v.ValidateRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		if c.loc == "" {
			if len(fs) != 0 {
				t.Errorf("%s: unexpected findings %v", c.target, fs)
			}
			continue
		}
		if len(fs) != 1 || !hasFinding(fs, contract.RuleOpenAPIParameter, c.loc) {
			t.Errorf("%s: want one parameter finding at %s, got %v", c.target, c.loc, fs)
		}
	}
}

func TestRequestBodies(t *testing.T) {
	t.Parallel()
	v := fnoValidator(t)
	const create = "/entitlements-api/v1/entitlement"
	cases := []struct {
		name, path, ct, body string
		want                 map[string]string // location -> rule
	}{
		{"valid search", "/flexnet/operations/entitlementOrders", "application/json",
			`{"activatableItemSearchCriteria":{"entitlementId":{"value":"K_","searchType":"STARTS_WITH"}},"batchSize":2000,"pageNumber":1}`, nil},
		{"batch over the read limit", "/flexnet/operations/entitlementOrders", "application/json",
			`{"activatableItemSearchCriteria":{},"batchSize":2001}`,
			map[string]string{"/batchSize": contract.RuleOpenAPIBodySchema}},
		{"batch missing and bad search type", "/flexnet/operations/entitlementOrders", "application/json",
			`{"activatableItemSearchCriteria":{"productName":{"value":"x","searchType":"LIKE"}}}`,
			map[string]string{"/batchSize": contract.RuleOpenAPIBodySchema, "/activatableItemSearchCriteria/productName/searchType": contract.RuleOpenAPIBodySchema}},
		{"device search", "/flexnet/operations/manageDevice/devices", "application/json",
			`{"queryParams":{"deviceId":{"value":"HV195","searchType":"EQUALS"},"status":"ACTIVE"},"batchSize":100}`, nil},
		{"no body", "/flexnet/operations/manageDevice/devices", "application/json", "",
			map[string]string{"": contract.RuleOpenAPIRequest}},
		{"wrong content type", "/flexnet/operations/manageDevice/devices", "text/plain", "batchSize=1",
			map[string]string{"/header/Content-Type": contract.RuleOpenAPIMediaType}},
		{"valid entitlement", create, "application/json",
			`{"entitlementId":"ent-id-1234","shipToAddress":"Building-Street-City","emailTemplateVariation":"DEFAULT","lineItems":[{"activationId":"act-id-1234","product":[{"productName":"P","productVersion":"1.0"}],"startDate":"2025-01-01"}]}`, nil},
		{"entitlement breaks every pattern", create, "application/json",
			`{"entitlementId":" ","shipToAddress":"12 Main St.","emailTemplateVariation":"  ","lineItems":[{"activationId":"a@b","product":[],"startDate":"01/01/2025"}]}`,
			map[string]string{
				"/entitlementId":            contract.RuleOpenAPIBodySchema,
				"/shipToAddress":            contract.RuleOpenAPIBodySchema,
				"/emailTemplateVariation":   contract.RuleOpenAPIBodySchema,
				"/lineItems/0/activationId": contract.RuleOpenAPIBodySchema,
				"/lineItems/0/startDate":    contract.RuleOpenAPIBodySchema,
			}},
	}
	for _, c := range cases {
		req := httptest.NewRequest(http.MethodPost, c.path, strings.NewReader(c.body))
		req.Header.Set("Content-Type", c.ct)
		fs, err := v.ValidateRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, f := range fs {
			got[f.Location] = f.Rule
		}
		if len(fs) != len(c.want) || len(c.want) > 0 && !mapsEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, fs, c.want)
		}
		// The handler after a middleware still gets the whole body.
		rest, _ := io.ReadAll(req.Body)
		if string(rest) != c.body {
			t.Errorf("%s: request body not restored: %q", c.name, rest)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestRequestCredentials(t *testing.T) {
	t.Parallel()
	lax := fnoValidator(t)
	strict := newValidator(t, "testdata/fno-rest.yaml", Options{RequireCredentials: true})
	report := "/data/api/v1/report/device"
	cases := []struct {
		auth       string
		laxOK      bool
		strictOK   bool
		path       string
		wantInText string
	}{
		{"", true, false, report, "bearer"},
		{"Basic YWxpY2U6cGFzc3dvcmQ=", true, false, report, "bearer"},
		{"Bearer eyJhbGciOi.fake.token", true, true, report, ""},
		{"Bearer ", true, false, report, "bearer"},
		{"", true, false, "/entitlements-api/v1/entitlements", "bearer"},
	}
	for _, c := range cases {
		for _, side := range []struct {
			v  *Validator
			ok bool
		}{{lax, c.laxOK}, {strict, c.strictOK}} {
			req := httptest.NewRequest(http.MethodGet, c.path, nil)
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			fs, err := side.v.ValidateRequest(req)
			if err != nil {
				t.Fatal(err)
			}
			if side.ok {
				if len(fs) != 0 {
					t.Errorf("auth %q (strict=%v): unexpected %v", c.auth, side.v == strict, fs)
				}
				continue
			}
			if len(fs) != 1 || fs[0].Rule != contract.RuleOpenAPISecurity || !strings.Contains(fs[0].Message, c.wantInText) {
				t.Errorf("auth %q: want one security finding naming %q, got %v", c.auth, c.wantInText, fs)
			}
			if strings.Contains(fmt.Sprint(fs), "YWxpY2U") {
				t.Errorf("a credential leaked into %v", fs)
			}
		}
	}
	// Basic credentials satisfy the operations secured by basicAuth.
	req := ordersRequest()
	req.Header.Set("Authorization", "Basic YWxpY2U6cGFzc3dvcmQ=")
	if fs, err := strict.ValidateRequest(req); err != nil || len(fs) != 0 {
		t.Errorf("basic auth on a basicAuth operation: %v %v", fs, err)
	}
}

func TestValidateExchange(t *testing.T) {
	t.Parallel()
	v := fnoValidator(t)
	body := ordersBody(t, item(0, "K_Ent2"), item(1, "bad#id"))
	reqBody := `{"activatableItemSearchCriteria":{},"batchSize":5000}`
	rawReq := "POST /flexnet/operations/entitlementOrders HTTP/1.1\r\nHost: flex1001-uat.flexnetoperations.com\r\n" +
		"Content-Type: application/json\r\nAuthorization: Basic c2VjcmV0\r\nContent-Length: " + strconv.Itoa(len(reqBody)) + "\r\n\r\n" + reqBody
	rawResp := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n" + string(body)
	ef, err := v.ValidateExchange([]byte(rawReq), []byte(rawResp))
	if err != nil {
		t.Fatal(err)
	}
	if len(ef.Request) != 1 || !hasFinding(ef.Request, contract.RuleOpenAPIBodySchema, "/batchSize") {
		t.Errorf("request findings: %v", ef.Request)
	}
	if len(ef.Response) != 1 || !hasFinding(ef.Response, contract.RuleOpenAPIBodySchema, "/activatableItem/1/entitlementId") {
		t.Errorf("response findings: %v", ef.Response)
	}
	if !ef.HasErrors() {
		t.Error("HasErrors is false with errors on both sides")
	}
	if _, err := v.ValidateExchange([]byte("not http"), []byte(rawResp)); err == nil {
		t.Error("an unparsable recording must be an error")
	}
}

// kin-openapi returns at the first bad response header; the body is still
// checked and its violations reported alongside.
func TestResponseBadHeaderDoesNotHideBody(t *testing.T) {
	t.Parallel()
	v := fnoValidator(t)
	req := httptest.NewRequest(http.MethodGet, "/data/api/v1/report/account", nil)
	h := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"not valid"}}
	fs, err := v.ValidateResponse(req, 200, h, []byte(`{"header":{"recordCount":"x","totalPages":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct{ rule, loc string }{
		{contract.RuleOpenAPIResponse, "/header/X-Request-Id"},
		{contract.RuleOpenAPIBodySchema, "/header/recordCount"},
		{contract.RuleOpenAPIBodySchema, "/data"},
	} {
		if !hasFinding(fs, want.rule, want.loc) {
			t.Errorf("no %s finding at %s in %v", want.rule, want.loc, fs)
		}
	}
}
