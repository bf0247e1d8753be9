package entapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/entapi"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/openapi"
)

// edit returns a copy of body (JSON-shaped maps and slices) changed by fn.
func edit(body map[string]any, fn func(m map[string]any)) map[string]any {
	data, _ := json.Marshal(body)
	var c map[string]any
	json.Unmarshal(data, &c)
	fn(c)
	return c
}

func item0(m map[string]any) map[string]any { return m["lineItems"].([]any)[0].(map[string]any) }

func product0(m map[string]any) map[string]any {
	return item0(m)["product"].([]any)[0].(map[string]any)
}

// limitCase is one request: a body change (or a whole request) and where
// the answer must locate the problem ("" for a success, root for the body
// itself).
type limitCase struct {
	name   string
	method string // "" is POST
	path   string // "" is PathEntitlement
	body   map[string]any
	want   string
}

// root locates an error at the body itself (an unknown or missing property).
const root = "(body)"

// TestLimits sends, for every limit and pattern of the contract, a value
// just inside it (accepted) and one just outside (400 locating the field).
// Each case uses fresh IDs so the accepted ones do not collide.
func TestLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	n := 0
	fresh := func() map[string]any {
		n++
		id := "lim-" + itoa(n)
		return e.createBody(id, id+"-act")
	}
	with := func(fn func(m map[string]any)) map[string]any { return edit(fresh(), fn) }
	long := func(n int) string { return strings.Repeat("a", n) }
	set := func(k string, v any) func(m map[string]any) { return func(m map[string]any) { m[k] = v } }
	setItem := func(k string, v any) func(m map[string]any) { return func(m map[string]any) { item0(m)[k] = v } }
	del := func(k string) func(m map[string]any) { return func(m map[string]any) { delete(m, k) } }
	delItem := func(k string) func(m map[string]any) { return func(m map[string]any) { delete(item0(m), k) } }

	cases := []limitCase{
		// entitlementId [0..255], seed 004 line 32
		{name: "entitlementId 255", body: with(set("entitlementId", "L"+long(254)))},
		{name: "entitlementId 256", body: with(set("entitlementId", "L"+long(255))), want: "/entitlementId"},
		{name: "entitlementId empty", body: with(set("entitlementId", "")), want: "/entitlementId"},
		{name: "entitlementId blank", body: with(set("entitlementId", " \t ")), want: "/entitlementId"},
		{name: "entitlementId newline", body: with(set("entitlementId", "ent\nid")), want: "/entitlementId"},
		{name: "entitlementId number", body: with(set("entitlementId", 12)), want: "/entitlementId"},
		// description [0..2000], shipToEmail [0..1000], shipToAddress [0..1000] and its pattern
		{name: "description 2000", body: with(set("description", long(2000)))},
		{name: "description 2001", body: with(set("description", long(2001))), want: "/description"},
		{name: "shipToEmail 1000", body: with(func(m map[string]any) {
			m["shipToEmail"] = long(1000)
			delete(m["accounts"].([]any)[0].(map[string]any), "contactEmail")
		})},
		{name: "shipToEmail 1001", body: with(set("shipToEmail", long(1001))), want: "/shipToEmail"},
		{name: "shipToAddress 1000", body: with(set("shipToAddress", long(1000)))},
		{name: "shipToAddress empty", body: with(set("shipToAddress", ""))},
		{name: "shipToAddress 1001", body: with(set("shipToAddress", long(1001))), want: "/shipToAddress"},
		{name: "shipToAddress comma", body: with(set("shipToAddress", "Building 7, Street")), want: "/shipToAddress"},
		// emailTemplateVariation ^(?!\s+$).*
		{name: "emailTemplateVariation empty", body: with(set("emailTemplateVariation", ""))},
		{name: "emailTemplateVariation blank", body: with(set("emailTemplateVariation", "  ")), want: "/emailTemplateVariation"},
		// status enum (line 151), accounts and attributes are arrays of objects
		{name: "status obsolete", body: with(set("status", "obsolete"))},
		{name: "status upper case", body: with(set("status", "DRAFT")), want: "/status"},
		{name: "accounts object", body: with(set("accounts", map[string]any{})), want: "/accounts"},
		{name: "accounts empty", body: with(set("accounts", []any{}))},
		{name: "attribute without name", body: with(set("attributes", []any{map[string]any{"value": "x"}})), want: "/attributes/0/name"},
		{name: "attribute empty name", body: with(set("attributes", []any{map[string]any{"name": ""}})), want: "/attributes/0/name"},
		{name: "allowPortalLogin text", body: with(set("allowPortalLogin", "yes")), want: "/allowPortalLogin"},
		{name: "unknown field", body: with(set("entitlementID", "typo")), want: root},
		// lineItems [1..], required
		{name: "no lineItems", body: with(del("lineItems")), want: "/lineItems"},
		{name: "empty lineItems", body: with(set("lineItems", []any{})), want: "/lineItems"},
		// line items: activationId [0..255] and pattern (line 64)
		{name: "activationId 255", body: with(setItem("activationId", "A"+long(254)))},
		{name: "activationId 256", body: with(setItem("activationId", "A"+long(255))), want: "/lineItems/0/activationId"},
		{name: "activationId tilde", body: with(setItem("activationId", "act~1")), want: "/lineItems/0/activationId"},
		{name: "activationId blank", body: with(setItem("activationId", "   ")), want: "/lineItems/0/activationId"},
		// product required, productName and productVersion required (lines 69-82)
		{name: "no product", body: with(delItem("product")), want: "/lineItems/0/product"},
		{name: "no productName", body: with(func(m map[string]any) { delete(product0(m), "productName") }), want: "/lineItems/0/product/0/productName"},
		{name: "no productVersion", body: with(func(m map[string]any) { delete(product0(m), "productVersion") }), want: "/lineItems/0/product/0/productVersion"},
		// quantity int32 >= 0, quantityPerCopy int32 >= 1 (lines 87-92)
		{name: "quantity 0", body: with(setItem("quantity", 0))},
		{name: "quantity -1", body: with(setItem("quantity", -1)), want: "/lineItems/0/quantity"},
		{name: "quantity beyond int32", body: with(setItem("quantity", 2147483648)), want: "/lineItems/0/quantity"},
		{name: "quantity fraction", body: with(setItem("quantity", 1.5)), want: "/lineItems/0/quantity"},
		{name: "quantityPerCopy 0", body: with(setItem("quantityPerCopy", 0)), want: "/lineItems/0/quantityPerCopy"},
		// startDate ^\d{4}-\d{2}-\d{2}$ required (line 106)
		{name: "no startDate", body: with(delItem("startDate")), want: "/lineItems/0/startDate"},
		{name: "startDate slashes", body: with(setItem("startDate", "2026/01/01")), want: "/lineItems/0/startDate"},
		{name: "startDate with time", body: with(setItem("startDate", "2026-01-01T00:00:00Z")), want: "/lineItems/0/startDate"},
		// orderType enum in either case (EB-11), lineItemStatus enum (line 131)
		{name: "orderType lower case", body: with(setItem("orderType", "upgrade_order"))},
		{name: "orderType mixed case", body: with(setItem("orderType", "Upgrade_Order")), want: "/lineItems/0/orderType"},
		{name: "lineItemStatus obsolete", body: with(setItem("lineItemStatus", "obsolete"))},
		{name: "lineItemStatus active", body: with(setItem("lineItemStatus", "active")), want: "/lineItems/0/lineItemStatus"},
		{name: "unknown line item field", body: with(setItem("numberOfCopies", 3)), want: "/lineItems/0"},

		// PATCH: at least one field, entitlement-level fields only, same limits (EB-6)
		{name: "patch nothing", method: http.MethodPatch, path: entapi.EntitlementPath(e.ent.ID), body: map[string]any{}, want: root},
		{name: "patch entitlementId", method: http.MethodPatch, path: entapi.EntitlementPath(e.ent.ID), body: map[string]any{"entitlementId": "x"}, want: root},
		{name: "patch lineItems", method: http.MethodPatch, path: entapi.EntitlementPath(e.ent.ID), body: map[string]any{"lineItems": []any{}}, want: root},
		{name: "patch description 2001", method: http.MethodPatch, path: entapi.EntitlementPath(e.ent.ID), body: map[string]any{"description": long(2001)}, want: "/description"},
		{name: "patch status", method: http.MethodPatch, path: entapi.EntitlementPath(e.ent.ID), body: map[string]any{"status": "deleted"}, want: "/status"},
		// line items: lineItems [1..] of create-body line items (EB-7)
		{name: "add none", path: entapi.LineItemsPath(e.ent.ID), body: map[string]any{"lineItems": []any{}}, want: "/lineItems"},
		{name: "add bare line item", path: entapi.LineItemsPath(e.ent.ID), body: e.lineItemBody(), want: root},
		{name: "add bad startDate", path: entapi.LineItemsPath(e.ent.ID), body: map[string]any{"lineItems": []any{
			edit(e.lineItemBody(), func(m map[string]any) { m["startDate"] = "1.1.2026" })}}, want: "/lineItems/0/startDate"},
		// maintenance line items (EB-9)
		{name: "maintenance none", path: entapi.MaintenanceLineItemsPath(e.ent.ID), body: map[string]any{"maintenanceLineItems": []any{}}, want: "/maintenanceLineItems"},
		{name: "maintenance without startDate", path: entapi.MaintenanceLineItemsPath(e.ent.ID), body: map[string]any{"maintenanceLineItems": []any{
			map[string]any{"partNumber": e.part.PartID, "autoGenerate": true}}}, want: "/maintenanceLineItems/0/startDate"},
		{name: "maintenance empty product", path: entapi.MaintenanceLineItemsPath(e.ent.ID), body: map[string]any{"maintenanceLineItems": []any{
			map[string]any{"product": []any{}, "startDate": "2026-01-01", "autoGenerate": true}}}, want: "/maintenanceLineItems/0/product"},
		{name: "maintenance activationId pattern", path: entapi.MaintenanceLineItemsPath(e.ent.ID), body: map[string]any{"maintenanceLineItems": []any{
			map[string]any{"activationId": "m{1}", "partNumber": e.part.PartID, "startDate": "2026-01-01"}}}, want: "/maintenanceLineItems/0/activationId"},
	}
	for _, c := range cases {
		method, path := c.method, c.path
		if method == "" {
			method = http.MethodPost
		}
		if path == "" {
			path = entapi.PathEntitlement
		}
		x := e.do(t, method, path, c.body)
		t.Run(c.name, func(t *testing.T) { expectLocation(t, x, c.want == "", c.want) })
	}
}

