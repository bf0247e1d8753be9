package soap

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/suite"
)

// ManageDeviceService, base–v7 (seed 001 "Device Management", table 2-2;
// seed 002 L13-81 for v7's zeroCountAddonLineItems).

const md = "ManageDeviceService"

// dev identifies a device as requests do.
type dev struct{ ID, IDType, Publisher, Class string }

func devOf(d conformance.Device) dev { return dev{d.ID, d.IDType, d.Publisher, d.Class} }

// ident is the device's deviceIdentifier.
func (d dev) ident() map[string]any {
	return map[string]any{"deviceType": d.Class, "deviceId": d.ID, "deviceIdType": d.IDType, "publisherName": d.Publisher}
}

// v3ID is the device's deviceId element (getDevice, v3+).
func (d dev) v3ID() map[string]any {
	return map[string]any{"id": d.ID, "idType": d.IDType, "publisherName": d.Publisher, "deviceClass": d.Class}
}

// client is a client device of the target, for reads.
func client() dev {
	GinkgoHelper()
	cs := suite.E().Records().Clients
	if len(cs) == 0 {
		Skip("the target has no client device")
	}
	return devOf(cs[0])
}

// server is a license server of the target, for reads.
func server() dev {
	GinkgoHelper()
	s := suite.E().Records().Server
	if s == nil {
		Skip("the target has no license server")
	}
	return devOf(*s)
}

// activation is a line item with copies left, for add-on mappings.
func activation() string {
	GinkgoHelper()
	id := suite.E().Records().ActivationID
	if id == "" {
		Skip("the target has no line item with copies left")
	}
	return id
}

// ---- calls ----

// getDevicesQuery: params and cfg may be nil.
func mdQuery(v string, params, cfg map[string]any, page, size int) *suite.SOAPResult {
	GinkgoHelper()
	req := map[string]any{"pageNumber": page, "batchSize": size}
	if params != nil {
		req["queryParams"] = params
	}
	if cfg != nil {
		req["deviceResponseConfig"] = cfg
	}
	return suite.E().SOAP(md, v, "getDevicesQuery", req)
}

func mdQueried(r *suite.SOAPResult) []any { return list(r.Payload, "responseData", "device") }

// mdCount is getDeviceCount's answer.
func mdCount(v string, params map[string]any) int {
	GinkgoHelper()
	req := map[string]any{}
	if params != nil {
		req["queryParams"] = params
	}
	return count(ok(suite.E().SOAP(md, v, "getDeviceCount", req)), "responseData", "count")
}

// searchDevices (v3+).
func mdSearch(v string, params, cfg map[string]any, page, size int) *suite.SOAPResult {
	GinkgoHelper()
	req := map[string]any{"pageNumber": page, "batchSize": size}
	if params != nil {
		req["queryParams"] = params
	}
	if cfg != nil {
		req["responseConfig"] = cfg
	}
	return suite.E().SOAP(md, v, "searchDevices", req)
}

func mdFound(r *suite.SOAPResult) []any { return list(r.Payload, "devices", "device") }

// mdCountDevices is countDevices' answer (v3+).
func mdCountDevices(v string, params map[string]any) int {
	GinkgoHelper()
	req := map[string]any{}
	if params != nil {
		req["queryParams"] = params
	}
	return count(ok(suite.E().SOAP(md, v, "countDevices", req)), "responseData", "count")
}

// queryKey identifies a getDevicesQuery device; searchKey a searchDevices one.
func queryKey(d any) string {
	return strings.Join([]string{str(d, "deviceIdentifier", "deviceType"), str(d, "deviceIdentifier", "deviceId"),
		str(d, "deviceIdentifier", "deviceIdType"), str(d, "deviceIdentifier", "publisherName")}, "|")
}

func searchKey(d any) string {
	return strings.Join([]string{str(d, "deviceId", "deviceClass"), str(d, "deviceId", "id"),
		str(d, "deviceId", "idType"), str(d, "deviceId", "publisherName")}, "|")
}

func (d dev) key() string { return strings.Join([]string{d.Class, d.ID, d.IDType, d.Publisher}, "|") }

// one reads the single device d through getDevicesQuery with cfg.
func mdOne(v string, d dev, cfg map[string]any) map[string]any {
	GinkgoHelper()
	ds := mdQueried(ok(mdQuery(v, map[string]any{"deviceId": query("EQUALS", d.ID)}, cfg, 1, 100)))
	for _, x := range ds {
		if queryKey(x) == d.key() {
			return asMap(x)
		}
	}
	Fail("getDevicesQuery by the device's ID returns the device")
	return nil
}

// ---- writes ----

