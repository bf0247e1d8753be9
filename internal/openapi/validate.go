package openapi

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/fnokit/fnokit/internal/contract"
)

// Options tune a Validator. The zero value is the default.
type Options struct {
	// MaxBodyBytes caps a body before anything decodes it; a larger body
	// gives a body-too-large finding and its content is not checked.
	// Zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// MaxDepth caps the nesting of arrays and objects in a JSON body; zero
	// means DefaultMaxDepth.
	MaxDepth int
	// RequireCredentials makes ValidateRequest report an openapi-security
	// finding when a request carries no credentials of the kind its
	// operation's security requirements name. Credentials are never
	// judged, only looked for; by default they are not even looked for.
	RequireCredentials bool
	// AllowUndeclaredStatus accepts a response status the operation does
	// not declare (and that no default response covers) instead of
	// reporting openapi-status-undeclared.
	AllowUndeclaredStatus bool
}

func (o Options) withDefaults() Options {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxDepth <= 0 {
		o.MaxDepth = DefaultMaxDepth
	}
	return o
}

// Validator checks requests and responses against one OpenAPI document.
// It holds no per-call state: one Validator serves any number of
// goroutines.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
	opts   Options
}

// New builds a Validator for doc, which must be valid (see Lint): kin-openapi
// assumes it, and a broken contract cannot give trustworthy findings.
//
// Routes match on the path alone: the host and scheme of the document's
// servers are ignored (the same document checks the emulator on loopback
// and a live tenant), and only the path part of the first server URL is
// kept as a base path.
func New(doc *openapi3.T, opts Options) (*Validator, error) {
	if err := Validate(context.Background(), doc); err != nil {
		return nil, fmt.Errorf("openapi: the document is not valid, run `fnokit schemas lint` on it: %w", err)
	}
	r, err := gorillamux.NewRouter(pathOnly(doc))
	if err != nil {
		return nil, fmt.Errorf("openapi: build router: %w", err)
	}
	return &Validator{doc: doc, router: r, opts: opts.withDefaults()}, nil
}

// Document returns the document the validator checks against.
func (v *Validator) Document() *openapi3.T { return v.doc }

// pathOnly returns a shallow copy of doc whose servers keep only the path of
// the first server URL, so routing ignores hosts and schemes.
func pathOnly(doc *openapi3.T) *openapi3.T {
	c := *doc
	base := ""
	if len(doc.Servers) > 0 && doc.Servers[0] != nil {
		if u, err := url.Parse(doc.Servers[0].URL); err == nil && !strings.Contains(u.Path, "{") {
			base = strings.TrimSuffix(u.Path, "/")
		}
	}
	c.Servers = nil
	if base != "" {
		c.Servers = openapi3.Servers{{URL: base}}
	}
	return &c
}

func (v *Validator) filterOptions() *openapi3filter.Options {
	o := &openapi3filter.Options{
		MultiError:            true,
		IncludeResponseStatus: true,
		RegexCompiler:         CompileECMAScript,
		AuthenticationFunc:    acceptAll,
		// Validation must not rewrite the request it looks at.
		SkipSettingDefaults: true,
	}
	if v.opts.RequireCredentials {
		o.AuthenticationFunc = requirePresence
	}
	return o
}

// route finds the operation for req, or a no-route finding.
func (v *Validator) route(req *http.Request) (*routers.Route, map[string]string, *contract.Finding) {
	route, params, err := v.router.FindRoute(req)
	if err == nil {
		return route, params, nil
	}
	msg := "no path of the document matches the request path"
	if errors.Is(err, routers.ErrMethodNotAllowed) {
		msg = fmt.Sprintf("the path is declared but method %s is not", safeMethod(req.Method))
	}
	f := contract.New(contract.RuleOpenAPINoRoute, "", "", msg)
	return nil, nil, &f
}

