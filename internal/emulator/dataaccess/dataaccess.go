// Package dataaccess serves FNO's Data Access API (schemas/rest/data-access.yaml)
// from the emulator's state, read-only: the JWT of /data/api/v1/authenticate,
// the metadata routes (report-names, report-types/{group}, global-filters)
// and one report per group (account, user, entitlement, device,
// served-device, product-feature, fulfillment), filtered and paged.
//
// Documented behaviour (seed 001 = the FNO Web Services Integration Guide,
// lines of ../shared/seeds/001_*.txt):
//
//   - Every call authenticates with HTTP Basic credentials (seed 2240-2257)
//     or with "Authorization: Bearer <JWT>" (seed 2259-2270); the JWT comes
//     from /data/api/v1/authenticate and is valid for 60 minutes (seed 2261).
//     An expired token is a 401 that says so and tells the client to
//     authenticate again; a forged, malformed or foreign token is a 401.
//   - report-names lists the groups (seed 2197-2215), report-types/{group}
//     the name, data type and length of each field (seed 2218-2223) and which
//     of them are the group's filters (seed 2396-2404, 2419-2436),
//     global-filters the global filters (seed 2305-2360, 2406-2408).
//   - Global filters: dateFrom/dateTo (YYYY-MM-DD, at most 30 days, both
//     included; seed 2315-2336), format json|csv (2337-2340), limitRecords
//     1-2500, default 500 (2341-2345), mode BATCH|INTERACTIVE, default BATCH
//     (2346-2394), pastDays 1-30, default 1, ignored when a range is given
//     (2354-2360), pageNumber ≥ 1 (2406-2408).
//   - Group filters in ?query=<URL-encoded JSON> with the operators $eq,
//     $sw, $ew, $con and $in (seed 2413-2449).
//   - INTERACTIVE pages carry the record count and page count, BATCH pages
//     -1 for both; both carry previousPageURL and nextPageURL with a
//     requestID and the pageNumber (seed 2364-2394).
//   - device and served-device report times in PDT (UTC-7), the other
//     groups in UTC (seed 2225-2226).
//
// Inferences (the seed is silent; schemas/rest/NOTES-data-access-registry.md
// explains the document's DA-n choices, this list the emulator's):
//
//   - The authenticate route answers GET (DA-1) and POST; its body is
//     {"token": "<JWT>"} (DA-2). Errors are Spring Boot bodies (DA-8).
//   - A report lists the records changed (lastModified) in its period: the
//     last pastDays×24 hours, or dateFrom 00:00 to the end of dateTo, days
//     counted in the group's time zone (the days a client sees in the
//     records). The first page pins the end of the period to the moment it
//     was asked ("as of"); the requestID carries that moment, signed with a
//     key from the seed and bound to the query, so records written after
//     the first page stay out of its later pages (they are in the next
//     extract). The emulator keeps no snapshot: a record that changes while
//     a client pages through leaves the period and shifts the later pages
//     by one. Pages follow the store's creation order.
//   - The records of a group are flat: device has one record per add-on
//     line item of a client or server (one with empty add-on fields when it
//     has none), served-device one per served client, user one per account
//     membership, entitlement one per line item, product-feature one per
//     feature of a product (DA-4). Field names are the seed's filter
//     names plus fields of the state, in the same camelCase.
//   - Filters compare case-insensitively, as FNO does everywhere else
//     (state.Match); $in is an exact match with any of its values; several
//     filters must all hold (DA-9); an empty or missing field is "".
//   - A CSV report carries the records under a header row (DA-4); its
//     paging URLs are in a Link header (RFC 8288), which JSON reports carry
//     as well.
//
// Messages name parameters and filters, never a value, a credential or a
// token.
package dataaccess

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Prefix is the path below which every route of this package lives.
const Prefix = "/data/api/"

// The routes of data-access.yaml. Report routes are PathReport + group.
const (
	PathAuthenticate  = "/data/api/v1/authenticate"
	PathReportNames   = "/data/api/v1/report/report-names"
	PathReportTypes   = "/data/api/v1/report/report-types/" // + group
	PathGlobalFilters = "/data/api/v1/report/global-filters"
	PathReport        = "/data/api/v1/report/" // + group
)

