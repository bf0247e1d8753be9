// Package pubservices holds the contract suite of FNO's Public Service APIs
// (seed 000 lines 9-59): lineitemdetails, entitlementdetails, registeruser
// and mapentitlement, each a POST of one XML document to
// /flexnet/pubservices/<api>. Every request a spec sends is first checked
// against the API's schema (schemas/pubservices/<api>.xsd, through
// internal/xsd and libxml2), and every answer, errors included, must be a
// Response document valid against it. The specs check what the answers
// mean against the target's own records (the line item and entitlement of
// suite.E().Records(), and what the SOAP and REST APIs say about them), that
// a registered user and a mapped entitlement are seen by later reads, and
// that authentication is mandatory (seed 000 lines 31-51: Basic or a
// personal access token; from FNO 2027.08 always).
//
// The XML posts go through the harness's Raw call, which carries the run's
// credentials (Basic, or FNOKIT_TOKEN as a Bearer token), so the reads and
// the authentication specs run against a live target too. Statuses other
// than 200 and 401 are the emulator's inference
// (schemas/pubservices/README.md) and are checked only on the emulator, as
// are personal access tokens (issued by the emulator's admin route; FNO
// issues them in the Producer Portal) and registeruser (no operation
// removes the user it creates).
// The Public Service APIs have no versions: the specs carry no version
// label.
package pubservices

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/suite"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/schemas"
)

const (
	service = "pubservices"
	prefix  = "/flexnet/pubservices/"
	// ns is the namespace of every Request and Response document.
	ns = "urn:com.macrovision:flexnet/operations/publicservices"
)

// The four APIs (seed 000 lines 13-29).
const (
	lineItemDetails    = "lineitemdetails"
	entitlementDetails = "entitlementdetails"
	registerUser       = "registeruser"
	mapEntitlement     = "mapentitlement"
)

var apis = []string{lineItemDetails, entitlementDetails, registerUser, mapEntitlement}

func labels(api string, kind suite.Kind, tier suite.Tier) ginkgo.Labels {
	return suite.Labels(service, "", api, kind, tier)
}

// ---- schemas ----

