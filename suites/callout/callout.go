// Package callout holds the contract suite of the capability request
// callout (seed 001 chapter 5): the external service FNO POSTs to at
// <callout URL>/finalizeHost, /checkAccess and /finalizeResponse in the
// middle of every capability request.
//
// The specs run fnokit's reference callout (internal/callout, what `fnokit
// callout serve` runs) in process on loopback and hold it to both forms of
// the contract, the JSON Schemas (schemas/callout) and the OpenAPI document
// (schemas/rest/callout.yaml): callout.Check passes at every trigger point,
// every documented request is answered valid, and the configured actions
// are the ones answered. They prove the check itself catches a broken
// callout (a wrong status, content type, body or action, a hang, a broken
// connection), and, on the emulator, that a capability request with a
// callout configured calls it with requests the contract accepts and
// honours its answers (a fresh emulator of the run's configuration, since
// the run's own emulator has no callout).
//
// The callout has no versions: the specs carry no version label.
package callout

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	co "github.com/fnokit/fnokit/internal/callout"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/calloutclient"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/internal/suite"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/schemas"
)

const service = "callout"

func labels(op string, kind suite.Kind, tier suite.Tier) ginkgo.Labels {
	return suite.Labels(service, "", op, kind, tier)
}

// rules ask for every action the contract allows, at each trigger point,
// so a valid answer is not just {}.
func rules() co.Rules {
	i64 := func(n int64) *int64 { return &n }
	detail := "host finalized by the contract suite"
	return co.Rules{
		FinalizeHost: co.FinalizeHostRules{DenyCreateHostIDPrefixes: []string{"BLOCKED-"}, HostType: "FLX_CLIENT", EnterpriseID: i64(20),
			AddToVendorDictionary: co.VendorDictionary{"SITE": "north", "SEATS": 5}, RemoveFromVendorDictionary: []string{"TRIAL"},
			AddToStatusList: []co.StatusItem{{Code: 7, Detail: &detail}}},
		CheckAccess: co.CheckAccessRules{DenyAccessHostIDPrefixes: []string{"REVOKED-"}, AddToStatusList: []co.StatusItem{{Code: 8}}},
		FinalizeResponse: co.FinalizeResponseRules{Lifetime: i64(3600), VendorDictionary: co.VendorDictionary{"SERIAL_NUMBER": "S12345678", "CHANNELS": 20},
			AddToVendorDictionary: co.VendorDictionary{"FINALIZE_RESPONSE": "done"}, RemoveFromVendorDictionary: []string{"OLD"}, EnterpriseID: i64(21),
			AddOns: co.AddOnRules{SkipConfirmation: true, DeniedActivationIDPrefixes: []string{"a2"}, Expiration: "2030-01-01"}},
	}
}

// serve starts a handler on loopback for the rest of the spec.
func serve(h http.Handler) string {
	ginkgo.GinkgoHelper()
	ts := httptest.NewUnstartedServer(h)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Expect(err).NotTo(HaveOccurred())
	ts.Listener = ln
	ts.Start()
	ginkgo.DeferCleanup(ts.Close)
	return ts.URL
}

// reference starts the reference callout with rules under /callout.
func reference(r co.Rules) string {
	ginkgo.GinkgoHelper()
	s, err := co.NewServer(co.Config{Rules: r, Seed: 1})
	Expect(err).NotTo(HaveOccurred(), "the reference callout refuses its rules")
	return serve(s) + "/callout"
}

var client = &http.Client{Timeout: 10 * time.Second}

// post sends one request body to a trigger point and returns the answer.
func post(base string, tp co.TriggerPoint, body []byte) (*http.Request, *http.Response, []byte) {
	ginkgo.GinkgoHelper()
	req, err := http.NewRequestWithContext(suite.E().Context(), http.MethodPost, base+"/"+string(tp), bytes.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, co.MaxBody+1))
	Expect(err).NotTo(HaveOccurred())
	return req, resp, b
}

// calloutDoc is the OpenAPI form of the contract.
var calloutDoc = sync.OnceValues(func() (*openapi.Validator, error) {
	data, err := fs.ReadFile(schemas.FS(), "rest/callout.yaml")
	if err != nil {
		return nil, err
	}
	doc, err := openapi.LoadBytes(data, "")
	if err != nil {
		return nil, err
	}
	return openapi.New(doc, openapi.Options{})
})

