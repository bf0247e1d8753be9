// Package pubservices serves FNO's Public Service APIs from the emulator's
// state: four legacy XML-over-HTTP APIs, each a POST of one XML document to
// /flexnet/pubservices/<api> (seed 000 lines 9-29):
//
//   - lineitemdetails: a line item by ActivationId;
//   - entitlementdetails: an entitlement with its line items by EntitlementId;
//   - registeruser: registers a new user against a line item;
//   - mapentitlement: maps an entitlement to an existing user.
//
// The contracts are fnokit's schemas/pubservices/*.xsd and README.md (the
// request and response documents are partly INFERRED there; see the README
// for what is documented). Every request body is parsed with
// internal/xmltree's bounded parser (no DTD, so no external entity or
// entity expansion; size and depth limits) and validated against its API's
// schema with internal/xsd before anything is read from it. Answers are the
// API's Response document: Status SUCCESS with the data, or FAILURE with a
// Reason that names elements, never their values.
//
// Authentication (seed 000 lines 31-51): HTTP Basic with a FlexNet
// Operations user name and password (Config.Auth), or a personal access
// token presented as "Authorization: Bearer <token>" (the README's [R]
// source). Authentication is mandatory, as it is by default in FNO and
// always from FNO 2027.08 (seed 000 line 49); Config.AuthOptional emulates a
// tenant where "Enable authentication for Public Webservices" was cleared
// (seed 000 lines 45-47): anonymous requests are then served, but
// credentials that are sent are still checked. The emulator keeps its valid
// tokens as SHA-256 digests: Config.Tokens at start, (*Handler).IssueToken
// later (seed 000 lines 53-59: a PAT belongs to a Portal User, whose
// permissions do not limit what the APIs do, so any valid token may call
// every API).
//
// HTTP statuses (INFERRED; FNO's are not documented): 200 with SUCCESS, or
// with FAILURE when a valid request cannot be carried out (an unknown ID, a
// user that exists); 400 with FAILURE for a body that is not well-formed
// XML, carries a DTD or does not match the API's schema; 401 for missing or
// wrong credentials; 404 for an unknown API; 405 for a method other than
// POST; 413 for a body over Config.MaxBody; 415 for a body that is not sent
// as XML. Every answer, errors included, is a Response document (Status and
// Reason are common to all four schemas).
package pubservices

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"
)

// Prefix is the path below which every API of this package lives.
const Prefix = "/flexnet/pubservices/"

// The APIs, as the last segment of their paths (seed 000 lines 15-29).
const (
	APILineItemDetails    = "lineitemdetails"
	APIEntitlementDetails = "entitlementdetails"
	APIRegisterUser       = "registeruser"
	APIMapEntitlement     = "mapentitlement"
)

// APIs lists the APIs in the seed's order.
var APIs = []string{APILineItemDetails, APIEntitlementDetails, APIRegisterUser, APIMapEntitlement}

// Namespace is the namespace of every request and response document.
const Namespace = "urn:com.macrovision:flexnet/operations/publicservices"

// DefaultMaxBody bounds a request body when Config.MaxBody is zero.
const DefaultMaxBody = 1 << 20

// maxDepth bounds element nesting: the deepest valid request
// (Request/CustomAttributeList/CustomAttribute/Name) has four levels.
const maxDepth = 16

// Config configures the handler. Store and Auth are required.
type Config struct {
	Store *state.Store
	// Auth checks HTTP Basic credentials in constant time (server.Matcher
	// of the emulator's user).
	Auth func(user, password string) bool
	// Tokens are personal access tokens valid from the start; more are
	// minted with IssueToken. Each must be non-empty, without white space
	// and at most MaxTokenLength bytes.
	Tokens []string
	// AuthOptional serves requests without credentials, as FNO did before
	// 2027.08 where "Enable authentication for Public Webservices" was
	// cleared. Credentials that are sent are checked all the same.
	AuthOptional bool
	// Realm is announced in the 401 challenges.
	Realm string
	// MaxBody bounds a request body in bytes; larger ones get 413.
	MaxBody int64
	// Now is the emulator's clock, which stamps the users registeruser
	// creates; nil is time.Now.
	Now func() time.Time
}

// Handler serves the Public Service APIs under Prefix. It is safe for
// concurrent use.
type Handler struct {
	cfg     Config
	tokens  tokenSet
	schemas map[string]*xsd.Schema
	apis    map[string]apiFunc
}

// apiFunc serves one API's validated request; the answer is 200 whatever
// its Status, since the request itself was valid.
type apiFunc func(principal string, req *xmltree.Node) response

