package suite_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/suite"
)

// The harness is tested through real runs: each parent test below starts
// this test binary again (Ginkgo runs a spec tree once per process) with
// envChild set and a label filter picking one group of the specs in this
// file, against the in-process emulator or a second emulator standing in
// for a live tenant.
const (
	envChild  = "FNOKIT_TEST_SUITE_CHILD"
	envMarker = "FNOKIT_TEST_SUITE_MARKER" // file the interrupt spec writes once its record exists
	envLeak   = "FNOKIT_TEST_SUITE_LEAK"   // text the redaction spec puts into a failure
)

func TestHarnessChild(t *testing.T) {
	if os.Getenv(envChild) == "" {
		t.Skip("the child process of the harness tests")
	}
	suite.RunForTest(t)
}

// device is a createDevice/deleteDevice identifier of ManageDevice v7.
func device(id string) map[string]any {
	return map[string]any{"deviceType": "CLIENT", "deviceId": id, "deviceIdType": "STRING", "publisherName": "demo"}
}

var _ = Describe("harness", func() {
	Describe("on the emulator", Label("harness:emulator"), func() {
		It("validates a SOAP answer and compares it with its golden file", suite.Labels("ManageDeviceService", "v7", "getDeviceCount", suite.Read, suite.Smoke), func() {
			r := suite.E().SOAP("ManageDeviceService", "v7", "getDeviceCount", map[string]any{})
			r.ExpectValid()
			r.ExpectStatus("SUCCESS")
			Expect(r.Payload).To(HaveKey("responseData"))
			r.ExpectGolden("harness-count")
		})
		It("names records after the run and reads the emulator's records", suite.Labels("ManageDeviceService", "v7", "getDevice", suite.Read, suite.Full), func() {
			e := suite.E()
			Expect(e.Live()).To(BeFalse())
			Expect(e.Name("d1")).To(Equal("fnokit-" + e.RunID() + "-d1"))
			rec := e.Records()
			Expect(rec.Clients).NotTo(BeEmpty())
			c := rec.Clients[0]
			r := e.SOAP("ManageDeviceService", "v7", "getDevice", map[string]any{
				"deviceId": map[string]any{"id": c.ID, "idType": c.IDType, "publisherName": c.Publisher, "deviceClass": c.Class}})
			r.ExpectValid()
			r.ExpectStatus("SUCCESS")
		})
		It("calls REST with Basic and with a Bearer token", suite.Labels("data-access", "", "getReportNames", suite.Read, suite.Smoke), func() {
			e := suite.E()
			r := e.REST("application", suite.RESTRequest{Method: http.MethodPost, Path: "/flexnet/operations/manageDevice/devicesCount", Body: map[string]any{}})
			r.ExpectStatus(http.StatusOK)
			r.ExpectValid()
			Expect(r.OperationID()).To(Equal("devicesCount"))
			r.ExpectGolden("harness-all")
			Expect(e.BearerToken("data-access")).NotTo(BeEmpty())
			n := e.REST("data-access", suite.RESTRequest{Path: "/data/api/v1/report/report-names"})
			n.ExpectStatus(http.StatusOK)
			n.ExpectValid()
			a := e.REST("data-access", suite.RESTRequest{Path: "/data/api/v1/report/report-names", Anonymous: true})
			a.ExpectStatus(http.StatusUnauthorized)
		})
		It("posts raw bodies with the run's credentials and calls the emulator's admin routes", suite.Labels("pubservices", "", "lineitemdetails", suite.Read, suite.Full), func() {
			e := suite.E()
			Expect(e.Admin(http.MethodGet, "faults", nil).HTTPStatus).To(Equal(http.StatusOK))
			Expect(e.Admin(http.MethodGet, "/fnokit/admin/faults", nil).HTTPStatus).To(Equal(http.StatusOK))
			doc := lineItemDoc(e.Records().ActivationID)
			ok := e.Post("/flexnet/pubservices/lineitemdetails", "application/xml", doc, suite.AuthDefault)
			Expect(ok.HTTPStatus).To(Equal(http.StatusOK))
			Expect(string(ok.Body)).To(ContainSubstring("SUCCESS"))
			Expect(e.Post("/flexnet/pubservices/lineitemdetails", "application/xml", doc, suite.AuthNone).HTTPStatus).To(Equal(http.StatusUnauthorized))
		})
		It("fails a drifted answer naming the rule, operation and location", suite.Labels("ManageDeviceService", "v7", "searchDevices", suite.Read, suite.Smoke), func() {
			r := suite.E().SOAP("ManageDeviceService", "v7", "searchDevices", map[string]any{})
			r.ExpectValid()
		})
	})

	Describe("against a live target", Label("harness:live"), func() {
		It("skips writes without --allow-writes", suite.Labels("ManageDeviceService", "v7", "createDevice", suite.Write, suite.Full), func() {
			// No RequireWrites: the harness skips kind:write specs itself.
			Fail("a write ran on a live target without --allow-writes")
		})
		It("refuses a write from a spec labelled read", suite.Labels("ManageDeviceService", "v7", "deleteDevice", suite.Read, suite.Full), func() {
			suite.E().SOAP("ManageDeviceService", "v7", "deleteDevice", map[string]any{"deviceIdentifier": device("x")})
			Fail("the write was sent")
		})
		It("reads, and leaks nothing into the reports", suite.Labels("ManageDeviceService", "v7", "searchDevices", suite.Read, suite.Smoke), func() {
			e := suite.E()
			Expect(e.Live()).To(BeTrue())
			Expect(e.Records().Clients).NotTo(BeEmpty(), "live records found by searchDevices")
			e.SOAP("ManageDeviceService", "v7", "searchDevices", map[string]any{"batchSize": "5"}).ExpectValid()
			tok := e.BearerToken("data-access")
			e.REST("data-access", suite.RESTRequest{Path: "/data/api/v1/report/report-names"}).ExpectValid()
			// A careless spec asserts on secrets: neither the console nor
			// the reports may show them.
			Expect(fmt.Sprintf("careless failure with token %s and %s and %s", tok, os.Getenv(envLeak), os.Getenv(suite.EnvPassword))).To(BeEmpty())
		})
	})

	Describe("against a live target, with the run's credentials", Label("harness:live"), func() {
		It("posts raw bodies and authenticates under the Basic and Fno schemes", suite.Labels("registry", "", "registryAuthenticate", suite.Read, suite.Full), func() {
			e := suite.E()
			doc := lineItemDoc(e.Records().ActivationID)
			ok := e.Post("/flexnet/pubservices/lineitemdetails", "application/xml", doc, suite.AuthDefault)
			Expect(ok.HTTPStatus).To(Equal(http.StatusOK))
			Expect(string(ok.Body)).To(ContainSubstring("SUCCESS"))
			Expect(e.Post("/flexnet/pubservices/lineitemdetails", "application/xml", doc, suite.AuthNone).HTTPStatus).To(Equal(http.StatusUnauthorized))
			wrong := http.Header{"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte("nobody:wrong"))}}
			Expect(e.Raw(suite.RawRequest{Path: "/flexnet/pubservices/lineitemdetails", ContentType: "application/xml", Body: doc, Header: wrong}).HTTPStatus).To(Equal(http.StatusUnauthorized))
			for _, a := range []suite.Auth{suite.AuthFno, suite.AuthBasic} {
				r := e.REST("registry", suite.RESTRequest{Path: "/registry/api/v1/authenticate", Auth: a})
				r.ExpectStatus(http.StatusOK)
				r.ExpectValid()
			}
			r := e.REST("registry", suite.RESTRequest{Path: "/registry/api/v1/projects", Auth: suite.AuthBasic})
			r.ExpectStatus(http.StatusUnauthorized)
			r.ExpectValid()
		})
		It("skips a spec that calls an emulator admin route", suite.Labels("pubservices", "", "lineitemdetails", suite.Read, suite.Full), func() {
			suite.E().Admin(http.MethodGet, "faults", nil)
			Fail("an admin route was called on a live target")
		})
	})

	Describe("interrupted", Label("harness:interrupt"), func() {
		It("undoes its write when the run is interrupted", suite.Labels("ManageDeviceService", "v7", "createDevice", suite.Write, suite.Full), func() {
			e := suite.E()
			e.RequireWrites()
			name := e.Name("interrupted")
			r := e.SOAP("ManageDeviceService", "v7", "createDevice", map[string]any{"device": map[string]any{"deviceIdentifier": device(name), "name": name}})
			r.ExpectStatus("SUCCESS")
			e.Cleanup("device "+name, func(ctx context.Context) error {
				d := e.SOAP("ManageDeviceService", "v7", "deleteDevice", map[string]any{"deviceIdentifier": device(name)})
				if d.Status != "SUCCESS" {
					return errors.New("deleteDevice answered " + d.Status)
				}
				return nil
			})
			Expect(os.WriteFile(os.Getenv(envMarker), []byte(name), 0o644)).To(Succeed())
			select { // until the parent interrupts the run
			case <-e.Context().Done():
			case <-time.After(2 * time.Minute):
			}
		})
	})
})

// lineItemDoc is a lineitemdetails Request (seed 000).
func lineItemDoc(activationID string) []byte {
	return []byte(`<Request xmlns="urn:com.macrovision:flexnet/operations/publicservices"><ActivationId>` + activationID + `</ActivationId></Request>`)
}

// child runs this binary's specs of one label group and returns its exit
// code, output and report.json cases. start, when set, receives the
// running command (to signal it).
func child(t *testing.T, group string, env []string, args []string, start func(*exec.Cmd)) (int, string, string) {
	t.Helper()
	reports := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{"-test.run=^TestHarnessChild$", "-test.count=1",
		"-ginkgo.label-filter=harness:" + group, "-ginkgo.no-color", "-reports", reports}, args...)...)
	cmd.Env = append(append(os.Environ(), envChild+"=1"), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if start != nil {
		start(cmd)
	}
	code := 0
	if err := cmd.Wait(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("child: %v\n%s", err, out.String())
		}
		code = ee.ExitCode()
	}
	return code, out.String(), reports
}

