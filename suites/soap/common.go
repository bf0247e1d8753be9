// Package soap holds the behaviour specs of FNO's SOAP services, one file
// per service: ManageDeviceService (base–v7), EntitlementOrderService
// (base–v8), LicenseService (base–v2), UserAcctHierarchyService (v2–v6),
// UserOrgHierarchyService (base–v1), ProductPackagingService (base–v2) and
// FlexnetAuthentication (base–v1). The ID and licence generators are
// services FNO calls, not serves, and have no specs here.
//
// Every spec sends requests through the harness (internal/suite), checks
// each answer against the schema of its version, compares deterministic
// answers with their golden files, and checks what the answer means:
//
//   - search criteria filter (every record returned matches, a record known
//     to match is returned) for each search type EQUALS, STARTS_WITH,
//     ENDS_WITH and CONTAINS (seed 001 L4194-4250);
//   - pages of one query are disjoint and together give the count
//     operation's answer; counts agree with queries;
//   - read batches above 2000 and write batches above 25 records answer
//     FAILURE naming the limit (seed 001 L611-668, L4165-4169);
//   - the version rules of seed 002 (zeroCountAddonLineItems only from
//     ManageDevice v7, several accountUnitName values only in
//     EntitlementOrder v8's getEntitlementLineItemPropertiesQuery, several
//     account IDs and usersFromLinkedAccount in UserAcctHierarchy v6);
//   - calls without or with wrong credentials are refused (HTTP 401 or a
//     SOAP fault; seed 001 "Passing the SOAP Web Service User");
//   - writes are visible to later reads, and undone at the end of the run.
//
// Expected values come from the target: its records (suite.E().Records())
// and earlier answers, never from numbers of the emulator's generator. A
// spec that depends on the emulator's configuration (a configurable limit)
// says so and skips on a live target.
package soap

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/project"
	fsoap "github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/suite"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/schemas"
)

// Documented limits (seed 001 L613, L666: "All read services have a maximum
// batch size of 2000", "All services that result in a write have a batch
// size maximum of 25 records. Specifying a batch size higher than the new
// cap results in an error").
const (
	maxReadBatch  = 2000
	maxWriteBatch = 25
)

// The statusInfo/status values.
const (
	success = "SUCCESS"
	failure = "FAILURE"
)

// searchTypes are the free-text search types of SimpleQueryType.
var searchTypes = []string{"EQUALS", "STARTS_WITH", "ENDS_WITH", "CONTAINS"}

// ---- the contracts: which operation exists in which version ----

// catalog maps service → versions (oldest first) → operation names.
var catalog = func() map[string][]schemas.Version {
	all, err := schemas.Services()
	if err != nil {
		panic(fmt.Sprintf("suites/soap: read the bundled contracts: %v", err))
	}
	out := map[string][]schemas.Version{}
	for _, s := range all {
		out[s.Name] = s.Versions
	}
	return out
}()

// versionsWith lists the versions of service that have op, oldest first.
func versionsWith(service, op string) []string {
	var out []string
	for _, v := range catalog[service] {
		if _, ok := v.Operation(op); ok {
			out = append(out, v.Version.String())
		}
	}
	if len(out) == 0 {
		panic(fmt.Sprintf("suites/soap: no version of %s has %s", service, op))
	}
	return out
}

// newest is the newest version of service.
func newest(service string) string {
	vs := catalog[service]
	return vs[len(vs)-1].Version.String()
}

// ver parses a version name ("base", "v7").
func ver(v string) contract.Version {
	pv, err := contract.ParseVersion(v)
	if err != nil {
		panic(fmt.Sprintf("suites/soap: %v", err))
	}
	return pv
}

// num is the version's number (base 0).
func num(v string) int { return ver(v).Number() }

// tier is Smoke for a smoke spec on the service's newest version, Full
// otherwise.
func tier(service, version string, smoke bool) suite.Tier {
	if smoke && version == newest(service) {
		return suite.Smoke
	}
	return suite.Full
}

// spec describes the table entries of one operation: one per version that
// has it (from the first version on, when from is set).
type spec struct {
	service, op string
	kind        suite.Kind
	smoke       bool   // the newest version's entry is a smoke spec
	from        string // first version; "" is the first that has op
}

// entries returns one Entry per version, labelled, whose parameter is the
// version.
func (s spec) entries() []TableEntry {
	var out []TableEntry
	for _, v := range versionsWith(s.service, s.op) {
		if s.from != "" && num(v) < num(s.from) {
			continue
		}
		out = append(out, Entry(v, suite.Labels(s.service, v, s.op, s.kind, tier(s.service, v, s.smoke)), v))
	}
	return out
}

