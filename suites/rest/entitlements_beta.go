package rest

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/suite"
)

// The Entitlements API beta (schemas/rest/entitlements-beta.yaml, seed 004
// and the inferences EB-1..EB-15).
const (
	ebAPI             = "entitlements-beta"
	pathEBCreate      = "/entitlements-api/v1/entitlement"
	pathEBList        = "/entitlements-api/v1/entitlements"
	pathEBEntitlement = "/entitlements-api/v1/entitlement/"
)

func ebLabels(op string, kind suite.Kind, tier suite.Tier) Labels {
	return labels(ebAPI, op, kind, tier)
}

func ebPath(id string) string            { return pathEBEntitlement + url.PathEscape(id) }
func ebLinesPath(id string) string       { return ebPath(id) + "/line-items" }
func ebMaintenancePath(id string) string { return ebPath(id) + "/maintenance-line-items" }

// ebList is one page of the entitlement list.
type ebList struct {
	ids                []string
	all                []map[string]any
	page, limit, total int
}

func listEntitlements(q url.Values) ebList {
	GinkgoHelper()
	r := call(ebAPI, http.MethodGet, pathEBList, q, nil)
	r.ExpectStatus(http.StatusOK)
	r.ExpectValid()
	var l ebList
	for _, e := range objects(at(r.JSON, "entitlements")) {
		l.ids = append(l.ids, text(e["entitlementId"]))
		l.all = append(l.all, e)
	}
	l.page, l.limit = mustInt(at(r.JSON, "page"), "page"), mustInt(at(r.JSON, "limit"), "limit")
	l.total = mustInt(at(r.JSON, "totalCount"), "totalCount")
	return l
}

// lineItemsOf reads an entitlement's line items (GET .../line-items).
func lineItemsOf(id string) []map[string]any {
	GinkgoHelper()
	r := call(ebAPI, http.MethodGet, ebLinesPath(id), nil, nil)
	r.ExpectStatus(http.StatusOK)
	r.ExpectValid()
	return objects(at(r.JSON, "lineItems"))
}

// soapEntitlement finds an entitlement over SOAP (EntitlementOrderService
// v8 getEntitlementsQuery) and returns how many it found.
func soapEntitlement(id string) int {
	GinkgoHelper()
	r := suite.E().SOAP("EntitlementOrderService", "v8", "getEntitlementsQuery", map[string]any{
		"entitlementSearchCriteria": map[string]any{"entitlementId": map[string]any{"value": id, "searchType": "EQUALS"}},
		"batchSize":                 "10",
	})
	r.ExpectValid()
	r.ExpectStatus("SUCCESS")
	switch v := r.Payload["entitlement"].(type) {
	case []any:
		return len(v)
	case map[string]any:
		return 1
	}
	return 0
}

// productLine is a line item body naming the target's product.
func productLine(activationID string) map[string]any {
	GinkgoHelper()
	recs := suite.E().Records()
	if recs.Product == nil {
		Skip("the target has no product to entitle")
	}
	p := map[string]any{"productName": recs.Product.Name, "productVersion": recs.Product.Version}
	if recs.LicenseModel != "" {
		p["licenseModel"] = map[string]any{"licenseModelName": recs.LicenseModel}
	}
	li := map[string]any{"product": []any{p}, "startDate": "2025-01-01", "isPermanent": false, "expiryDate": "2027-01-01",
		"quantity": 5, "orderType": "NEW_ORDER", "lineItemStatus": "draft"}
	if activationID == "" {
		li["autoGenerate"] = true
	} else {
		li["activationId"], li["autoGenerate"] = activationID, false
	}
	return li
}

