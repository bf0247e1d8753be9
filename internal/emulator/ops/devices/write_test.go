package devices

import (
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

func TestCreateDevice(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newTest(st)
	out := call(t, h, "v3", "createDevice", map[string]any{"device": []any{
		map[string]any{"deviceIdentifier": map[string]any{"deviceType": "CLIENT", "deviceId": "NEW-1", "deviceIdType": "ETHERNET"},
			"alias": "fresh", "siteName": "Tromsø", "hostTypeName": map[string]any{"name": "FLX_CLIENT"},
			"channelPartners": map[string]any{"channelPartner": []any{
				map[string]any{"tierName": endCustomerTier, "accountUnit": map[string]any{"primaryKeys": map[string]any{"name": "Beta Industries"}}, "currentOwner": "true"}}}},
		map[string]any{"deviceIdentifier": ident("CLIENT", devA1)},                 // exists
		map[string]any{"deviceIdentifier": map[string]any{"deviceType": "SERVER"}}, // a local server needs an ID
	}})
	if statusOf(out) != partialFailure {
		t.Fatalf("status %s, want PARTIAL_FAILURE", statusOf(out))
	}
	created := op.Objs(out, "responseData", "deviceIdentifier")
	if len(created) != 1 || op.Str(created[0], "deviceId") != "NEW-1" || op.Str(created[0], "uniqueId") == "" {
		t.Errorf("responseData: %v", created)
	}
	failed := op.Objs(out, "failedData", "failedDevice")
	if len(failed) != 2 {
		t.Fatalf("failedData: %v", failed)
	}
	if op.Str(failed[0], "device", "deviceIdentifier", "deviceId") != devA1 || !strings.Contains(op.Str(failed[0], "reason"), "already exists") {
		t.Errorf("failedDevice 1 echoes the record with a reason: %v", failed[0])
	}
	if strings.Contains(op.Str(failed[1], "reason"), "NEW-1") {
		t.Error("a reason echoes a payload value")
	}
	d, err := st.Device(state.DeviceKey{DeviceID: "NEW-1"})
	if err != nil || d.SoldTo != "BETA" || d.SiteName != "Tromsø" || d.IDType != state.IDEthernet || d.HostType != "FLX_CLIENT" {
		t.Errorf("stored device %+v, %v", d, err)
	}
}

func TestWriteBatchLimit(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newHandlers(st, op.Settings{MaxReadBatch: 2000, MaxWriteBatch: 2}, testSigner)
	recs := []any{}
	for _, id := range []string{"W-1", "W-2", "W-3"} {
		recs = append(recs, map[string]any{"deviceIdentifier": ident("CLIENT", id)})
	}
	out := call(t, h, "v7", "createDevice", map[string]any{"device": recs})
	if statusOf(out) != failure || !strings.Contains(op.Str(out, "statusInfo", "reason"), "write batch limit of 2") {
		t.Errorf("over the limit: %v", out)
	}
	if _, err := st.Device(state.DeviceKey{DeviceID: "W-1"}); err == nil {
		t.Error("a refused batch created a device")
	}
	if out := call(t, h, "v7", "createDevice", map[string]any{"device": recs[:2]}); statusOf(out) != success {
		t.Errorf("at the limit: %v", out)
	}
}

func TestUpdateDevice(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newTest(st)
	out := call(t, h, "v2", "updateDevice", map[string]any{"device": []any{
		map[string]any{"deviceIdentifier": ident("CLIENT", devA2), "description": "moved", "siteName": "Stavanger", "alias": "",
			"updateChannelPartners": map[string]any{"opType": "REPLACE", "channelPartners": map[string]any{"channelPartner": []any{
				map[string]any{"tierName": endCustomerTier, "organizationUnit": map[string]any{"uniqueId": "BETA"}}}}}},
		map[string]any{"deviceIdentifier": ident("SERVER", devA1)}, // wrong class
	}})
	if statusOf(out) != partialFailure || len(op.Objs(out, "failedData", "failedDevice")) != 1 {
		t.Fatalf("%v", out)
	}
	d, _ := st.Device(state.DeviceKey{DeviceID: devA2})
	if d.Description != "moved" || d.SiteName != "Stavanger" || d.Alias != "" || d.SoldTo != "BETA" || d.HostType != "FLX_CLIENT" {
		t.Errorf("updated device %+v (absent elements must stay, empty ones clear)", d)
	}
}

func TestDeleteMoveReturnObsolete(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newTest(st)
	remaining := func(aid string) int {
		it, err := st.LineItem(aid)
		if err != nil {
			t.Fatal(err)
		}
		return it.Remaining()
	}
	// move: the server and its served client go to ACME.
	out := call(t, h, "v7", "moveDevice", map[string]any{"sourceDevices": map[string]any{"deviceIdentifier": []any{ident("SERVER", srvG4)}}, "soldToName": "Acme Corp"})
	if statusOf(out) != success {
		t.Fatalf("move: %v", out)
	}
	if sc, _ := st.Device(state.DeviceKey{DeviceID: scD5}); sc.SoldTo != "ACME" {
		t.Errorf("served client sold to %q after its server moved", sc.SoldTo)
	}
	if out := call(t, h, "v7", "moveDevice", map[string]any{"sourceDevices": map[string]any{"deviceIdentifier": []any{ident("CLIENT", devA2)}}}); statusOf(out) != failure {
		t.Errorf("move without a target: %v", out)
	}
	// return with a target: the add-on copies follow (rehost).
	before := remaining(aidTen)
	out = call(t, h, "v7", "returnHost", map[string]any{"returnHosts": []any{map[string]any{"hostIdentifier": ident("CLIENT", devA1), "targetHostIdentifier": ident("CLIENT", devA2)}}})
	if statusOf(out) != success {
		t.Fatalf("return: %v", out)
	}
	a1, _ := st.Device(state.DeviceKey{DeviceID: devA1})
	a2, _ := st.Device(state.DeviceKey{DeviceID: devA2})
	if a1.Status != state.DeviceReturned || len(a1.AddOns) != 0 || len(a2.AddOns) != 1 || a2.AddOns[0].Count != 2 || remaining(aidTen) != before {
		t.Errorf("rehost: source %+v, target add-ons %+v, remaining %d (was %d)", a1, a2.AddOns, remaining(aidTen), before)
	}
	// base reports RETURNED, which it lacks, as OBSOLETE.
	q := call(t, h, "base", "getDevicesQuery", map[string]any{"queryParams": map[string]any{"deviceId": simple(devA1, "EQUALS")}, "deviceResponseConfig": map[string]any{"status": "true"}, "pageNumber": "1", "batchSize": "1"})
	if s := op.Str(op.Objs(q, "responseData", "device")[0], "deviceStatus"); s != "OBSOLETE" {
		t.Errorf("base status of a returned host = %s", s)
	}
	// obsolete twice: the second fails with a reason.
	out = call(t, h, "v7", "obsoleteHost", map[string]any{"host": []any{map[string]any{"hostIdentifier": ident("CLIENT", devA2)}, map[string]any{"hostIdentifier": ident("CLIENT", devA2)}}})
	failed := op.Objs(out, "failedData", "failedHost")
	if statusOf(out) != partialFailure || len(failed) != 1 || op.Str(failed[0], "hostIdentifier", "deviceId") != devA2 {
		t.Errorf("obsolete twice: %v", out)
	}
	if remaining(aidTen) != 10 {
		t.Errorf("obsoleting returns the copies: remaining %d, want 10", remaining(aidTen))
	}
	// delete: one gone, one unknown.
	out = call(t, h, "v7", "deleteDevice", map[string]any{"deviceIdentifier": []any{ident("CLIENT", devB3), ident("CLIENT", "NOPE")}})
	if statusOf(out) != partialFailure || op.Str(op.Objs(out, "failedData", "failedDevice")[0], "deviceIdentifier", "deviceId") != "NOPE" {
		t.Errorf("delete: %v", out)
	}
	if _, err := st.Device(state.DeviceKey{DeviceID: devB3}); err == nil {
		t.Error("deleted device still there")
	}
}
