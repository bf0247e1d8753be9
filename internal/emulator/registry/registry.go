// Package registry serves FNO's Software Container Delivery API
// (schemas/rest/registry.yaml): the registry routes under /registry/api/v1/
// that let a producer manage the container projects of their download
// packages without the Docker or Helm CLI (seed 001, "RESTful Services for
// Software Container Delivery", lines 2461-3250).
//
// Authentication (seed 001 lines 2528-2590): GET /registry/api/v1/authenticate
// takes "Authorization: Basic <b64 user:password>" or the same under FNO's own
// "Fno" scheme, checks it with Config.Auth and answers {"token": <JWT>}, an
// HS256 token of audience "registry" valid for 60 minutes (seed 2590). Every
// other route needs "Authorization: Bearer <JWT>"; a missing, expired,
// forged, unsigned (alg none) or other API's token gets 401 with a Bearer
// challenge. The seed calls /authenticate with GET (seed 2562), so POST gets
// 405.
//
// The container catalogue (projects, repositories, artifacts, Helm charts,
// members, the download log) is not part of FNO's licensing domain, so it
// is not in the state: it is generated once, deterministically from
// Config.Seed, beside it (catalog.go). A project is a download package, one
// per product of the state (the project name is the download package ID,
// seed 2735); its members are the producer users of the publisher account
// and its sub-accounts and the end users of the accounts entitled to the
// product (seed 2862-2869). Deletes change the catalogue for the life of
// the handler; it is bounded (MaxProjects and small per-project limits).
//
// The registry secret (seed 3129-3212) is kept per calling user; the rules
// for a new one are the seed's (seed 3155-3163): at least 8 characters, an
// uppercase letter, a lowercase letter and a digit. A secret that breaks
// them is refused with 400 and the old one stays.
//
// Errors are JSON bodies in the Spring Boot shape the contract assumes
// (REG-2): {"timestamp", "status", "error", "message", "path"}, where path is
// the route template, so no request value is ever echoed. Statuses are the
// ones the seed lists per route: where it lists only 400 (PUT /secret, the
// deletes) a body that is not JSON or too large, and an unknown project or
// repository, are 400 too.
//
// Inferences beyond the contract's REG notes, marked "inferred" where they
// are made: default paging (page 1, pageSize 10, as the members route
// documents, seed 2925-2928), the shape of tags, labels and scan overviews
// the artifact switches add (from Harbor, which the registry fronts), event
// status In-Progress for a user created in the last ProcessingDelay, and 400
// for an entity_name that names no user.
package registry

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Prefix is the path below which every route of this package lives.
const Prefix = "/registry/api/"

// The routes of registry.yaml (ServeMux patterns: {name} is one segment).
const (
	PathAuthenticate = "/registry/api/v1/authenticate"
	PathDownloads    = "/registry/api/v1/downloads"
	PathProjects     = "/registry/api/v1/projects"
	PathProject      = "/registry/api/v1/projects/{project_name}"
	PathMembers      = "/registry/api/v1/projects/{project_name}/members"
	PathRepository   = "/registry/api/v1/projects/{project_name}/repositories/{repository_name}"
	PathChart        = "/registry/api/v1/projects/{project_name}/charts/{chart_name}"
	PathArtifacts    = "/registry/api/v1/projects/{project_name}/repositories/{repository_name}/artifacts"
	PathSecret       = "/registry/api/v1/secret"
	PathEventStatus  = "/registry/api/v1/event/{entity_name}/status"
)

// TokenLifetime is how long a JWT from /authenticate is valid (seed 001
// line 2590: "The validity of the JWT is 60 minutes").
const TokenLifetime = 60 * time.Minute

// Audience is the aud claim of the registry's tokens: a token of another
// emulator API (Data Access, say) is refused here.
const Audience = "registry"

// DefaultMaxBody bounds a request body when Config.MaxBody is zero.
const DefaultMaxBody = 1 << 20

// Config configures the registry handler. Store and Auth are required.
type Config struct {
	// Store is the emulator's state: products become projects, accounts
	// and users become members, users are the entities of event status.
	Store *state.Store
	// Auth checks a web-services user's name and password in constant
	// time (server.Matcher of the emulator's user).
	Auth func(user, password string) bool
	// Seed makes the catalogue and the token key deterministic.
	Seed int64
	// MaxBody bounds a request body in bytes.
	MaxBody int64
	// Now is the emulator's clock (token expiry, the current month of the
	// download log, event status); nil is time.Now.
	Now func() time.Time
}

// Handler serves every route under Prefix. It is safe for concurrent use.
type Handler struct {
	cfg     Config
	tokens  *restkit.Tokens
	cat     *catalog
	secrets *secrets
	mux     *http.ServeMux
}

// reply is what an operation answers with status 200: a JSON value, a
// text/plain body, or (both empty) no body at all.
type reply struct {
	json any
	text string
}

// call is one authenticated request as an operation sees it.
type call struct {
	r    *http.Request
	w    http.ResponseWriter
	user string // the token's subject; the credentials' user at /authenticate
}

type operation struct {
	method string
	public bool // /authenticate: Basic or Fno credentials instead of a JWT
	serve  func(c *call) (reply, *restkit.Error)
}

