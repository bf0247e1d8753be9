package fno

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
)

const (
	envOpen  = `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`
	envClose = `</soapenv:Body></soapenv:Envelope>`
)

func headCases(t testing.TB) []struct {
	name string
	doc  string
	ok   bool // scanHead answers without the full parse
} {
	page, err := os.ReadFile("testdata/searchDevices-v7-50.xml")
	if err != nil {
		t.Fatal(err)
	}
	return []struct {
		name string
		doc  string
		ok   bool
	}{
		{"emulator page", string(page), true},
		{"bare", okSearchResponse, true},
		{"prefixed, header, reason", `<?xml version="1.0"?><e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Header><x:h xmlns:x="urn:x"><x:i/></x:h></e:Header><e:Body>` +
			`<p:r xmlns:p="urn:p"><p:statusInfo><p:reason> fine </p:reason><p:status> SUCCESS </p:status></p:statusInfo><p:data><p:x>1</p:x></p:data></p:r></e:Body></e:Envelope>`, true},
		{"statusInfo after other children", envOpen + `<r xmlns="urn:p"><a><b>1</b></a><statusInfo><status>SUCCESS</status></statusInfo></r>` + envClose, true},
		{"failure", envOpen + `<r xmlns="urn:p"><statusInfo><status>FAILURE</status><reason>no</reason></statusInfo><failedData><failedX><reason>r</reason></failedX></failedData></r>` + envClose, true},
		{"fault", envOpen + `<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>x</faultstring></soapenv:Fault>` + envClose, false},
		{"no statusInfo", envOpen + `<r xmlns="urn:p"><a>1</a></r>` + envClose, false},
		{"status with a child", envOpen + `<r xmlns="urn:p"><statusInfo><status><x/>SUCCESS</status></statusInfo></r>` + envClose, false},
		{"comment in status", envOpen + `<r xmlns="urn:p"><statusInfo><status>SUC<!-- c -->CESS</status></statusInfo></r>` + envClose, false},
		{"statusInfo without status", envOpen + `<r xmlns="urn:p"><statusInfo><reason>x</reason></statusInfo></r>` + envClose, false},
		{"SOAP 1.2", `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><r><statusInfo><status>SUCCESS</status></statusInfo></r></e:Body></e:Envelope>`, false},
		{"DTD", `<!DOCTYPE x [<!ENTITY a "b">]>` + envOpen + `<r><statusInfo><status>SUCCESS</status></statusInfo></r>` + envClose, false},
		{"text before the root", `junk` + envOpen + `<r><statusInfo><status>SUCCESS</status></statusInfo></r>` + envClose, false},
		{"empty body", envOpen + envClose, false},
		{"not XML", `HTTP error`, false},
		{"empty", ``, false},
		{"Body not in SOAP namespace", `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><Body><r><statusInfo><status>SUCCESS</status></statusInfo></r></Body></soapenv:Envelope>`, false},
	}
}

// scanHead answers the plain cases, and whenever it answers it agrees with
// soap.Parse, which reads the whole document.
func TestScanHead(t *testing.T) {
	t.Parallel()
	for _, c := range headCases(t) {
		st, reason, ok := scanHead([]byte(c.doc))
		if ok != c.ok {
			t.Errorf("%s: ok = %v, want %v", c.name, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		parsed, err := soap.Parse(strings.NewReader(c.doc), xmltree.DefaultLimits)
		if err != nil {
			t.Fatalf("%s: soap.Parse: %v", c.name, err)
		}
		if parsed.Status == nil || parsed.Status.Status != st || parsed.Status.Reason != reason {
			t.Errorf("%s: scanHead = %q %q, soap.Parse = %+v", c.name, st, reason, parsed.Status)
		}
	}
}

// FuzzScanHead: whenever scanHead answers and soap.Parse can read the
// document, they agree on status and reason. (scanHead may answer for a
// document broken after its statusInfo; the result's getters report that.)
func FuzzScanHead(f *testing.F) {
	for _, c := range headCases(f) {
		f.Add([]byte(c.doc))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		st, reason, ok := scanHead(doc)
		if !ok {
			return
		}
		parsed, err := soap.Parse(bytes.NewReader(doc), xmltree.DefaultLimits)
		if err != nil {
			return
		}
		if parsed.Fault != nil || parsed.Status == nil || parsed.Status.Status != st || parsed.Status.Reason != reason {
			t.Errorf("scanHead = %q %q, soap.Parse = fault %v status %+v", st, reason, parsed.Fault, parsed.Status)
		}
	})
}

// A SUCCESS answer whose body breaks after statusInfo: the status is read
// at once; reading the payload finds the break, sets error and gives null.
func TestLazyPayloadOfBrokenBody(t *testing.T) {
	t.Parallel()
	broken := envOpen + `<searchDevicesResponse xmlns="urn:v7.fne.webservices.operations.flexnet.com"><statusInfo><status>SUCCESS</status></statusInfo><devices><device>`
	v := newVU(t, fakeSOAP(t, broken), basicClient, vuConfig{})
	got := v.run(`(() => { const r = ` + searchDevice("client", "X") + `;
		const before = r.error; const p = r.payload; const fd = r.failedData;
		return JSON.stringify({status: r.status, before, after: r.error, payload: p, failed: fd.length}); })()`).(string)
	if !strings.Contains(got, `"status":"SUCCESS"`) || !strings.Contains(got, `"before":""`) ||
		!strings.Contains(got, `"after":"the response (HTTP 200) is not a SOAP envelope [xml-malformed]`) ||
		!strings.Contains(got, `"payload":null`) || !strings.Contains(got, `"failed":0`) {
		t.Errorf("broken body: %s", got)
	}
}

// The lazy payload is the same object the full parse gives: JSON of the
// result of a SUCCESS page equals the JSON built from soap.Parse.
func TestLazyPayloadMatchesFullParse(t *testing.T) {
	t.Parallel()
	page, err := os.ReadFile("testdata/searchDevices-v7-50.xml")
	if err != nil {
		t.Fatal(err)
	}
	v := newVU(t, fakeSOAP(t, string(page)), basicClient, vuConfig{})
	got := v.run(`(() => { const r = ` + searchDevice("client", "X") + `; return [r.payload.devices.device.length, r.payload.devices.device[49].deviceId.id, JSON.stringify(r.failedData)]; })()`).([]any)
	parsed, err := soap.Parse(bytes.NewReader(page), xmltree.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	devs := parsed.Payload.Child("devices").ChildrenNamed("device")
	last := devs[len(devs)-1].TextOf("deviceId", "id")
	if num(got[0]) != float64(len(devs)) || got[1] != last || got[2] != "[]" {
		t.Errorf("lazy payload: %v devices, last %v, failedData %v; want %d, %s, []", got[0], got[1], got[2], len(devs), last)
	}
}

func fakeSOAP(t testing.TB, body string) string {
	t.Helper()
	return serveBody(t, "text/xml; charset=utf-8", body)
}
