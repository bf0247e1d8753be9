// Package rest holds the contract suites of FNO's REST APIs, one file per
// OpenAPI document of schemas/rest: the application services
// (application.yaml), data extracts (extracts.yaml), the Data Access API
// (data-access.yaml), Software Container Delivery (registry.yaml), the Event
// Notification Service (notification.yaml) and the Entitlements API beta
// (entitlements-beta.yaml).
//
// Every route of every document is called and its answer validated against
// the document (ExpectValid); deterministic answers are compared with their
// golden files; and each API's documented behaviour is checked against the
// target's own data: filters keep only matching records and find a record
// known to match, pages are disjoint and add up to the count, counts agree
// with the searches, limits give the documented errors (seed 001: batchSize
// over 2000, lines 4162-4169; Data Access limitRecords, 30-day ranges and
// pastDays, lines 2315-2360; the registry secret rules, lines 3155-3163),
// anonymous calls are refused, and writes are seen by later reads.
//
// Specs register on Ginkgo's global suite (var _ = Describe) so that
// suites/all runs them inside `fnokit check`; suite_test.go runs them alone
// with `go test ./suites/rest/`. Specs that depend on the emulator (its admin
// endpoints, a fake clock, a loopback webhook) say so and skip on a live
// target.
package rest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/internal/suite"
	"github.com/fnokit/fnokit/schemas"
)

// version is the version label of every REST spec: the documents are v1
// APIs (the paths say so) or, for the application services, unversioned.
const version = "v1"

// labels are a spec's labels for operation op of api.
func labels(api, op string, kind suite.Kind, tier suite.Tier) ginkgo.Labels {
	return suite.Labels(api, version, op, kind, tier)
}

// call sends one request to api as the harness's default user.
func call(api, method, path string, q url.Values, body any) *suite.RESTResult {
	return suite.E().REST(api, suite.RESTRequest{Method: method, Path: path, Query: q, Body: body})
}

// anonymous sends one request without credentials.
func anonymous(api, method, path string, q url.Values, body any) *suite.RESTResult {
	return suite.E().REST(api, suite.RESTRequest{Method: method, Path: path, Query: q, Body: body, Anonymous: true})
}

// withBearer sends one request with the API's JWT (suite.Env.BearerToken).
func withBearer(api, method, path string, q url.Values, body any) *suite.RESTResult {
	return withAuth(api, method, path, q, body, "Bearer "+suite.E().BearerToken(api))
}

// withAuth sends one request with the given Authorization header.
func withAuth(api, method, path string, q url.Values, body any, authorization string) *suite.RESTResult {
	h := http.Header{}
	h.Set("Authorization", authorization)
	return suite.E().REST(api, suite.RESTRequest{Method: method, Path: path, Query: q, Body: body, Header: h})
}

// undo registers the undoing of a spec's write: it runs when the spec ends
// (Ginkgo's DeferCleanup), so later specs see the target as it was, and
// should the run be interrupted first, at the end of the run
// (suite.Env.Cleanup). It runs once.
func undo(what string, fn func(ctx context.Context) error) {
	var once sync.Once
	var err error
	run := func(ctx context.Context) error {
		once.Do(func() { err = fn(ctx) })
		return err
	}
	suite.E().Cleanup(what, run)
	ginkgo.DeferCleanup(func(ctx context.Context) {
		Expect(run(ctx)).To(Succeed(), "undo %s", what)
	})
}

// expectRefused checks an answer to a call without valid credentials: 401,
// and valid against the document (which declares the 401s).
func expectRefused(r *suite.RESTResult) {
	ginkgo.GinkgoHelper()
	r.ExpectStatus(http.StatusUnauthorized)
	r.ExpectValid()
}

// ---- reading JSON answers ----

// obj is v as a JSON object (nil when it is not one).
func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// list is v as a JSON array (nil when it is not one).
func list(v any) []any { l, _ := v.([]any); return l }

// objects is v as a JSON array of objects; other entries are skipped.
func objects(v any) []map[string]any {
	var out []map[string]any
	for _, e := range list(v) {
		if m := obj(e); m != nil {
			out = append(out, m)
		}
	}
	return out
}

// at walks nested objects: at(v, "a", "b") is v.a.b (nil when absent).
func at(v any, path ...string) any {
	for _, k := range path {
		m := obj(v)
		if m == nil {
			return nil
		}
		v = m[k]
	}
	return v
}