// expectLocation checks an answer: a success, or a 400 with an error at want.
func expectLocation(t *testing.T, x exchange, ok bool, want string) {
	t.Helper()
	if ok {
		if x.Status >= 300 {
			t.Fatalf("status %d, want success: %s", x.Status, x.Body)
		}
		return
	}
	if x.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400: %s", x.Status, x.Body)
	}
	if want == root {
		want = ""
	}
	if locs := locations(t, x); !reached(want, locs) {
		t.Errorf("no error at %q; errors at %q: %s", want, locs, x.Body)
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestQueryAndPathLimits sends list parameters and path IDs outside the
// contract: 400 naming the parameter, on every operation of the path.
func TestQueryAndPathLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	list := entapi.PathEntitlements
	cases := []struct {
		name, method, path string
		body               any
		want               string
	}{
		{"status obsolete", http.MethodGet, list + "?status=obsolete", nil, "/query/status"},
		{"sort_by name", http.MethodGet, list + "?sort_by=name", nil, "/query/sort_by"},
		{"sort_order up", http.MethodGet, list + "?sort_order=up", nil, "/query/sort_order"},
		{"page -1", http.MethodGet, list + "?page=-1", nil, "/query/page"},
		{"page beyond int32", http.MethodGet, list + "?page=2147483648", nil, "/query/page"},
		{"limit -1", http.MethodGet, list + "?limit=-1", nil, "/query/limit"},
		{"limit text", http.MethodGet, list + "?limit=ten", nil, "/query/limit"},
		{"get id with @", http.MethodGet, entapi.EntitlementPath("ent@1"), nil, "/path/entitlementId"},
		{"get id 256", http.MethodGet, entapi.EntitlementPath(strings.Repeat("e", 256)), nil, "/path/entitlementId"},
		{"get blank id", http.MethodGet, entapi.EntitlementPath(" "), nil, "/path/entitlementId"},
		{"get id with slash", http.MethodGet, entapi.EntitlementPath("a/b"), nil, "/path/entitlementId"},
		{"patch id with quote", http.MethodPatch, entapi.EntitlementPath(`e"1`), map[string]any{"description": "x"}, "/path/entitlementId"},
		{"line items id with <", http.MethodGet, entapi.LineItemsPath("e<1"), nil, "/path/entitlementId"},
		{"add line items id with =", http.MethodPost, entapi.LineItemsPath("e=1"), map[string]any{"lineItems": []any{e.lineItemBody()}}, "/path/entitlementId"},
		{"maintenance id with |", http.MethodPost, entapi.MaintenanceLineItemsPath("e|1"), map[string]any{"maintenanceLineItems": []any{
			map[string]any{"partNumber": e.part.PartID, "startDate": "2026-01-01", "autoGenerate": true}}}, "/path/entitlementId"},
	}
	for _, c := range cases {
		x := e.do(t, c.method, c.path, c.body)
		t.Run(c.name, func(t *testing.T) { expectLocation(t, x, false, c.want) })
	}
	// Inside the limits: an ID of 255 characters is looked up (404), and
	// the largest int32 page is an empty page.
	if x := e.do(t, http.MethodGet, entapi.EntitlementPath(strings.Repeat("e", 255)), nil); x.Status != http.StatusNotFound {
		t.Errorf("255-character ID: status %d: %s", x.Status, x.Body)
	}
	if x := e.do(t, http.MethodGet, list+"?page=2147483647&limit=2000", nil); x.Status != http.StatusOK || len(x.JSON(t)["entitlements"].([]any)) != 0 {
		t.Errorf("last int32 page: status %d: %s", x.Status, x.Body)
	}
}

