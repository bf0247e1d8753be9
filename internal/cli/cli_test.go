package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/contract"
)

// run calls the command line as a user would and returns exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// repo is the repository root, where the bundled schemas and golden live.
func repo(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsageAndExitCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, ExitUsage, "Usage: fnokit"},
		{[]string{"help"}, ExitOK, "Commands:"},
		{[]string{"no-such"}, ExitUsage, `unknown command "no-such"`},
		{[]string{"validate"}, ExitUsage, "--schema is required"},
		{[]string{"validate", "--schema", "x.wsdl"}, ExitUsage, "at least one message"},
		{[]string{"validate", "--help"}, ExitOK, "Usage: fnokit validate"},
		{[]string{"schemas"}, ExitUsage, "needs a subcommand"},
		{[]string{"schemas", "lint"}, ExitUsage, "at least one schema"},
		{[]string{"schemas", "lint", "/no/such/dir"}, ExitCannotRun, "no such file"},
		{[]string{"version"}, ExitOK, "fnokit dev"},
		{[]string{"check", "--schemas", "/no/such"}, ExitCannotRun, "not found"},
		{[]string{"check", "--versions", "v99"}, ExitUsage, "version v99"},
		{[]string{"check", "--services", "RenewalService"}, ExitUsage, "FNO calls"},
		{[]string{"check", "--drift", "ManageDeviceService/v7/searchDevices"}, ExitUsage, "scope=mode"},
		{[]string{"check", "--drift", "ManageDeviceService/v7/searchDevices=melt"}, ExitUsage, "drop-required"},
		{[]string{"check", "--no-emulator", "--services", "LicenseService"}, ExitUsage, "--no-emulator skips"},
		{[]string{"check", "--versions", "v7", "--drift", "LicenseService/v1=rename"}, ExitUsage, "the sweep does not call it"},
		{[]string{"check", "--schemas", "../../schemas", "--golden", "../../golden", "--samples", "/no/such"}, ExitCannotRun, "samples folder"},
	}
	for _, c := range cases {
		code, out, errOut := run(t, c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", c.args, code, c.code, out, errOut)
		}
		if !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: output lacks %q:\n%s%s", c.args, c.want, out, errOut)
		}
	}
}