// New builds the handler and generates the catalogue from cfg.Store.
func New(cfg Config) (*Handler, error) {
	if cfg.Store == nil || cfg.Auth == nil {
		return nil, errors.New("emulator registry: a store and an auth check are required")
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cat, err := generate(cfg.Store, cfg.Seed)
	if err != nil {
		return nil, err
	}
	h := &Handler{
		cfg:     cfg,
		tokens:  restkit.NewTokens(restkit.KeyFromSeed(cfg.Seed, Audience), "fnokit-emulator", cfg.Now),
		cat:     cat,
		secrets: newSecrets(restkit.KeyFromSeed(cfg.Seed, "registry-secret")),
		mux:     http.NewServeMux(),
	}
	routes := map[string][]operation{
		PathAuthenticate: {{http.MethodGet, true, h.authenticate}},
		PathDownloads:    {{http.MethodGet, false, h.downloads}},
		PathProjects:     {{http.MethodGet, false, h.projects}},
		PathProject:      {{http.MethodGet, false, h.project}},
		PathMembers:      {{http.MethodGet, false, h.members}},
		PathRepository:   {{http.MethodDelete, false, h.deleteRepository}},
		PathChart:        {{http.MethodDelete, false, h.deleteChart}},
		PathArtifacts:    {{http.MethodGet, false, h.artifacts}},
		PathSecret:       {{http.MethodGet, false, h.getSecret}, {http.MethodPut, false, h.putSecret}},
		PathEventStatus:  {{http.MethodGet, false, h.eventStatus}},
	}
	for tmpl, ops := range routes {
		h.mux.HandleFunc(tmpl, func(w http.ResponseWriter, r *http.Request) { h.dispatch(w, r, tmpl, ops) })
	}
	h.mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) {
		h.writeError(w, http.StatusNotFound, "no Software Container Delivery route at this path", "")
	})
	return h, nil
}

// ServeHTTP routes a request under Prefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

const realm = "FlexNet Operations registry (fnokit emulator)"

// dispatch checks the method, then the credentials (before any body is
// read, so an anonymous client costs no decoding), then runs the operation.
func (h *Handler) dispatch(w http.ResponseWriter, r *http.Request, tmpl string, ops []operation) {
	var op *operation
	allow := make([]string, 0, len(ops))
	for i := range ops {
		allow = append(allow, ops[i].method)
		if ops[i].method == r.Method {
			op = &ops[i]
		}
	}
	if op == nil {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		h.writeError(w, http.StatusMethodNotAllowed, "use "+strings.Join(allow, " or ")+" on this path", tmpl)
		return
	}
	c := &call{r: r, w: w}
	if op.public {
		user, pass, ok := restkit.BasicOrFno(r)
		if !ok || !h.cfg.Auth(user, pass) {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+realm+`"`)
			why := "authentication required: send Authorization: Basic (or Fno) and the Base64 of user:password"
			if ok {
				why = "the user name or password was not accepted"
			}
			h.writeError(w, http.StatusUnauthorized, why, tmpl)
			return
		}
		c.user = user
	} else {
		tok, ok := restkit.Bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`"`)
			h.writeError(w, http.StatusUnauthorized,
				"authentication required: send Authorization: Bearer and a JWT from "+PathAuthenticate, tmpl)
			return
		}
		claims, err := h.tokens.Verify(tok, Audience)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+realm+`", error="invalid_token"`)
			why := "the JWT is not valid for this API: get one from " + PathAuthenticate
			if errors.Is(err, restkit.ErrTokenExpired) {
				why = "the JWT has expired (tokens are valid for 60 minutes): get a new one from " + PathAuthenticate
			} else if errors.Is(err, restkit.ErrTokenInvalid) {
				// restkit's reason says which check failed and quotes
				// nothing from the token.
				why = err.Error()
			}
			h.writeError(w, http.StatusUnauthorized, why, tmpl)
			return
		}
		c.user = claims.Subject
	}
	out, rerr := op.serve(c)
	if rerr != nil {
		h.writeError(w, rerr.Status, rerr.Reason, tmpl)
		return
	}
	switch {
	case out.json != nil:
		restkit.WriteJSON(w, http.StatusOK, out.json)
	case out.text != "":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(out.text))
	default:
		w.WriteHeader(http.StatusOK)
	}
}

// errorBody is the Spring Boot error shape the contract assumes (REG-2).
type errorBody struct {
	Timestamp string `json:"timestamp"`
	Status    int    `json:"status"`
	Error     string `json:"error"`
	Message   string `json:"message"`
	Path      string `json:"path,omitempty"`
}

// writeError answers status with reason. path is the route template (""
// for no route), never the request's own path, which holds user input.
func (h *Handler) writeError(w http.ResponseWriter, status int, reason, path string) {
	restkit.WriteJSON(w, status, errorBody{
		Timestamp: h.cfg.Now().UTC().Format("2006-01-02T15:04:05.000-07:00"),
		Status:    status,
		Error:     http.StatusText(status),
		Message:   reason,
		Path:      path,
	})
}

// authenticate answers the JWT for the credentials dispatch has checked.
func (h *Handler) authenticate(c *call) (reply, *restkit.Error) {
	tok, _, err := h.tokens.Issue(c.user, Audience, TokenLifetime)
	if err != nil {
		return reply{}, &restkit.Error{Status: http.StatusInternalServerError, Reason: "the token could not be issued"}
	}
	c.w.Header().Set("Cache-Control", "no-store")
	return reply{json: map[string]string{"token": tok}}, nil
}

func badRequest(reason string) *restkit.Error {
	return &restkit.Error{Status: http.StatusBadRequest, Reason: reason}
}

func notFound(reason string) *restkit.Error {
	return &restkit.Error{Status: http.StatusNotFound, Reason: reason}
}
