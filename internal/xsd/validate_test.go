package xsd

import (
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/lestrrat-go/libxml2"
	"github.com/lestrrat-go/libxml2/clib"
	"github.com/lestrrat-go/libxml2/types"
)

func TestValidatePayload(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, "testdata/devices/devices.xsd")
	good := device{id: "ABC-1234", status: "SUCCESS", count: "3", alias: "rack-1", served: "true"}
	dev := func(mod func(*device)) device { d := good; mod(&d); return d }
	inv := contract.RuleXSDInvalid
	cases := []struct {
		name string
		doc  string
		want []string
	}{
		{"valid", devicesDoc("SUCCESS", good, good, good), nil},
		{"valid without data", devicesDoc("FAILURE"), nil},
		{"enumeration", devicesDoc("MAYBE"), []string{inv + "@/searchDevicesResponse/statusInfo/status"}},
		{"pattern in third device", devicesDoc("SUCCESS", good, good, dev(func(d *device) { d.id = "abc" })),
			[]string{inv + "@/searchDevicesResponse/responseData/deviceQueryResponse[3]/deviceId"}},
		{"single device has no index", devicesDoc("SUCCESS", dev(func(d *device) { d.count = "many" })),
			[]string{inv + "@/searchDevicesResponse/responseData/deviceQueryResponse/count"}},
		{"attribute", devicesDoc("SUCCESS", good, dev(func(d *device) { d.served = "perhaps" })),
			[]string{inv + "@/searchDevicesResponse/responseData/deviceQueryResponse[2]/@served"}},
		{"max length", devicesDoc("SUCCESS", dev(func(d *device) { d.alias = "much-too-long-alias" })),
			[]string{inv + "@/searchDevicesResponse/responseData/deviceQueryResponse/alias"}},
		{"unexpected element", devicesDoc("SUCCESS", good, dev(func(d *device) { d.extra = "<d:bogus/>" })),
			[]string{inv + "@/searchDevicesResponse/responseData/deviceQueryResponse[2]/bogus"}},
		{"two problems", devicesDoc("MAYBE", dev(func(d *device) { d.id = "x" })),
			[]string{inv + "@/searchDevicesResponse/statusInfo/status", inv + "@/searchDevicesResponse/responseData/deviceQueryResponse/deviceId"}},
		{"undeclared root", `<d:getDevices xmlns:d="urn:fnokit:test:devices"/>`, []string{contract.RuleXSDUnknownElement + "@/getDevices"}},
		{"wrong namespace", `<searchDevicesResponse xmlns="urn:other"/>`, []string{contract.RuleXSDUnknownElement + "@/searchDevicesResponse"}},
		{"malformed", `<a><b></a>`, []string{contract.RuleXMLMalformed + "@"}},
		{"empty", ``, []string{contract.RuleXMLMalformed + "@"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fs, err := s.ValidatePayload([]byte(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := ruleLocs(fs); !equalStrings(got, c.want) {
				t.Errorf("findings %v, want %v\n%v", got, c.want, fs)
			}
			for _, f := range fs {
				if f.Message == "" || f.Severity != contract.Error {
					t.Errorf("finding without message or not an error: %+v", f)
				}
			}
		})
	}
}

func TestValidateEnvelope(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, "testdata/devices/devices.xsd")
	good := devicesDoc("SUCCESS", device{id: "ABC-1234", status: "SUCCESS"})
	bad := devicesDoc("NOPE")
	cases := []struct {
		name string
		doc  string
		auto bool // also run through Validate (auto-detect)
		want []string
	}{
		{"soapenv prefix", envelope("soapenv", good), true, nil},
		{"S prefix", envelope("S", good), true, nil},
		{"default namespace", strings.ReplaceAll(strings.ReplaceAll(envelope("X", good), "X:", ""), "xmlns:X=", "xmlns="), true, nil},
		{"invalid payload", envelope("soap", bad), true, []string{contract.RuleXSDInvalid + "@/searchDevicesResponse/statusInfo/status"}},
		{"unknown payload", envelope("soap", `<x:fault xmlns:x="urn:x"/>`), true, []string{contract.RuleXSDUnknownElement + "@/fault"}},
		{"not an envelope", good, false, []string{contract.RuleSOAPNoEnvelope + "@/searchDevicesResponse"}},
		{"SOAP 1.2 is not 1.1", strings.Replace(envelope("e", good), "http://schemas.xmlsoap.org/soap/envelope/", "http://www.w3.org/2003/05/soap-envelope", 1), false,
			[]string{contract.RuleSOAPNoEnvelope + "@/Envelope"}},
		{"no body", `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Header/></e:Envelope>`, true, []string{contract.RuleSOAPNoBody + "@/Envelope"}},
		{"empty body", envelope("e", "  <!-- nothing -->  "), true, []string{contract.RuleSOAPNoBody + "@/Envelope/Body"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fs, err := s.ValidateEnvelope([]byte(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := ruleLocs(fs); !equalStrings(got, c.want) {
				t.Errorf("ValidateEnvelope: findings %v, want %v", got, c.want)
			}
			if !c.auto {
				return
			}
			fs, err = s.Validate([]byte(c.doc))
			if err != nil {
				t.Fatal(err)
			}
			if got := ruleLocs(fs); !equalStrings(got, c.want) {
				t.Errorf("Validate: findings %v, want %v", got, c.want)
			}
		})
	}
	// Auto-detection validates a bare payload as itself.
	fs, err := s.Validate([]byte(good))
	if err != nil || len(fs) != 0 {
		t.Errorf("Validate(bare valid payload): %v, %v", fs, err)
	}
}

// No finding ever carries a value from the payload, whatever libxml2 put
// in its message.
func TestFindingsNeverEchoValues(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, "testdata/devices/devices.xsd")
	const secret = "hunter2-S3cr3t"
	docs := []string{
		devicesDoc(secret),
		devicesDoc("SUCCESS", device{id: secret, status: "SUCCESS"}),
		devicesDoc("SUCCESS", device{id: "ABC-1234", status: secret}),
		devicesDoc("SUCCESS", device{id: "ABC-1234", status: "SUCCESS", count: secret}),
		devicesDoc("SUCCESS", device{id: "ABC-1234", status: "SUCCESS", alias: secret}),
		devicesDoc("SUCCESS", device{id: "ABC-1234", status: "SUCCESS", served: secret}),
		// A value dressed up as the end of libxml2's own message.
		devicesDoc("SUCCESS", device{id: secret + "' is not accepted by the pattern 'x", status: "SUCCESS"}),
		devicesDoc("SUCCESS", device{id: "'" + secret + "'", status: "SUCCESS", count: " " + secret + " "}),
		devicesDoc("SUCCESS", device{id: "ABC-1234", status: "SUCCESS", extra: "<d:" + "bogus>" + secret + "</d:bogus>"}),
		`<d:searchDevicesResponse xmlns:d="urn:fnokit:test:devices">` + secret + `</d:searchDevicesResponse>`,
		`<` + "a" + `>` + secret + `</b>`,
		"<a>" + secret + "\xff</a>",
	}
	for i, doc := range docs {
		for _, f := range []func([]byte) (contract.Findings, error){s.ValidatePayload, s.Validate} {
			fs, err := f([]byte(doc))
			if err != nil {
				t.Fatalf("doc %d: %v", i, err)
			}
			if len(fs) == 0 {
				t.Errorf("doc %d: no finding for an invalid document", i)
			}
			for _, f := range fs {
				if strings.Contains(f.String(), "S3cr3t") || strings.Contains(f.String(), "hunter2") {
					t.Errorf("doc %d: finding echoes the value: %s", i, f)
				}
			}
		}
	}
}

func TestFindingsAreCapped(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, "testdata/devices/devices.xsd", WithLimits(Limits{MaxFindings: 5}))
	devs := make([]device, 12)
	for i := range devs {
		devs[i] = device{id: "bad", status: "SUCCESS"}
	}
	fs, err := s.ValidatePayload([]byte(devicesDoc("SUCCESS", devs...)))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 6 {
		t.Fatalf("got %d findings, want 5 and a final note: %v", len(fs), fs)
	}
	last := fs[5]
	if last.Rule != contract.RuleXSDInvalid || !strings.Contains(last.Message, "7 more") {
		t.Errorf("final note %q does not say how many more", last.Message)
	}
	if fs[4].Location != "/searchDevicesResponse/responseData/deviceQueryResponse[5]/deviceId" {
		t.Errorf("fifth finding at %s", fs[4].Location)
	}
}

