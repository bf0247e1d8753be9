package fno

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// The application REST helpers reach their routes on the emulator: a
// device created over SOAP is found and counted over REST, entitlement
// orders are listed and counted, and a refused request (batch over the
// read limit) is a counted FAILURE.
func TestRESTHelpers(t *testing.T) {
	t.Parallel()
	e := sharedEmulator(t)
	v := newVU(t, e.URL(), basicClient, vuConfig{})
	const id = "K6EXT-REST-1"
	if r := v.run(createDevice("client", id)).(map[string]any); r["status"] != "SUCCESS" {
		t.Fatalf("createDevice = %v", r)
	}
	v.drain()
	q := `{queryParams: {deviceId: {value: '` + id + `', searchType: 'EQUALS'}}`
	got := v.run(`(() => {
		const s = client.rest.searchDevices(` + q + `, batchSize: 10});
		const n = client.rest.devicesCount(` + q + `});
		const eo = client.rest.entitlementOrders({batchSize: 5});
		const eoc = client.rest.entitlementOrdersCount({});
		return JSON.stringify({
			s: [s.httpStatus, s.status, s.body.responseData.device.length, s.body.responseData.device[0].deviceIdentifier.deviceId],
			n: [n.httpStatus, n.status, n.body.responseData.count],
			eo: [eo.httpStatus, eo.status, eo.body.activatableItem.length > 0],
			eoc: [eoc.httpStatus, eoc.status, eoc.body.count > 0],
		}); })()`).(string)
	want := `{"s":[200,"SUCCESS",1,"` + id + `"],"n":[200,"SUCCESS",1],"eo":[200,"SUCCESS",true],"eoc":[200,"SUCCESS",true]}`
	if got != want {
		t.Errorf("REST helpers:\n got %s\nwant %s", got, want)
	}
	samples := v.drain()
	ops := only(samples, MetricOperationDuration)
	wantOps := []string{"devices", "devicesCount", "entitlementOrders", "entitlementOrdersCount"}
	if len(ops) != len(wantOps) {
		t.Fatalf("%d fno_operation_duration samples, want %d", len(ops), len(wantOps))
	}
	for i, op := range wantOps {
		if tag(ops[i], TagService) != ServiceApplicationREST || tag(ops[i], TagOperation) != op || tag(ops[i], TagVersion) != "" {
			t.Errorf("sample %d tags = %v, want service application, operation %s", i, ops[i].Tags.Map(), op)
		}
	}
	if n := len(only(samples, "http_req_duration")); n != 4 {
		t.Errorf("%d http_req_duration samples, want 4", n)
	}

	r := v.run(`client.rest.searchDevices({batchSize: 5000})`).(map[string]any)
	// The contract allows a 400 or a 200 carrying FAILURE; either is counted.
	if st := r["httpStatus"]; (st != 400 && st != 200) || r["status"] != "FAILURE" || r["reason"] == "" {
		t.Errorf("batchSize over the limit = %v", r)
	}
	fails := only(v.drain(), MetricStatusFailures)
	if len(fails) != 1 || tag(fails[0], TagStatus) != "FAILURE" || tag(fails[0], TagOperation) != "devices" {
		t.Errorf("fno_status_failures = %v", fails)
	}

	for _, c := range []struct{ js, want string }{
		{`client.rest.searchDevices([1])`, "must be an object"},
		{`client.rest.consumption('')`, "accountId must be"},
		{`client.rest.devicesCount({}, {nope: 1})`, "unknown key"},
	} {
		if msg := v.runErr(c.js); !strings.Contains(msg, c.want) {
			t.Errorf("%s threw %q, want %q", c.js, msg, c.want)
		}
	}
}

