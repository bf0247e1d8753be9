package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/report"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/versiondiff"
	"github.com/fnokit/fnokit/schemas"
)

var samples = filepath.Join("..", "..", "schemas", "testdata")

func emulators() conformance.Target { return conformance.Emulators(conformance.EmulatorConfig()) }

// TestEveryConsecutivePair migrates every served service across every
// pair of consecutive versions against the emulator, replaying the
// samples, and checks the verdicts' logic on each request: one case per
// old operation, nothing that could not run, needs-change exactly when the
// operation is gone, the rewritten request is invalid, or the new version
// fails what the old one answers; and every request that becomes invalid
// is explained by a breaking diff finding that touches it (libxml2 and the
// diff agree).
func TestEveryConsecutivePair(t *testing.T) {
	t.Parallel()
	pairs, err := versiondiff.ConsecutivePairs()
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, p := range pairs {
		if conformance.External[p.Service] {
			continue
		}
		ran++
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			r, err := Run(context.Background(), emulators(), Options{Service: p.Service, From: p.From.String(), To: p.To.String(), Samples: samples})
			if err != nil {
				t.Fatal(err)
			}
			vA, _ := schemas.Find(p.Service, p.From.String())
			vB, _ := schemas.Find(p.Service, p.To.String())
			if len(r.Cases) != len(vA.Operations) {
				t.Errorf("%d cases for %d operations", len(r.Cases), len(vA.Operations))
			}
			for _, c := range r.Cases {
				_, inB := vB.Operation(c.Operation)
				newFails := c.New.Sent && !c.New.Succeeded()
				oldOK := c.Old != nil && c.Old.Succeeded()
				want := !inB || !c.Valid || (newFails && oldOK)
				if c.Verdict == Error {
					t.Errorf("%s: could not run: %s", c.Operation, c.Message)
				}
				if (c.Verdict == NeedsChange) != want {
					t.Errorf("%s: verdict %s (valid %v, new %s, old %v)", c.Operation, c.Verdict, c.Valid, c.New, c.Old)
				}
				if c.Verdict == OK && !c.New.Succeeded() {
					t.Errorf("%s: ok, but %s answers %s", c.Operation, p.To, c.New)
				}
				if inB && c.OldValid && !c.Valid && !hasBreaking(c.Changes) {
					t.Errorf("%s: the rewritten request is invalid (%v) but no breaking diff finding touches it", c.Operation, c.Validation)
				}
				if !hasRule(c.Changes, versiondiff.RuleReqNamespaceVersion) {
					t.Errorf("%s: the namespace move is not among the changes", c.Operation)
				}
			}
		})
	}
	if ran < 20 {
		t.Errorf("only %d pairs migrated", ran)
	}
}

func hasBreaking(fs []versiondiff.Finding) bool {
	for _, f := range fs {
		if f.Level == versiondiff.Breaking {
			return true
		}
	}
	return false
}