type jsonCase struct {
	Name, Status, Message, FailedAt string
	Labels                          []string
	Findings                        []struct{ Rule, Target, Location string }
}

func readReport(t *testing.T, dir string) []jsonCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct{ Cases []jsonCase }
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	return rep.Cases
}

// liveEmulator starts a second emulator with its own credentials, the
// stand-in for a live tenant.
func liveEmulator(t *testing.T, user, password string) *emulator.Emulator {
	t.Helper()
	cfg := conformance.EmulatorConfig()
	cfg.User, cfg.Password = user, server.Secret(password)
	emu, err := emulator.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close(context.Background()) })
	return emu
}

func TestHarnessOnTheEmulator(t *testing.T) {
	if os.Getenv(envChild) != "" {
		t.Skip("child")
	}
	t.Parallel()
	root, _ := filepath.Abs("../..")
	golden := t.TempDir()
	// First run records the golden files, the second compares with them.
	for _, update := range []bool{true, false} {
		args := []string{"-golden-dir", golden, "-samples", filepath.Join(root, "schemas", "testdata"), "-drift", "ManageDeviceService/v7/searchDevices=extra-element"}
		if update {
			args = append(args, "-update-golden")
		}
		code, out, reports := child(t, "emulator", nil, args, nil)
		if code == 0 {
			t.Fatalf("the drifted searchDevices did not fail the run:\n%s", out)
		}
		cases := readReport(t, reports)
		if len(cases) != 5 {
			t.Fatalf("%d cases, want the 5 emulator specs:\n%s", len(cases), out)
		}
		for _, c := range cases {
			if strings.Contains(c.Name, "drifted") {
				if c.Status != "failed" || len(c.Findings) == 0 || c.Findings[0].Target != "ManageDeviceService/v7/searchDevices response" ||
					c.Findings[0].Location != "/searchDevicesResponse/fnokitUndeclared" ||
					!strings.Contains(c.Message, "ManageDeviceService/v7/searchDevices: xsd-invalid at /searchDevicesResponse/fnokitUndeclared") ||
					!strings.HasPrefix(c.FailedAt, "internal/suite/harness_test.go:") {
					t.Errorf("drifted case %+v", c)
				}
				continue
			}
			if c.Status != "passed" {
				t.Errorf("update=%v %s: %s %s", update, c.Name, c.Status, c.Message)
			}
		}
	}
	for _, f := range []string{"soap/ManageDeviceService/v7/getDeviceCount/harness-count.response.xml", "rest/application/v1/devicesCount/harness-all.response.json", "rest/application/v1/devicesCount/harness-all.meta.json"} {
		if _, err := os.Stat(filepath.Join(golden, f)); err != nil {
			t.Errorf("golden file not recorded: %v", err)
		}
	}
}