// ValidateRequest checks req against its operation: route, parameters,
// security (see Options.RequireCredentials) and body. The body is read (up
// to the size cap) and put back, so a handler can still read it.
// The error is for a request that could not be checked at all.
func (v *Validator) ValidateRequest(req *http.Request) (contract.Findings, error) {
	route, params, nf := v.route(req)
	if nf != nil {
		return contract.Findings{*nf}, nil
	}
	opts := v.filterOptions()
	var out contract.Findings
	if req.Body != nil && req.Body != http.NoBody {
		body, tooBig, err := readCapped(req.Body, v.opts.MaxBodyBytes)
		if err != nil {
			return nil, fmt.Errorf("openapi: read request body: %w", err)
		}
		if tooBig {
			// Hand the whole body back: this may be a middleware.
			req.Body = struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(body), req.Body), req.Body}
			out = append(out, tooLarge(v.opts.MaxBodyBytes))
			opts.ExcludeRequestBody = true
		} else {
			req.Body.Close()
			req.Body = io.NopCloser(bytes.NewReader(body))
			if rb := route.Operation.RequestBody; rb != nil && rb.Value != nil && len(body) > 0 {
				ct := req.Header.Get("Content-Type")
				if mt := rb.Value.Content.Get(ct); mt != nil && isJSON(ct) {
					if f := checkJSON(body, v.opts.MaxDepth); f != nil {
						out = append(out, *f)
						opts.ExcludeRequestBody = true
					}
				}
			}
			// kin-openapi reads the body; give it its own reader.
			defer func() { req.Body = io.NopCloser(bytes.NewReader(body)) }()
		}
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	err := openapi3filter.ValidateRequest(req.Context(), in)
	out = append(out, requestFindings(err)...)
	out.Sort()
	return out, nil
}

// ValidateResponse checks a response to req (which only routes it: its
// body is not read) against the operation's declared responses: status,
// content type, headers and body. All body violations are reported, each
// located by a JSON Pointer into the body.
func (v *Validator) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) (contract.Findings, error) {
	route, params, nf := v.route(req)
	if nf != nil {
		return contract.Findings{*nf}, nil
	}
	if header == nil {
		header = http.Header{}
	}
	opts := v.filterOptions()
	var out contract.Findings

	responses := route.Operation.Responses
	var resp *openapi3.ResponseRef
	if responses != nil {
		if resp = responses.Status(status); resp == nil {
			resp = responses.Default()
		}
	}
	if resp == nil || resp.Value == nil {
		if v.opts.AllowUndeclaredStatus || responses == nil || responses.Len() == 0 {
			return nil, nil
		}
		return contract.Findings{contract.New(contract.RuleOpenAPIStatus, "", "",
			fmt.Sprintf("status %d is not declared for the operation and it has no default response", status))}, nil
	}

	ct := header.Get("Content-Type")
	var mt *openapi3.MediaType
	if int64(len(body)) > v.opts.MaxBodyBytes {
		out = append(out, tooLarge(v.opts.MaxBodyBytes))
		opts.ExcludeResponseBody = true
	} else if content := resp.Value.Content; len(content) > 0 {
		mt = content.Get(ct)
		switch {
		case mt == nil:
			out = append(out, contract.New(contract.RuleOpenAPIMediaType, "", "/header/Content-Type",
				fmt.Sprintf("content type %s is not declared for status %d (declared: %s)", safeMediaType(ct), status, strings.Join(slices.Sorted(maps.Keys(content)), ", "))))
			opts.ExcludeResponseBody = true
		case mt.Schema != nil && isJSON(ct):
			if f := checkJSON(body, v.opts.MaxDepth); f != nil {
				out = append(out, *f)
				opts.ExcludeResponseBody = true
			}
		}
	}

	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts},
		Status:                 status,
		Header:                 header,
		Options:                opts,
	}
	in.SetBodyBytes(body)
	err := openapi3filter.ValidateResponse(req.Context(), in)
	fs := responseFindings(err)
	out = append(out, fs...)
	if headerFinding(fs) && !opts.ExcludeResponseBody && mt != nil && mt.Schema != nil {
		// kin-openapi stops at the first bad header without looking at
		// the body; every violation is wanted, so check the body too.
		out = append(out, v.responseBody(route, ct, mt, header, body)...)
	}
	out.Sort()
	return out, nil
}

func headerFinding(fs contract.Findings) bool {
	for _, f := range fs {
		if f.Rule == contract.RuleOpenAPIResponse && strings.HasPrefix(f.Location, "/header/") {
			return true
		}
	}
	return false
}

