package entapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fnokit/fnokit/internal/emulator/entapi"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/openapi"
)

type walkCase struct {
	name, method, path string
	body               any
	status             int
}

// TestRouteWalk calls every route and method of entitlements-beta.yaml with
// requests the contract accepts, and validates every request and answer
// against it: zero findings, and a route not called fails the test.
func TestRouteWalk(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	v := resttest.Validator(t, contractPath, openapi.Options{})
	const newID, newAID = "walk-ent-1", "walk-act-1"

	minimal := map[string]any{"autoGenerate": true, "lineItems": []any{e.lineItemBody()}}
	deployed := e.createBody("walk-ent-2", "walk-act-2")
	deployed["autoDeploy"], deployed["status"] = true, "deployed"
	maint := map[string]any{"maintenanceLineItems": []any{
		map[string]any{"activationId": "walk-mnt-1", "product": []any{map[string]any{"productName": e.product.Name, "productVersion": e.product.Version}},
			"orderId": "SO-1", "orderLineNumber": "2", "startDate": "2026-01-01", "expiryDate": "2027-01-01", "isPermanent": false, "autoGenerate": false},
		map[string]any{"partNumber": e.part.PartID, "startDate": "2026-02-01", "autoGenerate": true, "autoDeploy": true},
	}}
	full := url.Values{
		"activationId": {e.ent.LineItems[0]}, "accountId": {e.ent.SoldTo}, "contactEmail": {e.ent.ShipToEmail},
		"status": {strings.ToLower(string(e.ent.State))}, "sort_by": {"created_on"}, "sort_order": {"desc"},
		"page": {"0"}, "limit": {"50"},
	}
	if full.Get("status") == "obsolete" {
		full.Set("status", "obsoleted")
	}

	cases := []walkCase{
		{"full body", http.MethodPost, entapi.PathEntitlement, e.createBody(newID, newAID), http.StatusCreated},
		{"autoGenerate", http.MethodPost, entapi.PathEntitlement, minimal, http.StatusCreated},
		{"autoDeploy", http.MethodPost, entapi.PathEntitlement, deployed, http.StatusCreated},
		{"no parameters", http.MethodGet, entapi.PathEntitlements, nil, http.StatusOK},
		{"every parameter", http.MethodGet, entapi.PathEntitlements + "?" + full.Encode(), nil, http.StatusOK},
		{"by product, sorted by ID", http.MethodGet, entapi.PathEntitlements + "?product=" + url.QueryEscape(e.product.Name) +
			"&sort_by=entitlement_id&limit=2000", nil, http.StatusOK},
		{"generated", http.MethodGet, entapi.EntitlementPath(e.ent.ID), nil, http.StatusOK},
		{"created", http.MethodGet, entapi.EntitlementPath(newID), nil, http.StatusOK},
		{"update", http.MethodPatch, entapi.EntitlementPath(newID), map[string]any{
			"description": "renewed", "shipToAddress": "Building-8 Street", "allowPortalLogin": false,
			"attributes": []any{map[string]any{"name": "CHANNEL", "value": "partner"}}, "status": "deployed"}, http.StatusOK},
		{"add", http.MethodPost, entapi.LineItemsPath(newID), map[string]any{"lineItems": []any{e.lineItemBody()}}, http.StatusCreated},
		{"list", http.MethodGet, entapi.LineItemsPath(newID), nil, http.StatusOK},
		{"generated", http.MethodGet, entapi.LineItemsPath(e.ent.ID), nil, http.StatusOK},
		{"add", http.MethodPost, entapi.MaintenanceLineItemsPath(newID), maint, http.StatusCreated},
		{"with maintenance", http.MethodGet, entapi.EntitlementPath(newID), nil, http.StatusOK},
		{"unknown", http.MethodGet, entapi.EntitlementPath("no-such-entitlement"), nil, http.StatusNotFound},
	}
	walked := map[string]bool{}
	for _, c := range cases {
		x := e.do(t, c.method, c.path, c.body)
		route := c.method + " " + strings.SplitN(c.path, "?", 2)[0]
		t.Run(route+"/"+c.name, func(t *testing.T) {
			if x.Status != c.status {
				t.Fatalf("status %d, want %d: %s", x.Status, c.status, x.Body)
			}
			// The request is one the contract accepts…
			resttest.CheckRequest(t, v, x)
			// …and so is the answer.
			resttest.CheckResponse(t, v, x)
		})
		walked[c.method+" "+templated(x.Req.URL.EscapedPath())] = true
	}
	resttest.EveryRoute(t, v, walked)
}

// templated turns a request path back into the document's path template.
func templated(p string) string {
	seg := strings.Split(p, "/")
	if len(seg) > 4 && seg[3] == "entitlement" {
		seg[4] = "{entitlementId}"
	}
	return strings.Join(seg, "/")
}

// TestListEntriesMatchDetails validates the list's entries, which the
// contract leaves open (EB-10), against the EntitlementDetails schema the
// single GET answers, so both read the same.
func TestListEntriesMatchDetails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	v := resttest.Validator(t, contractPath, openapi.Options{})
	schema := v.Document().Components.Schemas["EntitlementDetails"]
	if schema == nil || schema.Value == nil {
		t.Fatal("no EntitlementDetails in the contract")
	}
	x := e.do(t, http.MethodGet, entapi.PathEntitlements+"?limit=2000", nil)
	var out struct {
		Entitlements []any
		TotalCount   int
	}
	if err := json.Unmarshal(x.Body, &out); err != nil || x.Status != http.StatusOK {
		t.Fatalf("status %d: %v", x.Status, err)
	}
	if len(out.Entitlements) == 0 || len(out.Entitlements) != out.TotalCount {
		t.Fatalf("listed %d of %d entitlements", len(out.Entitlements), out.TotalCount)
	}
	for i, ent := range out.Entitlements {
		if err := schema.Value.VisitJSON(ent, openapi3.VisitAsResponse(), openapi3.MultiErrors(),
			openapi3.SetSchemaRegexCompiler(openapi.CompileECMAScript)); err != nil {
			t.Errorf("entitlement %d: %v", i, err)
		}
	}
}
