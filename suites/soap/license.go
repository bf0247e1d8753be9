package soap

import (
	"context"
	"fmt"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/suite"
)

// LicenseService, base–v2 (seed 001 "License", table 2-2; seed 002 L82-192
// for v2's getHostQuery and getHostCount).

const lic = "LicenseService"

// fulfillment is an active fulfilment of the target, for reads.
func fulfillment() string {
	GinkgoHelper()
	ids := suite.E().Records().FulfillmentIDs
	if len(ids) == 0 {
		Skip("the target has no active fulfillment")
	}
	return ids[0]
}

func fulfillmentIdent(id string) map[string]any {
	return map[string]any{"primaryKeys": map[string]any{"fulfillmentId": id}}
}

// ---- calls ----

func licQuery(v string, params map[string]any, page, size int) *suite.SOAPResult {
	GinkgoHelper()
	req := map[string]any{"pageNumber": page, "batchSize": size}
	if params != nil {
		req["queryParams"] = params
	}
	return suite.E().SOAP(lic, v, "getFulfillmentsQuery", req)
}

func licFulfillments(r *suite.SOAPResult) []any {
	return list(r.Payload, "responseData", "fulfillment")
}

func fulfillmentKey(f any) string {
	return str(f, "fulfillmentIdentifier", "primaryKeys", "fulfillmentId")
}

func licCount(v string, params map[string]any) int {
	GinkgoHelper()
	req := map[string]any{}
	if params != nil {
		req["queryParams"] = params
	}
	return count(ok(suite.E().SOAP(lic, v, "getFulfillmentCount", req)), "responseData", "count")
}

// fulfillmentConfig asks getFulfillmentPropertiesQuery for fields that do
// not change between runs.
var fulfillmentConfig = map[string]any{
	"fulfillmentId": true, "fulfillmentType": true, "state": true, "entitlementId": true, "lineitemId": true,
	"product": true, "soldTo": true, "licenseHost": true, "fulfilledCount": true, "isPermanent": true,
	"supportAction": true, "parentFulfillmentId": true,
}

func licProperties(v string, params map[string]any, page, size int) *suite.SOAPResult {
	GinkgoHelper()
	if params == nil {
		params = map[string]any{}
	}
	return suite.E().SOAP(lic, v, "getFulfillmentPropertiesQuery", map[string]any{
		"queryParams": params, "fulfillmentResponseConfig": fulfillmentConfig, "pageNumber": page, "batchSize": size})
}

func hostQuery(v string, params map[string]any, page, size int) *suite.SOAPResult {
	GinkgoHelper()
	req := map[string]any{"pageNumber": page, "batchSize": size}
	if params != nil {
		req["queryParams"] = params
	}
	return suite.E().SOAP(lic, v, "getHostQuery", req)
}

func hostCount(v string, params map[string]any) int {
	GinkgoHelper()
	req := map[string]any{}
	if params != nil {
		req["queryParams"] = params
	}
	return count(ok(suite.E().SOAP(lic, v, "getHostCount", req)), "responseData", "count")
}

func hostKey(h any) string {
	return str(h, "hostId") + "|" + str(h, "hostType") + "|" + str(h, "account")
}

// goldenFulfillment is a fulfilment neither this suite nor the conformance
// sweep changes: the first of the target that is not one of the sweep's.
func goldenFulfillment(v string) (id, host string) {
	GinkgoHelper()
	mine := map[string]bool{}
	for _, f := range suite.E().Records().FulfillmentIDs {
		mine[strings.ToLower(f)] = true
	}
	for _, f := range list(ok(licProperties(v, nil, 1, 10)).Payload, "fulfillment") {
		if id := str(f, "fulfillmentId", "primaryKeys", "fulfillmentId"); id != "" && !mine[strings.ToLower(id)] {
			return id, str(f, "licenseHost")
		}
	}
	Skip("the target has no fulfillment besides the sweep's")
	return "", ""
}

