package rest

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/suite"
)

// The Data Access API (schemas/rest/data-access.yaml, seed 001 lines
// 2121-2460).
const (
	daAPI             = "data-access"
	pathDAAuth        = "/data/api/v1/authenticate"
	pathReportNames   = "/data/api/v1/report/report-names"
	pathReportTypes   = "/data/api/v1/report/report-types/"
	pathGlobalFilters = "/data/api/v1/report/global-filters"
	pathReport        = "/data/api/v1/report/"

	// Documented limits (seed 001 lines 2315-2360).
	maxLimitRecords = 2500
	maxPastDays     = 30
	maxRangeDays    = 30
	// periodWindows bounds how far back a spec looks for a 30-day window
	// holding records: three years.
	periodWindows = 37
)

// reportGroups are the report groups of the contract (ReportGroup) with
// the operation behind each one's path.
var reportGroups = []struct{ group, op string }{
	{"account", "getAccountReport"},
	{"user", "getUserReport"},
	{"entitlement", "getEntitlementReport"},
	{"device", "getDeviceReport"},
	{"served-device", "getServedDeviceReport"},
	{"product-feature", "getProductFeatureReport"},
	{"fulfillment", "getFulfillmentReport"},
}

func daLabels(op string, kind suite.Kind, tier suite.Tier) Labels {
	return labels(daAPI, op, kind, tier)
}

// reportPage is one page of a report, from JSON or CSV.
type reportPage struct {
	recordCount, totalPages int // JSON only; CSV pages have no header object
	prev, next              string
	fields                  []string // CSV header row
	records                 []map[string]any
}

// getReport sends one report request and reads its page; the answer must
// be 200 and valid.
func getReport(group string, q url.Values) (*suite.RESTResult, reportPage) {
	GinkgoHelper()
	return readReport(call(daAPI, http.MethodGet, pathReport+group, q, nil))
}

// follow requests a paging URL the target gave.
func follow(link string) reportPage {
	GinkgoHelper()
	path, q := pathQuery(link)
	_, p := readReport(call(daAPI, http.MethodGet, path, q, nil))
	return p
}

func readReport(r *suite.RESTResult) (*suite.RESTResult, reportPage) {
	GinkgoHelper()
	r.ExpectStatus(http.StatusOK)
	r.ExpectValid()
	var p reportPage
	if strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		rows, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
		Expect(err).NotTo(HaveOccurred(), "a CSV report does not parse")
		Expect(rows).NotTo(BeEmpty(), "a CSV report has no header row")
		p.fields = rows[0]
		for _, row := range rows[1:] {
			m := map[string]any{}
			for i, v := range row {
				if v != "" && i < len(p.fields) {
					m[p.fields[i]] = v
				}
			}
			p.records = append(p.records, m)
		}
		p.prev, p.next = linkRel(r.Header, "prev"), linkRel(r.Header, "next")
		return r, p
	}
	h := at(r.JSON, "header")
	p.recordCount = mustInt(at(h, "recordCount"), "header.recordCount")
	p.totalPages = mustInt(at(h, "totalPages"), "header.totalPages")
	p.prev, p.next = text(at(h, "previousPageURL")), text(at(h, "nextPageURL"))
	p.records = objects(at(r.JSON, "data"))
	return r, p
}

// linkRel is the URL of one relation of an RFC 8288 Link header ("" when
// absent): how a CSV report carries its paging URLs (DA-4).
func linkRel(h http.Header, rel string) string {
	for _, v := range h.Values("Link") {
		for _, part := range strings.Split(v, ",") {
			target, params, ok := strings.Cut(strings.TrimSpace(part), ";")
			if !ok {
				continue
			}
			if strings.Contains(strings.ReplaceAll(params, " ", ""), `rel="`+rel+`"`) || strings.Contains(strings.ReplaceAll(params, " ", ""), "rel="+rel) {
				return strings.Trim(strings.TrimSpace(target), "<>")
			}
		}
	}
	return ""
}