func hasRule(fs []versiondiff.Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// TestRemovedOperation: an operation of the old version that the new one
// lost needs a change, whatever the request (the contract marks
// FlexnetAuthentication's getUserToken until base).
func TestRemovedOperation(t *testing.T) {
	t.Parallel()
	r, err := Run(context.Background(), emulators(), Options{Service: "FlexnetAuthentication", From: "base", To: "v1", Samples: samples})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range r.Cases {
		if c.Operation == "getUserToken" {
			found = true
			if c.Verdict != NeedsChange || c.New.Sent || !hasRule(c.Changes, versiondiff.RuleOperationRemoved) {
				t.Errorf("getUserToken: %+v", c)
			}
		}
	}
	if !found {
		t.Fatal("no getUserToken case")
	}
}

// goldenCase writes one SOAP golden request into a golden root.
func goldenCase(t *testing.T, root, service, version, op, name, payload string) {
	t.Helper()
	p := filepath.Join(root, "soap", service, version, op, name+".request.xml")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	env := `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header/><soapenv:Body>` + payload + `</soapenv:Body></soapenv:Envelope>`
	if err := os.WriteFile(p, []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestGoldenRequestsNeedingChanges replays golden requests that use what
// the next version removes (contract.yaml: deviceIdTypeType CONTAINER_ID
// until base; getDevicesParametersType.currentOwnerName until v1) beside
// ones that do not: only the former need a change, and the rule that
// explains it is listed for them alone.
func TestGoldenRequestsNeedingChanges(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	query := func(ns, params string) string {
		return `<getDevicesRequest xmlns="` + ns + `"><queryParams>` + params + `</queryParams><pageNumber>1</pageNumber><batchSize>10</batchSize></getDevicesRequest>`
	}
	const base, v1 = "urn:com.macrovision:flexnet/opsembedded", "urn:v1.fne.webservices.operations.flexnet.com"
	idType := func(v string) string {
		return `<deviceIdType><value>` + v + `</value><searchType>EQUALS</searchType></deviceIdType>`
	}
	goldenCase(t, root, "ManageDeviceService", "base", "getDevicesQuery", "container", query(base, idType("CONTAINER_ID")))
	goldenCase(t, root, "ManageDeviceService", "base", "getDevicesQuery", "string", query(base, idType("STRING")))
	owner := `<currentOwnerName><value>x</value><searchType>EQUALS</searchType></currentOwnerName>`
	goldenCase(t, root, "ManageDeviceService", "v1", "getDevicesQuery", "owner", query(v1, owner))
	goldenCase(t, root, "ManageDeviceService", "v1", "getDevicesQuery", "plain", query(v1, ""))

	cases := []struct {
		from, to    string
		bad, good   string
		rule, where string
	}{
		{"base", "v1", "container", "string", "SD-REQ-ENUM-VALUE-REMOVED", "/getDevicesRequest/queryParams/deviceIdType/value"},
		{"v1", "v2", "owner", "plain", "SD-REQ-ELEMENT-REMOVED", "/getDevicesRequest/queryParams/currentOwnerName"},
	}
	for _, tc := range cases {
		r, err := Run(context.Background(), emulators(), Options{Service: "ManageDeviceService", From: tc.from, To: tc.to, Golden: root, Samples: samples})
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, c := range r.Cases {
			if c.Operation != "getDevicesQuery" {
				continue
			}
			seen++
			if !c.Golden || c.Source != "golden/soap/ManageDeviceService/"+tc.from+"/getDevicesQuery/"+c.Name+".request.xml" {
				t.Errorf("%s: not replayed from its golden file: %s", c.Name, c.Source)
			}
			touched := false
			for _, f := range c.Changes {
				if f.Rule == tc.rule && f.Path == tc.where {
					touched = true
				}
			}
			switch c.Name {
			case tc.bad:
				if c.Verdict != NeedsChange || c.Valid || !c.OldValid || !touched || len(c.Validation) == 0 {
					t.Errorf("%s→%s %s: verdict %s valid %v oldValid %v touched %v: %s", tc.from, tc.to, c.Name, c.Verdict, c.Valid, c.OldValid, touched, c.Message)
				}
			case tc.good:
				if c.Verdict != OK || !c.Valid || touched {
					t.Errorf("%s→%s %s: verdict %s valid %v touched %v: %s", tc.from, tc.to, c.Name, c.Verdict, c.Valid, touched, c.Message)
				}
			}
			for _, f := range c.Validation {
				if strings.Contains(f.Message, "CONTAINER_ID") {
					t.Errorf("a validation message echoes the request's value: %s", f)
				}
			}
		}
		if seen != 2 {
			t.Errorf("%s: %d getDevicesQuery cases, want the 2 golden ones (not the sample)", tc.from, seen)
		}
	}
}

// TestLiveTargetReadOnly runs against an emulator started here as if it
// were a tenant: write operations are only validated unless writes are
// allowed, and the credentials appear in no output.
func TestLiveTargetReadOnly(t *testing.T) {
	t.Parallel()
	const password = "s3cret-Migrate-pw"
	cfg := conformance.EmulatorConfig()
	cfg.User, cfg.Password = "migrator", server.Secret(password)
	emu, err := emulator.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close(context.Background())
	target, err := LiveTarget(emu.URL(), soap.Basic("migrator", password))
	if err != nil {
		t.Fatal(err)
	}
	vA, _ := schemas.Find("ManageDeviceService", "v6")
	writes := 0
	for _, o := range vA.Operations {
		if !ReadOnly(o.Name) {
			writes++
		}
	}
	for _, allow := range []bool{false, true} {
		r, err := Run(context.Background(), target, Options{Service: "ManageDeviceService", From: "v6", To: "v7", Samples: samples, Live: true, AllowWrites: allow})
		if err != nil {
			t.Fatal(err)
		}
		want := writes
		if allow {
			want = 0
		}
		if got := r.Count(NotSent); got != want || r.Count(Error) > 0 {
			t.Errorf("allow writes %v: %d not sent (want %d), %d errors", allow, got, want, r.Count(Error))
		}
		for _, c := range r.Cases {
			if c.New.Succeeded() && c.Old != nil {
				t.Errorf("%s: a live target's old version is asked only when the new one fails", c.Operation)
			}
		}
		var out bytes.Buffer
		if err := WriteText(&out, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteJSON(&out, r); err != nil {
			t.Fatal(err)
		}
		if err := report.WriteHTML(&out, Report(r, versiondiff.Breaking, "fnokit migrate", "test", time.Now())); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out.String(), password) {
			t.Error("an output carries the password")
		}
	}
	for _, bad := range []string{"ftp://host", "http://user:pw@127.0.0.1:1", "http://127.0.0.1:1/?x=1", "not a url"} {
		if _, err := LiveTarget(bad, soap.Basic("u", "p")); err == nil {
			t.Errorf("LiveTarget(%q) must fail", bad)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("LiveTarget's error echoes the credentials: %v", err)
		}
	}
}

// TestUnreachableTarget: a target that does not answer gives error cases,
// not a hang and not a failed migration.
func TestUnreachableTarget(t *testing.T) {
	t.Parallel()
	target, err := LiveTarget("http://127.0.0.1:1", soap.Basic("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), target, Options{Service: "LicenseService", From: "v1", To: "v2", Samples: samples, Live: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Count(Error) == 0 || r.Count(OK) > 0 || r.Count(NeedsChange) > 0 {
		t.Errorf("unreachable: %s", r.summary())
	}
}

func TestRunRefuses(t *testing.T) {
	t.Parallel()
	for _, o := range []Options{
		{Service: "NoSuchService", From: "v1", To: "v2", Samples: samples},
		{Service: "ManageDeviceService", From: "v6", To: "v99", Samples: samples},
		{Service: "ManageDeviceService", From: "v6", To: "6", Samples: samples},
	} {
		if _, err := Run(context.Background(), emulators(), o); err == nil {
			t.Errorf("%+v: want an error", o)
		}
	}
	// No samples: every case is an error that says where to look.
	r, err := Run(context.Background(), emulators(), Options{Service: "LicenseService", From: "v1", To: "v2", Samples: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if r.Count(Error) != len(r.Cases) || !strings.Contains(r.Cases[0].Message, "--samples") {
		t.Errorf("no samples: %s; %s", r.summary(), r.Cases[0].Message)
	}
}

func TestOutputs(t *testing.T) {
	t.Parallel()
	r, err := Run(context.Background(), emulators(), Options{Service: "FlexnetAuthentication", From: "base", To: "v1", Samples: samples})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, r); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Schema string
		Totals map[string]int
		Diff   struct {
			Pairs []struct{ Findings []struct{ Rule string } }
		}
		Cases []struct {
			Operation, Verdict string
			New                struct{ Sent bool }
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Schema != JSONSchemaID || len(back.Cases) != len(r.Cases) || back.Totals["needs-change"] != r.Count(NeedsChange) ||
		len(back.Diff.Pairs) != 1 || len(back.Diff.Pairs[0].Findings) == 0 {
		t.Errorf("JSON: %s", buf.String())
	}
	rep := Report(r, versiondiff.Breaking, "fnokit migrate", "test", time.Now())
	replays := 0
	for _, c := range rep.Cases {
		if strings.HasPrefix(c.Suite, "migrate ") {
			replays++
			if c.Name == "getUserToken/sample" && c.Status != report.Failed {
				t.Errorf("getUserToken: %s", c.Status)
			}
		}
	}
	if replays != len(r.Cases) {
		t.Errorf("%d replay cases in the report, want %d", replays, len(r.Cases))
	}
	buf.Reset()
	if err := WriteText(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "needs-change  getUserToken/sample") {
		t.Errorf("text:\n%s", buf.String())
	}
}

func TestReadOnly(t *testing.T) {
	t.Parallel()
	for op, want := range map[string]bool{
		"getDevicesQuery": true, "searchDevices": true, "countDevices": true, "validateToken": true,
		"authenticateUser": true, "ping": true, "createDevice": false, "deleteDevice": false,
		"emailLicense": false, "verifyCreateLicense": false, "generateCapabilityResponse": false,
	} {
		if ReadOnly(op) != want {
			t.Errorf("ReadOnly(%s) = %v", op, !want)
		}
	}
}
