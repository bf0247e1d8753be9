package versiondiff

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/report"
	"github.com/fnokit/fnokit/internal/schemadiff"
)

var update = flag.Bool("update", false, "rewrite schemas/DIFF-RULES.md and the golden renderings in testdata")

// TestEveryDifferenceHasOneRule proves the table is total and
// unambiguous: every kind schemadiff knows, in either message, with any
// change, meets exactly one rule.
func TestEveryDifferenceHasOneRule(t *testing.T) {
	t.Parallel()
	used := map[string]bool{}
	for _, k := range schemadiff.Kinds {
		for _, m := range []schemadiff.Message{schemadiff.Request, schemadiff.Response} {
			for _, c := range []schemadiff.Change{schemadiff.Neutral, schemadiff.Widens, schemadiff.Narrows, schemadiff.Incompatible} {
				d := schemadiff.Difference{Kind: k.Kind, Message: m, Change: c}
				var hits []string
				for _, r := range rules {
					side := sideOf(m)
					if k.Kind == schemadiff.OperationAdded || k.Kind == schemadiff.OperationRemoved {
						side = SideService
					}
					if r.Kind == k.Kind && r.Side == side && (r.Changes == nil || containsChange(r.Changes, c)) {
						hits = append(hits, r.ID)
					}
				}
				if len(hits) != 1 {
					t.Errorf("%s %s %s meets %d rules %v, want exactly one", k.Kind, m, c, len(hits), hits)
					continue
				}
				used[hits[0]] = true
				if r, _ := ruleFor(d); r.ID != hits[0] {
					t.Errorf("ruleFor(%s %s %s) = %s, want %s", k.Kind, m, c, r.ID, hits[0])
				}
				if Classify(d) != (ruleIndex[hits[0]].Level == Breaking) {
					t.Errorf("Classify(%s %s %s) disagrees with rule %s", k.Kind, m, c, hits[0])
				}
			}
		}
	}
	for _, r := range rules {
		if r.Kind != "" && !used[r.ID] {
			t.Errorf("rule %s judges nothing schemadiff reports", r.ID)
		}
	}
}

func containsChange(cs []schemadiff.Change, c schemadiff.Change) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// TestRuleList checks the IDs (stable, unique, SD-…, the side in the name)
// and that every rule explains itself.
func TestRuleList(t *testing.T) {
	t.Parallel()
	id := regexp.MustCompile(`^SD-[A-Z]+(-[A-Z]+)*$`)
	seen := map[string]bool{}
	for _, r := range Rules() {
		if r.ID != restRule.ID && !id.MatchString(r.ID) {
			t.Errorf("rule ID %q is not SD-UPPER-KEBAB", r.ID)
		}
		if seen[r.ID] {
			t.Errorf("rule ID %s is listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Message == "" || r.Why == "" {
			t.Errorf("rule %s needs a message and a reason", r.ID)
		}
		switch {
		case strings.HasPrefix(r.ID, "SD-REQ-") && r.Side != SideRequest,
			strings.HasPrefix(r.ID, "SD-RESP-") && r.Side != SideResponse:
			t.Errorf("rule %s is on the %s side, its ID says otherwise", r.ID, r.Side)
		}
		if _, ok := LookupRule(r.ID); !ok && r.ID != restRule.ID {
			t.Errorf("LookupRule(%s) fails", r.ID)
		}
	}
	for _, r := range RESTRules() {
		if !strings.HasPrefix(r.ID, RESTPrefix) || seen[r.ID] {
			t.Errorf("REST rule %s: bad or repeated ID", r.ID)
		}
		seen[r.ID] = true
	}
}

// TestRulesDocument keeps schemas/DIFF-RULES.md equal to the table.
func TestRulesDocument(t *testing.T) {
	t.Parallel()
	path := filepath.Join("..", "..", filepath.FromSlash(RulesFile))
	want := RulesMarkdown()
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/versiondiff -run TestRulesDocument -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the rule table: run go test ./internal/versiondiff -run TestRulesDocument -update", RulesFile)
	}
	for _, r := range Rules() {
		if !bytes.Contains(got, []byte("`"+r.ID+"`")) {
			t.Errorf("%s does not list %s", RulesFile, r.ID)
		}
	}
}

