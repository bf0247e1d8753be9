package entapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/entapi"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/openapi"
)

// The benchmarks call the handler in-process (no network), so they measure
// the API: credentials, the contract check, the rules, the store and JSON.
// BenchmarkContractCheck is the contract check alone on the create body, to
// read its share of BenchmarkCreate side by side.

func serve(b *testing.B, h http.Handler, method, path string, body []byte, want int) {
	var r *http.Request
	if body != nil {
		r = httptest.NewRequest(method, path, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
	} else {
		r = httptest.NewRequest(method, path, nil)
	}
	r.SetBasicAuth(testUser, testPassword)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != want {
		b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
	}
}

func BenchmarkCreate(b *testing.B) {
	e := newEnv(b, 0)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		id := fmt.Sprintf("bench-%d", i)
		serve(b, e.h, http.MethodPost, entapi.PathEntitlement, mustJSON(b, e.createBody(id, id+"-act")), http.StatusCreated)
	}
}

func BenchmarkContractCheck(b *testing.B) {
	e := newEnv(b, 0)
	v := resttest.Validator(b, contractPath, openapi.Options{})
	body := mustJSON(b, e.createBody("check-1", "check-1-act"))
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, entapi.PathEntitlement, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if fs, err := v.ValidateRequest(r); err != nil || len(fs) > 0 {
			b.Fatal(err, fs)
		}
	}
}

func BenchmarkGet(b *testing.B) {
	e := newEnv(b, 0)
	path := entapi.EntitlementPath(e.ent.ID)
	b.ReportAllocs()
	for b.Loop() {
		serve(b, e.h, http.MethodGet, path, nil, http.StatusOK)
	}
}

func BenchmarkList(b *testing.B) {
	e := newEnv(b, 0)
	b.ReportAllocs()
	for b.Loop() {
		serve(b, e.h, http.MethodGet, entapi.PathEntitlements+"?limit=20&sort_by=created_on", nil, http.StatusOK)
	}
}