// responseBody validates a response body alone, as kin-openapi would after
// the headers, with the same decoder and schema options.
func (v *Validator) responseBody(route *routers.Route, ct string, mt *openapi3.MediaType, header http.Header, body []byte) contract.Findings {
	mediaType, _, _ := mime.ParseMediaType(ct)
	dec := openapi3filter.RegisteredBodyDecoder(mediaType)
	if dec == nil && strings.HasSuffix(mediaType, "+json") {
		dec = openapi3filter.RegisteredBodyDecoder("application/json")
	}
	if dec == nil {
		return nil
	}
	enc := func(name string) *openapi3.Encoding { return mt.Encoding[name] }
	value, err := dec(bytes.NewReader(body), header, mt.Schema, enc)
	if err != nil {
		return contract.Findings{contract.New(contract.RuleJSONMalformed, "", "", "response body cannot be decoded as its declared media type")}
	}
	opts := []openapi3.SchemaValidationOption{
		openapi3.MultiErrors(), openapi3.VisitAsResponse(), openapi3.SetSchemaRegexCompiler(CompileECMAScript),
	}
	if route.Spec.IsOpenAPI31OrLater() {
		opts = append(opts, openapi3.EnableJSONSchema2020())
	}
	return schemaFindings(mt.Schema.Value.VisitJSON(value, opts...), contract.RuleOpenAPIBodySchema)
}

// ExchangeFindings are the findings of one recorded request and its
// response, kept apart because the same rule (say openapi-body-schema)
// means different things on either side.
type ExchangeFindings struct {
	Request  contract.Findings `json:"request"`
	Response contract.Findings `json:"response"`
}

// HasErrors reports whether either side has an error finding.
func (e ExchangeFindings) HasErrors() bool {
	return e.Request.HasErrors() || e.Response.HasErrors()
}

// ValidateExchange checks a request and its response recorded as raw
// HTTP/1.x messages (request line or status line, headers, blank line,
// body), as read from files. A chunked or gzip-encoded body is decoded as
// net/http decodes it. A message that does not parse is an error, not a
// finding: it is a broken recording, not a broken contract.
func (v *Validator) ValidateExchange(rawRequest, rawResponse []byte) (ExchangeFindings, error) {
	var ef ExchangeFindings
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(rawRequest)))
	if err != nil {
		return ef, fmt.Errorf("openapi: parse recorded request: %w (want an HTTP/1.x request: request line, headers, blank line, body)", err)
	}
	// A recorded request has a path in its request line; routing needs a URL.
	if req.URL.Host == "" {
		req.URL.Host = req.Host
	}
	if ef.Request, err = v.ValidateRequest(req); err != nil {
		return ef, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(rawResponse)), req)
	if err != nil {
		return ef, fmt.Errorf("openapi: parse recorded response: %w (want an HTTP/1.x response: status line, headers, blank line, body)", err)
	}
	defer resp.Body.Close()
	body, tooBig, err := readCapped(resp.Body, v.opts.MaxBodyBytes)
	if err != nil {
		return ef, fmt.Errorf("openapi: read recorded response body: %w", err)
	}
	if tooBig {
		ef.Response = contract.Findings{tooLarge(v.opts.MaxBodyBytes)}
		return ef, nil
	}
	ef.Response, err = v.ValidateResponse(req, resp.StatusCode, resp.Header, body)
	return ef, err
}

// readCapped reads at most max bytes; tooBig says there was more (one
// extra byte was read to find out, and is included in the returned data).
func readCapped(r io.Reader, max int64) (data []byte, tooBig bool, err error) {
	data, err = io.ReadAll(io.LimitReader(r, max+1))
	return data, int64(len(data)) > max, err
}

func tooLarge(max int64) contract.Finding {
	return contract.New(contract.RuleBodyTooLarge, "", "", fmt.Sprintf("body is larger than the limit of %d bytes; its content was not checked", max))
}

// isJSON reports whether a media type is JSON (application/json or a
// +json suffix), the only bodies the pre-decode checks apply to.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// safeMediaType names a peer's Content-Type only when it is a well-known
// media type: the header is free text from the peer, and a finding must not
// become a channel for whatever it carries.
func safeMediaType(ct string) string {
	if ct == "" {
		return "(none)"
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return "(unparsable)"
	}
	if knownMediaTypes[mt] {
		return mt
	}
	return "(a media type not listed here)"
}

var knownMediaTypes = map[string]bool{
	"application/json": true, "application/problem+json": true, "application/xml": true,
	"application/soap+xml": true, "application/octet-stream": true, "application/x-www-form-urlencoded": true,
	"application/zip": true, "application/pdf": true, "multipart/form-data": true,
	"text/xml": true, "text/html": true, "text/plain": true, "text/csv": true, "text/javascript": true,
}

func safeMethod(m string) string {
	if len(m) > 20 || strings.ContainsFunc(m, func(r rune) bool { return r < 'A' || r > 'Z' }) {
		return "(non-standard)"
	}
	return m
}