// findingKeys renders findings as "rule operation path" for comparisons.
func findingKeys(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, strings.TrimSpace(f.Rule+" "+f.Operation+" "+f.Path))
	}
	return out
}

// TestOrdersFixture compares a hand-made base/revision WSDL pair in which
// each kind of change the brief names happens once, and pins the rule of
// each; the text rendering is kept as a golden file.
func TestOrdersFixture(t *testing.T) {
	t.Parallel()
	r, err := ComparePaths(filepath.Join("testdata", "orders_base.wsdl"), filepath.Join("testdata", "orders_revision.wsdl"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"SD-REQ-NAMESPACE-VERSION",
		"SD-RESP-NAMESPACE-VERSION",
		"SD-REQ-ELEMENT-REQUIRED-ADDED getOrder /getOrderRequest/region",
		"SD-REQ-ELEMENT-OPTIONAL-ADDED getOrder /getOrderRequest/page",
		"SD-REQ-ENUM-VALUE-REMOVED getOrder /getOrderRequest/kind",
		"SD-RESP-ELEMENT-REMOVED getOrder /getOrderResponse/order/note",
		"SD-RESP-ELEMENT-OPTIONAL-ADDED getOrder /getOrderResponse/order/created",
		"SD-RESP-ENUM-VALUE-ADDED getOrder /getOrderResponse/order/status",
		"SD-RESP-MAX-OCCURS-RAISED getOrder /getOrderResponse/order/line",
		"SD-OP-REMOVED deleteOrder",
		"SD-OP-ADDED countOrders",
	}
	got := findingKeys(r.Findings())
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	levels := map[string]Level{}
	for _, f := range r.Findings() {
		levels[f.Rule] = f.Level
	}
	for rule, l := range map[string]Level{
		"SD-REQ-ELEMENT-REQUIRED-ADDED": Breaking, "SD-RESP-ELEMENT-REMOVED": Breaking,
		"SD-RESP-ENUM-VALUE-ADDED": NeedsAttention, "SD-RESP-ELEMENT-OPTIONAL-ADDED": NeedsAttention,
		"SD-REQ-ELEMENT-OPTIONAL-ADDED": NonBreaking, "SD-OP-REMOVED": Breaking, "SD-OP-ADDED": NonBreaking,
		"SD-REQ-NAMESPACE-VERSION": NeedsAttention,
	} {
		if levels[rule] != l {
			t.Errorf("%s is %s, want %s", rule, levels[rule], l)
		}
	}
	if !r.Fails(Breaking) {
		t.Error("a breaking change must fail the comparison")
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, r); err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "orders.golden.txt"), buf.Bytes())

	// The same pair reversed: what was added is removed, and the other way.
	back, err := ComparePaths(filepath.Join("testdata", "orders_revision.wsdl"), filepath.Join("testdata", "orders_base.wsdl"))
	if err != nil {
		t.Fatal(err)
	}
	keys := strings.Join(findingKeys(back.Findings()), "\n")
	for _, k := range []string{"SD-OP-ADDED deleteOrder", "SD-OP-REMOVED countOrders", "SD-REQ-ELEMENT-REMOVED getOrder /getOrderRequest/region", "SD-RESP-ENUM-VALUE-REMOVED getOrder /getOrderResponse/order/status"} {
		if !strings.Contains(keys, k) {
			t.Errorf("reversed: no %s in\n%s", k, keys)
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("rendering differs from %s (if intended, rerun with -update):\n%s", path, got)
	}
}