func expectNoFindings(what string, fs contract.Findings) {
	ginkgo.GinkgoHelper()
	if len(fs) > 0 {
		ginkgo.Fail(fmt.Sprintf("%s: %s at %s: %s", what, fs[0].Rule, fs[0].Location, fs[0].Message))
	}
}

// decodeResponse reads a callout answer.
func decodeResponse(b []byte) co.Response {
	ginkgo.GinkgoHelper()
	var r co.Response
	Expect(json.Unmarshal(b, &r)).To(Succeed(), "the callout's answer does not decode")
	return r
}

var _ = ginkgo.Describe("capability request callout: the reference callout", func() {
	ginkgo.It("passes callout.Check at every trigger point, answering every request", labels("finalizeHost", suite.Read, suite.Smoke), func() {
		const n = 12 // three rounds of the four detail settings
		rep, err := co.Check(suite.E().Context(), co.CheckConfig{URL: reference(rules()), Requests: n, Timeout: 5 * time.Second})
		Expect(err).NotTo(HaveOccurred(), "the check could not run")
		expectNoFindings("callout check", rep.Findings)
		Expect(len(rep.Stats)).To(Equal(len(co.TriggerPoints())), "the check did not cover every trigger point")
		for _, st := range rep.Stats {
			Expect([]int{st.Sent, st.Answered}).To(Equal([]int{n, n}), "%s: not every request was answered", st.Trigger)
		}
	})

	for _, tp := range co.TriggerPoints() {
		ginkgo.It("answers every documented "+string(tp)+" request valid against callout.yaml and the JSON Schema", labels(string(tp), suite.Read, suite.Smoke), func() {
			v, err := calloutDoc()
			Expect(err).NotTo(HaveOccurred(), "callout.yaml does not load")
			base := reference(rules())
			sent := 0
			for _, s := range co.Samples() {
				if s.Trigger != tp {
					continue
				}
				sent++
				fs, err := co.ValidateDetails(s.Body, s.HostDetails, s.AddOnDetails)
				Expect(err).NotTo(HaveOccurred())
				expectNoFindings(s.Name()+" request (JSON Schema)", fs)
				req, resp, body := post(base, tp, s.Body)
				// callout.yaml's paths are the trigger points below the
				// configured URL, whatever its base path.
				check := req.Clone(req.Context())
				check.URL.Path = "/" + string(tp)
				check.Body = io.NopCloser(bytes.NewReader(s.Body))
				fs, err = v.ValidateRequest(check)
				Expect(err).NotTo(HaveOccurred())
				expectNoFindings(s.Name()+" request (callout.yaml)", fs)
				Expect(resp.StatusCode).To(Equal(http.StatusOK), "%s answered HTTP %d", s.Name(), resp.StatusCode)
				fs, err = v.ValidateResponse(check, resp.StatusCode, resp.Header, body)
				Expect(err).NotTo(HaveOccurred())
				expectNoFindings(s.Name()+" response (callout.yaml)", fs)
				fs, err = co.ValidateResponse(tp, body)
				Expect(err).NotTo(HaveOccurred())
				expectNoFindings(s.Name()+" response (JSON Schema)", fs)
			}
			Expect(sent).To(BeNumerically(">=", 4), "fewer documented requests than detail settings")
		})
	}

	ginkgo.It("answers the actions its rules configure", labels("finalizeResponse", suite.Read, suite.Full), func() {
		base := reference(rules())
		withHost := func(tp co.TriggerPoint, id string) []byte {
			r := co.SampleRequest(tp, true, true)
			r.HostInfo.ID = id
			b, err := json.Marshal(r)
			Expect(err).NotTo(HaveOccurred())
			return b
		}
		_, _, b := post(base, co.FinalizeHost, withHost(co.FinalizeHost, "BLOCKED-7"))
		Expect(decodeResponse(b).HostActions).NotTo(BeNil())
		Expect(decodeResponse(b).HostActions.DenyCreate).To(BeTrue(), "a BLOCKED- host may be created")
		_, _, b = post(base, co.FinalizeHost, withHost(co.FinalizeHost, "ALLOWED-7"))
		h := decodeResponse(b).HostActions
		Expect(h).NotTo(BeNil())
		Expect(h.DenyCreate).To(BeFalse(), "an allowed host is denied")
		Expect(h.HostType).To(HaveValue(Equal("FLX_CLIENT")))

		_, _, b = post(base, co.CheckAccess, withHost(co.CheckAccess, "REVOKED-7"))
		Expect(decodeResponse(b).HostActions).NotTo(BeNil())
		Expect(decodeResponse(b).HostActions.DenyAccess).To(BeTrue(), "a REVOKED- host keeps access")

		_, _, b = post(base, co.FinalizeResponse, withHost(co.FinalizeResponse, "ALLOWED-7"))
		r := decodeResponse(b)
		Expect(r.ResponseActions).NotTo(BeNil())
		Expect(r.ResponseActions.Lifetime).To(HaveValue(Equal(int64(3600))))
		Expect(len(r.AddOnActions)).To(Equal(2), "not one add-on action per add-on of the request")
		for _, a := range r.AddOnActions {
			Expect(a.Denied).To(Equal(strings.HasPrefix(a.ActivationID, "a2")), "the add-on denial does not follow the rule")
			Expect(a.Expiration).To(HaveValue(Equal("2030-01-01")))
		}
	})
})