// Audience is the audience of the tokens this API issues and accepts.
const Audience = "data-access"

// TokenLifetime is how long a token of /authenticate is valid (seed 2261).
const TokenLifetime = 60 * time.Minute

// DefaultMaxBody bounds a request body when Config.MaxBody is zero. No
// route reads a body; the bound is for the query string's filters.
const DefaultMaxBody = 1 << 20

// Config configures the handler. Store and Auth are required.
type Config struct {
	Store *state.Store
	// Auth checks HTTP Basic credentials in constant time (server.Matcher
	// of the emulator's user).
	Auth func(user, password string) bool
	// Seed derives the token signing key and the requestID key, so a
	// seeded emulator accepts its own tokens and paging URLs across runs.
	Seed int64
	// MaxBody bounds the query filter (?query=) in bytes; larger is a 400.
	MaxBody int64
	// Now is the emulator's clock; nil is time.Now.
	Now func() time.Time
}

// Handler serves the Data Access API under Prefix.
type Handler struct {
	cfg     Config
	tokens  *restkit.Tokens
	pageKey []byte
	groups  map[string]report
	names   []string
}

// New builds the handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Auth == nil {
		return nil, errors.New("emulator data access: a store and an auth check are required")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	h := &Handler{
		cfg:     cfg,
		tokens:  restkit.NewTokens(restkit.KeyFromSeed(cfg.Seed, "data-access"), "fnokit-emulator", cfg.Now),
		pageKey: restkit.KeyFromSeed(cfg.Seed, "data-access-request-id"),
		groups:  map[string]report{},
	}
	for _, g := range reports() {
		h.groups[g.name()] = g
		h.names = append(h.names, g.name())
	}
	return h, nil
}

// Groups returns the report group names, in report-names order.
func (h *Handler) Groups() []string { return append([]string(nil), h.names...) }

// route templates, for the path of error bodies: the request path itself
// may carry a value (a group name) that must not be echoed.
const (
	tmplReportTypes = PathReportTypes + "{group}"
	tmplReport      = PathReport + "{group}"
)

// ServeHTTP routes a request under Prefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if len(path) > len(Prefix) {
		path = strings.TrimSuffix(path, "/")
	}
	switch {
	case path == PathAuthenticate:
		h.authenticate(w, r)
	case path == PathReportNames:
		h.guard(w, r, path, h.reportNames)
	case path == PathGlobalFilters:
		h.guard(w, r, path, h.globalFilters)
	case strings.HasPrefix(path, PathReportTypes):
		g := h.groups[strings.TrimPrefix(path, PathReportTypes)]
		h.guard(w, r, tmplReportTypes, func(w http.ResponseWriter, r *http.Request) {
			if g == nil {
				h.fail(w, http.StatusNotFound, tmplReportTypes, "no report group of this name: /data/api/v1/report/report-names lists them")
				return
			}
			h.reportTypes(w, g)
		})
	case strings.HasPrefix(path, PathReport) && h.groups[strings.TrimPrefix(path, PathReport)] != nil:
		g := h.groups[strings.TrimPrefix(path, PathReport)]
		h.guard(w, r, path, func(w http.ResponseWriter, r *http.Request) { h.report(w, r, g) })
	default:
		h.fail(w, http.StatusNotFound, "", "no Data Access route at this path: the reports are /data/api/v1/report/{group}, the groups are listed by /data/api/v1/report/report-names")
	}
}

// guard admits GET requests with valid credentials to serve.
func (h *Handler) guard(w http.ResponseWriter, r *http.Request, tmpl string, serve http.HandlerFunc) {
	if !h.authorized(w, r, tmpl) {
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		h.fail(w, http.StatusMethodNotAllowed, tmpl, "use GET on this path")
		return
	}
	serve(w, r)
}

const realm = "fnokit emulator Data Access API"

