package rest

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/suite"
)

// The application REST services (schemas/rest/application.yaml, seed 001
// lines 4107-5410).
const (
	appAPI = "application"

	pathEntitlementOrders      = "/flexnet/operations/entitlementOrders"
	pathEntitlementOrdersCount = "/flexnet/operations/entitlementOrders/count"
	pathDevices                = "/flexnet/operations/manageDevice/devices"
	pathDevicesCount           = "/flexnet/operations/manageDevice/devicesCount"
	pathConsumption            = "/flexnet/operations/consumption"
	pathConsumptionHealth      = "/flexnet/operations/health/consumption"

	// readCap is the most records a read answers per batch (seed 001
	// lines 4162-4169): more is an error.
	readCap = 2000
	// maxWalk bounds the pages a paging spec reads.
	maxWalk = 25
)

func appLabels(op string, kind suite.Kind, tier suite.Tier) Labels {
	return labels(appAPI, op, kind, tier)
}

// devicesReq is a devices body: criteria (nil: all devices), response
// switches (nil: none), batch and page.
func devicesReq(criteria, config map[string]any, batch, page int) map[string]any {
	body := map[string]any{"batchSize": batch, "pageNumber": page}
	if criteria != nil {
		body["queryParams"] = criteria
	}
	if config != nil {
		body["deviceResponseConfig"] = config
	}
	return body
}

// devices answers one page of devices, valid and SUCCESS.
func devices(criteria, config map[string]any, batch, page int) []map[string]any {
	GinkgoHelper()
	r := call(appAPI, http.MethodPost, pathDevices, nil, devicesReq(criteria, config, batch, page))
	r.ExpectStatus(http.StatusOK)
	r.ExpectValid()
	Expect(statusOf(r)).To(Equal("SUCCESS"), "devices answered statusInfo %s", statusOf(r))
	return objects(at(r.JSON, "responseData", "device"))
}

// devicesCount answers the count of devices matching criteria.
func devicesCount(criteria map[string]any) int {
	GinkgoHelper()
	body := map[string]any{}
	if criteria != nil {
		body["queryParams"] = criteria
	}
	r := call(appAPI, http.MethodPost, pathDevicesCount, nil, body)
	r.ExpectStatus(http.StatusOK)
	r.ExpectValid()
	Expect(statusOf(r)).To(Equal("SUCCESS"), "devicesCount answered statusInfo %s", statusOf(r))
	return mustInt(at(r.JSON, "responseData", "count"), "devicesCount responseData.count")
}

func deviceIDOf(d map[string]any) string { return text(at(d, "deviceIdentifier", "deviceId")) }

// deviceKey identifies a device: its type and ID (a served client and its
// server may share an ID).
func deviceKey(d map[string]any) string {
	return text(at(d, "deviceIdentifier", "deviceType")) + "|" + deviceIDOf(d)
}

func eq(value string) map[string]any { return map[string]any{"value": value, "searchType": "EQUALS"} }

func startsWith(value string) map[string]any {
	return map[string]any{"value": value, "searchType": "STARTS_WITH"}
}

// allDevices pages through every device matching criteria and returns
// them with the count devicesCount gives for the same criteria.
func allDevices(criteria map[string]any) (got map[string]bool, count int) {
	GinkgoHelper()
	count = devicesCount(criteria)
	if count == 0 {
		return map[string]bool{}, 0
	}
	size := pageSizeFor(count, readCap)
	pages := ceilDiv(count, size)
	if pages > maxWalk {
		Skip("more devices match than a contract run pages through")
	}
	got = map[string]bool{}
	for p := 1; p <= pages; p++ {
		page := devices(criteria, nil, size, p)
		if p < pages {
			Expect(len(page)).To(Equal(size), "page %d of %d is not full", p, pages)
		}
		keys := make([]string, 0, len(page))
		for _, d := range page {
			keys = append(keys, deviceKey(d))
		}
		keysOf(got, keys, "a later page")
	}
	// The page after the last is empty, not an error.
	Expect(devices(criteria, nil, size, pages+1)).To(BeEmpty(), "the page after the last has devices")
	return got, count
}

// knownClient is a client device of the target (Records), or Skip.
func knownClient() string {
	GinkgoHelper()
	recs := suite.E().Records()
	if len(recs.Clients) == 0 || recs.Clients[0].ID == "" {
		Skip("the target has no client device to search for")
	}
	return recs.Clients[0].ID
}

