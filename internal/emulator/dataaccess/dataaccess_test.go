package dataaccess_test

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/dataaccess"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// seedFilters is the filter table of seed 001 (lines 2419-2436): the
// groups and the filters each accepts.
var seedFilters = map[string][]string{
	"account":         {"accountID", "accountName"},
	"user":            {"userName", "displayName", "email", "accountID", "accountName"},
	"entitlement":     {"entitlementID", "activationID", "productName", "partNumber", "accountID", "accountName"},
	"device":          {"deviceName", "deviceID", "accountID", "accountName", "entitlementID", "activationID", "productName", "partNumber", "deviceUserEmail", "siteName"},
	"served-device":   {"accountID", "accountName", "siteName", "servedClientHostID"},
	"product-feature": {"productName", "productVersion", "featureName", "featureVersion"},
	"fulfillment":     {"fulfillmentID", "activationID", "productName", "partNumber", "accountID", "accountName", "hostEntityID"},
}

var groups = []string{"account", "user", "entitlement", "device", "served-device", "product-feature", "fulfillment"}

var pdt = time.FixedZone("PDT", -7*3600)

func zoneOf(group string) *time.Location {
	if group == "device" || group == "served-device" {
		return pdt
	}
	return time.UTC
}

// keyOf identifies a record of a group.
func keyOf(group string, rec map[string]any) string {
	switch group {
	case "account":
		return text(rec, "accountID")
	case "user":
		return text(rec, "userName") + "|" + text(rec, "accountID")
	case "entitlement":
		return text(rec, "activationID")
	case "device":
		return text(rec, "deviceID") + "|" + text(rec, "activationID")
	case "served-device":
		return text(rec, "servedClientHostID")
	case "product-feature":
		return strings.Join([]string{text(rec, "productName"), text(rec, "productVersion"), text(rec, "featureName"), text(rec, "featureVersion")}, "|")
	case "fulfillment":
		return text(rec, "fulfillmentID")
	}
	panic("unknown group " + group)
}

type stateRec struct {
	key string
	mod time.Time
}

// stateRecords lists a group's records straight from the state, written
// apart from the package's own reading: the records a report over any
// period is cut from.
func stateRecords(t testing.TB, st *state.Store, group string) []stateRec {
	t.Helper()
	var out []stateRec
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	switch group {
	case "account":
		as, err := st.Accounts(state.AccountQuery{}, state.Page{})
		must(err)
		for _, a := range as {
			out = append(out, stateRec{a.ID, a.Modified})
		}
	case "user":
		us, err := st.Users(state.UserQuery{}, state.Page{})
		must(err)
		for _, u := range us {
			if len(u.Accounts) == 0 {
				out = append(out, stateRec{u.UserName + "|", u.Modified})
			}
			for _, a := range u.Accounts {
				out = append(out, stateRec{u.UserName + "|" + a.AccountID, u.Modified})
			}
		}
	case "entitlement":
		its, err := st.LineItems(state.LineItemQuery{}, state.Page{})
		must(err)
		for _, it := range its {
			e, err := st.Entitlement(it.EntitlementID)
			must(err)
			mod := it.Modified
			if e.Modified.After(mod) {
				mod = e.Modified
			}
			out = append(out, stateRec{it.ActivationID, mod})
		}
	case "device", "served-device":
		ds, err := st.Devices(state.DeviceQuery{}, state.Page{})
		must(err)
		for _, d := range ds {
			if (d.Class == state.ServedClient) != (group == "served-device") {
				continue
			}
			if group == "served-device" {
				out = append(out, stateRec{d.DeviceID, d.Modified})
				continue
			}
			if len(d.AddOns) == 0 {
				out = append(out, stateRec{d.DeviceID + "|", d.Modified})
			}
			for _, a := range d.AddOns {
				out = append(out, stateRec{d.DeviceID + "|" + a.ActivationID, d.Modified})
			}
		}
	case "product-feature":
		ps, err := st.Products(state.ProductQuery{}, state.Page{})
		must(err)
		for _, p := range ps {
			if len(p.Features) == 0 {
				out = append(out, stateRec{p.Name + "|" + p.Version + "||", p.Modified})
			}
			for _, f := range p.Features {
				out = append(out, stateRec{p.Name + "|" + p.Version + "|" + f.Name + "|" + f.Version, p.Modified})
			}
		}
	case "fulfillment":
		fs, err := st.Fulfillments(state.FulfillmentQuery{}, state.Page{})
		must(err)
		for _, f := range fs {
			out = append(out, stateRec{f.ID, f.Modified})
		}
	}
	return out
}

