package soap

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
)

var searchOp = contract.Operation{Service: "ManageDeviceService", Version: "v3", Name: "searchDevices"}

const nsV3Device = "urn:v3.fne.webservices.operations.flexnet.com"

func samplePayload() *xmltree.Node {
	q := func(l string) xmltree.Name { return xmltree.Name{Space: nsV3Device, Local: l} }
	return &xmltree.Node{Name: q("searchDevicesRequest"), Children: []*xmltree.Node{
		{Name: q("queryParams"), Children: []*xmltree.Node{
			{Name: q("deviceId"), Children: []*xmltree.Node{
				{Name: q("value"), Text: "DEV-*"},
				{Name: q("searchType"), Text: "STARTS_WITH"},
			}},
		}},
		{Name: q("batchSize"), Text: "25"},
	}}
}

// sampleBytes is samplePayload as a SoapUI user types it: urn: prefix,
// declared by the envelope.
const sampleBytes = `<?xml version="1.0"?>
<urn:searchDevicesRequest><urn:queryParams><urn:deviceId><urn:value>DEV-*</urn:value><urn:searchType>STARTS_WITH</urn:searchType></urn:deviceId></urn:queryParams><urn:batchSize>25</urn:batchSize></urn:searchDevicesRequest>
`

func TestMarshalAuthStyles(t *testing.T) {
	t.Parallel()
	pw := "pä$$:word"
	cases := []struct {
		name    string
		creds   Credentials
		payload any
		header  bool
	}{
		{"header tree", SOAPHeader("admin", pw), samplePayload(), true},
		{"header bytes", SOAPHeader("admin", pw), []byte(sampleBytes), true},
		{"header string", SOAPHeader("admin", pw), sampleBytes, true},
		{"basic tree", Basic("admin", pw), samplePayload(), false},
		{"basic bytes", Basic("admin", pw), []byte(sampleBytes), false},
		{"bearer tree", Bearer(pw), samplePayload(), false},
		{"none bytes", Credentials{}, sampleBytes, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			raw, err := Marshal(searchOp, c.payload, c.creds)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"<soapenv:Envelope", `xmlns:soapenv="` + NSEnvelope + `"`, "<soapenv:Body>", "<urn:searchDevicesRequest", `xmlns:urn="` + nsV3Device + `"`} {
				if !bytes.Contains(raw, []byte(want)) {
					t.Errorf("envelope lacks %s:\n%s", want, raw)
				}
			}
			if bytes.Contains(raw, []byte(pw)) {
				t.Error("the password travels in clear text")
			}
			env, err := xmltree.ParseBytes(raw, xmltree.Limits{})
			if err != nil {
				t.Fatalf("envelope does not parse: %v\n%s", err, raw)
			}
			resp, err := FromTree(env)
			if err != nil {
				t.Fatal(err)
			}
			if !xmltree.Equal(resp.Payload, samplePayload()) {
				t.Errorf("payload changed on the way:\n%s", xmltree.Canonical(resp.Payload))
			}
			if !c.header {
				if resp.Header != nil || env.Child("Header") != nil {
					t.Errorf("%s mode must send no SOAP header:\n%s", c.creds.Style, raw)
				}
				return
			}
			h := resp.Header
			if h == nil || len(h.Children) != 2 {
				t.Fatalf("want a header with UserId and UserPassword:\n%s", raw)
			}
			want := []struct{ local, text string }{
				{"UserId", "admin"},
				{"UserPassword", base64.StdEncoding.EncodeToString([]byte(pw))},
			}
			for i, w := range want {
				e := h.Children[i]
				if e.Name != (xmltree.Name{Space: NSAuthHeader, Local: w.local}) {
					t.Errorf("header entry %d is %s, want {%s}%s", i, e.Name, NSAuthHeader, w.local)
				}
				if e.Text != w.text {
					t.Errorf("%s text %q, want %q", w.local, e.Text, w.text)
				}
				attrs := map[xmltree.Name]string{}
				for _, a := range e.Attrs {
					attrs[a.Name] = a.Value
				}
				if len(attrs) != 2 || attrs[xmltree.Name{Space: NSEnvelope, Local: "actor"}] != ActorNext ||
					attrs[xmltree.Name{Space: NSEnvelope, Local: "mustUnderstand"}] != "0" {
					t.Errorf("%s attributes %v, want soapenv:actor=next and soapenv:mustUnderstand=0", w.local, e.Attrs)
				}
			}
		})
	}
}

// A tree and the same payload as bytes must give the same envelope.
func TestMarshalTreeAndBytesAgree(t *testing.T) {
	t.Parallel()
	for _, creds := range []Credentials{SOAPHeader("u", "p"), Basic("u", "p")} {
		a, err := Marshal(searchOp, samplePayload(), creds)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Marshal(searchOp, sampleBytes, creds)
		if err != nil {
			t.Fatal(err)
		}
		ta, err1 := xmltree.ParseBytes(a, xmltree.Limits{})
		tb, err2 := xmltree.ParseBytes(b, xmltree.Limits{})
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if !xmltree.Equal(ta, tb) {
			t.Errorf("%s: tree and bytes envelopes differ:\n%s\n---\n%s", creds.Style, xmltree.Canonical(ta), xmltree.Canonical(tb))
		}
	}
}

