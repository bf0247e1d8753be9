// Package entapi serves FNO's Entitlements API (Beta) 1.0.0_Beta
// (schemas/rest/entitlements-beta.yaml, from seed 004) from the emulator's
// state, the same state.Store the SOAP EntitlementOrderService answers
// from: an entitlement created over SOAP is read here and one created here
// is found by getEntitlementsQuery.
//
// Routes, under Prefix:
//
//	POST  /entitlements-api/v1/entitlement                               create a simple entitlement (seed 004 lines 29-225)
//	GET   /entitlements-api/v1/entitlements                              list simple entitlements (lines 227-291)
//	GET   /entitlements-api/v1/entitlement/{entitlementId}               one entitlement (EB-5)
//	PATCH /entitlements-api/v1/entitlement/{entitlementId}               update its own fields (EB-6)
//	POST  /entitlements-api/v1/entitlement/{entitlementId}/line-items    add line items (EB-7)
//	GET   /entitlements-api/v1/entitlement/{entitlementId}/line-items    list them (EB-8)
//	POST  /entitlements-api/v1/entitlement/{entitlementId}/maintenance-line-items (EB-9)
//
// The document is the contract, so it is also the input check: every
// request is validated against entitlements-beta.yaml with internal/openapi
// before a handler sees it, and each violation of a limit, pattern, enum,
// type, required or unknown field (seed 004 lines 32-151, 232-278) is a
// 400 naming its JSON Pointer (/lineItems/0/startDate, /query/limit,
// /path/entitlementId) without the value. What the schema cannot say is
// checked here, also as 400 with a location:
//
//   - an entitlementId or activationId given needs autoGenerate false, and
//     one of the two is needed (lines 34, 66); IDs are unique across
//     entitlements and line items (lines 34, 66); a comma or full stop
//     passes the beta's pattern but FNO's back office refuses both in IDs
//     (seed 003 lines 30-39), and so does the emulator;
//   - products, license models, part numbers and accounts must exist (seed
//     003 line 45: "There must be deployed products and license models");
//   - dates must be calendar dates, expiryDate not before startDate, and
//     isPermanent false needs an expiryDate (inference: the beta has no
//     term to end the line item otherwise).
//
// The state keeps one sold-to account and one product per line item, as
// FNO's SOAP model does, so the emulator refuses (400, saying so) what it
// could not keep rather than dropping it: more than one account,
// isCurrentOwner false, more than one product, quantityPerCopy other than
// 1, isActivatable false, orderType invalid_order. It accepts and does not
// keep what has no place in the state and changes nothing the emulator
// does: emailTemplateVariation, the license model's issuer, serialNumber,
// vendorString and notice, and the account's partnerTierName (the seed's
// sample sends "END_CUSTOMER/PARTNER_TIER_ONE"; answers say END_CUSTOMER). An
// account's contactEmail is the entitlement's shipToEmail (inference: the
// entitlement has one contact), and an entitlement without an account
// belongs to UNKNOWN_ORG_UNIT (line 58), in answers and in the list's
// accountId and accountName filters. autoDeploy true deploys the
// entitlement and its line items whatever status says (the seed's own
// sample sends both).
//
// Answers (EB-10 lets them carry more than {"status"}): create and the
// line-item POSTs answer 201 {"status":"SUCCESS","entitlementId","activationIds"};
// PATCH 200 {"status":"SUCCESS","entitlementId"}; the list 200
// {"status":"SUCCESS","entitlements":[EntitlementDetails…],"page","limit","totalCount"};
// the line-items GET {"status":"SUCCESS","lineItems":[…],"maintenanceLineItems":[…]}.
// The list's page counts from 0 (inference: the seed's sample sends page=0,
// and its "Generated server url", line 13, is springdoc's wording, whose
// Spring pages count from 0); limit 0 or none means DefaultLimit (Spring's
// default page size), and a limit over MaxLimit (the 2000-record read cap
// of FNO's SOAP services, seed 001 lines 611-613) is served as MaxLimit, the
// answer saying so in "limit". The API serves simple entitlements: a bulk
// entitlement's ID is 404 here.
//
// Authentication (EB-1): HTTP Basic with a web-services user (Config.Auth),
// or "Authorization: Bearer <JWT>" with a token this package's issuer signed
// (NewTokens: HS256, key restkit.KeyFromSeed(seed, TokenPurpose), audience
// Audience, 60 minutes as FNO's other JWTs). The beta documents no
// authenticate route, so tokens come from the emulator: IssueToken in Go,
// TokenIssuer over HTTP (an admin control).
//
// Generated IDs: with Config.IDs (the producer's ID generator, seed 001
// lines 5520-5543; the emulator passes the same client its SOAP handlers
// ask) the entitlement and activation IDs a create or line-items POST
// leaves to autoGenerate are the generator's, asked once the request is
// otherwise accepted and before anything is stored; an answer of "" lets
// the state generate the ID. A generator that fails (the producer failure
// mode deny) fails the whole request with 502 Bad Gateway, nothing stored,
// the error located at the ID's field with a message naming the generator
// and the kind of failure (inference EB-16: the beta documents no status
// for it; 502 is a failing upstream server). Maintenance line items'
// IDs stay the state's (see IDSource).
//
// Errors: 401 (with Basic and Bearer challenges), 404 unknown route or
// entitlement, 405 wrong method, 413 body over MaxBody, 415 body not JSON,
// 400 malformed JSON or a contract violation, 502 the ID generator failed;
// each a JSON body
// {"status":"FAILURE","message",["errors":[{"location","message"}]]} whose
// messages name fields, never values.
package entapi

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/openapi"
)