// TestRules covers what the schema cannot say: ID rules, references to the
// data set, dates, and what the emulator cannot keep; each refused with 400
// at its location, and nothing stored.
func TestRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	base := func() map[string]any { return e.createBody("rules-ent", "rules-act") }
	with := func(fn func(m map[string]any)) map[string]any { return edit(base(), fn) }
	acct := func(m map[string]any) map[string]any { return m["accounts"].([]any)[0].(map[string]any) }
	second := func(m map[string]any) {
		it := edit(item0(m), func(x map[string]any) { x["activationId"] = "rules-act-2" })
		m["lineItems"] = append(m["lineItems"].([]any), it)
	}
	existingAID := e.ent.LineItems[0]

	cases := []struct {
		name string
		body map[string]any
		want string
	}{
		{"entitlementId with autoGenerate", with(func(m map[string]any) { m["autoGenerate"] = true }), "/entitlementId"},
		{"neither entitlementId nor autoGenerate", with(func(m map[string]any) { delete(m, "entitlementId") }), "/entitlementId"},
		{"activationId with autoGenerate", with(func(m map[string]any) { item0(m)["autoGenerate"] = true }), "/lineItems/0/activationId"},
		{"neither activationId nor autoGenerate", with(func(m map[string]any) { delete(item0(m), "activationId") }), "/lineItems/0/activationId"},
		{"entitlementId of an entitlement", with(func(m map[string]any) { m["entitlementId"] = strings.ToUpper(e.ent.ID) }), "/entitlementId"},
		{"entitlementId of a line item", with(func(m map[string]any) { m["entitlementId"] = existingAID }), "/entitlementId"},
		{"activationId of a line item", with(func(m map[string]any) { item0(m)["activationId"] = existingAID }), "/lineItems/0/activationId"},
		{"activationId of an entitlement", with(func(m map[string]any) { item0(m)["activationId"] = e.ent.ID }), "/lineItems/0/activationId"},
		{"activationId twice", with(func(m map[string]any) {
			second(m)
			m["lineItems"].([]any)[1].(map[string]any)["activationId"] = "RULES-ACT"
		}), "/lineItems/1/activationId"},
		{"activationId is the entitlementId", with(func(m map[string]any) { item0(m)["activationId"] = "rules-ent" }), "/lineItems/0/activationId"},
		{"entitlementId with a full stop", with(func(m map[string]any) { m["entitlementId"] = "rules.ent" }), "/entitlementId"},
		{"activationId with a comma", with(func(m map[string]any) { item0(m)["activationId"] = "rules,act" }), "/lineItems/0/activationId"},
		{"unknown product", with(func(m map[string]any) { product0(m)["productVersion"] = "0.0-none" }), "/lineItems/0/product/0"},
		{"two products", with(func(m map[string]any) {
			item0(m)["product"] = append(item0(m)["product"].([]any), product0(m))
		}), "/lineItems/0/product"},
		{"no product", with(func(m map[string]any) { item0(m)["product"] = []any{} }), "/lineItems/0/product"},
		{"unknown license model", with(func(m map[string]any) {
			product0(m)["licenseModel"] = map[string]any{"licenseModelName": "no such model"}
		}), "/lineItems/0/product/0/licenseModel/licenseModelName"},
		{"unknown account", with(func(m map[string]any) { acct(m)["accountId"] = "NO_SUCH_ACCOUNT" }), "/accounts/0/accountId"},
		{"account by name only, unknown", with(func(m map[string]any) {
			delete(acct(m), "accountId")
			acct(m)["accountName"] = "No Such Account"
		}), "/accounts/0/accountName"},
		{"account neither ID nor name", with(func(m map[string]any) {
			m["accounts"] = []any{map[string]any{"isCurrentOwner": true}}
		}), "/accounts/0"},
		{"accountName of another account", with(func(m map[string]any) { acct(m)["accountName"] = "Someone Else" }), "/accounts/0/accountName"},
		{"accountType of another kind", with(func(m map[string]any) { acct(m)["accountType"] = "PUBLISHER" }), "/accounts/0/accountType"},
		{"two accounts", with(func(m map[string]any) { m["accounts"] = append(m["accounts"].([]any), acct(m)) }), "/accounts"},
		{"not the current owner", with(func(m map[string]any) { acct(m)["isCurrentOwner"] = false }), "/accounts/0/isCurrentOwner"},
		{"contactEmail differs", with(func(m map[string]any) { acct(m)["contactEmail"] = "other@example.com" }), "/accounts/0/contactEmail"},
		{"startDate not a day", with(func(m map[string]any) { item0(m)["startDate"] = "2026-02-30" }), "/lineItems/0/startDate"},
		{"expiryDate not a date", with(func(m map[string]any) { item0(m)["expiryDate"] = "next year" }), "/lineItems/0/expiryDate"},
		{"expiry before start", with(func(m map[string]any) { item0(m)["expiryDate"] = "2025-12-31" }), "/lineItems/0/expiryDate"},
		{"not permanent, no expiry", with(func(m map[string]any) { delete(item0(m), "expiryDate") }), "/lineItems/0/expiryDate"},
		{"quantityPerCopy 2", with(func(m map[string]any) { item0(m)["quantityPerCopy"] = 2 }), "/lineItems/0/quantityPerCopy"},
		{"not activatable", with(func(m map[string]any) { item0(m)["isActivatable"] = false }), "/lineItems/0/isActivatable"},
		{"invalid_order", with(func(m map[string]any) { item0(m)["orderType"] = "INVALID_ORDER" }), "/lineItems/0/orderType"},
		{"second line item bad", with(func(m map[string]any) {
			second(m)
			m["lineItems"].([]any)[1].(map[string]any)["startDate"] = "2026-13-01"
		}), "/lineItems/1/startDate"},
	}
	for _, c := range cases {
		x := e.do(t, http.MethodPost, entapi.PathEntitlement, c.body)
		t.Run(c.name, func(t *testing.T) {
			expectLocation(t, x, false, c.want)
			var f struct{ Message string }
			json.Unmarshal(x.Body, &f)
			if !strings.Contains(f.Message, "cannot be carried out") {
				t.Errorf("refused by the contract check, not the rules: %s", x.Body)
			}
		})
	}
	// All or nothing: none of the refused requests stored anything.
	if _, err := e.st.Entitlement("rules-ent"); err == nil {
		t.Error("a refused create stored the entitlement")
	}
	for _, aid := range []string{"rules-act", "rules-act-2"} {
		if _, err := e.st.LineItem(aid); err == nil {
			t.Errorf("a refused create stored line item %s", aid)
		}
	}
	// The base body itself is fine.
	if x := e.do(t, http.MethodPost, entapi.PathEntitlement, base()); x.Status != http.StatusCreated {
		t.Fatalf("base body: status %d: %s", x.Status, x.Body)
	}
}