func TestClosedSchema(t *testing.T) {
	t.Parallel()
	s, err := CompileFile("testdata/devices/devices.xsd")
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close() // twice is harmless
	if _, err := s.ValidatePayload([]byte(devicesDoc("SUCCESS"))); err != ErrClosed {
		t.Errorf("validate after Close: %v, want ErrClosed", err)
	}
}

// A caller holding a lestrrat-go/libxml2 document validates one element.
func TestValidateElement(t *testing.T) {
	t.Parallel()
	s := mustCompile(t, "testdata/devices/devices.xsd")
	for _, c := range []struct {
		doc  string
		want []string
	}{
		{devicesDoc("SUCCESS"), nil},
		{devicesDoc("NOPE"), []string{contract.RuleXSDInvalid + "@/searchDevicesResponse/statusInfo/status"}},
	} {
		doc, err := libxml2.ParseString(envelope("soap", c.doc))
		if err != nil {
			t.Fatal(err)
		}
		// Envelope → Body (after Header) → payload. (Not lestrrat's XPath:
		// it trips -race's checkptr.)
		env, err := doc.DocumentElement()
		if err != nil {
			t.Fatal(err)
		}
		var payload types.Node
		parts, _ := env.ChildNodes()
		for _, p := range parts {
			if p.NodeName() == "soap:Body" {
				kids, _ := p.ChildNodes()
				for _, k := range kids {
					if k.NodeType() == clib.ElementNode {
						payload = k
						break
					}
				}
			}
		}
		if payload == nil {
			t.Fatal("no payload element found")
		}
		fs, err := s.ValidateElement(payload)
		doc.Free()
		if err != nil {
			t.Fatal(err)
		}
		if got := ruleLocs(fs); !equalStrings(got, c.want) {
			t.Errorf("findings %v, want %v", got, c.want)
		}
	}
	if _, err := s.ValidateElement(nil); err == nil {
		t.Error("ValidateElement(nil) did not fail")
	}
}