// Prefix is the path below which every route of this package lives.
const Prefix = "/entitlements-api/"

// The routes without a path parameter; see EntitlementPath and friends for
// the others.
const (
	PathEntitlement  = "/entitlements-api/v1/entitlement"
	PathEntitlements = "/entitlements-api/v1/entitlements"
)

// EntitlementPath is the URI of one entitlement, its ID escaped.
func EntitlementPath(id string) string { return PathEntitlement + "/" + url.PathEscape(id) }

// LineItemsPath is the URI of an entitlement's line items.
func LineItemsPath(id string) string { return EntitlementPath(id) + "/line-items" }

// MaintenanceLineItemsPath is the URI of an entitlement's maintenance line items.
func MaintenanceLineItemsPath(id string) string {
	return EntitlementPath(id) + "/maintenance-line-items"
}

// Token settings: how the emulator issues the Bearer tokens this API takes.
const (
	// TokenPurpose names this API's signing key: restkit.KeyFromSeed(seed, TokenPurpose).
	TokenPurpose = "entitlements"
	// Audience is the aud claim a token must carry; tokens of the other
	// APIs carry theirs and are refused here.
	Audience = "entitlements-api"
	// Issuer is the iss claim of tokens this package issues.
	Issuer = "fnokit-emulator"
	// TokenTTL is the life of a token: 60 minutes, as FNO's JWTs (seed 001
	// lines 2261, 2574).
	TokenTTL = 60 * time.Minute
)

// Limits of the emulator that the document leaves open.
const (
	// DefaultMaxBody bounds a request body when Config.MaxBody is zero.
	DefaultMaxBody = 1 << 20
	// DefaultLimit is the list's page size when limit is 0 or missing.
	DefaultLimit = 20
	// MaxLimit is the largest page the list answers.
	MaxLimit = 2000
)

// UnknownAccount is the account an entitlement without one belongs to
// (seed 004 line 58).
const UnknownAccount = "UNKNOWN_ORG_UNIT"

const realm = "FlexNet Operations Entitlements API (fnokit emulator)"