// period picks a 30-day range (in the group's zone) ending on the day of
// the group's most recent record at or before now, so it holds records.
func period(t testing.TB, f *fixture, group string) (dateFrom, dateTo string) {
	t.Helper()
	var last time.Time
	for _, r := range stateRecords(t, f.st, group) {
		if !r.mod.After(f.clk.Now()) && r.mod.After(last) {
			last = r.mod
		}
	}
	if last.IsZero() {
		t.Fatalf("%s: no record before now", group)
	}
	day := last.In(zoneOf(group))
	return day.AddDate(0, 0, -29).Format("2006-01-02"), day.Format("2006-01-02")
}

// expected returns the keys of the group's records changed in the range
// dateFrom..dateTo (both included, days in the group's zone) and not after
// now.
func expected(t testing.TB, f *fixture, group, dateFrom, dateTo string) []string {
	t.Helper()
	loc := zoneOf(group)
	from, err := time.ParseInLocation("2006-01-02", dateFrom, loc)
	if err != nil {
		t.Fatal(err)
	}
	to, err := time.ParseInLocation("2006-01-02", dateTo, loc)
	if err != nil {
		t.Fatal(err)
	}
	to = to.AddDate(0, 0, 1)
	now := f.clk.Now()
	var out []string
	for _, r := range stateRecords(t, f.st, group) {
		if !r.mod.Before(from) && r.mod.Before(to) && !r.mod.After(now) {
			out = append(out, r.key)
		}
	}
	slices.Sort(out)
	return out
}

// walkAll follows nextPageURL from a first page to the last and returns
// every page.
func walkAll(t testing.TB, f *fixture, first string) []reportPage {
	t.Helper()
	var pages []reportPage
	next := first
	for i := 0; next != ""; i++ {
		if i > 10000 {
			t.Fatal("more than 10000 pages")
		}
		p := page(t, f.get(t, next))
		pages = append(pages, p)
		next = p.next
	}
	return pages
}

