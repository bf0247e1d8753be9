// Package rest serves FNO's application REST API (schemas/rest/application.yaml)
// from the emulator's state: POST /flexnet/operations/entitlementOrders and
// /entitlementOrders/count, POST /flexnet/operations/manageDevice/devices and
// /devicesCount, GET /flexnet/operations/consumption (and
// /flexnet/operations/health/consumption, the seed's example path).
//
// The REST services mirror the SOAP ones field for field (seed 001, the
// examples name the same criteria and response fields), so the searches are
// not written twice: a REST request is translated into the request map of
// the SOAP operation behind it (ManageDeviceService v7 getDevicesQuery and
// getDeviceCount, EntitlementOrderService v8 getActivatableItemsQuery and
// getActivatableItemCount), run through the same op.Handler the SOAP server
// dispatches to (overrides included), and its answer is turned into JSON:
// counts become numbers, flags booleans, response dates epoch milliseconds
// (as the seed's examples show them). A device created over SOAP is
// therefore found and counted over REST, with the same paging, batch limit
// (1 to 2000; a FAILURE statusInfo naming the limit, as SOAP answers) and
// NOT_SUPPORTED for userString when the Device User option is off.
// Consumption has no SOAP twin: it reads the account's line items from the
// state.
//
// Transport errors are JSON bodies {"statusInfo": {"status": "FAILURE",
// "reason": ...}}: 400 for malformed JSON or a missing accountId, 401 (with
// a Basic challenge) for missing or wrong credentials, 405 for a wrong
// method, 413 for a body over the limit, 415 for a body that is not JSON.
// Reasons name fields, never values.
package rest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Prefix is the path below which every route of this package lives.
const Prefix = "/flexnet/operations/"

// The routes of application.yaml.
const (
	PathEntitlementOrders      = "/flexnet/operations/entitlementOrders"
	PathEntitlementOrdersCount = "/flexnet/operations/entitlementOrders/count"
	PathDevices                = "/flexnet/operations/manageDevice/devices"
	PathDevicesCount           = "/flexnet/operations/manageDevice/devicesCount"
	PathConsumption            = "/flexnet/operations/consumption"
	PathConsumptionHealth      = "/flexnet/operations/health/consumption"
)

// DefaultMaxBody bounds a request body when Config.MaxBody is zero.
const DefaultMaxBody = 1 << 20

// Handlers finds the SOAP operation handler a route runs; the emulator
// passes the same lookup its SOAP server uses.
type Handlers interface {
	Lookup(o contract.Operation) (op.Handler, bool)
}

// Config configures the REST handler. Handlers, Store and Auth are required.
type Config struct {
	Handlers Handlers
	Store    *state.Store
	// Auth checks HTTP Basic credentials in constant time
	// (server.Matcher of the emulator's user).
	Auth func(user, password string) bool
	// Realm is announced in the 401 challenge.
	Realm string
	// MaxBody bounds a request body in bytes; larger ones get 413.
	MaxBody int64
	// Now is the emulator's clock; nil is time.Now.
	Now func() time.Time
}

// The SOAP operations behind the routes: the newest version of each, whose
// criteria are the REST ones.
var (
	opDevices      = contract.Operation{Service: "ManageDeviceService", Version: "v7", Name: "getDevicesQuery"}
	opDevicesCount = contract.Operation{Service: "ManageDeviceService", Version: "v7", Name: "getDeviceCount"}
	opItems        = contract.Operation{Service: "EntitlementOrderService", Version: "v8", Name: "getActivatableItemsQuery"}
	opItemsCount   = contract.Operation{Service: "EntitlementOrderService", Version: "v8", Name: "getActivatableItemCount"}
)

// Handler serves the application REST routes.
type Handler struct {
	cfg    Config
	routes map[string]route
}

type route struct {
	method string
	serve  func(ctx context.Context, user string, body map[string]any, q map[string][]string) (int, any)
}

// New builds the handler.
func New(cfg Config) (*Handler, error) {
	if cfg.Handlers == nil || cfg.Store == nil || cfg.Auth == nil {
		return nil, errors.New("emulator rest: handlers, store and an auth check are required")
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
	h.routes = map[string]route{
		PathEntitlementOrders:      {http.MethodPost, h.entitlementOrders},
		PathEntitlementOrdersCount: {http.MethodPost, h.entitlementOrdersCount},
		PathDevices:                {http.MethodPost, h.devices},
		PathDevicesCount:           {http.MethodPost, h.devicesCount},
		PathConsumption:            {http.MethodGet, h.consumption},
		PathConsumptionHealth:      {http.MethodGet, h.consumption},
	}
	return h, nil
}

// ServeHTTP routes a request under Prefix.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rt, ok := h.routes[strings.TrimSuffix(r.URL.Path, "/")]
	if !ok {
		writeError(w, http.StatusNotFound, "no application REST service at this path")
		return
	}
	// Credentials first, before the body is read: an anonymous client
	// costs no decoding.
	user, pass, ok := r.BasicAuth()
	if !ok || !h.cfg.Auth(user, pass) {
		w.Header().Set("WWW-Authenticate", restkit.Challenge("Basic", h.cfg.Realm))
		writeError(w, http.StatusUnauthorized, "authentication required: HTTP Basic credentials of a web-services user")
		return
	}
	if r.Method != rt.method {
		w.Header().Set("Allow", rt.method)
		writeError(w, http.StatusMethodNotAllowed, "use "+rt.method+" on this path")
		return
	}
	var body map[string]any
	if rt.method == http.MethodPost {
		var v any
		if err := restkit.ReadJSON(w, r, h.cfg.MaxBody, &v); err != nil {
			writeError(w, err.Status, err.Reason)
			return
		}
		var ok bool
		if body, ok = v.(map[string]any); !ok {
			writeError(w, http.StatusBadRequest, "the body must be a JSON object")
			return
		}
	}
	status, out := rt.serve(r.Context(), user, body, r.URL.Query())
	restkit.WriteJSON(w, status, out)
}

// call runs the SOAP operation o with request req and returns its answer.
func (h *Handler) call(ctx context.Context, o contract.Operation, user string, req map[string]any) (map[string]any, error) {
	fn, ok := h.cfg.Handlers.Lookup(o)
	if !ok {
		return nil, errors.New("no handler for " + o.Service + " " + o.Version.String() + " " + o.Name)
	}
	return fn(ctx, &op.Call{Op: o, Request: req, User: user, Now: h.cfg.Now()})
}

// answer turns a handler's result or error into a status and JSON body.
func answer(res map[string]any, err error) (int, any) {
	if err != nil {
		var f *op.Fault
		if errors.As(err, &f) && f.Code == "soapenv:Client" {
			return http.StatusBadRequest, failure(f.String)
		}
		return http.StatusInternalServerError, failure("the request could not be served")
	}
	return http.StatusOK, toJSON(res)
}

func failure(reason string) map[string]any {
	return map[string]any{"statusInfo": map[string]any{"status": "FAILURE", "reason": reason}}
}

func writeError(w http.ResponseWriter, status int, reason string) {
	restkit.WriteJSON(w, status, failure(reason))
}