// Config configures the handler. Store and Auth are required.
type Config struct {
	Store *state.Store
	// Auth checks HTTP Basic credentials in constant time (the emulator's
	// server.Matcher).
	Auth func(user, password string) bool
	// Seed derives the token signing key, so a seeded emulator accepts the
	// same tokens every run.
	Seed int64
	// MaxBody bounds a request body in bytes (0: DefaultMaxBody); larger
	// ones get 413.
	MaxBody int64
	// Now is the emulator's clock, against which tokens expire; nil is time.Now.
	Now func() time.Time
	// IDs, if set, is asked for the entitlement and activation IDs a
	// request leaves to autoGenerate (the producer's ID generator, see
	// IDSource); nil lets the state generate them.
	IDs IDSource
}

// Handler serves the Entitlements API (Beta). It is safe for concurrent use.
type Handler struct {
	cfg    Config
	st     *state.Store
	tokens *restkit.Tokens
	v      *openapi.Validator
}

// NewTokens returns the token issuer and checker of an emulator with this
// seed and clock: what IssueToken signs with and what the handler accepts.
func NewTokens(seed int64, now func() time.Time) *restkit.Tokens {
	return restkit.NewTokens(restkit.KeyFromSeed(seed, TokenPurpose), Issuer, now)
}

// New builds the handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Auth == nil {
		return nil, errors.New("entapi: a store and an auth check are required")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	v, err := newValidator(cfg.MaxBody)
	if err != nil {
		return nil, err
	}
	return &Handler{cfg: cfg, st: cfg.Store, tokens: NewTokens(cfg.Seed, cfg.Now), v: v}, nil
}

// IssueToken issues a Bearer token for user, valid for TokenTTL. The beta
// has no authenticate route; the emulator hands tokens out through this.
func (h *Handler) IssueToken(user string) (token string, expires time.Time, err error) {
	return h.tokens.Issue(user, Audience, TokenTTL)
}

// TokenIssuer is the emulator's control that hands tokens out, for the
// emulator to serve below its admin prefix (which checks the web-services
// credentials): POST ?user=<name> answers {"user","token","expiresAt"}.
func (h *Handler) TokenIssuer() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeError(w, http.StatusMethodNotAllowed, "POST ?user=<name> to issue an Entitlements API token")
			return
		}
		user := r.URL.Query().Get("user")
		if user == "" {
			writeError(w, http.StatusBadRequest, "name the token's user: POST ?user=<name>")
			return
		}
		tok, exp, err := h.IssueToken(user)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "the token could not be issued")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		restkit.WriteJSON(w, http.StatusOK, map[string]string{"user": user, "token": tok, "expiresAt": exp.UTC().Format(time.RFC3339)})
	})
}

// route kinds.
type kind int

const (
	kindCreate kind = iota + 1
	kindList
	kindOne
	kindLines
	kindMaintenance
)

// methods lists the methods each route takes, for 405 and Allow.
var methods = map[kind][]string{
	kindCreate:      {http.MethodPost},
	kindList:        {http.MethodGet},
	kindOne:         {http.MethodGet, http.MethodPatch},
	kindLines:       {http.MethodGet, http.MethodPost},
	kindMaintenance: {http.MethodPost},
}

// route finds the route of a path and its entitlement ID (unescaped).
func route(r *http.Request) (kind, string, bool) {
	p := strings.TrimSuffix(r.URL.EscapedPath(), "/")
	rest, ok := strings.CutPrefix(p, "/entitlements-api/v1/")
	if !ok {
		return 0, "", false
	}
	seg := strings.Split(rest, "/")
	switch {
	case len(seg) == 1 && seg[0] == "entitlement":
		return kindCreate, "", true
	case len(seg) == 1 && seg[0] == "entitlements":
		return kindList, "", true
	case len(seg) < 2 || len(seg) > 3 || seg[0] != "entitlement" || seg[1] == "":
		return 0, "", false
	}
	id, err := url.PathUnescape(seg[1])
	if err != nil {
		return 0, "", false
	}
	if len(seg) == 2 {
		return kindOne, id, true
	}
	switch seg[2] {
	case "line-items":
		return kindLines, id, true
	case "maintenance-line-items":
		return kindMaintenance, id, true
	}
	return 0, "", false
}