// compiled compiles the four schemas once per process. They include
// common.xsd by relative schemaLocation, which libxml2 resolves against a
// file, so the embedded contracts are written to a private temporary
// folder first and removed once compiled.
var compiled = sync.OnceValues(func() (map[string]*xsd.Schema, error) {
	dir, err := os.MkdirTemp("", "fnokit-suite-pubservices-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	names, err := fs.Glob(schemas.FS(), "pubservices/*.xsd")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("no pubservices/*.xsd in the embedded contracts")
	}
	for _, n := range names {
		data, err := fs.ReadFile(schemas.FS(), n)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, path.Base(n)), data, 0o600); err != nil {
			return nil, err
		}
	}
	out := map[string]*xsd.Schema{}
	for _, api := range apis {
		s, err := xsd.CompileFile(filepath.Join(dir, api+".xsd"))
		if err != nil {
			return nil, fmt.Errorf("compile %s.xsd: %w", api, err)
		}
		out[api] = s
	}
	return out, nil
})

func schema(api string) *xsd.Schema {
	ginkgo.GinkgoHelper()
	all, err := compiled()
	Expect(err).NotTo(HaveOccurred(), "the Public Service schemas do not compile")
	return all[api]
}

// expectNoFindings fails the spec on schema findings, naming rule and
// location (never a value).
func expectNoFindings(what string, fs contract.Findings) {
	ginkgo.GinkgoHelper()
	if len(fs) > 0 {
		ginkgo.Fail(fmt.Sprintf("%s: %s at %s: %s", what, fs[0].Rule, fs[0].Location, fs[0].Message))
	}
}

// ---- requests and responses ----

// field is one element of a request, in schema order.
type field struct{ name, value string }

// document is a Request document of the given elements.
func document(fields ...field) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<Request xmlns="` + ns + `">`)
	for _, f := range fields {
		b.WriteString("<" + f.name + ">")
		_ = xml.EscapeText(&b, []byte(f.value))
		b.WriteString("</" + f.name + ">")
	}
	b.WriteString("</Request>\n")
	return b.Bytes()
}

// response is the Response document of any of the four APIs.
type response struct {
	XMLName     xml.Name  `xml:"Response"`
	Status      string    `xml:"Status"`
	Reason      string    `xml:"Reason"`
	LineItem    *lineItem `xml:"LineItem"`
	Entitlement *struct {
		EntitlementID string     `xml:"EntitlementId"`
		State         string     `xml:"State"`
		SoldTo        string     `xml:"SoldTo"`
		LineItems     []lineItem `xml:"LineItem"`
	} `xml:"Entitlement"`
	UserID string `xml:"UserId"`
}

type lineItem struct {
	ActivationID  string `xml:"ActivationId"`
	EntitlementID string `xml:"EntitlementId"`
	State         string `xml:"State"`
	ProductName   string `xml:"ProductName"`
	Quantity      string `xml:"Quantity"`
	SoldTo        string `xml:"SoldTo"`
}

// answer is one exchange.
type answer struct {
	status int
	header http.Header
	body   []byte
	doc    response
}

// creds are the credentials of a post: the run's (suite.AuthDefault: its
// user over Basic, or its FNOKIT_TOKEN), none, or an Authorization header
// the spec makes up (deliberately wrong ones, a token it was issued).
type creds struct {
	auth   suite.Auth
	header string
}

var (
	asRun     = creds{auth: suite.AuthDefault}
	anonymous = creds{auth: suite.AuthNone}
)

func withHeader(authorization string) creds {
	return creds{auth: suite.AuthNone, header: authorization}
}

// post sends body to api with c and content type, through the harness
// (which fills in the run's credentials without the spec seeing them),
// and reads the answer.
func post(api string, body []byte, c creds, contentType string) answer {
	ginkgo.GinkgoHelper()
	return send(http.MethodPost, api, body, c, contentType)
}

func send(method, api string, body []byte, c creds, contentType string) answer {
	ginkgo.GinkgoHelper()
	h := http.Header{}
	if c.header != "" {
		h.Set("Authorization", c.header)
	}
	r := suite.E().Raw(suite.RawRequest{Method: method, Path: prefix + api, ContentType: contentType, Body: body, Header: h, Auth: c.auth})
	a := answer{status: r.HTTPStatus, header: r.Header, body: r.Body}
	_ = xml.Unmarshal(r.Body, &a.doc)
	return a
}

// call sends a valid request (checked against the API's schema first) as
// the run's user and checks the answer: HTTP 200 and a Response document
// valid against the schema.
func call(api string, fields ...field) answer {
	ginkgo.GinkgoHelper()
	body := document(fields...)
	fs, err := schema(api).ValidatePayload(body)
	Expect(err).NotTo(HaveOccurred())
	expectNoFindings(api+" request (the spec's own)", fs)
	a := post(api, body, asRun, "application/xml")
	Expect(a.status).To(Equal(http.StatusOK), "%s answered HTTP %d", api, a.status)
	expectResponse(api, a)
	return a
}

// expectResponse validates an answer against the API's schema.
func expectResponse(api string, a answer) {
	ginkgo.GinkgoHelper()
	Expect(a.doc.XMLName.Space).To(Equal(ns), "%s: the answer is not a Response document of the Public Service namespace", api)
	fs, err := schema(api).ValidatePayload(a.body)
	Expect(err).NotTo(HaveOccurred())
	expectNoFindings(api+" response", fs)
}

// issueToken asks the emulator for a personal access token of the run's
// user (its admin route; FNO issues them in the Producer Portal).
func issueToken() string {
	ginkgo.GinkgoHelper()
	login := suite.E().Records().Login
	Expect(login).NotTo(BeNil(), "the emulator names the run's user")
	r := suite.E().Admin(http.MethodPost, "tokens", url.Values{"user": {login.User}})
	Expect(r.HTTPStatus).To(Equal(http.StatusOK), "the emulator issued no personal access token")
	var tok struct{ Token string }
	Expect(json.Unmarshal(r.Body, &tok)).To(Succeed())
	Expect(tok.Token).NotTo(BeEmpty())
	return tok.Token
}

func requireEmulator(why string) {
	if suite.E().Emulator() == nil {
		ginkgo.Skip("emulator only: " + why)
	}
}

// known is the target's line item and entitlement, or Skip.
func known() (activationID, entitlementID string) {
	ginkgo.GinkgoHelper()
	r := suite.E().Records()
	if r.ActivationID == "" || r.EntitlementID == "" {
		ginkgo.Skip("the target has no line item to ask about")
	}
	return r.ActivationID, r.EntitlementID
}

var _ = ginkgo.Describe("Public Service APIs: reading", func() {
	ginkgo.It("answers lineitemdetails with the line item asked for", labels(lineItemDetails, suite.Read, suite.Smoke), func() {
		aid, eid := known()
		a := call(lineItemDetails, field{"ActivationId", aid})
		Expect(a.doc.Status).To(Equal("SUCCESS"))
		Expect(a.doc.LineItem).NotTo(BeNil(), "a SUCCESS without the line item")
		Expect(strings.EqualFold(a.doc.LineItem.ActivationID, aid)).To(BeTrue(), "another line item is answered")
		Expect(strings.EqualFold(a.doc.LineItem.EntitlementID, eid)).To(BeTrue(), "the line item is answered under another entitlement")
	})

	ginkgo.It("answers entitlementdetails with the entitlement and every line item lineitemdetails gives alike", labels(entitlementDetails, suite.Read, suite.Smoke), func() {
		aid, eid := known()
		a := call(entitlementDetails, field{"EntitlementId", eid})
		Expect(a.doc.Status).To(Equal("SUCCESS"))
		Expect(a.doc.Entitlement).NotTo(BeNil(), "a SUCCESS without the entitlement")
		Expect(strings.EqualFold(a.doc.Entitlement.EntitlementID, eid)).To(BeTrue())
		var ids []string
		for _, li := range a.doc.Entitlement.LineItems {
			ids = append(ids, li.ActivationID)
			Expect(strings.EqualFold(li.EntitlementID, eid)).To(BeTrue(), "a line item of another entitlement is listed")
			one := call(lineItemDetails, field{"ActivationId", li.ActivationID})
			Expect(one.doc.LineItem).NotTo(BeNil())
			Expect(*one.doc.LineItem).To(Equal(li), "lineitemdetails answers a line item otherwise than entitlementdetails lists it")
		}
		Expect(ids).To(ContainElement(aid), "the entitlement does not list the known line item")
	})

	ginkgo.It("agrees with the Entitlements API on an entitlement's line items", labels(entitlementDetails, suite.Read, suite.Full), func() {
		_, eid := known()
		a := call(entitlementDetails, field{"EntitlementId", eid})
		r := suite.E().REST("entitlements-beta", suite.RESTRequest{Method: http.MethodGet, Path: "/entitlements-api/v1/entitlement/" + url.PathEscape(eid) + "/line-items"})
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		var rest []string
		lines, _ := r.JSON.(map[string]any)["lineItems"].([]any)
		for _, l := range lines {
			m, _ := l.(map[string]any)
			s, _ := m["activationId"].(string)
			rest = append(rest, strings.ToLower(s))
		}
		var xmlIDs []string
		for _, li := range a.doc.Entitlement.LineItems {
			xmlIDs = append(xmlIDs, strings.ToLower(li.ActivationID))
		}
		Expect(xmlIDs).To(ConsistOf(rest), "entitlementdetails and the Entitlements API list other line items")
	})

	ginkgo.It("answers FAILURE, valid, for IDs the target does not have", labels(lineItemDetails, suite.Read, suite.Full), func() {
		for _, tc := range []struct{ api, elem string }{{lineItemDetails, "ActivationId"}, {entitlementDetails, "EntitlementId"}} {
			a := call(tc.api, field{tc.elem, suite.E().Name("no-such-id")})
			Expect(a.doc.Status).To(Equal("FAILURE"), "%s answers an unknown ID with %s", tc.api, a.doc.Status)
			Expect(a.doc.Reason).NotTo(BeEmpty(), "a FAILURE without a reason")
			Expect(a.doc.Reason).NotTo(ContainSubstring(suite.E().Name("no-such-id")), "the reason echoes the request's value")
		}
	})

	for _, api := range apis {
		ginkgo.It("refuses "+api+" bodies that break its schema or XML itself with a FAILURE Response (emulator)", labels(api, suite.Read, suite.Full), func() {
			requireEmulator("the status of a malformed request is the emulator's inference")
			for _, tc := range []struct {
				why  string
				body []byte
			}{
				{"an empty Request", document()},
				{"XML that is not well-formed", []byte(`<Request xmlns="` + ns + `"><ActivationId>x</Request>`)},
				{"a DTD", []byte(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "x">]><Request xmlns="` + ns + `"><Id>&e;</Id></Request>`)},
				{"another namespace", []byte(`<Request xmlns="urn:example:other"><ActivationId>x</ActivationId></Request>`)},
			} {
				ginkgo.By(tc.why)
				a := post(api, tc.body, asRun, "application/xml")
				Expect(a.status).To(Equal(http.StatusBadRequest), "%s answered HTTP %d", tc.why, a.status)
				expectResponse(api, a)
				Expect(a.doc.Status).To(Equal("FAILURE"))
			}
		})
	}

	ginkgo.It("answers 404, 405 and 415 as Response documents (emulator)", labels(lineItemDetails, suite.Read, suite.Full), func() {
		requireEmulator("these statuses are the emulator's inference")
		aid, _ := known()
		body := document(field{"ActivationId", aid})
		a := post("nosuchapi", body, asRun, "application/xml")
		Expect(a.status).To(Equal(http.StatusNotFound))
		Expect(a.doc.Status).To(Equal("FAILURE"))
		a = post(lineItemDetails, body, asRun, "text/plain")
		Expect(a.status).To(Equal(http.StatusUnsupportedMediaType))
		expectResponse(lineItemDetails, a)
		a = send(http.MethodGet, lineItemDetails, nil, asRun, "")
		Expect(a.status).To(Equal(http.StatusMethodNotAllowed))
		expectResponse(lineItemDetails, a)
	})
})

var _ = ginkgo.Describe("Public Service APIs: authentication", func() {
	for _, api := range apis {
		ginkgo.It("refuses "+api+" without credentials, with wrong ones and with a forged token", labels(api, suite.Read, suite.Smoke), func() {
			aid, eid := known()
			body := map[string][]byte{
				lineItemDetails:    document(field{"ActivationId", aid}),
				entitlementDetails: document(field{"EntitlementId", eid}),
				registerUser:       document(field{"ActivationId", aid}, field{"UserId", suite.E().Name("anon")}, field{"FirstName", "Anon"}),
				mapEntitlement:     document(field{"UserId", suite.E().Name("anon")}, field{"Id", eid}),
			}[api]
			for _, c := range []creds{
				anonymous,
				withHeader("Basic " + base64.StdEncoding.EncodeToString([]byte("fnokit-no-such-user:wrong-password"))),
				withHeader("Bearer fnopat_fnokit-forged-token"),
			} {
				a := post(api, body, c, "application/xml")
				Expect(a.status).To(Equal(http.StatusUnauthorized), "%s answered HTTP %d to a call without valid credentials", api, a.status)
				Expect(a.header.Get("WWW-Authenticate")).NotTo(BeEmpty(), "a 401 without a challenge")
			}
		})
	}

	ginkgo.It("serves every API with a personal access token (emulator)", labels(lineItemDetails, suite.Read, suite.Smoke), func() {
		requireEmulator("personal access tokens are issued in the Producer Portal; the emulator issues them at an admin route")
		aid, eid := known()
		tok := withHeader("Bearer " + issueToken())
		for api, body := range map[string][]byte{
			lineItemDetails:    document(field{"ActivationId", aid}),
			entitlementDetails: document(field{"EntitlementId", eid}),
		} {
			a := post(api, body, tok, "application/xml")
			Expect(a.status).To(Equal(http.StatusOK), "%s refused a personal access token (HTTP %d)", api, a.status)
			expectResponse(api, a)
			Expect(a.doc.Status).To(Equal("SUCCESS"))
		}
	})
})

var _ = ginkgo.Describe("Public Service APIs: writing", func() {
	ginkgo.It("registers a user against a line item, who then sees it; maps another entitlement to the user", labels(registerUser, suite.Write, suite.Smoke), func() {
		// No contract operation deletes a user, so a user registered on a
		// tenant would stay: emulator only.
		requireEmulator("no FNO operation deletes the user registeruser creates")
		suite.E().RequireWrites()
		aid, eid := known()
		login := suite.E().Name("pub-user") + "@example.com"
		a := call(registerUser, field{"ActivationId", aid}, field{"UserId", login}, field{"FirstName", "Contract"},
			field{"LastName", "Suite"}, field{"Email", login}, field{"OptIn", "false"})
		Expect(a.doc.Status).To(Equal("SUCCESS"), "registeruser failed")
		Expect(strings.EqualFold(a.doc.UserID, login)).To(BeTrue(), "registeruser answers another user")

		// The user exists (SOAP) and sees the line item (application REST).
		users := suite.E().SOAP("UserAcctHierarchyService", "v6", "getUsersQuery", map[string]any{
			"queryParams": map[string]any{"userName": map[string]any{"value": login, "searchType": "EQUALS"}}, "pageNumber": "1", "batchSize": "10"})
		users.ExpectValid()
		users.ExpectStatus("SUCCESS")
		found, _ := users.Payload["responseData"].(map[string]any)
		Expect(found).To(HaveKey("user"), "getUsersQuery does not find the registered user")
		Expect(visible(login, eid)).To(BeTrue(), "the registered user does not see the line item's entitlement")

		again := call(registerUser, field{"ActivationId", aid}, field{"UserId", login}, field{"FirstName", "Contract"}, field{"LastName", "Suite"})
		Expect(again.doc.Status).To(Equal("FAILURE"), "registering the same user twice succeeds")

		// mapentitlement: another entitlement becomes visible to the user.
		spare := suite.E().Records().SpareEntitlementID
		if spare == "" || strings.EqualFold(spare, eid) {
			return
		}
		Expect(visible(login, spare)).To(BeFalse(), "the user sees the other entitlement before it is mapped")
		m := call(mapEntitlement, field{"UserId", login}, field{"Id", spare})
		Expect(m.doc.Status).To(Equal("SUCCESS"), "mapentitlement failed")
		Expect(visible(login, spare)).To(BeTrue(), "the mapped entitlement is not visible to the user")
	})

	ginkgo.It("refuses to map an entitlement to a user the target does not have", labels(mapEntitlement, suite.Read, suite.Smoke), func() {
		// A refused mapping changes nothing, so this spec also runs read-only.
		_, eid := known()
		a := call(mapEntitlement, field{"UserId", suite.E().Name("no-such-user")}, field{"Id", eid})
		Expect(a.doc.Status).To(Equal("FAILURE"))
		Expect(a.doc.Reason).NotTo(BeEmpty())
	})
})

// visible reports whether the entitlement's line items are among the
// activatable items the user sees (application REST entitlementOrders with
// userId, seed 001: "only the items that user can see in the portal").
func visible(login, entitlementID string) bool {
	ginkgo.GinkgoHelper()
	r := suite.E().REST("application", suite.RESTRequest{Method: http.MethodPost, Path: "/flexnet/operations/entitlementOrders",
		Body: map[string]any{"activatableItemSearchCriteria": map[string]any{
			"userId": login, "entitlementId": map[string]any{"value": entitlementID, "searchType": "EQUALS"}}, "batchSize": 10}})
	r.ExpectStatus(http.StatusOK)
	r.ExpectValid()
	items, _ := r.JSON.(map[string]any)["activatableItem"].([]any)
	return len(items) > 0
}
