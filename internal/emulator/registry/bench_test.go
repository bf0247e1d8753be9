package registry_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/registry"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// BenchmarkRoutes measures one authenticated request per route, in
// process (no network): token verification, the catalogue read and JSON
// encoding. The authenticate case is the token issue instead.
func BenchmarkRoutes(b *testing.B) {
	e := newEnv(b, nil)
	bearer := e.token()
	p, d := e.richProject(bearer)
	base := "/registry/api/v1/projects/" + p.Name
	cases := []struct{ name, path, auth string }{
		{"authenticate", registry.PathAuthenticate, resttest.Basic(testUser, testPassword)},
		{"projects", registry.PathProjects + "?pageSize=100", bearer},
		{"project", base, bearer},
		{"members", base + "/members?page_size=100", bearer},
		{"artifacts", base + "/repositories/" + short(d.Repositories[0].RepositoryName) +
			"/artifacts?withTag=true&withLabel=true&withScanOverview=true&withSignature=true&withImmutableStatus=true", bearer},
		{"downloads", registry.PathDownloads + "?month=02&year=2026&page=1&pageSize=100", bearer},
		{"secret", registry.PathSecret, bearer},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, c.path, nil)
				r.Header.Set("Authorization", c.auth)
				rec := httptest.NewRecorder()
				e.h.ServeHTTP(rec, r)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", c.path, rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkNew measures building the handler (the catalogue generation)
// over the test state and over the state `fnokit serve` generates by
// default.
func BenchmarkNew(b *testing.B) {
	for _, c := range []struct {
		name  string
		sizes state.Sizes
	}{{"test", testSizes}, {"default", state.DefaultSizes()}} {
		b.Run(c.name, func(b *testing.B) {
			st := state.Generate(c.sizes, testSeed)
			for b.Loop() {
				if _, err := registry.New(registry.Config{Store: st, Auth: auth, Seed: testSeed}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