// TestNamespaceNotAVersionMove: the same contract under a foreign
// namespace is breaking on both sides, and nothing else differs.
func TestNamespaceNotAVersionMove(t *testing.T) {
	t.Parallel()
	r, err := ComparePaths(filepath.Join("testdata", "orders_base.wsdl"), filepath.Join("testdata", "orders_foreign.wsdl"))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(findingKeys(r.Findings()), ",")
	if got != RuleReqNamespaceChanged+","+RuleRespNamespaceChange {
		t.Errorf("findings %s", got)
	}
	if !r.Fails(Breaking) {
		t.Error("a namespace change without a version move must break")
	}
	cases := []struct {
		old, new string
		move     bool
	}{
		{"urn:com.macrovision:flexnet/operations", "urn:v1.webservices.operations.flexnet.com", true},
		{"urn:com.macrovision:flexnet/opsembedded", "urn:v1.fne.webservices.operations.flexnet.com", true},
		{"urn:v6.fne.webservices.operations.flexnet.com", "urn:v7.fne.webservices.operations.flexnet.com", true},
		{"urn:com.macrovision:flexnet/platform", "urn:v1.webservices.platform.flexnet.com", true},
		{"urn:v3.webservices.operations.flexnet.com", "urn:v3.webservices.operations.flexnet.com", false},
		{"urn:v3.webservices.operations.flexnet.com", "urn:v4.fne.webservices.operations.flexnet.com", false},
		{"urn:example:a", "urn:example:b", false},
	}
	for _, c := range cases {
		if versionMove(c.old, c.new) != c.move {
			t.Errorf("versionMove(%s, %s) = %v", c.old, c.new, !c.move)
		}
	}
}

