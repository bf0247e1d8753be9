package notify_test

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/notify"
	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/openapi"
)

const (
	contractPath = "../../../schemas/rest/notification.yaml"
	samplesDir   = "../../../schemas/rest/testdata/notification"
	testUser     = "admin"
	testPassword = "s3cret-pass"
)

// t0 is the start of every test clock.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func auth(user, password string) bool {
	return subtle.ConstantTimeCompare([]byte(user), []byte(testUser))&
		subtle.ConstantTimeCompare([]byte(password), []byte(testPassword)) == 1
}

// newService builds a service over st (nil: an empty store) and closes it
// when the test ends.
func newService(t testing.TB, cfg notify.Config) *notify.Service {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = state.New(1)
	}
	if cfg.Auth == nil {
		cfg.Auth = auth
	}
	s, err := notify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return s
}

type exchange = resttest.Exchange

// call serves one request through h. authz is the Authorization header
// ("" for none); body is JSON-encoded unless it is []byte.
func call(t testing.TB, h http.Handler, method, path, authz string, body any) exchange {
	t.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		data = b
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	req := httptest.NewRequest(method, path, bytes.NewReader(data))
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	return resttest.Serve(h, req)
}

// token authenticates as the test user and returns "Bearer <JWT>".
func token(t testing.TB, s *notify.Service) string {
	t.Helper()
	x := call(t, s.Handler(), http.MethodGet, notify.PathAuthenticate, resttest.Basic(testUser, testPassword), nil)
	if x.Status != http.StatusOK {
		t.Fatalf("authenticate: status %d: %s", x.Status, x.Body)
	}
	tok, _ := x.JSON(t)["token"].(string)
	if tok == "" {
		t.Fatalf("authenticate: no token in %s", x.Body)
	}
	return "Bearer " + tok
}

