package pubservices

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"
)

// The web-services user of the tests.
const (
	testUser     = "admin"
	testPassword = "s3cret-Password"
)

// schemaRoot is the repository's copy of the schemas: the tests check
// answers against it, compiled on their own, not against the handler's.
const schemaRoot = "../../../schemas/pubservices"

var testSizes = state.Sizes{Accounts: 8, Users: 20, Products: 6, Entitlements: 30, Devices: 10, Fulfillments: 10}

var fixedNow = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func basicAuth(user, password string) bool { return user == testUser && password == testPassword }

// newStore returns a small generated store on the fixed clock.
func newStore(t testing.TB) *state.Store {
	t.Helper()
	st := state.Generate(testSizes, 7)
	st.SetClock(func() time.Time { return fixedNow })
	return st
}

// newHandler builds a handler over st; mod adjusts the config first.
func newHandler(t testing.TB, st *state.Store, mod func(*Config)) *Handler {
	t.Helper()
	cfg := Config{Store: st, Auth: basicAuth, Now: func() time.Time { return fixedNow }}
	if mod != nil {
		mod(&cfg)
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

var (
	schemaOnce sync.Once
	schemaSet  map[string]*xsd.Schema
	schemaErr  error
)

// schemaOf is api's schema compiled from the repository's files.
func schemaOf(t testing.TB, api string) *xsd.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		schemaSet = map[string]*xsd.Schema{}
		for _, a := range APIs {
			s, err := xsd.CompileFile(filepath.Join(schemaRoot, a+".xsd"))
			if err != nil {
				schemaErr = err
				return
			}
			schemaSet[a] = s
		}
	})
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	return schemaSet[api]
}

// answer is one exchange's outcome.
type answer struct {
	status int
	header http.Header
	body   []byte
	root   *xmltree.Node
}

func (a answer) Status() string { return a.root.TextOf("Status") }
func (a answer) Reason() string { return a.root.TextOf("Reason") }

// request builds a POST of body to api as application/xml with Basic
// credentials of the test user.
func request(api, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, Prefix+api, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/xml")
	r.SetBasicAuth(testUser, testPassword)
	return r
}

// serve runs r through h and checks what every answer must be: an XML
// Response document that validates against api's schema (every API's, for
// an unknown api), served as XML.
func serve(t testing.TB, h *Handler, api string, r *http.Request) answer {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	a := answer{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
		t.Errorf("%s: Content-Type %q", api, ct)
	}
	root, err := xmltree.ParseBytes(a.body, xmltree.Limits{})
	if err != nil {
		t.Fatalf("%s: answer is not XML: %v\n%s", api, err, a.body)
	}
	a.root = root
	apis := []string{api}
	if _, known := h.apis[api]; !known {
		apis = APIs
	}
	for _, x := range apis {
		fs, err := schemaOf(t, x).ValidatePayload(a.body)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) > 0 {
			t.Errorf("%s: answer does not match %s.xsd: %v\n%s", api, x, fs, a.body)
		}
	}
	return a
}

// post sends body to api as the test user and returns the checked answer.
func post(t testing.TB, h *Handler, api, body string) answer {
	t.Helper()
	return serve(t, h, api, request(api, body))
}

// doc wraps children in a Request of the APIs' namespace.
func doc(children string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Request xmlns="` + Namespace + `">` + children + `</Request>`
}

// el is <name>text</name> with text escaped.
func el(name, text string) string {
	var b bytes.Buffer
	b.WriteString("<" + name + ">")
	escape(&b, text)
	b.WriteString("</" + name + ">")
	return b.String()
}

func escape(b *bytes.Buffer, s string) {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	b.WriteString(r.Replace(s))
}
