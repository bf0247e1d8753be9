package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
)

const (
	jwt   = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib3QifQ.c2lnbmF0dXJl"
	basic = "aW50ZWdyYXRpb246aHVudGVyMjI="
)

func sample() *Report {
	mismatch := contract.New(contract.RuleGoldenMismatch, "soap/ManageDeviceService/v3/searchDevices/by-name.response.xml",
		"/Envelope/Body/searchDevicesResponse/responseData/deviceData[2]/deviceId", "text of <deviceId> differs")
	xsd := contract.New(contract.RuleXSDInvalid, "", "/searchDevicesResponse/statusInfo", `element "x" & <y> not expected`)
	return &Report{
		Tool: "fnokit", ToolVersion: "0.1.0",
		StartedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Duration: 1500 * time.Millisecond,
		Target: "https://uat.example.com/flexnet",
		Cases: []Case{
			{Name: "searchDevices/by-name", Service: "ManageDeviceService", Version: "v3", Operation: "searchDevices",
				Status: Failed, Duration: 250 * time.Millisecond, Findings: contract.Findings{mismatch, xsd},
				Diff:   "--- a\n+++ b\n@@ -1 +1 @@\n-<deviceId>DEV-2</deviceId>\n+<deviceId>DEV-9</deviceId>\n",
				Labels: []string{"service:ManageDeviceService", "version:v3", "op:searchDevices"},
				Source: "suites/soap/devices.go:42", FailedAt: "suites/soap/devices.go:57"},
			{Name: "getDeviceCount/active", Service: "ManageDeviceService", Version: "v3", Operation: "getDeviceCount",
				Status: Passed, Duration: 100 * time.Millisecond},
			{Name: "getDeviceCount/active", Service: "ManageDeviceService", Version: "v7", Operation: "getDeviceCount",
				Status: Skipped, Message: "operation not in this version"},
			{Name: "createBulkEntitlement", Suite: "EntitlementOrderService/v2", Service: "EntitlementOrderService", Version: "v2",
				Operation: "createBulkEntitlement", Status: Error, Message: "connection refused\nretry later"},
			{Name: "behaviour/batch-limit", Service: "EntitlementOrderService", Version: "base", Operation: "createBulkEntitlement",
				Status: Passed},
		},
	}
}

func TestTotals(t *testing.T) {
	t.Parallel()
	got := sample().Totals()
	want := Totals{Cases: 5, Passed: 2, Failed: 1, Skipped: 1, Errors: 1, Findings: 2, FindingErrors: 2}
	if got != want {
		t.Errorf("totals = %+v, want %+v", got, want)
	}
	if got.OK() {
		t.Error("a report with failures is not OK")
	}
	if (&Report{Cases: []Case{{Status: "passd"}}}).Totals().Errors != 1 {
		t.Error("an unknown status must count as an error")
	}
	if !(&Report{Cases: []Case{{Status: Passed}, {Status: Skipped}}}).Totals().OK() {
		t.Error("passes and skips are OK")
	}
}

