package redact

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

// Secrets used across tests; every test proves none of them survives.
const (
	jwt       = "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE1NTcwOTEwOTl9.PMMvCRlOkTCtS1pDIKzEHIvEjIctvc5RrN2keQCU5AUp"
	basicCred = "YWRtaW46czNjcjN0UGFzcw==" // admin:s3cr3tPass
	fnoCred   = "cmVnaXN0cnlzZXJ2aWNldXNlckByZXZlbmVyYS5jb206cGFzc3dvcmQ="
)

func TestIsSecretName(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"UserPassword": true, "plat:UserPassword": true, "password": true, "Password": true,
		"newPassword": true, "secret": true, "client_secret": true, "token": true, "Token": true,
		"secureToken": true, "accessToken": true, "access_token": true, "refresh-token": true,
		"jwt": true, "apiKey": true, "API_KEY": true, "authorization": true,
		// FNO names that only look like secrets must stay readable.
		"primaryKeys": false, "webRegKey": false, "trustedKey": false, "deviceSortKey": false,
		"tokenTimeoutSeconds": false, "getSecureToken_x": false, "licenseText": false,
		"deviceId": false, "userId": false, "": false, "tokenType": false,
	}
	for name, want := range cases {
		if got := IsSecretName(name); got != want {
			t.Errorf("IsSecretName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestHeader(t *testing.T) {
	t.Parallel()
	h := http.Header{
		"Authorization":       {"Basic " + basicCred},
		"Proxy-Authorization": {"Bearer " + jwt},
		"Cookie":              {"JSESSIONID=abc123; other=x9"},
		"Set-Cookie":          {"JSESSIONID=abc123; Path=/flexnet; HttpOnly"},
		"X-Api-Key":           {"k-123456"},
		"X-Auth-Token":        {"t-7890"},
		"X-Session-Id":        {"s-4242"},
		"Content-Type":        {"text/xml; charset=utf-8"},
		"Soapaction":          {`"searchDevices"`},
		"Referer":             {"https://u:hunter22@x.example/?token=zz9"},
	}
	got := Header(h)
	want := map[string]string{
		"Authorization":       "Basic [REDACTED]",
		"Proxy-Authorization": "Bearer [REDACTED]",
		"Cookie":              "JSESSIONID=[REDACTED]; other=[REDACTED]",
		"Set-Cookie":          "JSESSIONID=[REDACTED]; Path=/flexnet; HttpOnly",
		"X-Api-Key":           Marker,
		"X-Auth-Token":        Marker,
		"X-Session-Id":        Marker,
		"Content-Type":        "text/xml; charset=utf-8",
		"Soapaction":          `"searchDevices"`,
		"Referer":             "https://u:%5BREDACTED%5D@x.example/?token=%5BREDACTED%5D",
	}
	for k, w := range want {
		if g := got.Get(k); g != w {
			t.Errorf("%s: got %q, want %q", k, g, w)
		}
	}
	if h.Get("Authorization") != "Basic "+basicCred {
		t.Error("Header modified its input")
	}
	for _, tc := range []struct{ in, want string }{
		{"Fno " + fnoCred, "Fno [REDACTED]"},
		{jwt, Marker}, // Data Access API: bare JWT
		{"", ""},
		{"weird:value with spaces", Marker},
	} {
		if g := HeaderValue("authorization", tc.in); g != tc.want {
			t.Errorf("HeaderValue(authorization, %q) = %q, want %q", tc.in, g, tc.want)
		}
	}
}

func TestURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"https://fno.example.com/flexnet/services/v3/ManageDeviceService", "https://fno.example.com/flexnet/services/v3/ManageDeviceService"},
		{"https://admin:s3cret@fno.example.com/flexnet", "https://admin:%5BREDACTED%5D@fno.example.com/flexnet"},
		{"https://fno.example.com/a?b=1&token=abc&Access_Token=def&c=2", "https://fno.example.com/a?b=1&token=%5BREDACTED%5D&Access_Token=%5BREDACTED%5D&c=2"},
		{"https://x.example/cb#access_token=abc&state=1", "https://x.example/cb#access_token=%5BREDACTED%5D&state=1"},
		{"https://x.example/dl?sig=QWxhZGRpbjpvcGVu&se=2030", "https://x.example/dl?sig=%5BREDACTED%5D&se=2030"},
		{"https://x.example/p/" + jwt, "https://x.example/p/" + Marker},
		{"://bad url with password=x", "://bad url with password=x"},
	}
	for _, c := range cases {
		if got := URL(c.in); got != c.want {
			t.Errorf("URL(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
		if _, err := url.Parse(URL(c.in)); err != nil && !strings.HasPrefix(c.in, "://") {
			t.Errorf("URL(%q) no longer parses: %v", c.in, err)
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"Authorization: Basic " + basicCred, "Authorization: Basic [REDACTED]"},
		{"header was Bearer " + jwt + " ok", "header was Bearer [REDACTED] ok"},
		{"token " + jwt, "token " + Marker},
		{"use Fno " + fnoCred, "use Fno [REDACTED]"},
		{"login failed: password=hunter2, user=bob", "login failed: password=[REDACTED], user=bob"},
		{`{"client_secret": "abc"}`, `{"client_secret": "[REDACTED]"}`},
		{"call https://u:p4ss@h.example/x?api_key=1", "call https://u:%5BREDACTED%5D@h.example/x?api_key=%5BREDACTED%5D"},
		{"cookie: a=b; c=d", "cookie: a=[REDACTED]; c=[REDACTED]"},
		// Prose about authentication is left alone.
		{"Basic authentication failed; send a Bearer token", "Basic authentication failed; send a Bearer token"},
		{"element UserPassword is missing", "element UserPassword is missing"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestXMLEnvelope(t *testing.T) {
	t.Parallel()
	in, err := os.ReadFile("testdata/login-envelope.xml")
	if err != nil {
		t.Fatal(err)
	}
	out, res := XML(in)
	if res.Fallback {
		t.Fatalf("structural pass failed: %s", res.Reason)
	}
	for _, secret := range []string{"czNjcjN0UGFzcw==", basicCred, "pa55word", "abcDEF123"} {
		if bytes.Contains(out, []byte(secret)) {
			t.Errorf("secret %q survived:\n%s", secret, out)
		}
	}
	for _, keep := range []string{
		"<plat:UserPassword>[REDACTED]</plat:UserPassword>",
		"<plat:UserId>admin</plat:UserId>",
		"<v3:deviceId>DEV-0001</v3:deviceId>",
		"<v3:name>keep-me</v3:name>",
		"keep=1",
		`xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"`,
		"Authorization: Basic [REDACTED]",
	} {
		if !bytes.Contains(out, []byte(keep)) {
			t.Errorf("output lost %q:\n%s", keep, out)
		}
	}
	wellFormed(t, out)
	if res.Redacted < 3 {
		t.Errorf("Redacted = %d, want at least 3", res.Redacted)
	}
}

func TestXMLCases(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
		fallback       bool
	}{
		{"no prefix", `<a><password>x1</password></a>`, `<a><password>[REDACTED]</password></a>`, false},
		{"odd prefix", `<zz9:Envelope xmlns:zz9="u"><q_1:UserPassword xmlns:q_1="p">pw</q_1:UserPassword></zz9:Envelope>`,
			`<zz9:Envelope xmlns:zz9="u"><q_1:UserPassword xmlns:q_1="p">[REDACTED]</q_1:UserPassword></zz9:Envelope>`, false},
		{"undeclared prefix", `<x:a><y:token>t</y:token></x:a>`, `<x:a><y:token>[REDACTED]</y:token></x:a>`, false},
		{"empty element", `<a><UserPassword/><token></token></a>`, `<a><UserPassword/><token></token></a>`, false},
		{"children", `<a><secureToken><v>1</v><w>2</w></secureToken><b>ok</b></a>`, `<a><secureToken>[REDACTED]</secureToken><b>ok</b></a>`, false},
		{"cdata", `<a><Password><![CDATA[p<w]]></Password></a>`, `<a><Password>[REDACTED]</Password></a>`, false},
		{"attribute", `<a password='x"y' keep="1"/>`, `<a password="[REDACTED]" keep="1"/>`, false},
		{"bearer in text", `<a><note>Bearer ` + jwt + `</note></a>`, `<a><note>Bearer [REDACTED]</note></a>`, false},
		{"keeps non-secret", `<a><primaryKeys><key>k</key></primaryKeys></a>`, `<a><primaryKeys><key>k</key></primaryKeys></a>`, false},
		{"broken: unclosed", `<a><UserPassword>pw1</UserPassword><b>`, `<a><UserPassword>[REDACTED]</UserPassword><b>`, true},
		{"broken: mismatched", `<a><p:token>t0k3n</p:token></b>`, `<a><p:token>[REDACTED]</p:token></b>`, true},
		{"broken: truncated cdata", `<a><password><![CDATA[pw`, `<a><password>[REDACTED]`, true},
		{"broken: tags inside cdata", `<password><![CDATA[<b a='1'>pw</b>`, `<password>[REDACTED]`, true},
		{"broken: entity", `<a><password>&bad;pw</password></a>`, `<a><password>[REDACTED]</password></a>`, true},
		{"broken: attribute", `<a token="t0k" <`, `<a token="[REDACTED]" <`, true},
		{"not xml", `hello Basic ` + basicCred, `hello Basic [REDACTED]`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, res := XML([]byte(c.in))
			if string(got) != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if res.Fallback != c.fallback {
				t.Errorf("Fallback = %v (%s), want %v", res.Fallback, res.Reason, c.fallback)
			}
			if res.Fallback && res.Reason == "" {
				t.Error("fallback without a reason")
			}
			if !c.fallback {
				wellFormed(t, got)
			}
		})
	}
}

func TestJSONCases(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
		fallback       bool
	}{
		{"flat", `{"user":"bob","password":"hunter2"}`, `{"user":"bob","password":"[REDACTED]"}`, false},
		{"case and separators", `{"AccessToken":"a","refresh_token":"b","JWT":"c","apiKey":"d","Authorization":"e"}`,
			`{"AccessToken":"[REDACTED]","refresh_token":"[REDACTED]","JWT":"[REDACTED]","apiKey":"[REDACTED]","Authorization":"[REDACTED]"}`, false},
		{"non-string values", `{"secret": {"a": [1, 2]}, "token": 12345, "n": 1.50}`, `{"secret": "[REDACTED]", "token": "[REDACTED]", "n": 1.50}`, false},
		{"null and empty kept", `{"token":null,"password":""}`, `{"token":null,"password":""}`, false},
		{"nested arrays", "{\n  \"items\": [{\"id\": 1, \"token\": \"x\"}, {\"id\": 2}],\n  \"tokenType\": \"Bearer\"\n}",
			"{\n  \"items\": [{\"id\": 1, \"token\": \"[REDACTED]\"}, {\"id\": 2}],\n  \"tokenType\": \"Bearer\"\n}", false},
		{"jwt in string", `{"header":"Bearer ` + jwt + `","url":"https://h.example/?password=p"}`,
			`{"header":"Bearer [REDACTED]","url":"https://h.example/?password=%5BREDACTED%5D"}`, false},
		{"escaped strings", `{"a":"x\"y","b":"\\","note":"Basic ` + basicCred + `"}`, `{"a":"x\"y","b":"\\","note":"Basic [REDACTED]"}`, false},
		{"top-level array", `[{"jwt":"j"}]`, `[{"jwt":"[REDACTED]"}]`, false},
		{"broken: truncated", `{"password":"hunter2","x":`, `{"password":"[REDACTED]","x":`, true},
		{"broken: unquoted value", `{"token": abc, "a": 1`, `{"token": "[REDACTED]", "a": 1`, true},
		{"broken: trailing", `{"a":1} {"secret":"s"}`, `{"a":1} {"secret":"[REDACTED]"}`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, res := JSON([]byte(c.in))
			if string(got) != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
			if res.Fallback != c.fallback {
				t.Errorf("Fallback = %v (%s), want %v", res.Fallback, res.Reason, c.fallback)
			}
			if !c.fallback && !json.Valid(got) {
				t.Errorf("output is not valid JSON: %s", got)
			}
		})
	}
}

