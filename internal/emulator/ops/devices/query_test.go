package devices

import (
	"slices"
	"strconv"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
)

func TestSearchTypes(t *testing.T) {
	t.Parallel()
	h := newTest(fixture(t))
	cases := []struct {
		name   string
		params map[string]any
		want   []string // in the order the store answers (no sort given)
	}{
		{"deviceId EQUALS ignores case", map[string]any{"deviceId": simple("dev-alpha-01", "EQUALS")}, []string{devA1}},
		{"deviceId STARTS_WITH", map[string]any{"deviceId": simple("DEV-ALPHA", "STARTS_WITH")}, []string{devA1, devA2}},
		{"deviceId ENDS_WITH", map[string]any{"deviceId": simple("-04", "ENDS_WITH")}, []string{srvG4}},
		{"deviceId CONTAINS", map[string]any{"deviceId": simple("ta", "CONTAINS")}, []string{devB3, scD5}},
		{"deviceId EQUALS no match", map[string]any{"deviceId": simple("nope", "EQUALS")}, nil},
		{"alias STARTS_WITH", map[string]any{"alias": simple("alpha", "STARTS_WITH")}, []string{devA1, devA2}},
		{"soldTo matches the account name", map[string]any{"soldTo": simple("Beta Industries", "EQUALS")}, []string{devB3, srvG4}},
		{"soldToAcctId matches the account ID", map[string]any{"soldToAcctId": simple("ACME", "EQUALS")}, []string{devA1, devA2}},
		{"soldToOrgId (v2) matches the account ID", map[string]any{"soldToOrgId": simple("acm", "STARTS_WITH")}, []string{devA1, devA2}},
		{"status", map[string]any{"status": simple("OBSOLETE", "EQUALS")}, []string{devB3}},
		{"isServer true: servers only", map[string]any{"isServer": "true"}, []string{srvG4}},
		{"isServer false: clients only", map[string]any{"isServer": "false"}, []string{devA1, devA2, devB3}},
		{"deviceTypes wins over isServer", map[string]any{"isServer": "true", "deviceTypes": map[string]any{"deviceType": []any{"SERVED_CLIENT"}}}, []string{scD5}},
		{"addOnActivationId", map[string]any{"addOnActivationId": simple(aidTen, "EQUALS")}, []string{devA1}},
		{"featureName through the add-on's product", map[string]any{"featureName": simple("f_extra", "EQUALS")}, []string{devA1, srvG4}},
		{"siteName (v6)", map[string]any{"siteName": simple("oslo", "EQUALS")}, []string{devA1, devB3}},
		{"userString", map[string]any{"userString": simple("ann", "EQUALS")}, []string{devA1}},
		{"parentId", map[string]any{"parentId": simple(srvG4, "EQUALS")}, []string{scD5}},
		{"deviceIdType NOT_EQUALS", map[string]any{"deviceIdType": simple("STRING", "NOT_EQUALS")}, []string{srvG4}},
		// base and v1 filters the store has no field for, checked here.
		{"servedStatus (base)", map[string]any{"servedStatus": simple("NORMAL", "EQUALS")}, []string{scD5}},
		{"machineType (base)", map[string]any{"machineType": simple("PHYSICAL", "EQUALS")}, []string{devA1}},
		{"featureCount (base)", map[string]any{"featureCount": map[string]any{"value": "6", "searchType": "GREATER_THAN_EQUALS"}}, []string{devA1}},
		{"currentOwnerName (base)", map[string]any{"currentOwnerName": simple("acme", "STARTS_WITH")}, []string{devA1, devA2}},
		{"customAttributes (base) match nothing", map[string]any{"customAttributes": map[string]any{"attribute": []any{map[string]any{"attributeName": "x"}}}}, nil},
		// base's simpleSearchType has NOT_EQUALS on free text too.
		{"alias NOT_EQUALS (base)", map[string]any{"alias": simple("gamma", "NOT_EQUALS"), "isServer": "false"}, []string{devA1, devA2, devB3}},
		{"NOT_EQUALS with a store criterion", map[string]any{"deviceId": simple("DEV", "STARTS_WITH"), "siteName": simple("Oslo", "NOT_EQUALS")}, []string{devA2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			out := call(t, h, "base", "getDevicesQuery", map[string]any{"queryParams": c.params, "pageNumber": "1", "batchSize": "100"})
			if statusOf(out) != success {
				t.Fatalf("status %s: %s", statusOf(out), op.Str(out, "statusInfo", "reason"))
			}
			got := ids(out)
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("devices = %v, want %v", got, want)
			}
			count := call(t, h, "base", "getDeviceCount", map[string]any{"queryParams": c.params})
			if n := op.Str(count, "responseData", "count"); n != fmtInt(len(c.want)) {
				t.Errorf("getDeviceCount = %s, want %d (counts agree with queries)", n, len(c.want))
			}
		})
	}
}

func fmtInt(n int) string { return strconv.Itoa(n) }