// items answers one page of activatable items, valid and SUCCESS.
func items(criteria map[string]any, batch, page int) []map[string]any {
	GinkgoHelper()
	body := map[string]any{"batchSize": batch, "pageNumber": page}
	if criteria != nil {
		body["activatableItemSearchCriteria"] = criteria
	}
	r := call(appAPI, http.MethodPost, pathEntitlementOrders, nil, body)
	r.ExpectStatus(http.StatusOK)
	r.ExpectValid()
	Expect(statusOf(r)).To(Equal("SUCCESS"), "entitlementOrders answered statusInfo %s", statusOf(r))
	return objects(at(r.JSON, "activatableItem"))
}

func itemsCount(criteria map[string]any) int {
	GinkgoHelper()
	body := map[string]any{}
	if criteria != nil {
		body["queryParams"] = criteria
	}
	r := call(appAPI, http.MethodPost, pathEntitlementOrdersCount, nil, body)
	r.ExpectStatus(http.StatusOK)
	r.ExpectValid()
	Expect(statusOf(r)).To(Equal("SUCCESS"), "entitlementOrders/count answered statusInfo %s", statusOf(r))
	return mustInt(at(r.JSON, "count"), "entitlementOrders/count count")
}

func activationIDOf(it map[string]any) string {
	return text(at(it, "activatableItemData", "activationId", "id"))
}

// knownItem is a line item with remaining copies and its entitlement
// (Records), or Skip.
func knownItem() (activationID, entitlementID string) {
	GinkgoHelper()
	recs := suite.E().Records()
	if recs.ActivationID == "" || recs.EntitlementID == "" {
		Skip("the target has no line item to search for")
	}
	return recs.ActivationID, recs.EntitlementID
}

// spareEntitlement is an entitlement none of whose line items has
// fulfilled copies (Records), or Skip. The golden cases read it: the other
// suites map and fulfil the known line item, which changes its counts, and
// leave this one alone.
func spareEntitlement() string {
	GinkgoHelper()
	id := suite.E().Records().SpareEntitlementID
	if id == "" {
		Skip("the target has no entitlement without fulfilled copies")
	}
	return id
}

// expectBatchLimit checks the answer to a read asking for more than the
// batch cap: a FAILURE (200 or 400) whose reason names the limit.
func expectBatchLimit(r *suite.RESTResult) {
	GinkgoHelper()
	r.ExpectValid()
	Expect(r.HTTPStatus).To(BeElementOf(http.StatusOK, http.StatusBadRequest), "a batch over the cap answered HTTP %d", r.HTTPStatus)
	if r.HTTPStatus == http.StatusOK || at(r.JSON, "statusInfo") != nil {
		Expect(statusOf(r)).To(Equal("FAILURE"), "a batch over the cap is not a FAILURE")
		Expect(reasonOf(r)).To(ContainSubstring("2000"), "the FAILURE reason does not name the batch limit of 2000")
	}
}