// ---- writes: fulfilments of a line item of our own ----

// licenseItem creates an entitlement of the run (newest EntitlementOrder
// version) with a deployed line item of copies copies, and returns its
// activation ID: fulfilments the specs create consume its copies, not the
// target's.
func licenseItem(v, what string, copies int) string {
	GinkgoHelper()
	_, aid := newEntitlement(newest(eo), "lic-"+v+"-"+what, copies, true)
	return aid
}

// nodeHost is a createFulfillmentDataType host of one node ID.
func nodeHost(id string) map[string]any {
	return map[string]any{"nodeId": []any{id}}
}

// createLicense fulfils count copies of aid on node host, returns the new
// fulfilment's ID, and returns the licence at the end of the run.
func createLicense(v, aid, host string, n int) string {
	GinkgoHelper()
	r := ok(suite.E().SOAP(lic, v, "createLicense", map[string]any{"fulfillment": []any{map[string]any{
		"activationId": aid, "fulfillCount": n, "nodeIds": nodeHost(host)}}}))
	created := list(r.Payload, "responseData", "createdFulfillment")
	Expect(created).To(HaveLen(1), "createLicense names the fulfillment it created")
	id := str(created[0], "fulfillmentId")
	Expect(id).NotTo(BeEmpty())
	suite.E().Cleanup(lic+" fulfillment of "+aid, func(context.Context) error { return returnLicenses(v, id) })
	return id
}

// returnLicenses returns fulfilments that may already be returned.
func returnLicenses(v string, ids ...string) error {
	recs := make([]any, len(ids))
	for i, id := range ids {
		recs[i] = map[string]any{"fulfillmentIdentifier": fulfillmentIdent(id)}
	}
	r := suite.E().SOAP(lic, v, "returnLicense", map[string]any{"fulfillment": recs})
	if r.Fault != nil || r.HTTPStatus != 200 {
		return fmt.Errorf("returnLicense answered HTTP %d", r.HTTPStatus)
	}
	return nil
}

// remaining is the line item's remaining copies (getExactAvailableCount).
func remaining(aid string) int {
	GinkgoHelper()
	return count(ok(suite.E().SOAP(eo, newest(eo), "getExactAvailableCount", map[string]any{"activationId": lineIdent(aid)})), "count")
}

func byActivation(aid string) map[string]any {
	return map[string]any{"activationId": query("EQUALS", aid)}
}

func active(aid string) map[string]any {
	return map[string]any{"activationId": query("EQUALS", aid), "state": query("EQUALS", "ACTIVE")}
}