// TestMaintenanceRules: a maintenance line item's product comes from the
// product or the part number, which must exist and agree.
func TestMaintenanceRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	path := entapi.MaintenanceLineItemsPath(e.ent.ID)
	other, err := e.st.Products(state.ProductQuery{}, state.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var mismatch map[string]any
	for _, p := range other {
		if p.Key() != e.part.Product {
			mismatch = map[string]any{"productName": p.Name, "productVersion": p.Version}
			break
		}
	}
	mnt := func(m map[string]any) map[string]any {
		m["startDate"], m["autoGenerate"] = "2026-01-01", true
		return map[string]any{"maintenanceLineItems": []any{m}}
	}
	cases := []struct {
		name string
		body map[string]any
		want string // "" succeeds
	}{
		{"part number", mnt(map[string]any{"partNumber": e.part.PartID}), ""},
		{"unknown part number", mnt(map[string]any{"partNumber": "NO-SUCH-PART"}), "/maintenanceLineItems/0/partNumber"},
		{"neither product nor part", mnt(map[string]any{"orderId": "SO-1"}), "/maintenanceLineItems/0/product"},
		{"part of another product", mnt(map[string]any{"partNumber": e.part.PartID, "product": []any{mismatch}}), "/maintenanceLineItems/0/partNumber"},
		{"two products", mnt(map[string]any{"product": []any{mismatch, mismatch}}), "/maintenanceLineItems/0/product"},
	}
	for _, c := range cases {
		x := e.do(t, http.MethodPost, path, c.body)
		t.Run(c.name, func(t *testing.T) { expectLocation(t, x, c.want == "", c.want) })
	}
	// The one that succeeded is a maintenance line item of the part's product.
	x := e.do(t, http.MethodGet, entapi.LineItemsPath(e.ent.ID), nil).JSON(t)
	ms, _ := x["maintenanceLineItems"].([]any)
	if len(ms) != 1 {
		t.Fatalf("maintenance line items: %v", x)
	}
	m := ms[0].(map[string]any)
	p := m["product"].([]any)[0].(map[string]any)
	if m["partNumber"] != e.part.PartID || p["productName"] != e.part.Product.Name || p["productVersion"] != e.part.Product.Version {
		t.Errorf("maintenance line item %v, want part %+v", m, e.part)
	}
}