var _ = Describe("application REST: devices", func() {
	It("answers every device page valid, disjoint, adding up to devicesCount", appLabels("devices", suite.Read, suite.Smoke), func() {
		criteria := map[string]any{"isServer": true, "status": "ACTIVE"}
		got, count := allDevices(criteria)
		Expect(len(got)).To(Equal(count), "the pages hold a different number of devices than devicesCount counts")
	})

	It("finds a known device by deviceId EQUALS, and only it", appLabels("devices", suite.Read, suite.Smoke), func() {
		id := knownClient()
		r := call(appAPI, http.MethodPost, pathDevices, nil, devicesReq(map[string]any{"deviceId": eq(id)}, nil, 10, 1))
		r.ExpectValid()
		list := objects(at(r.JSON, "responseData", "device"))
		Expect(list).NotTo(BeEmpty(), "the known device is not found")
		for _, d := range list {
			Expect(foldEq(deviceIDOf(d), id)).To(BeTrue(), "a device with another deviceId is returned")
		}
		Expect(devicesCount(map[string]any{"deviceId": eq(id)})).To(Equal(len(list)), "devicesCount disagrees with devices")
		r.ExpectGolden("by-device-id")
	})

	It("filters deviceId STARTS_WITH: every device matches, the known one is there, the count agrees", appLabels("devices", suite.Read, suite.Full), func() {
		id := knownClient()
		prefix := id[:min(3, len(id))]
		crit := map[string]any{"deviceId": startsWith(prefix)}
		got, count := allDevices(crit)
		Expect(len(got)).To(Equal(count))
		found := false
		for k := range got {
			_, devID, _ := strings.Cut(k, "|")
			Expect(strings.HasPrefix(strings.ToLower(devID), strings.ToLower(prefix))).To(BeTrue(), "a device not starting with the prefix is returned")
			found = found || foldEq(devID, id)
		}
		Expect(found).To(BeTrue(), "the known device is missing from the prefix search")
	})

	It("filters isServer and deviceTypes by device type", appLabels("devices", suite.Read, suite.Full), func() {
		for _, tc := range []struct {
			crit map[string]any
			want string
		}{
			{map[string]any{"isServer": true}, "SERVER"},
			{map[string]any{"deviceTypes": []any{"CLIENT"}}, "CLIENT"},
		} {
			for _, d := range devices(tc.crit, nil, 200, 1) {
				Expect(at(d, "deviceIdentifier", "deviceType")).To(Equal(tc.want), "a device of another type is returned")
			}
		}
		// The known client is a CLIENT.
		id := knownClient()
		found := false
		for _, d := range devices(map[string]any{"deviceTypes": []any{"CLIENT"}, "deviceId": eq(id)}, nil, 10, 1) {
			found = found || foldEq(deviceIDOf(d), id)
		}
		Expect(found).To(BeTrue(), "the known client is not found among CLIENT devices")
	})

	It("filters status, deviceIdType and soldTo: every device matches and the known one is found", appLabels("devices", suite.Read, suite.Full), func() {
		id := knownClient()
		cfg := map[string]any{"status": true, "soldTo": true}
		mine := devices(map[string]any{"deviceId": eq(id)}, cfg, 10, 1)
		Expect(mine).NotTo(BeEmpty(), "the known device is not found")
		dev := mine[0]

		status := text(at(dev, "deviceStatus"))
		Expect(status).NotTo(BeEmpty(), "deviceResponseConfig status did not add deviceStatus")
		checkFilter := func(crit map[string]any, matches func(map[string]any) bool, what string) {
			list := devices(crit, cfg, readCap, 1)
			found := false
			for _, d := range list {
				Expect(matches(d)).To(BeTrue(), "a device not matching the %s criterion is returned", what)
				found = found || foldEq(deviceIDOf(d), id)
			}
			if len(list) < readCap {
				Expect(found).To(BeTrue(), "the known device is missing from the %s search", what)
				Expect(devicesCount(crit)).To(Equal(len(list)), "devicesCount disagrees with devices for the %s criterion", what)
			}
		}
		checkFilter(map[string]any{"status": status, "deviceId": startsWith(id[:min(2, len(id))])},
			func(d map[string]any) bool { return text(at(d, "deviceStatus")) == status }, "status")

		if idType := text(at(dev, "deviceIdentifier", "deviceIdType")); idType != "" {
			checkFilter(map[string]any{"deviceIdType": map[string]any{"value": idType, "searchType": "EQUALS"}, "deviceId": startsWith(id[:min(2, len(id))])},
				func(d map[string]any) bool { return text(at(d, "deviceIdentifier", "deviceIdType")) == idType }, "deviceIdType")
		}
		if name := text(at(dev, "soldTo", "name")); name != "" {
			checkFilter(map[string]any{"soldTo": eq(name)},
				func(d map[string]any) bool { return foldEq(text(at(d, "soldTo", "name")), name) }, "soldTo")
		}
	})

	It("refuses a batchSize over 2000 with a FAILURE naming the limit", appLabels("devices", suite.Read, suite.Smoke), func() {
		expectBatchLimit(call(appAPI, http.MethodPost, pathDevices, nil, devicesReq(nil, nil, readCap+1, 1)))
	})

	It("counts a known device as recorded, and active servers no more than all devices", appLabels("devicesCount", suite.Read, suite.Smoke), func() {
		r := call(appAPI, http.MethodPost, pathDevicesCount, nil, map[string]any{"queryParams": map[string]any{"deviceId": eq(knownClient())}})
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		Expect(mustInt(at(r.JSON, "responseData", "count"), "count")).To(Equal(1), "a known device ID counts other than one device")
		servers := devicesCount(map[string]any{"status": "ACTIVE", "isServer": true})
		Expect(servers).To(BeNumerically("<=", devicesCount(nil)), "a filtered count exceeds the count of all devices")
		r.ExpectGolden("by-device-id")
	})

	It("finds a device created over SOAP, counts it, and forgets it once deleted", appLabels("devices", suite.Write, suite.Smoke), func() {
		e := suite.E()
		e.RequireWrites()
		id := e.Name("rest-device")
		ident := map[string]any{"deviceType": "CLIENT", "deviceId": id, "deviceIdType": "STRING"}
		undo("device "+id, func(context.Context) error {
			e.SOAP("ManageDeviceService", "v7", "deleteDevice", map[string]any{"deviceIdentifier": []any{ident}})
			return nil
		})
		created := e.SOAP("ManageDeviceService", "v7", "createDevice", map[string]any{"device": []any{map[string]any{
			"deviceIdentifier": ident, "alias": "created by a contract suite",
		}}})
		created.ExpectValid()
		created.ExpectStatus("SUCCESS")

		crit := map[string]any{"deviceId": eq(id)}
		list := devices(crit, map[string]any{"alias": true}, 10, 1)
		Expect(len(list)).To(Equal(1), "the device created over SOAP is not found over REST")
		Expect(text(at(list[0], "alias"))).To(Equal("created by a contract suite"), "the device's alias differs over REST")
		Expect(devicesCount(crit)).To(Equal(1))

		deleted := e.SOAP("ManageDeviceService", "v7", "deleteDevice", map[string]any{"deviceIdentifier": []any{ident}})
		deleted.ExpectValid()
		deleted.ExpectStatus("SUCCESS")
		Expect(devices(crit, nil, 10, 1)).To(BeEmpty(), "a deleted device is still found over REST")
		Expect(devicesCount(crit)).To(BeZero())
	})
})

