package dataaccess_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/dataaccess"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/openapi"
)

const (
	contractPath = "../../../schemas/rest/data-access.yaml"
	testUser     = "reporter"
	testPassword = "s3cret-pass"
	testSeed     = 11
)

var testSizes = state.Sizes{Accounts: 30, Users: 25, Products: 12, Entitlements: 600, Devices: 4000, Fulfillments: 600}

// start is the emulator's "now" in the tests: the generated data set
// ends on 2025-06-01 (state's generator epoch), so recent periods hold
// records.
var start = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	st    *state.Store
	clk   *resttest.Clock
	h     *dataaccess.Handler
	srv   *httptest.Server
	token string
}

// newFixture serves a generated data set on loopback.
func newFixture(t testing.TB, sizes state.Sizes) *fixture {
	t.Helper()
	clk := resttest.NewClock(start)
	st := state.Generate(sizes, testSeed)
	st.SetClock(clk.Now)
	h, err := dataaccess.New(dataaccess.Config{
		Store: st, Auth: server.Matcher(testUser, testPassword), Seed: testSeed, MaxBody: 16 << 10, Now: clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(dataaccess.Prefix, h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	f := &fixture{st: st, clk: clk, h: h, srv: srv}
	f.token = f.authenticate(t, http.MethodGet)
	return f
}

// authenticate gets a token with Basic credentials.
func (f *fixture) authenticate(t testing.TB, method string) string {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+dataaccess.PathAuthenticate, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(testUser, testPassword)
	x := resttest.Send(t, nil, req)
	if x.Status != http.StatusOK {
		t.Fatalf("authenticate: status %d: %s", x.Status, x.Body)
	}
	var m struct{ Token string }
	if err := json.Unmarshal(x.Body, &m); err != nil || m.Token == "" {
		t.Fatalf("authenticate: no token in %s", x.Body)
	}
	return m.Token
}

type exchange = resttest.Exchange

// get sends GET to a path (with query) or an absolute URL with the token.
func (f *fixture) get(t testing.TB, target string) exchange {
	t.Helper()
	if strings.HasPrefix(target, "/") {
		target = f.srv.URL + target
	}
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+f.token)
	return resttest.Send(t, nil, req)
}

// validator checks requests for credentials too: every route but
// /authenticate wants a token or Basic credentials.
func validator(t testing.TB) *openapi.Validator {
	t.Helper()
	return resttest.Validator(t, contractPath, openapi.Options{RequireCredentials: true})
}

// validate checks the request and the response of an exchange against
// the contract: zero findings.
func validate(t testing.TB, v *openapi.Validator, x exchange) {
	t.Helper()
	resttest.CheckRequest(t, v, x)
	resttest.CheckResponse(t, v, x)
}

// reportPage is a report page, from JSON or CSV.
type reportPage struct {
	recordCount, totalPages int
	prev, next              string
	fields                  []string // CSV only
	records                 []map[string]any
}

func page(t testing.TB, x exchange) reportPage {
	t.Helper()
	if x.Status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", x.Req.URL, x.Status, x.Body)
	}
	if strings.HasPrefix(x.Header.Get("Content-Type"), "text/csv") {
		return csvPage(t, x)
	}
	var m struct {
		Header struct {
			RecordCount     int     `json:"recordCount"`
			TotalPages      int     `json:"totalPages"`
			PreviousPageURL *string `json:"previousPageURL"`
			NextPageURL     *string `json:"nextPageURL"`
		} `json:"header"`
		Data []map[string]any `json:"data"`
	}
	if err := json.Unmarshal(x.Body, &m); err != nil {
		t.Fatalf("%s: %v: %s", x.Req.URL, err, x.Body)
	}
	p := reportPage{recordCount: m.Header.RecordCount, totalPages: m.Header.TotalPages, records: m.Data}
	if m.Header.PreviousPageURL != nil {
		p.prev = *m.Header.PreviousPageURL
	}
	if m.Header.NextPageURL != nil {
		p.next = *m.Header.NextPageURL
	}
	return p
}

// csvPage reads a CSV page; its paging URLs come from the Link header and
// its records' values are all text ("" for null).
func csvPage(t testing.TB, x exchange) reportPage {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(string(x.Body))).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: not CSV with a header row: %v", x.Req.URL, err)
	}
	p := reportPage{recordCount: -2, totalPages: -2, fields: rows[0]}
	for _, r := range rows[1:] {
		m := map[string]any{}
		for i, v := range r {
			if v != "" {
				m[rows[0][i]] = v
			}
		}
		p.records = append(p.records, m)
	}
	for _, l := range x.Header.Values("Link") {
		u, rel, ok := strings.Cut(l, ">; rel=")
		if !ok {
			t.Fatalf("Link header %q", l)
		}
		u = strings.TrimPrefix(u, "<")
		switch strings.Trim(rel, `"`) {
		case "prev":
			p.prev = u
		case "next":
			p.next = u
		}
	}
	return p
}

// text returns a record's field as text ("" for null or absent).
func text(rec map[string]any, field string) string {
	switch v := rec[field].(type) {
	case string:
		return v
	case nil:
		return ""
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// reportPath builds a report path with query parameters.
func reportPath(group string, params url.Values) string {
	if len(params) == 0 {
		return dataaccess.PathReport + group
	}
	return dataaccess.PathReport + group + "?" + params.Encode()
}

func query(t testing.TB, q map[string]any) string {
	t.Helper()
	b, err := json.Marshal(q)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