// TestRouteWalk calls every route of data-access.yaml with valid requests,
// every report in both formats and both modes, filtered and not, and
// validates each request and answer against the contract: zero findings.
func TestRouteWalk(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testSizes)
	v := validator(t)
	walked := map[string]bool{}
	call := func(t *testing.T, route, target string) exchange {
		t.Helper()
		walked[route] = true
		x := f.get(t, target)
		if x.Status != http.StatusOK {
			t.Fatalf("status %d: %s", x.Status, x.Body)
		}
		validate(t, v, x)
		return x
	}

	t.Run("authenticate", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+dataaccess.PathAuthenticate, nil)
		req.SetBasicAuth(testUser, testPassword)
		x := resttest.Send(t, nil, req)
		walked["GET "+dataaccess.PathAuthenticate] = true
		if x.Status != http.StatusOK {
			t.Fatalf("status %d", x.Status)
		}
		validate(t, v, x)
		if x.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("a token answer without Cache-Control: no-store")
		}
	})

	t.Run("report-names", func(t *testing.T) {
		x := call(t, "GET "+dataaccess.PathReportNames, dataaccess.PathReportNames)
		var m struct{ Data []string }
		if err := json.Unmarshal(x.Body, &m); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(m.Data, groups) {
			t.Errorf("report-names = %v, want the seed's %v", m.Data, groups)
		}
		if !slices.Equal(f.h.Groups(), groups) {
			t.Errorf("Groups() = %v", f.h.Groups())
		}
	})

	t.Run("global-filters", func(t *testing.T) {
		x := call(t, "GET "+dataaccess.PathGlobalFilters, dataaccess.PathGlobalFilters)
		var m struct{ Data []struct{ Name string } }
		if err := json.Unmarshal(x.Body, &m); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, d := range m.Data {
			names = append(names, d.Name)
		}
		want := []string{"dateFrom", "dateTo", "format", "limitRecords", "mode", "pastDays", "pageNumber"}
		if !slices.Equal(names, want) {
			t.Errorf("global filters %v, want %v", names, want)
		}
	})

	for _, g := range groups {
		t.Run("report-types/"+g, func(t *testing.T) {
			x := call(t, "GET "+dataaccess.PathReportTypes+"{group}", dataaccess.PathReportTypes+g)
			var m struct{ Data []dataaccess.Field }
			if err := json.Unmarshal(x.Body, &m); err != nil {
				t.Fatal(err)
			}
			var filters []string
			names := map[string]bool{}
			for _, fd := range m.Data {
				names[fd.Name] = true
				if fd.Filter {
					filters = append(filters, fd.Name)
				}
				if (fd.Type == "VARCHAR") != (fd.Length != nil) {
					t.Errorf("%s: type %s with length %v", fd.Name, fd.Type, fd.Length)
				}
			}
			want := slices.Sorted(slices.Values(seedFilters[g]))
			if slices.Sort(filters); !slices.Equal(filters, want) {
				t.Errorf("filters %v, want the seed's %v", filters, want)
			}
			if !names["lastModified"] {
				t.Errorf("no lastModified field")
			}
		})
	}

	for _, g := range groups {
		dateFrom, dateTo := period(t, f, g)
		for _, format := range []string{"json", "csv"} {
			for _, mode := range []string{"BATCH", "INTERACTIVE"} {
				t.Run("report/"+g+"/"+format+"/"+mode, func(t *testing.T) {
					route := "GET " + dataaccess.PathReport + g
					p := url.Values{"dateFrom": {dateFrom}, "dateTo": {dateTo}, "format": {format}, "mode": {mode}, "limitRecords": {"7"}}
					x := call(t, route, reportPath(g, p))
					pg := page(t, x)
					if len(pg.records) == 0 {
						t.Fatalf("no record in a period that has some")
					}
					if format == "csv" {
						if ct := x.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
							t.Errorf("Content-Type %q", ct)
						}
					} else if fields := keys(pg.records[0]); len(fields) < len(seedFilters[g]) {
						t.Errorf("a record with %d fields", len(fields))
					}
					if pg.next != "" {
						validate(t, v, f.get(t, pg.next))
					}
					// The same period filtered on a value of the first record.
					rec := pg.records[0]
					for _, name := range seedFilters[g] {
						if val := text(rec, name); val != "" {
							p.Set("query", query(t, map[string]any{name: map[string]any{"$eq": val}}))
							fx := call(t, route, reportPath(g, p))
							if n := len(page(t, fx).records); n == 0 {
								t.Errorf("filter %s $eq found nothing", name)
							}
							break
						}
					}
					// The default period (pastDays 1) and the widest one.
					call(t, route, reportPath(g, url.Values{"format": {format}, "mode": {mode}}))
					call(t, route, reportPath(g, url.Values{"format": {format}, "mode": {mode}, "pastDays": {"30"}, "limitRecords": {"2500"}}))
				})
			}
		}
	}

	resttest.EveryRoute(t, v, walked)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Every group's report over a period holds exactly the state's records
// changed in it, each once, over all its pages.
func TestReportsMatchState(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testSizes)
	for _, g := range groups {
		t.Run(g, func(t *testing.T) {
			dateFrom, dateTo := period(t, f, g)
			want := expected(t, f, g, dateFrom, dateTo)
			if len(want) == 0 {
				t.Fatal("no record in the period")
			}
			pages := walkAll(t, f, reportPath(g, url.Values{"dateFrom": {dateFrom}, "dateTo": {dateTo}, "mode": {"INTERACTIVE"}, "limitRecords": {"50"}}))
			var got []string
			for _, p := range pages {
				for _, r := range p.records {
					got = append(got, keyOf(g, r))
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("report holds %d records, the state %d changed in %s..%s\n got %v\nwant %v", len(got), len(want), dateFrom, dateTo, clip(got), clip(want))
			}
			if pages[0].recordCount != len(want) {
				t.Errorf("recordCount %d, want %d", pages[0].recordCount, len(want))
			}
		})
	}
}

func clip(s []string) []string {
	if len(s) > 8 {
		return append(s[:8:8], "…")
	}
	return s
}