var _ = Describe("application REST: entitlement orders", func() {
	It("finds a known line item by activationId, with its entitlement", appLabels("entitlementOrders", suite.Read, suite.Smoke), func() {
		aid, eid := knownItem()
		r := call(appAPI, http.MethodPost, pathEntitlementOrders, nil,
			map[string]any{"activatableItemSearchCriteria": map[string]any{"activationId": eq(aid)}, "batchSize": 10})
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		list := objects(at(r.JSON, "activatableItem"))
		Expect(len(list)).To(Equal(1), "an activation ID search answers other than the one line item")
		Expect(foldEq(activationIDOf(list[0]), aid)).To(BeTrue(), "another line item is returned")
		Expect(foldEq(text(list[0]["entitlementId"]), eid)).To(BeTrue(), "the line item is answered under another entitlement")
	})

	It("filters entitlementId and productName: every item matches, the count agrees, pages are disjoint", appLabels("entitlementOrders", suite.Read, suite.Full), func() {
		aid, eid := knownItem()
		crit := map[string]any{"entitlementId": eq(eid)}
		count := itemsCount(crit)
		Expect(count).To(BeNumerically(">=", 1), "the known entitlement counts no line item")
		size := pageSizeFor(count, readCap)
		seen := map[string]bool{}
		for p := 1; p <= min(ceilDiv(count, size), maxWalk); p++ {
			var keys []string
			for _, it := range items(crit, size, p) {
				Expect(foldEq(text(it["entitlementId"]), eid)).To(BeTrue(), "an item of another entitlement is returned")
				keys = append(keys, activationIDOf(it))
			}
			keysOf(seen, keys, "a later page")
		}
		Expect(len(seen)).To(Equal(count), "the pages hold a different number of items than the count")
		Expect(seen).To(HaveKey(aid), "the known line item is missing from its entitlement's items")

		recs := suite.E().Records()
		if recs.Product == nil {
			return
		}
		pcrit := map[string]any{"productName": eq(recs.Product.Name)}
		list := items(pcrit, readCap, 1)
		for _, it := range list {
			Expect(foldEq(text(at(it, "activatableItemData", "product", "primaryKeys", "name")), recs.Product.Name)).To(BeTrue(),
				"an item of another product is returned")
		}
		if len(list) < readCap {
			Expect(itemsCount(pcrit)).To(Equal(len(list)), "entitlementOrders/count disagrees with entitlementOrders for a product")
		}
	})

	It("refuses a batchSize over 2000 with a FAILURE naming the limit", appLabels("entitlementOrders", suite.Read, suite.Smoke), func() {
		expectBatchLimit(call(appAPI, http.MethodPost, pathEntitlementOrders, nil, map[string]any{"batchSize": readCap + 1}))
	})

	It("answers the items of an unused entitlement as recorded, as many as it counts", appLabels("entitlementOrders", suite.Read, suite.Smoke), func() {
		eid := spareEntitlement()
		r := call(appAPI, http.MethodPost, pathEntitlementOrders, nil,
			map[string]any{"activatableItemSearchCriteria": map[string]any{"entitlementId": eq(eid)}, "batchSize": readCap})
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		Expect(len(objects(at(r.JSON, "activatableItem")))).To(Equal(itemsCount(map[string]any{"entitlementId": eq(eid)})),
			"entitlementOrders/count disagrees with entitlementOrders")
		r.ExpectGolden("spare-entitlement")
	})

	It("counts the items of an unused entitlement as recorded", appLabels("entitlementOrdersCount", suite.Read, suite.Smoke), func() {
		eid := spareEntitlement()
		r := call(appAPI, http.MethodPost, pathEntitlementOrdersCount, nil, map[string]any{"queryParams": map[string]any{"entitlementId": eq(eid)}})
		r.ExpectStatus(http.StatusOK)
		r.ExpectValid()
		Expect(mustInt(at(r.JSON, "count"), "count")).To(BeNumerically("<=", itemsCount(nil)), "a filtered count exceeds the count of all items")
		r.ExpectGolden("spare-entitlement")
	})
})