var _ = Describe("Entitlements API beta: reading", func() {
	It("lists entitlements in pages that are disjoint and add up to totalCount", ebLabels("listSimpleEntitlements", suite.Read, suite.Smoke), func() {
		first := listEntitlements(url.Values{"page": {"0"}, "limit": {"1"}})
		if first.total == 0 {
			Skip("the target has no simple entitlement")
		}
		limit := pageSizeFor(first.total, 2000)
		pages := ceilDiv(first.total, limit)
		if pages > maxWalk {
			Skip("more entitlements than a contract run pages through")
		}
		seen := map[string]bool{}
		for page := range pages {
			l := listEntitlements(url.Values{"page": {strconv.Itoa(page)}, "limit": {strconv.Itoa(limit)}, "sort_by": {"entitlement_id"}})
			Expect([]int{l.page, l.limit, l.total}).To(Equal([]int{page, limit, first.total}), "page, limit or totalCount differ from what was asked or counted")
			if page < pages-1 {
				Expect(len(l.ids)).To(Equal(limit), "page %d of %d is not full", page, pages)
			}
			keysOf(seen, l.ids, "another page")
		}
		Expect(len(seen)).To(Equal(first.total), "the pages hold another number of entitlements than totalCount")
		after := listEntitlements(url.Values{"page": {strconv.Itoa(pages)}, "limit": {strconv.Itoa(limit)}})
		Expect(after.ids).To(BeEmpty(), "the page after the last lists entitlements")
	})

	It("sorts by entitlement_id both ways", ebLabels("listSimpleEntitlements", suite.Read, suite.Full), func() {
		for _, order := range []string{"asc", "desc"} {
			l := listEntitlements(url.Values{"sort_by": {"entitlement_id"}, "sort_order": {order}, "limit": {"200"}})
			lower := make([]string, len(l.ids))
			for i, id := range l.ids {
				lower[i] = strings.ToLower(id)
			}
			sorted := sort.SliceIsSorted(lower, func(i, j int) bool { return lower[i] < lower[j] })
			if order == "desc" {
				sorted = sort.SliceIsSorted(lower, func(i, j int) bool { return lower[i] > lower[j] })
			}
			Expect(sorted).To(BeTrue(), "the list is not sorted by entitlement_id %s", order)
		}
	})

	It("filters by activationId, accountId, product and status: every entitlement matches, the known one is found", ebLabels("listSimpleEntitlements", suite.Read, suite.Smoke), func() {
		aid, eid := knownItem()
		byAID := listEntitlements(url.Values{"activationId": {aid}})
		Expect(byAID.ids).To(ContainElement(eid), "activationId does not find the line item's entitlement")
		Expect(byAID.total).To(Equal(len(byAID.ids)), "totalCount disagrees with the entitlements of a one-page answer")

		r := call(ebAPI, http.MethodGet, ebPath(eid), nil, nil)
		r.ExpectStatus(http.StatusOK)
		known := obj(r.JSON)
		var q []url.Values
		if accts := objects(known["accounts"]); len(accts) > 0 && text(accts[0]["accountId"]) != "" {
			q = append(q, url.Values{"accountId": {text(accts[0]["accountId"])}})
		}
		if items := objects(known["lineItems"]); len(items) > 0 {
			if ps := objects(items[0]["product"]); len(ps) > 0 {
				q = append(q, url.Values{"product": {text(ps[0]["productName"])}})
			}
		}
		if st := strings.ToLower(text(known["status"])); st != "" {
			if st == "obsolete" {
				st = "obsoleted" // the list's spelling (EB-3)
			}
			q = append(q, url.Values{"status": {st}})
		}
		for _, f := range q {
			f.Set("limit", "2000")
			l := listEntitlements(f)
			Expect(l.ids).To(ContainElement(eid), "the filter %v does not find the entitlement it was taken from", f)
			for _, ent := range l.all {
				Expect(matchesFilter(ent, f)).To(BeTrue(), "the filter %v lists an entitlement that does not match", f)
			}
			if l.total <= 2000 {
				Expect(len(l.ids)).To(Equal(l.total), "totalCount disagrees with a one-page answer")
			}
		}
		none := listEntitlements(url.Values{"activationId": {"fnokit-no-such-activation-id"}})
		Expect([]int{len(none.ids), none.total}).To(Equal([]int{0, 0}), "an activation ID nobody has finds entitlements")
	})

	It("reads a known entitlement with its line items, as its line-items route lists them", ebLabels("getSimpleEntitlement", suite.Read, suite.Smoke), func() {
		aid, eid := knownItem()
		r := call(ebAPI, http.MethodGet, ebPath(eid), nil, nil)
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		Expect(foldEq(text(at(r.JSON, "entitlementId")), eid)).To(BeTrue())
		var inEnt []string
		for _, li := range objects(at(r.JSON, "lineItems")) {
			inEnt = append(inEnt, text(li["activationId"]))
		}
		Expect(inEnt).To(ContainElement(aid), "the entitlement does not carry the known line item")

		lines := call(ebAPI, http.MethodGet, ebLinesPath(eid), nil, nil)
		lines.ExpectStatus(http.StatusOK)
		lines.ExpectValid()
		var listed []string
		for _, li := range objects(at(lines.JSON, "lineItems")) {
			listed = append(listed, text(li["activationId"]))
		}
		Expect(listed).To(ConsistOf(inEnt), "the line-items route lists other line items than the entitlement carries")
	})

	It("reads an unused entitlement and its line items as recorded", ebLabels("listLineItems", suite.Read, suite.Smoke), func() {
		eid := spareEntitlement()
		r := call(ebAPI, http.MethodGet, ebPath(eid), nil, nil)
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		lines := call(ebAPI, http.MethodGet, ebLinesPath(eid), nil, nil)
		lines.ExpectStatus(http.StatusOK)
		lines.ExpectValid()
		Expect(len(objects(at(lines.JSON, "lineItems")))).To(Equal(len(objects(at(r.JSON, "lineItems")))),
			"the line-items route lists another number of line items than the entitlement carries")
		r.ExpectGolden("spare-entitlement")
		lines.ExpectGolden("spare-entitlement")
	})

	It("answers 404 for an unknown entitlement and 400 for an ID the contract forbids", ebLabels("getSimpleEntitlement", suite.Read, suite.Full), func() {
		for _, path := range []string{ebPath("fnokit-no-such-entitlement"), ebLinesPath("fnokit-no-such-entitlement")} {
			r := call(ebAPI, http.MethodGet, path, nil, nil)
			r.ExpectStatus(http.StatusNotFound)
			r.ExpectValid()
		}
		for _, path := range []string{ebPath("bad&id"), ebLinesPath("bad(id)"), ebPath(strings.Repeat("x", 256))} {
			r := call(ebAPI, http.MethodGet, path, nil, nil)
			r.ExpectStatus(http.StatusBadRequest)
			r.ExpectValid()
		}
		for _, q := range []url.Values{{"status": {"shiny"}}, {"page": {"-1"}}, {"limit": {"many"}}, {"sort_by": {"colour"}}} {
			r := call(ebAPI, http.MethodGet, pathEBList, q, nil)
			r.ExpectStatus(http.StatusBadRequest)
			r.ExpectValid()
		}
	})

	for _, route := range []struct{ op, method, path string }{
		{"createSimpleEntitlement", http.MethodPost, pathEBCreate},
		{"listSimpleEntitlements", http.MethodGet, pathEBList},
		{"getSimpleEntitlement", http.MethodGet, ebPath("any")},
		{"updateSimpleEntitlement", http.MethodPatch, ebPath("any")},
		{"createLineItems", http.MethodPost, ebLinesPath("any")},
		{"listLineItems", http.MethodGet, ebLinesPath("any")},
		{"createMaintenanceLineItems", http.MethodPost, ebMaintenancePath("any")},
	} {
		It("refuses an anonymous "+route.method+" "+route.path, ebLabels(route.op, suite.Read, suite.Smoke), func() {
			var body any
			if route.method != http.MethodGet {
				body = map[string]any{"description": "x"}
			}
			expectRefused(anonymous(ebAPI, route.method, route.path, nil, body))
			expectRefused(withAuth(ebAPI, route.method, route.path, nil, body, "Bearer "+foreignJWT))
		})
	}

	It("refuses an expired token (emulator clock moved past 60 minutes)", ebLabels("listSimpleEntitlements", suite.Read, suite.Full), func() {
		expectTokenExpires(ebAPI, "", pathEBList)
	})
})