func TestBodySniffs(t *testing.T) {
	t.Parallel()
	cases := []struct{ ct, in, want string }{
		{"text/xml; charset=utf-8", `<a><token>t</token></a>`, `<a><token>[REDACTED]</token></a>`},
		{"application/soap+xml", `<a><token>t</token></a>`, `<a><token>[REDACTED]</token></a>`},
		{"application/json", `{"token":"t"}`, `{"token":"[REDACTED]"}`},
		{"", ` {"token":"t"}`, ` {"token":"[REDACTED]"}`},
		{"", `<a token="t"/>`, `<a token="[REDACTED]"/>`},
		{"application/x-www-form-urlencoded", `user=a&password=b`, `user=a&password=%5BREDACTED%5D`},
		{"text/plain", `password=b`, `password=[REDACTED]`},
	}
	for _, c := range cases {
		if got, _ := Body(c.ct, []byte(c.in)); string(got) != c.want {
			t.Errorf("Body(%q, %q) = %q, want %q", c.ct, c.in, got, c.want)
		}
	}
}

func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("output is not well-formed: %v\n%s", err, b)
		}
	}
}

// FuzzXML checks that no input makes XML panic and that a secret element's
// content never survives the structural pass.
func FuzzXML(f *testing.F) {
	seed, _ := os.ReadFile("testdata/login-envelope.xml")
	f.Add(seed, "pw")
	f.Add([]byte(`<a><b:password>`), "x")
	f.Add([]byte(`<a x:token='1'><![CDATA[`), "y")
	f.Fuzz(func(t *testing.T, doc []byte, secret string) {
		XML(doc)
		if len(secret) < 4 || strings.ContainsAny(secret, "<>&\"'\r\n]") || strings.Contains("[REDACTED]", secret) {
			return
		}
		wrapped := append([]byte("<r><p:UserPassword xmlns:p=\"u\">"+secret+"</p:UserPassword>"), []byte("</r>")...)
		out, _ := XML(wrapped)
		if bytes.Contains(out, []byte(secret)) {
			t.Fatalf("secret survived: %s", out)
		}
	})
}