var _ = Describe("application REST: consumption", func() {
	// accountOf is the sold-to account of the known line item, as
	// entitlementOrders answers it.
	accountOf := func() (account, activationID string) {
		GinkgoHelper()
		aid, _ := knownItem()
		list := items(map[string]any{"activationId": eq(aid)}, 1, 1)
		Expect(list).NotTo(BeEmpty(), "the known line item is not found")
		account = text(list[0]["soldTo"])
		if account == "" {
			Skip("the known line item has no sold-to account")
		}
		return account, aid
	}

	for _, route := range []struct{ op, path string }{{"consumption", pathConsumption}, {"consumptionHealth", pathConsumptionHealth}} {
		It("answers the consumption of an account at "+route.path, appLabels(route.op, suite.Read, suite.Smoke), func() {
			acct, aid := accountOf()
			r := call(appAPI, http.MethodGet, route.path, url.Values{"accountId": {acct}}, nil)
			r.ExpectStatus(http.StatusOK)
			r.ExpectValid()
			Expect(statusOf(r)).To(Equal("SUCCESS"))
			found := false
			for _, c := range objects(at(r.JSON, "consumption")) {
				Expect(foldEq(text(c["accountId"]), acct)).To(BeTrue(), "an entry of another account is answered")
				found = found || foldEq(text(c["activationId"]), aid)
			}
			Expect(found).To(BeTrue(), "a line item of the account is missing from its consumption")
		})

		It("answers the consumption of an unused entitlement's account at "+route.path+" as recorded", appLabels(route.op, suite.Read, suite.Full), func() {
			list := items(map[string]any{"entitlementId": eq(spareEntitlement())}, 1, 1)
			if len(list) == 0 || text(list[0]["soldTo"]) == "" {
				Skip("the unused entitlement has no sold-to account")
			}
			r := call(appAPI, http.MethodGet, route.path, url.Values{"accountId": {text(list[0]["soldTo"])}}, nil)
			r.ExpectStatus(http.StatusOK)
			r.ExpectValid()
			busy := suite.E().Records().ActivationID
			for _, c := range objects(at(r.JSON, "consumption")) {
				if foldEq(text(c["activationId"]), busy) {
					// The other suites consume the known line item: this
					// account's answer changes with their order.
					return
				}
			}
			r.ExpectGolden("spare-account")
		})

		It("refuses "+route.path+" without accountId", appLabels(route.op, suite.Read, suite.Full), func() {
			r := call(appAPI, http.MethodGet, route.path, nil, nil)
			r.ExpectStatus(http.StatusBadRequest)
			r.ExpectValid()
		})
	}

	It("answers both consumption paths alike", appLabels("consumptionHealth", suite.Read, suite.Full), func() {
		acct, _ := accountOf()
		q := url.Values{"accountId": {acct}}
		a := call(appAPI, http.MethodGet, pathConsumption, q, nil)
		b := call(appAPI, http.MethodGet, pathConsumptionHealth, q, nil)
		Expect(b.JSON).To(Equal(a.JSON), "the two consumption paths answer differently")
	})
})

var _ = Describe("application REST: authentication", func() {
	for _, route := range []struct{ op, method, path string }{
		{"entitlementOrders", http.MethodPost, pathEntitlementOrders},
		{"entitlementOrdersCount", http.MethodPost, pathEntitlementOrdersCount},
		{"devices", http.MethodPost, pathDevices},
		{"devicesCount", http.MethodPost, pathDevicesCount},
		{"consumption", http.MethodGet, pathConsumption},
		{"consumptionHealth", http.MethodGet, pathConsumptionHealth},
	} {
		It("refuses an anonymous "+route.method+" "+route.path, appLabels(route.op, suite.Read, suite.Smoke), func() {
			var body any
			var q url.Values
			if route.method == http.MethodPost {
				body = map[string]any{"batchSize": 1}
				if strings.HasSuffix(route.path, "ount") {
					body = map[string]any{}
				}
			} else {
				q = url.Values{"accountId": {"any"}}
			}
			expectRefused(anonymous(appAPI, route.method, route.path, q, body))
		})
	}
})