// TestPlainXSD: global elements as messages, their side from their names.
func TestPlainXSD(t *testing.T) {
	t.Parallel()
	r, err := ComparePaths(filepath.Join("testdata", "pub_base.xsd"), filepath.Join("testdata", "pub_revision.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"SD-REQ-MESSAGE-REMOVED legacyRequest",
		"SD-REQ-ELEMENT-REQUIRED-ADDED lookupRequest /lookupRequest/tenant",
		"SD-RESP-ELEMENT-REMOVED lookupResponse /lookupResponse/size",
		"SD-REQ-TYPE-CHANGED record /record/a",
		"SD-RESP-TYPE-CHANGED record /record/a",
		"SD-RESP-MESSAGE-ADDED statsResponse",
	}
	if got := findingKeys(r.Findings()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// TestFolders matches files by name below two folders, at any depth.
func TestFolders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	put := func(src, dst string) {
		t.Helper()
		b, err := os.ReadFile(filepath.Join("testdata", src))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(dst))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("orders_base.wsdl", "old/v1/Orders.wsdl")
	put("orders_revision.wsdl", "new/Orders.wsdl")
	put("orders_base.wsdl", "old/Gone.wsdl")
	put("orders_base.wsdl", "new/Fresh.wsdl")
	put("api_base.yaml", "old/api.yaml")
	put("api_revision.yaml", "new/api.yaml")
	if err := os.WriteFile(filepath.Join(dir, "old", "notes.yaml"), []byte("just: notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := ComparePaths(filepath.Join(dir, "old"), filepath.Join(dir, "new"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range r.Pairs {
		got = append(got, p.Service+":"+string(p.Format))
	}
	if strings.Join(got, " ") != "Fresh:missing Gone:missing Orders:wsdl api:openapi" {
		t.Errorf("pairs %v", got)
	}
	if r.Pairs[0].Findings[0].Rule != RuleServiceAdded || r.Pairs[1].Findings[0].Rule != RuleServiceRemoved {
		t.Errorf("one-sided services: %v %v", r.Pairs[0].Findings, r.Pairs[1].Findings)
	}
	put("orders_base.wsdl", "old/v2/Orders.wsdl")
	if _, err := ComparePaths(filepath.Join(dir, "old"), filepath.Join(dir, "new")); err == nil || !strings.Contains(err.Error(), "same file name") {
		t.Errorf("two files of one name must be refused, got %v", err)
	}
	for _, c := range [][2]string{
		{filepath.Join(dir, "new"), filepath.Join(dir, "new", "Orders.wsdl")},
		{filepath.Join("testdata", "orders_base.wsdl"), filepath.Join("testdata", "pub_base.xsd")},
		{filepath.Join("testdata", "absent.wsdl"), filepath.Join("testdata", "orders_base.wsdl")},
		{filepath.Join("testdata", "orders.golden.txt"), filepath.Join("testdata", "orders.golden.txt")},
	} {
		if _, err := ComparePaths(c[0], c[1]); err == nil {
			t.Errorf("ComparePaths(%s, %s) must fail", c[0], c[1])
		}
	}
}

// TestOpenAPI maps oasdiff's findings onto our levels and sides.
func TestOpenAPI(t *testing.T) {
	t.Parallel()
	r, err := ComparePaths(filepath.Join("testdata", "api_base.yaml"), filepath.Join("testdata", "api_revision.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p := r.Pairs[0]
	if p.Format != FormatOpenAPI || len(p.Findings) == 0 {
		t.Fatalf("pair %+v", p)
	}
	want := map[string]bool{ // oasdiff IDs the fixture's edits must produce
		"new-required-request-property":      false,
		"response-property-enum-value-added": false,
		"endpoint-added":                     false,
	}
	index := restRules()
	var breakingReq, removedOp bool
	for _, f := range p.Findings {
		id := strings.ToLower(strings.TrimPrefix(f.Rule, RESTPrefix))
		if _, ok := want[id]; ok {
			want[id] = true
		}
		if rr, ok := index[id]; !ok || rr.Side != f.Side || rr.ID != f.Rule {
			t.Errorf("finding %s does not follow oasdiff's registry", f)
		}
		if f.Side == SideRequest && f.Level == Breaking {
			breakingReq = true
		}
		if f.Level == Breaking && strings.Contains(f.Operation, "DELETE /devices/{id}") {
			removedOp = true
		}
		if f.Message == "" {
			t.Errorf("finding %s has no message", f.Rule)
		}
	}
	for id, seen := range want {
		if !seen {
			t.Errorf("no %s finding among %v", id, findingKeys(p.Findings))
		}
	}
	if !breakingReq || !removedOp {
		t.Errorf("want a breaking request change and the removed DELETE: %v", findingKeys(p.Findings))
	}
	if got := strings.Join(p.Operations, ","); got != "DELETE /devices/{id},GET /devices,GET /devices/count,POST /devices" {
		t.Errorf("operations %s", got)
	}
	if _, err := CompareOpenAPI("x", []byte("openapi: [broken"), []byte("openapi: 3.0.3"), "a", "b"); err == nil {
		t.Error("a broken document must be an error")
	}
}

// TestOutputs: JSON keeps every field; the report has one case per
// operation, failed at the fail-on level.
func TestOutputs(t *testing.T) {
	t.Parallel()
	r, err := ComparePaths(filepath.Join("testdata", "orders_base.wsdl"), filepath.Join("testdata", "orders_revision.wsdl"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Schema string
		Totals struct{ Findings, Breaking, NeedsAttention, NonBreaking int }
		Pairs  []struct {
			Findings []struct{ Rule, Level, Side, Operation, Path string }
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	c := r.Counts()
	if back.Schema != JSONSchemaID || back.Totals.Findings != len(r.Findings()) || back.Totals.Breaking != c[Breaking] ||
		back.Totals.NeedsAttention != c[NeedsAttention] || back.Pairs[0].Findings[0].Level != "needs-attention" {
		t.Errorf("JSON: %s", buf.String())
	}
	for _, tc := range []struct {
		failOn Level
		failed int
	}{{Breaking, 2}, {NeedsAttention, 3}, {NonBreaking, 4}} {
		rep := Report(r, tc.failOn, "fnokit", "test", time.Now())
		// cases: (service) needs-attention, getOrder and deleteOrder
		// breaking, countOrders non-breaking
		if len(rep.Cases) != 4 || rep.Cases[0].Name != ServiceCase {
			t.Fatalf("cases %+v", rep.Cases)
		}
		if got := rep.Totals().Failed; got != tc.failed {
			t.Errorf("fail on %s: %d failed cases, want %d", tc.failOn, got, tc.failed)
		}
	}
	rep := Report(r, Breaking, "fnokit", "test", time.Now())
	var junit, html bytes.Buffer
	if err := report.WriteJUnit(&junit, rep); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteHTML(&html, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(junit.String(), "SD-REQ-ELEMENT-REQUIRED-ADDED") || !strings.Contains(html.String(), "/getOrderRequest/region") {
		t.Error("JUnit and HTML must carry the rules and paths")
	}
}

// BenchmarkConsecutivePairs compares every consecutive version pair of
// every embedded SOAP service, as `fnokit schemas diff --service` does for
// one (WSDL parse, model build, walk, classification).
func BenchmarkConsecutivePairs(b *testing.B) {
	pairs, err := ConsecutivePairs()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		for _, p := range pairs {
			if _, err := CompareEmbedded(p.Service, p.From.String(), p.To.String()); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(pairs)), "pairs")
}
