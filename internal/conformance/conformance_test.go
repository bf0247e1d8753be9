package conformance

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/schemas"
)

// samples is the repository's schemas/testdata.
var samples = filepath.Join("..", "..", "schemas", "testdata")

func TestSelection(t *testing.T) {
	t.Parallel()
	md, err := schemas.Find("ManageDeviceService", "v7")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		opts     Options
		versions []string // "Service/version" selected, in order
		ops      int      // operations selected in all; -1 to skip
		err      string
	}{
		{name: "one version", opts: Options{Services: []string{"ManageDeviceService"}, Versions: []string{"v7"}},
			versions: []string{"ManageDeviceService/v7"}, ops: len(md.Operations)},
		{name: "versions across services, spaces and case", opts: Options{Services: []string{" LicenseService", "ManageDeviceService "}, Versions: []string{"V2", "base"}},
			versions: []string{"LicenseService/base", "LicenseService/v2", "ManageDeviceService/base", "ManageDeviceService/v2"}, ops: -1},
		{name: "one operation, where it exists", opts: Options{Operations: []string{"searchDevices"}},
			versions: withOperation(t, "searchDevices"), ops: len(withOperation(t, "searchDevices"))},
		{name: "unknown service", opts: Options{Services: []string{"ManageDevices"}}, err: `unknown service "ManageDevices"`},
		{name: "external service", opts: Options{Services: []string{"RenewalService"}}, err: "FNO calls"},
		{name: "bad version", opts: Options{Versions: []string{"seven"}}, err: `version "seven"`},
		{name: "version the service lacks", opts: Options{Services: []string{"LicenseService"}, Versions: []string{"v7"}}, err: "version v7: no selected service"},
		{name: "operation the version lacks", opts: Options{Services: []string{"LicenseService"}, Operations: []string{"searchDevices"}}, err: "operation searchDevices"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := Selection(c.opts)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one containing %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			ops := 0
			for _, v := range got {
				names = append(names, v.Service+"/"+v.Version.String())
				ops += len(v.Operations)
				if External[v.Service] {
					t.Errorf("external service %s selected", v.Service)
				}
			}
			if strings.Join(names, " ") != strings.Join(c.versions, " ") {
				t.Errorf("selected %v, want %v", names, c.versions)
			}
			if c.ops >= 0 && ops != c.ops {
				t.Errorf("%d operations selected, want %d", ops, c.ops)
			}
		})
	}
}

// withOperation lists the "Service/version" that have op, from the index.
func withOperation(t *testing.T, op string) []string {
	t.Helper()
	all, err := schemas.Services()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range all {
		for _, v := range s.Versions {
			if _, ok := v.Operation(op); ok {
				out = append(out, s.Name+"/"+v.Version.String())
			}
		}
	}
	if len(out) < 2 {
		t.Fatalf("only %v have %s: pick an operation of several versions", out, op)
	}
	return out
}

func TestSelectionLeavesOutExternalServices(t *testing.T) {
	t.Parallel()
	all, err := Selection(Options{})
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	for _, v := range all {
		served[v.Service] = true
	}
	for s := range External {
		if served[s] {
			t.Errorf("%s is swept", s)
		}
	}
	if !served["ManageDeviceService"] || !served["FlexnetAuthentication"] {
		t.Errorf("served services %v lack ManageDeviceService or FlexnetAuthentication", served)
	}
}