var _ = ginkgo.Describe("capability request callout: the check catches a broken callout", func() {
	answer := func(status int, contentType, body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, co.MaxBody))
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		})
	}
	for _, tc := range []struct {
		name string
		h    http.Handler
		rule string
	}{
		{"an HTTP 500", answer(http.StatusInternalServerError, "application/json", `{}`), contract.RuleCalloutStatus},
		{"a text/plain answer", answer(http.StatusOK, "text/plain", `{}`), contract.RuleCalloutContentType},
		{"a body that is not JSON", answer(http.StatusOK, "application/json", `{"hostActions":`), ""},
		{"an action the trigger point does not allow", answer(http.StatusOK, "application/json", `{"hostActions":{"denyAccess":true}}`), contract.RuleCalloutActionAllowed},
		{"a field of the wrong type", answer(http.StatusOK, "application/json", `{"responseActions":{"lifetime":"soon"}}`), contract.RuleJSONSchemaInvalid},
		{"no answer within the timeout", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second): // bounded, should the client's timeout fail
			}
		}), contract.RuleCalloutTimeout},
		{"a connection broken before the answer", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}), contract.RuleCalloutTransport},
	} {
		ginkgo.It("reports "+tc.name, labels("checkAccess", suite.Read, suite.Full), func() {
			rep, err := co.Check(suite.E().Context(), co.CheckConfig{URL: serve(tc.h), Requests: 1, Timeout: 300 * time.Millisecond})
			Expect(err).NotTo(HaveOccurred(), "the check could not run")
			Expect(rep.Findings).NotTo(BeEmpty(), "a broken callout passes the check")
			if tc.rule != "" {
				var rules []string
				for _, f := range rep.Findings {
					rules = append(rules, f.Rule)
				}
				Expect(rules).To(ContainElement(tc.rule), "the check does not name the broken rule")
			}
			for _, f := range rep.Findings {
				Expect(f.Target).NotTo(BeEmpty(), "a finding does not say which trigger point and request it is about")
			}
		})
	}

	ginkgo.It("refuses to run against nothing, or a host that is not loopback", labels("finalizeHost", suite.Read, suite.Full), func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		Expect(err).NotTo(HaveOccurred())
		free := "http://" + ln.Addr().String()
		ln.Close()
		_, err = co.Check(suite.E().Context(), co.CheckConfig{URL: free, Requests: 1, Timeout: time.Second})
		Expect(err).To(HaveOccurred(), "a check of a URL where nothing listens passes")
		_, err = co.Check(suite.E().Context(), co.CheckConfig{URL: "http://callout.example.com/callout", Requests: 1})
		Expect(err).To(HaveOccurred(), "a check sends requests to another machine without --allow-remote")
	})
})

// recorder keeps what the emulator sends to the callout.
type recorder struct {
	mu   sync.Mutex
	got  map[co.TriggerPoint][][]byte
	next http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(io.LimitReader(req.Body, co.MaxBody))
	tp := co.TriggerPoint(req.URL.Path[strings.LastIndexByte(req.URL.Path, '/')+1:])
	r.mu.Lock()
	r.got[tp] = append(r.got[tp], b)
	r.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(b))
	r.next.ServeHTTP(w, req)
}

// statusOf reads statusInfo/status of a SOAP answer.
var statusRe = regexp.MustCompile(`<(?:\w+:)?status>([A-Z_]+)</`)

