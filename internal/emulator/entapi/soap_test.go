package entapi_test

import (
	"net/http"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/entapi"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/openapi"
)

// soapEntitlement creates a simple entitlement over SOAP
// (EntitlementOrderService v8 createSimpleEntitlement).
func (e *env) soapEntitlement(t *testing.T, id, aid string) {
	t.Helper()
	out := e.soapCall(t, "v8", "createSimpleEntitlement", map[string]any{"simpleEntitlement": []any{map[string]any{
		"entitlementId": map[string]any{"id": id},
		"soldTo":        e.account.ID,
		"shipToEmail":   "soap@example.com",
		"description":   "made over SOAP",
		"autoDeploy":    "true",
		"lineItems": []any{map[string]any{
			"activationId":   map[string]any{"id": aid},
			"numberOfCopies": "3",
			"product":        map[string]any{"primaryKeys": map[string]any{"name": e.product.Name, "version": e.product.Version}},
			"startDate":      "2026-01-01",
			"expirationDate": "2027-01-01",
		}},
	}}})
	if op.Str(out, "statusInfo", "status") != "SUCCESS" {
		t.Fatalf("SOAP createSimpleEntitlement: %v", out)
	}
}

// soapFind runs getEntitlementsQuery for one entitlement ID and returns the
// simpleEntitlement it answers (nil: none).
func (e *env) soapFind(t *testing.T, id string) map[string]any {
	t.Helper()
	out := e.soapCall(t, "v8", "getEntitlementsQuery", map[string]any{
		"entitlementSearchCriteria": map[string]any{"entitlementId": map[string]any{"value": id, "searchType": "EQUALS"}},
		"batchSize":                 "10",
	})
	if op.Str(out, "statusInfo", "status") != "SUCCESS" {
		t.Fatalf("getEntitlementsQuery: %v", out)
	}
	list := op.List(out, "entitlement")
	if len(list) != 1 {
		return nil
	}
	return op.Obj(list[0], "simpleEntitlement")
}

// An entitlement created over SOAP is read, listed and extended here.
func TestSOAPEntitlementOverREST(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	v := resttest.Validator(t, contractPath, openapi.Options{})
	e.soapEntitlement(t, "SOAP-ENT-1", "SOAP-ACT-1")

	x := e.do(t, http.MethodGet, entapi.EntitlementPath("SOAP-ENT-1"), nil)
	if x.Status != http.StatusOK {
		t.Fatalf("GET: %d %s", x.Status, x.Body)
	}
	resttest.CheckResponse(t, v, x)
	got := x.JSON(t)
	acct := got["accounts"].([]any)[0].(map[string]any)
	items := got["lineItems"].([]any)
	if got["description"] != "made over SOAP" || got["status"] != "deployed" || acct["accountId"] != e.account.ID ||
		acct["contactEmail"] != "soap@example.com" || len(items) != 1 {
		t.Fatalf("GET answered %s", x.Body)
	}
	it := items[0].(map[string]any)
	p := it["product"].([]any)[0].(map[string]any)
	if it["activationId"] != "SOAP-ACT-1" || it["quantity"] != 3.0 || it["startDate"] != "2026-01-01" ||
		it["expiryDate"] != "2027-01-01" || it["lineItemStatus"] != "deployed" ||
		p["productName"] != e.product.Name || p["productVersion"] != e.product.Version {
		t.Errorf("line item %v", it)
	}

	l := e.do(t, http.MethodGet, entapi.PathEntitlements+"?activationId=soap-act-1", nil)
	if l.JSON(t)["totalCount"] != 1.0 {
		t.Errorf("list by activationId: %s", l.Body)
	}

	// Added here, seen there.
	add := e.lineItemBody()
	add["activationId"], add["autoGenerate"], add["quantity"] = "REST-ACT-ON-SOAP", false, 7
	if x := e.do(t, http.MethodPost, entapi.LineItemsPath("SOAP-ENT-1"), map[string]any{"lineItems": []any{add}}); x.Status != http.StatusCreated {
		t.Fatalf("add line item: %d %s", x.Status, x.Body)
	}
	s := e.soapFind(t, "SOAP-ENT-1")
	lis := op.List(s, "lineItems")
	if len(lis) != 2 || op.Str(lis[1], "activationId", "id") != "REST-ACT-ON-SOAP" || op.Str(lis[1], "numberOfCopies") != "7" {
		t.Errorf("SOAP sees line items %v", lis)
	}

	// An ID SOAP takes but the beta's pattern does not (an apostrophe) is
	// refused here rather than looked up (EB-14).
	e.soapEntitlement(t, "O'Brien-1", "OBRIEN-ACT-1")
	if x := e.do(t, http.MethodGet, entapi.EntitlementPath("O'Brien-1"), nil); x.Status != http.StatusBadRequest {
		t.Errorf("apostrophe ID: status %d %s", x.Status, x.Body)
	} else {
		resttest.CheckResponse(t, v, x)
	}
}

// An entitlement created here is found by SOAP getEntitlementsQuery, and
// an update made here is what SOAP reads.
func TestRESTEntitlementOverSOAP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	if x := e.do(t, http.MethodPost, entapi.PathEntitlement, e.createBody("REST-ENT-1", "REST-ACT-1")); x.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", x.Status, x.Body)
	}
	s := e.soapFind(t, "REST-ENT-1")
	if s == nil {
		t.Fatal("getEntitlementsQuery does not find the entitlement")
	}
	lis := op.List(s, "lineItems")
	if op.Str(s, "soldTo") != e.account.ID || op.Str(s, "shipToEmail") != "buyer@example.com" || op.Str(s, "state") != "DRAFT" ||
		len(lis) != 1 || op.Str(lis[0], "activationId", "id") != "REST-ACT-1" || op.Str(lis[0], "numberOfCopies") != "5" ||
		op.Str(lis[0], "product", "primaryKeys", "name") != e.product.Name || op.Str(lis[0], "expirationDate") != "2027-01-01" {
		t.Fatalf("SOAP reads %v", s)
	}
	if x := e.do(t, http.MethodPatch, entapi.EntitlementPath("rest-ent-1"), map[string]any{"autoDeploy": true, "description": "deployed"}); x.Status != http.StatusOK {
		t.Fatalf("patch: %d %s", x.Status, x.Body)
	}
	s = e.soapFind(t, "REST-ENT-1")
	if op.Str(s, "state") != "DEPLOYED" || op.Str(s, "description") != "deployed" || op.Str(op.List(s, "lineItems")[0], "state") != "DEPLOYED" {
		t.Errorf("after the update SOAP reads %v", s)
	}
	// Counted too: a line item ready to activate.
	out := e.soapCall(t, "v8", "getActivatableItemCount", map[string]any{"queryParams": map[string]any{
		"activationId": map[string]any{"value": "REST-ACT-1", "searchType": "EQUALS"}}})
	if op.Str(out, "count") != "1" {
		t.Errorf("getActivatableItemCount: %v", out)
	}
}
