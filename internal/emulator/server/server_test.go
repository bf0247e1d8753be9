package server

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/schemas"
)

func TestNewNeedsCredentialsAndParts(t *testing.T) {
	t.Parallel()
	reg := op.NewRegistry()
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no registry", Config{Project: testProjector, User: "u", Password: "p"}, "registry"},
		{"no projection", Config{Registry: reg, User: "u", Password: "p"}, "projection"},
		{"no user", Config{Registry: reg, Project: testProjector, Password: "p"}, "user and a password"},
		{"no password", Config{Registry: reg, Project: testProjector, User: "u"}, "user and a password"},
		{"bad fault rule", Config{Registry: reg, Project: testProjector, User: "u", Password: "p",
			Faults: Faults{Rules: []FaultRule{{Drift: "sideways"}}}}, "drift"},
	}
	for _, c := range cases {
		_, err := New(c.cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

func TestSecretNeverPrints(t *testing.T) {
	t.Parallel()
	cfg := Config{User: "admin", Password: "hunter2"}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		if out := fmt.Sprintf(verb, cfg); strings.Contains(out, "hunter2") || strings.Contains(out, fmt.Sprintf("%x", "hunter2")) {
			t.Errorf("%s prints the password: %s", verb, out)
		}
	}
	b, _ := json.Marshal(cfg)
	if strings.Contains(string(b), "hunter2") {
		t.Errorf("JSON carries the password: %s", b)
	}
}

// Every endpoint of every service version serves its WSDL with the
// caller's scheme and host in soap:address.
func TestWSDLEveryEndpoint(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil, nil)
	services, err := schemas.Services()
	if err != nil {
		t.Fatal(err)
	}
	loc := regexp.MustCompile(`address location="([^"]*)"`)
	n := 0
	for _, svc := range services {
		for _, v := range svc.Versions {
			n++
			for _, q := range []string{"?wsdl", "?WSDL"} {
				req, _ := http.NewRequest(http.MethodGet, ts.http.URL+v.Endpoint+q, nil)
				req.Host = "fno.example.test:8443"
				req.Header.Set("X-Forwarded-Proto", "https")
				resp, body := do(t, req)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s%s: status %d", v.Endpoint, q, resp.StatusCode)
				}
				if !wsdl.IsWSDL(body) {
					t.Fatalf("%s%s: not a WSDL", v.Endpoint, q)
				}
				if _, err := wsdl.Parse(body); err != nil {
					t.Fatalf("%s%s: served WSDL does not parse: %v", v.Endpoint, q, err)
				}
				ms := loc.FindAllSubmatch(body, -1)
				if len(ms) == 0 {
					t.Fatalf("%s: no soap:address", v.Endpoint)
				}
				for _, m := range ms {
					if want := "https://fno.example.test:8443" + v.Endpoint; string(m[1]) != want {
						t.Errorf("%s: soap:address %s, want %s", v.Endpoint, m[1], want)
					}
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d service versions; the index looks wrong", n)
	}
}

func TestWSDLHostIsNotInjected(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil, nil)
	req, _ := http.NewRequest(http.MethodGet, ts.http.URL+v7.Endpoint()+"?wsdl", nil)
	req.Host = `evil"><x`
	_, body := do(t, req)
	// Go's client refuses such a Host header, or our check replaces it;
	// either way no markup may arrive in the document.
	if bytes.Contains(body, []byte(`evil"`)) {
		t.Error("a hostile Host header reached the WSDL")
	}
}

func TestListing(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil, nil)
	services, _ := schemas.Services()

	req, _ := http.NewRequest(http.MethodGet, ts.http.URL+ListingPath, nil)
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("listing: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	total := 0
	for _, svc := range services {
		for _, v := range svc.Versions {
			total++
			mustContain(t, "listing", string(body), ts.http.URL+v.Endpoint+"?wsdl")
		}
	}

	req.Header.Set("Accept", "application/json")
	_, body = do(t, req)
	var rows []listedEndpoint
	if err := json.Unmarshal(body, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != total {
		t.Errorf("JSON listing has %d endpoints, want %d", len(rows), total)
	}
	if got := len(ts.Endpoints()); got != total {
		t.Errorf("Endpoints() has %d, want %d", got, total)
	}
}

func TestRoutingStatuses(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil, nil)
	cases := []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/nowhere", http.StatusNotFound},
		{http.MethodGet, "/flexnet/services/v99/ManageDeviceService", http.StatusNotFound},
		{http.MethodGet, v7.Endpoint(), http.StatusOK},
		{http.MethodDelete, v7.Endpoint(), http.StatusMethodNotAllowed},
		{http.MethodPost, ListingPath, http.StatusMethodNotAllowed},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, ts.http.URL+c.path, nil)
		resp, _ := do(t, req)
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, resp.StatusCode, c.status)
		}
	}
}

