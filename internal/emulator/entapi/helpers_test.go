package entapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/entapi"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/entitlements"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

const (
	contractPath = "../../../schemas/rest/entitlements-beta.yaml"
	samplesDir   = "../../../schemas/rest/testdata/entitlements-beta"
	testUser     = "admin"
	testPassword = "correct horse"
	testSeed     = 7
)

var testSizes = state.Sizes{Accounts: 12, Users: 10, Products: 8, Entitlements: 80, Devices: 10, Fulfillments: 5}

// env is a generated store served by the API on loopback, with the SOAP
// EntitlementOrderService handlers registered over the same store, and
// records of the data set the requests can name.
type env struct {
	st    *state.Store
	h     *entapi.Handler
	srv   *httptest.Server
	clock *resttest.Clock
	soap  *op.Registry

	product state.Product // a product of the catalogue
	account state.Account // a customer account
	part    state.PartNumber
	ent     state.Entitlement // a generated simple entitlement with line items
	bulk    state.Entitlement // a bulk entitlement
}

func newEnv(t testing.TB, maxBody int64) *env {
	t.Helper()
	return newEnvIDs(t, maxBody, nil)
}

// newEnvIDs is newEnv with the API asking ids for generated IDs.
func newEnvIDs(t testing.TB, maxBody int64, ids entapi.IDSource) *env {
	t.Helper()
	c := resttest.NewClock(time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC))
	st := state.Generate(testSizes, testSeed)
	st.SetClock(c.Now)
	h, err := entapi.New(entapi.Config{
		Store:   st,
		Auth:    func(u, p string) bool { return u == testUser && p == testPassword },
		Seed:    testSeed,
		MaxBody: maxBody,
		Now:     c.Now,
		IDs:     ids,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	reg := op.NewRegistry()
	entitlements.Register(reg, st, op.Settings{})
	e := &env{st: st, h: h, srv: srv, clock: c, soap: reg}

	ps, err := st.Products(state.ProductQuery{}, state.Page{Number: 1, Size: 1})
	if err != nil || len(ps) == 0 || len(ps[0].LicenseModels) == 0 {
		t.Fatalf("no product with a license model in the data set: %v", err)
	}
	e.product = ps[0]
	as, err := st.Accounts(state.AccountQuery{Types: []state.AccountType{state.Customer}}, state.Page{Number: 1, Size: 1})
	if err != nil || len(as) == 0 {
		t.Fatalf("no customer account in the data set: %v", err)
	}
	e.account = as[0]
	parts := st.PartNumbers()
	if len(parts) == 0 {
		t.Fatal("no part number in the data set")
	}
	e.part = parts[0]
	simple := false
	es, err := st.Entitlements(state.EntitlementQuery{Bulk: &simple}, state.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range es {
		if len(x.LineItems) > 0 && x.ShipToEmail != "" && x.SoldTo != "" {
			e.ent = x
			break
		}
	}
	if e.ent.ID == "" {
		t.Fatal("no simple entitlement with line items and a contact in the data set")
	}
	if e.bulk, err = st.CreateEntitlement(state.Entitlement{ID: "BULK-PROBE-1", Bulk: true, BulkType: "UPGRADE", SoldTo: e.account.ID}, nil); err != nil {
		t.Fatal(err)
	}
	return e
}

// sample reads a file of schemas/rest/testdata/entitlements-beta.
func sample(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

type exchange = resttest.Exchange

// auth sets a request's credentials.
type auth func(*http.Request)

func basic(u, p string) auth { return func(r *http.Request) { r.SetBasicAuth(u, p) } }

func bearer(tok string) auth {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
}

var asAdmin = basic(testUser, testPassword)

// raw sends method path with body (nil: none) and content type ct.
func (e *env) raw(t testing.TB, method, path, ct string, body []byte, a auth) exchange {
	t.Helper()
	var r io.Reader = http.NoBody
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if a != nil {
		a(req)
	}
	return resttest.Send(t, e.srv.Client(), req)
}

// do sends a JSON body (nil: none) as the test user.
func (e *env) do(t testing.TB, method, path string, body any) exchange {
	t.Helper()
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	ct := ""
	if data != nil {
		ct = "application/json"
	}
	return e.raw(t, method, path, ct, data, asAdmin)
}

// locations lists the error locations of a failure answer.
func locations(t testing.TB, x exchange) []string {
	t.Helper()
	var f struct {
		Errors []struct{ Location string }
	}
	if err := json.Unmarshal(x.Body, &f); err != nil {
		t.Fatalf("failure body is not JSON: %v", err)
	}
	out := make([]string, len(f.Errors))
	for i, e := range f.Errors {
		out[i] = e.Location
	}
	return out
}

// soapCall runs an EntitlementOrderService operation over the same store,
// as the emulator's SOAP server dispatches it.
func (e *env) soapCall(t testing.TB, version, name string, req map[string]any) map[string]any {
	t.Helper()
	v, err := contract.ParseVersion(version)
	if err != nil {
		t.Fatal(err)
	}
	o := contract.Operation{Service: entitlements.EntitlementOrder, Version: v, Name: name}
	fn, ok := e.soap.Lookup(o)
	if !ok {
		t.Fatalf("no SOAP handler for %s", o)
	}
	out, err := fn(context.Background(), &op.Call{Op: o, Request: req, User: testUser, Now: e.clock.Now()})
	if err != nil {
		t.Fatalf("%s: %v", o, err)
	}
	return out
}

// createBody is a full create body naming records of the data set.
func (e *env) createBody(entID, aid string) map[string]any {
	return map[string]any{
		"entitlementId":    entID,
		"description":      "made over REST",
		"allowPortalLogin": true,
		"shipToEmail":      "buyer@example.com",
		"shipToAddress":    "Building-7 Street",
		"accounts": []any{map[string]any{
			"accountId": e.account.ID, "accountName": e.account.Name, "accountType": string(e.account.Type),
			"partnerTierName": "END_CUSTOMER", "isCurrentOwner": true, "contactEmail": "buyer@example.com",
		}},
		"lineItems": []any{map[string]any{
			"activationId": aid,
			"product": []any{map[string]any{
				"productName": e.product.Name, "productVersion": e.product.Version,
				"licenseModel": map[string]any{"licenseModelName": e.product.LicenseModels[0], "issuer": "x", "notice": "y"},
			}},
			"quantity": 5, "quantityPerCopy": 1, "isActivatable": true, "isPermanent": false,
			"expiryDate": "2027-01-01", "startDate": "2026-01-01",
			"attributes":   []any{map[string]any{"name": "REGION", "value": "EMEA"}},
			"autoGenerate": false, "autoDeploy": false, "orderType": "NEW_ORDER", "lineItemStatus": "draft",
		}},
		"autoDeploy":             false,
		"emailTemplateVariation": "DEFAULT",
		"attributes":             []any{map[string]any{"name": "CHANNEL", "value": "web"}},
		"autoGenerate":           false,
		"status":                 "draft",
	}
}

// lineItemBody is a minimal line item of the data set's product.
func (e *env) lineItemBody() map[string]any {
	return map[string]any{
		"product":      []any{map[string]any{"productName": e.product.Name, "productVersion": e.product.Version}},
		"startDate":    "2026-01-01",
		"autoGenerate": true,
	}
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
