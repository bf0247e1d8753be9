package openapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
)

var (
	sharedOnce sync.Once
	shared     *Validator
	sharedErr  error
)

// fnoValidator is the validator of testdata/fno-rest.yaml with default
// options, shared by the tests (which run in parallel, so it is also
// exercised concurrently).
func fnoValidator(tb testing.TB) *Validator {
	tb.Helper()
	sharedOnce.Do(func() {
		doc, err := LoadFile("testdata/fno-rest.yaml")
		if err != nil {
			sharedErr = err
			return
		}
		shared, sharedErr = New(doc, Options{})
	})
	if sharedErr != nil {
		tb.Fatal(sharedErr)
	}
	return shared
}

func newValidator(tb testing.TB, path string, opts Options) *Validator {
	tb.Helper()
	doc, err := LoadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := New(doc, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// item is one activatable item as the entitlementOrders response of the
// integration guide shows it.
func item(i int, entitlementID string) map[string]any {
	return map[string]any{
		"activatableItemType":     "LINEITEM",
		"parentBulkEntitlementId": nil,
		"entitlementId":           entitlementID,
		"soldTo":                  "ACME",
		"shipToEmail":             "",
		"shipToAddress":           "",
		"entitlementState":        "DEPLOYED",
		"activatableItemData": map[string]any{
			"activationId": map[string]any{"id": fmt.Sprintf("ACT-%05d", i), "autoGenerate": nil},
			"description":  "",
			"product": map[string]any{
				"uniqueId":    fmt.Sprintf("HID-%d", 127900+i),
				"primaryKeys": map[string]any{"name": "K_Prod2", "version": "1.0"},
			},
			"partNumber":              nil,
			"numberOfCopies":          100,
			"startDate":               int64(1506495600000),
			"isPermanent":             false,
			"expirationDate":          int64(1514707200000),
			"numberOfRemainingCopies": 100,
			"state":                   "DEPLOYED",
		},
	}
}

func ordersBody(tb testing.TB, items ...map[string]any) []byte {
	tb.Helper()
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	b, err := json.Marshal(map[string]any{
		"statusInfo":      map[string]any{"status": "SUCCESS", "reason": nil},
		"activatableItem": list,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func ordersRequest() *http.Request {
	req := httptest.NewRequest(http.MethodPost, "https://flex1001-uat.flexnetoperations.com/flexnet/operations/entitlementOrders",
		strings.NewReader(`{"activatableItemSearchCriteria":{},"batchSize":100}`))
	req.Header.Set("Content-Type", "application/json")
	return req
}

var jsonHeader = http.Header{"Content-Type": {"application/json;charset=UTF-8"}}

// byRule keeps the findings of one rule.
func byRule(fs contract.Findings, rule string) contract.Findings {
	var out contract.Findings
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

func locations(fs contract.Findings) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Location)
	}
	return out
}

func hasFinding(fs contract.Findings, rule, location string) bool {
	for _, f := range fs {
		if f.Rule == rule && f.Location == location {
			return true
		}
	}
	return false
}