// newDevice creates a device of class (CLIENT or SERVER) named after what,
// deletes it at the end of the run, and returns it.
func newDevice(v, what, class string) dev {
	GinkgoHelper()
	suite.E().RequireWrites()
	pub := client().Publisher
	d := dev{ID: suite.E().Name("md-" + v + "-" + what), IDType: "STRING", Publisher: pub, Class: class}
	r := ok(suite.E().SOAP(md, v, "createDevice", map[string]any{"device": []any{map[string]any{
		"deviceIdentifier": map[string]any{"deviceType": class, "deviceId": d.ID, "deviceIdType": d.IDType, "publisherName": pub},
		"description":      "created by fnokit suites/soap",
	}}}))
	Expect(list(r.Payload, "responseData", "deviceIdentifier")).To(HaveLen(1), "createDevice names the device it created")
	suite.E().Cleanup(md+" device "+what, func(context.Context) error {
		return deleteDevices(v, d)
	})
	return d
}

// deleteDevices deletes devices that may already be gone: only a transport
// problem or an invalid answer is an error.
func deleteDevices(v string, ds ...dev) error {
	ids := make([]any, len(ds))
	for i, d := range ds {
		ids[i] = d.ident()
	}
	r := suite.E().SOAP(md, v, "deleteDevice", map[string]any{"deviceIdentifier": ids})
	if r.Fault != nil || r.HTTPStatus != 200 {
		return fmt.Errorf("deleteDevice answered HTTP %d", r.HTTPStatus)
	}
	return nil
}

// lineItemRequest is a linkAddonLineItemsRequestType for one device and
// activation ID (count omitted when negative).
func lineItemRequest(d dev, aid string, n int) map[string]any {
	li := map[string]any{"activationId": aid}
	if n >= 0 {
		li["count"] = n
	}
	return map[string]any{"requestList": []any{map[string]any{
		"deviceIdentifier": d.ident(),
		"lineItem":         []any{map[string]any{"lineItemIdentifier": li}},
	}}}
}

// mapped is the count of aid mapped to d (-1: not mapped), from
// getDevicesQuery's addonLineItemData.
func mapped(v string, d dev, aid string) int {
	GinkgoHelper()
	x := mdOne(v, d, map[string]any{"addOnActivationId": true, "addOnCounts": true})
	for _, a := range list(x, "addonLineItemData") {
		if strings.EqualFold(str(a, "activationId"), aid) {
			n, err := strconv.Atoi(str(a, "enabledCount"))
			Expect(err).NotTo(HaveOccurred(), "enabledCount of a mapped add-on is an integer")
			return n
		}
	}
	return -1
}

// mappedDevices is how many devices have aid mapped (getDeviceCount).
func mappedDevices(v, aid string) int {
	GinkgoHelper()
	return mdCount(v, map[string]any{"addOnActivationId": query("EQUALS", aid)})
}

// goldenDevice is a device neither this suite nor the conformance sweep
// changes: the first served client of the target (served clients cannot
// take add-ons, and the sweep works on clients and a server).
func goldenDevice(v string) dev {
	GinkgoHelper()
	ds := mdQueried(ok(mdQuery(v, map[string]any{"deviceTypes": map[string]any{"deviceType": []any{"SERVED_CLIENT"}}}, nil, 1, 1)))
	if len(ds) == 0 {
		Skip("the target has no served client")
	}
	return dev{ID: str(ds[0], "deviceIdentifier", "deviceId"), IDType: str(ds[0], "deviceIdentifier", "deviceIdType"),
		Publisher: str(ds[0], "deviceIdentifier", "publisherName"), Class: "SERVED_CLIENT"}
}