// ServeHTTP routes a request under Prefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k, id, ok := route(r)
	if !ok {
		writeError(w, http.StatusNotFound, "no Entitlements API route at this path")
		return
	}
	// Credentials before the body: an anonymous client costs no decoding.
	user, failure := h.authenticate(r)
	if failure != nil {
		w.Header().Add("WWW-Authenticate", `Basic realm="`+realm+`"`)
		w.Header().Add("WWW-Authenticate", failure.challenge)
		writeError(w, http.StatusUnauthorized, failure.reason)
		return
	}
	allowed := methods[k]
	if !slices.Contains(allowed, r.Method) {
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		writeError(w, http.StatusMethodNotAllowed, "use "+strings.Join(allowed, " or ")+" on this path")
		return
	}
	var body []byte
	if r.Method == http.MethodPost || r.Method == http.MethodPatch {
		var raw rawJSON
		if err := restkit.ReadJSON(w, r, h.cfg.MaxBody, &raw); err != nil {
			writeError(w, err.Status, err.Reason)
			return
		}
		body = raw
	}
	if status, errs := h.check(r, body); status != 0 {
		writeFailure(w, status, "the request breaks the Entitlements API contract", errs)
		return
	}
	var status int
	var out any
	switch {
	case k == kindCreate:
		status, out = h.create(r.Context(), user, body)
	case k == kindList:
		status, out = h.list(r.URL.Query())
	case k == kindOne && r.Method == http.MethodGet:
		status, out = h.get(id)
	case k == kindOne:
		status, out = h.update(id, body)
	case k == kindLines && r.Method == http.MethodGet:
		status, out = h.lineItems(id)
	case k == kindLines:
		status, out = h.addLineItems(r.Context(), id, body)
	default:
		status, out = h.addMaintenance(id, body)
	}
	restkit.WriteJSON(w, status, out)
}

// rawJSON keeps a body's bytes once restkit has checked they are one JSON
// value, for the validator and then the typed decode.
type rawJSON []byte

func (j *rawJSON) UnmarshalJSON(b []byte) error {
	*j = append((*j)[:0], b...)
	return nil
}

// authFailure is why a request is not authenticated and the Bearer
// challenge that goes with it (RFC 6750 section 3).
type authFailure struct {
	reason, challenge string
}

// authenticate returns the user of a request's Basic credentials or
// Bearer token.
func (h *Handler) authenticate(r *http.Request) (string, *authFailure) {
	bearer := `Bearer realm="` + realm + `"`
	if tok, ok := restkit.Bearer(r); ok {
		c, err := h.tokens.Verify(tok, Audience)
		switch {
		case errors.Is(err, restkit.ErrTokenExpired):
			return "", &authFailure{"the token has expired: get a new one", bearer + `, error="invalid_token", error_description="the token has expired"`}
		case err != nil:
			return "", &authFailure{"the token is not valid for this API", bearer + `, error="invalid_token"`}
		}
		return c.Subject, nil
	}
	if user, pass, ok := r.BasicAuth(); ok && h.cfg.Auth(user, pass) {
		return user, nil
	}
	return "", &authFailure{"authentication required: HTTP Basic credentials of a web-services user, or a Bearer token", bearer}
}

// fieldError is one problem with a request, located by a JSON Pointer
// into the body (or /path/…, /query/…).
type fieldError struct {
	Location string `json:"location"`
	Message  string `json:"message"`
}

type failureBody struct {
	Status  string       `json:"status"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

func failure(message string, errs []fieldError) failureBody {
	return failureBody{Status: "FAILURE", Message: message, Errors: errs}
}

func writeError(w http.ResponseWriter, status int, message string) {
	restkit.WriteJSON(w, status, failure(message, nil))
}

func writeFailure(w http.ResponseWriter, status int, message string, errs []fieldError) {
	restkit.WriteJSON(w, status, failure(message, errs))
}