// FuzzJSON checks that no input makes JSON panic and that valid JSON stays
// valid.
func FuzzJSON(f *testing.F) {
	f.Add([]byte(`{"password":"x","a":[1,{"token":2}]}`))
	f.Add([]byte(`{"a":"\u00e9\\\"","b":`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		out, res := JSON(doc)
		if json.Valid(doc) && !res.Fallback && !json.Valid(out) {
			t.Fatalf("valid input became invalid:\n in %s\nout %s", doc, out)
		}
	})
}

func BenchmarkXMLEnvelope(b *testing.B) {
	in, err := os.ReadFile("testdata/login-envelope.xml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		XML(in)
	}
}

func BenchmarkXMLFallback(b *testing.B) {
	in, err := os.ReadFile("testdata/login-envelope.xml")
	if err != nil {
		b.Fatal(err)
	}
	in = in[:len(in)-30] // truncated: structural pass fails
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		XML(in)
	}
}

// bigResponse is a searchDevices-like response with n devices, the shape of
// FNO's largest read batches (2000 records).
func bigResponse(n int) []byte {
	var b strings.Builder
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><searchDevicesResponse xmlns="urn:v3.fne.webservices.operations.flexnet.com"><responseData>`)
	for i := 0; i < n; i++ {
		b.WriteString(`<deviceData><deviceIdentifier><deviceId>DEV-000001</deviceId><deviceType>SERVER</deviceType></deviceIdentifier><status>ACTIVE</status><hostTypeName>FLEX_ID</hostTypeName><description>seeded device for load tests</description></deviceData>`)
	}
	b.WriteString(`</responseData></searchDevicesResponse></soapenv:Body></soapenv:Envelope>`)
	return []byte(b.String())
}

func BenchmarkXMLLarge(b *testing.B) {
	in := bigResponse(2000)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		XML(in)
	}
}