// labels are the labels of a single spec of op in version v.
func labels(service, v, op string, kind suite.Kind, smoke bool) Labels {
	return suite.Labels(service, v, op, kind, tier(service, v, smoke))
}

// ---- reading answers (soap.ToMap shapes) ----

// obj follows keys through nested maps; nil when a step is missing. A list
// met on the way stands for its first item.
func obj(v any, keys ...string) map[string]any {
	for _, k := range keys {
		m := asMap(v)
		if m == nil {
			return nil
		}
		v = m[k]
	}
	return asMap(v)
}

func asMap(v any) map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return x
	case []any:
		if len(x) > 0 {
			return asMap(x[0])
		}
	}
	return nil
}

// list returns the items at keys: a repeated element is a list, a single
// one a list of one, an absent one empty.
func list(v any, keys ...string) []any {
	if len(keys) == 0 {
		return asList(v)
	}
	m := obj(v, keys[:len(keys)-1]...)
	if m == nil {
		return nil
	}
	return asList(m[keys[len(keys)-1]])
}

func asList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}

// str is the text at keys; "" when absent or not text.
func str(v any, keys ...string) string {
	if len(keys) > 0 {
		m := obj(v, keys[:len(keys)-1]...)
		if m == nil {
			return ""
		}
		v = m[keys[len(keys)-1]]
	}
	switch x := v.(type) {
	case string:
		return x
	case []any:
		if len(x) > 0 {
			return str(x[0])
		}
	case map[string]any:
		if t, ok := x["#text"].(string); ok {
			return t
		}
	}
	return ""
}

// count reads an integer answer at keys, failing the spec when it is not
// one.
func count(r *suite.SOAPResult, keys ...string) int {
	GinkgoHelper()
	s := str(r.Payload, keys...)
	n, err := strconv.Atoi(strings.TrimSpace(s))
	Expect(err).NotTo(HaveOccurred(), "the count at %s is an integer", strings.Join(keys, "/"))
	return n
}

// ---- expectations ----

// ok checks a valid SUCCESS answer.
func ok(r *suite.SOAPResult) *suite.SOAPResult {
	GinkgoHelper()
	r.ExpectValid()
	r.ExpectStatus(success)
	return r
}

// failsNaming checks a valid FAILURE answer whose reason names limit (the
// reason itself is the target's text and never goes into a message).
func failsNaming(r *suite.SOAPResult, limit int) {
	GinkgoHelper()
	r.ExpectValid()
	r.ExpectStatus(failure)
	Expect(strings.Contains(r.Reason, strconv.Itoa(limit))).To(BeTrue(),
		"the FAILURE reason names the limit of %d", limit)
}

// fails checks a valid FAILURE answer.
func fails(r *suite.SOAPResult) {
	GinkgoHelper()
	r.ExpectValid()
	r.ExpectStatus(failure)
}

// matches reports whether value satisfies searchType/pattern. FNO compares
// without regard to case (seed 001 does not say; the Producer Portal's
// searches are case-insensitive), so the spec does too.
func matches(searchType, pattern, value string) bool {
	p, v := strings.ToLower(pattern), strings.ToLower(value)
	switch searchType {
	case "EQUALS":
		return v == p
	case "STARTS_WITH":
		return strings.HasPrefix(v, p)
	case "ENDS_WITH":
		return strings.HasSuffix(v, p)
	case "CONTAINS":
		return strings.Contains(v, p)
	}
	Fail("unknown search type " + searchType)
	return false
}

// patternFor derives from a value known to be stored the pattern each
// search type must find it with: the whole value, its first, last and
// middle part.
func patternFor(searchType, value string) string {
	n := len(value)
	part := max(1, min(n, (n+2)/3))
	switch searchType {
	case "STARTS_WITH":
		return value[:part]
	case "ENDS_WITH":
		return value[n-part:]
	case "CONTAINS":
		lo := (n - part) / 2
		return value[lo : lo+part]
	}
	return value
}

// query is a SimpleQueryType.
func query(searchType, value string) map[string]any {
	return map[string]any{"value": value, "searchType": searchType}
}