// A filtered sweep of the emulator answers only the selected combinations,
// in WSDL order, each valid; drift injected into one of them shows as a
// finding on that response only.
func TestRunEmulator(t *testing.T) {
	t.Parallel()
	ops := []string{"getDeviceCount", "searchDevices", "deleteDevice"}
	opts := Options{Samples: samples, Services: []string{"ManageDeviceService"}, Versions: []string{"v6", "v7"}, Operations: ops}

	cases := []struct {
		name   string
		faults server.Faults
		failed string // the one combination that must fail; "" for none
	}{
		{name: "clean"},
		{name: "drift", faults: server.Faults{Rules: []server.FaultRule{{Service: "ManageDeviceService", Version: "v7", Operation: "searchDevices", Drift: server.DriftDropRequired}}},
			failed: "ManageDeviceService/v7/searchDevices"},
		{name: "injected fault", faults: server.Faults{Rules: []server.FaultRule{{Service: "ManageDeviceService", Version: "v6", Operation: "getDeviceCount", ErrorRate: 1}}},
			failed: "ManageDeviceService/v6/getDeviceCount"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := EmulatorConfig()
			cfg.Faults = c.faults
			rs, err := Run(t.Context(), Emulators(cfg), opts)
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, r := range rs {
				keys = append(keys, r.Key())
				if r.Key() == c.failed {
					if r.Passed() || r.Err != nil || len(r.Findings) == 0 {
						t.Errorf("%s: passed %v, err %v, findings %v; want a finding", r.Key(), r.Passed(), r.Err, r.Findings)
					}
					for _, f := range r.Findings {
						if f.Target != r.Key()+" response" {
							t.Errorf("%s: finding target %q", r.Key(), f.Target)
						}
					}
					continue
				}
				if !r.Passed() {
					t.Errorf("%s: %s", r.Key(), r.Problem())
				}
				if r.HTTPStatus != 200 || r.Status != "SUCCESS" || r.Duration <= 0 {
					t.Errorf("%s: HTTP %d, status %q, duration %v", r.Key(), r.HTTPStatus, r.Status, r.Duration)
				}
			}
			// Versions in order, each version's operations in WSDL order
			// (whatever order they were called in).
			var want []string
			for _, version := range opts.Versions {
				v, err := schemas.Find("ManageDeviceService", version)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range v.Operations {
					if slices.Contains(ops, o.Name) {
						want = append(want, "ManageDeviceService/"+version+"/"+o.Name)
					}
				}
			}
			if len(want) != 6 || strings.Join(keys, " ") != strings.Join(want, " ") {
				t.Errorf("results\n%v\nwant\n%v", keys, want)
			}
		})
	}
}

