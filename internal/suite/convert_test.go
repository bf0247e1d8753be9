package suite

import (
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/report"
)

func spec(text string, labels []string, state types.SpecState) types.SpecReport {
	return types.SpecReport{
		ContainerHierarchyTexts: []string{"conformance", "ManageDeviceService v7"},
		LeafNodeType:            types.NodeTypeIt, LeafNodeText: text, LeafNodeLabels: labels,
		LeafNodeLocation: types.CodeLocation{FileName: "/home/ci/fnokit/suites/conformance/conformance.go", LineNumber: 88},
		State:            state, RunTime: 20 * time.Millisecond,
	}
}

func entry(name string, v any) types.ReportEntry {
	return types.ReportEntry{Name: name, Value: types.WrapEntryValue(v)}
}

// Ginkgo's report becomes the report model: one case per selected spec
// with its labels, locations, findings and golden diff; deselected specs
// are counted; failing suite nodes become error cases.
func TestConvert(t *testing.T) {
	t.Parallel()
	xsd := contract.New(contract.RuleXSDInvalid, "ManageDeviceService/v7/searchDevices response", "/searchDevicesResponse/devices", "not expected")
	passed := spec("getDevice", []string{"service:ManageDeviceService", "version:v7", "op:getDevice", "kind:read"}, types.SpecStatePassed)
	passed.ReportEntries = types.ReportEntries{entry(EntryGolden, GoldenEntry{Case: "soap/x", Diff: "--- a\n+++ b\n", Updated: true})}
	failed := spec("searchDevices", []string{"service:ManageDeviceService", "version:v7", "op:searchDevices"}, types.SpecStateFailed)
	failed.Failure = types.Failure{Message: "ManageDeviceService/v7/searchDevices: xsd-invalid at /searchDevicesResponse/devices: not expected",
		Location: types.CodeLocation{FileName: "/home/ci/fnokit/suites/conformance/conformance.go", LineNumber: 100}}
	failed.ReportEntries = types.ReportEntries{entry(EntryFindings, FindingsEntry{Key: "k", Findings: contract.Findings{xsd}}), entry("other", 1)}
	behaviour := spec("paging is consistent", []string{"service:ManageDeviceService", "version:v7", "op:searchDevices"}, types.SpecStateFailed)
	behaviour.LeafNodeLocation.FileName = "/x/suites/soap/devices.go"
	behaviour.Failure = types.Failure{Message: "Expected\n    <int>: 3\nto equal\n    <int>: 4",
		Location: types.CodeLocation{FileName: "/x/suites/soap/devices.go", LineNumber: 57}}
	skipped := spec("createDevice", []string{"kind:write"}, types.SpecStateSkipped)
	skipped.Failure.Message = "writes to a live target need --allow-writes"
	deselected := spec("deleteDevice", nil, types.SpecStateSkipped)
	deselected.RunTime = 0
	panicked := spec("getDeviceCount", nil, types.SpecStatePanicked)
	panicked.Failure = types.Failure{Message: "Test Panicked", ForwardedPanic: "nil map"}
	beforeSuite := types.SpecReport{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "setup broke"}}
	okSuiteNode := types.SpecReport{LeafNodeType: types.NodeTypeReportAfterSuite, State: types.SpecStatePassed}

	r := Convert(types.Report{StartTime: time.Unix(100, 0), RunTime: time.Second,
		SpecReports: types.SpecReports{passed, failed, behaviour, skipped, deselected, panicked, beforeSuite, okSuiteNode}},
		"in-process emulator", "tier:smoke")
	if r.Deselected != 1 || r.Filter != "tier:smoke" || r.Target != "in-process emulator" || r.Duration != time.Second {
		t.Errorf("report header %+v", r)
	}
	if len(r.Cases) != 6 {
		t.Fatalf("%d cases, want 6: %+v", len(r.Cases), r.Cases)
	}
	c := r.Cases[0]
	if c.Name != "conformance ManageDeviceService v7 getDevice" || c.Suite != "suites/conformance" || c.Status != report.Passed ||
		c.Service != "ManageDeviceService" || c.Version != "v7" || c.Operation != "getDevice" ||
		c.Source != "suites/conformance/conformance.go:88" || len(c.Labels) != 4 || c.Diff != "--- a\n+++ b\n" || c.Message != "" {
		t.Errorf("passed case %+v", c)
	}
	c = r.Cases[1]
	if c.Status != report.Failed || len(c.Findings) != 1 || c.Findings[0] != xsd || c.FailedAt != "suites/conformance/conformance.go:100" {
		t.Errorf("failed case %+v", c)
	}
	c = r.Cases[2]
	if c.Status != report.Failed || c.Suite != "suites/soap" || len(c.Findings) != 1 || c.Findings[0].Rule != contract.RuleSpecFailed ||
		c.Findings[0].Location != "suites/soap/devices.go:57" || c.Findings[0].Message != "Expected <int>: 3 to equal <int>: 4" {
		t.Errorf("behaviour case %+v", c)
	}
	if c := r.Cases[3]; c.Status != report.Skipped || c.Message != "writes to a live target need --allow-writes" {
		t.Errorf("skipped case %+v", c)
	}
	if c := r.Cases[4]; c.Status != report.Error || !strings.Contains(c.Message, "panicked") || !strings.Contains(c.Message, "nil map") {
		t.Errorf("panicked case %+v", c)
	}
	if c := r.Cases[5]; c.Status != report.Error || c.Suite != "suite" || c.Message != "setup broke" {
		t.Errorf("suite node case %+v", c)
	}
	if tot := r.Totals(); tot.Passed != 1 || tot.Failed != 2 || tot.Skipped != 1 || tot.Errors != 2 {
		t.Errorf("totals %+v", tot)
	}
}

// A live run's skipped golden comparison leaves a passed spec passed, and
// its report says the comparison was skipped; a failed spec keeps its
// failure message.
func TestConvertGoldenSkipped(t *testing.T) {
	t.Parallel()
	skipped := entry(EntryGolden, GoldenEntry{Case: "soap/x", Skipped: true})
	passed := spec("getDevice", nil, types.SpecStatePassed)
	passed.ReportEntries = types.ReportEntries{skipped}
	failed := spec("searchDevices", nil, types.SpecStateFailed)
	failed.Failure.Message = "count differs"
	failed.ReportEntries = types.ReportEntries{skipped}
	r := Convert(types.Report{SpecReports: types.SpecReports{passed, failed}}, "http://127.0.0.1:1", "")
	if len(r.Cases) != 2 {
		t.Fatalf("%d cases", len(r.Cases))
	}
	if c := r.Cases[0]; c.Status != report.Passed || c.Message != GoldenSkipped || c.Diff != "" {
		t.Errorf("passed case %+v", c)
	}
	if c := r.Cases[1]; c.Status != report.Failed || c.Message != "count differs" {
		t.Errorf("failed case %+v", c)
	}
}

func TestRelLocation(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/home/me/fnokit/suites/soap/devices.go":   "suites/soap/devices.go:7",
		"/home/me/fnokit/internal/suite/x_test.go": "internal/suite/x_test.go:7",
		"/elsewhere/main.go":                       "/elsewhere/main.go:7",
	} {
		if got := relLocation(types.CodeLocation{FileName: in, LineNumber: 7}); got != want {
			t.Errorf("relLocation(%s) = %s, want %s", in, got, want)
		}
	}
}
