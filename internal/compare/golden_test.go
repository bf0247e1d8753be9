package compare

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/schemas"
)

func changes(td *TreeDiff) map[string]CaseDiff {
	m := map[string]CaseDiff{}
	for _, c := range td.Cases {
		m[c.Key.String()] = c
	}
	return m
}

// testdata/golden-a and golden-b: one case changed (a count), one the same
// after normalisation (prefixes, layout and a masked lastModified differ),
// one only in a, one only in b.
func TestDiffTrees(t *testing.T) {
	t.Parallel()
	td, err := DiffTrees("testdata/golden-a", "testdata/golden-b", TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Change{
		"soap/ManageDeviceService/v7/getDeviceCount/servers": Changed,
		"soap/ManageDeviceService/v7/getDevice/by-id":        Same,
		"rest/application/v1/devicesCount/all":               Removed,
		"rest/application/v1/devices/first-page":             Added,
	}
	got := changes(td)
	if len(got) != len(want) {
		t.Errorf("%d cases, want %d", len(got), len(want))
	}
	for k, ch := range want {
		if got[k].Change != ch {
			t.Errorf("%s: %s, want %s (%s)", k, got[k].Change, ch, got[k].Reason)
		}
	}
	c := got["soap/ManageDeviceService/v7/getDeviceCount/servers"]
	if len(c.Findings) != 1 || c.Findings[0].Location != "/Envelope/Body/getDeviceCountResponse/responseData/count" || c.Findings[0].Rule != contract.RuleGoldenMismatch {
		t.Errorf("findings %+v", c.Findings)
	}
	if !strings.Contains(c.Diff, "--- a/soap/ManageDeviceService/v7/getDeviceCount/servers.response.xml") ||
		!strings.Contains(c.Diff, "+++ b/soap/") || strings.Contains(c.Diff, "request.xml") {
		t.Errorf("diff:\n%s", c.Diff)
	}
	if !td.HasDifferences() {
		t.Error("HasDifferences is false")
	}
	var b bytes.Buffer
	if err := WriteTreeDiff(&b, td); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); !strings.Contains(s, "4 case(s): 1 same, 1 changed, 1 added, 1 removed, 0 skipped, 0 not compared") ||
		!strings.Contains(s, "changed soap/ManageDeviceService/v7/getDeviceCount/servers") {
		t.Errorf("output:\n%s", s)
	}

	same, err := DiffTrees("testdata/golden-a", "testdata/golden-a", TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if same.HasDifferences() || same.Summary().Same != 3 {
		t.Errorf("a tree against itself: %+v", same.Summary())
	}

	masked, err := golden.ParseRules([]byte("defaults:\n  - xpath: //count\n    action: mask\n    why: test\n"))
	if err != nil {
		t.Fatal(err)
	}
	td, err = DiffTrees("testdata/golden-a", "testdata/golden-b", TreeOptions{Rules: masked})
	if err != nil {
		t.Fatal(err)
	}
	if c := changes(td)["soap/ManageDeviceService/v7/getDeviceCount/servers"]; c.Change != Same {
		t.Errorf("with count masked the case is %s", c.Change)
	}
}

// A file that cannot be read as its format makes its case an error that
// quotes nothing of the file, not a crash or a difference.
func TestDiffTreesBrokenFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, d := range []string{"a", "b"} {
		p := filepath.Join(dir, d, "soap", "S", "v1", "getX", "c.response.xml")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		body := "<r><v>1</v></r>"
		if d == "b" {
			body = "<r><v>secret-looking</r>"
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	td, err := DiffTrees(filepath.Join(dir, "a"), filepath.Join(dir, "b"), TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(td.Cases) != 1 || td.Cases[0].Change != Broken || strings.Contains(td.Cases[0].Reason, "secret-looking") {
		t.Errorf("cases %+v", td.Cases)
	}
	if _, err := DiffTrees(filepath.Join(dir, "a"), filepath.Join(dir, "none"), TreeOptions{}); err == nil {
		t.Error("a missing folder is not an error")
	}
}

// record sends a request to the emulator and records the exchange.
func recordSOAP(t *testing.T, s *golden.Store, e *emulator.Emulator, k golden.Key, values map[string]any) {
	t.Helper()
	v, err := schemas.Find(k.Service, k.Version)
	if err != nil {
		t.Fatal(err)
	}
	p, err := project.For(v.Service, v.Version)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := p.RequestPayload(k.Operation, values)
	if err != nil {
		t.Fatal(err)
	}
	body, err := soap.Marshal(contract.Operation{Service: v.Service, Version: v.Version, Name: k.Operation}, payload,
		soap.SOAPHeader(emulator.DefaultUser, emulator.DefaultPassword))
	if err != nil {
		t.Fatal(err)
	}
	record(t, s, e, k, http.MethodPost, v.Endpoint, body, soap.ContentType)
}

func record(t *testing.T, s *golden.Store, e *emulator.Emulator, k golden.Key, method, path string, body []byte, ct string) {
	t.Helper()
	req, err := http.NewRequest(method, e.URL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("SOAPAction", `""`)
	req.SetBasicAuth(emulator.DefaultUser, emulator.DefaultPassword)
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: HTTP %d", k, resp.StatusCode)
	}
	if _, err := s.Record(k, golden.Exchange{Request: body, Response: got,
		Meta: golden.Meta{Method: method, URL: path, Status: resp.StatusCode, ResponseHeaders: resp.Header}}); err != nil {
		t.Fatal(err)
	}
}

// golden diff --target: the reads recorded from an emulator are the same
// when replayed against it and differ against one with more devices; the
// recorded write and the REST API that needs a token flow are not replayed.
func TestDiffTarget(t *testing.T) {
	t.Parallel()
	a := start(t, emulator.Config{})
	b := start(t, emulator.Config{Sizes: sizesWithDevices(a)})

	s, err := golden.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	count := golden.Key{Kind: golden.SOAP, Service: "ManageDeviceService", Version: "v7", Operation: "getDeviceCount", Case: "all"}
	recordSOAP(t, s, a, count, map[string]any{"queryParams": map[string]any{}})
	write := golden.Key{Kind: golden.SOAP, Service: "ManageDeviceService", Version: "v7", Operation: "createDevice", Case: "new"}
	writeEnv := []byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><createDeviceRequest xmlns="urn:v7.fne.webservices.operations.flexnet.com"/></soapenv:Body></soapenv:Envelope>`)
	if _, err := s.Record(write, golden.Exchange{Request: writeEnv, Response: writeEnv}); err != nil {
		t.Fatal(err)
	}
	rest := golden.Key{Kind: golden.REST, Service: RESTAPI, Version: "v1", Operation: "devicesCount", Case: "all"}
	body, _ := json.Marshal(map[string]any{})
	record(t, s, a, rest, http.MethodPost, "/flexnet/operations/manageDevice/devicesCount", body, "application/json")
	other := golden.Key{Kind: golden.REST, Service: "data-access", Version: "v1", Operation: "reportNames", Case: "all"}
	if _, err := s.Record(other, golden.Exchange{Response: []byte(`{}`), Meta: golden.Meta{Method: "GET", URL: "/data/api/v1/report/names"}}); err != nil {
		t.Fatal(err)
	}

	td, err := DiffTarget(t.Context(), s, endpoint(a), TargetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := changes(td)
	for k, want := range map[golden.Key]Change{count: Same, rest: Same, write: NotReplayed, other: NotReplayed} {
		if c := got[k.String()]; c.Change != want {
			t.Errorf("same target, %s: %s, want %s (%s %v)", k, c.Change, want, c.Reason, c.Findings)
		}
	}
	if td.HasDifferences() {
		t.Error("differences against the recording target")
	}

	td, err = DiffTarget(t.Context(), s, endpoint(b), TargetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got = changes(td)
	for k, loc := range map[golden.Key]string{count: "/Envelope/Body/getDeviceCountResponse/responseData/count", rest: "/responseData/count"} {
		c := got[k.String()]
		if c.Change != Changed || len(c.Findings) == 0 || c.Findings[0].Location != loc || !strings.Contains(c.Diff, "(golden)") {
			t.Errorf("more devices, %s: %s %+v, want changed at %s", k, c.Change, c.Findings, loc)
		}
	}

	td, err = DiffTarget(t.Context(), s, endpoint(b), TargetOptions{Services: []string{RESTAPI}})
	if err != nil {
		t.Fatal(err)
	}
	if len(td.Cases) != 1 {
		t.Errorf("--services %s kept %d cases", RESTAPI, len(td.Cases))
	}
	if _, err := DiffTarget(t.Context(), s, endpoint(b), TargetOptions{Services: []string{"Nope"}}); err == nil {
		t.Error("a filter selecting nothing is not an error")
	}
}

// sizesWithDevices is the data set of e with ten more devices.
func sizesWithDevices(e *emulator.Emulator) state.Sizes {
	n, _ := e.Store().CountDevices(state.DeviceQuery{})
	s := conformanceSizes()
	s.Devices = n + 10
	return s
}