func TestSearchDevicesFilters(t *testing.T) {
	t.Parallel()
	h := newTest(fixture(t))
	cases := []struct {
		version string
		params  map[string]any
		want    []string
	}{
		{"v3", map[string]any{"name": simple("alpha", "STARTS_WITH")}, []string{devA1, devA2}},
		{"v3", map[string]any{"deviceClasses": map[string]any{"deviceClass": []any{"SERVER", "SERVED_CLIENT"}}}, []string{srvG4, scD5}},
		{"v3", map[string]any{"hosted": "true"}, []string{srvG4}},
		{"v3", map[string]any{"status": simple("ACTIVE", "NOT_EQUALS")}, []string{devB3}},
		{"v3", map[string]any{"addOnEntitlementId": simple("ENT-ONE", "EQUALS")}, []string{devA1, srvG4}},
		{"v3", map[string]any{"addOnPartNumber": simple("PN-W", "EQUALS")}, []string{devA1}},
		{"v5", map[string]any{"hasLicense": "true"}, []string{devA1, srvG4}},
		{"v5", map[string]any{"hasLicense": "false", "deviceClasses": map[string]any{"deviceClass": []any{"CLIENT"}}}, []string{devA2, devB3}},
		// SRV-GAMMA-04's add-on has an override of 2025-12-01; DEV-ALPHA-01's is permanent.
		{"v5", map[string]any{"addOnExpirationDate": map[string]any{"value": "2025-12-01", "searchType": "ON"}}, []string{srvG4}},
		{"v5", map[string]any{"addOnExpirationDate": map[string]any{"value": "2025-12-01", "searchType": "BEFORE"}}, nil},
		{"v6", map[string]any{"siteName": simple("berg", "STARTS_WITH")}, []string{devA2}},
	}
	for _, c := range cases {
		out := call(t, h, c.version, "searchDevices", map[string]any{"queryParams": c.params})
		got := ids(out)
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if statusOf(out) != success || !slices.Equal(got, want) {
			t.Errorf("%s %v: %s %v, want %v", c.version, c.params, statusOf(out), got, want)
		}
		count := call(t, h, c.version, "countDevices", map[string]any{"queryParams": c.params})
		if n := op.Str(count, "responseData", "count"); n != fmtInt(len(c.want)) {
			t.Errorf("%s %v: countDevices = %s, want %d", c.version, c.params, n, len(c.want))
		}
	}
}

func TestPagingAndSort(t *testing.T) {
	t.Parallel()
	h := newTest(fixture(t))
	sorted := map[string]any{"sortBy": []any{map[string]any{"sortKey": "DEVICE_ID", "ascending": "false"}}}
	var pages [][]string
	for page := 1; page <= 3; page++ {
		out := call(t, h, "v7", "searchDevices", map[string]any{"sortBys": sorted, "pageNumber": fmtInt(page), "batchSize": "2"})
		pages = append(pages, ids(out))
	}
	want := [][]string{{srvG4, scD5}, {devB3, devA2}, {devA1}}
	for i := range want {
		if !slices.Equal(pages[i], want[i]) {
			t.Errorf("page %d = %v, want %v", i+1, pages[i], want[i])
		}
	}
	out := call(t, h, "v7", "getDevicesQuery", map[string]any{"pageNumber": "9", "batchSize": "2"})
	if statusOf(out) != success || len(ids(out)) != 0 {
		t.Errorf("a page past the end: %s %v, want SUCCESS and no device", statusOf(out), ids(out))
	}
	// Local criteria page the same way.
	all := ids(call(t, h, "base", "getDevicesQuery", map[string]any{"queryParams": map[string]any{"alias": simple("x", "NOT_EQUALS")}, "pageNumber": "1", "batchSize": "10"}))
	p2 := ids(call(t, h, "base", "getDevicesQuery", map[string]any{"queryParams": map[string]any{"alias": simple("x", "NOT_EQUALS")}, "pageNumber": "2", "batchSize": "2"}))
	if len(all) != 5 || !slices.Equal(p2, all[2:4]) {
		t.Errorf("local paging: all %v, page 2 of 2 = %v", all, p2)
	}
}

func TestReadLimits(t *testing.T) {
	t.Parallel()
	h := newTest(fixture(t))
	cases := []struct {
		op, version string
		req         map[string]any
		failedKey   string
	}{
		{"getDevicesQuery", "v7", map[string]any{"pageNumber": "1", "batchSize": "2001"}, "failedData"},
		{"getDevicesQuery", "base", map[string]any{"pageNumber": "1", "batchSize": nil}, "failedData"},
		{"getDevicesQuery", "v2", map[string]any{"pageNumber": "0", "batchSize": "10"}, "failedData"},
		{"searchDevices", "v3", map[string]any{"batchSize": "2001"}, "failed"},
		{"searchDevices", "v3", map[string]any{"queryParams": map[string]any{"deviceId": simple("x", "NOT_EQUALS")}}, "failed"},
		{"getDevicesQuery", "v1", map[string]any{"queryParams": map[string]any{"alias": simple("x", "NOT_EQUALS")}, "pageNumber": "1", "batchSize": "1"}, "failedData"},
	}
	for _, c := range cases {
		out := call(t, h, c.version, c.op, c.req)
		if statusOf(out) != failure || op.Str(out, c.failedKey, "reason") == "" {
			t.Errorf("%s %s %v: %v, want FAILURE with %s/reason", c.op, c.version, c.req, out, c.failedKey)
		}
	}
	if out := call(t, h, "v7", "searchDevices", map[string]any{"batchSize": "2000"}); statusOf(out) != success {
		t.Errorf("batchSize 2000: %s", statusOf(out))
	}
}

