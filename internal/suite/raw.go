package suite

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/onsi/ginkgo/v2"

	"github.com/fnokit/fnokit/internal/emulator/server"
)

// Auth chooses the credentials a call carries. Whatever the choice, the
// harness fills them in: a spec never sees the run's password or token.
type Auth int

const (
	// AuthDefault is the harness's choice: for REST the API's (HTTP
	// Basic, or a Bearer token on the token APIs); for Raw and Post the
	// run's user over HTTP Basic, or the run's FNOKIT_TOKEN as a Bearer
	// token.
	AuthDefault Auth = iota
	// AuthNone sends no credentials.
	AuthNone
	// AuthBasic is HTTP Basic with the run's user and password, also on
	// routes whose default is a Bearer token (to prove they refuse it).
	AuthBasic
	// AuthFno is "Authorization: Fno <base64 user:password>", which the
	// registry's authenticate route accepts like Basic (seed 001 lines
	// 2550-2566).
	AuthFno
)

// errNoPassword is returned for AuthBasic and AuthFno when the run has a
// token but no password (FNOKIT_TOKEN): the calling spec is skipped.
var errNoPassword = errors.New("the call needs the run's user and password (FNOKIT_USER and FNOKIT_PASSWORD); this run has a token")

// setAuth sets the credentials of a request for AuthNone, AuthBasic and
// AuthFno; AuthDefault is the caller's (REST: authorize; Raw: runAuth).
func (e *Env) setAuth(a Auth, req *http.Request) error {
	switch a {
	case AuthNone:
		return nil
	case AuthBasic, AuthFno:
		if e.password == "" {
			return errNoPassword
		}
		if a == AuthBasic {
			req.SetBasicAuth(e.user, string(e.password))
			return nil
		}
		req.Header.Set("Authorization", "Fno "+base64.StdEncoding.EncodeToString([]byte(e.user+":"+string(e.password))))
		return nil
	case AuthDefault:
		if e.token != "" {
			req.Header.Set("Authorization", "Bearer "+string(e.token))
			return nil
		}
		req.SetBasicAuth(e.user, string(e.password))
		return nil
	}
	return fmt.Errorf("unknown Auth %d", a)
}

// RawRequest is one HTTP call the harness makes without interpreting it:
// an XML Public Service document, a request a version does not have.
// Path is absolute from the target's base URL; Method defaults to POST
// when there is a body, else GET. Header adds or overrides headers (an
// Authorization here replaces the harness's credentials, so a spec can
// send deliberately wrong ones).
type RawRequest struct {
	Method      string
	Path        string
	Query       url.Values
	ContentType string
	Body        []byte
	Header      http.Header
	Auth        Auth
}

// RawResult is the answer to a raw call, unvalidated: the spec checks it
// against its own contract (and may report findings with
// ExpectNoFindings).
type RawResult struct {
	HTTPStatus int
	Header     http.Header
	Body       []byte
}

// Raw sends req to the target with the credentials req.Auth chooses. A
// call that cannot be made fails the spec; a spec asking for the run's
// password (AuthBasic, AuthFno) on a run that has only a token is
// skipped. The harness cannot tell whether a raw call writes: a spec
// labelled kind:read must send only calls that change nothing.
func (e *Env) Raw(req RawRequest) *RawResult {
	ginkgo.GinkgoHelper()
	r, err := e.rawCall(req, e.base)
	if errors.Is(err, errNoPassword) {
		ginkgo.Skip(err.Error())
	}
	if err != nil {
		e.fail(fmt.Sprintf("%s %s: %v", req.Method, req.Path, err))
	}
	return r
}

// Post is Raw for the common case: POST body (of contentType) to path.
func (e *Env) Post(path, contentType string, body []byte, auth Auth) *RawResult {
	ginkgo.GinkgoHelper()
	return e.Raw(RawRequest{Method: http.MethodPost, Path: path, ContentType: contentType, Body: body, Auth: auth})
}

func (e *Env) rawCall(in RawRequest, base string) (*RawResult, error) {
	if !strings.HasPrefix(in.Path, "/") {
		return nil, errors.New("the path must be absolute (start with /)")
	}
	method := in.Method
	if method == "" {
		method = http.MethodGet
		if in.Body != nil {
			method = http.MethodPost
		}
	}
	u := base + in.Path
	if len(in.Query) > 0 {
		u += "?" + in.Query.Encode()
	}
	var body io.Reader
	if in.Body != nil {
		body = bytes.NewReader(in.Body)
	}
	req, err := http.NewRequestWithContext(e.callContext(), method, u, body)
	if err != nil {
		return nil, errors.New("build the request: the method or path is malformed")
	}
	if in.ContentType != "" {
		req.Header.Set("Content-Type", in.ContentType)
	}
	if err := e.setAuth(in.Auth, req); err != nil {
		return nil, err
	}
	for name, vals := range in.Header {
		req.Header[http.CanonicalHeaderKey(name)] = vals
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("HTTP: %w", scrubURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("read the response: %w", scrubURLError(err))
	}
	if len(data) > maxBody {
		return nil, fmt.Errorf("the response is larger than %d MiB", maxBody>>20)
	}
	return &RawResult{HTTPStatus: resp.StatusCode, Header: resp.Header, Body: data}, nil
}

// Admin calls one of the run's emulator's admin routes (server.AdminPrefix:
// extracts on demand, the notification delivery log, personal access
// tokens, Entitlements API tokens …) with the emulator's credentials, so a
// spec need not know them. path is below the admin prefix ("extracts") or
// starts with it. Against a live target, which has no such routes, the
// spec is skipped: a spec that calls Admin is emulator-only. Inside a
// cleanup it returns what it can (a failure is the cleanup's).
func (e *Env) Admin(method, path string, query url.Values) *RawResult {
	ginkgo.GinkgoHelper()
	if e.emu == nil {
		if e.inCleanup() {
			e.fail("the emulator's admin routes are not on a live target")
		}
		ginkgo.Skip("emulator only: " + server.AdminPrefix + strings.TrimPrefix(path, server.AdminPrefix) + " is an emulator admin route")
	}
	if !strings.HasPrefix(path, server.AdminPrefix) {
		path = server.AdminPrefix + strings.TrimPrefix(path, "/")
	}
	r, err := e.rawCall(RawRequest{Method: method, Path: path, Query: query, Auth: AuthBasic}, e.emu.URL())
	if err != nil {
		e.fail(fmt.Sprintf("%s %s: %v", method, path, err))
	}
	return r
}
