package dataaccess_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/dataaccess"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Bad input gets its documented status and an error body that names the
// parameter without echoing its value; never a crash.
func TestBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t, tinySizes)
	v := validator(t)
	const secret = "SECRETVALUE42"
	// A requestID of another query: same group, other page size.
	for _, id := range []string{"BAD-1", "BAD-2"} {
		if _, err := f.st.CreateDevice(state.Device{DeviceID: id, Class: state.Client, IDType: state.IDString, Status: state.DeviceActive}); err != nil {
			t.Fatal(err)
		}
	}
	other := page(t, f.get(t, reportPath("device", url.Values{"limitRecords": {"1"}})))
	otherID := ""
	if other.next != "" {
		u, _ := url.Parse(other.next)
		otherID = u.Query().Get("requestID")
	}
	if otherID == "" {
		t.Fatal("no next page to take a requestID from")
	}
	q := func(kv ...string) string {
		p := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			p.Add(kv[i], kv[i+1])
		}
		return reportPath("account", p)
	}
	cases := []struct {
		name, target string
		status       int
		fragment     string
		contract     bool // the contract has a route for the request
	}{
		{"limitRecords 0", q("limitRecords", "0"), 400, "limitRecords must be a whole number from 1 to 2500", true},
		{"limitRecords 2501", q("limitRecords", "2501"), 400, "limitRecords", true},
		{"limitRecords text", q("limitRecords", secret), 400, "limitRecords", true},
		{"pastDays 0", q("pastDays", "0"), 400, "pastDays must be a whole number from 1 to 30", true},
		{"pastDays 31", q("pastDays", "31"), 400, "pastDays", true},
		{"pastDays 31 beside a range", q("pastDays", "31", "dateFrom", "2025-05-01", "dateTo", "2025-05-02"), 400, "pastDays", true},
		{"pageNumber 0", q("pageNumber", "0"), 400, "pageNumber", true},
		{"pageNumber huge", q("pageNumber", "99999999999999999999"), 400, "pageNumber", true},
		{"format xml", q("format", "xml"), 400, "format must be json or csv", true},
		{"mode lower case", q("mode", "batch"), 400, "mode must be BATCH or INTERACTIVE", true},
		{"dateFrom alone", q("dateFrom", "2025-05-01"), 400, "given together", true},
		{"dateTo alone", q("dateTo", "2025-05-01"), 400, "given together", true},
		{"dateFrom not a date", q("dateFrom", "2025-02-30", "dateTo", "2025-03-01"), 400, "dateFrom must be a date", true},
		{"dateTo other format", q("dateFrom", "2025-02-01", "dateTo", "01/03/2025"), 400, "dateTo must be a date", true},
		{"dateFrom after dateTo", q("dateFrom", "2025-05-02", "dateTo", "2025-05-01"), 400, "dateFrom is after dateTo", true},
		{"31 days", q("dateFrom", "2025-04-01", "dateTo", "2025-05-01"), 400, "spans more than 30 days", true},
		{"a year", q("dateFrom", "2024-05-01", "dateTo", "2025-05-01"), 400, "at most 30 days", true},
		{"30 days", q("dateFrom", "2025-04-02", "dateTo", "2025-05-01"), 200, "", true},
		{"one day", q("dateFrom", "2025-05-01", "dateTo", "2025-05-01"), 200, "", true},
		{"given twice", q("limitRecords", "5", "limitRecords", "6"), 400, "limitRecords is given more than once", true},
		{"query not JSON", q("query", `{"accountID": {"$eq": "`+secret), 400, "query: not a URL-encoded JSON object", true},
		{"query an array", q("query", `["`+secret+`"]`), 400, "query: not a URL-encoded JSON object", true},
		{"query empty object", q("query", `{}`), 400, "names no filter", true},
		{"query unknown filter", q("query", `{"`+secret+`": {"$eq": "x"}}`), 400, "not one of the account report's filters (accountID, accountName)", true},
		{"query other group's filter", q("query", `{"deviceID": {"$eq": "x"}}`), 400, "not one of the account report's filters", true},
		{"query unknown operator", q("query", `{"accountID": {"$like": "`+secret+`"}}`), 400, "unknown operator", true},
		{"query two operators", q("query", `{"accountID": {"$eq": "a", "$sw": "b"}}`), 400, "exactly one operator", true},
		{"query bare value", q("query", `{"accountID": "`+secret+`"}`), 400, "exactly one operator", true},
		{"query $in empty", q("query", `{"accountID": {"$in": []}}`), 400, "1 to 1000 strings", true},
		{"query $in number", q("query", `{"accountID": {"$in": [7]}}`), 400, "1 to 1000 strings", true},
		{"query $sw empty", q("query", `{"accountID": {"$sw": ""}}`), 400, "must not be empty", true},
		{"query $eq number", q("query", `{"accountID": {"$eq": 12}}`), 400, "must be a string", true},
		{"query too long", q("query", `{"accountID": {"$eq": "`+strings.Repeat("x", 20<<10)+`"}}`), 400, "longer than", true},
		{"requestID forged", q("requestID", "AAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 400, "requestID does not belong to this query", true},
		{"requestID not base64", q("requestID", secret+"!"), 400, "requestID", true},
		{"requestID of the query", reportPath("device", url.Values{"limitRecords": {"1"}, "requestID": {otherID}, "pageNumber": {"2"}}), 200, "", true},
		{"requestID of another page size", reportPath("device", url.Values{"limitRecords": {"2"}, "requestID": {otherID}}), 400, "requestID does not belong", true},
		{"requestID of another period", reportPath("device", url.Values{"limitRecords": {"1"}, "pastDays": {"2"}, "requestID": {otherID}}), 400, "requestID does not belong", true},
		{"requestID of another filter", reportPath("device", url.Values{"limitRecords": {"1"}, "requestID": {otherID}, "query": {`{"deviceID":{"$sw":"BAD"}}`}}), 400, "requestID does not belong", true},
		{"requestID of another group", q("requestID", otherID, "limitRecords", "1"), 400, "requestID does not belong", true},
		{"report-types unknown group", dataaccess.PathReportTypes + secret, 404, "no report group of this name", true},
		{"report of unknown group", dataaccess.PathReport + secret, 404, "no Data Access route", false},
		{"unknown route", "/data/api/v2/" + secret, 404, "no Data Access route", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			x := f.get(t, c.target)
			if x.Status != c.status {
				t.Fatalf("status %d, want %d: %s", x.Status, c.status, x.Body)
			}
			if ct := x.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			noEcho(t, x, secret, f.token)
			if c.contract {
				resttest.CheckResponse(t, v, x)
			} else {
				fs, err := v.ValidateResponse(x.Req, x.Status, x.Header, x.Body)
				if err != nil {
					t.Fatal(err)
				}
				for _, fd := range fs {
					if fd.Rule != "openapi-no-route" {
						t.Errorf("response finding %s at %s: %s", fd.Rule, fd.Location, fd.Message)
					}
				}
			}
			if c.status == http.StatusOK {
				return
			}
			if msg := message(t, x); !strings.Contains(msg, c.fragment) {
				t.Errorf("message %q does not say %q", msg, c.fragment)
			}
		})
	}

	t.Run("wrong method", func(t *testing.T) {
		t.Parallel()
		for _, path := range []string{dataaccess.PathReportNames, dataaccess.PathReport + "device", dataaccess.PathReportTypes + "user"} {
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+f.token)
			x := resttest.Send(t, nil, req)
			if x.Status != http.StatusMethodNotAllowed || x.Header.Get("Allow") != http.MethodGet {
				t.Errorf("POST %s: status %d, Allow %q", path, x.Status, x.Header.Get("Allow"))
			}
		}
	})

	t.Run("past the last page", func(t *testing.T) {
		t.Parallel()
		x := f.get(t, q("pageNumber", "1000", "mode", "INTERACTIVE", "pastDays", "30"))
		validate(t, v, x)
		p := page(t, x)
		if len(p.records) != 0 || p.next != "" || p.prev == "" {
			t.Errorf("page 1000: %d records, next %q, prev %q", len(p.records), p.next, p.prev)
		}
	})
}