func TestRunCannotStart(t *testing.T) {
	t.Parallel()
	target := Emulators(EmulatorConfig())
	if _, err := Run(t.Context(), target, Options{Samples: filepath.Join(t.TempDir(), "none")}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing samples folder: %v", err)
	}
	if _, err := Run(t.Context(), target, Options{Services: []string{"nope"}, Samples: samples}); err == nil {
		t.Error("a bad filter ran")
	}
	// A samples folder without the operation's sample: the combination
	// could not be checked, which is not a pass.
	rs, err := Run(t.Context(), target, Options{Samples: t.TempDir(), Services: []string{"LicenseService"}, Versions: []string{"v2"}, Operations: []string{"getHostCount"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Passed() || !errors.Is(rs[0].Err, os.ErrNotExist) {
		t.Errorf("missing sample: %+v", rs)
	}
}

func TestResultWords(t *testing.T) {
	t.Parallel()
	const secret = "Device D-42 of ACME not found"
	f := contract.New(contract.RuleXSDInvalid, "S/v1/op response", "/opResponse/count", "not an integer")
	cases := []struct {
		name             string
		r                Result
		passed           bool
		problem, summary string
	}{
		{name: "success", r: Result{HTTPStatus: 200, Status: "SUCCESS"}, passed: true, summary: "HTTP 200, status SUCCESS"},
		{name: "failure status is an answer", r: Result{HTTPStatus: 200, Status: "FAILURE", Reason: secret, FailedRecords: 1}, passed: true,
			summary: "HTTP 200, status FAILURE with 1 failed record(s)"},
		{name: "warning only", r: Result{HTTPStatus: 200, Findings: contract.Findings{contract.New(contract.RuleSOAPStatus, "t", "", "w")}}, passed: true, summary: "HTTP 200"},
		{name: "invalid", r: Result{HTTPStatus: 200, Status: "SUCCESS", Findings: contract.Findings{f}},
			problem: "xsd-invalid at /opResponse/count: not an integer", summary: "HTTP 200, status SUCCESS"},
		{name: "fault", r: Result{HTTPStatus: 500, Fault: &Fault{Code: "soapenv:Server", String: "down", Problem: "injected"},
			Findings: contract.Findings{contract.New(contract.RuleSOAPFault, "t", "/Envelope/Body/Fault", "SOAP fault soapenv:Server (injected): down")}},
			problem: "soap-fault at /Envelope/Body/Fault: SOAP fault soapenv:Server (injected): down",
			summary: "HTTP 500, SOAP fault soapenv:Server (injected)"},
		{name: "not checked", r: Result{Err: errors.New("no valid request sample")}, problem: "no valid request sample",
			summary: "not checked: no valid request sample"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := c.r.Passed(); got != c.passed {
				t.Errorf("Passed %v, want %v", got, c.passed)
			}
			if got := c.r.Problem(); got != c.problem {
				t.Errorf("Problem %q, want %q", got, c.problem)
			}
			if got := c.r.Summary(); got != c.summary {
				t.Errorf("Summary %q, want %q", got, c.summary)
			}
			if strings.Contains(c.r.Summary(), secret) {
				t.Error("Summary quotes the target's text")
			}
		})
	}
}

// The fixtures put the target's records where the samples have
// placeholders, and give each retiring operation its own record.
func TestFixturesFill(t *testing.T) {
	t.Parallel()
	rec := Records{
		Clients:        []Device{{ID: "C0", IDType: "STRING", Publisher: "p", Class: "CLIENT"}, {ID: "C1", Class: "CLIENT"}, {ID: "C2", Class: "CLIENT"}},
		Server:         &Device{ID: "S0", Class: "SERVER"},
		ActivationID:   "A-1",
		EntitlementID:  "E-1",
		FulfillmentIDs: []string{"F0", "F1"},
		Account:        &Account{ID: "ACC", Name: "Acme"},
		Login:          &Login{User: "u", Password: "pw"},
	}
	cases := []struct {
		op   string
		in   map[string]any
		path []string // keys to the value checked
		want string
	}{
		{"getDevice", map[string]any{"deviceId": ""}, []string{"deviceId"}, "C0"},
		{"deleteDevice", map[string]any{"deviceId": ""}, []string{"deviceId"}, "C1"},
		{"returnHost", map[string]any{"deviceIdentifier": ""}, []string{"deviceIdentifier", "deviceId"}, "C2"},
		{"obsoleteHost", map[string]any{"deviceId": "sample"}, []string{"deviceId"}, "sample"}, // no fourth client: the sample stays
		{"zeroCountAddonLineItems", map[string]any{"deviceIdentifier": ""}, []string{"deviceIdentifier", "deviceId"}, "S0"},
		{"returnLicense", map[string]any{"fulfillmentIdentifier": ""}, []string{"fulfillmentIdentifier", "primaryKeys", "fulfillmentId"}, "F1"},
		{"getEntitlement", map[string]any{"x": []any{map[string]any{"entitlementIdentifier": ""}}}, []string{"x", "0", "entitlementIdentifier", "primaryKeys", "entitlementId"}, "E-1"},
		{"deleteEntitlement", map[string]any{"entitlementIdentifier": "keep"}, []string{"entitlementIdentifier"}, "keep"}, // no spare
		{"createDevice", map[string]any{"deviceIdentifier": ""}, []string{"deviceIdentifier", "deviceId"}, "FNOKIT-HARNESS-NEW-DEVICE"},
		{"createEntitlement", map[string]any{"entitlementId": ""}, []string{"entitlementId", "autoGenerate"}, "true"},
		{"moveDevice", map[string]any{}, []string{"soldToUniqueId"}, "ACC"},
		{"authenticateUser", map[string]any{"userName": "sample"}, []string{"password"}, "pw"},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			t.Parallel()
			newFixtures(rec).fill(c.op, c.in)
			var v any = c.in
			for _, k := range c.path {
				switch x := v.(type) {
				case map[string]any:
					v = x[k]
				case []any:
					v = x[0]
				}
			}
			if v != c.want {
				t.Errorf("%v = %v, want %q (request %v)", c.path, v, c.want, c.in)
			}
		})
	}
}

func TestPhaseOrdersRetiringLast(t *testing.T) {
	t.Parallel()
	order := []string{"searchDevices", "updateDevice", "decrementAddOn", "deleteDevice"}
	for i := 1; i < len(order); i++ {
		if phase(order[i-1]) >= phase(order[i]) {
			t.Errorf("%s does not run before %s", order[i-1], order[i])
		}
	}
}

// BenchmarkRun times a whole sweep of the emulator (every served operation
// × version, an emulator per version), as `fnokit check` runs it.
func BenchmarkRun(b *testing.B) {
	target := Emulators(EmulatorConfig())
	for b.Loop() {
		rs, err := Run(b.Context(), target, Options{Samples: samples})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(rs)), "calls/op")
	}
}