// recordKey identifies a record by all its fields: report records are
// flat, and two equal records on two pages are a repeat.
func recordKey(rec map[string]any) string {
	b, err := json.Marshal(rec)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

// period is a 30-day range of a group that holds records, and how many
// it held when the spec counted them.
type period struct {
	from, to string
	count    int
}

func (p period) query() url.Values { return url.Values{"dateFrom": {p.from}, "dateTo": {p.to}} }

var (
	periodsMu sync.Mutex
	periods   = map[string]period{} // by base URL and group; count not kept
)

// zoneOf is the time zone a group's dates are in: device and served-device
// report in PDT (UTC-7), the others in UTC (seed 001 lines 2225-2226).
func zoneOf(group string) *time.Location {
	if group == "device" || group == "served-device" {
		return time.FixedZone("PDT", -7*3600)
	}
	return time.UTC
}

// countPeriod counts a period's records now (INTERACTIVE recordCount).
func countPeriod(group string, from, to string) int {
	GinkgoHelper()
	_, pg := getReport(group, url.Values{"dateFrom": {from}, "dateTo": {to}, "mode": {"INTERACTIVE"}, "limitRecords": {"1"}})
	return pg.recordCount
}

// findPeriod finds the 30-day range holding the most records of group
// among the periodWindows ranges that end yesterday (in the group's zone)
// and before, going back a range at a time: a tenant's busiest recent
// month, or wherever a generated data set is densest, so filters and
// pages have records to work on. Ending before today keeps the records
// the run itself writes out of it. The range is kept for the run; the
// count is taken afresh by every spec, since other specs change records.
func findPeriod(group string) period {
	GinkgoHelper()
	key := suite.E().BaseURL() + "|" + group
	periodsMu.Lock()
	p, ok := periods[key]
	periodsMu.Unlock()
	if ok {
		p.count = countPeriod(group, p.from, p.to)
		if p.count == 0 {
			Skip("the " + group + " records of the period were changed by earlier specs")
		}
		return p
	}
	end := targetNow().In(zoneOf(group)).AddDate(0, 0, -1)
	var best period
	for i := range periodWindows {
		to := end.AddDate(0, 0, -maxRangeDays*i)
		from := to.AddDate(0, 0, -(maxRangeDays - 1))
		p = period{from: from.Format(time.DateOnly), to: to.Format(time.DateOnly)}
		if p.count = countPeriod(group, p.from, p.to); p.count > best.count {
			best = p
		}
	}
	if best.count == 0 {
		Skip("no " + group + " records in the last " + strconv.Itoa(periodWindows*maxRangeDays) + " days of the target")
	}
	periodsMu.Lock()
	periods[key] = period{from: best.from, to: best.to}
	periodsMu.Unlock()
	return best
}

// wholePeriod is every record of a period, in one page (Skip when the
// period holds more than a page can).
func wholePeriod(group string, p period) []map[string]any {
	GinkgoHelper()
	if p.count > maxLimitRecords {
		Skip("the period holds more records than one page; filters are checked on smaller periods")
	}
	q := p.query()
	q.Set("limitRecords", strconv.Itoa(maxLimitRecords))
	q.Set("mode", "INTERACTIVE")
	_, pg := getReport(group, q)
	Expect(len(pg.records)).To(Equal(pg.recordCount), "a page as large as the period does not hold the period's records")
	return pg.records
}

// contractFilters are the group filters the contract declares for group:
// the properties of its report's query parameter schema.
func contractFilters(group string) []string {
	GinkgoHelper()
	doc := loadDoc(daAPI)
	item := doc.Paths.Find(pathReport + group)
	Expect(item).NotTo(BeNil(), "the contract has no report path for a group")
	var out []string
	for _, p := range item.Get.Parameters {
		if p.Value == nil || p.Value.Name != "query" {
			continue
		}
		mt := p.Value.Content.Get("application/json")
		Expect(mt).NotTo(BeNil())
		for name := range mt.Schema.Value.Properties {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// enumOf lists the values of a component schema's enum (or of one of its
// properties' enums).
func enumOf(api, schema, property string) []string {
	GinkgoHelper()
	s := loadDoc(api).Components.Schemas[schema]
	Expect(s).NotTo(BeNil(), "the contract has no schema %s", schema)
	v := s.Value
	if property != "" {
		Expect(v.Properties).To(HaveKey(property))
		v = v.Properties[property].Value
	}
	var out []string
	for _, e := range v.Enum {
		out = append(out, text(e))
	}
	return out
}

func daQuery(filters map[string]any) string {
	b, err := json.Marshal(filters)
	Expect(err).NotTo(HaveOccurred())
	return string(b)
}

var _ = Describe("Data Access API: authentication", func() {
	It("exchanges Basic credentials for a JWT that opens the reports", daLabels("dataAccessAuthenticate", suite.Read, suite.Smoke), func() {
		r := call(daAPI, http.MethodGet, pathDAAuth, nil, nil)
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		tok := text(at(r.JSON, "token"))
		if tok == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
			tok = strings.TrimSpace(string(r.Body)) // DA-2: a bare token is valid too
		}
		Expect(tok).NotTo(BeEmpty(), "the authenticate answer carries no token")
		ok := withAuth(daAPI, http.MethodGet, pathReportNames, nil, nil, "Bearer "+tok)
		ok.ExpectStatus(http.StatusOK)
		ok.ExpectValid()
	})

	It("refuses an anonymous authenticate", daLabels("dataAccessAuthenticate", suite.Read, suite.Smoke), func() {
		expectRefused(anonymous(daAPI, http.MethodGet, pathDAAuth, nil, nil))
	})

	It("refuses wrong credentials and a token that is not its own", daLabels("dataAccessAuthenticate", suite.Read, suite.Full), func() {
		expectRefused(withAuth(daAPI, http.MethodGet, pathDAAuth, nil, nil, basicHeader("fnokit-no-such-user", "wrong-password")))
		// A well-formed JWT signed with a key FNO does not have.
		expectRefused(withAuth(daAPI, http.MethodGet, pathReportNames, nil, nil, "Bearer "+foreignJWT))
		expectRefused(withAuth(daAPI, http.MethodGet, pathReportNames, nil, nil, "Bearer not-a-jwt"))
	})

	for _, route := range []struct{ op, path string }{
		{"getReportNames", pathReportNames},
		{"getReportTypes", pathReportTypes + "device"},
		{"getGlobalFilters", pathGlobalFilters},
		{"getDeviceReport", pathReport + "device"},
	} {
		It("refuses an anonymous GET "+route.path, daLabels(route.op, suite.Read, suite.Smoke), func() {
			expectRefused(anonymous(daAPI, http.MethodGet, route.path, nil, nil))
		})
	}

	It("serves the reports with the bearer token of authenticate", daLabels("getAccountReport", suite.Read, suite.Full), func() {
		r := withBearer(daAPI, http.MethodGet, pathReport+"account", nil, nil)
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
	})

	It("refuses an expired token (emulator clock moved past 60 minutes)", daLabels("getReportNames", suite.Read, suite.Full), func() {
		expectTokenExpires(daAPI, pathDAAuth, pathReportNames)
	})
})

var _ = Describe("Data Access API: metadata", func() {
	It("names the report groups of the contract", daLabels("getReportNames", suite.Read, suite.Smoke), func() {
		r := call(daAPI, http.MethodGet, pathReportNames, nil, nil)
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		var names []string
		for _, v := range list(at(r.JSON, "data")) {
			names = append(names, text(v))
		}
		Expect(names).To(ConsistOf(enumOf(daAPI, "ReportGroup", "")), "report-names differs from the contract's groups")
		r.ExpectGolden("all")
	})

	It("lists the global filters of the contract", daLabels("getGlobalFilters", suite.Read, suite.Smoke), func() {
		r := call(daAPI, http.MethodGet, pathGlobalFilters, nil, nil)
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		var names []string
		for _, f := range objects(at(r.JSON, "data")) {
			names = append(names, text(f["name"]))
		}
		Expect(names).To(ConsistOf(enumOf(daAPI, "GlobalFilter", "name")), "global-filters differs from the contract's global filters")
		r.ExpectGolden("all")
	})

	for _, g := range reportGroups {
		It("describes the fields of "+g.group+" and marks the contract's filters", daLabels("getReportTypes", suite.Read, suite.Full), func() {
			r := call(daAPI, http.MethodGet, pathReportTypes+g.group, nil, nil)
			r.ExpectStatus(http.StatusOK)
			r.ExpectValid()
			var filters []string
			for _, f := range objects(at(r.JSON, "data")) {
				if f["filter"] == true {
					filters = append(filters, text(f["name"]))
				}
			}
			slices.Sort(filters)
			Expect(filters).To(Equal(contractFilters(g.group)), "report-types marks other filters than the contract's query schema")
			r.ExpectGolden(g.group)
		})
	}

	It("answers 404 for a group it does not have", daLabels("getReportTypes", suite.Read, suite.Full), func() {
		r := call(daAPI, http.MethodGet, pathReportTypes+"no-such-group", nil, nil)
		Expect(r.HTTPStatus).To(BeElementOf(http.StatusNotFound, http.StatusBadRequest), "an unknown group answered HTTP %d", r.HTTPStatus)
		r.ExpectValid()
	})
})

var _ = Describe("Data Access API: reports", func() {
	for _, g := range reportGroups {
		It("answers "+g.group+" valid in JSON and CSV, INTERACTIVE and BATCH, with the fields report-types names", daLabels(g.op, suite.Read, suite.Smoke), func() {
			p := findPeriod(g.group)
			types := call(daAPI, http.MethodGet, pathReportTypes+g.group, nil, nil)
			types.ExpectValid()
			fields := map[string]bool{}
			for _, f := range objects(at(types.JSON, "data")) {
				fields[text(f["name"])] = true
			}
			limit := pageSizeFor(p.count, maxLimitRecords)
			for _, mode := range []string{"INTERACTIVE", "BATCH"} {
				q := p.query()
				q.Set("mode", mode)
				q.Set("limitRecords", strconv.Itoa(limit))
				_, pg := getReport(g.group, q)
				Expect(pg.records).NotTo(BeEmpty(), "a period with records answers an empty first page")
				Expect(len(pg.records)).To(BeNumerically("<=", limit), "a page holds more records than limitRecords")
				if mode == "BATCH" {
					Expect([]int{pg.recordCount, pg.totalPages}).To(Equal([]int{-1, -1}), "BATCH pages must give -1 for the counts")
				} else {
					Expect(pg.recordCount).To(Equal(p.count), "INTERACTIVE recordCount differs between two requests of the period")
					Expect(pg.totalPages).To(Equal(ceilDiv(pg.recordCount, limit)), "totalPages disagrees with recordCount and limitRecords")
				}
				Expect(pg.prev).To(BeEmpty(), "the first page has a previousPageURL")
				for _, rec := range pg.records {
					for k := range rec {
						Expect(fields[k]).To(BeTrue(), "a record carries the field %s, which report-types does not name", k)
					}
				}
				q.Set("format", "csv")
				_, cp := getReport(g.group, q)
				Expect(len(cp.records)).To(Equal(len(pg.records)), "the CSV page holds another number of records than the JSON page")
				for _, f := range cp.fields {
					Expect(fields[f]).To(BeTrue(), "the CSV column %s is not a field report-types names", f)
				}
			}
		})
	}

	for _, g := range reportGroups {
		It("filters "+g.group+" with $eq, $sw, $ew, $con and $in: exactly the matching records", daLabels(g.op, suite.Read, suite.Full), func() {
			p := findPeriod(g.group)
			all := wholePeriod(g.group, p)
			// The contract's filter of the group with the most distinct
			// values in the period, so the filters have something to cut.
			var field, val, other string
			best := 0
			for _, f := range contractFilters(g.group) {
				counts := map[string]int{}
				for _, r := range all {
					if s := text(r[f]); s != "" {
						counts[s]++
					}
				}
				if len(counts) > best {
					best, field = len(counts), f
					vals := sortedKeys(setOf(counts))
					val = vals[0]
					for _, v := range vals {
						if counts[v] > counts[val] {
							val = v
						}
					}
					other = ""
					for _, v := range vals {
						if v != val {
							other = v
							break
						}
					}
				}
			}
			if field == "" {
				Skip("no filter of the group has a value in the period")
			}
			runes := []rune(val)
			n := max(1, len(runes)/3)
			head, tail, mid := string(runes[:n]), string(runes[len(runes)-n:]), string(runes[n/2:n/2+n])
			lower := strings.ToLower
			ops := []struct {
				op   string
				cond any
				keep func(string) bool
			}{
				{"$eq", strings.ToUpper(val), func(s string) bool { return foldEq(s, val) }},
				{"$sw", head, func(s string) bool { return strings.HasPrefix(lower(s), lower(head)) }},
				{"$ew", tail, func(s string) bool { return strings.HasSuffix(lower(s), lower(tail)) }},
				{"$con", mid, func(s string) bool { return strings.Contains(lower(s), lower(mid)) }},
				{"$in", []string{val, other, "fnokit-no-such-value"}, func(s string) bool { return foldEq(s, val) || (other != "" && foldEq(s, other)) }},
				{"$eq", "fnokit-no-such-value", func(string) bool { return false }},
			}
			for _, o := range ops {
				q := p.query()
				q.Set("limitRecords", strconv.Itoa(maxLimitRecords))
				q.Set("query", daQuery(map[string]any{field: map[string]any{o.op: o.cond}}))
				_, pg := getReport(g.group, q)
				var want, got []string
				for _, r := range all {
					if o.keep(text(r[field])) {
						want = append(want, recordKey(r))
					}
				}
				for _, r := range pg.records {
					Expect(o.keep(text(r[field]))).To(BeTrue(), "%s on %s returns a record that does not match", o.op, field)
					got = append(got, recordKey(r))
				}
				slices.Sort(want)
				slices.Sort(got)
				Expect(got).To(Equal(want), "%s on %s does not return exactly the matching records of the period", o.op, field)
			}
		})
	}

	for _, format := range []string{"json", "csv"} {
		for _, mode := range []string{"BATCH", "INTERACTIVE"} {
			It("pages device reports ("+format+", "+mode+") without repeats or gaps, and back", daLabels("getDeviceReport", suite.Read, suite.Smoke), func() {
				const group = "device"
				p := findPeriod(group)
				limit := pageSizeFor(p.count, maxLimitRecords)
				if ceilDiv(p.count, limit) > maxWalk {
					Skip("the period has more pages than a contract run walks")
				}
				q := p.query()
				q.Set("limitRecords", strconv.Itoa(limit))
				q.Set("mode", mode)
				q.Set("format", format)
				_, first := getReport(group, q)
				pages := []reportPage{first}
				for next := first.next; next != ""; next = pages[len(pages)-1].next {
					Expect(len(pages)).To(BeNumerically("<", maxWalk+1), "nextPageURL does not stop")
					pages = append(pages, follow(next))
				}
				seen := map[string]bool{}
				for i, pg := range pages {
					Expect(pg.records).NotTo(BeEmpty(), "page %d is empty", i+1)
					if i < len(pages)-1 {
						Expect(len(pg.records)).To(Equal(limit), "page %d of %d is not full", i+1, len(pages))
					}
					Expect(pg.prev == "").To(Equal(i == 0), "page %d: previousPageURL present on the first page only is wrong", i+1)
					if format == "json" && mode == "INTERACTIVE" {
						Expect(pg.recordCount).To(Equal(first.recordCount), "recordCount changes while paging")
						Expect(pg.totalPages).To(Equal(len(pages)), "totalPages differs from the pages nextPageURL reaches")
					}
					keys := make([]string, 0, len(pg.records))
					for _, r := range pg.records {
						keys = append(keys, recordKey(r))
					}
					keysOf(seen, keys, "another page")
				}
				Expect(len(seen)).To(Equal(p.count), "the pages hold another number of records than the period counts")
				// previousPageURL walks back over the same pages.
				back := pages[len(pages)-1].prev
				for i := len(pages) - 2; i >= 0; i-- {
					Expect(back).NotTo(BeEmpty(), "page %d has no previousPageURL", i+2)
					pg := follow(back)
					Expect(len(pg.records)).To(Equal(len(pages[i].records)), "previousPageURL of page %d is not page %d", i+2, i+1)
					for j := range pg.records {
						Expect(recordKey(pg.records[j])).To(Equal(recordKey(pages[i].records[j])), "previousPageURL of page %d is not page %d", i+2, i+1)
					}
					back = pg.prev
				}
			})
		}
	}

	It("accepts the documented limits at their edges", daLabels("getAccountReport", suite.Read, suite.Full), func() {
		today := time.Now().UTC()
		for _, q := range []url.Values{
			{"limitRecords": {strconv.Itoa(maxLimitRecords)}},
			{"limitRecords": {"1"}},
			{"pastDays": {strconv.Itoa(maxPastDays)}},
			{"pastDays": {"1"}},
			{"dateFrom": {today.AddDate(0, 0, -(maxRangeDays - 1)).Format(time.DateOnly)}, "dateTo": {today.Format(time.DateOnly)}},
			{"dateFrom": {today.Format(time.DateOnly)}, "dateTo": {today.Format(time.DateOnly)}, "pastDays": {"7"}},
		} {
			getReport("account", q)
		}
	})

	It("refuses parameters beyond the documented limits with 400", daLabels("getDeviceReport", suite.Read, suite.Smoke), func() {
		today := time.Now().UTC()
		day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
		for _, tc := range []struct {
			why string
			q   url.Values
		}{
			{"limitRecords over 2500", url.Values{"limitRecords": {strconv.Itoa(maxLimitRecords + 1)}}},
			{"limitRecords 0", url.Values{"limitRecords": {"0"}}},
			{"pastDays 0", url.Values{"pastDays": {"0"}}},
			{"pastDays 31", url.Values{"pastDays": {strconv.Itoa(maxPastDays + 1)}}},
			{"a range of 31 days", url.Values{"dateFrom": {day(-maxRangeDays)}, "dateTo": {day(0)}}},
			{"dateFrom after dateTo", url.Values{"dateFrom": {day(0)}, "dateTo": {day(-1)}}},
			{"dateFrom without dateTo", url.Values{"dateFrom": {day(-1)}}},
			{"a date that is not YYYY-MM-DD", url.Values{"dateFrom": {"01/02/2025"}, "dateTo": {day(0)}}},
			{"pageNumber 0", url.Values{"pageNumber": {"0"}}},
			{"an unknown format", url.Values{"format": {"xml"}}},
			{"an unknown mode", url.Values{"mode": {"FAST"}}},
			{"a query that is not JSON", url.Values{"query": {"{deviceID:"}}},
			{"a filter the group does not have", url.Values{"query": {`{"fulfillmentID":{"$eq":"x"}}`}}},
			{"an operator the API does not have", url.Values{"query": {`{"deviceID":{"$gt":"x"}}`}}},
		} {
			By(tc.why)
			r := call(daAPI, http.MethodGet, pathReport+"device", tc.q, nil)
			Expect(r.HTTPStatus).To(Equal(http.StatusBadRequest), "%s answered HTTP %d", tc.why, r.HTTPStatus)
			r.ExpectValid()
		}
	})
})

// setOf is the key set of a count map.
func setOf(m map[string]int) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}