// A live run: reads run, writes are skipped, and neither the reports nor
// the output carry the password, the Basic credentials or the token, even
// when a spec puts them into its failure message.
func TestHarnessLiveLeaksNoCredentials(t *testing.T) {
	if os.Getenv(envChild) != "" {
		t.Skip("child")
	}
	t.Parallel()
	password := "Live-" + strings.Repeat("k3", 8)
	emu := liveEmulator(t, "live-user", password)
	basic := base64.StdEncoding.EncodeToString([]byte("live-user:" + password))
	code, out, reports := child(t, "live", []string{suite.EnvUser + "=live-user", suite.EnvPassword + "=" + password, suite.EnvToken + "=",
		envLeak + "=Authorization: Basic " + basic}, []string{"-target", emu.URL()}, nil)
	if code == 0 {
		t.Fatalf("the careless spec did not fail:\n%s", out)
	}
	cases := readReport(t, reports)
	statuses := map[string]string{}
	for _, c := range cases {
		statuses[c.Name] = c.Status
		if strings.Contains(c.Name, "labelled read") && !strings.Contains(c.Message, "deleteDevice changes records: refused") {
			t.Errorf("refused write: %s", c.Message)
		}
	}
	if statuses["harness against a live target, with the run's credentials posts raw bodies and authenticates under the Basic and Fno schemes"] != "passed" ||
		statuses["harness against a live target, with the run's credentials skips a spec that calls an emulator admin route"] != "skipped" {
		t.Errorf("raw and admin: statuses %v", statuses)
	}
	if statuses["harness against a live target skips writes without --allow-writes"] != "skipped" ||
		statuses["harness against a live target refuses a write from a spec labelled read"] != "failed" ||
		statuses["harness against a live target reads, and leaks nothing into the reports"] != "failed" {
		t.Errorf("statuses %v", statuses)
	}
	for _, f := range []string{"junit.xml", "report.json", "report.html"} {
		data, err := os.ReadFile(filepath.Join(reports, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{password, basic, "eyJ"} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s carries a secret (%.6s…)", f, secret)
			}
		}
		if !bytes.Contains(data, []byte("careless failure")) {
			t.Errorf("%s lost the failure", f)
		}
	}
	for _, secret := range []string{password, basic, "eyJ"} {
		if strings.Contains(out, secret) {
			t.Errorf("the output carries a secret (%.6s…)", secret)
		}
	}
	if !strings.Contains(out, "careless failure") {
		t.Errorf("the output lost the failure:\n%s", out)
	}
}

