package suite

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/onsi/ginkgo/v2"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/schemas"
)

// RESTRequest is one REST call. Path is absolute from the target's base
// URL (/flexnet/operations/manageDevice/devicesCount); Body, when not nil,
// is sent as JSON. Header adds or overrides headers (an Authorization here
// replaces the harness's). Anonymous sends no credentials (as does Auth
// AuthNone); Auth AuthBasic or AuthFno sends the run's user and password
// in that scheme instead of the API's default, without the spec seeing
// them.
type RESTRequest struct {
	Method    string
	Path      string
	Query     url.Values
	Body      any
	Header    http.Header
	Anonymous bool
	Auth      Auth
}

// RESTResult is the answer to one REST call, checked against the API's
// OpenAPI document (kin-openapi).
type RESTResult struct {
	HTTPStatus int
	Header     http.Header
	Body       []byte
	// JSON is the decoded body (numbers as json.Number); nil when the body
	// is empty or not JSON.
	JSON any
	// Findings are the response's violations of the OpenAPI document.
	Findings contract.Findings

	api     string
	opID    string
	query   string // encoded query, "" when none
	key     string // "<api> <METHOD> <path>"
	method  string
	path    string
	reqBody []byte
	reqType string
	env     *Env
}

// Key is "<api> <METHOD> <path>".
func (r *RESTResult) Key() string { return r.key }

// OperationID is the operationId of the route the request matched ("" when
// none did).
func (r *RESTResult) OperationID() string { return r.opID }

// restAPI is one OpenAPI document, loaded and compiled once per process.
type restAPI struct {
	v      *openapi.Validator
	router routers.Router
}

var restAPIs sync.Map // api name → func() (*restAPI, error)

// APIs are the REST API names REST accepts, one per document in
// schemas/rest.
var APIs = []string{"application", "extracts", "data-access", "registry", "notification", "entitlements-beta", "callout"}

func loadAPI(api string) (*restAPI, error) {
	f, _ := restAPIs.LoadOrStore(api, sync.OnceValues(func() (*restAPI, error) {
		known := false
		for _, a := range APIs {
			known = known || a == api
		}
		if !known {
			return nil, fmt.Errorf("unknown REST API %q: want one of %s", api, strings.Join(APIs, ", "))
		}
		data, err := fs.ReadFile(schemas.FS(), "rest/"+api+".yaml")
		if err != nil {
			return nil, err
		}
		doc, err := openapi.LoadBytes(data, "")
		if err != nil {
			return nil, fmt.Errorf("load %s.yaml: %w", api, err)
		}
		v, err := openapi.New(doc, openapi.Options{})
		if err != nil {
			return nil, err
		}
		c := *doc
		c.Servers = nil // paths are absolute: route on the path alone
		r, err := gorillamux.NewRouter(&c)
		if err != nil {
			return nil, fmt.Errorf("route %s.yaml: %w", api, err)
		}
		return &restAPI{v: v, router: r}, nil
	}))
	return f.(func() (*restAPI, error))()
}

// REST sends req to the target and checks the answer against the API's
// OpenAPI document (application, extracts, data-access, registry,
// notification, entitlements-beta, callout). Credentials are the harness's:
// Basic with the run's user by default; the token APIs (data-access,
// registry, notification, entitlements-beta) take a Bearer token from
// BearerToken for every route but their authenticate route. A call that
// cannot be made fails the spec.
func (e *Env) REST(api string, req RESTRequest) *RESTResult {
	ginkgo.GinkgoHelper()
	r, err := e.restCall(api, req)
	if errors.Is(err, errNoPassword) {
		ginkgo.Skip(err.Error())
	}
	if err != nil {
		e.fail(fmt.Sprintf("%s %s %s: %v", api, req.Method, req.Path, err))
	}
	e.attachFindings(r.key, r.Findings)
	return r
}