func TestDeviceUserOff(t *testing.T) {
	t.Parallel()
	h := newTest(fixture(t))
	h.deviceUserOff = true
	q := map[string]any{"userString": simple("ann", "EQUALS"), "soldToAcctId": simple("ACME", "EQUALS")}
	out := call(t, h, "v7", "searchDevices", map[string]any{"queryParams": q, "responseConfig": map[string]any{"userInfo": "true"}})
	if statusOf(out) != notSupported {
		t.Fatalf("status %s, want NOT_SUPPORTED", statusOf(out))
	}
	// The criterion is ignored, the others hold, and no user is returned.
	if got := ids(out); len(got) != 2 {
		t.Errorf("devices %v, want both ACME devices", got)
	}
	for _, d := range op.Objs(out, "devices", "device") {
		if op.Has(d, "userString") {
			t.Error("userString returned with the Device User option off")
		}
	}
	count := call(t, h, "v1", "getDeviceCount", map[string]any{"queryParams": q})
	if statusOf(count) != notSupported || op.Str(count, "responseData", "count") != "2" {
		t.Errorf("getDeviceCount: %v", count)
	}
}

func TestResponseConfigSelectsFields(t *testing.T) {
	t.Parallel()
	h := newTest(fixture(t))
	byID := map[string]any{"deviceId": simple(devA1, "EQUALS")}
	bare := op.Objs(call(t, h, "v7", "getDevicesQuery", map[string]any{"queryParams": byID, "pageNumber": "1", "batchSize": "1"}), "responseData", "device")
	if len(bare) != 1 {
		t.Fatalf("devices %v", bare)
	}
	for k := range bare[0] {
		if k != "deviceIdentifier" && k != "siteName" {
			t.Errorf("no switch on, but %s returned", k)
		}
	}
	cfg := map[string]any{"alias": "true", "soldTo": "true", "addOnActivationId": "true", "addOnCounts": "true", "deviceUser": "true", "description": "false"}
	d := op.Objs(call(t, h, "v7", "getDevicesQuery", map[string]any{"queryParams": byID, "deviceResponseConfig": cfg, "pageNumber": "1", "batchSize": "1"}), "responseData", "device")[0]
	if op.Str(d, "alias") != "alpha one" || op.Str(d, "soldTo", "id") != "ACME" || op.Str(d, "soldToAcctName", "name") != "Acme Corp" || op.Str(d, "deviceUser") != "ann" {
		t.Errorf("switched fields: %v", d)
	}
	if op.Has(d, "description") || op.Has(d, "deviceStatus") {
		t.Errorf("fields whose switch is off or absent returned: %v", d)
	}
	addOns := op.Objs(d, "addonLineItemData")
	if len(addOns) != 1 || op.Str(addOns[0], "activationId") != aidTen || op.Str(addOns[0], "enabledCount") != "2" || op.Has(addOns[0], "entitledProducts") {
		t.Errorf("add-ons: %v", addOns)
	}
	// getDevice (v3+) with its own switches.
	g := call(t, h, "v4", "getDevice", map[string]any{"deviceId": map[string]any{"id": devA1, "idType": "STRING", "publisherName": "demo", "deviceClass": "CLIENT"},
		"responseConfig": map[string]any{"addOnProduct": "true", "addOnEntitlementId": "true", "features": "true"}})
	dev := op.Obj(g, "device")
	addon := op.Objs(dev, "addon")
	if statusOf(g) != success || len(addon) != 1 || op.Str(addon[0], "entitlementId") != "ENT-ONE" ||
		op.Str(op.Objs(addon[0], "productList", "entitledProduct")[0], "product", "primaryKeys", "name") != "Widget" {
		t.Errorf("getDevice: %v", g)
	}
	if len(op.List(dev, "feature")) != 2 || op.Str(dev, "createdOn") == "" || op.Has(dev, "name") {
		t.Errorf("getDevice features/createdOn/name: %v", dev)
	}
	// A served client is found by its class only.
	miss := call(t, h, "v3", "getDevice", map[string]any{"deviceId": map[string]any{"id": devA1, "idType": "STRING", "publisherName": "demo", "deviceClass": "SERVER"}})
	if statusOf(miss) != failure || op.Str(miss, "failedDevice", "reason") == "" {
		t.Errorf("getDevice of the wrong class: %v", miss)
	}
}
