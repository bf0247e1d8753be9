// Package resttest is test scaffolding shared by the tests of the
// emulator's REST API packages (rest, extracts, notify, registry,
// dataaccess, entapi): sending a request and keeping the whole exchange,
// reading its JSON, checking request and answer against the API's OpenAPI
// document, the route walk's "every route of the document was called", and
// a settable clock for token expiry and the emulator's time.
// Import it from _test.go files only. What is particular to one API (its
// fixtures, credentials, body shapes) stays in that package's tests.
package resttest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/openapi"
)

// MaxAnswer bounds the body Send reads: a larger answer fails the test
// rather than being checked cut short.
const MaxAnswer = 64 << 20

// Exchange is one request and the answer to it.
type Exchange struct {
	// Req is the request as sent; its body has been consumed (see ReqBody).
	Req *http.Request
	// ReqBody is the request's body as sent (nil: none), for
	// CheckRequest.
	ReqBody []byte
	Status  int
	Header  http.Header
	Body    []byte
}

// Send sends req with c (nil: http.DefaultClient) and reads the whole
// answer. The request body is kept when req can give it again (GetBody,
// which http.NewRequest sets for in-memory bodies).
func Send(t testing.TB, c *http.Client, req *http.Request) Exchange {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	x := Exchange{Req: req}
	if req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			t.Fatal(err)
		}
		x.ReqBody, err = io.ReadAll(b)
		if err != nil {
			t.Fatal(err)
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxAnswer+1))
	if err != nil {
		t.Fatal(err)
	}
	if len(body) > MaxAnswer {
		t.Fatalf("%s %s: the answer is larger than %d bytes", req.Method, req.URL.Path, MaxAnswer)
	}
	x.Status, x.Header, x.Body = resp.StatusCode, resp.Header, body
	return x
}

// Serve runs req through h in process, as the server would. The request
// body, an in-memory one, is read first so that ReqBody keeps it.
func Serve(h http.Handler, req *http.Request) Exchange {
	x := Exchange{Req: req}
	if req.Body != nil && req.Body != http.NoBody {
		x.ReqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(x.ReqBody))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	x.Status, x.Header = res.StatusCode, res.Header
	x.Body, _ = io.ReadAll(res.Body)
	return x
}

// Decode reads x's body as JSON into a T, failing t when it is not one.
func Decode[T any](t testing.TB, x Exchange) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(x.Body, &v); err != nil {
		t.Fatalf("%s %s: status %d, body is not the JSON expected: %v: %s", x.Req.Method, x.Req.URL.Path, x.Status, err, x.Body)
	}
	return v
}

// JSON reads x's body as a JSON object.
func (x Exchange) JSON(t testing.TB) map[string]any {
	t.Helper()
	return Decode[map[string]any](t, x)
}

type validatorKey struct {
	path string
	opts openapi.Options
}

var validators sync.Map // validatorKey → func() (*openapi.Validator, error)

// Validator is the validator of the OpenAPI document at path with opts,
// loaded once per test binary: a Validator is safe to share.
func Validator(t testing.TB, path string, opts openapi.Options) *openapi.Validator {
	t.Helper()
	f, _ := validators.LoadOrStore(validatorKey{path, opts}, sync.OnceValues(func() (*openapi.Validator, error) {
		return openapi.Open(path, opts)
	}))
	v, err := f.(func() (*openapi.Validator, error))()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// CheckResponse fails t with every finding of x's answer.
func CheckResponse(t testing.TB, v *openapi.Validator, x Exchange) {
	t.Helper()
	fs, err := v.ValidateResponse(x.Req, x.Status, x.Header, x.Body)
	if err != nil {
		t.Fatal(err)
	}
	Report(t, x, "response", fs)
}

// CheckRequest fails t with every finding of x's request, its body as
// sent.
func CheckRequest(t testing.TB, v *openapi.Validator, x Exchange) {
	t.Helper()
	req := x.Req.Clone(x.Req.Context())
	req.Body = http.NoBody
	if x.ReqBody != nil {
		req.Body = io.NopCloser(bytes.NewReader(x.ReqBody))
	}
	fs, err := v.ValidateRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	Report(t, x, "request", fs)
}

// Report fails t with each finding of one side of x.
func Report(t testing.TB, x Exchange, side string, fs contract.Findings) {
	t.Helper()
	for _, f := range fs {
		t.Errorf("%s %s → %d: %s finding %s at %s: %s", x.Req.Method, x.Req.URL.Path, x.Status, side, f.Rule, f.Location, f.Message)
	}
}

// EveryRoute fails t for each route (method and path template) of v's
// document that walked, keyed "METHOD /path/{template}", lacks.
func EveryRoute(t testing.TB, v *openapi.Validator, walked map[string]bool) {
	t.Helper()
	for path, item := range v.Document().Paths.Map() {
		for method := range item.Operations() {
			if !walked[method+" "+path] {
				t.Errorf("route %s %s is not walked", method, path)
			}
		}
	}
}

// Basic is the Authorization header value of HTTP Basic credentials.
func Basic(user, password string) string { return "Basic " + userPass(user, password) }

// Fno is the same credentials in FNO's own scheme (seed 001 lines 2556-2559).
func Fno(user, password string) string { return "Fno " + userPass(user, password) }

func userPass(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
}

// Clock is a fake clock the test moves by hand, for a handler's Config.Now
// and the store's SetClock. Handlers read it from server goroutines, so it
// is safe for concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}