// expectFilter checks a filtered answer: every value in got (one per record
// returned, the record's values of the criterion) satisfies the criterion,
// and the record known to match is among them (known is its key; keys lists
// the records' keys in the same order as got). known "" leaves out the
// second check: the answer is not complete (see gather and whenComplete).
func expectFilter(what, searchType, pattern string, got [][]string, keys []string, known string) {
	GinkgoHelper()
	bad := 0
	for _, vals := range got {
		okAny := false
		for _, v := range vals {
			if matches(searchType, pattern, v) {
				okAny = true
				break
			}
		}
		if !okAny {
			bad++
		}
	}
	Expect(bad).To(BeZero(), "%d of the %d records returned for %s %s do not match it", bad, len(got), what, searchType)
	if known == "" {
		return
	}
	found := false
	for _, k := range keys {
		found = found || strings.EqualFold(k, known)
	}
	Expect(found).To(BeTrue(), "the record known to match %s %s is among the %d returned", what, searchType, len(keys))
}

// gather reads a filtered query page by page (batch maxReadBatch) until a
// page is not full, at most maxPages pages: on a target of realistic size a
// filter may match more records than one batch holds (a name CONTAINS
// three letters, over 10,000 devices). complete is false when the walk
// stopped at the bound with records left.
func gather(fetch func(page int) []any) (records []any, complete bool) {
	GinkgoHelper()
	for p := 1; p <= maxPages; p++ {
		got := fetch(p)
		records = append(records, got...)
		if len(got) < maxReadBatch {
			return records, true
		}
	}
	return records, false
}

// whenComplete is key when the gathered answer is complete, else "" (the
// known record may be on a page not read: expectFilter leaves it out).
func whenComplete(complete bool, key string) string {
	if complete {
		return key
	}
	return ""
}

// expectCount checks a count operation's answer n against the number of
// records gathered: equal when every page was read, else at least as
// many. format and args say which count.
func expectCount(n, gathered int, complete bool, format string, args ...any) {
	GinkgoHelper()
	what := fmt.Sprintf(format, args...)
	if complete {
		Expect(n).To(Equal(gathered), what)
		return
	}
	Expect(n).To(BeNumerically(">=", gathered), what)
}

// pager fetches page (from 1) of size records and returns their keys.
type pager func(page, size int) []string

// maxPages bounds a paging walk.
const maxPages = 12

// expectPaging walks the pages of a query whose count operation answered
// total: pages are disjoint, none is larger than the batch, and together
// they hold total records. The batch is chosen to give about three pages.
// Above maxPages×2000 records only the pages walked are checked.
func expectPaging(what string, total int, fetch pager) {
	GinkgoHelper()
	if total == 0 {
		Skip("no records of " + what + " to page through")
	}
	size := min(maxReadBatch, max(1, (total+2)/3))
	seen := map[string]int{}
	n := 0
	pages := (total + size - 1) / size
	for p := 1; p <= min(pages+1, maxPages); p++ {
		keys := fetch(p, size)
		Expect(len(keys)).To(BeNumerically("<=", size), "page %d of %s holds at most the batch size", p, what)
		if p < pages {
			Expect(keys).To(HaveLen(size), "page %d of %d of %s is full", p, pages, what)
		}
		for _, k := range keys {
			if prev, dup := seen[k]; dup {
				Fail(fmt.Sprintf("a record of %s is on page %d and again on page %d: pages must be disjoint", what, prev, p))
			}
			seen[k] = p
			n++
		}
		if p > pages {
			Expect(keys).To(BeEmpty(), "the page after the last of %s is empty", what)
		}
	}
	if pages < maxPages {
		Expect(n).To(Equal(total), "the pages of %s together hold the count operation's answer", what)
	}
}

// ---- raw calls, for what the harness's SOAP does not do (credentials of
// the spec's choosing, an operation a version does not have) ----

// rawTimeout bounds one raw call.
const rawTimeout = 30 * time.Second

// rawResult is the answer to a raw call.
type rawResult struct {
	HTTPStatus int
	Fault      *fsoap.Fault
}

// payloadNode builds the request payload of op in version v from values,
// in the version's schema order.
func payloadNode(service, v, op string, values map[string]any) *xmltree.Node {
	GinkgoHelper()
	p, err := project.For(service, ver(v))
	Expect(err).NotTo(HaveOccurred())
	o, found := p.Version().Operation(op)
	Expect(found).To(BeTrue(), "%s %s has %s", service, v, op)
	n, err := fsoap.FromValue(xmltree.Name{Space: o.Input.Space, Local: o.Input.Local}, values, p.Model())
	Expect(err).NotTo(HaveOccurred())
	return n
}

