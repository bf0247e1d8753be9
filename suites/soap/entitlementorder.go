package soap

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/suite"
)

// EntitlementOrderService, base–v8 (seed 001 "Entitlement Order", table
// 2-2; seed 002 L193-300 for v8's several accountUnitName values and v7's
// upgrade relationship).

const eo = "EntitlementOrderService"

// entitlement is an entitlement of the target, for reads.
func entitlement() string {
	GinkgoHelper()
	id := suite.E().Records().EntitlementID
	if id == "" {
		Skip("the target has no entitlement")
	}
	return id
}

func entIdent(id string) map[string]any {
	return map[string]any{"primaryKeys": map[string]any{"entitlementId": id}}
}

func lineIdent(aid string) map[string]any {
	return map[string]any{"primaryKeys": map[string]any{"activationId": aid}}
}

// ---- calls ----

// eoEntitlements is getEntitlementsQuery.
func eoEntitlements(v string, crit map[string]any, page, size int) *suite.SOAPResult {
	GinkgoHelper()
	if crit == nil {
		crit = map[string]any{}
	}
	return suite.E().SOAP(eo, v, "getEntitlementsQuery", map[string]any{"entitlementSearchCriteria": crit, "batchSize": size, "pageNumber": page})
}

// entitlementKey is the ID of a getEntitlementsQuery record, simple or bulk.
func entitlementKey(e any) string {
	if id := str(e, "simpleEntitlement", "entitlementId", "id"); id != "" {
		return id
	}
	return str(e, "bulkEntitlement", "entitlementId", "id")
}

// eoCount is getEntitlementCount's answer.
func eoCount(v string, crit map[string]any) int {
	GinkgoHelper()
	if crit == nil {
		crit = map[string]any{}
	}
	return count(ok(suite.E().SOAP(eo, v, "getEntitlementCount", map[string]any{"queryParams": crit})), "count")
}

// eoItems is getActivatableItemsQuery.
func eoItems(v string, crit map[string]any, page, size int) *suite.SOAPResult {
	GinkgoHelper()
	if crit == nil {
		crit = map[string]any{}
	}
	return suite.E().SOAP(eo, v, "getActivatableItemsQuery", map[string]any{"activatableItemSearchCriteria": crit, "batchSize": size, "pageNumber": page})
}

func itemKey(it any) string { return str(it, "activatableItemData", "activationId", "id") }

// eoItemCount is getActivatableItemCount's answer.
func eoItemCount(v string, crit map[string]any) int {
	GinkgoHelper()
	if crit == nil {
		crit = map[string]any{}
	}
	return count(ok(suite.E().SOAP(eo, v, "getActivatableItemCount", map[string]any{"queryParams": crit})), "count")
}

// propertiesConfig asks getEntitlementLineItemPropertiesQuery for the
// fields the specs read.
var propertiesConfig = map[string]any{
	"activationId": true, "description": true, "state": true, "entitlementId": true,
	"soldTo": true, "soldToDisplayName": true, "bulkEntSoldToDisplayName": true,
	"parentLineItem": true, "numberOfCopies": true, "numberOfRemainingCopies": true,
}

// eoProperties is getEntitlementLineItemPropertiesQuery.
func eoProperties(v string, crit, cfg map[string]any, page, size int) *suite.SOAPResult {
	GinkgoHelper()
	if crit == nil {
		crit = map[string]any{}
	}
	if cfg == nil {
		cfg = propertiesConfig
	}
	return suite.E().SOAP(eo, v, "getEntitlementLineItemPropertiesQuery", map[string]any{
		"queryParams": crit, "entitlementLineItemResponseConfig": cfg, "batchSize": size, "pageNumber": page})
}

func propertiesKey(li any) string { return str(li, "activationId", "primaryKeys", "activationId") }

// activationCriterion is the activation ID criterion of
// searchActivatableItemDataType: activationId until v5, the activationIds
// list from v6 (seed 001 L438-442).
func activationCriterion(v, searchType, value string) map[string]any {
	if num(v) >= 6 {
		return map[string]any{"activationIds": map[string]any{"activationId": []any{query(searchType, value)}}}
	}
	return map[string]any{"activationId": query(searchType, value)}
}