var _ = ginkgo.Describe("capability request callout: the emulator calls it", func() {
	ginkgo.It("sends generateCapabilityResponse's callouts valid, and honours the answers", labels("generateCapabilityResponse", suite.Write, suite.Smoke), func() {
		// The run's own emulator has no callout configured; a fresh one of
		// the same configuration gets the reference callout.
		if suite.E().Emulator() == nil {
			ginkgo.Skip("emulator only: a tenant's callout is configured in the Producer Portal; test a producer's callout with `fnokit callout check`")
		}
		ref, err := co.NewServer(co.Config{Rules: rules(), Seed: 1})
		Expect(err).NotTo(HaveOccurred())
		rec := &recorder{got: map[co.TriggerPoint][][]byte{}, next: ref}
		cfg := suite.E().EmulatorConfig()
		cfg.Faults = server.Faults{}
		cfg.Callout = calloutclient.Config{URL: serve(rec) + "/callout", HostDetails: true, AddOnDetails: true, Timeout: 5 * time.Second}
		emu, err := emulator.Start(suite.E().Context(), cfg)
		Expect(err).NotTo(HaveOccurred(), "the emulator with a callout does not start")
		ginkgo.DeferCleanup(func(ctx context.Context) { _ = emu.Close(ctx) })

		wsdl, err := fs.ReadFile(schemas.FS(), "soap/ManageDeviceService/v7/ManageDeviceService.wsdl")
		Expect(err).NotTo(HaveOccurred())
		xs, err := xsd.CompileWSDLBytes("ManageDeviceService.wsdl", wsdl)
		Expect(err).NotTo(HaveOccurred(), "the v7 WSDL does not compile")
		ginkgo.DeferCleanup(xs.Close)

		for _, tc := range []struct{ host, status string }{
			{"ALLOWED-" + suite.E().RunID(), "SUCCESS"},
			{"BLOCKED-" + suite.E().RunID(), "FAILURE"},
			{"REVOKED-" + suite.E().RunID(), "FAILURE"},
		} {
			ginkgo.By(tc.host)
			resp, body := capability(emu, tc.host)
			Expect(resp.StatusCode).To(Equal(http.StatusOK))
			fs, err := xs.ValidateEnvelope(body)
			Expect(err).NotTo(HaveOccurred())
			expectNoFindings("generateCapabilityResponse response", fs)
			m := statusRe.FindSubmatch(body)
			Expect(m).NotTo(BeNil(), "no statusInfo status in the answer")
			Expect(string(m[1])).To(Equal(tc.status), "the emulator does not follow the callout's answer for %s", tc.host)
		}

		rec.mu.Lock()
		defer rec.mu.Unlock()
		Expect(rec.got).To(HaveKey(co.FinalizeHost), "the emulator never called finalizeHost for new hosts")
		Expect(rec.got).To(HaveKey(co.CheckAccess), "the emulator never called checkAccess")
		Expect(rec.got).To(HaveKey(co.FinalizeResponse), "the emulator never called finalizeResponse")
		for tp, bodies := range rec.got {
			for _, b := range bodies {
				fs, err := co.ValidateDetails(b, true, true)
				Expect(err).NotTo(HaveOccurred())
				expectNoFindings(string(tp)+" request the emulator sent", fs)
			}
		}
	})
})

// capability posts generateCapabilityResponse (ManageDeviceService v7) for
// a client host the data set does not have, so the emulator registers it
// (finalizeHost) before answering (finalizeResponse).
func capability(emu *emulator.Emulator, deviceID string) (*http.Response, []byte) {
	ginkgo.GinkgoHelper()
	env := `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>
<generateCapabilityResponseRequest xmlns="urn:v7.fne.webservices.operations.flexnet.com">
<device><deviceIdentifier><deviceType>CLIENT</deviceType><deviceId>` + deviceID + `</deviceId><deviceIdType>STRING</deviceIdType></deviceIdentifier></device>
</generateCapabilityResponseRequest></soapenv:Body></soapenv:Envelope>`
	req, err := http.NewRequestWithContext(suite.E().Context(), http.MethodPost, emu.URL()+"/flexnet/services/v7/ManageDeviceService", strings.NewReader(env))
	Expect(err).NotTo(HaveOccurred())
	req.SetBasicAuth(emulator.DefaultUser, string(emulator.DefaultPassword))
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	req.Header.Set("SOAPAction", `""`)
	resp, err := client.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	Expect(err).NotTo(HaveOccurred())
	return resp, b
}
