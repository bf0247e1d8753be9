package dataaccess_test

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/dataaccess"
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

// clock is a settable clock shared by the handler and the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type fixture struct {
	st    *state.Store
	clk   *clock
	h     *dataaccess.Handler
	srv   *httptest.Server
	token string
}

// newFixture serves a generated data set on loopback.
func newFixture(t testing.TB, sizes state.Sizes) *fixture {
	t.Helper()
	clk := &clock{t: start}
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
	x := send(t, req)
	if x.status != http.StatusOK {
		t.Fatalf("authenticate: status %d: %s", x.status, x.body)
	}
	var m struct{ Token string }
	if err := json.Unmarshal(x.body, &m); err != nil || m.Token == "" {
		t.Fatalf("authenticate: no token in %s", x.body)
	}
	return m.Token
}

type exchange struct {
	req    *http.Request
	status int
	header http.Header
	body   []byte
}

func send(t testing.TB, req *http.Request) exchange {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		t.Fatal(err)
	}
	return exchange{req: req, status: resp.StatusCode, header: resp.Header, body: b}
}

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
	return send(t, req)
}

func validator(t testing.TB) *openapi.Validator {
	t.Helper()
	doc, err := openapi.LoadFile(contractPath)
	if err != nil {
		t.Fatal(err)
	}
	v, err := openapi.New(doc, openapi.Options{RequireCredentials: true})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// validate checks the request and the response of an exchange against
// the contract: zero findings.
func validate(t testing.TB, v *openapi.Validator, x exchange) {
	t.Helper()
	validateRequest(t, v, x)
	validateResponse(t, v, x)
}

func validateRequest(t testing.TB, v *openapi.Validator, x exchange) {
	t.Helper()
	// The request as the server saw it: a path and query, no host.
	req := x.req.Clone(x.req.Context())
	req.Body = nil
	fs, err := v.ValidateRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		t.Errorf("%s: request finding %s at %s: %s", x.req.URL.Path, f.Rule, f.Location, f.Message)
	}
}

// validateResponse checks the response alone, for answers to requests
// the contract itself refuses.
func validateResponse(t testing.TB, v *openapi.Validator, x exchange) {
	t.Helper()
	fs, err := v.ValidateResponse(x.req, x.status, x.header, x.body)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		t.Errorf("%s: response finding %s at %s: %s", x.req.URL.Path, f.Rule, f.Location, f.Message)
	}
}

// reportPage is a report page, from JSON or CSV.
type reportPage struct {
	recordCount, totalPages int
	prev, next              string
	fields                  []string // CSV only
	records                 []map[string]any
}

func (x exchange) page(t testing.TB) reportPage {
	t.Helper()
	if x.status != http.StatusOK {
		t.Fatalf("%s: status %d: %s", x.req.URL, x.status, x.body)
	}
	if strings.HasPrefix(x.header.Get("Content-Type"), "text/csv") {
		return x.csvPage(t)
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
	if err := json.Unmarshal(x.body, &m); err != nil {
		t.Fatalf("%s: %v: %s", x.req.URL, err, x.body)
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
func (x exchange) csvPage(t testing.TB) reportPage {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(string(x.body))).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("%s: not CSV with a header row: %v", x.req.URL, err)
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
	for _, l := range x.header.Values("Link") {
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