// The paging walk: following nextPageURL visits every record once, in
// every mode and format; the counts agree; previousPageURL walks back
// over the same pages.
func TestPagingWalk(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testSizes)
	const g = "device"
	dateFrom, dateTo := period(t, f, g)
	want := expected(t, f, g, dateFrom, dateTo)
	for _, format := range []string{"json", "csv"} {
		for _, mode := range []string{"BATCH", "INTERACTIVE"} {
			for _, limit := range []int{9, 40, len(want), len(want) + 5} {
				t.Run(fmt.Sprintf("%s/%s/%d", format, mode, limit), func(t *testing.T) {
					t.Parallel()
					first := reportPath(g, url.Values{"dateFrom": {dateFrom}, "dateTo": {dateTo}, "format": {format}, "mode": {mode}, "limitRecords": {strconv.Itoa(limit)}})
					pages := walkAll(t, f, first)
					wantPages := int(math.Ceil(float64(len(want)) / float64(limit)))
					if len(pages) != wantPages {
						t.Errorf("%d pages, want %d", len(pages), wantPages)
					}
					seen := map[string]bool{}
					var got []string
					for i, p := range pages {
						if len(p.records) > limit {
							t.Errorf("page %d has %d records, limit %d", i+1, len(p.records), limit)
						}
						if i < len(pages)-1 && len(p.records) != limit {
							t.Errorf("page %d of %d has %d records, want %d", i+1, len(pages), len(p.records), limit)
						}
						if (i == 0) != (p.prev == "") {
							t.Errorf("page %d: previousPageURL %q", i+1, p.prev)
						}
						for _, r := range p.records {
							k := keyOf(g, r)
							if seen[k] {
								t.Errorf("record %s repeated on page %d", k, i+1)
							}
							seen[k] = true
							got = append(got, k)
						}
						if format == "json" {
							wantCount, wantTotal := -1, -1
							if mode == "INTERACTIVE" {
								wantCount, wantTotal = len(want), wantPages
							}
							if p.recordCount != wantCount || p.totalPages != wantTotal {
								t.Errorf("page %d: recordCount %d totalPages %d, want %d %d", i+1, p.recordCount, p.totalPages, wantCount, wantTotal)
							}
						}
					}
					slices.Sort(got)
					if !slices.Equal(got, want) {
						t.Errorf("the pages hold %d records, want %d", len(got), len(want))
					}
					// Back from the last page to the first.
					back := pages[len(pages)-1].prev
					for i := len(pages) - 2; i >= 0; i-- {
						if back == "" {
							t.Fatalf("no previousPageURL on page %d", i+2)
						}
						p := page(t, f.get(t, back))
						if !slices.EqualFunc(p.records, pages[i].records, func(a, b map[string]any) bool { return keyOf(g, a) == keyOf(g, b) }) {
							t.Fatalf("previousPageURL of page %d is not page %d", i+2, i+1)
						}
						back = p.prev
					}
					if back != "" {
						t.Errorf("page 1 reached by previousPageURL has a previousPageURL")
					}
				})
			}
		}
	}
}

