package openapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
)

func TestHostileResponseBodies(t *testing.T) {
	t.Parallel()
	small := newValidator(t, "testdata/fno-rest.yaml", Options{MaxBodyBytes: 4096})
	v := fnoValidator(t)
	deep := strings.Repeat("[", 10000) + strings.Repeat("]", 10000)
	cases := []struct {
		name string
		v    *Validator
		body []byte
		rule string
		msg  string
	}{
		{"over the size cap", small, benchBody(t), contract.RuleBodyTooLarge, "4096"},
		{"malformed JSON", v, []byte(`{"statusInfo":{"status":"SUCCESS"},"activatableItem":[{]}`), contract.RuleJSONMalformed, "byte offset 56 (line 1, column 57)"},
		{"truncated JSON", v, []byte(`{"statusInfo":{"status":"SUCC`), contract.RuleJSONMalformed, "not well-formed"},
		{"empty body", v, nil, contract.RuleJSONMalformed, "not well-formed"},
		{"10,000-deep arrays", v, []byte(`{"statusInfo":{"status":"SUCCESS"},"activatableItem":` + deep + `}`), contract.RuleJSONTooDeep, "256"},
		{"10,000-deep objects", v, []byte(strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000)), contract.RuleJSONTooDeep, "256"},
		{"brackets inside strings do not count", v, bracketsInString(t), "", ""},
		{"invalid UTF-8", v, []byte("{\"statusInfo\":{\"status\":\"SUCCESS\"},\"activatableItem\":[{\"entitlementId\":\"\xff\xfe\"}]}"), contract.RuleJSONMalformed, "UTF-8"},
	}
	for _, c := range cases {
		fs, err := c.v.ValidateResponse(ordersRequest(), 200, jsonHeader, c.body)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.rule == "" {
			if len(fs) != 0 {
				t.Errorf("%s: unexpected findings %v", c.name, fs)
			}
			continue
		}
		if len(fs) != 1 || fs[0].Rule != c.rule || !strings.Contains(fs[0].Message, c.msg) {
			t.Errorf("%s: want one %s finding mentioning %q, got %v", c.name, c.rule, c.msg, fs)
		}
	}
}