// TestNotFound: the routes of one entitlement answer 404 for an unknown ID
// and for a bulk entitlement (this API serves simple ones).
func TestNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	v := resttest.Validator(t, contractPath, openapi.Options{})
	for _, id := range []string{"no-such-entitlement", e.bulk.ID} {
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{http.MethodGet, entapi.EntitlementPath(id), nil},
			{http.MethodPatch, entapi.EntitlementPath(id), map[string]any{"description": "x"}},
			{http.MethodGet, entapi.LineItemsPath(id), nil},
			{http.MethodPost, entapi.LineItemsPath(id), map[string]any{"lineItems": []any{e.lineItemBody()}}},
			{http.MethodPost, entapi.MaintenanceLineItemsPath(id), map[string]any{"maintenanceLineItems": []any{
				map[string]any{"partNumber": e.part.PartID, "startDate": "2026-01-01", "autoGenerate": true}}}},
		} {
			x := e.do(t, c.method, c.path, c.body)
			if x.Status != http.StatusNotFound {
				t.Errorf("%s %s: status %d: %s", c.method, c.path, x.Status, x.Body)
				continue
			}
			resttest.CheckResponse(t, v, x)
		}
	}
	if b, _ := e.st.Entitlement(e.bulk.ID); len(b.LineItems) != 0 {
		t.Errorf("the bulk entitlement got line items")
	}
}