// The answer to a good call is an envelope valid for the version asked,
// with either authentication style.
func TestCallValidatesAgainstVersion(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []*op.Call
	ts := newTestServer(t, func(r *op.Registry) {
		r.Handle("ManageDeviceService", "countDevices", func(ctx context.Context, c *op.Call) (map[string]any, error) {
			mu.Lock()
			seen = append(seen, c)
			mu.Unlock()
			return countHandler(ctx, c)
		})
	}, nil)
	for _, version := range []contract.Version{"v3", "v4", "v7"} {
		o := contract.Operation{Service: "ManageDeviceService", Version: version, Name: "countDevices"}
		for _, creds := range []soap.Credentials{soap.Basic(testUser, testPassword), soap.SOAPHeader(testUser, testPassword)} {
			payload := `<urn:countDevicesRequest/>`
			body := envelope(t, o, payload, creds)
			req, _ := http.NewRequest(http.MethodPost, ts.http.URL+o.Endpoint(), bytes.NewReader(body))
			creds.Apply(req)
			resp, got := do(t, req)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s %s: status %d\n%s", o, creds.Style, resp.StatusCode, got)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/xml; charset=utf-8" {
				t.Errorf("%s: Content-Type %q", o, ct)
			}
			fs, err := schemaOf(t, o.Service, version.String()).ValidateEnvelope(got)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 0 {
				t.Errorf("%s: response breaks the schema: %v\n%s", o, fs, got)
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 6 {
		t.Fatalf("handler called %d times, want 6", len(seen))
	}
	for _, c := range seen {
		if c.User != testUser || c.Request == nil || c.Now.IsZero() || c.Op.Name != "countDevices" {
			t.Errorf("call not filled in: %+v", c)
		}
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t, nil, nil)
	payload := `<urn:countDevicesRequest/>`
	headerStyle := func(user, b64pass string) []byte {
		return []byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="` + v7.Namespace() +
			`"><soapenv:Header><flex:UserId xmlns:flex="urn:com.macrovision:flexnet/platform">` + user +
			`</flex:UserId><flex:UserPassword xmlns:flex="urn:com.macrovision:flexnet/platform">` + b64pass +
			`</flex:UserPassword></soapenv:Header><soapenv:Body>` + payload + `</soapenv:Body></soapenv:Envelope>`)
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	cases := []struct {
		name      string
		body      []byte
		auth      string // Authorization header
		status    int
		challenge bool
		problem   string
	}{
		{"none", envelope(t, v7, payload, soap.Credentials{}), "", 401, true, ""},
		{"basic wrong password", envelope(t, v7, payload, soap.Credentials{}), resttest.Basic(testUser, "nope"), 401, true, ""},
		{"basic wrong user", envelope(t, v7, payload, soap.Credentials{}), resttest.Basic("root", testPassword), 401, true, ""},
		{"basic password prefix", envelope(t, v7, payload, soap.Credentials{}), resttest.Basic(testUser, testPassword[:4]), 401, true, ""},
		{"basic malformed", envelope(t, v7, payload, soap.Credentials{}), "Basic !!!", 401, true, ""},
		{"bearer", envelope(t, v7, payload, soap.Credentials{}), "Bearer abc", 401, true, ""},
		{"basic right", envelope(t, v7, payload, soap.Credentials{}), resttest.Basic(testUser, testPassword), 200, false, ""},
		{"header right", headerStyle(testUser, b64(testPassword)), "", 200, false, ""},
		{"password entry named Password", []byte(strings.ReplaceAll(string(headerStyle(testUser, b64(testPassword))), "UserPassword", "Password")), "", 200, false, ""},
		{"header wrong password", headerStyle(testUser, b64("nope")), "", 500, false, ProblemAuth},
		{"header wrong user", headerStyle("root", b64(testPassword)), "", 500, false, ProblemAuth},
		{"header password not base64", headerStyle(testUser, testPassword+"!"), "", 500, false, ProblemAuth},
		{"header password in clear", headerStyle(testUser, testPassword), "", 500, false, ProblemAuth},
		{"header without password", []byte(strings.ReplaceAll(string(headerStyle(testUser, "")), "UserPassword", "Other")), "", 500, false, ProblemAuth},
		{"basic decides over header", headerStyle(testUser, b64("nope")), resttest.Basic(testUser, testPassword), 200, false, ""},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPost, ts.http.URL+v7.Endpoint(), bytes.NewReader(c.body))
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, body := do(t, req)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d\n%s", c.name, resp.StatusCode, c.status, body)
			continue
		}
		ch := resp.Header.Get("WWW-Authenticate")
		if c.challenge != strings.HasPrefix(ch, `Basic realm="`) {
			t.Errorf("%s: WWW-Authenticate %q", c.name, ch)
		}
		if c.problem != "" {
			_, problem, _ := parseFault(t, body)
			if problem != c.problem {
				t.Errorf("%s: problem %q, want %q", c.name, problem, c.problem)
			}
		}
		if strings.Contains(string(body), testPassword) || strings.Contains(string(body), b64(testPassword)) {
			t.Errorf("%s: the answer carries the password", c.name)
		}
	}
}

// Hostile and broken requests get a fault (or 413) naming the problem, and
// never quote what was sent.
func TestHardening(t *testing.T) {
	t.Parallel()
	const max = 4 << 10
	ts := newTestServer(t, nil, func(c *Config) { c.MaxBody = max; c.MaxDepth = 32 })
	const marker = "PAYLOADVALUE123"
	wrap := func(inner string) []byte {
		return []byte(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:urn="` +
			v7.Namespace() + `"><soapenv:Body>` + inner + `</soapenv:Body></soapenv:Envelope>`)
	}
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>` +
		string(wrap(`<urn:countDevicesRequest><urn:x>&lol3;</urn:x></urn:countDevicesRequest>`))
	xxe := `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>` + string(wrap(`<urn:countDevicesRequest>&e;</urn:countDevicesRequest>`))
	deep := wrap(`<urn:countDevicesRequest>` + strings.Repeat("<urn:a>", 40) + marker + strings.Repeat("</urn:a>", 40) + `</urn:countDevicesRequest>`)
	v6ns := contract.Namespace("ManageDeviceService", "v6")

	cases := []struct {
		name    string
		body    []byte
		chunked bool
		status  int
		problem string
		rule    string
		mention string
	}{
		{"oversize with length", wrap(`<urn:countDevicesRequest>` + strings.Repeat(marker, max/len(marker)+1) + `</urn:countDevicesRequest>`), false, 413, ProblemTooLarge, "", "limit"},
		{"oversize chunked", wrap(`<urn:countDevicesRequest>` + strings.Repeat(marker, max/len(marker)+1) + `</urn:countDevicesRequest>`), true, 413, ProblemTooLarge, "", "limit"},
		{"billion laughs", []byte(laughs), false, 500, ProblemXML, contract.RuleXMLDTDForbidden, "document type declaration"},
		{"external entity", []byte(xxe), false, 500, ProblemXML, contract.RuleXMLDTDForbidden, "document type declaration"},
		{"deep nesting", deep, false, 500, ProblemXML, contract.RuleXMLTooDeep, ""},
		{"invalid UTF-8", wrap("<urn:countDevicesRequest><urn:x>" + marker + "\xff\xfe</urn:x></urn:countDevicesRequest>"), false, 500, ProblemXML, contract.RuleXMLMalformed, ""},
		{"malformed XML", wrap(`<urn:countDevicesRequest><urn:x>` + marker + `</urn:y></urn:countDevicesRequest>`), false, 500, ProblemXML, contract.RuleXMLMalformed, ""},
		{"empty body", nil, false, 500, ProblemXML, "", ""},
		{"not an envelope", []byte(`<countDevicesRequest xmlns="` + v7.Namespace() + `">` + marker + `</countDevicesRequest>`), false, 500, ProblemXML, "", "envelope"},
		{"SOAP 1.2", []byte(`<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`), false, 500, ProblemXML, "", "1.2"},
		{"empty body element", wrap(""), false, 500, ProblemXML, contract.RuleSOAPNoBody, "no element"},
		{"a fault as request", wrap(`<soapenv:Fault><faultcode>x</faultcode></soapenv:Fault>`), false, 500, ProblemNoPayload, "", "no request element"},
		{"wrong namespace", []byte(strings.ReplaceAll(string(wrap(`<urn:countDevicesRequest/>`)), v7.Namespace(), "urn:"+marker)), false, 500, ProblemNamespace, "", v7.Namespace()},
		{"another version's namespace", []byte(strings.ReplaceAll(string(wrap(`<urn:countDevicesRequest/>`)), v7.Namespace(), v6ns)), false, 500, ProblemNamespace, "", "/flexnet/services/v6/ManageDeviceService"},
		{"unknown operation", wrap(`<urn:stealDevicesRequest>` + marker + `</urn:stealDevicesRequest>`), false, 500, ProblemUnknownOp, "", "stealDevicesRequest"},
		{"a response element", wrap(`<urn:countDevicesResponse/>`), false, 500, ProblemUnknownOp, "", "countDevicesResponse"},
		{"operation without handler", wrap(`<urn:searchDevicesRequest/>`), false, 500, ProblemNotImplemented, "", "searchDevices"},
	}
	for _, c := range cases {
		var rd = bytes.NewReader(c.body)
		req, _ := http.NewRequest(http.MethodPost, ts.http.URL+v7.Endpoint(), rd)
		if c.chunked {
			req.ContentLength = -1
			req.Body = readerOnly{rd}
		}
		req.SetBasicAuth(testUser, testPassword)
		resp, body := do(t, req)
		if resp.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d\n%s", c.name, resp.StatusCode, c.status, body)
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/xml; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", c.name, ct)
		}
		f, problem, rule := parseFault(t, body)
		if problem != c.problem {
			t.Errorf("%s: problem %q, want %q (%s)", c.name, problem, c.problem, f.String)
		}
		if c.rule != "" && rule != c.rule {
			t.Errorf("%s: rule %q, want %q", c.name, rule, c.rule)
		}
		if c.mention != "" && !strings.Contains(f.String, c.mention) {
			t.Errorf("%s: faultstring %q does not mention %q", c.name, f.String, c.mention)
		}
		if strings.Contains(string(body), marker) {
			t.Errorf("%s: the fault quotes the request:\n%s", c.name, body)
		}
		if strings.Contains(string(body), "root:") {
			t.Errorf("%s: a file was read", c.name)
		}
	}
}

// readerOnly hides the length of a reader so the client sends it chunked.
type readerOnly struct{ r *bytes.Reader }

func (r readerOnly) Read(p []byte) (int, error) { return r.r.Read(p) }
func (r readerOnly) Close() error               { return nil }

func TestHandlerErrors(t *testing.T) {
	t.Parallel()
	const secret = "internal detail 0xDEADBEEF"
	ts := newTestServer(t, func(r *op.Registry) {
		r.Handle("ManageDeviceService", "countDevices", func(context.Context, *op.Call) (map[string]any, error) {
			return nil, op.ClientFault("batch of %d records is over the limit of %d", 30, 25)
		})
		r.Handle("ManageDeviceService", "searchDevices", func(context.Context, *op.Call) (map[string]any, error) {
			return nil, errors.New(secret)
		})
		r.Handle("ManageDeviceService", "getDeviceCount", func(context.Context, *op.Call) (map[string]any, error) {
			return map[string]any{"noSuchElement": "x"}, nil // the projection refuses it
		})
	}, nil)
	cases := []struct {
		payload, code, problem, mention string
	}{
		{`<urn:countDevicesRequest/>`, "soapenv:Client", ProblemHandler, "over the limit of 25"},
		{`<urn:searchDevicesRequest/>`, "soapenv:Server", ProblemInternal, "ManageDeviceService/v7/searchDevices"},
		{`<urn:getDeviceCountRequest/>`, "soapenv:Server", ProblemInternal, "getDeviceCount"},
	}
	for _, c := range cases {
		resp, body := ts.post(t, v7.Endpoint(), envelope(t, v7, c.payload, soap.Credentials{}), true)
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("%s: status %d", c.payload, resp.StatusCode)
		}
		f, problem, _ := parseFault(t, body)
		if f.Code != c.code || problem != c.problem || !strings.Contains(f.String, c.mention) {
			t.Errorf("%s: fault %s %q (%s), want %s %q mentioning %q", c.payload, f.Code, f.String, problem, c.code, c.problem, c.mention)
		}
		if strings.Contains(string(body), secret) {
			t.Errorf("%s: internal error text leaked", c.payload)
		}
	}
}

// Beyond MaxInFlight the server answers 503 with Retry-After at once
// instead of queueing; the calls in flight finish normally.
func TestOverload(t *testing.T) {
	t.Parallel()
	const max = 3
	entered := make(chan struct{}, max)
	release := make(chan struct{})
	ts := newTestServer(t, func(r *op.Registry) {
		r.Handle("ManageDeviceService", "countDevices", func(ctx context.Context, c *op.Call) (map[string]any, error) {
			entered <- struct{}{}
			<-release
			return countHandler(ctx, c)
		})
	}, func(c *Config) { c.MaxInFlight = max })
	body := envelope(t, v7, `<urn:countDevicesRequest/>`, soap.Credentials{})

	var wg sync.WaitGroup
	statuses := make(chan int, max)
	for range max {
		wg.Go(func() {
			resp, _ := ts.post(t, v7.Endpoint(), body, true)
			statuses <- resp.StatusCode
		})
	}
	for range max {
		<-entered
	}
	if got := ts.InFlight(); got != max {
		t.Errorf("InFlight %d, want %d", got, max)
	}
	for _, path := range []string{v7.Endpoint(), v7.Endpoint() + "?wsdl", ListingPath} {
		method := http.MethodPost
		if path != v7.Endpoint() {
			method = http.MethodGet
		}
		req, _ := http.NewRequest(method, ts.http.URL+path, bytes.NewReader(body))
		req.SetBasicAuth(testUser, testPassword)
		resp, _ := do(t, req)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
			t.Errorf("%s %s over the cap: %d Retry-After %q", method, path, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	// The admin endpoint stays reachable under overload.
	req, _ := http.NewRequest(http.MethodGet, ts.http.URL+AdminFaults, nil)
	req.SetBasicAuth(testUser, testPassword)
	if resp, _ := do(t, req); resp.StatusCode != http.StatusOK {
		t.Errorf("admin under overload: %d", resp.StatusCode)
	}
	close(release)
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != http.StatusOK {
			t.Errorf("a call in flight ended with %d", s)
		}
	}
	if resp, _ := ts.post(t, v7.Endpoint(), body, true); resp.StatusCode != http.StatusOK {
		t.Errorf("after the load: %d", resp.StatusCode)
	}
}

// The request log names method, path and status, never credentials or
// payload values, even at debug level and when a handler fails.
func TestLogHasNoSecrets(t *testing.T) {
	t.Parallel()
	const marker = "PAYLOADVALUE123"
	var mu sync.Mutex
	var logBuf bytes.Buffer
	ts := newTestServer(t, func(r *op.Registry) {
		r.Handle("ManageDeviceService", "countDevices", func(context.Context, *op.Call) (map[string]any, error) {
			return nil, errors.New("store failure")
		})
	}, func(c *Config) {
		c.Logger = slog.New(slog.NewTextHandler(lockedWriter{&mu, &logBuf}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	payload := `<urn:countDevicesRequest><urn:deviceId>` + marker + `</urn:deviceId></urn:countDevicesRequest>`
	for _, creds := range []soap.Credentials{soap.Basic(testUser, testPassword), soap.SOAPHeader(testUser, testPassword), soap.Basic(testUser, "wrong-"+testPassword)} {
		req, _ := http.NewRequest(http.MethodPost, ts.http.URL+v7.Endpoint()+"?q="+marker, bytes.NewReader(envelope(t, v7, payload, creds)))
		creds.Apply(req)
		do(t, req)
	}
	mu.Lock()
	defer mu.Unlock()
	out := logBuf.String()
	if !strings.Contains(out, "status=500") || !strings.Contains(out, "status=401") {
		t.Errorf("the log lacks the request lines:\n%s", out)
	}
	for _, bad := range []string{testPassword, base64.StdEncoding.EncodeToString([]byte(testPassword)), marker} {
		if strings.Contains(out, bad) {
			t.Errorf("the log carries %q:\n%s", bad, out)
		}
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