func TestMarshalRefusesBadPayloads(t *testing.T) {
	t.Parallel()
	for _, p := range []any{nil, (*xmltree.Node)(nil), 42, map[string]any{"a": 1}, "", "   ", "text", []byte("<?xml version='1.0'?>")} {
		if _, err := Marshal(searchOp, p, Credentials{}); err == nil {
			t.Errorf("payload %T %v accepted", p, p)
		}
	}
}

func TestMarshalAuthNamespaceCollision(t *testing.T) {
	t.Parallel()
	// The base FlexnetAuthentication service's payload namespace is the
	// auth header namespace; both must still come out right.
	op := contract.Operation{Service: "FlexnetAuthentication", Name: "validateToken"}
	p := &xmltree.Node{Name: xmltree.Name{Space: contract.NSPlatform, Local: "validateTokenRequest"}}
	raw, err := Marshal(op, p, SOAPHeader("u", "p"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := Parse(bytes.NewReader(raw), xmltree.Limits{})
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if resp.Header.Children[0].Name.Space != NSAuthHeader || resp.Payload.Name != p.Name {
		t.Errorf("names lost:\n%s", raw)
	}
}

func TestNewRequest(t *testing.T) {
	t.Parallel()
	cases := []struct {
		base, wantURL string
		creds         Credentials
		wantAuth      string
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/flexnet/services/v3/ManageDeviceService", Basic("a", "b"), "Basic YTpi"},
		{"https://fno.example/", "https://fno.example/flexnet/services/v3/ManageDeviceService", SOAPHeader("a", "b"), ""},
		{"http://h/prefix", "http://h/prefix/flexnet/services/v3/ManageDeviceService", Bearer("t"), "Bearer t"},
	}
	for _, c := range cases {
		req, err := NewRequest(context.Background(), c.base, searchOp, samplePayload(), c.creds)
		if err != nil {
			t.Fatal(err)
		}
		if req.Method != "POST" || req.URL.String() != c.wantURL {
			t.Errorf("%s %s, want POST %s", req.Method, req.URL, c.wantURL)
		}
		if req.Header.Get("Content-Type") != "text/xml; charset=utf-8" || req.Header.Get("SOAPAction") != `""` {
			t.Errorf("headers %v", req.Header)
		}
		if got := req.Header.Get("Authorization"); got != c.wantAuth {
			t.Errorf("Authorization %q, want %q", got, c.wantAuth)
		}
		body, _ := io.ReadAll(req.Body)
		if req.ContentLength != int64(len(body)) {
			t.Errorf("ContentLength %d for %d bytes", req.ContentLength, len(body))
		}
		resp, err := Parse(bytes.NewReader(body), xmltree.Limits{})
		if err != nil || !xmltree.Equal(resp.Payload, samplePayload()) {
			t.Errorf("body does not carry the payload: %v", err)
		}
	}
	_, err := NewRequest(context.Background(), "http://user:hunter2@[::1", searchOp, samplePayload(), Credentials{})
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("bad URL: %v", err)
	}
	if _, err := NewRequest(context.Background(), "http://h", contract.Operation{}, samplePayload(), Credentials{}); err == nil {
		t.Error("operation without service accepted")
	}
}

func TestPayloadFromWSDLOperation(t *testing.T) {
	t.Parallel()
	n, err := Payload(wsdl.Operation{Name: "searchDevices", Input: xmltree.Name{Space: nsV3Device, Local: "searchDevicesRequest"}})
	if err != nil || n.Name.Local != "searchDevicesRequest" || n.Name.Space != nsV3Device {
		t.Errorf("Payload = %v, %v", n, err)
	}
	if _, err := Payload(wsdl.Operation{Name: "x"}); err == nil {
		t.Error("operation without input element accepted")
	}
}

func TestQualify(t *testing.T) {
	t.Parallel()
	in := &xmltree.Node{Name: xmltree.Name{Local: "a"}, Attrs: []xmltree.Attr{{Name: xmltree.Name{Local: "id"}, Value: "1"}},
		Children: []*xmltree.Node{{Name: xmltree.Name{Local: "b"}}, {Name: xmltree.Name{Space: "urn:other", Local: "c"}}}}
	out := Qualify(in, "urn:x")
	if out.Name.Space != "urn:x" || out.Children[0].Name.Space != "urn:x" || out.Children[1].Name.Space != "urn:other" || out.Attrs[0].Name.Space != "" {
		t.Errorf("Qualify gave %s", xmltree.Canonical(out))
	}
	if in.Name.Space != "" {
		t.Error("Qualify edited its input")
	}
}

func BenchmarkMarshal(b *testing.B) {
	p := samplePayload()
	creds := SOAPHeader("admin", "admin")
	b.Run("tree", func(b *testing.B) {
		for b.Loop() {
			if _, err := Marshal(searchOp, p, creds); err != nil {
				b.Fatal(err)
			}
		}
	})
	raw := []byte(sampleBytes)
	b.Run("bytes", func(b *testing.B) {
		for b.Loop() {
			if _, err := Marshal(searchOp, raw, creds); err != nil {
				b.Fatal(err)
			}
		}
	})
}