// TestTransport: bodies that are not JSON, too big or of the wrong type,
// wrong methods and routes get their status and a JSON failure that does
// not repeat the request.
func TestTransport(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 4<<10)
	secret := "s3cr3t-value-never-echoed"
	good, _ := json.Marshal(e.createBody("transport-1", "transport-1-act"))
	cases := []struct {
		name, method, path, ct string
		body                   []byte
		status                 int
		reason                 string
	}{
		{"malformed JSON", http.MethodPost, entapi.PathEntitlement, "application/json", []byte(`{"entitlementId": "` + secret + `"`), 400, "not valid JSON"},
		{"two values", http.MethodPost, entapi.PathEntitlement, "application/json", append(append([]byte{}, good...), good...), 400, "more than one value"},
		{"array", http.MethodPost, entapi.PathEntitlement, "application/json", []byte(`[1,2]`), 400, "contract"},
		{"null", http.MethodPost, entapi.PathEntitlement, "application/json", []byte(`null`), 400, "contract"},
		{"empty", http.MethodPost, entapi.PathEntitlement, "application/json", []byte{}, 400, "not valid JSON"},
		{"text/plain", http.MethodPost, entapi.PathEntitlement, "text/plain", good, 415, "Content-Type"},
		{"no content type", http.MethodPost, entapi.PathEntitlement, "", good, 415, "Content-Type"},
		{"json suffix type", http.MethodPatch, entapi.EntitlementPath(e.ent.ID), "application/merge-patch+json", []byte(`{"description":"x"}`), 415, "contract"},
		{"too large", http.MethodPost, entapi.PathEntitlement, "application/json", []byte(`{"description":"` + strings.Repeat(secret, 400) + `"}`), 413, "larger than"},
		{"deep", http.MethodPost, entapi.PathEntitlement, "application/json", []byte(strings.Repeat("[", 300) + strings.Repeat("]", 300)), 400, "contract"},
		{"DELETE", http.MethodDelete, entapi.EntitlementPath(e.ent.ID), "", nil, 405, "GET or PATCH"},
		{"PUT on create", http.MethodPut, entapi.PathEntitlement, "application/json", good, 405, "POST"},
		{"POST on list", http.MethodPost, entapi.PathEntitlements, "application/json", good, 405, "GET"},
		{"unknown route", http.MethodGet, "/entitlements-api/v1/nothing", "", nil, 404, "no Entitlements API route"},
		{"unknown sub-route", http.MethodGet, entapi.EntitlementPath(e.ent.ID) + "/policies", "", nil, 404, "no Entitlements API route"},
		{"other version", http.MethodGet, "/entitlements-api/v2/entitlements", "", nil, 404, "no Entitlements API route"},
	}
	for _, c := range cases {
		x := e.raw(t, c.method, c.path, c.ct, c.body, asAdmin)
		t.Run(c.name, func(t *testing.T) {
			if x.Status != c.status {
				t.Fatalf("status %d, want %d: %s", x.Status, c.status, x.Body)
			}
			if ct := x.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if bytes.Contains(x.Body, []byte(secret)) {
				t.Errorf("the answer echoes a request value: %s", x.Body)
			}
			m := x.JSON(t)
			if m["status"] != "FAILURE" || !strings.Contains(m["message"].(string)+errorsText(m), c.reason) {
				t.Errorf("answer %s does not say %q", x.Body, c.reason)
			}
			if c.status == 405 && x.Header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
	if _, err := e.st.Entitlement("transport-1"); err == nil {
		t.Error("a refused request stored the entitlement")
	}
	// A media type parameter and a trailing slash are fine.
	if x := e.raw(t, http.MethodPost, entapi.PathEntitlement+"/", "application/json; charset=utf-8", good, asAdmin); x.Status != http.StatusCreated {
		t.Errorf("charset and trailing slash: %d %s", x.Status, x.Body)
	}
	if x := e.raw(t, http.MethodGet, entapi.LineItemsPath("transport-1")+"/", "", nil, asAdmin); x.Status != http.StatusOK {
		t.Errorf("trailing slash: %d %s", x.Status, x.Body)
	}
}

func errorsText(m map[string]any) string {
	b, _ := json.Marshal(m["errors"])
	return string(b)
}