// Records created while a client pages through stay out of its pages (the
// requestID pins the period's end) and are in the next extract.
func TestPagesPinnedToFirstRequest(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testSizes)
	const g = "device"
	// Devices created now are in the last day.
	for i := range 30 {
		if _, err := f.st.CreateDevice(state.Device{DeviceID: fmt.Sprintf("PIN-A-%03d", i), Class: state.Client, IDType: state.IDString, Status: state.DeviceActive}); err != nil {
			t.Fatal(err)
		}
	}
	f.clk.Advance(time.Minute)
	first := reportPath(g, url.Values{"pastDays": {"1"}, "mode": {"INTERACTIVE"}, "limitRecords": {"7"}})
	p1 := page(t, f.get(t, first))
	if p1.recordCount < 30 {
		t.Fatalf("recordCount %d: the 30 devices created today are missing", p1.recordCount)
	}
	// More devices, later, while the client pages.
	f.clk.Advance(time.Minute)
	for i := range 20 {
		if _, err := f.st.CreateDevice(state.Device{DeviceID: fmt.Sprintf("PIN-B-%03d", i), Class: state.Client, IDType: state.IDString, Status: state.DeviceActive}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for _, r := range p1.records {
		seen[keyOf(g, r)] = true
	}
	for _, p := range walkAll(t, f, p1.next) {
		if p.recordCount != p1.recordCount {
			t.Errorf("recordCount changed from %d to %d while paging", p1.recordCount, p.recordCount)
		}
		for _, r := range p.records {
			k := keyOf(g, r)
			if strings.HasPrefix(k, "PIN-B") {
				t.Errorf("device %s written after the first page is in the pages", k)
			}
			if seen[k] {
				t.Errorf("record %s repeated", k)
			}
			seen[k] = true
		}
	}
	if len(seen) != p1.recordCount {
		t.Errorf("the pages hold %d records, the first page counted %d", len(seen), p1.recordCount)
	}
	// A new extract sees them.
	if n := page(t, f.get(t, first)).recordCount; n != p1.recordCount+20 {
		t.Errorf("a new request counts %d, want %d", n, p1.recordCount+20)
	}
}

// The operators filter as the seed says, case-insensitively, and several
// filters combine: each filtered report is the unfiltered one with the
// operator applied by the test, and none is empty where the data has
// matches.
func TestOperators(t *testing.T) {
	t.Parallel()
	f := newFixture(t, testSizes)
	type opCase struct {
		group, field string
	}
	cases := []opCase{
		{"account", "accountName"}, {"user", "email"}, {"user", "accountID"}, {"entitlement", "productName"},
		{"entitlement", "partNumber"}, {"device", "accountID"}, {"device", "siteName"}, {"device", "deviceName"},
		{"device", "activationID"}, {"served-device", "siteName"}, {"served-device", "servedClientHostID"},
		{"product-feature", "featureName"}, {"fulfillment", "hostEntityID"}, {"fulfillment", "accountName"},
	}
	for _, c := range cases {
		t.Run(c.group+"/"+c.field, func(t *testing.T) {
			t.Parallel()
			dateFrom, dateTo := period(t, f, c.group)
			base := url.Values{"dateFrom": {dateFrom}, "dateTo": {dateTo}, "limitRecords": {"2500"}}
			all := page(t, f.get(t, reportPath(c.group, base))).records
			// The most common non-empty value, so filters find several.
			counts := map[string]int{}
			var val string
			for _, r := range all {
				if s := text(r, c.field); s != "" {
					counts[s]++
					if counts[s] > counts[val] || (counts[s] == counts[val] && s < val) {
						val = s
					}
				}
			}
			if val == "" {
				t.Fatalf("no value of %s in the period", c.field)
			}
			other := ""
			for s := range counts {
				if s != val && (other == "" || s < other) {
					other = s
				}
			}
			runes := []rune(val)
			n := max(1, len(runes)/3)
			type op struct {
				name string
				cond any
				keep func(s string) bool
			}
			lv := strings.ToLower(val)
			ops := []op{
				{"$eq", strings.ToUpper(val), func(s string) bool { return strings.EqualFold(s, val) }},
				{"$sw", strings.ToUpper(string(runes[:n])), func(s string) bool { return strings.HasPrefix(strings.ToLower(s), strings.ToLower(string(runes[:n]))) }},
				{"$ew", string(runes[len(runes)-n:]), func(s string) bool {
					return strings.HasSuffix(strings.ToLower(s), strings.ToLower(string(runes[len(runes)-n:])))
				}},
				{"$con", string(runes[n/2 : n/2+n]), func(s string) bool {
					return strings.Contains(strings.ToLower(s), strings.ToLower(string(runes[n/2:n/2+n])))
				}},
				{"$in", []string{lv, other, "no-such-value"}, func(s string) bool { return strings.EqualFold(s, val) || (other != "" && strings.EqualFold(s, other)) }},
				{"$eq", "no-such-value", func(string) bool { return false }},
			}
			for _, o := range ops {
				p := url.Values{}
				for k, v := range base {
					p[k] = v
				}
				p.Set("query", query(t, map[string]any{c.field: map[string]any{o.name: o.cond}}))
				got := page(t, f.get(t, reportPath(c.group, p))).records
				var want []string
				for _, r := range all {
					if o.keep(text(r, c.field)) {
						want = append(want, keyOf(c.group, r))
					}
				}
				var gotKeys []string
				for _, r := range got {
					gotKeys = append(gotKeys, keyOf(c.group, r))
				}
				if !slices.Equal(gotKeys, want) {
					t.Errorf("%s %v: %d records %v, want %d %v", o.name, o.cond, len(gotKeys), clip(gotKeys), len(want), clip(want))
				}
				if o.cond != "no-such-value" && len(want) == 0 {
					t.Errorf("%s %v: the test's own filter keeps nothing", o.name, o.cond)
				}
			}
		})
	}

	t.Run("combined", func(t *testing.T) {
		t.Parallel()
		const g = "device"
		dateFrom, dateTo := period(t, f, g)
		base := url.Values{"dateFrom": {dateFrom}, "dateTo": {dateTo}, "limitRecords": {"2500"}}
		all := page(t, f.get(t, reportPath(g, base))).records
		var anchor map[string]any
		for _, r := range all {
			if text(r, "activationID") == "" && text(r, "siteName") != "" {
				anchor = r
				break
			}
		}
		if anchor == nil {
			t.Fatal("no device without add-ons in the period")
		}
		acct, site := text(anchor, "accountID"), text(anchor, "siteName")
		base.Set("query", query(t, map[string]any{"accountID": map[string]any{"$eq": acct}, "siteName": map[string]any{"$con": site}, "activationID": map[string]any{"$eq": ""}}))
		got := page(t, f.get(t, reportPath(g, base))).records
		var want, gotKeys []string
		for _, r := range all {
			if strings.EqualFold(text(r, "accountID"), acct) && strings.Contains(strings.ToLower(text(r, "siteName")), strings.ToLower(site)) && text(r, "activationID") == "" {
				want = append(want, keyOf(g, r))
			}
		}
		for _, r := range got {
			gotKeys = append(gotKeys, keyOf(g, r))
		}
		if len(want) == 0 || !slices.Equal(gotKeys, want) {
			t.Errorf("combined filters: %v, want %v (not empty)", gotKeys, want)
		}
	})
}

// pastDays counts back from now; a record written now is in pastDays=1,
// and one of 2 days ago only from pastDays=2 on; a range ignores
// pastDays; device times are in PDT and the other groups' in UTC.
func TestPeriods(t *testing.T) {
	t.Parallel()
	f := newFixture(t, state.Sizes{Accounts: 5, Users: 10, Products: 3, Entitlements: 10, Devices: 10, Fulfillments: 5})
	f.clk.Advance(400 * 24 * time.Hour) // past every generated record
	if _, err := f.st.CreateDevice(state.Device{DeviceID: "OLD-1", Class: state.Client, IDType: state.IDString, Status: state.DeviceActive}); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(2*24*time.Hour + time.Hour)
	if _, err := f.st.CreateDevice(state.Device{DeviceID: "NEW-1", Class: state.Client, IDType: state.IDString, Status: state.DeviceActive}); err != nil {
		t.Fatal(err)
	}
	f.token = f.authenticate(t, http.MethodGet)
	ids := func(p url.Values) []string {
		var out []string
		for _, r := range page(t, f.get(t, reportPath("device", p))).records {
			out = append(out, text(r, "deviceID"))
		}
		return out
	}
	if got := ids(url.Values{}); !slices.Equal(got, []string{"NEW-1"}) {
		t.Errorf("default period: %v, want [NEW-1]", got)
	}
	if got := ids(url.Values{"pastDays": {"2"}}); !slices.Equal(got, []string{"NEW-1"}) {
		t.Errorf("pastDays 2: %v, want [NEW-1]", got)
	}
	if got := ids(url.Values{"pastDays": {"3"}}); !slices.Equal(got, []string{"OLD-1", "NEW-1"}) {
		t.Errorf("pastDays 3: %v, want [OLD-1 NEW-1]", got)
	}
	// The range holds the old device's day only; pastDays is ignored.
	day := f.clk.Now().Add(-(2*24*time.Hour + time.Hour)).In(pdt).Format("2006-01-02")
	if got := ids(url.Values{"dateFrom": {day}, "dateTo": {day}, "pastDays": {"30"}}); !slices.Equal(got, []string{"OLD-1"}) {
		t.Errorf("range %s: %v, want [OLD-1]", day, got)
	}
	rec := page(t, f.get(t, reportPath("device", url.Values{}))).records[0]
	if s := text(rec, "lastModified"); !strings.HasSuffix(s, "-07:00") {
		t.Errorf("device lastModified %q is not in PDT", s)
	}
	acct := page(t, f.get(t, reportPath("account", url.Values{"dateFrom": {"2025-01-01"}, "dateTo": {"2025-01-30"}})))
	for _, r := range acct.records {
		if s := text(r, "lastModified"); !strings.HasSuffix(s, "Z") {
			t.Errorf("account lastModified %q is not in UTC", s)
		}
	}
}