var _ = Describe("LicenseService", func() {
	authSpecs(lic, "getFulfillmentCount", func(string) map[string]any { return map[string]any{} })

	// ---- reads ----

	DescribeTable("getFulfillmentsQuery filters fulfillment and activation IDs by each search type, and getFulfillmentCount agrees",
		func(v string) {
			id := fulfillment()
			fs := licFulfillments(ok(licQuery(v, map[string]any{"fulfillmentId": query("EQUALS", id)}, 1, 10)))
			Expect(fs).To(HaveLen(1), "the fulfillment is found by its ID")
			aid := str(fs[0], "lineItem", "primaryKeys", "activationId")
			for _, crit := range []struct{ key, value string }{{"fulfillmentId", id}, {"activationId", aid}} {
				for _, t := range searchTypes {
					p := patternFor(t, crit.value)
					fs, complete := gather(func(page int) []any {
						return licFulfillments(ok(licQuery(v, map[string]any{crit.key: query(t, p)}, page, maxReadBatch)))
					})
					keys := texts(fs, "fulfillmentIdentifier", "primaryKeys", "fulfillmentId")
					vals := keys
					if crit.key == "activationId" {
						vals = texts(fs, "lineItem", "primaryKeys", "activationId")
					}
					expectFilter(crit.key, t, p, each(vals), keys, whenComplete(complete, id))
					expectCount(licCount(v, map[string]any{crit.key: query(t, p)}), len(fs), complete, "getFulfillmentCount agrees for %s %s", crit.key, t)
				}
			}
		},
		spec{service: lic, op: "getFulfillmentsQuery", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getFulfillmentsQuery pages are disjoint and add up to getFulfillmentCount",
		func(v string) {
			expectPaging("fulfillments", licCount(v, nil), func(page, size int) []string {
				fs := licFulfillments(ok(licQuery(v, nil, page, size)))
				keys := make([]string, len(fs))
				for i, f := range fs {
					keys[i] = fulfillmentKey(f)
				}
				return keys
			})
		},
		spec{service: lic, op: "getFulfillmentCount", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getFulfillmentsQuery refuses a batch above 2000, and answers a fulfillment as recorded",
		func(v string) {
			failsNaming(licQuery(v, nil, 1, maxReadBatch+1), maxReadBatch)
			g, _ := goldenFulfillment(v)
			r := ok(licQuery(v, map[string]any{"fulfillmentId": query("EQUALS", g)}, 1, 10))
			Expect(licFulfillments(r)).To(HaveLen(1))
			r.ExpectGolden("by-fulfillment-id")
		},
		spec{service: lic, op: "getFulfillmentsQuery", kind: suite.Read}.entries(),
	)

	DescribeTable("getFulfillmentCount counts the fulfillments by state, as recorded",
		func(v string) {
			total := licCount(v, nil)
			sum := 0
			for _, st := range []string{"ACTIVE", "INACTIVE", "OBSOLETE", "DRAFT", "DEPLOYED", "TEST", "ON_HOLD"} {
				sum += licCount(v, map[string]any{"state": query("EQUALS", st)})
			}
			Expect(sum).To(BeNumerically("<=", total), "no fulfillment is counted in two states")
			g, _ := goldenFulfillment(v)
			r := ok(suite.E().SOAP(lic, v, "getFulfillmentCount", map[string]any{"queryParams": map[string]any{"fulfillmentId": query("EQUALS", g)}}))
			Expect(count(r, "responseData", "count")).To(Equal(1))
			r.ExpectGolden("by-fulfillment-id")
		},
		spec{service: lic, op: "getFulfillmentCount", kind: suite.Read}.entries(),
	)

	DescribeTable("getFulfillmentPropertiesQuery returns the fulfillments of a line item, as many as getFulfillmentCount, as recorded",
		func(v string) {
			id := fulfillment()
			fs := licFulfillments(ok(licQuery(v, map[string]any{"fulfillmentId": query("EQUALS", id)}, 1, 10)))
			Expect(fs).To(HaveLen(1))
			aid := str(fs[0], "lineItem", "primaryKeys", "activationId")
			ps := list(ok(licProperties(v, byActivation(aid), 1, maxReadBatch)).Payload, "fulfillment")
			keys := texts(ps, "fulfillmentId", "primaryKeys", "fulfillmentId")
			expectFilter("activationId", "EQUALS", aid, each(texts(ps, "lineitemId", "primaryKeys", "activationId")), keys, id)
			Expect(licCount(v, byActivation(aid))).To(Equal(len(ps)), "getFulfillmentCount agrees")
			failsNaming(licProperties(v, nil, 1, maxReadBatch+1), maxReadBatch)
			g, _ := goldenFulfillment(v)
			r := ok(licProperties(v, map[string]any{"fulfillmentId": query("EQUALS", g)}, 1, 10))
			r.ExpectGolden("by-fulfillment-id")
		},
		spec{service: lic, op: "getFulfillmentPropertiesQuery", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getFulfillmentAttributesFromModel answers for a license model, as recorded, and FAILURE for an unknown one",
		func(v string) {
			m := suite.E().Records().LicenseModel
			if m == "" {
				Skip("the target names no license model")
			}
			r := ok(suite.E().SOAP(lic, v, "getFulfillmentAttributesFromModel", map[string]any{
				"licenseModelIdentifier": map[string]any{"primaryKeys": map[string]any{"name": m}}}))
			r.ExpectGolden("license-model")
			fails(suite.E().SOAP(lic, v, "getFulfillmentAttributesFromModel", map[string]any{
				"licenseModelIdentifier": map[string]any{"primaryKeys": map[string]any{"name": suite.E().Name("no-such-model")}}}))
		},
		spec{service: lic, op: "getFulfillmentAttributesFromModel", kind: suite.Read}.entries(),
	)

	// ---- v2: hosts (seed 002 L82-192) ----

	DescribeTable("getHostQuery filters the host ID by each search type, and getHostCount agrees",
		func(v string) {
			_, host := goldenFulfillment(v)
			if host == "" {
				Skip("the fulfillment names no host")
			}
			for _, t := range searchTypes {
				p := patternFor(t, host)
				hs, complete := gather(func(page int) []any {
					return list(ok(hostQuery(v, map[string]any{"hostId": query(t, p)}, page, maxReadBatch)).Payload, "responseData", "host")
				})
				ids := texts(hs, "hostId")
				expectFilter("hostId", t, p, each(ids), ids, whenComplete(complete, host))
				expectCount(hostCount(v, map[string]any{"hostId": query(t, p)}), len(hs), complete, "getHostCount agrees for hostId %s", t)
			}
			r := ok(hostQuery(v, map[string]any{"hostId": query("EQUALS", host)}, 1, 10))
			r.ExpectGolden("by-host-id")
		},
		spec{service: lic, op: "getHostQuery", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getHostQuery pages are disjoint and add up to getHostCount; a batch above 2000 is refused",
		func(v string) {
			expectPaging("hosts", hostCount(v, nil), func(page, size int) []string {
				hs := list(ok(hostQuery(v, nil, page, size)).Payload, "responseData", "host")
				keys := make([]string, len(hs))
				for i, h := range hs {
					keys[i] = hostKey(h)
				}
				return keys
			})
			failsNaming(hostQuery(v, nil, 1, maxReadBatch+1), maxReadBatch)
			_, host := goldenFulfillment(v)
			r := ok(suite.E().SOAP(lic, v, "getHostCount", map[string]any{"queryParams": map[string]any{"hostId": query("EQUALS", host)}}))
			Expect(count(r, "responseData", "count")).To(BeNumerically(">=", 1))
			r.ExpectGolden("by-host-id")
		},
		spec{service: lic, op: "getHostCount", kind: suite.Read, smoke: true}.entries(),
	)

	// ---- writes ----

	DescribeTable("verifyCreateLicense checks without fulfilling; a request beyond the copies left fails",
		func(v string) {
			aid := licenseItem(v, "verify", 3)
			r := ok(suite.E().SOAP(lic, v, "verifyCreateLicense", map[string]any{"fulfillment": []any{map[string]any{
				"activationId": aid, "fulfillCount": 2, "nodeIds": nodeHost(suite.E().Name("host-verify"))}}}))
			Expect(list(r.Payload, "responseData", "verifiedFulfillment")).To(HaveLen(1), "the request is verified")
			Expect(licCount(v, byActivation(aid))).To(BeZero(), "verifying creates no fulfillment")
			Expect(remaining(aid)).To(Equal(3), "verifying consumes no copies")
			fails(suite.E().SOAP(lic, v, "verifyCreateLicense", map[string]any{"fulfillment": []any{map[string]any{
				"activationId": aid, "fulfillCount": 4, "nodeIds": nodeHost(suite.E().Name("host-verify"))}}}))
		},
		spec{service: lic, op: "verifyCreateLicense", kind: suite.Write}.entries(),
	)

	DescribeTable("createLicense: the fulfillment is found and its copies are consumed",
		func(v string) {
			aid := licenseItem(v, "create", 5)
			host := suite.E().Name("host-create")
			id := createLicense(v, aid, host, 2)
			fs := licFulfillments(ok(licQuery(v, map[string]any{"fulfillmentId": query("EQUALS", id)}, 1, 10)))
			Expect(fs).To(HaveLen(1), "getFulfillmentsQuery finds the new fulfillment")
			Expect(str(fs[0], "lineItem", "primaryKeys", "activationId")).To(Equal(aid), "of the line item asked for")
			Expect(str(fs[0], "fulfilledCount")).To(Equal("2"), "with the count asked for")
			Expect(licCount(v, byActivation(aid))).To(Equal(1), "getFulfillmentCount counts it")
			Expect(remaining(aid)).To(Equal(3), "two of five copies are consumed")
			if num(v) >= 2 {
				Expect(hostCount(v, map[string]any{"hostId": query("EQUALS", host)})).To(Equal(1), "getHostCount knows the new host")
			}
		},
		spec{service: lic, op: "createLicense", kind: suite.Write, smoke: true}.entries(),
	)

	DescribeTable("createLicense refuses more than 25 fulfillments in one request and creates none",
		func(v string) {
			aid := licenseItem(v, "batch", 30)
			var recs []any
			for i := range maxWriteBatch + 1 {
				recs = append(recs, map[string]any{"activationId": aid, "nodeIds": nodeHost(suite.E().Name(fmt.Sprintf("host-batch-%02d", i)))})
			}
			failsNaming(suite.E().SOAP(lic, v, "createLicense", map[string]any{"fulfillment": recs}), maxWriteBatch)
			Expect(licCount(v, byActivation(aid))).To(BeZero(), "a refused batch creates nothing")
		},
		spec{service: lic, op: "createLicense", kind: suite.Write}.entries(),
	)

	DescribeTable("returnLicense: the fulfillment is no longer active and its copies come back",
		func(v string) {
			aid := licenseItem(v, "return", 4)
			id := createLicense(v, aid, suite.E().Name("host-return"), 3)
			Expect(remaining(aid)).To(Equal(1))
			r := ok(suite.E().SOAP(lic, v, "returnLicense", map[string]any{"fulfillment": []any{map[string]any{"fulfillmentIdentifier": fulfillmentIdent(id)}}}))
			Expect(list(r.Payload, "responseData", "fulfillmentData")).To(HaveLen(1))
			Expect(licCount(v, active(aid))).To(BeZero(), "no active fulfillment is left")
			Expect(remaining(aid)).To(Equal(4), "the copies are back")
		},
		spec{service: lic, op: "returnLicense", kind: suite.Write, smoke: true}.entries(),
	)

	DescribeTable("rehostLicense: the licence moves to the new host",
		func(v string) {
			aid := licenseItem(v, "rehost", 2)
			from, to := suite.E().Name("host-rehost-a"), suite.E().Name("host-rehost-b")
			id := createLicense(v, aid, from, 1)
			r := ok(suite.E().SOAP(lic, v, "rehostLicense", map[string]any{"fulfillment": []any{map[string]any{
				"fulfillmentIdentifier": fulfillmentIdent(id), "nodeIds": nodeHost(to)}}}))
			moved := list(r.Payload, "responseData", "fulfillmentData", "fulfillment")
			Expect(moved).To(HaveLen(1), "the answer holds the rehosted fulfillment")
			newID := fulfillmentKey(moved[0])
			if newID != id {
				suite.E().Cleanup(lic+" rehosted fulfillment", func(context.Context) error { return returnLicenses(v, newID) })
			}
			Expect(texts(list(moved[0], "nodeIds", "nodeId"))).To(ContainElement(to), "on the new host")
			act := licFulfillments(ok(licQuery(v, active(aid), 1, 10)))
			Expect(act).To(HaveLen(1), "one active fulfillment of the line item is left")
			Expect(texts(list(act[0], "nodeIds", "nodeId"))).To(ConsistOf(to), "and it is on the new host")
			Expect(remaining(aid)).To(Equal(1), "a rehost takes no more copies")
		},
		spec{service: lic, op: "rehostLicense", kind: suite.Write}.entries(),
	)

	DescribeTable("repairLicense: the licence is reissued on the same host",
		func(v string) {
			aid := licenseItem(v, "repair", 2)
			host := suite.E().Name("host-repair")
			id := createLicense(v, aid, host, 1)
			r := ok(suite.E().SOAP(lic, v, "repairLicense", map[string]any{"fulfillment": []any{map[string]any{"fulfillmentIdentifier": fulfillmentIdent(id)}}}))
			fixed := list(r.Payload, "responseData", "fulfillmentData", "fulfillment")
			Expect(fixed).To(HaveLen(1), "the answer holds the repaired fulfillment")
			if newID := fulfillmentKey(fixed[0]); newID != id {
				suite.E().Cleanup(lic+" repaired fulfillment", func(context.Context) error { return returnLicenses(v, newID) })
			}
			Expect(str(fixed[0], "supportAction")).To(Equal("REPAIR"), "it is a repair")
			Expect(texts(list(fixed[0], "nodeIds", "nodeId"))).To(ConsistOf(host), "on the same host")
			Expect(remaining(aid)).To(Equal(1), "a repair takes no more copies")
		},
		spec{service: lic, op: "repairLicense", kind: suite.Write}.entries(),
	)

	DescribeTable("emailLicense: SUCCESS for a fulfillment, FAILURE for an unknown one or a bad address",
		func(v string) {
			aid := licenseItem(v, "email", 1)
			id := createLicense(v, aid, suite.E().Name("host-email"), 1)
			ok(suite.E().SOAP(lic, v, "emailLicense", map[string]any{"fulfillmentIdentifier": fulfillmentIdent(id),
				"ignoreExistingEmailList": true, "emailIdList": map[string]any{"emailId": []any{"fnokit@example.com"}}}))
			fails(suite.E().SOAP(lic, v, "emailLicense", map[string]any{"fulfillmentIdentifier": fulfillmentIdent(suite.E().Name("no-such-fulfillment"))}))
			fails(suite.E().SOAP(lic, v, "emailLicense", map[string]any{"fulfillmentIdentifier": fulfillmentIdent(id),
				"validateEmailAddresses": true, "emailIdList": map[string]any{"emailId": []any{"not-an-address"}}}))
		},
		spec{service: lic, op: "emailLicense", kind: suite.Write}.entries(),
	)

	DescribeTable("createLicensesAsBatch: one fulfillment per activation ID and host",
		func(v string) {
			aid := licenseItem(v, "asbatch", 4)
			hosts := []string{suite.E().Name("host-asbatch-a"), suite.E().Name("host-asbatch-b")}
			r := ok(suite.E().SOAP(lic, v, "createLicensesAsBatch", map[string]any{
				"activationIds":      map[string]any{"activationId": []any{aid}},
				"hostIdDataSet":      map[string]any{"hostIdData": []any{map[string]any{"nodeIds": nodeHost(hosts[0])}, map[string]any{"nodeIds": nodeHost(hosts[1])}}},
				"commonBatchDataSet": map[string]any{},
			}))
			fs := list(r.Payload, "responseData", "fulfillment")
			Expect(fs).To(HaveLen(2), "one fulfillment per host")
			ids := make([]string, len(fs))
			for i, f := range fs {
				ids[i] = fulfillmentKey(f)
			}
			suite.E().Cleanup(lic+" batch fulfillments", func(context.Context) error { return returnLicenses(v, ids...) })
			Expect(licCount(v, byActivation(aid))).To(Equal(2), "getFulfillmentCount counts both")
			Expect(remaining(aid)).To(Equal(2), "one copy per host is consumed")
		},
		spec{service: lic, op: "createLicensesAsBatch", kind: suite.Write}.entries(),
	)
})
