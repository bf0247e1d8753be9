package openapi

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/fnokit/fnokit/internal/contract"
)

// Request and response validation compile patterns with the ECMAScript
// compiler on their own, not only because document validation put the
// compiled pattern in kin-openapi's process-wide cache first: this
// validator is built without validating the document, around a pattern
// (made unique) that nothing else has compiled.
func TestRuntimeValidationUsesTheECMAScriptCompiler(t *testing.T) {
	t.Parallel()
	pattern := fmt.Sprintf(`^(?!\\s*$)(?!.*[#|]).{0,%d}$`, time.Now().UnixNano()%1000+300)
	doc, err := LoadBytes([]byte(`openapi: 3.0.3
info: {title: runtime, version: '1'}
paths:
  /ids:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                id: {type: string, pattern: "`+pattern+`"}
      responses:
        '200': {description: ok}
`), "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := gorillamux.NewRouter(pathOnly(doc))
	if err != nil {
		t.Fatal(err)
	}
	v := &Validator{doc: doc, router: r, opts: Options{}.withDefaults()}
	for body, wantFinding := range map[string]bool{`{"id":"ok-1"}`: false, `{"id":"a#b"}`: true, `{"id":"  "}`: true} {
		req := httptest.NewRequest(http.MethodPost, "/ids", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		fs, err := v.ValidateRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		if got := hasFinding(fs, contract.RuleOpenAPIBodySchema, "/id"); got != wantFinding || len(fs) > 1 {
			t.Errorf("%s: findings %v, want a pattern finding: %v", body, fs, wantFinding)
		}
	}
}

// FuzzValidateResponse feeds arbitrary bodies to response validation: it
// must never panic nor fail to run, whatever arrives.
func FuzzValidateResponse(f *testing.F) {
	v := fnoValidator(f)
	f.Add(benchBody(f))
	f.Add([]byte(`{"statusInfo":{"status":"SUCCESS"},"activatableItem":[{"entitlementId":"a\"b"}]}`))
	f.Add([]byte(`[[[[[[[[[[]]]]]]]]]]`))
	f.Add([]byte("{\"a\":\"\xff\"}"))
	f.Add([]byte(`{"statusInfo":{"status":"SUCCESS"},"activatableItem":[{"entitlementId":"\u0000"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if _, err := v.ValidateResponse(ordersRequest(), 200, jsonHeader, body); err != nil {
			t.Fatal(err)
		}
	})
}