func TestHostileRequestBodies(t *testing.T) {
	t.Parallel()
	small := newValidator(t, "testdata/fno-rest.yaml", Options{MaxBodyBytes: 64, MaxDepth: 4})
	cases := []struct {
		name, body, rule string
	}{
		{"over the size cap", `{"activatableItemSearchCriteria":{},"batchSize":100,"pageNumber":1000000000000}`, contract.RuleBodyTooLarge},
		{"too deep", `{"activatableItemSearchCriteria":{"a":[[[[1]]]]},"batchSize":1}`, contract.RuleJSONTooDeep},
		{"malformed", `{"batchSize":1,}`, contract.RuleJSONMalformed},
		{"invalid UTF-8", "{\"batchSize\":1,\"x\":\"\xc3\x28\"}", contract.RuleJSONMalformed},
	}
	for _, c := range cases {
		req := httptest.NewRequest(http.MethodPost, "/flexnet/operations/entitlementOrders", strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		fs, err := small.ValidateRequest(req)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(byRule(fs, c.rule)) != 1 {
			t.Errorf("%s: want a %s finding, got %v", c.name, c.rule, fs)
		}
		if len(byRule(fs, contract.RuleOpenAPIBodySchema)) != 0 {
			t.Errorf("%s: a body that failed the pre-checks was still schema-checked: %v", c.name, fs)
		}
		if rest, _ := io.ReadAll(req.Body); string(rest) != c.body {
			t.Errorf("%s: request body not handed back intact", c.name)
		}
	}
}

// A catastrophically backtracking pattern in a document yields a finding
// that says the check timed out, instead of a hang.
func TestResponsePatternTimeoutIsAFinding(t *testing.T) {
	t.Parallel()
	doc := []byte(`openapi: 3.0.3
info: {title: redos, version: '1'}
paths:
  /codes:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  code:
                    type: string
                    pattern: '^(b+)+$'
`)
	d, err := LoadBytes(doc, "")
	if err != nil {
		t.Fatal(err)
	}
	v, err := New(d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"code":"` + strings.Repeat("b", 40) + `!"}`)
	fs, err := v.ValidateResponse(httptest.NewRequest(http.MethodGet, "/codes", nil), 200, jsonHeader, body)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Location != "/code" || !strings.Contains(fs[0].Message, "timed out") {
		t.Fatalf("want one timed-out pattern finding at /code, got %v", fs)
	}
}

// No finding may carry a value from the message, whatever keyword it
// breaks: the secret below is put in every place a value can fail.
func TestFindingsNeverEchoValues(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-S3cr3t-T0ken"
	v := fnoValidator(t)
	var all contract.Findings
	add := func(fs contract.Findings, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) == 0 {
			t.Error("a bad value gave no finding: the test would prove nothing")
		}
		all = append(all, fs...)
	}

	it := item(0, secret+"&")       // pattern
	it["entitlementState"] = secret // enum
	it["soldTo"] = map[string]any{} // type, with the secret nearby
	data := it["activatableItemData"].(map[string]any)
	data["numberOfCopies"] = secret                                                // type
	data["isPermanent"] = secret                                                   // type
	data["startDate"] = secret                                                     // type with format
	data["activationId"] = map[string]any{"id": secret + strings.Repeat("x", 300)} // maxLength
	it[secret] = "unknown properties are allowed, but must not be named in messages either"
	add(v.ValidateResponse(ordersRequest(), 200, jsonHeader, ordersBody(t, it)))

	// Malformed JSON around the secret.
	add(v.ValidateResponse(ordersRequest(), 200, jsonHeader, []byte(`{"statusInfo":{"status":"`+secret+`"`)))
	add(v.ValidateResponse(ordersRequest(), 200, jsonHeader, []byte(`{"statusInfo":`+secret+`}`)))

	// Parameters and headers.
	for _, q := range []string{"limitRecords=" + secret, "mode=" + secret, "dateFrom=" + secret, "pageNumber=" + secret + "1"} {
		add(v.ValidateRequest(httptest.NewRequest(http.MethodGet, "/data/api/v1/report/device?"+q, nil)))
	}
	add(v.ValidateRequest(httptest.NewRequest(http.MethodGet, "/data/api/v1/report/"+secret, nil)))
	h := http.Header{"Content-Type": {"application/json; charset=" + secret}, "X-Request-Id": {secret + " !"}}
	add(v.ValidateResponse(httptest.NewRequest(http.MethodGet, "/data/api/v1/report/device", nil), 200, h, []byte(`{"header":{"recordCount":1,"totalPages":1},"data":[]}`)))
	add(v.ValidateResponse(httptest.NewRequest(http.MethodGet, "/data/api/v1/report/device", nil), 200, http.Header{"Content-Type": {"text/" + secret}}, nil))

	// Request body, with credentials required and a secret token present.
	strict := newValidator(t, "testdata/fno-rest.yaml", Options{RequireCredentials: true})
	req := httptest.NewRequest(http.MethodPost, "/entitlements-api/v1/entitlement",
		strings.NewReader(`{"entitlementId":"`+secret+`#","shipToAddress":"`+secret+`.","lineItems":[{"product":[],"startDate":"`+secret+`"}]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Basic "+secret)
	add(strict.ValidateRequest(req))

	for _, f := range all {
		if strings.Contains(f.Message, "hunter2") || strings.Contains(f.Location, "hunter2") {
			t.Errorf("finding echoes the value: %s", f)
		}
	}
	t.Logf("%d findings checked", len(all))
}

// One validator, many goroutines: run under -race.
func TestValidatorConcurrentUse(t *testing.T) {
	t.Parallel()
	v := fnoValidator(t)
	good := ordersBody(t, item(0, "K_Ent1"), item(1, "K_Ent2"))
	bad := ordersBody(t, item(0, "K_Ent1"), item(1, "bad|id"))
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 40; i++ {
				fs, err := v.ValidateResponse(ordersRequest(), 200, jsonHeader, good)
				if err != nil || len(fs) != 0 {
					errs <- fmt.Sprintf("goroutine %d: good body: %v %v", g, fs, err)
					return
				}
				fs, err = v.ValidateResponse(ordersRequest(), 200, jsonHeader, bad)
				if err != nil || len(fs) != 1 || fs[0].Location != "/activatableItem/1/entitlementId" {
					errs <- fmt.Sprintf("goroutine %d: bad body: %v %v", g, fs, err)
					return
				}
				req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/data/api/v1/report/device?pageNumber=%d", i%3), nil)
				fs, err = v.ValidateRequest(req)
				if wantBad := i%3 == 0; err != nil || (len(fs) == 1) != wantBad {
					errs <- fmt.Sprintf("goroutine %d: request %d: %v %v", g, i, fs, err)
					return
				}
				raw := "POST /flexnet/operations/manageDevice/devices HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"batchSize\":1}"
				resp := "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"statusInfo\":{\"status\":\"SUCCESS\"}}"
				ef, err := v.ValidateExchange([]byte(raw), bytes.Clone([]byte(resp)))
				if err != nil || ef.HasErrors() {
					errs <- fmt.Sprintf("goroutine %d: exchange: %+v %v", g, ef, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// OpenAPI 3.1: the same vendor pattern is enforced in a 3.1 document.
func TestOpenAPI31RequestValidation(t *testing.T) {
	t.Parallel()
	v := newValidator(t, "testdata/fno-rest-31.yaml", Options{})
	cases := []struct {
		body string
		loc  string
	}{
		{`{"entitlementId":"ent-id-1234","description":null}`, ""},
		{`{"entitlementId":"ent/1"}`, "/entitlementId"},
		{`{"entitlementId":"  "}`, "/entitlementId"},
		{`{"description":"no id"}`, "/entitlementId"},
	}
	for _, c := range cases {
		req := httptest.NewRequest(http.MethodPost, "/entitlements-api/v1/entitlement", strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
		fs, err := v.ValidateRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		if c.loc == "" {
			if len(fs) != 0 {
				t.Errorf("%s: unexpected %v", c.body, fs)
			}
			continue
		}
		if len(fs) != 1 || fs[0].Rule != contract.RuleOpenAPIBodySchema || fs[0].Location != c.loc {
			t.Errorf("%s: want a body-schema finding at %s, got %v", c.body, c.loc, fs)
		}
	}
}

// bracketsInString is a valid body whose strings hold more brackets (and
// escaped quotes) than the depth limit allows.
func bracketsInString(t *testing.T) []byte {
	it := item(0, "K_Ent1")
	it["soldTo"] = strings.Repeat(`[{\"`, 300)
	return ordersBody(t, it)
}
