package dataaccess_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// BenchmarkReportPage measures one device report page of 2500 records
// (the largest limitRecords) in JSON and CSV, served by the handler
// without a network, beside a page of one record over the same period:
// the difference is the cost of rendering 2499 records, the rest is
// reading and filtering the period's devices. The data set has 80,000
// devices, about 4,000 of them changed in the 30 days.
func BenchmarkReportPage(b *testing.B) {
	f := newFixture(b, state.Sizes{Accounts: 200, Users: 25, Products: 40, Entitlements: 3000, Devices: 80000, Fulfillments: 100})
	dateFrom, dateTo := period(b, f, "device")
	for _, c := range []struct {
		name   string
		limit  string
		format string
	}{{"json-2500", "2500", "json"}, {"csv-2500", "2500", "csv"}, {"json-1", "1", "json"}} {
		target := reportPath("device", url.Values{"dateFrom": {dateFrom}, "dateTo": {dateTo}, "mode": {"INTERACTIVE"},
			"limitRecords": {c.limit}, "format": {c.format}})
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Authorization", "Bearer "+f.token)
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			x := exchange{Req: req, Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
			n := len(page(b, x).records)
			if c.limit == "2500" && n != 2500 {
				b.Fatalf("%d records, want a full page of 2500", n)
			}
			b.SetBytes(int64(rec.Body.Len()))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				rec := httptest.NewRecorder()
				f.h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
			if n > 1 {
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/record")
			}
		})
	}
}
