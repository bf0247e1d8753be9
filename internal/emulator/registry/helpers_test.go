package registry_test

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/registry"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/openapi"
)

const (
	contractPath = "../../../schemas/rest/registry.yaml"
	testUser     = "producer@example.com"
	testPassword = "pa55-never-echoed"
	testSeed     = 7
)

var testSizes = state.Sizes{Accounts: 20, Users: 20, Products: 10, Entitlements: 200}

// clock is a fake clock the tests move by hand; the handler reads it from
// server goroutines, hence the lock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func auth(u, p string) bool {
	return subtle.ConstantTimeCompare([]byte(u), []byte(testUser))&subtle.ConstantTimeCompare([]byte(p), []byte(testPassword)) == 1
}

// env is one registry handler over a generated state, served on loopback.
type env struct {
	t     testing.TB
	h     *registry.Handler
	st    *state.Store
	clock *clock
	srv   *httptest.Server
	v     *openapi.Validator
}

func newEnv(t testing.TB, tweak func(*registry.Config)) *env {
	t.Helper()
	c := newClock()
	st := state.Generate(testSizes, testSeed)
	st.SetClock(c.Now)
	cfg := registry.Config{Store: st, Auth: auth, Seed: testSeed, Now: c.Now}
	if tweak != nil {
		tweak(&cfg)
	}
	h, err := registry.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, h: h, st: st, clock: c, srv: srv, v: loadValidator(t)}
}

var (
	validatorOnce sync.Once
	validatorV    *openapi.Validator
	validatorErr  error
)

// loadValidator loads registry.yaml once; a Validator is safe to share.
func loadValidator(t testing.TB) *openapi.Validator {
	t.Helper()
	validatorOnce.Do(func() {
		doc, err := openapi.LoadFile(contractPath)
		if err != nil {
			validatorErr = err
			return
		}
		validatorV, validatorErr = openapi.New(doc, openapi.Options{})
	})
	if validatorErr != nil {
		t.Fatal(validatorErr)
	}
	return validatorV
}

type exchange struct {
	req    *http.Request
	status int
	header http.Header
	body   []byte
}

// req describes one request: Authorization is set from auth as given
// ("" for none).
type req struct {
	method, path string
	auth         string
	ctype        string
	body         []byte
}

func (e *env) send(r req) exchange {
	e.t.Helper()
	var rd io.Reader
	if r.body != nil {
		rd = bytes.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, e.srv.URL+r.path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if r.auth != "" {
		hr.Header.Set("Authorization", r.auth)
	}
	if r.ctype != "" {
		hr.Header.Set("Content-Type", r.ctype)
	}
	resp, err := e.srv.Client().Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return exchange{req: hr, status: resp.StatusCode, header: resp.Header, body: b}
}

// checked sends r and validates the answer against registry.yaml: any
// finding fails the test.
func (e *env) checked(r req) exchange {
	e.t.Helper()
	x := e.send(r)
	fs, err := e.v.ValidateResponse(x.req, x.status, x.header, x.body)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, f := range fs {
		e.t.Errorf("%s %s → %d: finding %s at %s: %s", r.method, r.path, x.status, f.Rule, f.Location, f.Message)
	}
	return x
}

func basic(u, p string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))
}

func fno(u, p string) string {
	return "Fno " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))
}

// token authenticates as the test user and returns "Bearer <JWT>".
func (e *env) token() string {
	e.t.Helper()
	x := e.checked(req{method: http.MethodGet, path: registry.PathAuthenticate, auth: basic(testUser, testPassword)})
	if x.status != http.StatusOK {
		e.t.Fatalf("authenticate: %d %s", x.status, x.body)
	}
	var m struct{ Token string }
	if err := json.Unmarshal(x.body, &m); err != nil || m.Token == "" {
		e.t.Fatalf("authenticate: no token in %s", x.body)
	}
	return "Bearer " + m.Token
}

// get sends an authenticated, validated GET and wants 200.
func (e *env) get(bearer, path string) exchange {
	e.t.Helper()
	x := e.checked(req{method: http.MethodGet, path: path, auth: bearer})
	if x.status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, x.status, x.body)
	}
	return x
}

func decode[T any](t testing.TB, x exchange) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(x.body, &v); err != nil {
		t.Fatalf("%s %s: status %d, body is not the JSON wanted: %v: %s", x.req.Method, x.req.URL.Path, x.status, err, x.body)
	}
	return v
}

// errorMessage returns the message of an error body, failing when the
// body is not one.
func errorMessage(t testing.TB, x exchange) string {
	t.Helper()
	m := decode[map[string]any](t, x)
	msg, _ := m["message"].(string)
	if msg == "" {
		t.Fatalf("%s %s: error body without a message: %s", x.req.Method, x.req.URL.Path, x.body)
	}
	if s, _ := m["status"].(float64); int(s) != x.status {
		t.Errorf("error body status %v, HTTP status %d", m["status"], x.status)
	}
	return msg
}

type project struct {
	ProjectID  int64  `json:"project_id"`
	Name       string `json:"name"`
	RepoCount  int    `json:"repo_count"`
	ChartCount int    `json:"chart_count"`
}

type details struct {
	DownloadPackageID string `json:"downloadPackageId"`
	Repositories      []struct {
		RepositoryName string `json:"repositoryName"`
		ArtifactCount  int    `json:"artifactCount"`
	} `json:"repositories"`
	Charts []struct {
		Name string `json:"name"`
	} `json:"charts"`
}

type member struct {
	RoleName   string `json:"roleName"`
	EntityName string `json:"entityName"`
	ProjectID  int64  `json:"projectId"`
}

// short strips the project prefix of a repository or chart name
// (REG-6: the path takes the part after the slash).
func short(full string) string {
	_, s, _ := strings.Cut(full, "/")
	return s
}

// allProjects lists every project in one page.
func (e *env) allProjects(bearer string) []project {
	e.t.Helper()
	return decode[[]project](e.t, e.get(bearer, registry.PathProjects+"?page=1&pageSize=1000"))
}

// richProject finds a project with a repository, a chart and members.
func (e *env) richProject(bearer string) (project, details) {
	e.t.Helper()
	for _, p := range e.allProjects(bearer) {
		d := decode[details](e.t, e.get(bearer, "/registry/api/v1/projects/"+p.Name))
		if len(d.Repositories) > 0 && len(d.Charts) > 0 {
			ms := decode[[]member](e.t, e.get(bearer, "/registry/api/v1/projects/"+p.Name+"/members?page_size=1000"))
			if len(ms) > 0 {
				return p, d
			}
		}
	}
	e.t.Fatal("no project with repositories, charts and members in the catalogue")
	return project{}, details{}
}
