package dataaccess

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// FuzzParseQuery: any ?query= text gives filters or a 400 whose reason
// does not quote the text, and never panics.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		`{"accountID":{"$eq":"101202692754"}}`,
		`{"accountID":{"$in":["a","b"]},"accountName":{"$con":"x"}}`,
		`{"accountID":{"$sw":""}}`, `{"accountID":"x"}`, `[]`, `null`, `{`, `{"a":{"$eq":1}}`,
		`{"accountID":{"$eq":"a","$sw":"b"}}`, `{"accountID":{"$in":[1]}}`, "\x00\xff",
	} {
		f.Add(s)
	}
	g := accountReport()
	f.Fuzz(func(t *testing.T, raw string) {
		fs, err := parseQuery(raw, g, 1<<16)
		if err != nil {
			if err.Status != 400 {
				t.Fatalf("status %d", err.Status)
			}
			// The reason's fixed example may contain a short query.
			reason := strings.Replace(err.Reason, `{"accountID":{"$eq":"..."}}`, "", 1)
			if len(raw) >= 8 && strings.Contains(reason, raw) {
				t.Fatalf("the reason %q quotes the query %q", err.Reason, raw)
			}
			return
		}
		if len(fs) == 0 {
			t.Fatal("no filter and no error")
		}
		for _, f := range fs {
			if g.filter(f.name) != f.col || f.col < 0 {
				t.Fatalf("filter %s on column %d", f.name, f.col)
			}
			f.matches("sample")
		}
		_ = canonical(fs)
	})
}

// FuzzReportParams: any query string of a report request is a 200 or a
// 400 whose message does not quote it, and never a panic.
func FuzzReportParams(f *testing.F) {
	for _, s := range []string{
		"", "mode=INTERACTIVE&pastDays=10", "dateFrom=2025-05-01&dateTo=2025-05-30&limitRecords=2500&format=csv",
		"pageNumber=3&requestID=AQAAAABoO9mAAAAAAAAAAAAAAAAA", "query=%7B%22accountID%22%3A%7B%22%24sw%22%3A%22A%22%7D%7D",
		"limitRecords=-1", "pastDays=1e3", "dateFrom=2025-13-01&dateTo=2025-01-01", "%zz", "mode=BATCH&mode=BATCH",
	} {
		f.Add(s)
	}
	st := state.Generate(state.Sizes{Accounts: 3, Users: 10, Products: 2, Entitlements: 5, Devices: 30, Fulfillments: 5}, 3)
	now := func() time.Time { return time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) }
	h, err := New(Config{Store: st, Auth: func(u, p string) bool { return u == "u" && p == "p" }, Now: now})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, g := range []string{"account", "device"} {
			req := httptest.NewRequest(http.MethodGet, PathReport+g, nil)
			req.URL.RawQuery = raw
			req.SetBasicAuth("u", "p")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			switch rec.Code {
			case http.StatusOK:
			case http.StatusBadRequest:
				if len(raw) >= 12 && strings.Contains(rec.Body.String(), raw) {
					t.Fatalf("the 400 quotes the query string: %s", rec.Body)
				}
			default:
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
	})
}