// text is v as text: strings as they are, numbers and booleans as JSON
// writes them, null and absent as "".
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return ""
		}
		return string(b)
	}
}

// integer is v as an integer; ok is false when v is not a whole number.
func integer(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		return int64(x), x == float64(int64(x))
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	case int:
		return int64(x), true
	case int64:
		return x, true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// mustInt is v as an integer, failing the spec when it is not one.
func mustInt(v any, what string) int {
	ginkgo.GinkgoHelper()
	n, ok := integer(v)
	Expect(ok).To(BeTrue(), "%s is not a whole number", what)
	return int(n)
}

// statusOf is a body's statusInfo.status.
func statusOf(r *suite.RESTResult) string { return text(at(r.JSON, "statusInfo", "status")) }

// reasonOf is a body's statusInfo.reason. It comes from the target and may
// quote values, so specs only search it for the name of a limit and never
// put it into a message.
func reasonOf(r *suite.RESTResult) string { return text(at(r.JSON, "statusInfo", "reason")) }

// keysOf lists the distinct keys of records, failing the spec on a repeat:
// pages of one search must be disjoint.
func keysOf(into map[string]bool, keys []string, where string) {
	ginkgo.GinkgoHelper()
	for _, k := range keys {
		Expect(into[k]).To(BeFalse(), "a record is repeated on %s", where)
		into[k] = true
	}
}

// sortedKeys lists a set's members in order.
func sortedKeys(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// pathQuery splits an absolute URL a target answered (a paging link) into
// the path and query the harness sends, checking that it points at the
// target.
func pathQuery(raw string) (string, url.Values) {
	ginkgo.GinkgoHelper()
	u, err := url.Parse(raw)
	Expect(err).NotTo(HaveOccurred(), "a paging URL does not parse")
	base, err := url.Parse(suite.E().BaseURL())
	Expect(err).NotTo(HaveOccurred())
	if u.IsAbs() {
		Expect(strings.EqualFold(u.Host, base.Host)).To(BeTrue(), "a paging URL points at another host")
	}
	return u.Path, u.Query()
}

// ceilDiv is a/b rounded up, for b > 0.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// pageSizeFor picks a page size that splits n records into about three
// pages, so paging specs see a first, a middle and a last page.
func pageSizeFor(n, max int) int {
	size := ceilDiv(n, 3)
	if size < 1 {
		size = 1
	}
	if size > max {
		size = max
	}
	return size
}

// foldEq compares two texts as FNO compares IDs and names: without case.
func foldEq(a, b string) bool { return strings.EqualFold(a, b) }

// ---- the contract documents ----

var docs sync.Map // api → func() (*openapi3.T, error)

// loadDoc is the OpenAPI document of api (schemas/rest/<api>.yaml), for
// the names and schemas it declares.
func loadDoc(api string) *openapi3.T {
	ginkgo.GinkgoHelper()
	f, _ := docs.LoadOrStore(api, sync.OnceValues(func() (*openapi3.T, error) {
		data, err := fs.ReadFile(schemas.FS(), "rest/"+api+".yaml")
		if err != nil {
			return nil, err
		}
		return openapi.LoadBytes(data, "")
	}))
	doc, err := f.(func() (*openapi3.T, error))()
	Expect(err).NotTo(HaveOccurred(), "the contract %s.yaml does not load", api)
	return doc
}

// ---- credentials a spec makes up ----

// basicHeader is an Authorization header with Basic credentials.
func basicHeader(user, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// fnoHeader is the same credentials under FNO's own scheme (seed 001 lines
// 2556-2566).
func fnoHeader(user, password string) string {
	return "Fno " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
}

// foreignJWT is a well-formed HS256 JWT signed with a key no FNO has: a
// target must refuse it like any forged token.
var foreignJWT = func() string {
	enc := base64.RawURLEncoding.EncodeToString
	head := enc([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body := enc([]byte(`{"sub":"fnokit-forged","aud":"any","iss":"fnokit-suite","exp":4102444800}`))
	m := hmac.New(sha256.New, []byte("fnokit suites: a key no target has"))
	m.Write([]byte(head + "." + body))
	return head + "." + body + "." + enc(m.Sum(nil))
}()

// ---- emulator-only specs ----

// The emulator's default credentials, which the fake-clock emulators a
// spec starts from the run's EmulatorConfig run with (the run's own
// emulator is reached through the harness: suite.E().Admin, REST).
const (
	emulatorUser     = emulator.DefaultUser
	emulatorPassword = string(emulator.DefaultPassword)
)

// requireEmulator skips a spec against a live target, saying why.
func requireEmulator(why string) {
	if suite.E().Emulator() == nil {
		ginkgo.Skip("emulator only: " + why)
	}
}

// adminCall calls one of the emulator's admin routes through the harness
// (which knows its credentials; a live target skips the spec) and returns
// the status and body.
func adminCall(method, path string, q url.Values) (int, []byte) {
	ginkgo.GinkgoHelper()
	r := suite.E().Admin(method, path, q)
	return r.HTTPStatus, r.Body
}

// fakeClient calls a fake-clock emulator a spec started itself; bounded.
var fakeClient = &http.Client{Timeout: 30 * time.Second}

// targetNow is the target's "now": the emulator's clock (fixed by the
// harness so answers are stable), or this machine's for a live target.
func targetNow() time.Time {
	if suite.E().Emulator() != nil {
		return suite.E().EmulatorConfig().Now().UTC()
	}
	return time.Now().UTC()
}

// fakeClock is a clock a spec moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// expectTokenExpires checks that a JWT of api stops opening probePath once
// the 60 minutes FNO gives its tokens are over (seed 001 lines 2261,
// 2590): a fresh emulator of the run's configuration on a fake clock
// issues the token (at authPath, or for the beta API at the emulator's
// token route), the clock moves 61 minutes, and the probe must answer 401
// as the contract declares it. Emulator only: a live tenant's clock
// cannot be moved.
func expectTokenExpires(api, authPath, probePath string) {
	ginkgo.GinkgoHelper()
	requireEmulator("token expiry needs a clock the spec can move")
	clk := &fakeClock{t: targetNow()}
	cfg := suite.E().EmulatorConfig()
	cfg.Now, cfg.Faults = clk.Now, server.Faults{}
	emu, err := emulator.Start(suite.E().Context(), cfg)
	Expect(err).NotTo(HaveOccurred(), "the fake-clock emulator does not start")
	ginkgo.DeferCleanup(func(ctx context.Context) { _ = emu.Close(ctx) })

	send := func(method, path, auth string) (*http.Request, *http.Response, []byte) {
		req, err := http.NewRequestWithContext(suite.E().Context(), method, emu.URL()+path, nil)
		Expect(err).NotTo(HaveOccurred())
		req.Header.Set("Authorization", auth)
		resp, err := fakeClient.Do(req)
		Expect(err).NotTo(HaveOccurred())
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		Expect(err).NotTo(HaveOccurred())
		return req, resp, b
	}
	method, path := http.MethodGet, authPath
	if authPath == "" {
		method, path = http.MethodPost, "/fnokit/admin/entitlements-token?user="+url.QueryEscape(emulatorUser)
	}
	_, resp, body := send(method, path, basicHeader(emulatorUser, emulatorPassword))
	Expect(resp.StatusCode).To(Equal(http.StatusOK), "the fake-clock emulator issues no token")
	var tok struct{ Token string }
	Expect(json.Unmarshal(bytes.TrimSpace(body), &tok)).To(Succeed())
	Expect(tok.Token).NotTo(BeEmpty())

	_, resp, _ = send(http.MethodGet, probePath, "Bearer "+tok.Token)
	Expect(resp.StatusCode).NotTo(Equal(http.StatusUnauthorized), "a fresh token is refused")
	clk.Advance(59 * time.Minute)
	_, resp, _ = send(http.MethodGet, probePath, "Bearer "+tok.Token)
	Expect(resp.StatusCode).NotTo(Equal(http.StatusUnauthorized), "a token of 59 minutes is refused")
	clk.Advance(2 * time.Minute)
	req, resp, body := send(http.MethodGet, probePath, "Bearer "+tok.Token)
	Expect(resp.StatusCode).To(Equal(http.StatusUnauthorized), "a token of 61 minutes still opens the API")

	v, err := openapi.New(loadDoc(api), openapi.Options{})
	Expect(err).NotTo(HaveOccurred())
	found, err := v.ValidateResponse(req, resp.StatusCode, resp.Header, body)
	Expect(err).NotTo(HaveOccurred())
	Expect(found).To(BeEmpty(), "the expired-token answer breaks the contract")
}