// authorized checks the request's Basic credentials or bearer token and
// answers 401 when they do not hold. A token is judged on its own: a bad
// token does not fall back to anything.
func (h *Handler) authorized(w http.ResponseWriter, r *http.Request, tmpl string) bool {
	if tok, ok := restkit.Bearer(r); ok {
		_, err := h.tokens.Verify(tok, Audience)
		switch {
		case err == nil:
			return true
		case errors.Is(err, restkit.ErrTokenExpired):
			h.challenge(w, `error="invalid_token", error_description="the token has expired"`)
			h.fail(w, http.StatusUnauthorized, tmpl, "the token has expired (tokens are valid for 60 minutes): authenticate again at /data/api/v1/authenticate for a new one")
		default:
			h.challenge(w, `error="invalid_token", error_description="the token is not valid"`)
			h.fail(w, http.StatusUnauthorized, tmpl, "the token is not valid: use a token from /data/api/v1/authenticate, or HTTP Basic credentials")
		}
		return false
	}
	if user, pass, ok := r.BasicAuth(); ok {
		if h.cfg.Auth(user, pass) {
			return true
		}
		h.challenge(w, "")
		h.fail(w, http.StatusUnauthorized, tmpl, "wrong user name or password")
		return false
	}
	h.challenge(w, "")
	if r.Header.Get("Authorization") != "" {
		h.fail(w, http.StatusUnauthorized, tmpl, "unsupported credentials: send HTTP Basic credentials or Authorization: Bearer <token from /data/api/v1/authenticate>")
	} else {
		h.fail(w, http.StatusUnauthorized, tmpl, "authentication required: HTTP Basic credentials or Authorization: Bearer <token from /data/api/v1/authenticate>")
	}
	return false
}

// challenge announces both schemes; bearerParams (RFC 6750) say why a
// token was refused.
func (h *Handler) challenge(w http.ResponseWriter, bearerParams string) {
	b := `Bearer realm="` + realm + `"`
	if bearerParams != "" {
		b += ", " + bearerParams
	}
	w.Header().Add("WWW-Authenticate", b)
	w.Header().Add("WWW-Authenticate", `Basic realm="`+realm+`"`)
}

// authenticate exchanges Basic credentials for a token (seed 2262-2270).
// GET is the contract's method (DA-1); POST is accepted as well, for
// clients that treat authenticate as an action.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) {
	user, pass, ok := r.BasicAuth()
	if !ok || !h.cfg.Auth(user, pass) {
		w.Header().Add("WWW-Authenticate", `Basic realm="`+realm+`"`)
		msg := "authentication required: HTTP Basic credentials of an FNO user"
		if ok {
			msg = "wrong user name or password"
		}
		h.fail(w, http.StatusUnauthorized, PathAuthenticate, msg)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		h.fail(w, http.StatusMethodNotAllowed, PathAuthenticate, "use GET (or POST) on this path")
		return
	}
	tok, _, err := h.tokens.Issue(user, Audience, TokenLifetime)
	if err != nil {
		h.fail(w, http.StatusInternalServerError, PathAuthenticate, "the token could not be issued")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	restkit.WriteJSON(w, http.StatusOK, map[string]string{"token": tok})
}

// apiError is the error body of data-access.yaml (DA-8, Spring Boot's).
type apiError struct {
	Timestamp string `json:"timestamp"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Message   string `json:"message"`
	Path      string `json:"path,omitempty"`
}

// fail answers an error. path is a route template, never the raw path.
func (h *Handler) fail(w http.ResponseWriter, status int, path, message string) {
	restkit.WriteJSON(w, status, apiError{
		Timestamp: h.cfg.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		Status:    status,
		Error:     http.StatusText(status),
		Message:   message,
		Path:      path,
	})
}

func (h *Handler) failErr(w http.ResponseWriter, path string, err error) {
	var re *restkit.Error
	if errors.As(err, &re) {
		h.fail(w, re.Status, path, re.Reason)
		return
	}
	h.fail(w, http.StatusInternalServerError, path, "the report could not be read")
}