// consumption sends the account as a query parameter and names its k6
// series by the path, not by the account.
func TestRESTConsumption(t *testing.T) {
	t.Parallel()
	var gotQuery string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotQuery = r.URL.RawQuery
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"accountId":"A&B","consumption":[]}`)
	}))
	t.Cleanup(ts.Close)
	v := newVU(t, ts.URL, basicClient, vuConfig{})
	r := v.run(`client.rest.consumption('A&B')`).(map[string]any)
	if r["httpStatus"] != 200 || gotQuery != "accountId=A%26B" {
		t.Errorf("consumption: %v, query %q", r, gotQuery)
	}
	reqs := only(v.drain(), "http_reqs")
	if len(reqs) != 1 || tag(reqs[0], "name") != ts.URL+"/flexnet/operations/consumption" {
		t.Errorf("http_reqs = %v, want the name tag without the account", reqs)
	}
}

// fakeDataAccess serves /data/api/v1 as schemas/rest/data-access.yaml
// says: authenticate with Basic admin/admin gives a JWT; the device report
// takes Basic or that token and has three pages of two records, whose
// nextPageURL names another host (the client must stay on its base URL).
type fakeDataAccess struct {
	mu       sync.Mutex
	requests []string // path?query of every report request
	auths    []string // Authorization scheme of every report request
	loop     bool     // nextPageURL points back at page 1
}

const fakeJWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl"

func (f *fakeDataAccess) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("admin:admin"))
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/data/api/v1/authenticate":
		if r.Header.Get("Authorization") != basic {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"status":401,"error":"Unauthorized"}`)
			return
		}
		fmt.Fprintf(w, `{"token":%q}`, fakeJWT)
	case r.URL.Path == "/data/api/v1/report/device":
		auth := r.Header.Get("Authorization")
		f.mu.Lock()
		f.requests = append(f.requests, r.URL.RequestURI())
		f.auths = append(f.auths, strings.SplitN(auth, " ", 2)[0])
		f.mu.Unlock()
		if auth != basic && auth != "Bearer "+fakeJWT {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		page := r.URL.Query().Get("pageNumber")
		if page == "" {
			page = "1"
		}
		next := "null"
		if f.loop {
			next = `"http://elsewhere.invalid/data/api/v1/report/device?requestID=R1&pageNumber=1"`
		} else if page != "3" {
			next = fmt.Sprintf(`"http://elsewhere.invalid/data/api/v1/report/device?requestID=R1&pageNumber=%c"`, page[0]+1)
		}
		fmt.Fprintf(w, `{"header":{"recordCount":6,"totalPages":3,"nextPageURL":%s},"data":[{"deviceID":"D%s-1"},{"deviceID":"D%s-2"}]}`, next, page, page)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func TestDataAccess(t *testing.T) {
	t.Parallel()
	f := &fakeDataAccess{}
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	v := newVU(t, ts.URL, basicClient+`
		const tok = new fno.Client({baseURL: BASE, auth: {token: 'pat-123'}});`, vuConfig{})

	// Without authenticate(), reports go with the user and password.
	r := v.run(`client.data.report('device', {pastDays: 7, query: {accountID: {$eq: 'ACME'}}})`).(map[string]any)
	if r["pages"] != 3 || r["recordCount"] != 6 || r["totalRecords"] != float64(6) || r["error"] != "" || r["truncated"] != false {
		t.Fatalf("report = %v", r)
	}
	recs, _ := r["records"].([]any)
	if len(recs) != 6 || recs[5].(map[string]any)["deviceID"] != "D3-2" {
		t.Errorf("records = %v", recs)
	}
	f.mu.Lock()
	first, later, auths := f.requests[0], f.requests[1:], f.auths
	f.requests, f.auths = nil, nil
	f.mu.Unlock()
	if !strings.Contains(first, "pastDays=7") || !strings.Contains(first, "query=%7B%22accountID%22%3A%7B%22%24eq%22%3A%22ACME%22%7D%7D") {
		t.Errorf("first page request %q, want pastDays and the JSON query", first)
	}
	if len(later) != 2 || later[0] != "/data/api/v1/report/device?requestID=R1&pageNumber=2" {
		t.Errorf("following pages %q, want the nextPageURL queries on the base URL", later)
	}
	if strings.Join(auths, ",") != "Basic,Basic,Basic" {
		t.Errorf("report auth = %v, want Basic", auths)
	}
	samples := v.drain()
	if n := len(only(samples, "http_reqs")); n != 3 {
		t.Errorf("%d http_reqs for 3 pages", n)
	}
	for _, s := range only(samples, "http_reqs") {
		if tag(s, "name") != ts.URL+"/data/api/v1/report/device" || tag(s, TagOperation) != "getDeviceReport" || tag(s, TagService) != ServiceDataAccess {
			t.Errorf("page tags = %v, want one name for every page", s.Tags.Map())
		}
	}
	if ops := only(samples, MetricOperationDuration); len(ops) != 1 {
		t.Errorf("%d fno_operation_duration samples for one report, want 1", len(ops))
	}

	// authenticate() keeps the JWT (never hands it to the script), and the
	// reports use it.
	a := v.run(`client.data.authenticate()`).(map[string]any)
	if a["ok"] != true || a["httpStatus"] != 200 {
		t.Fatalf("authenticate = %v", a)
	}
	if out := v.run(`JSON.stringify(client.data.authenticate())`).(string); strings.Contains(out, fakeJWT) {
		t.Errorf("authenticate returned the token: %s", out)
	}
	r = v.run(`client.data.report('device', {maxPages: 2, keep: false})`).(map[string]any)
	if r["pages"] != 2 || r["truncated"] != true || r["records"] != nil || r["recordCount"] != 4 {
		t.Errorf("maxPages 2, keep false: %v", r)
	}
	f.mu.Lock()
	auths = f.auths
	f.mu.Unlock()
	if strings.Join(auths, ",") != "Bearer,Bearer" {
		t.Errorf("report auth after authenticate = %v, want Bearer", auths)
	}

	// A token client sends its token and cannot authenticate.
	if r := v.run(`tok.data.report('device')`).(map[string]any); r["httpStatus"] != 401 || r["error"] == "" {
		t.Errorf("token client with a token the fake refuses: %v", r)
	}
	for _, c := range []struct{ js, want string }{
		{`tok.data.authenticate()`, "needs options.auth basic or soapHeader"},
		{`client.data.report('devices')`, "unknown group"},
		{`client.data.report('device', {format: 'csv'})`, "only 'json'"},
		{`client.data.report('device', {maxPages: 0})`, "maxPages"},
		{`client.data.report('device', {query: 'accountID=1'})`, "params.query must be an object"},
		{`client.data.report('device', {pastDays: {}})`, "params.pastDays"},
	} {
		if msg := v.runErr(c.js); !strings.Contains(msg, c.want) {
			t.Errorf("%s threw %q, want %q", c.js, msg, c.want)
		}
	}
}

// A nextPageURL that leads back to a page already read stops the paging
// with an error instead of looping until maxPages.
func TestDataAccessPagingLoop(t *testing.T) {
	t.Parallel()
	f := &fakeDataAccess{loop: true}
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	v := newVU(t, ts.URL, basicClient, vuConfig{})
	r := v.run(`client.data.report('device', {pageNumber: 1, maxPages: 50})`).(map[string]any)
	if msg, _ := r["error"].(string); !strings.Contains(msg, "already read") || r["pages"] != 2 {
		t.Errorf("looping report = %v", r)
	}
	b, _ := json.Marshal(r)
	if strings.Contains(string(b), "elsewhere") {
		t.Errorf("the result quotes the next page URL: %s", b)
	}
}

// Against the emulator's Data Access API: devices created over SOAP are in
// the device report, read with a JWT through three pages whose records add
// up to the count the first INTERACTIVE header announced.
func TestDataAccessEmulator(t *testing.T) {
	t.Parallel()
	e := sharedEmulator(t)
	v := newVU(t, e.URL(), basicClient, vuConfig{})
	for i := range 9 {
		if r := v.run(createDevice("client", fmt.Sprintf("K6EXT-DATA-%d", i))).(map[string]any); r["status"] != "SUCCESS" {
			t.Fatalf("createDevice = %v", r)
		}
	}
	if a := v.run(`client.data.authenticate()`).(map[string]any); a["ok"] != true {
		t.Fatalf("authenticate = %v", a)
	}
	r := v.run(`client.data.report('device', {pastDays: 1, limitRecords: 4, mode: 'INTERACTIVE', query: {deviceID: {$sw: 'K6EXT-DATA-'}}})`).(map[string]any)
	if r["error"] != "" || r["httpStatus"] != 200 || r["truncated"] != false {
		t.Fatalf("device report = %v", r)
	}
	if r["recordCount"] != 9 || r["pages"] != 3 || r["totalRecords"] != float64(9) || r["totalPages"] != float64(3) {
		t.Errorf("device report: %v records in %v pages, header %v in %v; want 9 in 3", r["recordCount"], r["pages"], r["totalRecords"], r["totalPages"])
	}
	seen := map[string]bool{}
	for _, rec := range r["records"].([]any) {
		seen[rec.(map[string]any)["deviceID"].(string)] = true
	}
	if len(seen) != 9 {
		t.Errorf("%d distinct devices in the report, want 9: %v", len(seen), seen)
	}
}
