package soap

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/xmltree"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePrefixStyles(t *testing.T) {
	t.Parallel()
	var first *xmltree.Node
	for _, f := range []string{"success_urn.xml", "success_impl.xml", "success_ns1.xml", "success_default.xml"} {
		raw := readTestdata(t, f)
		resp, err := Parse(bytes.NewReader(raw), xmltree.Limits{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if resp.Fault != nil || resp.Payload == nil {
			t.Fatalf("%s: no payload", f)
		}
		if resp.Payload.Name != (xmltree.Name{Space: nsV3Device, Local: "searchDevicesResponse"}) {
			t.Errorf("%s: payload %s", f, resp.Payload.Name)
		}
		if resp.Status == nil || resp.Status.Status != StatusSuccess || resp.Status.Reason != "" {
			t.Errorf("%s: status %+v", f, resp.Status)
		}
		if len(resp.Failed) != 0 || len(resp.Findings("t")) != 0 {
			t.Errorf("%s: a success has no failures or findings: %v %v", f, resp.Failed, resp.Findings("t"))
		}
		if resp.Size != int64(len(raw)) {
			t.Errorf("%s: Size %d, want %d", f, resp.Size, len(raw))
		}
		if first == nil {
			first = resp.Payload
		} else if !xmltree.Equal(first, resp.Payload) {
			t.Errorf("%s: payload differs from success_urn.xml's:\n%s", f, xmltree.Canonical(resp.Payload))
		}
		if got := len(resp.Payload.Path("devices").ChildrenNamed("device")); got != 2 {
			t.Errorf("%s: %d devices, want 2", f, got)
		}
	}
}

func TestParseFault(t *testing.T) {
	t.Parallel()
	resp, err := Parse(bytes.NewReader(readTestdata(t, "fault.xml")), xmltree.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	f := resp.Fault
	if f == nil || resp.Payload != nil || resp.Status != nil {
		t.Fatalf("want a fault only, got %+v", resp)
	}
	if f.Code != "soapenv:Server.userException" || !strings.HasPrefix(f.String, "com.flexnet.operations") ||
		f.Actor != "http://localhost/flexnet/services/v3/ManageDeviceService" {
		t.Errorf("fault fields %+v", f)
	}
	if f.Detail == nil || f.Detail.TextOf("hostname") != "fno-app-01" {
		t.Errorf("detail %v", f.Detail)
	}
	if strings.Contains(f.Error(), "admin") || !strings.Contains(f.Error(), "Server.userException") {
		t.Errorf("Error() must name the code and not quote faultstring: %s", f.Error())
	}
	fs := resp.Findings("svc")
	if len(fs) != 1 || fs[0].Rule != contract.RuleSOAPFault || fs[0].Target != "svc" || strings.Contains(fs[0].Message, "admin") {
		t.Errorf("findings %v", fs)
	}
	for _, code := range []string{"", "<script>", strings.Repeat("a", 200), "a b"} {
		if got := (&Fault{Code: code}).Error(); strings.Contains(got, code) && code != "" {
			t.Errorf("odd fault code echoed: %s", got)
		}
	}
}

func TestParseFailedData(t *testing.T) {
	t.Parallel()
	type rec struct{ element, path, reason, data string }
	cases := []struct {
		file   string
		status Status
		reason string
		recs   []rec
	}{
		{"partial_failure.xml", StatusPartialFailure, "Some devices could not be created", []rec{
			{"failedDevice", "/createDeviceResponse/failedData/failedDevice[1]", "Device already exists", "device"},
			{"failedDevice", "/createDeviceResponse/failedData/failedDevice[2]", "Invalid device id", "device"},
		}},
		{"failure_reason_only.xml", StatusFailure, "Query failed", []rec{
			{"failedData", "/getDevicesResponse/failedData", "Batch size over 2000", ""},
		}},
		{"remove_lineitem_partial.xml", StatusPartialFailure, "", []rec{
			{"failedData", "/removeEntitlementLineItemResponse/failedData/failedData", "Line item not found", "failedData"},
		}},
	}
	for _, c := range cases {
		resp, err := Parse(bytes.NewReader(readTestdata(t, c.file)), xmltree.Limits{})
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		if resp.Status == nil || resp.Status.Status != c.status || resp.Status.Reason != c.reason {
			t.Errorf("%s: status %+v", c.file, resp.Status)
		}
		if len(resp.Failed) != len(c.recs) {
			t.Fatalf("%s: %d failed records, want %d", c.file, len(resp.Failed), len(c.recs))
		}
		for i, w := range c.recs {
			got := resp.Failed[i]
			var data []string
			for _, d := range got.Data() {
				data = append(data, d.Name.Local)
			}
			if got.Element != w.element || got.Path != w.path || got.Reason != w.reason || strings.Join(data, ",") != w.data {
				t.Errorf("%s: record %d = {%s %s %s %v}, want %+v", c.file, i, got.Element, got.Path, got.Reason, data, w)
			}
			// The path must find the record in the payload.
			found := false
			resp.Payload.Walk(func(p string, n *xmltree.Node) bool {
				if p == got.Path && n == got.Node {
					found = true
				}
				return !found
			})
			if !found {
				t.Errorf("%s: path %s does not locate the record", c.file, got.Path)
			}
		}
		fs := resp.Findings("")
		if len(fs) != 1 || fs[0].Rule != contract.RuleSOAPStatus || !strings.Contains(fs[0].Message, string(c.status)) {
			t.Errorf("%s: findings %v", c.file, fs)
		}
		for _, r := range c.recs {
			if strings.Contains(fs[0].Message, r.reason) {
				t.Errorf("%s: finding quotes a reason: %s", c.file, fs[0].Message)
			}
		}
	}
	// The first partial-failure record holds the device that failed.
	resp, _ := Parse(bytes.NewReader(readTestdata(t, "partial_failure.xml")), xmltree.Limits{})
	if id := resp.Failed[0].Data()[0].TextOf("deviceIdentifier", "deviceId"); id != "DUP-1" {
		t.Errorf("failed record subtree lost: deviceId %q", id)
	}
}

func TestUndocumentedStatusIsNotEchoed(t *testing.T) {
	t.Parallel()
	raw := `<e:Envelope xmlns:e="` + NSEnvelope + `"><e:Body><r><statusInfo><status>SECRET-VALUE</status></statusInfo></r></e:Body></e:Envelope>`
	resp, err := Parse(strings.NewReader(raw), xmltree.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	fs := resp.Findings("")
	if len(fs) != 1 || strings.Contains(fs[0].Message, "SECRET") {
		t.Errorf("findings %v", fs)
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n == 0 {
		f.n++
		return copy(p, `<soapenv:Envelope xmlns:soapenv="`+NSEnvelope+`"><soapenv:Bo`), nil
	}
	return 0, errors.New("connection reset")
}

func TestParseRefusesBadInput(t *testing.T) {
	t.Parallel()
	env := func(body string) string {
		return `<soapenv:Envelope xmlns:soapenv="` + NSEnvelope + `">` + body + `</soapenv:Envelope>`
	}
	deep := env(`<soapenv:Body>` + strings.Repeat("<a>", 40) + strings.Repeat("</a>", 40) + `</soapenv:Body>`)
	cases := []struct {
		name, doc, rule string
		lim             xmltree.Limits
	}{
		{"not xml", "hello", contract.RuleXMLMalformed, xmltree.Limits{}},
		{"truncated", env("<soapenv:Body><a>")[:60], contract.RuleXMLMalformed, xmltree.Limits{}},
		{"not an envelope", `<searchDevicesResponse/>`, contract.RuleSOAPNoEnvelope, xmltree.Limits{}},
		{"envelope without namespace", `<Envelope><Body><a/></Body></Envelope>`, contract.RuleSOAPNoEnvelope, xmltree.Limits{}},
		{"soap 1.2", `<e:Envelope xmlns:e="` + NSEnvelope12 + `"><e:Body><a/></e:Body></e:Envelope>`, contract.RuleSOAPNoEnvelope, xmltree.Limits{}},
		{"no body", env(`<soapenv:Header/>`), contract.RuleSOAPNoBody, xmltree.Limits{}},
		{"body in another namespace", env(`<Body xmlns="urn:x"><a/></Body>`), contract.RuleSOAPNoBody, xmltree.Limits{}},
		{"empty body", env(`<soapenv:Body>  </soapenv:Body>`), contract.RuleSOAPNoBody, xmltree.Limits{}},
		{"dtd", `<!DOCTYPE x [<!ENTITY a "secret-payload">]>` + env(`<soapenv:Body><a>&a;</a></soapenv:Body>`), contract.RuleXMLDTDForbidden, xmltree.Limits{}},
		{"external entity", `<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]>` + env(`<soapenv:Body><a>&a;</a></soapenv:Body>`), contract.RuleXMLDTDForbidden, xmltree.Limits{}},
		{"too deep", deep, contract.RuleXMLTooDeep, xmltree.Limits{MaxDepth: 16}},
		{"too large", env(`<soapenv:Body><a>` + strings.Repeat("x", 5000) + `</a></soapenv:Body>`), contract.RuleXMLTooLarge, xmltree.Limits{MaxBytes: 1024}},
		{"two roots", env(`<soapenv:Body><a/></soapenv:Body>`) + `<x/>`, contract.RuleXMLMalformed, xmltree.Limits{}},
	}
	for _, c := range cases {
		_, err := Parse(strings.NewReader(c.doc), c.lim)
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("%s: want *soap.Error, got %T %v", c.name, err, err)
			continue
		}
		if se.Rule != c.rule {
			t.Errorf("%s: rule %s, want %s (%v)", c.name, se.Rule, c.rule, err)
		}
		f, ok := AsFinding(err, "resp.xml")
		if !ok || f.Rule != c.rule || f.Target != "resp.xml" || f.Severity != contract.Error {
			t.Errorf("%s: finding %+v", c.name, f)
		}
		if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "passwd") {
			t.Errorf("%s: error quotes the input: %v", c.name, err)
		}
	}
	_, err := Parse(&failingReader{}, xmltree.Limits{})
	var se *Error
	if err == nil || errors.As(err, &se) || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("a read failure is not a contract violation: %T %v", err, err)
	}
	if _, ok := AsFinding(err, ""); ok {
		t.Error("AsFinding accepted a read failure")
	}
	if _, ok := AsFinding(&xmltree.ParseError{Rule: contract.RuleXMLTooDeep, Msg: "m"}, ""); !ok {
		t.Error("AsFinding refused an xmltree.ParseError")
	}
	var _ io.Reader = &failingReader{}
}

func BenchmarkParse(b *testing.B) {
	raw := readTestdata(b, "partial_failure.xml")
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(raw), xmltree.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}
