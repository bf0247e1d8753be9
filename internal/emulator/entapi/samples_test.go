package entapi_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/openapi"
)

// sidecar is schemas/rest/testdata's <operationId>.http.json: how to call
// an operation, body-less request cases, and what an invalid sample must
// be refused for.
type sidecar struct {
	Method   string `json:"method"`
	Path     string `json:"path"`
	Status   int    `json:"status"`
	Requests []struct {
		Name   string   `json:"name"`
		Valid  bool     `json:"valid"`
		Path   string   `json:"path"`
		Expect []string `json:"expect"`
	} `json:"requests"`
	Samples map[string]struct {
		Expect []string `json:"expect"`
	} `json:"samples"`
}

// addSampleCatalogue adds the records the contract's samples (and seed
// 004's curl sample) name, so the vendor's own requests can succeed.
func (e *env) addSampleCatalogue(t testing.TB) {
	t.Helper()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(e.st.AddLicenseModel(state.LicenseModel{Name: "LicenseModelName", Technology: "FlexNet Embedded"}))
	for _, p := range []state.Product{
		{Name: "SampleProduct", Version: "SampleVersion-1.0"},
		{Name: "SampleProduct", Version: "1.0"},
		{Name: "SampleMaintenance", Version: "1.0", Type: "MAINTENENACE"},
	} {
		p.LicenseModels, p.State = []string{"LicenseModelName"}, state.Deployed
		must(e.st.AddProduct(p))
	}
	must(e.st.CreateAccount(state.Account{ID: "SampleOrg12345", Name: "string", Type: state.Customer}, false))
}

// reached reports whether a failure located at one of locs covers want: at
// it, below it, or (a schema error stopping at the enclosing object) above.
func reached(want string, locs []string) bool {
	for _, l := range locs {
		if l == want || strings.HasPrefix(l, want+"/") || (l != "" && strings.HasPrefix(want, l+"/")) {
			return true
		}
	}
	return false
}

// TestContractSamples sends the request samples of the contract's testdata
// in operation order, so the valid create makes the entitlement (ent-id-1234)
// the later ones address: a valid sample gets the sidecar's status and an
// answer the contract accepts; an invalid one gets 400 with an error at
// every location the sidecar expects, and no value of the request in it.
func TestContractSamples(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	e.addSampleCatalogue(t)
	v := resttest.Validator(t, contractPath, openapi.Options{})
	ops := []string{"createSimpleEntitlement", "updateSimpleEntitlement", "createLineItems",
		"createMaintenanceLineItems", "getSimpleEntitlement", "listLineItems", "listSimpleEntitlements"}
	seen := 0
	for _, opID := range ops {
		var sc sidecar
		if err := json.Unmarshal(sample(t, opID+".http.json"), &sc); err != nil {
			t.Fatalf("%s: %v", opID, err)
		}
		files, err := filepath.Glob(filepath.Join(samplesDir, opID+".request.*.json"))
		if err != nil {
			t.Fatal(err)
		}
		// valid first: the invalid ones must not be refused for a missing entitlement.
		for _, validPass := range []bool{true, false} {
			for _, f := range files {
				name := filepath.Base(f)
				if strings.Contains(name, ".request.valid") != validPass {
					continue
				}
				body, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				x := e.raw(t, sc.Method, sc.Path, "application/json", body, asAdmin)
				judge(t, v, name, validPass, sc.Status, x, sc.Samples[name].Expect, body)
				seen++
			}
		}
		for _, rq := range sc.Requests {
			path := rq.Path
			if path == "" {
				path = sc.Path
			}
			x := e.raw(t, sc.Method, path, "", nil, asAdmin)
			judge(t, v, opID+" "+rq.Name, rq.Valid, sc.Status, x, rq.Expect, nil)
			seen++
		}
	}
	if seen < 30 {
		t.Errorf("only %d samples sent; the testdata was not found or not read", seen)
	}
}

// judge checks one sample's answer.
func judge(t *testing.T, v *openapi.Validator, name string, ok bool, status int, x exchange, expect []string, body []byte) {
	t.Helper()
	if ok {
		if x.Status != status {
			t.Errorf("%s: status %d, want %d: %s", name, x.Status, status, x.Body)
			return
		}
		fs, err := v.ValidateResponse(x.Req, x.Status, x.Header, x.Body)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			t.Errorf("%s: answer finding %s at %s: %s", name, f.Rule, f.Location, f.Message)
		}
		return
	}
	if x.Status != http.StatusBadRequest {
		t.Errorf("%s: status %d, want 400: %s", name, x.Status, x.Body)
		return
	}
	locs := locations(t, x)
	for _, want := range expect {
		if !reached(want, locs) {
			t.Errorf("%s: no error at %q; errors at %q", name, want, locs)
		}
	}
	noEcho(t, name, body, x.Body)
}

// noEcho fails when an answer repeats a string value of the request that
// the contract itself does not spell (an enum value may be named).
func noEcho(t *testing.T, name string, req, answer []byte) {
	t.Helper()
	if len(req) == 0 {
		return
	}
	doc, err := os.ReadFile(contractPath)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(req, &v); err != nil {
		return // not JSON: nothing to find
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if len(x) >= 4 && !strings.Contains(string(doc), x) && strings.Contains(string(answer), x) {
				t.Errorf("%s: the answer echoes a request value", name)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
}