// SIGINT in the middle of a write spec against a live target: the
// harness's handler runs the registered cleanup, so the record the spec
// created is gone when the process has exited.
func TestHarnessCleansUpOnInterrupt(t *testing.T) {
	if os.Getenv(envChild) != "" {
		t.Skip("child")
	}
	t.Parallel()
	emu := liveEmulator(t, "int-user", "Int-"+strings.Repeat("z5", 8))
	marker := filepath.Join(t.TempDir(), "created")
	exists := func(name string) bool {
		ds, err := emu.Store().Devices(state.DeviceQuery{DeviceID: state.Match{Type: "EQUALS", Value: name}}, state.Page{Number: 1, Size: 5})
		if err != nil {
			t.Fatal(err)
		}
		return len(ds) > 0
	}
	var name string
	code, out, _ := child(t, "interrupt",
		[]string{suite.EnvUser + "=int-user", suite.EnvPassword + "=Int-" + strings.Repeat("z5", 8), suite.EnvToken + "=", envMarker + "=" + marker},
		[]string{"-target", emu.URL(), "-allow-writes"},
		func(cmd *exec.Cmd) {
			deadline := time.Now().Add(90 * time.Second)
			for time.Now().Before(deadline) {
				if b, err := os.ReadFile(marker); err == nil && len(b) > 0 {
					name = string(b)
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if name == "" {
				cmd.Process.Kill()
				return
			}
			if !exists(name) {
				t.Errorf("the spec's device %s is not on the target before the interrupt", name)
			}
			cmd.Process.Signal(syscall.SIGINT)
		})
	if name == "" {
		t.Fatalf("the write spec never reported its record:\n%s", out)
	}
	if !strings.HasPrefix(name, "fnokit-") {
		t.Errorf("record %q lacks the run prefix", name)
	}
	if exists(name) {
		t.Errorf("device %s is still on the target after the interrupted run (exit %d):\n%s", name, code, out)
	}
	if code == 0 {
		t.Errorf("an interrupted run exited 0")
	}
}
