package resttest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/openapi"
)

const doc = "testdata/things.yaml"

// recorder is a testing.TB that keeps what would have failed the test;
// Fatal ends the goroutine, as it does in a test.
type recorder struct {
	testing.TB
	mu    sync.Mutex
	fails []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fails = append(r.fails, fmt.Sprintf(format, a...))
}
func (r *recorder) Fatalf(format string, a ...any) { r.Errorf(format, a...); runtime.Goexit() }
func (r *recorder) Fatal(a ...any)                 { r.Errorf("%s", fmt.Sprint(a...)); runtime.Goexit() }

// run calls f with a recorder and returns what failed.
func run(t *testing.T, f func(tb testing.TB)) []string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.fails
}

// things answers the routes of things.yaml; a POST with a name "bad" is
// answered with a number for a name, which the contract refuses.
func things(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodPost:
		body, _ := io.ReadAll(r.Body)
		if bytes.Contains(body, []byte(`"bad"`)) {
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"name":1}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"name":"made"}`)
	case r.URL.Path == "/things":
		io.WriteString(w, `[{"name":"a"}]`)
	default:
		io.WriteString(w, `{"name":"a"}`)
	}
}

func TestSendAndServeKeepTheRequestBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(things))
	defer srv.Close()
	body := `{"name":"x"}`
	sent, err := http.NewRequest(http.MethodPost, srv.URL+"/things", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	served := httptest.NewRequest(http.MethodPost, "/things", strings.NewReader(body))
	for name, x := range map[string]Exchange{
		"send":  Send(t, srv.Client(), sent),
		"serve": Serve(http.HandlerFunc(things), served),
	} {
		if string(x.ReqBody) != body || string(x.Body) != `{"name":"made"}` || x.Status != http.StatusCreated {
			t.Errorf("%s: request body %q, answer %d %q", name, x.ReqBody, x.Status, x.Body)
		}
		if ct := x.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", name, ct)
		}
		if got := x.JSON(t)["name"]; got != "made" {
			t.Errorf("%s: JSON name %v", name, got)
		}
	}
	get := Serve(http.HandlerFunc(things), httptest.NewRequest(http.MethodGet, "/things", nil))
	if get.ReqBody != nil {
		t.Errorf("a request without a body kept %q", get.ReqBody)
	}
}

func TestDecodeFailsOnWhatIsNotJSON(t *testing.T) {
	t.Parallel()
	x := Exchange{Req: httptest.NewRequest(http.MethodGet, "/things", nil), Status: 200, Body: []byte("<html>")}
	if fails := run(t, func(tb testing.TB) { x.JSON(tb) }); len(fails) != 1 || !strings.Contains(fails[0], "not the JSON expected") {
		t.Errorf("failures %q", fails)
	}
	if fails := run(t, func(tb testing.TB) { Decode[[]int](tb, Exchange{Req: x.Req, Body: []byte("[1,2]")}) }); len(fails) != 0 {
		t.Errorf("failures %q", fails)
	}
}

func TestChecksReportFindings(t *testing.T) {
	t.Parallel()
	v := Validator(t, doc, openapi.Options{})
	if again := Validator(t, doc, openapi.Options{}); again != v {
		t.Error("the validator of the same document and options was loaded twice")
	}
	h := http.HandlerFunc(things)
	post := func(body string) Exchange {
		r := httptest.NewRequest(http.MethodPost, "/things", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		return Serve(h, r)
	}
	cases := []struct {
		name                   string
		x                      Exchange
		requestFails, answered bool
	}{
		{"valid", post(`{"name":"x"}`), false, true},
		{"request too long", post(`{"name":"much too long"}`), true, true},
		{"answer breaks the contract", post(`{"name":"bad"}`), false, false},
	}
	for _, c := range cases {
		req := run(t, func(tb testing.TB) { CheckRequest(tb, v, c.x) })
		if (len(req) > 0) != c.requestFails {
			t.Errorf("%s: request findings %q", c.name, req)
		}
		resp := run(t, func(tb testing.TB) { CheckResponse(tb, v, c.x) })
		if (len(resp) == 0) != c.answered {
			t.Errorf("%s: response findings %q", c.name, resp)
		}
		for _, f := range append(req, resp...) {
			if !strings.HasPrefix(f, "POST /things → 201: ") {
				t.Errorf("%s: a finding that does not name the exchange: %q", c.name, f)
			}
		}
	}
}

func TestEveryRoute(t *testing.T) {
	t.Parallel()
	v := Validator(t, doc, openapi.Options{})
	all := map[string]bool{"GET /things": true, "POST /things": true, "GET /things/{id}": true}
	if fails := run(t, func(tb testing.TB) { EveryRoute(tb, v, all) }); len(fails) != 0 {
		t.Errorf("every route walked, yet %q", fails)
	}
	delete(all, "GET /things/{id}")
	fails := run(t, func(tb testing.TB) { EveryRoute(tb, v, all) })
	if len(fails) != 1 || fails[0] != "route GET /things/{id} is not walked" {
		t.Errorf("one route not walked: %q", fails)
	}
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	for _, authz := range []string{Basic("ann", "pa:ss"), Fno("ann", "pa:ss")} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", authz)
		if u, p, ok := restkit.BasicOrFno(r); !ok || u != "ann" || p != "pa:ss" {
			t.Errorf("%s: read back as %q %q %v", strings.Fields(authz)[0], u, p, ok)
		}
	}
}

func TestClock(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	c := NewClock(t0)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { c.Advance(time.Minute); _ = c.Now() })
	}
	wg.Wait()
	if got := c.Now(); !got.Equal(t0.Add(4 * time.Minute)) {
		t.Errorf("after four minutes: %v", got)
	}
	c.Set(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Errorf("set back: %v", got)
	}
}