var _ = Describe("ManageDeviceService", func() {
	authSpecs(md, "getDeviceCount", func(string) map[string]any { return map[string]any{} })

	// ---- getDevicesQuery / getDeviceCount (every version) ----

	DescribeTable("getDevicesQuery filters deviceId and alias by each search type",
		func(v string) {
			c := client()
			known := mdOne(v, c, map[string]any{"alias": true})
			for _, t := range searchTypes {
				p := patternFor(t, c.ID)
				ds, complete := gather(func(page int) []any {
					return mdQueried(ok(mdQuery(v, map[string]any{"deviceId": query(t, p)}, nil, page, maxReadBatch)))
				})
				keys := make([]string, len(ds))
				for i, d := range ds {
					keys[i] = queryKey(d)
				}
				expectFilter("deviceId", t, p, each(texts(ds, "deviceIdentifier", "deviceId")), keys, whenComplete(complete, c.key()))
				expectCount(mdCount(v, map[string]any{"deviceId": query(t, p)}), len(ds), complete, "getDeviceCount agrees with getDevicesQuery for deviceId %s", t)
			}
			alias := str(known, "alias")
			if alias == "" {
				return
			}
			for _, t := range searchTypes {
				p := patternFor(t, alias)
				ds, complete := gather(func(page int) []any {
					return mdQueried(ok(mdQuery(v, map[string]any{"alias": query(t, p)}, map[string]any{"alias": true}, page, maxReadBatch)))
				})
				keys := make([]string, len(ds))
				for i, d := range ds {
					keys[i] = queryKey(d)
				}
				expectFilter("alias", t, p, each(texts(ds, "alias")), keys, whenComplete(complete, c.key()))
			}
		},
		spec{service: md, op: "getDevicesQuery", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getDevicesQuery filters by add-on activation ID (line item criterion)",
		func(v string) {
			s := server()
			known := mdOne(v, s, map[string]any{"addOnActivationId": true})
			aids := texts(list(known, "addonLineItemData"), "activationId")
			if len(aids) == 0 || aids[0] == "" {
				Skip("the license server has no add-on")
			}
			for _, t := range searchTypes {
				p := patternFor(t, aids[0])
				ds, complete := gather(func(page int) []any {
					return mdQueried(ok(mdQuery(v, map[string]any{"addOnActivationId": query(t, p)}, map[string]any{"addOnActivationId": true}, page, maxReadBatch)))
				})
				vals := make([][]string, len(ds))
				keys := make([]string, len(ds))
				for i, d := range ds {
					vals[i] = texts(list(d, "addonLineItemData"), "activationId")
					keys[i] = queryKey(d)
				}
				expectFilter("addOnActivationId", t, p, vals, keys, whenComplete(complete, s.key()))
			}
		},
		spec{service: md, op: "getDevicesQuery", kind: suite.Read}.entries(),
	)

	DescribeTable("getDevicesQuery pages are disjoint and add up to getDeviceCount",
		func(v string) {
			total := mdCount(v, nil)
			expectPaging("devices", total, func(page, size int) []string {
				ds := mdQueried(ok(mdQuery(v, nil, nil, page, size)))
				keys := make([]string, len(ds))
				for i, d := range ds {
					keys[i] = queryKey(d)
				}
				return keys
			})
		},
		spec{service: md, op: "getDeviceCount", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getDevicesQuery refuses a batch above 2000 and requires batchSize",
		func(v string) {
			failsNaming(mdQuery(v, nil, nil, 1, maxReadBatch+1), maxReadBatch)
			ok(mdQuery(v, nil, nil, 1, maxReadBatch))
		},
		spec{service: md, op: "getDevicesQuery", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getDevicesQuery answers a served client as recorded",
		func(v string) {
			g := goldenDevice(v)
			r := ok(mdQuery(v, map[string]any{"deviceId": query("EQUALS", g.ID)},
				map[string]any{"alias": true, "description": true, "status": true, "soldTo": true, "parent": true}, 1, 10))
			Expect(mdQueried(r)).NotTo(BeEmpty())
			r.ExpectGolden("served-client")
		},
		spec{service: md, op: "getDevicesQuery", kind: suite.Read}.entries(),
	)

	DescribeTable("getDeviceCount counts one device by its exact ID, as recorded",
		func(v string) {
			g := goldenDevice(v)
			r := ok(suite.E().SOAP(md, v, "getDeviceCount", map[string]any{"queryParams": map[string]any{"deviceId": query("EQUALS", g.ID)}}))
			Expect(count(r, "responseData", "count")).To(BeNumerically(">=", 1))
			r.ExpectGolden("served-client")
		},
		spec{service: md, op: "getDeviceCount", kind: suite.Read}.entries(),
	)

	// ---- searchDevices / countDevices / getDevice (v3+) ----

	DescribeTable("searchDevices filters deviceId and name by each search type",
		func(v string) {
			c := client()
			for _, t := range searchTypes {
				p := patternFor(t, c.ID)
				ds, complete := gather(func(page int) []any {
					return mdFound(ok(mdSearch(v, map[string]any{"deviceId": query(t, p)}, nil, page, maxReadBatch)))
				})
				keys := make([]string, len(ds))
				for i, d := range ds {
					keys[i] = searchKey(d)
				}
				expectFilter("deviceId", t, p, each(texts(ds, "deviceId", "id")), keys, whenComplete(complete, c.key()))
				expectCount(mdCountDevices(v, map[string]any{"deviceId": query(t, p)}), len(ds), complete, "countDevices agrees with searchDevices for deviceId %s", t)
			}
			known := mdFound(ok(mdSearch(v, map[string]any{"deviceId": query("EQUALS", c.ID)}, map[string]any{"name": true}, 1, 10)))
			Expect(known).NotTo(BeEmpty())
			name := str(known[0], "name")
			if name == "" {
				return
			}
			for _, t := range searchTypes {
				p := patternFor(t, name)
				ds, complete := gather(func(page int) []any {
					return mdFound(ok(mdSearch(v, map[string]any{"name": query(t, p)}, map[string]any{"name": true}, page, maxReadBatch)))
				})
				keys := make([]string, len(ds))
				for i, d := range ds {
					keys[i] = searchKey(d)
				}
				expectFilter("name", t, p, each(texts(ds, "name")), keys, whenComplete(complete, c.key()))
				expectCount(mdCountDevices(v, map[string]any{"name": query(t, p)}), len(ds), complete, "countDevices agrees with searchDevices for name %s", t)
			}
		},
		spec{service: md, op: "searchDevices", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("searchDevices filters by add-on entitlement and activation ID (entitlement and line item criteria)",
		func(v string) {
			s := server()
			known := mdFound(ok(mdSearch(v, map[string]any{"deviceId": query("EQUALS", s.ID)},
				map[string]any{"addOnActivationId": true, "addOnEntitlementId": true}, 1, 10)))
			Expect(known).NotTo(BeEmpty())
			addons := list(known[0], "addon")
			if len(addons) == 0 {
				Skip("the license server has no add-on")
			}
			for _, crit := range []string{"addOnEntitlementId", "addOnActivationId"} {
				field := strings.TrimPrefix(crit, "addOn")
				field = strings.ToLower(field[:1]) + field[1:]
				value := str(addons[0], field)
				Expect(value).NotTo(BeEmpty(), "the add-on has its %s", field)
				for _, t := range searchTypes {
					p := patternFor(t, value)
					ds, complete := gather(func(page int) []any {
						return mdFound(ok(mdSearch(v, map[string]any{crit: query(t, p)},
							map[string]any{"addOnActivationId": true, "addOnEntitlementId": true}, page, maxReadBatch)))
					})
					vals := make([][]string, len(ds))
					keys := make([]string, len(ds))
					for i, d := range ds {
						vals[i] = texts(list(d, "addon"), field)
						keys[i] = searchKey(d)
					}
					expectFilter(crit, t, p, vals, keys, whenComplete(complete, s.key()))
				}
			}
		},
		spec{service: md, op: "searchDevices", kind: suite.Read}.entries(),
	)

	DescribeTable("searchDevices pages are disjoint and add up to countDevices",
		func(v string) {
			total := mdCountDevices(v, nil)
			expectPaging("devices", total, func(page, size int) []string {
				ds := mdFound(ok(mdSearch(v, nil, nil, page, size)))
				keys := make([]string, len(ds))
				for i, d := range ds {
					keys[i] = searchKey(d)
				}
				return keys
			})
		},
		spec{service: md, op: "countDevices", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("searchDevices by device class returns only that class, and countDevices agrees",
		func(v string) {
			for _, class := range []string{"CLIENT", "SERVER", "SERVED_CLIENT"} {
				params := map[string]any{"deviceClasses": map[string]any{"deviceClass": []any{class}}}
				n := mdCountDevices(v, params)
				ds := mdFound(ok(mdSearch(v, params, nil, 1, maxReadBatch)))
				if n <= maxReadBatch {
					Expect(ds).To(HaveLen(n), "countDevices agrees with searchDevices for class %s", class)
				}
				bad := 0
				for _, d := range ds {
					if str(d, "deviceId", "deviceClass") != class {
						bad++
					}
				}
				Expect(bad).To(BeZero(), "every device returned for class %s is of that class", class)
			}
		},
		spec{service: md, op: "countDevices", kind: suite.Read}.entries(),
	)

	DescribeTable("searchDevices refuses a batch above 2000",
		func(v string) {
			failsNaming(mdSearch(v, nil, nil, 1, maxReadBatch+1), maxReadBatch)
		},
		spec{service: md, op: "searchDevices", kind: suite.Read}.entries(),
	)

	DescribeTable("searchDevices answers a served client as recorded",
		func(v string) {
			g := goldenDevice(v)
			r := ok(mdSearch(v, map[string]any{"deviceId": query("EQUALS", g.ID)},
				map[string]any{"name": true, "description": true, "status": true, "soldTo": true, "parent": true}, 1, 10))
			Expect(mdFound(r)).NotTo(BeEmpty())
			r.ExpectGolden("served-client")
		},
		spec{service: md, op: "searchDevices", kind: suite.Read}.entries(),
	)

	DescribeTable("countDevices counts one device by its exact ID, as recorded",
		func(v string) {
			g := goldenDevice(v)
			r := ok(suite.E().SOAP(md, v, "countDevices", map[string]any{"queryParams": map[string]any{"deviceId": query("EQUALS", g.ID)}}))
			Expect(count(r, "responseData", "count")).To(BeNumerically(">=", 1))
			r.ExpectGolden("served-client")
		},
		spec{service: md, op: "countDevices", kind: suite.Read}.entries(),
	)

	DescribeTable("getDevice returns the device asked for, as recorded, and FAILURE for an unknown one",
		func(v string) {
			c := client()
			r := ok(suite.E().SOAP(md, v, "getDevice", map[string]any{"deviceId": c.v3ID(), "responseConfig": map[string]any{"name": true}}))
			Expect(str(r.Payload, "device", "deviceId", "id")).To(Equal(c.ID), "getDevice answers the device asked for")
			g := goldenDevice(v)
			gr := ok(suite.E().SOAP(md, v, "getDevice", map[string]any{"deviceId": g.v3ID(),
				"responseConfig": map[string]any{"name": true, "description": true, "status": true, "soldTo": true, "parent": true}}))
			gr.ExpectGolden("served-client")
			missing := c
			missing.ID = suite.E().Name("no-such-device")
			fails(suite.E().SOAP(md, v, "getDevice", map[string]any{"deviceId": missing.v3ID()}))
		},
		spec{service: md, op: "getDevice", kind: suite.Read, smoke: true}.entries(),
	)

	// ---- writes ----

	DescribeTable("createDevice: the new device is found by getDevicesQuery, getDeviceCount and (v3+) searchDevices",
		func(v string) {
			d := newDevice(v, "create", "CLIENT")
			Expect(mdCount(v, map[string]any{"deviceId": query("EQUALS", d.ID)})).To(Equal(1), "getDeviceCount finds the new device")
			x := mdOne(v, d, map[string]any{"description": true})
			Expect(str(x, "description")).To(Equal("created by fnokit suites/soap"), "the stored description is the one sent")
			if num(v) >= 3 {
				Expect(mdFound(ok(mdSearch(v, map[string]any{"deviceId": query("EQUALS", d.ID)}, nil, 1, 10)))).To(HaveLen(1), "searchDevices finds the new device")
				Expect(mdCountDevices(v, map[string]any{"deviceId": query("EQUALS", d.ID)})).To(Equal(1), "countDevices counts the new device")
			}
		},
		spec{service: md, op: "createDevice", kind: suite.Write, smoke: true}.entries(),
	)

	DescribeTable("createDevice refuses more than 25 devices in one request and creates none",
		func(v string) {
			suite.E().RequireWrites()
			prefix := suite.E().Name("md-" + v + "-batch")
			pub := client().Publisher
			var devs []any
			var all []dev
			for i := range maxWriteBatch + 1 {
				d := dev{ID: fmt.Sprintf("%s-%02d", prefix, i), IDType: "STRING", Publisher: pub, Class: "CLIENT"}
				all = append(all, d)
				devs = append(devs, map[string]any{"deviceIdentifier": map[string]any{
					"deviceType": d.Class, "deviceId": d.ID, "deviceIdType": d.IDType, "publisherName": d.Publisher}})
			}
			suite.E().Cleanup(md+" over-limit batch", func(context.Context) error {
				if n := mdCountQuiet(v, prefix); n != 0 {
					return deleteDevices(v, all...)
				}
				return nil
			})
			failsNaming(suite.E().SOAP(md, v, "createDevice", map[string]any{"device": devs}), maxWriteBatch)
			Expect(mdCount(v, map[string]any{"deviceId": query("STARTS_WITH", prefix)})).To(BeZero(), "a refused batch creates nothing")
		},
		spec{service: md, op: "createDevice", kind: suite.Write, smoke: true}.entries(),
	)

	DescribeTable("updateDevice: the change is visible to getDevicesQuery",
		func(v string) {
			d := newDevice(v, "update", "CLIENT")
			desc := "updated by fnokit " + v
			r := ok(suite.E().SOAP(md, v, "updateDevice", map[string]any{"device": []any{map[string]any{
				"deviceIdentifier": d.ident(), "description": desc, "alias": d.ID + "-alias"}}}))
			Expect(list(r.Payload, "responseData", "deviceIdentifier")).To(HaveLen(1), "updateDevice names the device it updated")
			x := mdOne(v, d, map[string]any{"description": true, "alias": true})
			Expect(str(x, "description")).To(Equal(desc), "getDevicesQuery returns the new description")
			Expect(str(x, "alias")).To(Equal(d.ID+"-alias"), "getDevicesQuery returns the new alias")
		},
		spec{service: md, op: "updateDevice", kind: suite.Write}.entries(),
	)

	DescribeTable("deleteDevice: the device is gone, and deleting it again fails",
		func(v string) {
			d := newDevice(v, "delete", "CLIENT")
			ok(suite.E().SOAP(md, v, "deleteDevice", map[string]any{"deviceIdentifier": []any{d.ident()}}))
			Expect(mdCount(v, map[string]any{"deviceId": query("EQUALS", d.ID)})).To(BeZero(), "a deleted device is not counted")
			fails(suite.E().SOAP(md, v, "deleteDevice", map[string]any{"deviceIdentifier": []any{d.ident()}}))
		},
		spec{service: md, op: "deleteDevice", kind: suite.Write, smoke: true}.entries(),
	)

	DescribeTable("linkAddonLineItems maps copies: the mapping and the count of mapped devices change",
		func(v string) {
			aid := activation()
			d := newDevice(v, "link", "CLIENT")
			before := mappedDevices(v, aid)
			ok(suite.E().SOAP(md, v, "linkAddonLineItems", lineItemRequest(d, aid, 1)))
			Expect(mapped(v, d, aid)).To(Equal(1), "the device has one copy mapped")
			Expect(mappedDevices(v, aid)).To(Equal(before+1), "getDeviceCount by add-on activation ID counts one more device")
			ok(suite.E().SOAP(md, v, "deleteAddonLineItems", lineItemRequest(d, aid, -1)))
			Expect(mappedDevices(v, aid)).To(Equal(before), "the count is back once the mapping is deleted")
		},
		spec{service: md, op: "linkAddonLineItems", kind: suite.Write, smoke: true}.entries(),
	)

	DescribeTable("incrementAddonLineItems and decrementAddonLineItems change the mapped count",
		func(v string) {
			aid := activation()
			d := newDevice(v, "incdec", "CLIENT")
			ok(suite.E().SOAP(md, v, "linkAddonLineItems", lineItemRequest(d, aid, 1)))
			ok(suite.E().SOAP(md, v, "incrementAddonLineItems", lineItemRequest(d, aid, 2)))
			Expect(mapped(v, d, aid)).To(Equal(3), "increment by 2 of 1 copy gives 3")
			ok(suite.E().SOAP(md, v, "decrementAddonLineItems", lineItemRequest(d, aid, 1)))
			Expect(mapped(v, d, aid)).To(Equal(2), "decrement by 1 of 3 copies gives 2")
			ok(suite.E().SOAP(md, v, "deleteAddonLineItems", lineItemRequest(d, aid, -1)))
		},
		spec{service: md, op: "incrementAddonLineItems", kind: suite.Write}.entries(),
	)

	DescribeTable("decrementAddonLineItems refuses to go below the mapped count",
		func(v string) {
			aid := activation()
			d := newDevice(v, "decrement", "CLIENT")
			ok(suite.E().SOAP(md, v, "linkAddonLineItems", lineItemRequest(d, aid, 1)))
			r := suite.E().SOAP(md, v, "decrementAddonLineItems", lineItemRequest(d, aid, 2))
			fails(r)
			Expect(list(r.Payload, "failedData", "failAddon")).To(HaveLen(1), "failedData names the refused mapping")
			Expect(mapped(v, d, aid)).To(Equal(1), "a refused decrement changes nothing")
			ok(suite.E().SOAP(md, v, "deleteAddonLineItems", lineItemRequest(d, aid, -1)))
		},
		spec{service: md, op: "decrementAddonLineItems", kind: suite.Write}.entries(),
	)

	DescribeTable("deleteAddonLineItems removes the mapping",
		func(v string) {
			aid := activation()
			d := newDevice(v, "unlink", "CLIENT")
			ok(suite.E().SOAP(md, v, "linkAddonLineItems", lineItemRequest(d, aid, 1)))
			ok(suite.E().SOAP(md, v, "deleteAddonLineItems", lineItemRequest(d, aid, -1)))
			Expect(mapped(v, d, aid)).To(Equal(-1), "the line item is no longer mapped to the device")
			fails(suite.E().SOAP(md, v, "deleteAddonLineItems", lineItemRequest(d, aid, -1)))
		},
		spec{service: md, op: "deleteAddonLineItems", kind: suite.Write}.entries(),
	)

	DescribeTable("linkAddonLineItems refuses more than 25 mappings in one request",
		func(v string) {
			aid := activation()
			d := newDevice(v, "linkbatch", "CLIENT")
			req := lineItemRequest(d, aid, 1)
			one := list(req, "requestList")[0]
			var many []any
			for range maxWriteBatch + 1 {
				many = append(many, one)
			}
			failsNaming(suite.E().SOAP(md, v, "linkAddonLineItems", map[string]any{"requestList": many}), maxWriteBatch)
			Expect(mapped(v, d, aid)).To(Equal(-1), "a refused batch maps nothing")
		},
		spec{service: md, op: "linkAddonLineItems", kind: suite.Write}.entries(),
	)

	DescribeTable("generateCapabilityResponse maps the line items asked for and answers a licence",
		func(v string) {
			aid := activation()
			d := newDevice(v, "capability", "CLIENT")
			r := ok(suite.E().SOAP(md, v, "generateCapabilityResponse", map[string]any{"device": []any{map[string]any{
				"deviceIdentifier": d.ident(),
				"lineItem":         []any{map[string]any{"lineItemIdentifier": map[string]any{"activationId": aid, "count": 1}}},
			}}}))
			devs := list(r.Payload, "responseData", "device")
			Expect(devs).To(HaveLen(1), "one capability response per device")
			Expect(str(devs[0], "addonLicense")).NotTo(BeEmpty(), "the response carries the licence")
			Expect(mapped(v, d, aid)).To(Equal(1), "the line item asked for is mapped to the device")
			ok(suite.E().SOAP(md, v, "deleteAddonLineItems", lineItemRequest(d, aid, -1)))
		},
		spec{service: md, op: "generateCapabilityResponse", kind: suite.Write}.entries(),
	)

	DescribeTable("generatePrebuiltLicense answers for the device asked for",
		func(v string) {
			rec := suite.E().Records()
			if rec.Product == nil || rec.LicenseModel == "" {
				Skip("the target names no product and license model")
			}
			d := newDevice(v, "prebuilt", "CLIENT")
			r := ok(suite.E().SOAP(md, v, "generatePrebuiltLicense", map[string]any{"requestDataList": []any{map[string]any{
				"deviceIdentifier": d.ident(),
				"product":          map[string]any{"primaryKeys": map[string]any{"name": rec.Product.Name, "version": rec.Product.Version}},
				"licenseModel":     map[string]any{"primaryKeys": map[string]any{"name": rec.LicenseModel}},
				"isPermanent":      true,
			}}}))
			ids := list(r.Payload, "responseData", "deviceIdentifier")
			Expect(ids).To(HaveLen(1))
			Expect(str(ids[0], "deviceId")).To(Equal(d.ID), "the answer names the device asked for")
			missing := d
			missing.ID = suite.E().Name("no-such-device")
			fails(suite.E().SOAP(md, v, "generatePrebuiltLicense", map[string]any{"requestDataList": []any{map[string]any{
				"deviceIdentifier": missing.ident(),
				"product":          map[string]any{"primaryKeys": map[string]any{"name": rec.Product.Name, "version": rec.Product.Version}},
			}}}))
		},
		spec{service: md, op: "generatePrebuiltLicense", kind: suite.Write}.entries(),
	)

	DescribeTable("moveDevice: the device's sold-to account is the target account",
		func(v string) {
			a := suite.E().Records().Account
			if a == nil {
				Skip("the target has no account")
			}
			d := newDevice(v, "move", "CLIENT")
			ok(suite.E().SOAP(md, v, "moveDevice", map[string]any{
				"sourceDevices": map[string]any{"deviceIdentifier": []any{d.ident()}}, "soldToUniqueId": a.ID, "soldToName": a.Name}))
			x := mdOne(v, d, map[string]any{"soldTo": true})
			Expect(str(x, "soldTo", "id")).To(Equal(a.ID), "the moved device is sold to the target account")
			if num(v) >= 3 {
				n := mdCount(v, map[string]any{"deviceId": query("EQUALS", d.ID), "soldToAcctId": query("EQUALS", a.ID)})
				Expect(n).To(Equal(1), "getDeviceCount by sold-to account ID finds the moved device")
			}
		},
		spec{service: md, op: "moveDevice", kind: suite.Write}.entries(),
	)

	DescribeTable("returnHost: the device is no longer active and its copies are released",
		func(v string) {
			aid := activation()
			d := newDevice(v, "return", "CLIENT")
			before := mappedDevices(v, aid)
			ok(suite.E().SOAP(md, v, "linkAddonLineItems", lineItemRequest(d, aid, 1)))
			ok(suite.E().SOAP(md, v, "returnHost", map[string]any{"returnHosts": []any{map[string]any{"hostIdentifier": d.ident()}}}))
			x := mdOne(v, d, map[string]any{"status": true})
			Expect(str(x, "deviceStatus")).NotTo(Equal("ACTIVE"), "a returned host is not active")
			if num(v) >= 1 {
				Expect(str(x, "deviceStatus")).To(Equal("RETURNED"), "from v1 a returned host is RETURNED")
			}
			Expect(mappedDevices(v, aid)).To(Equal(before), "the returned host's add-on is released")
		},
		spec{service: md, op: "returnHost", kind: suite.Write}.entries(),
	)

	DescribeTable("obsoleteHost: the device is OBSOLETE, and obsoleting it again fails",
		func(v string) {
			d := newDevice(v, "obsolete", "CLIENT")
			ok(suite.E().SOAP(md, v, "obsoleteHost", map[string]any{"host": []any{map[string]any{"hostIdentifier": d.ident()}}}))
			x := mdOne(v, d, map[string]any{"status": true})
			Expect(str(x, "deviceStatus")).To(Equal("OBSOLETE"))
			Expect(mdCount(v, map[string]any{"deviceId": query("EQUALS", d.ID), "status": query("EQUALS", "OBSOLETE")})).To(Equal(1),
				"getDeviceCount by status finds the obsolete device")
			fails(suite.E().SOAP(md, v, "obsoleteHost", map[string]any{"host": []any{map[string]any{"hostIdentifier": d.ident()}}}))
		},
		spec{service: md, op: "obsoleteHost", kind: suite.Write}.entries(),
	)

	// ---- v7: zeroCountAddonLineItems (seed 002 L13-81) ----

	DescribeTable("zeroCountAddonLineItems maps an activation ID with a zero count onto a license server",
		func(v string) {
			aid := activation()
			s := newDevice(v, "zero", "SERVER")
			before := mappedDevices(v, aid)
			r := ok(suite.E().SOAP(md, v, "zeroCountAddonLineItems", lineItemRequest(s, aid, 0)))
			Expect(list(r.Payload, "responseData", "deviceIdentifier")).To(HaveLen(1), "the answer names the server")
			Expect(mapped(v, s, aid)).To(Equal(0), "the mapping exists with a zero count")
			Expect(mappedDevices(v, aid)).To(Equal(before+1), "a zero-count mapping is found by add-on activation ID")
		},
		spec{service: md, op: "zeroCountAddonLineItems", kind: suite.Write, smoke: true}.entries(),
	)

	It("zeroCountAddonLineItems does not exist before v7: v6 answers a SOAP fault",
		labels(md, "v6", "zeroCountAddonLineItems", suite.Read, false), func() {
			s := server()
			p := `<urn:zeroCountAddonLineItemsRequest><urn:requestList><urn:deviceIdentifier>` +
				`<urn:deviceType>SERVER</urn:deviceType><urn:deviceId>` + xmlEscape(s.ID) + `</urn:deviceId>` +
				`</urn:deviceIdentifier><urn:lineItem><urn:lineItemIdentifier><urn:activationId>` + xmlEscape(activation()) +
				`</urn:activationId><urn:count>0</urn:count></urn:lineItemIdentifier></urn:lineItem></urn:requestList>` +
				`</urn:zeroCountAddonLineItemsRequest>`
			r := rawAsRun(md, "v6", "zeroCountAddonLineItems", p)
			Expect(r.Fault).NotTo(BeNil(), "v6 has no zeroCountAddonLineItems: the call is a SOAP fault")
			Expect(r.HTTPStatus).To(BeNumerically(">=", 400))
		})

	It("zeroCountAddonLineItems refuses a client device (zero-count mappings are for license servers)",
		labels(md, "v7", "zeroCountAddonLineItems", suite.Write, false), func() {
			if suite.E().Emulator() == nil {
				Skip("emulator only: seed 002 says FNO does not validate zeroCountAddonLineItems requests")
			}
			aid := activation()
			d := newDevice("v7", "zero-client", "CLIENT")
			r := suite.E().SOAP(md, "v7", "zeroCountAddonLineItems", lineItemRequest(d, aid, 0))
			fails(r)
			Expect(mapped("v7", d, aid)).To(Equal(-1), "nothing is mapped to the client")
		})
})

// mdCountQuiet counts the devices whose ID starts with prefix without
// failing the spec, for cleanups: -1 when the count could not be read.
func mdCountQuiet(v, prefix string) int {
	r := suite.E().SOAP(md, v, "getDeviceCount", map[string]any{"queryParams": map[string]any{"deviceId": query("STARTS_WITH", prefix)}})
	n, err := strconv.Atoi(str(r.Payload, "responseData", "count"))
	if err != nil {
		return -1
	}
	return n
}

// xmlEscape escapes text for an element's content.
func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}