// New builds the handler and compiles the four request schemas.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Auth == nil {
		return nil, errors.New("emulator pubservices: a store and a Basic auth check are required")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Realm == "" {
		cfg.Realm = restkit.DefaultRealm
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{cfg: cfg}
	for i, tok := range cfg.Tokens {
		if err := checkToken(tok); err != nil {
			return nil, fmt.Errorf("emulator pubservices: Tokens[%d]: %w", i, err)
		}
		if err := h.tokens.add(tok, ""); err != nil {
			return nil, fmt.Errorf("emulator pubservices: Tokens[%d]: %w", i, err)
		}
	}
	var err error
	if h.schemas, err = compileSchemas(cfg.MaxBody); err != nil {
		return nil, fmt.Errorf("emulator pubservices: %w", err)
	}
	h.apis = map[string]apiFunc{
		APILineItemDetails:    h.lineItemDetails,
		APIEntitlementDetails: h.entitlementDetails,
		APIRegisterUser:       h.registerUser,
		APIMapEntitlement:     h.mapEntitlement,
	}
	return h, nil
}

// Close frees the compiled schemas; later requests are answered 500.
func (h *Handler) Close() error {
	for _, s := range h.schemas {
		s.Close()
	}
	return nil
}

// ServeHTTP routes a request under Prefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, Prefix), "/")
	serve, ok := h.apis[name]
	if !ok || !strings.HasPrefix(r.URL.Path, Prefix) {
		writeResponse(w, http.StatusNotFound, failure("no Public Service API at this path; the APIs are "+strings.Join(APIs, ", ")))
		return
	}
	// Credentials first, before the body is read: an anonymous client
	// costs no parsing.
	principal, why := h.authenticate(r)
	if why != "" {
		w.Header().Add("WWW-Authenticate", restkit.Challenge("Basic", h.cfg.Realm))
		w.Header().Add("WWW-Authenticate", restkit.Challenge("Bearer", h.cfg.Realm))
		writeResponse(w, http.StatusUnauthorized, failure(why))
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeResponse(w, http.StatusMethodNotAllowed, failure("use POST with an XML Request document"))
		return
	}
	req, status, why := h.readRequest(w, r, name)
	if why != "" {
		writeResponse(w, status, failure(why))
		return
	}
	writeResponse(w, http.StatusOK, serve(principal, req))
}

// isXML reports whether a Content-Type is one the APIs read. Besides the
// XML types it accepts application/x-www-form-urlencoded: Revenera's
// example posts the document with curl -d, which labels it so, and FNO
// reads the raw body (README.md, "How a request is sent").
func isXML(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	return mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml") ||
		mt == "application/x-www-form-urlencoded"
}

// readRequest reads, parses and validates the body as api's Request.
func (h *Handler) readRequest(w http.ResponseWriter, r *http.Request, api string) (*xmltree.Node, int, string) {
	if !isXML(r.Header.Get("Content-Type")) {
		return nil, http.StatusUnsupportedMediaType, "the body must be an XML document: send Content-Type: application/xml"
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than the emulator's limit of %d bytes (--max-body)", h.cfg.MaxBody)
		}
		return nil, http.StatusBadRequest, "the body could not be read"
	}
	root, err := xmltree.ParseBytes(data, xmltree.Limits{MaxBytes: h.cfg.MaxBody, MaxDepth: maxDepth})
	if err != nil {
		return nil, http.StatusBadRequest, parseReason(err)
	}
	// Each schema also declares the Response element, which would
	// validate; only a Request is a request.
	if root.Name != (xmltree.Name{Space: Namespace, Local: "Request"}) {
		return nil, http.StatusBadRequest, fmt.Sprintf("the request does not match %s.xsd at /%s: the document element must be Request in namespace %s",
			api, root.Name.Local, Namespace)
	}
	fs, err := h.schemas[api].ValidatePayload(data)
	if err != nil {
		return nil, http.StatusInternalServerError, "the request could not be validated"
	}
	if why := findingsReason(api, fs); why != "" {
		return nil, http.StatusBadRequest, why
	}
	return root, 0, ""
}

// parseReason explains why xmltree refused a body; its messages name the
// problem, never content.
func parseReason(err error) string {
	var pe *xmltree.ParseError
	if !errors.As(err, &pe) {
		return "the body is not well-formed XML"
	}
	switch pe.Rule {
	case contract.RuleXMLDTDForbidden:
		return "the body carries a document type declaration; DTDs and entities are not allowed"
	case contract.RuleXMLTooDeep:
		return fmt.Sprintf("the body nests elements deeper than %d levels", maxDepth)
	case contract.RuleXMLTooLarge:
		return "the body is larger than the emulator's limit (--max-body)"
	}
	return "the body is not well-formed XML: " + pe.Error()
}

// findingsReason turns schema findings into a Reason: where the first
// error is and what is wrong (internal/xsd's messages never quote values).
func findingsReason(api string, fs contract.Findings) string {
	var errs contract.Findings
	for _, f := range fs {
		if f.Severity >= contract.Error {
			errs = append(errs, f)
		}
	}
	if len(errs) == 0 {
		return ""
	}
	f := errs[0]
	why := "the request does not match " + api + ".xsd"
	if f.Location != "" {
		why += " at " + f.Location
	}
	// The APIs have one namespace; libxml2 spells it out in every name.
	why += ": " + strings.ReplaceAll(f.Message, "{"+Namespace+"}", "")
	if len(errs) > 1 {
		why += fmt.Sprintf(" (and %d more problems)", len(errs)-1)
	}
	return why
}