// raw sends payload (an *xmltree.Node or the bytes of the payload element)
// as op of service version v with creds, bypassing the harness.
func raw(service, v, op string, payload any, creds fsoap.Credentials) rawResult {
	GinkgoHelper()
	ctx, cancel := context.WithTimeout(context.Background(), rawTimeout)
	defer cancel()
	o := contract.Operation{Service: service, Version: ver(v), Name: op}
	req, err := fsoap.NewRequest(ctx, suite.E().BaseURL(), o, payload, creds)
	Expect(err).NotTo(HaveOccurred())
	client := &http.Client{Timeout: rawTimeout}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	Expect(err).NotTo(HaveOccurred(), "the target answers %s", o)
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	Expect(err).NotTo(HaveOccurred())
	out := rawResult{HTTPStatus: resp.StatusCode}
	if parsed, err := fsoap.Parse(bytes.NewReader(body), xmltree.Limits{}); err == nil {
		out.Fault = parsed.Fault
	}
	return out
}

// rawAsRun sends payload as op of service version v, like raw, with the
// run's own credentials, which the harness fills in (suite.E().Raw) without
// the spec seeing them: for an operation a version does not have.
func rawAsRun(service, v, op string, payload any) rawResult {
	GinkgoHelper()
	o := contract.Operation{Service: service, Version: ver(v), Name: op}
	base := suite.E().BaseURL()
	req, err := fsoap.NewRequest(suite.E().Context(), base, o, payload, fsoap.Credentials{})
	Expect(err).NotTo(HaveOccurred())
	body, err := io.ReadAll(req.Body)
	Expect(err).NotTo(HaveOccurred())
	h := http.Header{}
	if a := req.Header.Get("SOAPAction"); a != "" {
		h.Set("SOAPAction", a)
	}
	r := suite.E().Raw(suite.RawRequest{Method: http.MethodPost, Path: strings.TrimPrefix(req.URL.String(), base),
		ContentType: req.Header.Get("Content-Type"), Body: body, Header: h})
	out := rawResult{HTTPStatus: r.HTTPStatus}
	if parsed, err := fsoap.Parse(bytes.NewReader(r.Body), xmltree.Limits{}); err == nil {
		out.Fault = parsed.Fault
	}
	return out
}

// login is a user and password the target accepts, for raw calls; the spec
// is skipped when the target does not name one.
func login() (user, password string) {
	GinkgoHelper()
	l := suite.E().Records().Login
	if l == nil {
		Skip("the target names no login for raw calls")
	}
	return l.User, string(l.Password)
}

// expectRefused checks the answer to a call with missing or wrong
// credentials: HTTP 401, or a SOAP fault (the header style's answer), and
// never the operation's answer.
func expectRefused(r rawResult, how string) {
	GinkgoHelper()
	refused := r.HTTPStatus == http.StatusUnauthorized || (r.Fault != nil && r.HTTPStatus >= 400)
	Expect(refused).To(BeTrue(), "a call %s is refused with HTTP 401 or a SOAP fault (got HTTP %d)", how, r.HTTPStatus)
}

// authSpecs adds, for every version of service, the specs that a call of
// op (a read, with the minimal request values) is refused without
// credentials, with a wrong password over HTTP Basic, and with a wrong
// password in the UserId/UserPassword SOAP header.
func authSpecs(service, op string, values func(v string) map[string]any) {
	DescribeTable(op+" requires credentials",
		func(v string) {
			user := "fnokit-no-such-user"
			if l := suite.E().Records().Login; l != nil {
				user = l.User
			}
			body := payloadNode(service, v, op, values(v))
			expectRefused(raw(service, v, op, body, fsoap.Credentials{}), "without credentials")
			wrong := "not-the-password-" + strconv.FormatInt(time.Now().UnixNano(), 36)
			expectRefused(raw(service, v, op, body, fsoap.Basic(user, wrong)), "with a wrong Basic password")
			r := raw(service, v, op, body, fsoap.SOAPHeader(user, wrong))
			expectRefused(r, "with a wrong password in the SOAP header")
		},
		spec{service: service, op: op, kind: suite.Read, smoke: true}.entries(),
	)
}

// ---- small utilities ----

// sortedKeys of a set, for deterministic iteration.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// texts returns str(item, keys...) of every item.
func texts(items []any, keys ...string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = str(it, keys...)
	}
	return out
}

// each wraps every string in a one-value slice (one criterion value per
// record).
func each(vals []string) [][]string {
	out := make([][]string, len(vals))
	for i, v := range vals {
		out[i] = []string{v}
	}
	return out
}