// lineItemOf reads one line item's properties.
func lineItemOf(v, aid string) map[string]any {
	GinkgoHelper()
	lis := list(ok(eoProperties(v, activationCriterion(v, "EQUALS", aid), nil, 1, 10)).Payload, "entitlementLineItem")
	for _, li := range lis {
		if strings.EqualFold(propertiesKey(li), aid) {
			return asMap(li)
		}
	}
	Fail("getEntitlementLineItemPropertiesQuery by activation ID returns the line item")
	return nil
}

// goldenEntitlement is an entitlement neither this suite nor the
// conformance sweep changes: the first one of the target that is not one of
// the sweep's records.
func goldenEntitlement(v string) string {
	GinkgoHelper()
	rec := suite.E().Records()
	for _, e := range list(ok(eoEntitlements(v, nil, 1, 5)).Payload, "entitlement") {
		if id := entitlementKey(e); id != "" && !strings.EqualFold(id, rec.EntitlementID) && !strings.EqualFold(id, rec.SpareEntitlementID) {
			return id
		}
	}
	Skip("the target has no entitlement besides the sweep's")
	return ""
}

// ---- writes ----

// newEntitlement creates a simple entitlement named after what with one
// line item of copies copies (deployed when deploy), deletes it at the end
// of the run, and returns its ID and the line item's activation ID.
func newEntitlement(v, what string, copies int, deploy bool) (id, aid string) {
	GinkgoHelper()
	suite.E().RequireWrites()
	rec := suite.E().Records()
	if rec.Product == nil || rec.Account == nil {
		Skip("the target names no product or account to entitle")
	}
	id = suite.E().Name("eo-" + v + "-" + what)
	r := ok(suite.E().SOAP(eo, v, "createSimpleEntitlement", map[string]any{"simpleEntitlement": []any{
		simpleEntitlement(id, id+"-li", copies, deploy)}}))
	suite.E().Cleanup(eo+" entitlement "+what, func(context.Context) error { return deleteEntitlements(v, id) })
	created := list(r.Payload, "responseData", "createdSimpleEntitlement")
	Expect(created).To(HaveLen(1), "createSimpleEntitlement names the entitlement it created")
	Expect(str(created[0], "entitlementId")).To(Equal(id), "the entitlement has the ID sent")
	return id, id + "-li"
}

// simpleEntitlement is a createSimpleEntitlementDataType.
func simpleEntitlement(id, aid string, copies int, deploy bool) map[string]any {
	rec := suite.E().Records()
	return map[string]any{
		"entitlementId": map[string]any{"id": id},
		"description":   "created by fnokit suites/soap",
		"soldTo":        rec.Account.ID,
		"lineItems": []any{map[string]any{
			"activationId":   map[string]any{"id": aid},
			"description":    "line item created by fnokit suites/soap",
			"product":        map[string]any{"primaryKeys": map[string]any{"name": rec.Product.Name, "version": rec.Product.Version}},
			"numberOfCopies": copies,
			"isPermanent":    true,
		}},
		"autoDeploy": deploy,
	}
}

// deleteEntitlements deletes entitlements that may already be gone.
func deleteEntitlements(v string, ids ...string) error {
	recs := make([]any, len(ids))
	for i, id := range ids {
		recs[i] = map[string]any{"entitlementIdentifier": entIdent(id)}
	}
	r := suite.E().SOAP(eo, v, "deleteEntitlement", map[string]any{"entitlement": recs})
	if r.Fault != nil || r.HTTPStatus != 200 {
		return fmt.Errorf("deleteEntitlement answered HTTP %d", r.HTTPStatus)
	}
	return nil
}