func (e *Env) restCall(api string, in RESTRequest) (*RESTResult, error) {
	a, err := loadAPI(api)
	if err != nil {
		return nil, err
	}
	method := in.Method
	if method == "" {
		method = http.MethodGet
	}
	if !strings.HasPrefix(in.Path, "/") {
		return nil, fmt.Errorf("the path must be absolute (start with /)")
	}
	u := e.base + in.Path
	if len(in.Query) > 0 {
		u += "?" + in.Query.Encode()
	}
	r := &RESTResult{api: api, method: method, path: in.Path, query: in.Query.Encode(), env: e, key: api + " " + method + " " + in.Path}
	var body io.Reader
	if in.Body != nil {
		data, err := json.Marshal(in.Body)
		if err != nil {
			return nil, fmt.Errorf("encode the body: %w", err)
		}
		r.reqBody, r.reqType = data, "application/json"
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(e.callContext(), method, u, body)
	if err != nil {
		return nil, fmt.Errorf("build the request: the method or path is malformed")
	}
	if r.reqBody != nil {
		req.Header.Set("Content-Type", r.reqType)
	}
	req.Header.Set("Accept", "application/json")
	if route, _, err := a.router.FindRoute(req); err == nil && route.Operation != nil {
		r.opID = route.Operation.OperationID
	}
	switch {
	case in.Anonymous || in.Auth == AuthNone:
	case in.Auth == AuthDefault:
		if err := e.authorize(api, r.opID, req); err != nil {
			return nil, err
		}
	default:
		if err := e.setAuth(in.Auth, req); err != nil {
			return nil, err
		}
	}
	for name, vals := range in.Header {
		req.Header[http.CanonicalHeaderKey(name)] = vals
	}
	if ct := req.Header.Get("Content-Type"); ct != "" {
		r.reqType = ct
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("HTTP: %w", scrubURLError(err))
	}
	defer resp.Body.Close()
	r.HTTPStatus, r.Header = resp.StatusCode, resp.Header
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read the response: %w", scrubURLError(err))
	}
	if len(data) > maxBody {
		r.Findings = contract.Findings{contract.New(contract.RuleBodyTooLarge, r.key+" response", "",
			fmt.Sprintf("the response is larger than %d MiB", maxBody>>20))}
		return r, nil
	}
	r.Body = data
	if len(bytes.TrimSpace(data)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			r.JSON = v
		}
	}
	found, err := a.v.ValidateResponse(req, resp.StatusCode, resp.Header, data)
	if err != nil {
		return nil, fmt.Errorf("validation could not run: %w", err)
	}
	r.Findings = found.WithTarget(r.key + " response")
	return r, nil
}

// authenticateRoutes are the operations that take the user's password
// rather than a token.
var authenticateRoutes = map[string]bool{
	"dataAccessAuthenticate":   true,
	"registryAuthenticate":     true,
	"notificationAuthenticate": true,
}

// tokenAPIs are the APIs whose routes (but the authenticate route) want a
// Bearer token.
var tokenAPIs = map[string]bool{"data-access": true, "registry": true, "notification": true, "entitlements-beta": true}

// authorize sets the request's credentials.
func (e *Env) authorize(api, opID string, req *http.Request) error {
	switch {
	case e.token != "":
		req.Header.Set("Authorization", "Bearer "+string(e.token))
	case tokenAPIs[api] && !authenticateRoutes[opID]:
		tok, err := e.bearer(api)
		if err != nil {
			return err
		}
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
			return nil
		}
		// No token route on this target (entitlements-beta, live): Basic.
		req.SetBasicAuth(e.user, string(e.password))
	default:
		req.SetBasicAuth(e.user, string(e.password))
	}
	return nil
}

// ExpectValid fails the spec when the response violates the API's
// document (a status it does not declare, a body that does not match). A
// documented error status is valid: pair with ExpectStatus.
func (r *RESTResult) ExpectValid() {
	ginkgo.GinkgoHelper()
	if msg := problem(r.key, r.Findings); msg != "" {
		r.env.fail(msg)
	}
}

// ExpectStatus fails the spec unless the HTTP status is code.
func (r *RESTResult) ExpectStatus(code int) {
	ginkgo.GinkgoHelper()
	if r.HTTPStatus != code {
		r.env.fail(fmt.Sprintf("%s: HTTP %d, want %d", r.key, r.HTTPStatus, code))
	}
}

// ExpectGolden compares the response (status, media type, body) with
// golden/rest/<api>/v1/<operationId>/<caseName>, or records it with its
// request when the run updates golden files.
func (r *RESTResult) ExpectGolden(caseName string) {
	ginkgo.GinkgoHelper()
	op := r.opID
	if op == "" {
		r.env.fail(fmt.Sprintf("%s: %s: no route of the document matches, so the golden case has no operation", r.key, contract.RuleOpenAPINoRoute))
	}
	k := golden.Key{Kind: golden.REST, Service: r.api, Version: "v1", Operation: op, Case: caseName}
	u := r.path
	if r.query != "" {
		u += "?" + r.query
	}
	meta := golden.Meta{Method: r.method, URL: u, Status: r.HTTPStatus,
		ResponseHeaders: http.Header{}}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		meta.ResponseHeaders.Set("Content-Type", ct)
	}
	if r.reqBody != nil {
		meta.RequestHeaders = http.Header{"Content-Type": {r.reqType}}
	}
	var resp []byte
	if len(bytes.TrimSpace(r.Body)) > 0 {
		resp = r.Body
	}
	r.env.expectGolden(k, golden.Exchange{Request: r.reqBody, Response: resp, Meta: meta})
}
