package compare

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/report"
	"github.com/fnokit/fnokit/internal/soap"
)

const leaked = "Basic YWRtaW46aHVudGVyMg=="

func sample() *Result {
	return &Result{
		Baseline: "http://127.0.0.1:1", Candidate: "http://127.0.0.1:2", StartedAt: time.Unix(0, 0), Duration: time.Second,
		Calls: []Call{
			{Protocol: "soap", Service: "ManageDeviceService", Version: "v7", Operation: "getDevice",
				Differences: []Difference{
					{Kind: StatusChanged, Level: Outcome, Location: "/getDeviceResponse/statusInfo/status", Message: "statusInfo/status differs", Baseline: "SUCCESS", Candidate: "FAILURE"},
					{Kind: OnlyInCandidate, Level: Schema, Location: "/getDeviceResponse/x", Rule: contract.RuleXSDInvalid, Message: "not expected"},
					// A value a check put a credential into by mistake.
					{Kind: ValueChanged, Level: Value, Location: "/getDeviceResponse/note", Message: "the text differs", Baseline: leaked, Candidate: "b"},
				}, Omitted: 2, Diff: "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n"},
			{Protocol: "soap", Service: "ManageDeviceService", Version: "v7", Operation: "searchDevices"},
			{Protocol: "rest", Service: RESTAPI, Version: "v1", Operation: "devices", Case: "first-page", Err: "candidate: HTTP: refused"},
			{Protocol: "soap", Service: "LicenseService", Version: "v2", Operation: "getHostQuery", Skipped: "no valid request sample"},
		},
	}
}

func TestTotals(t *testing.T) {
	t.Parallel()
	got := sample().Totals()
	want := Totals{Calls: 4, SOAP: 3, REST: 1, Same: 1, Differing: 1, Differences: 5, Skipped: 1, Errors: 1}
	if got != want {
		t.Errorf("totals %+v, want %+v", got, want)
	}
}

func TestWriteText(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteText(&b, sample(), true); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, s := range []string{
		"ManageDeviceService/v7/getDevice: 5 difference(s)",
		`status-changed    outcome /getDeviceResponse/statusInfo/status  statusInfo/status differs: "SUCCESS" → "FAILURE"`,
		"… and 2 more",
		"  +y",
		"rest/application/devices/first-page: not compared",
		"4 call(s) compared (3 SOAP operation × version, 1 REST): 1 same, 1 differ with 5 difference(s), 1 not compared, 1 skipped",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("text output lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "searchDevices") {
		t.Error("a call without differences is listed")
	}
	if strings.Contains(out, "YWRtaW46aHVudGVyMg") {
		t.Error("text output shows a credential")
	}
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJSON(&b, sample()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema string
		Totals Totals
		Calls  []Call
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != JSONSchemaID || doc.Totals.Differences != 5 || len(doc.Calls) != 4 || doc.Calls[0].Differences[0].Candidate != "FAILURE" {
		t.Errorf("JSON %s", b.String())
	}
	if strings.Contains(b.String(), "YWRtaW46aHVudGVyMg") {
		t.Error("JSON output shows a credential")
	}
}

func TestReport(t *testing.T) {
	t.Parallel()
	rep := Report(sample(), "fnokit", "test")
	byName := map[string]report.Case{}
	for _, c := range rep.Cases {
		byName[c.Name] = c
	}
	want := map[string]report.Status{"getDevice": report.Failed, "searchDevices": report.Passed, "devices/first-page": report.Error, "getHostQuery": report.Skipped}
	for name, st := range want {
		if got := byName[name].Status; got != st {
			t.Errorf("case %s: %s, want %s", name, got, st)
		}
	}
	fs := byName["getDevice"].Findings
	if len(fs) != 3 || fs[0].Rule != contract.RuleCompareStatusChanged || fs[1].Rule != contract.RuleCompareOnlyInCandidate ||
		fs[0].Location != "/getDeviceResponse/statusInfo/status" || fs[1].Target != "ManageDeviceService/v7/getDevice" {
		t.Errorf("findings %+v", fs)
	}
	for _, f := range fs {
		if _, ok := contract.LookupRule(f.Rule); !ok {
			t.Errorf("rule %s is not in the contract's list", f.Rule)
		}
		if strings.Contains(f.Message, "SUCCESS") {
			t.Errorf("finding message quotes a value: %s", f.Message)
		}
	}
	var b bytes.Buffer
	if err := report.WriteJUnit(&b, rep); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(b.Bytes(), new(struct{})); err != nil {
		t.Errorf("JUnit output is not XML: %v", err)
	}
	b.Reset()
	if err := report.WriteHTML(&b, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "getDevice") {
		t.Error("the HTML report does not name the differing call")
	}
}

func TestCredentialsFromEnv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		env       map[string]string
		base, cnd string // the Authorization header each side sends
		err       string
	}{
		{"shared basic", map[string]string{"FNOKIT_USER": "u", "FNOKIT_PASSWORD": "p"}, "Basic dTpw", "Basic dTpw", ""},
		{"shared token", map[string]string{"FNOKIT_TOKEN": "t"}, "Bearer t", "Bearer t", ""},
		{"per side", map[string]string{"FNOKIT_TOKEN": "t", "FNOKIT_CANDIDATE_USER": "c", "FNOKIT_CANDIDATE_PASSWORD": "p"}, "Bearer t", "Basic Yzpw", ""},
		{"side set wholly", map[string]string{"FNOKIT_USER": "u", "FNOKIT_PASSWORD": "p", "FNOKIT_BASELINE_USER": "b"}, "", "", "baseline: set both FNOKIT_BASELINE_USER and FNOKIT_BASELINE_PASSWORD"},
		{"both kinds", map[string]string{"FNOKIT_USER": "u", "FNOKIT_TOKEN": "t"}, "", "", "baseline: set either FNOKIT_TOKEN or FNOKIT_USER and FNOKIT_PASSWORD, not both"},
		{"none", map[string]string{}, "", "", "baseline: no credentials"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, cn, err := CredentialsFromEnv(func(k string) string { return c.env[k] })
			if c.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				for _, v := range c.env {
					if len(v) > 1 && strings.Contains(err.Error(), v) {
						t.Errorf("error quotes a value: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			auth := func(c soap.Credentials) string {
				req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1/", nil)
				c.Apply(req)
				return req.Header.Get("Authorization")
			}
			if got := auth(b); got != c.base {
				t.Errorf("baseline sends %q, want %q", got, c.base)
			}
			if got := auth(cn); got != c.cnd {
				t.Errorf("candidate sends %q, want %q", got, c.cnd)
			}
		})
	}
}

func TestIsRead(t *testing.T) {
	t.Parallel()
	for op, want := range map[string]bool{
		"getDevice": true, "searchDevices": true, "countDevices": true, "getFulfillmentsQuery": true,
		"getSecureToken": false, "getUserToken": false, "createDevice": false, "deleteDevice": false,
		"authenticateUser": false, "validateToken": false, "generatePrebuiltLicense": false,
	} {
		if IsRead(op) != want {
			t.Errorf("IsRead(%s) = %v", op, !want)
		}
	}
}