// accountNames are names of up to n accounts of the target, read with
// UserAcctHierarchyService (its newest version).
func accountNames(n int) []string {
	GinkgoHelper()
	r := ok(suite.E().SOAP(uah, newest(uah), "getAccountsQuery", map[string]any{"pageNumber": 1, "batchSize": n}))
	var out []string
	for _, a := range list(r.Payload, "responseData", "acctData") {
		if name := str(a, "name"); name != "" {
			out = append(out, name)
		}
	}
	return out
}

var _ = Describe("EntitlementOrderService", func() {
	authSpecs(eo, "getEntitlementCount", func(string) map[string]any { return map[string]any{"queryParams": map[string]any{}} })

	// ---- entitlements ----

	DescribeTable("getEntitlementsQuery filters entitlementId by each search type, and getEntitlementCount agrees",
		func(v string) {
			id := entitlement()
			for _, t := range searchTypes {
				p := patternFor(t, id)
				es, complete := gather(func(page int) []any {
					return list(ok(eoEntitlements(v, map[string]any{"entitlementId": query(t, p)}, page, maxReadBatch)).Payload, "entitlement")
				})
				keys := make([]string, len(es))
				for i, e := range es {
					keys[i] = entitlementKey(e)
				}
				expectFilter("entitlementId", t, p, each(keys), keys, whenComplete(complete, id))
				expectCount(eoCount(v, map[string]any{"entitlementId": query(t, p)}), len(es), complete, "getEntitlementCount agrees for entitlementId %s", t)
			}
		},
		spec{service: eo, op: "getEntitlementsQuery", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getEntitlementsQuery pages are disjoint and add up to getEntitlementCount",
		func(v string) {
			expectPaging("entitlements", eoCount(v, nil), func(page, size int) []string {
				es := list(ok(eoEntitlements(v, nil, page, size)).Payload, "entitlement")
				keys := make([]string, len(es))
				for i, e := range es {
					keys[i] = entitlementKey(e)
				}
				return keys
			})
		},
		spec{service: eo, op: "getEntitlementCount", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getEntitlementsQuery refuses a batch above 2000",
		func(v string) {
			failsNaming(eoEntitlements(v, nil, 1, maxReadBatch+1), maxReadBatch)
		},
		spec{service: eo, op: "getEntitlementsQuery", kind: suite.Read}.entries(),
	)

	DescribeTable("getEntitlementsQuery answers an entitlement as recorded",
		func(v string) {
			id := goldenEntitlement(v)
			r := ok(eoEntitlements(v, map[string]any{"entitlementId": query("EQUALS", id)}, 1, 10))
			Expect(list(r.Payload, "entitlement")).To(HaveLen(1))
			r.ExpectGolden("by-entitlement-id")
		},
		spec{service: eo, op: "getEntitlementsQuery", kind: suite.Read}.entries(),
	)

	DescribeTable("getEntitlementCount counts one entitlement by its exact ID, as recorded",
		func(v string) {
			id := goldenEntitlement(v)
			r := ok(suite.E().SOAP(eo, v, "getEntitlementCount", map[string]any{"queryParams": map[string]any{"entitlementId": query("EQUALS", id)}}))
			Expect(count(r, "count")).To(Equal(1))
			r.ExpectGolden("by-entitlement-id")
		},
		spec{service: eo, op: "getEntitlementCount", kind: suite.Read}.entries(),
	)

	// ---- activatable items and line items ----

	DescribeTable("getActivatableItemsQuery filters by activation ID and entitlement ID, and getActivatableItemCount agrees",
		func(v string) {
			aid, ent := activation(), entitlement()
			for _, t := range searchTypes {
				p := patternFor(t, aid)
				crit := activationCriterion(v, t, p)
				its, complete := gather(func(page int) []any {
					return list(ok(eoItems(v, crit, page, maxReadBatch)).Payload, "activatableItem")
				})
				keys := make([]string, len(its))
				for i, it := range its {
					keys[i] = itemKey(it)
				}
				expectFilter("activationId", t, p, each(keys), keys, whenComplete(complete, aid))
				expectCount(eoItemCount(v, crit), len(its), complete, "getActivatableItemCount agrees for activationId %s", t)

				p = patternFor(t, ent)
				crit = map[string]any{"entitlementId": query(t, p)}
				its, complete = gather(func(page int) []any {
					return list(ok(eoItems(v, crit, page, maxReadBatch)).Payload, "activatableItem")
				})
				keys = make([]string, len(its))
				for i, it := range its {
					keys[i] = itemKey(it)
				}
				expectFilter("entitlementId", t, p, each(texts(its, "entitlementId")), keys, whenComplete(complete, aid))
				expectCount(eoItemCount(v, crit), len(its), complete, "getActivatableItemCount agrees for entitlementId %s", t)
			}
		},
		spec{service: eo, op: "getActivatableItemsQuery", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getActivatableItemsQuery pages are disjoint and add up to getActivatableItemCount",
		func(v string) {
			expectPaging("activatable items", eoItemCount(v, nil), func(page, size int) []string {
				its := list(ok(eoItems(v, nil, page, size)).Payload, "activatableItem")
				keys := make([]string, len(its))
				for i, it := range its {
					keys[i] = itemKey(it)
				}
				return keys
			})
		},
		spec{service: eo, op: "getActivatableItemCount", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getActivatableItemsQuery refuses a batch above 2000",
		func(v string) {
			failsNaming(eoItems(v, nil, 1, maxReadBatch+1), maxReadBatch)
		},
		spec{service: eo, op: "getActivatableItemsQuery", kind: suite.Read}.entries(),
	)

	DescribeTable("getActivatableItemCount counts the line items of an entitlement, as recorded",
		func(v string) {
			id := goldenEntitlement(v)
			r := ok(suite.E().SOAP(eo, v, "getActivatableItemCount", map[string]any{"queryParams": map[string]any{"entitlementId": query("EQUALS", id)}}))
			Expect(count(r, "count")).To(BeNumerically(">=", 1))
			r.ExpectGolden("by-entitlement-id")
		},
		spec{service: eo, op: "getActivatableItemCount", kind: suite.Read}.entries(),
	)

	DescribeTable("getEntitlementLineItemPropertiesQuery returns only the line items of the entitlement asked for, as many as getActivatableItemCount",
		func(v string) {
			ent, aid := entitlement(), activation()
			crit := map[string]any{"entitlementId": query("EQUALS", ent)}
			lis := list(ok(eoProperties(v, crit, nil, 1, maxReadBatch)).Payload, "entitlementLineItem")
			keys := make([]string, len(lis))
			for i, li := range lis {
				keys[i] = propertiesKey(li)
			}
			expectFilter("entitlementId", "EQUALS", ent, each(texts(lis, "entitlementId", "primaryKeys", "entitlementId")), keys, aid)
			Expect(eoItemCount(v, crit)).To(Equal(len(lis)), "getActivatableItemCount agrees")
			g := goldenEntitlement(v)
			r := ok(eoProperties(v, map[string]any{"entitlementId": query("EQUALS", g)}, nil, 1, 100))
			r.ExpectGolden("by-entitlement-id")
		},
		spec{service: eo, op: "getEntitlementLineItemPropertiesQuery", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getEntitlementLineItemPropertiesQuery refuses a batch above 2000",
		func(v string) {
			failsNaming(eoProperties(v, nil, nil, 1, maxReadBatch+1), maxReadBatch)
		},
		spec{service: eo, op: "getEntitlementLineItemPropertiesQuery", kind: suite.Read}.entries(),
	)

	DescribeTable("getExactAvailableCount answers the line item's remaining copies, and FAILURE for an unknown one",
		func(v string) {
			aid := activation()
			want, err := strconv.Atoi(str(lineItemOf(v, aid), "numberOfRemainingCopies"))
			Expect(err).NotTo(HaveOccurred(), "numberOfRemainingCopies is an integer")
			r := ok(suite.E().SOAP(eo, v, "getExactAvailableCount", map[string]any{"activationId": lineIdent(aid)}))
			Expect(count(r, "count")).To(Equal(want), "getExactAvailableCount equals numberOfRemainingCopies")
			fails(suite.E().SOAP(eo, v, "getExactAvailableCount", map[string]any{"activationId": lineIdent(suite.E().Name("no-such-line-item"))}))
		},
		spec{service: eo, op: "getExactAvailableCount", kind: suite.Read, smoke: true}.entries(),
	)

	// ---- v8: several accountUnitName values (seed 002 L193-229) ----

	DescribeTable("getEntitlementLineItemPropertiesQuery takes several accountUnitName values (EQUALS only) and returns the line items of each",
		func(v string) {
			names := accountNames(3)
			if len(names) < 2 {
				Skip("the target has fewer than two accounts")
			}
			names = names[:2]
			cfg := map[string]any{"activationId": true, "soldToDisplayName": true, "bulkEntSoldToDisplayName": true}
			want, complete := 0, true
			for _, n := range names {
				one, all := gather(func(page int) []any {
					return list(ok(eoProperties(v, map[string]any{"accountUnitName": map[string]any{"value": []any{n}, "searchType": "EQUALS"}}, cfg, page, maxReadBatch)).Payload, "entitlementLineItem")
				})
				want, complete = want+len(one), complete && all
			}
			vals := make([]any, len(names))
			for i, n := range names {
				vals[i] = n
			}
			lis, all := gather(func(page int) []any {
				return list(ok(eoProperties(v, map[string]any{"accountUnitName": map[string]any{"value": vals}}, cfg, page, maxReadBatch)).Payload, "entitlementLineItem")
			})
			if complete && all {
				Expect(lis).To(HaveLen(want), "several names return the line items of each name together")
			}
			bad := 0
			for _, li := range lis {
				acct := str(li, "soldToDisplayName") + str(li, "bulkEntSoldToDisplayName")
				if !strings.EqualFold(acct, names[0]) && !strings.EqualFold(acct, names[1]) {
					bad++
				}
			}
			Expect(bad).To(BeZero(), "every line item returned belongs to one of the accounts named")
			r := eoProperties(v, map[string]any{"accountUnitName": map[string]any{"value": vals, "searchType": "STARTS_WITH"}}, cfg, 1, 10)
			fails(r)
		},
		spec{service: eo, op: "getEntitlementLineItemPropertiesQuery", kind: suite.Read, smoke: true, from: "v8"}.entries(),
	)

	DescribeTable("getEntitlementLineItemPropertiesQuery refuses more accountUnitName values than the configured maximum, naming it",
		func(v string) {
			names := accountNames(2)
			if len(names) == 0 {
				Skip("the target has no account")
			}
			// The maximum is a tenant setting (seed 002 L205-207): find it as
			// the last count that succeeds.
			const bound = 50
			vals := []any{names[0]}
			for n := 2; n <= bound; n++ {
				vals = append(vals, suite.E().Name("no-such-account-"+strconv.Itoa(n)))
				r := eoProperties(v, map[string]any{"accountUnitName": map[string]any{"value": vals, "searchType": "EQUALS"}}, nil, 1, 10)
				r.ExpectValid()
				if r.Status == failure {
					Expect(n).To(BeNumerically(">", 2), "two account names are accepted")
					failsNaming(r, n-1)
					return
				}
				r.ExpectStatus(success)
			}
			Skip(fmt.Sprintf("the target accepts %d account names: no maximum to check", bound))
		},
		spec{service: eo, op: "getEntitlementLineItemPropertiesQuery", kind: suite.Read, from: "v8"}.entries(),
	)

	DescribeTable("getActivatableItemsQuery does not take several accountUnitName values (only the properties query does)",
		func(v string) {
			names := accountNames(2)
			if len(names) < 2 {
				Skip("the target has fewer than two accounts")
			}
			fails(eoItems(v, map[string]any{"accountUnitName": map[string]any{"value": []any{names[0], names[1]}, "searchType": "EQUALS"}}, 1, 10))
		},
		spec{service: eo, op: "getActivatableItemsQuery", kind: suite.Read, from: "v8"}.entries(),
	)

	// ---- writes ----

	DescribeTable("createSimpleEntitlement: the entitlement and its line item are found by the queries",
		func(v string) {
			id, aid := newEntitlement(v, "simple", 5, true)
			es := list(ok(eoEntitlements(v, map[string]any{"entitlementId": query("EQUALS", id)}, 1, 10)).Payload, "entitlement")
			Expect(es).To(HaveLen(1), "getEntitlementsQuery finds the new entitlement")
			Expect(texts(list(es[0], "simpleEntitlement", "lineItems"), "activationId", "id")).To(ContainElement(aid), "with its line item")
			Expect(eoCount(v, map[string]any{"entitlementId": query("EQUALS", id)})).To(Equal(1), "getEntitlementCount counts it")
			Expect(eoItemCount(v, map[string]any{"entitlementId": query("EQUALS", id)})).To(Equal(1), "getActivatableItemCount counts its line item")
			li := lineItemOf(v, aid)
			Expect(str(li, "numberOfCopies")).To(Equal("5"), "the line item has the copies sent")
		},
		spec{service: eo, op: "createSimpleEntitlement", kind: suite.Write, smoke: true}.entries(),
	)

	DescribeTable("createSimpleEntitlement refuses more than 25 entitlements in one request and creates none",
		func(v string) {
			suite.E().RequireWrites()
			rec := suite.E().Records()
			if rec.Product == nil || rec.Account == nil {
				Skip("the target names no product or account to entitle")
			}
			prefix := suite.E().Name("eo-" + v + "-batch")
			var recs []any
			var ids []string
			for i := range maxWriteBatch + 1 {
				id := fmt.Sprintf("%s-%02d", prefix, i)
				ids = append(ids, id)
				recs = append(recs, simpleEntitlement(id, id+"-li", 1, false))
			}
			suite.E().Cleanup(eo+" over-limit batch", func(context.Context) error {
				r := suite.E().SOAP(eo, v, "getEntitlementCount", map[string]any{"queryParams": map[string]any{"entitlementId": query("STARTS_WITH", prefix)}})
				if str(r.Payload, "count") == "0" {
					return nil
				}
				return deleteEntitlements(v, ids[:maxWriteBatch]...)
			})
			failsNaming(suite.E().SOAP(eo, v, "createSimpleEntitlement", map[string]any{"simpleEntitlement": recs}), maxWriteBatch)
			Expect(eoCount(v, map[string]any{"entitlementId": query("STARTS_WITH", prefix)})).To(BeZero(), "a refused batch creates nothing")
		},
		spec{service: eo, op: "createSimpleEntitlement", kind: suite.Write}.entries(),
	)

	DescribeTable("createBulkEntitlement: the bulk entitlement is found, as bulk",
		func(v string) {
			suite.E().RequireWrites()
			rec := suite.E().Records()
			if rec.Product == nil || rec.Account == nil {
				Skip("the target names no product or account to entitle")
			}
			id := suite.E().Name("eo-" + v + "-bulk")
			r := ok(suite.E().SOAP(eo, v, "createBulkEntitlement", map[string]any{"bulkEntitlement": []any{map[string]any{
				"entitlementId":  map[string]any{"id": id},
				"soldTo":         rec.Account.ID,
				"product":        map[string]any{"primaryKeys": map[string]any{"name": rec.Product.Name, "version": rec.Product.Version}},
				"isPermanent":    true,
				"description":    "bulk entitlement created by fnokit suites/soap",
				"numberOfCopies": 3,
			}}}))
			suite.E().Cleanup(eo+" bulk entitlement", func(context.Context) error { return deleteEntitlements(v, id) })
			created := list(r.Payload, "responseData", "createdBulkEntitlement")
			Expect(created).To(HaveLen(1))
			Expect(str(created[0], "bulkEntitlementId")).To(Equal(id), "the bulk entitlement has the ID sent")
			es := list(ok(eoEntitlements(v, map[string]any{"entitlementId": query("EQUALS", id), "isBulk": true}, 1, 10)).Payload, "entitlement")
			Expect(es).To(HaveLen(1), "getEntitlementsQuery with isBulk finds it")
			Expect(str(es[0], "bulkEntitlement", "entitlementId", "id")).To(Equal(id), "it is answered as a bulk entitlement")
			Expect(eoCount(v, map[string]any{"entitlementId": query("EQUALS", id), "isBulk": false})).To(BeZero(), "isBulk false leaves it out")
		},
		spec{service: eo, op: "createBulkEntitlement", kind: suite.Write}.entries(),
	)

	DescribeTable("createEntitlementLineItem: the entitlement has one more line item",
		func(v string) {
			id, _ := newEntitlement(v, "addline", 1, true)
			rec := suite.E().Records()
			crit := map[string]any{"entitlementId": query("EQUALS", id)}
			before := eoItemCount(v, crit)
			aid := id + "-li2"
			r := ok(suite.E().SOAP(eo, v, "createEntitlementLineItem", map[string]any{"lineItem": []any{map[string]any{
				"entitlementIdentifier": entIdent(id),
				"lineItems": []any{map[string]any{
					"activationId":   map[string]any{"id": aid},
					"product":        map[string]any{"primaryKeys": map[string]any{"name": rec.Product.Name, "version": rec.Product.Version}},
					"numberOfCopies": 2,
					"isPermanent":    true,
				}},
			}}}))
			Expect(texts(list(r.Payload, "responseData", "addedLineItems", "lineItemIdentifiers"), "primaryKeys", "activationId")).To(ContainElement(aid),
				"the answer names the new line item")
			Expect(eoItemCount(v, crit)).To(Equal(before+1), "getActivatableItemCount counts one more line item")
			its := list(ok(eoItems(v, activationCriterion(v, "EQUALS", aid), 1, 10)).Payload, "activatableItem")
			Expect(its).To(HaveLen(1), "getActivatableItemsQuery finds the new line item")
			Expect(str(its[0], "entitlementId")).To(Equal(id), "in its entitlement")
		},
		spec{service: eo, op: "createEntitlementLineItem", kind: suite.Write}.entries(),
	)

	DescribeTable("updateEntitlementLineItem: the change is visible to the line item properties",
		func(v string) {
			id, aid := newEntitlement(v, "update", 4, true)
			desc := "updated by fnokit " + v
			ok(suite.E().SOAP(eo, v, "updateEntitlementLineItem", map[string]any{"lineItemData": []any{map[string]any{
				"entitlementIdentifier": entIdent(id),
				"lineItemData":          []any{map[string]any{"lineItemIdentifier": lineIdent(aid), "description": desc, "numberOfCopies": 7}},
			}}}))
			li := lineItemOf(v, aid)
			Expect(str(li, "description")).To(Equal(desc), "the new description is stored")
			Expect(str(li, "numberOfCopies")).To(Equal("7"), "the new number of copies is stored")
		},
		spec{service: eo, op: "updateEntitlementLineItem", kind: suite.Write, smoke: true}.entries(),
	)

	DescribeTable("updateEntitlementLineItem adds an UPGRADE relationship and removes it with NEW (v7+)",
		func(v string) {
			id, aid := newEntitlement(v, "upgrade", 2, true)
			parent := activation()
			update := func(typ string) *suite.SOAPResult {
				return suite.E().SOAP(eo, v, "updateEntitlementLineItem", map[string]any{"lineItemData": []any{map[string]any{
					"entitlementIdentifier": entIdent(id),
					"lineItemData": []any{map[string]any{"lineItemIdentifier": lineIdent(aid),
						"parentLineItem": map[string]any{"primaryKeys": map[string]any{"activationId": parent}, "lineItemType": typ}}},
				}}})
			}
			children := map[string]any{"lineItemParentLineItemId": query("EQUALS", parent)}
			before := eoItemCount(v, children)
			ok(update("UPGRADE"))
			Expect(str(lineItemOf(v, aid), "parentLineItem", "primaryKeys", "activationId")).To(Equal(parent), "the parent is set")
			Expect(eoItemCount(v, children)).To(Equal(before+1), "the line item is found by its parent")
			ok(update("NEW"))
			Expect(str(lineItemOf(v, aid), "parentLineItem", "primaryKeys", "activationId")).To(BeEmpty(), "NEW removes the relationship")
			Expect(eoItemCount(v, children)).To(Equal(before), "the line item is no longer found by its parent")
		},
		spec{service: eo, op: "updateEntitlementLineItem", kind: suite.Write, from: "v7"}.entries(),
	)

	DescribeTable("setEntitlementState: the new state is visible to the queries",
		func(v string) {
			id, aid := newEntitlement(v, "state", 1, false)
			for _, st := range []string{"DEPLOYED", "INACTIVE"} {
				ok(suite.E().SOAP(eo, v, "setEntitlementState", map[string]any{"entitlement": []any{map[string]any{
					"entitlementIdentifier": entIdent(id), "stateToSet": st}}}))
				Expect(eoCount(v, map[string]any{"entitlementId": query("EQUALS", id), "state": query("EQUALS", st)})).To(Equal(1),
					"getEntitlementCount by state %s finds the entitlement", st)
				es := list(ok(eoEntitlements(v, map[string]any{"entitlementId": query("EQUALS", id)}, 1, 10)).Payload, "entitlement")
				Expect(es).To(HaveLen(1))
				Expect(str(es[0], "simpleEntitlement", "state")).To(Equal(st), "getEntitlementsQuery answers the state set")
			}
			Expect(aid).NotTo(BeEmpty())
			fails(suite.E().SOAP(eo, v, "setEntitlementState", map[string]any{"entitlement": []any{map[string]any{
				"entitlementIdentifier": entIdent(suite.E().Name("no-such-entitlement")), "stateToSet": "DEPLOYED"}}}))
		},
		spec{service: eo, op: "setEntitlementState", kind: suite.Write}.entries(),
	)

	DescribeTable("deleteEntitlement: the entitlement is gone, and deleting it again fails",
		func(v string) {
			id, aid := newEntitlement(v, "delete", 1, false)
			ok(suite.E().SOAP(eo, v, "deleteEntitlement", map[string]any{"entitlement": []any{map[string]any{"entitlementIdentifier": entIdent(id)}}}))
			Expect(eoCount(v, map[string]any{"entitlementId": query("EQUALS", id)})).To(BeZero(), "a deleted entitlement is not counted")
			Expect(eoItemCount(v, activationCriterion(v, "EQUALS", aid))).To(BeZero(), "nor are its line items")
			fails(suite.E().SOAP(eo, v, "deleteEntitlement", map[string]any{"entitlement": []any{map[string]any{"entitlementIdentifier": entIdent(id)}}}))
		},
		spec{service: eo, op: "deleteEntitlement", kind: suite.Write, smoke: true}.entries(),
	)

	DescribeTable("mapEntitlementsToUser: the user's activatable items include the entitlement",
		func(v string) {
			user := suite.E().Records().UserName
			if user == "" {
				Skip("the target names no user")
			}
			id, aid := newEntitlement(v, "map", 1, true)
			crit := map[string]any{"entitlementId": query("EQUALS", id), "userId": user}
			Expect(eoItemCount(v, crit)).To(BeZero(), "before the mapping the user has none of the entitlement's items")
			ok(suite.E().SOAP(eo, v, "mapEntitlementsToUser", map[string]any{"userId": user, "idList": map[string]any{"id": []any{id}}}))
			its := list(ok(eoItems(v, crit, 1, 10)).Payload, "activatableItem")
			Expect(texts(its, "activatableItemData", "activationId", "id")).To(ContainElement(aid), "the user's items include the mapped entitlement's")
			fails(suite.E().SOAP(eo, v, "mapEntitlementsToUser", map[string]any{"userId": suite.E().Name("no-such-user"), "idList": map[string]any{"id": []any{id}}}))
		},
		spec{service: eo, op: "mapEntitlementsToUser", kind: suite.Write}.entries(),
	)
})