// JUnit as CI systems read it (the common junit-10.xsd shape).
type xSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    string   `xml:"tests,attr"`
	Failures string   `xml:"failures,attr"`
	Errors   string   `xml:"errors,attr"`
	Skipped  string   `xml:"skipped,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []xSuite `xml:"testsuite"`
}

type xSuite struct {
	Name       string `xml:"name,attr"`
	Tests      string `xml:"tests,attr"`
	Failures   string `xml:"failures,attr"`
	Errors     string `xml:"errors,attr"`
	Skipped    string `xml:"skipped,attr"`
	Time       string `xml:"time,attr"`
	Timestamp  string `xml:"timestamp,attr"`
	Properties []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
	Cases []struct {
		Name      string     `xml:"name,attr"`
		Classname string     `xml:"classname,attr"`
		Time      string     `xml:"time,attr"`
		Failure   []xProblem `xml:"failure"`
		Error     []xProblem `xml:"error"`
		Skipped   []xProblem `xml:"skipped"`
		SystemOut string     `xml:"system-out"`
	} `xml:"testcase"`
}

type xProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

func atoi(t *testing.T, s, what string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s = %q is not an integer", what, s)
	}
	return n
}

func TestJUnitShape(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJUnit(&b, sample()); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("<?xml")) {
		t.Error("no XML declaration")
	}
	var s xSuites
	if err := xml.Unmarshal(b.Bytes(), &s); err != nil {
		t.Fatalf("output does not parse: %v\n%s", err, b.String())
	}
	// One suite per suite name, in order of first appearance; the base
	// behaviour case has no Suite and falls back to Service/Version.
	var names []string
	for _, su := range s.Suites {
		names = append(names, su.Name)
	}
	if got := strings.Join(names, ","); got != "ManageDeviceService/v3,ManageDeviceService/v7,EntitlementOrderService/v2,EntitlementOrderService/base" {
		t.Fatalf("suites = %s", got)
	}
	total := map[string]int{}
	for _, su := range s.Suites {
		if su.Name == "" || su.Tests == "" || su.Timestamp == "" {
			t.Errorf("suite lacks required attributes: %+v", su)
		}
		var f, e, sk int
		for _, c := range su.Cases {
			if c.Name == "" || c.Classname != su.Name {
				t.Errorf("testcase %q has classname %q in suite %q", c.Name, c.Classname, su.Name)
			}
			if _, err := strconv.ParseFloat(c.Time, 64); err != nil {
				t.Errorf("testcase time %q is not seconds", c.Time)
			}
			if len(c.Failure)+len(c.Error)+len(c.Skipped) > 1 {
				t.Errorf("testcase %q has more than one outcome element", c.Name)
			}
			f += len(c.Failure)
			e += len(c.Error)
			sk += len(c.Skipped)
		}
		if atoi(t, su.Tests, "tests") != len(su.Cases) || atoi(t, su.Failures, "failures") != f ||
			atoi(t, su.Errors, "errors") != e || atoi(t, su.Skipped, "skipped") != sk {
			t.Errorf("suite %s counts %s/%s/%s/%s do not match its cases", su.Name, su.Tests, su.Failures, su.Errors, su.Skipped)
		}
		props := map[string]string{}
		for _, p := range su.Properties {
			props[p.Name] = p.Value
		}
		if props["target"] != "https://uat.example.com/flexnet" || props["tool.version"] != "0.1.0" {
			t.Errorf("properties = %v", props)
		}
		total["tests"] += len(su.Cases)
		total["failures"] += f
		total["errors"] += e
		total["skipped"] += sk
	}
	if atoi(t, s.Tests, "tests") != total["tests"] || atoi(t, s.Failures, "failures") != total["failures"] ||
		atoi(t, s.Errors, "errors") != total["errors"] || atoi(t, s.Skipped, "skipped") != total["skipped"] {
		t.Errorf("testsuites counts do not add up: %+v vs %v", s, total)
	}
	if s.Time != "1.500" {
		t.Errorf("time = %q, want 1.500", s.Time)
	}
	fail := s.Suites[0].Cases[0].Failure[0]
	if fail.Type != contract.RuleGoldenMismatch || !strings.Contains(fail.Message, "(and 1 more)") {
		t.Errorf("failure = %+v", fail)
	}
	// The body lists every finding, with markup in messages escaped and
	// restored by the parser.
	if !strings.Contains(fail.Body, `element "x" & <y> not expected`) || !strings.Contains(fail.Body, "deviceData[2]/deviceId") {
		t.Errorf("failure body = %q", fail.Body)
	}
	if !strings.Contains(s.Suites[0].Cases[0].SystemOut, "+<deviceId>DEV-9</deviceId>") {
		t.Error("the diff is not in system-out")
	}
	var errCase *xProblem
	for _, su := range s.Suites {
		for _, c := range su.Cases {
			if len(c.Error) == 1 {
				errCase = &c.Error[0]
			}
		}
	}
	if errCase == nil || errCase.Message != "connection refused" || !strings.Contains(errCase.Body, "retry later") {
		t.Errorf("error element = %+v (message must be one line, body all of it)", errCase)
	}
}

func TestJSONFields(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"schema", "tool", "toolVersion", "startedAt", "durationSeconds", "target", "totals", "coverage", "cases"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report.json lacks %q", k)
		}
	}
	if m["schema"] != JSONSchemaID || m["startedAt"] != "2026-03-01T12:00:00Z" || m["durationSeconds"] != 1.5 {
		t.Errorf("header fields = %v %v %v", m["schema"], m["startedAt"], m["durationSeconds"])
	}
	cases := m["cases"].([]any)
	c0 := cases[0].(map[string]any)
	for _, k := range []string{"name", "suite", "service", "version", "operation", "status", "durationSeconds", "findings", "diff", "labels", "source", "failedAt"} {
		if _, ok := c0[k]; !ok {
			t.Errorf("case lacks %q", k)
		}
	}
	f0 := c0["findings"].([]any)[0].(map[string]any)
	if f0["rule"] != contract.RuleGoldenMismatch || f0["severity"] != "error" || f0["location"] == "" {
		t.Errorf("finding = %v", f0)
	}
	// A case without findings has [] (not null), so consumers can iterate.
	if f, ok := cases[1].(map[string]any)["findings"].([]any); !ok || len(f) != 0 {
		t.Errorf("findings of a passing case = %v", cases[1].(map[string]any)["findings"])
	}
	tot := m["totals"].(map[string]any)
	if tot["cases"] != 5.0 || tot["failed"] != 1.0 {
		t.Errorf("totals = %v", tot)
	}
}

func TestHTML(t *testing.T) {
	t.Parallel()
	r := sample()
	r.Cases[0].Findings[0].Message = `<script>alert("x")</script> differs`
	r.Cases[2].Message = `<img src=x onerror=alert(1)>`
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for _, bad := range []string{"<script", "<img", "<link", ` src="`, "@import", "url("} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML contains %q: escaping or self-containment broken", bad)
		}
	}
	// Links stay within the page, and every one has its target.
	for _, m := range regexp.MustCompile(` href="([^"]*)"`).FindAllStringSubmatch(h, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("link %q leaves the page", m[1])
		} else if !strings.Contains(h, ` id="`+m[1][1:]+`"`) {
			t.Errorf("link %q has no target", m[1])
		}
	}
	for _, want := range []string{
		"&lt;script&gt;",
		`<span class="del">-&lt;deviceId&gt;DEV-2&lt;/deviceId&gt;</span>`,
		`<span class="add">&#43;&lt;deviceId&gt;DEV-9&lt;/deviceId&gt;</span>`, // html/template escapes '+'
		`<span class="hunk">@@ -1 &#43;1 @@</span>`,
		"<style>",
		"<th>base</th><th>v2</th><th>v3</th><th>v7</th>",
		"/Envelope/Body/searchDevicesResponse/responseData/deviceData[2]/deviceId",
		// the failing cell links to its case, which the failures section shows
		`<td class="cell failed" title="1 failed"><a href="#case-1">failed</a></td>`,
		`<div class="fail" id="case-1">`,
		// the golden diff side by side: golden left, answer right, one row
		`<td class="n">1</td><td class="del">&lt;deviceId&gt;DEV-2&lt;/deviceId&gt;</td><td class="n">1</td><td class="add">&lt;deviceId&gt;DEV-9&lt;/deviceId&gt;</td>`,
		`<span class="label">service:ManageDeviceService</span>`,
		"<code>suites/soap/devices.go:42</code>",
		"failed at <code>suites/soap/devices.go:57</code>",
		`<h2 id="timings">Timings</h2>`,
		"op × version pairs",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

func TestMatrix(t *testing.T) {
	t.Parallel()
	m := matrix([]Case{
		{Service: "S", Operation: "op", Version: "v10", Status: Passed},
		{Service: "S", Operation: "op", Version: "v2", Status: Passed},
		{Service: "S", Operation: "op", Version: "v2", Status: Failed},
		{Service: "S", Operation: "op", Version: "", Status: Skipped},
		{Service: "S", Operation: "other", Version: "v2", Status: "bogus"},
		{Name: "no service", Status: Failed},
	})
	if strings.Join(m.Versions, ",") != "base,v2,v10" {
		t.Errorf("versions = %v", m.Versions)
	}
	if len(m.Rows) != 2 {
		t.Fatalf("rows = %+v", m.Rows)
	}
	op := m.Rows[0]
	if op.Cells[0].Status != Skipped || op.Cells[1].Status != Failed || op.Cells[1].Label != "failed (2)" ||
		op.Cells[1].Title != "1 passed, 1 failed" || op.Cells[2].Status != Passed {
		t.Errorf("op row = %+v", op)
	}
	other := m.Rows[1]
	if other.Cells[0].Status != "" || other.Cells[1].Status != Error {
		t.Errorf("other row = %+v", other)
	}
}

func TestWriteAllHasNoSecrets(t *testing.T) {
	t.Parallel()
	r := sample()
	r.Target = "https://integration:hunter22@uat.example.com/flexnet?token=pat_ABC123xyz789"
	r.Cases[0].Message = "sent Authorization: Basic " + basic
	r.Cases[0].Findings[1].Message = "server said: Bearer " + jwt + " is expired"
	r.Cases[0].Findings[1].Target = "https://x.example/cb?access_token=pat_ABC123xyz789"
	r.Cases[0].Diff += "-password=hunter22\n+password=hunter23\n"
	r.Cases[3].Message = "POST https://integration:hunter22@uat.example.com/ failed"
	dir := filepath.Join(t.TempDir(), "reports")
	if err := WriteAll(dir, r); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{"hunter22", "hunter23", "pat_ABC123xyz789", basic, jwt, "eyJzdWIi"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds a secret (%.6s…)", e.Name(), secret)
			}
		}
		if !bytes.Contains(b, []byte("uat.example.com")) {
			t.Errorf("%s lost the (redacted) target host", e.Name())
		}
	}
	if strings.Join(names, ",") != "junit.xml,report.html,report.json" {
		t.Errorf("files = %v (temporary files left behind?)", names)
	}
	if r.Target != "https://integration:hunter22@uat.example.com/flexnet?token=pat_ABC123xyz789" {
		t.Error("writing modified the caller's report")
	}
}

func TestSideBySide(t *testing.T) {
	t.Parallel()
	d := sideBySide("c", "--- golden/x.xml\n+++ answer\n@@ -3,4 +3,5 @@\n a\n-b\n-c\n+B\n+C\n+D\n e\n")
	if d.Left != "golden/x.xml" || d.Right != "answer" {
		t.Errorf("columns %q %q", d.Left, d.Right)
	}
	var got []string
	for _, r := range d.Rows {
		if r.Hunk != "" {
			got = append(got, "@@")
			continue
		}
		got = append(got, r.LN+r.L+"|"+r.RN+r.R)
	}
	want := []string{"@@", "3a|3a", "4b|4B", "5c|5C", "|6D", "6e|7e"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("rows %v, want %v", got, want)
	}
}

func TestCoverage(t *testing.T) {
	t.Parallel()
	r := sample()
	c := r.Coverage()
	// Ran: all but the skipped case; pairs: searchDevices v3, getDeviceCount
	// v3, createBulkEntitlement v2 and base.
	if c.Ran != 4 || c.Pairs != 4 || c.SpecsPerSecond < 2.6 || c.SpecsPerSecond > 2.7 {
		t.Errorf("coverage %+v", c)
	}
}
