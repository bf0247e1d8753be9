package registry_test

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/registry"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
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

func auth(u, p string) bool {
	return subtle.ConstantTimeCompare([]byte(u), []byte(testUser))&subtle.ConstantTimeCompare([]byte(p), []byte(testPassword)) == 1
}

// env is one registry handler over a generated state, served on loopback.
type env struct {
	t     testing.TB
	h     *registry.Handler
	st    *state.Store
	clock *resttest.Clock
	srv   *httptest.Server
	v     *openapi.Validator
}

func newEnv(t testing.TB, tweak func(*registry.Config)) *env {
	t.Helper()
	c := resttest.NewClock(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
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
	return &env{t: t, h: h, st: st, clock: c, srv: srv, v: resttest.Validator(t, contractPath, openapi.Options{})}
}

type exchange = resttest.Exchange

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
	return resttest.Send(e.t, e.srv.Client(), hr)
}

// checked sends r and validates the answer against registry.yaml: any
// finding fails the test.
func (e *env) checked(r req) exchange {
	e.t.Helper()
	x := e.send(r)
	resttest.CheckResponse(e.t, e.v, x)
	return x
}

// token authenticates as the test user and returns "Bearer <JWT>".
func (e *env) token() string {
	e.t.Helper()
	x := e.checked(req{method: http.MethodGet, path: registry.PathAuthenticate, auth: resttest.Basic(testUser, testPassword)})
	if x.Status != http.StatusOK {
		e.t.Fatalf("authenticate: %d %s", x.Status, x.Body)
	}
	var m struct{ Token string }
	if err := json.Unmarshal(x.Body, &m); err != nil || m.Token == "" {
		e.t.Fatalf("authenticate: no token in %s", x.Body)
	}
	return "Bearer " + m.Token
}

// get sends an authenticated, validated GET and wants 200.
func (e *env) get(bearer, path string) exchange {
	e.t.Helper()
	x := e.checked(req{method: http.MethodGet, path: path, auth: bearer})
	if x.Status != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, x.Status, x.Body)
	}
	return x
}

// errorMessage returns the message of an error body, failing when the
// body is not one.
func errorMessage(t testing.TB, x exchange) string {
	t.Helper()
	m := resttest.Decode[map[string]any](t, x)
	msg, _ := m["message"].(string)
	if msg == "" {
		t.Fatalf("%s %s: error body without a message: %s", x.Req.Method, x.Req.URL.Path, x.Body)
	}
	if s, _ := m["status"].(float64); int(s) != x.Status {
		t.Errorf("error body status %v, HTTP status %d", m["status"], x.Status)
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
	return resttest.Decode[[]project](e.t, e.get(bearer, registry.PathProjects+"?page=1&pageSize=1000"))
}

// richProject finds a project with a repository, a chart and members.
func (e *env) richProject(bearer string) (project, details) {
	e.t.Helper()
	for _, p := range e.allProjects(bearer) {
		d := resttest.Decode[details](e.t, e.get(bearer, "/registry/api/v1/projects/"+p.Name))
		if len(d.Repositories) > 0 && len(d.Charts) > 0 {
			ms := resttest.Decode[[]member](e.t, e.get(bearer, "/registry/api/v1/projects/"+p.Name+"/members?page_size=1000"))
			if len(ms) > 0 {
				return p, d
			}
		}
	}
	e.t.Fatal("no project with repositories, charts and members in the catalogue")
	return project{}, details{}
}