// sample reads a request sample of schemas/rest/testdata/notification.
func sample(t testing.TB, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// TestRouteWalk calls every route of notification.yaml with the samples
// and the emulator's own requests, good and bad, and validates every
// request and answer against the contract: zero findings.
func TestRouteWalk(t *testing.T) {
	t.Parallel()
	// The samples name remote webhooks (api.example.com); nothing is
	// delivered since no device changes.
	s := newService(t, notify.Config{AllowRemoteWebhooks: true})
	v := resttest.Validator(t, contractPath, openapi.Options{})
	h := s.Handler()
	bearer := token(t, s)
	loopback := map[string]any{"deviceSubscription": true, "deviceWebhookUrl": "http://127.0.0.1:9/hooks", "authType": "none"}

	cases := []struct {
		name, method, path, authz string
		body                      any
		status                    int
		validRequest              bool
	}{
		{"health", http.MethodGet, notify.PathHealth, "", nil, http.StatusOK, true},
		{"basic", http.MethodGet, notify.PathAuthenticate, resttest.Basic(testUser, testPassword), nil, http.StatusOK, true},
		{"fno scheme", http.MethodGet, notify.PathAuthenticate, resttest.Fno(testUser, testPassword), nil, http.StatusOK, true},
		{"wrong password", http.MethodGet, notify.PathAuthenticate, resttest.Basic(testUser, "nope"), nil, http.StatusUnauthorized, true},
		{"no credentials", http.MethodGet, notify.PathAuthenticate, "", nil, http.StatusUnauthorized, true},
		{"not configured", http.MethodGet, notify.PathService, bearer, nil, http.StatusNotFound, true},
		{"no token", http.MethodGet, notify.PathService, "", nil, http.StatusUnauthorized, true},
		{"first sample", http.MethodPost, notify.PathService, bearer, sample(t, "createNotificationService.request.valid.json"), http.StatusCreated, true},
		{"read", http.MethodGet, notify.PathService, bearer, nil, http.StatusOK, true},
		{"help spelling", http.MethodPost, notify.PathService, bearer, sample(t, "createNotificationService.request.valid-help-spelling.json"), http.StatusOK, true},
		{"invalid sample", http.MethodPost, notify.PathService, bearer, sample(t, "createNotificationService.request.invalid.json"), http.StatusBadRequest, false},
		{"loopback", http.MethodPost, notify.PathService, bearer, loopback, http.StatusOK, true},
		{"no token", http.MethodPost, notify.PathService, "", loopback, http.StatusUnauthorized, true},
		{"sample", http.MethodPatch, notify.PathService, bearer, sample(t, "updateNotificationService.request.valid.json"), http.StatusOK, true},
		{"invalid sample", http.MethodPatch, notify.PathService, bearer, sample(t, "updateNotificationService.request.invalid.json"), http.StatusBadRequest, false},
		{"switch on again", http.MethodPatch, notify.PathService, bearer, map[string]any{"deviceSubscription": "true"}, http.StatusOK, true},
		{"no token", http.MethodPatch, notify.PathService, "", loopback, http.StatusUnauthorized, true},
		{"read back", http.MethodGet, notify.PathService, bearer, nil, http.StatusOK, true},
	}
	walked := map[string]bool{}
	for _, c := range cases {
		// In order, not in parallel: each case sees the configuration
		// the cases before it left.
		t.Run(c.method+" "+c.path+" "+c.name, func(t *testing.T) {
			x := call(t, h, c.method, c.path, c.authz, c.body)
			walked[c.method+" "+c.path] = true
			if x.Status != c.status {
				t.Fatalf("status %d, want %d: %s", x.Status, c.status, x.Body)
			}
			resttest.CheckResponse(t, v, x)
			if c.validRequest {
				resttest.CheckRequest(t, v, x)
			}
		})
	}
	resttest.EveryRoute(t, v, walked)
	// The last answer keeps the stored URL under the name it was given
	// with, merged flags, and no secret.
	got := call(t, h, http.MethodGet, notify.PathService, bearer, nil).JSON(t)
	if got["deviceWebhookUrl"] != "http://127.0.0.1:9/hooks" || got["deviceSubscription"] != "true" || got["authType"] != "none" {
		t.Errorf("stored configuration %v", got)
	}
}

// Secrets are stored (the deliveries use them) but never answered.
func TestSecretsNotAnswered(t *testing.T) {
	t.Parallel()
	s := newService(t, notify.Config{})
	bearer := token(t, s)
	body := map[string]any{"deviceSubscription": true, "deviceWehookUrl": "http://localhost:9/d",
		"authType": "basic", "basicUserId": "hook-user", "basicPassword": "hook-password-1", "authToken": "hook-token-2"}
	for _, x := range []exchange{
		call(t, s.Handler(), http.MethodPost, notify.PathService, bearer, body),
		call(t, s.Handler(), http.MethodGet, notify.PathService, bearer, nil),
	} {
		if x.Status/100 != 2 {
			t.Fatalf("%s: status %d: %s", x.Req.Method, x.Status, x.Body)
		}
		if bytes.Contains(x.Body, []byte("hook-password-1")) || bytes.Contains(x.Body, []byte("hook-token-2")) {
			t.Errorf("%s answers a secret: %s", x.Req.Method, x.Body)
		}
		if m := x.JSON(t); m["basicUserId"] != "hook-user" || m["deviceWehookUrl"] != "http://localhost:9/d" {
			t.Errorf("%s: %v", x.Req.Method, m)
		}
	}
}

// Tokens: expired, forged, another API's, garbage and missing ones get
// 401 with a message that says which and never echoes the token.
func TestTokens(t *testing.T) {
	t.Parallel()
	clk := resttest.NewClock(t0)
	s := newService(t, notify.Config{Now: clk.Now, Seed: 11})
	h := s.Handler()
	good := token(t, s)
	if x := call(t, h, http.MethodGet, notify.PathService, good, nil); x.Status != http.StatusNotFound {
		t.Fatalf("a fresh token: status %d: %s", x.Status, x.Body)
	}
	raw := strings.TrimPrefix(good, "Bearer ")
	parts := strings.Split(raw, ".")
	forged := parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString([]byte("not the signature of this"))
	otherKey := restkit.NewTokens(restkit.KeyFromSeed(12, notify.Audience), "x", clk.Now)
	otherSeed, _, _ := otherKey.Issue(testUser, notify.Audience, time.Hour)
	sameKey := restkit.NewTokens(restkit.KeyFromSeed(11, notify.Audience), "x", clk.Now)
	otherAPI, _, _ := sameKey.Issue(testUser, "registry", time.Hour)

	cases := []struct {
		name, authz, want string
	}{
		{"missing", "", "authentication required"},
		{"basic instead", resttest.Basic(testUser, testPassword), "authentication required"},
		{"forged signature", "Bearer " + forged, "bad signature"},
		{"another seed", "Bearer " + otherSeed, "bad signature"},
		{"another API", "Bearer " + otherAPI, "another API"},
		{"garbage", "Bearer abc.def", "not valid"},
	}
	for _, c := range cases {
		x := call(t, h, http.MethodGet, notify.PathService, c.authz, nil)
		msg, _ := x.JSON(t)["message"].(string)
		if x.Status != http.StatusUnauthorized || !strings.Contains(msg, c.want) {
			t.Errorf("%s: status %d, message %q; want 401 and %q", c.name, x.Status, msg, c.want)
		}
		if !strings.HasPrefix(x.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: challenge %q", c.name, x.Header.Get("WWW-Authenticate"))
		}
		if tok := strings.TrimPrefix(c.authz, "Bearer "); len(tok) > 8 && bytes.Contains(x.Body, []byte(tok)) {
			t.Errorf("%s: the answer echoes the token", c.name)
		}
	}
	clk.Advance(notify.DefaultTokenTTL)
	x := call(t, h, http.MethodGet, notify.PathService, good, nil)
	if msg, _ := x.JSON(t)["message"].(string); x.Status != http.StatusUnauthorized || !strings.Contains(msg, "expired") {
		t.Errorf("an expired token: status %d: %s", x.Status, x.Body)
	}
}

// Bad input gets its status and a message naming the field, never the
// value; nothing is stored.
func TestBadInput(t *testing.T) {
	t.Parallel()
	s := newService(t, notify.Config{MaxBody: 4096})
	h := s.Handler()
	bearer := token(t, s)
	const secretHost = "hooks.remote-secret.example"
	cases := []struct {
		name         string
		method, path string
		contentType  string
		body         any
		status       int
		want         string // in the message
	}{
		{"remote webhook", http.MethodPost, notify.PathService, "", map[string]any{"deviceSubscription": true, "deviceWebhookUrl": "https://" + secretHost + "/d"}, 400, "deviceWebhookUrl must name a loopback host"},
		{"remote by IP", http.MethodPost, notify.PathService, "", map[string]any{"productWebhookUrl": "http://10.1.2.3/p"}, 400, "productWebhookUrl must name a loopback host"},
		{"ftp", http.MethodPost, notify.PathService, "", map[string]any{"deviceWehookUrl": "ftp://127.0.0.1/d"}, 400, "deviceWehookUrl must be an absolute http or https URL"},
		{"relative", http.MethodPost, notify.PathService, "", map[string]any{"deviceWebhookUrl": "/hooks"}, 400, "deviceWebhookUrl must be an absolute"},
		{"no host", http.MethodPost, notify.PathService, "", map[string]any{"deviceWebhookUrl": "http:///hooks"}, 400, "with a host"},
		{"white space", http.MethodPost, notify.PathService, "", map[string]any{"deviceWebhookUrl": "http://127.0.0.1/a b"}, 400, "white space"},
		{"too long", http.MethodPatch, notify.PathService, "", map[string]any{"deviceWebhookUrl": "http://127.0.0.1/" + strings.Repeat("a", 2048)}, 400, "1 to 2048"},
		{"not a string", http.MethodPost, notify.PathService, "", map[string]any{"deviceWebhookUrl": 7}, 400, "deviceWebhookUrl must be a string"},
		{"flag yes", http.MethodPost, notify.PathService, "", map[string]any{"deviceSubscription": "yes"}, 400, "deviceSubscription must be true or false"},
		{"flag number", http.MethodPatch, notify.PathService, "", map[string]any{"productSubscription": 1}, 400, "productSubscription must be true or false"},
		{"auth type", http.MethodPost, notify.PathService, "", map[string]any{"authType": "BASIC"}, 400, "authType must be basic, bearer or none"},
		{"two spellings", http.MethodPost, notify.PathService, "", map[string]any{"deviceWehookUrl": "http://127.0.0.1/a", "deviceWebhookUrl": "http://127.0.0.1/b"}, 400, "two spellings"},
		{"on without URL", http.MethodPost, notify.PathService, "", map[string]any{"deviceSubscription": "true"}, 400, "deviceSubscription is true but deviceWebhookUrl (or deviceWehookUrl) is not set"},
		{"basic without password", http.MethodPost, notify.PathService, "", map[string]any{"authType": "basic", "basicUserId": "u"}, 400, "basicPassword"},
		{"bearer without token", http.MethodPatch, notify.PathService, "", map[string]any{"authType": "bearer"}, 400, "authToken"},
		{"not an object", http.MethodPost, notify.PathService, "", []byte(`[1]`), 400, "not valid"},
		{"null", http.MethodPost, notify.PathService, "", []byte(`null`), 400, "JSON object"},
		{"malformed", http.MethodPost, notify.PathService, "", []byte(`{"deviceSubscription":`), 400, "not valid JSON"},
		{"two values", http.MethodPost, notify.PathService, "", []byte(`{} {}`), 400, "more than one value"},
		{"not JSON", http.MethodPost, notify.PathService, "text/plain", []byte(`{}`), 415, "must be JSON"},
		{"too big", http.MethodPost, notify.PathService, "", []byte(`{"fnoServiceUrl":"` + strings.Repeat("x", 5000) + `"}`), 413, "larger than"},
		{"delete", http.MethodDelete, notify.PathService, "", nil, 405, "use GET, POST or PATCH"},
		{"authenticate POST", http.MethodPost, notify.PathAuthenticate, "", nil, 405, "use GET"},
		{"health POST", http.MethodPost, notify.PathHealth, "", nil, 405, "use GET"},
		{"unknown path", http.MethodGet, notify.Prefix + "api/v2/nothing", "", nil, 404, "no Event Notification Service route"},
	}
	for _, c := range cases {
		var x exchange
		if c.contentType == "" {
			x = call(t, h, c.method, c.path, bearer, c.body)
		} else {
			req := httptest.NewRequest(c.method, c.path, bytes.NewReader(c.body.([]byte)))
			req.Header.Set("Content-Type", c.contentType)
			req.Header.Set("Authorization", bearer)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			x = exchange{Req: req, Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
		}
		msg, _ := x.JSON(t)["message"].(string)
		if x.Status != c.status || !strings.Contains(msg, c.want) {
			t.Errorf("%s: status %d, message %q; want %d and %q", c.name, x.Status, msg, c.status, c.want)
		}
		if strings.Contains(msg, secretHost) || strings.Contains(msg, "10.1.2.3") || strings.Contains(msg, "aaaa") {
			t.Errorf("%s: the message echoes a value: %q", c.name, msg)
		}
		if c.status == 405 && x.Header.Get("Allow") == "" {
			t.Errorf("%s: 405 without Allow", c.name)
		}
	}
	if x := call(t, h, http.MethodGet, notify.PathService, bearer, nil); x.Status != http.StatusNotFound {
		t.Errorf("a refused configuration was stored: GET answers %d: %s", x.Status, x.Body)
	}
	// A refused PATCH leaves the stored configuration as it was.
	good := map[string]any{"deviceSubscription": true, "deviceWebhookUrl": "http://127.0.0.1:9/d"}
	if x := call(t, h, http.MethodPost, notify.PathService, bearer, good); x.Status != http.StatusCreated {
		t.Fatalf("POST: %d %s", x.Status, x.Body)
	}
	call(t, h, http.MethodPatch, notify.PathService, bearer, map[string]any{"deviceWebhookUrl": "http://192.0.2.1/d"})
	if m := call(t, h, http.MethodGet, notify.PathService, bearer, nil).JSON(t); m["deviceWebhookUrl"] != "http://127.0.0.1:9/d" {
		t.Errorf("after a refused PATCH: %v", m)
	}
}

// Remote webhooks are accepted when allowed.
func TestAllowRemoteWebhooks(t *testing.T) {
	t.Parallel()
	s := newService(t, notify.Config{AllowRemoteWebhooks: true})
	x := call(t, s.Handler(), http.MethodPost, notify.PathService, token(t, s),
		map[string]any{"deviceSubscription": true, "deviceWebhookUrl": "https://hooks.example.com/d"})
	if x.Status != http.StatusCreated {
		t.Errorf("status %d: %s", x.Status, x.Body)
	}
}

// PATCH merges; a device URL under the other spelling replaces the
// stored one; POST replaces everything.
func TestPatchMergesPostReplaces(t *testing.T) {
	t.Parallel()
	s := newService(t, notify.Config{})
	h, bearer := s.Handler(), token(t, s)
	steps := []struct {
		method string
		body   map[string]any
		want   map[string]any
	}{
		{http.MethodPost, map[string]any{"deviceSubscription": true, "deviceWehookUrl": "http://127.0.0.1:9/a", "fnoServiceUrl": "x"},
			map[string]any{"deviceSubscription": true, "deviceWehookUrl": "http://127.0.0.1:9/a", "fnoServiceUrl": "x"}},
		{http.MethodPatch, map[string]any{"deviceWebhookUrl": "http://127.0.0.1:9/b", "unknownProperty": 1},
			map[string]any{"deviceSubscription": true, "deviceWebhookUrl": "http://127.0.0.1:9/b", "fnoServiceUrl": "x"}},
		{http.MethodPatch, map[string]any{"deviceSubscription": "false"},
			map[string]any{"deviceSubscription": "false", "deviceWebhookUrl": "http://127.0.0.1:9/b", "fnoServiceUrl": "x"}},
		{http.MethodPost, map[string]any{"productSubscription": false},
			map[string]any{"productSubscription": false}},
	}
	for i, st := range steps {
		x := call(t, h, st.method, notify.PathService, bearer, st.body)
		got := x.JSON(t)
		if x.Status/100 != 2 || len(got) != len(st.want) {
			t.Fatalf("step %d: status %d: %v, want %v", i+1, x.Status, got, st.want)
		}
		for k, v := range st.want {
			if got[k] != v {
				t.Errorf("step %d: %s = %v, want %v", i+1, k, got[k], v)
			}
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]notify.Config{
		"no store":     {Auth: auth},
		"no auth":      {Store: state.New(1)},
		"many retries": {Store: state.New(1), Auth: auth, Retries: notify.MaxRetries + 1},
		"many workers": {Store: state.New(1), Auth: auth, Workers: notify.MaxWorkers + 1},
	} {
		if s, err := notify.New(cfg); err == nil {
			s.Close(context.Background())
			t.Errorf("%s: no error", name)
		}
	}
}

func TestHealthDownAfterClose(t *testing.T) {
	t.Parallel()
	s, err := notify.New(notify.Config{Store: state.New(1), Auth: auth})
	if err != nil {
		t.Fatal(err)
	}
	if m := call(t, s.Handler(), http.MethodGet, notify.PathHealth, "", nil).JSON(t); m["status"] != "UP" {
		t.Errorf("before Close: %v", m)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if m := call(t, s.Handler(), http.MethodGet, notify.PathHealth, "", nil).JSON(t); m["status"] != "DOWN" {
		t.Errorf("after Close: %v", m)
	}
}
