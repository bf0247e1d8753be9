package openapi

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
	"time"
)

// benchItems is the number of activatable items in the benchmark response:
// 40 items of the integration guide's shape make about 20 KB of JSON, each
// with two pattern-checked IDs (entitlementId, activationId.id).
const benchItems = 40

func benchBody(tb testing.TB) []byte {
	items := make([]map[string]any, benchItems)
	for i := range items {
		items[i] = item(i, fmt.Sprintf("ENT-%06d-UAT", i))
	}
	return ordersBody(tb, items...)
}

// BenchmarkValidateResponse20KB validates a valid ~20 KB entitlementOrders
// response: pre-checks, decoding, schema and ECMAScript patterns.
func BenchmarkValidateResponse20KB(b *testing.B) {
	v := fnoValidator(b)
	body := benchBody(b)
	req := ordersRequest()
	if fs, err := v.ValidateResponse(req, 200, jsonHeader, body); err != nil || len(fs) != 0 {
		b.Fatalf("the benchmark body must be valid: %v %v", fs, err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := v.ValidateResponse(req, 200, jsonHeader, body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(float64(len(body))/1024), "ns/KB")
}

// BenchmarkJSONDecode20KB is the baseline: decoding the same body into any.
func BenchmarkJSONDecode20KB(b *testing.B) {
	body := benchBody(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(float64(len(body))/1024), "ns/KB")
}

// BenchmarkValidateVsDecode20KB times validation and a plain decode of the
// same body alternately in one loop and reports their ratio, so machine
// noise hits both sides alike.
func BenchmarkValidateVsDecode20KB(b *testing.B) {
	v := fnoValidator(b)
	body := benchBody(b)
	req := ordersRequest()
	var tv, td time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := v.ValidateResponse(req, 200, jsonHeader, body); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		var x any
		if err := json.Unmarshal(body, &x); err != nil {
			b.Fatal(err)
		}
		tv += t1.Sub(t0)
		td += time.Since(t1)
	}
	b.ReportMetric(float64(tv)/float64(td), "validate/decode")
}

// BenchmarkPrecheck20KB is the share of the pre-decode checks (UTF-8,
// depth, syntax) in a validation.
func BenchmarkPrecheck20KB(b *testing.B) {
	body := benchBody(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if f := checkJSON(body, DefaultMaxDepth); f != nil {
			b.Fatal(f)
		}
	}
}

// BenchmarkPattern compares regexp2 (ECMAScript, with the match timeout) and
// Go's regexp on a pattern both compile, and shows the cost of the vendor's
// lookahead pattern that only regexp2 can run.
func BenchmarkPattern(b *testing.B) {
	const value = "Building-Street-City 42"
	re2, err := compileECMAScript(addressPattern)
	if err != nil {
		b.Fatal(err)
	}
	goRe := regexp.MustCompile(addressPattern)
	id, err := compileECMAScript(idPattern)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("address/regexp2", func(b *testing.B) {
		for b.Loop() {
			if !re2.MatchString(value) {
				b.Fatal("no match")
			}
		}
	})
	b.Run("address/goregexp", func(b *testing.B) {
		for b.Loop() {
			if !goRe.MatchString(value) {
				b.Fatal("no match")
			}
		}
	})
	b.Run("entitlementId/regexp2", func(b *testing.B) {
		for b.Loop() {
			if !id.MatchString("ENT-000042-UAT") {
				b.Fatal("no match")
			}
		}
	})
}