func TestValidateSOAP(t *testing.T) {
	t.Parallel()
	root := repo(t)
	wsdlPath := filepath.Join(root, "schemas/soap/ManageDeviceService/v7/ManageDeviceService.wsdl")
	good := filepath.Join(root, "golden/soap/ManageDeviceService/v7/getDeviceCount/active-servers.response.xml")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	secret := "hunter2-" + "not-a-number"
	bad := write(t, dir, "bad.xml", strings.Replace(string(data), "1869", secret, 1))

	code, out, _ := run(t, "validate", "--schema", wsdlPath, good)
	if code != ExitOK || !strings.Contains(out, "valid") {
		t.Fatalf("good message: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "validate", "--json", "--schema", wsdlPath, good, bad)
	if code != ExitViolations {
		t.Fatalf("bad message: exit %d, want %d\n%s", code, ExitViolations, out)
	}
	var found []contract.Finding
	if err := json.Unmarshal([]byte(out), &found); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if len(found) != 1 || found[0].Rule != contract.RuleXSDInvalid || found[0].Location != "/getDeviceCountResponse/responseData/count" || found[0].Target != bad {
		t.Errorf("findings %+v", found)
	}
	if strings.Contains(out, secret) {
		t.Error("the finding echoes the offending value")
	}
}

func TestValidateOpenAPI(t *testing.T) {
	t.Parallel()
	root := repo(t)
	doc := filepath.Join(root, "schemas/rest/application.yaml")
	dir := t.TempDir()
	okBody := write(t, dir, "ok.json", `{"statusInfo":{"status":"SUCCESS","reason":null},"responseData":{"count":3}}`)
	badBody := write(t, dir, "bad.json", `{"statusInfo":{"status":"MAYBE"},"responseData":{"count":-1}}`)
	rawResp := write(t, dir, "resp.http", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"statusInfo\":{\"status\":\"SUCCESS\"},\"responseData\":{\"count\":\"x\"}}")
	rawReq := write(t, dir, "req.http", "POST /flexnet/operations/manageDevice/devicesCount HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\r\n{\"queryParams\":{\"status\":\"LOST\"}}")
	path := []string{"--method", "POST", "--path", "/flexnet/operations/manageDevice/devicesCount"}

	code, out, errOut := run(t, append(append([]string{"validate", "--schema", doc}, path...), okBody)...)
	if code != ExitOK {
		t.Fatalf("valid body: exit %d\n%s%s", code, out, errOut)
	}
	for _, f := range []string{badBody, rawResp, rawReq} {
		code, out, errOut = run(t, append(append([]string{"validate", "--schema", doc}, path...), f)...)
		if code != ExitViolations {
			t.Errorf("%s: exit %d, want %d\n%s%s", filepath.Base(f), code, ExitViolations, out, errOut)
		}
	}
	code, _, errOut = run(t, "validate", "--schema", doc, okBody)
	if code != ExitCannotRun || !strings.Contains(errOut, "--path") {
		t.Errorf("a body without --path: exit %d, %s", code, errOut)
	}
}

func TestSchemasLintNamesBrokenFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "good.xsd", `<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"><xsd:element name="a" type="xsd:string"/></xsd:schema>`)
	brokenXSD := write(t, dir, "sub/broken.xsd", `<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"><xsd:element name="a" type="nope:x"/></xsd:schema>`)
	brokenAPI := write(t, dir, "api.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses: {}\n")
	write(t, dir, "notes.json", `{"not": "an openapi document"}`)
	code, out, _ := run(t, "schemas", "lint", dir)
	if code != ExitViolations {
		t.Fatalf("exit %d, want %d\n%s", code, ExitViolations, out)
	}
	for _, want := range []string{"BROKEN " + brokenXSD, "BROKEN " + brokenAPI, "ok     " + filepath.Join(dir, "good.xsd"), "3 schema files, 2 broken"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// The main job over the bundled contracts passes and writes all three
// reports; a broken sample makes it exit 2 and shows in the reports.
func TestCheckWritesReports(t *testing.T) {
	t.Parallel()
	root := repo(t)
	reports := t.TempDir()
	code, out, errOut := run(t, "check", "--schemas", filepath.Join(root, "schemas"), "--golden", filepath.Join(root, "golden"), "--reports", reports)
	if code != ExitOK {
		t.Fatalf("bundled check: exit %d\n%s%s", code, out, errOut)
	}
	for _, f := range []string{"junit.xml", "report.json", "report.html"} {
		if st, err := os.Stat(filepath.Join(reports, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	// The emulator sweep ran over every served operation × version, next
	// to the lint and the golden samples, each area with its summary line.
	cases := readCases(t, reports)
	all, err := conformance.Selection(conformance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, v := range all {
		for _, o := range v.Operations {
			want[v.Service+"/"+v.Version.String()+"/"+o.Name] = true
		}
	}
	got := emulatorCases(cases)
	if len(got) != len(want) {
		t.Errorf("%d emulator cases, want one per served operation × version (%d)", len(got), len(want))
	}
	for k := range want {
		if c, ok := got[k]; !ok || c.Status != "passed" {
			t.Errorf("emulator case %s: %+v", k, c)
		}
	}
	c := got["ManageDeviceService/v7/searchDevices"]
	if c.Service != "ManageDeviceService" || c.Version != "v7" || c.Operation != "searchDevices" || !strings.Contains(c.Message, "HTTP 200") {
		t.Errorf("searchDevices v7 case %+v", c)
	}
	areas := map[string]bool{}
	for _, c := range cases {
		areas[c.Suite] = true
	}
	if !areas["schemas"] || !areas["ManageDeviceService/v7"] {
		t.Errorf("the lint or golden cases are missing: suites %v", areas)
	}
	for _, area := range []string{"\nschemas ", "\ngolden ", "\nemulator "} {
		if !strings.Contains("\n"+out, area) {
			t.Errorf("no summary line for%s:\n%s", area, out)
		}
	}

	// A copy of the golden tree with one response broken.
	golden := t.TempDir()
	src := filepath.Join(root, "golden/soap/ManageDeviceService/v7/getDeviceCount/active-servers.response.xml")
	data, _ := os.ReadFile(src)
	write(t, golden, "soap/ManageDeviceService/v7/getDeviceCount/active-servers.response.xml", strings.Replace(string(data), "SUCCESS", "DONE", 1))
	write(t, golden, "soap/ManageDeviceService/v7/noSuchOperation/none.response.xml", string(data))
	code, out, _ = run(t, "check", "--no-emulator", "--schemas", filepath.Join(root, "schemas"), "--golden", golden, "--reports", reports)
	if code != ExitViolations {
		t.Fatalf("broken sample: exit %d\n%s", code, out)
	}
	raw, _ := os.ReadFile(filepath.Join(reports, "junit.xml"))
	var suites struct {
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(raw, &suites); err != nil {
		t.Fatalf("junit.xml: %v", err)
	}
	if suites.Failures != 2 {
		t.Errorf("junit counts %d failures, want 2 (bad status, unknown operation)\n%s", suites.Failures, out)
	}
	for _, want := range []string{contract.RuleXSDInvalid, contract.RuleUnknownOperation} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}

// reportCase is a case of report.json, as a tool reads it.
type reportCase struct {
	Name      string             `json:"name"`
	Suite     string             `json:"suite"`
	Service   string             `json:"service"`
	Version   string             `json:"version"`
	Operation string             `json:"operation"`
	Status    string             `json:"status"`
	Message   string             `json:"message"`
	Findings  []contract.Finding `json:"findings"`
}

func readCases(t *testing.T, reports string) []reportCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(reports, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Cases []reportCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	return rep.Cases
}

// emulatorCases are the emulator sweep's cases by Service/version/operation.
func emulatorCases(cs []reportCase) map[string]reportCase {
	out := map[string]reportCase{}
	for _, c := range cs {
		if c.Suite == "emulator" {
			out[c.Service+"/"+c.Version+"/"+c.Operation] = c
		}
	}
	return out
}

// --services and --versions narrow the sweep to their combinations;
// --drift breaks one operation's answer, and check says so with exit 2 and
// a finding on that response only; --no-emulator leaves the sweep out.
func TestCheckEmulatorSweep(t *testing.T) {
	t.Parallel()
	root := repo(t)
	base := []string{"check", "--schemas", filepath.Join(root, "schemas"), "--golden", filepath.Join(root, "golden")}
	filter := []string{"--services", "ManageDeviceService,LicenseService", "--versions", "v2,v7"}
	const drifted = "ManageDeviceService/v7/searchDevices"
	cases := []struct {
		name     string
		args     []string
		code     int
		versions []string // Service/version the emulator cases must cover, exactly
		failed   string   // the one failing case
	}{
		{name: "filtered", args: filter, code: ExitOK,
			versions: []string{"LicenseService/v2", "ManageDeviceService/v2", "ManageDeviceService/v7"}},
		{name: "drift", args: append([]string{"--drift", drifted + "=drop-required"}, filter...), code: ExitViolations,
			versions: []string{"LicenseService/v2", "ManageDeviceService/v2", "ManageDeviceService/v7"}, failed: drifted},
		{name: "no emulator", args: []string{"--no-emulator"}, code: ExitOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			reports := t.TempDir()
			code, out, errOut := run(t, append(append(base, "--reports", reports), c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, c.code, out, errOut)
			}
			got := emulatorCases(readCases(t, reports))
			wantOps := 0
			for _, sv := range c.versions {
				service, version, _ := strings.Cut(sv, "/")
				v, err := conformance.Selection(conformance.Options{Services: []string{service}, Versions: []string{version}})
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range v[0].Operations {
					wantOps++
					if _, ok := got[sv+"/"+o.Name]; !ok {
						t.Errorf("no emulator case for %s/%s", sv, o.Name)
					}
				}
			}
			if len(got) != wantOps {
				t.Errorf("%d emulator cases, want %d (only %v)", len(got), wantOps, c.versions)
			}
			for k, rc := range got {
				if k != c.failed {
					if rc.Status != "passed" {
						t.Errorf("%s: %s %s", k, rc.Status, rc.Message)
					}
					continue
				}
				if rc.Status != "failed" || len(rc.Findings) == 0 {
					t.Errorf("drifted %s: status %s, findings %v", k, rc.Status, rc.Findings)
				}
				for _, f := range rc.Findings {
					if f.Target != drifted+" response" {
						t.Errorf("drifted %s: finding on %q", k, f.Target)
					}
				}
				if !strings.Contains(out, "failed  emulator "+drifted) {
					t.Errorf("the output does not name the drifted operation:\n%s", out)
				}
			}
		})
	}
}