// matchesFilter reports whether a listed entitlement matches a list
// filter (accountId, product, status), compared without case. The product
// filter is "Product name associated with the entitlement" (seed 004 lines
// 248-250): the product of any of its line items, maintenance line items
// included (a maintenance line item names its product as the others do,
// and SOAP's productName criterion of getEntitlementsQuery looks at every
// line item alike).
func matchesFilter(ent map[string]any, f url.Values) bool {
	if v := f.Get("accountId"); v != "" {
		ok := false
		for _, a := range objects(ent["accounts"]) {
			ok = ok || foldEq(text(a["accountId"]), v)
		}
		if !ok {
			return false
		}
	}
	if v := f.Get("product"); v != "" {
		ok := false
		for _, li := range append(objects(ent["lineItems"]), objects(ent["maintenanceLineItems"])...) {
			for _, p := range objects(li["product"]) {
				ok = ok || foldEq(text(p["productName"]), v)
			}
		}
		if !ok {
			return false
		}
	}
	if v := f.Get("status"); v != "" {
		st := strings.ToLower(text(ent["status"]))
		if st == "obsolete" {
			st = "obsoleted"
		}
		if st != v {
			return false
		}
	}
	return true
}

var _ = Describe("Entitlements API beta: writing", func() {
	It("creates an entitlement that GET, the list and SOAP then find, updates it and adds line items", ebLabels("createSimpleEntitlement", suite.Write, suite.Smoke), func() {
		e := suite.E()
		e.RequireWrites()
		id, aid := e.Name("beta-ent"), e.Name("beta-act")
		undo("entitlement "+id, func(context.Context) error {
			e.SOAP("EntitlementOrderService", "v8", "deleteEntitlement", map[string]any{"entitlement": []any{
				map[string]any{"entitlementIdentifier": map[string]any{"primaryKeys": map[string]any{"entitlementId": id}}},
			}})
			return nil
		})
		body := map[string]any{"entitlementId": id, "autoGenerate": false, "description": "created by a contract suite",
			"shipToEmail": "suite@example.com", "status": "draft", "lineItems": []any{productLine(aid)}}
		if a := e.Records().Account; a != nil {
			body["accounts"] = []any{map[string]any{"accountId": a.ID, "isCurrentOwner": true}}
		}
		created := call(ebAPI, http.MethodPost, pathEBCreate, nil, body)
		Expect(created.HTTPStatus).To(BeElementOf(http.StatusCreated, http.StatusOK), "create answered HTTP %d", created.HTTPStatus)
		created.ExpectValid()
		Expect(text(at(created.JSON, "status"))).To(Equal("SUCCESS"))

		got := call(ebAPI, http.MethodGet, ebPath(id), nil, nil)
		got.ExpectStatus(http.StatusOK)
		got.ExpectValid()
		Expect(text(at(got.JSON, "description"))).To(Equal("created by a contract suite"))
		Expect(text(at(got.JSON, "shipToEmail"))).To(Equal("suite@example.com"))
		items := objects(at(got.JSON, "lineItems"))
		Expect(len(items)).To(Equal(1))
		Expect(text(items[0]["activationId"])).To(Equal(aid))
		Expect(mustInt(items[0]["quantity"], "quantity")).To(Equal(5))

		l := listEntitlements(url.Values{"activationId": {aid}})
		Expect([]any{l.ids, l.total}).To(Equal([]any{[]string{id}, 1}), "the list does not find the new entitlement by its activation ID")
		Expect(soapEntitlement(id)).To(Equal(1), "SOAP getEntitlementsQuery does not find the entitlement created over the beta API")

		upd := call(ebAPI, http.MethodPatch, ebPath(id), nil, map[string]any{"description": "updated by a contract suite"})
		upd.ExpectStatus(http.StatusOK)
		upd.ExpectValid()
		after := call(ebAPI, http.MethodGet, ebPath(id), nil, nil)
		Expect(text(at(after.JSON, "description"))).To(Equal("updated by a contract suite"), "PATCH is not seen by GET")
		Expect(text(at(after.JSON, "shipToEmail"))).To(Equal("suite@example.com"), "PATCH changed a field it did not name")

		add := call(ebAPI, http.MethodPost, ebLinesPath(id), nil, map[string]any{"lineItems": []any{productLine(e.Name("beta-act-2"))}})
		Expect(add.HTTPStatus).To(BeElementOf(http.StatusCreated, http.StatusOK), "adding a line item answered HTTP %d", add.HTTPStatus)
		add.ExpectValid()
		Expect(len(lineItemsOf(id))).To(Equal(2), "the added line item is not listed")

		mli := productLine(e.Name("beta-mnt"))
		delete(mli, "quantity")
		delete(mli, "orderType")
		delete(mli, "lineItemStatus")
		maint := call(ebAPI, http.MethodPost, ebMaintenancePath(id), nil, map[string]any{"maintenanceLineItems": []any{mli}})
		Expect(maint.HTTPStatus).To(BeElementOf(http.StatusCreated, http.StatusOK), "adding a maintenance line item answered HTTP %d", maint.HTTPStatus)
		maint.ExpectValid()
	})

	It("refuses bodies the contract forbids with 400 and creates nothing", ebLabels("createSimpleEntitlement", suite.Read, suite.Smoke), func() {
		// Refused creates change nothing, so this spec also runs read-only.
		e := suite.E()
		line := productLine("")
		for _, tc := range []struct {
			why  string
			body map[string]any
		}{
			{"an entitlementId with &", map[string]any{"entitlementId": e.Name("a&b"), "autoGenerate": false, "lineItems": []any{line}}},
			{"a blank entitlementId", map[string]any{"entitlementId": "   ", "autoGenerate": false, "lineItems": []any{line}}},
			{"an entitlementId of 256 characters", map[string]any{"entitlementId": strings.Repeat("e", 256), "autoGenerate": false, "lineItems": []any{line}}},
			{"no line items", map[string]any{"autoGenerate": true, "lineItems": []any{}}},
			{"an unknown property", map[string]any{"autoGenerate": true, "lineItems": []any{line}, "colour": "blue"}},
			{"a start date that is not YYYY-MM-DD", map[string]any{"autoGenerate": true, "lineItems": []any{mergeMap(line, map[string]any{"startDate": "01/01/2025"})}}},
			{"an unknown status", map[string]any{"autoGenerate": true, "status": "shiny", "lineItems": []any{line}}},
		} {
			By(tc.why)
			r := call(ebAPI, http.MethodPost, pathEBCreate, nil, tc.body)
			Expect(r.HTTPStatus).To(Equal(http.StatusBadRequest), "%s answered HTTP %d", tc.why, r.HTTPStatus)
			r.ExpectValid()
		}
		Expect(listEntitlements(url.Values{"accountId": {e.Name("none")}}).total).To(BeZero())
	})
})

// mergeMap is a copy of a with b's entries set.
func mergeMap(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
