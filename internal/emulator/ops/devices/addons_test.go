package devices

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

func lineReq(class, id string, items ...[2]string) map[string]any {
	var lis []any
	for _, it := range items {
		li := map[string]any{"activationId": it[0]}
		if it[1] != "" {
			li["count"] = it[1]
		}
		lis = append(lis, map[string]any{"lineItemIdentifier": li})
	}
	return map[string]any{"requestList": []any{map[string]any{"deviceIdentifier": ident(class, id), "lineItem": lis}}}
}

func TestAddOnMapping(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newTest(st)
	mapped := func(id, aid string) int {
		d, err := st.Device(state.DeviceKey{DeviceID: id})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range d.AddOns {
			if a.ActivationID == aid {
				return a.Count
			}
		}
		return -1
	}
	steps := []struct {
		op     string
		req    map[string]any
		status string
		count  int // DEV-ALPHA-02's mapping of AID-TEN after the step; -1: none
	}{
		{"linkAddonLineItems", lineReq("CLIENT", devA2, [2]string{aidTen, "3"}), success, 3},
		{"linkAddonLineItems", lineReq("CLIENT", devA2, [2]string{aidTen, ""}), success, 4}, // count absent: 1
		{"incrementAddonLineItems", lineReq("CLIENT", devA2, [2]string{aidTen, "2"}), success, 6},
		{"incrementAddonLineItems", lineReq("CLIENT", devA2, [2]string{aidTen, "5"}), failure, 6}, // 2 left on the line item
		{"decrementAddonLineItems", lineReq("CLIENT", devA2, [2]string{aidTen, "5"}), success, 1},
		{"decrementAddonLineItems", lineReq("CLIENT", devA2, [2]string{aidTen, "2"}), failure, 1},
		{"linkAddonLineItems", lineReq("CLIENT", devA2, [2]string{aidTwo, "1"}, [2]string{"NO-SUCH", "1"}), partialFailure, 1},
		{"deleteAddonLineItems", lineReq("CLIENT", devA2, [2]string{aidTen, ""}), success, -1},
		{"deleteAddonLineItems", lineReq("CLIENT", devA2, [2]string{aidTen, ""}), failure, -1},
		{"linkAddonLineItems", lineReq("SERVED_CLIENT", scD5, [2]string{aidTen, "1"}), failure, -1},
		{"linkAddonLineItems", lineReq("CLIENT", devB3, [2]string{aidTen, "1"}), failure, -1}, // obsolete device
	}
	for i, s := range steps {
		out := call(t, h, "v7", s.op, s.req)
		if statusOf(out) != s.status {
			t.Fatalf("step %d %s: %v, want %s", i+1, s.op, out, s.status)
		}
		if got := mapped(devA2, aidTen); got != s.count {
			t.Fatalf("step %d %s: mapping %d, want %d", i+1, s.op, got, s.count)
		}
		if s.status != success {
			fa := op.Objs(out, "failedData", "failAddon")
			if len(fa) == 0 || op.Str(fa[0], "reason") == "" || !op.Has(fa[0], "lineItem") || !op.Has(fa[0], "deviceIdentifier") {
				t.Errorf("step %d: failAddon %v", i+1, fa)
			}
		}
		if s.status != failure && len(op.Objs(out, "responseData", "deviceIdentifier")) != 1 {
			t.Errorf("step %d: responseData %v", i+1, out["responseData"])
		}
	}
	if it, _ := st.LineItem(aidTen); it.Remaining() != 8 {
		t.Errorf("AID-TEN remaining %d, want 8 (DEV-ALPHA-01 keeps 2)", it.Remaining())
	}
}

func TestZeroCountAddonLineItems(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	off := op.DefaultSettings()
	off.AllowZeroCountMapping = false
	out := call(t, newHandlers(st, off, testSigner), "v7", "zeroCountAddonLineItems", lineReq("SERVER", srvG4, [2]string{aidTen, "0"}))
	if statusOf(out) != failure || !strings.Contains(op.Str(out, "statusInfo", "reason"), "Allow mapping zero counts") || len(op.Objs(out, "failedData", "failAddon")) != 1 {
		t.Errorf("option off: %v", out)
	}
	h := newTest(st)
	// The count in the request is not validated (seed 002 L22).
	out = call(t, h, "v7", "zeroCountAddonLineItems", lineReq("SERVER", srvG4, [2]string{aidTen, "7"}, [2]string{aidTwo, ""}))
	if statusOf(out) != success {
		t.Fatalf("zero count: %v", out)
	}
	d, _ := st.Device(state.DeviceKey{DeviceID: srvG4})
	if len(d.AddOns) != 2 || d.AddOns[0].Count != 0 || d.AddOns[1].Count != 0 {
		t.Errorf("mappings %+v, want AID-TWO and AID-TEN at zero", d.AddOns)
	}
	if it, _ := st.LineItem(aidTwo); it.Remaining() != 2 {
		t.Errorf("AID-TWO remaining %d, want its copy back", it.Remaining())
	}
	// searchDevices lists the zero mapping (seed 002 L17).
	s := call(t, h, "v7", "searchDevices", map[string]any{"queryParams": map[string]any{"addOnActivationId": simple(aidTen, "EQUALS")},
		"responseConfig": map[string]any{"addOnActivationId": "true", "addOnCounts": "true"}})
	if got := ids(s); len(got) != 2 {
		t.Errorf("devices with AID-TEN: %v", got)
	}
	if out := call(t, h, "v7", "zeroCountAddonLineItems", lineReq("CLIENT", devA2, [2]string{aidTen, ""})); statusOf(out) != failure {
		t.Errorf("zero count on a client: %v", out)
	}
}

func TestGenerateCapabilityResponse(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newTest(st)
	out := call(t, h, "v7", "generateCapabilityResponse", map[string]any{"device": []any{
		map[string]any{"deviceIdentifier": ident("CLIENT", "BRAND-NEW"), "bufferLicense": "true",
			"lineItem":         []any{map[string]any{"lineItemIdentifier": map[string]any{"activationId": aidTen, "count": "3"}}},
			"vendorDictionary": map[string]any{"entry": []any{map[string]any{"name": "tier", "stringValue": "gold"}}}},
		// AID-TWO has 1 copy left: asking for 2 fails, and the AID-TEN copy
		// mapped before it in the same device is given back.
		map[string]any{"deviceIdentifier": ident("CLIENT", devA2), "lineItem": []any{
			map[string]any{"lineItemIdentifier": map[string]any{"activationId": aidTen, "count": "1"}},
			map[string]any{"lineItemIdentifier": map[string]any{"activationId": aidTwo, "count": "2"}}}},
	}})
	if statusOf(out) != partialFailure {
		t.Fatalf("%v", out)
	}
	devs := op.Objs(out, "responseData", "device")
	if len(devs) != 1 || op.Str(devs[0], "bufferLicense") != "true" || op.Str(devs[0], "deviceIdentifier", "deviceId") != "BRAND-NEW" {
		t.Fatalf("responseData %v", devs)
	}
	blob, err := base64.StdEncoding.DecodeString(op.Str(devs[0], "addonLicense"))
	if err != nil {
		t.Fatal(err)
	}
	body, err := testSigner.VerifyCapability(blob)
	if err != nil {
		t.Fatalf("the capability response does not verify: %v", err)
	}
	var p capPayload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.DeviceID != "BRAND-NEW" || len(p.AddOns) != 1 || p.AddOns[0].Count != 3 || len(p.AddOns[0].Features) != 2 || p.AddOns[0].Features[1].Count != 9 || p.VendorDictionary["tier"] != "gold" {
		t.Errorf("payload %+v", p)
	}
	blob[len(blob)-1] ^= 1
	if _, err := testSigner.VerifyCapability(blob); err == nil {
		t.Error("a tampered capability response verifies")
	}
	failed := op.Objs(out, "failedData", "failedDevice")
	if len(failed) != 1 || !strings.HasPrefix(op.Str(failed[0], "reason"), "lineItem 2:") {
		t.Errorf("failedData %v", failed)
	}
	if it, _ := st.LineItem(aidTen); it.Remaining() != 5 {
		t.Errorf("AID-TEN remaining %d, want 5 (2 on DEV-ALPHA-01, 3 on BRAND-NEW, the rolled-back copy returned)", it.Remaining())
	}
	// Asking again for the same count changes nothing; asking for less gives copies back.
	call(t, h, "v7", "generateCapabilityResponse", lineCap("BRAND-NEW", aidTen, "3"))
	call(t, h, "v7", "generateCapabilityResponse", lineCap("BRAND-NEW", aidTen, "1"))
	if it, _ := st.LineItem(aidTen); it.Remaining() != 7 {
		t.Errorf("AID-TEN remaining %d, want 7", it.Remaining())
	}
	if out := call(t, h, "v7", "generateCapabilityResponse", map[string]any{"request": []any{"AAEC"}}); statusOf(out) != failure || len(op.Objs(out, "failedData", "failedDevice")) != 1 {
		t.Errorf("binary request: %v", out)
	}
}

func lineCap(id, aid, count string) map[string]any {
	return map[string]any{"device": []any{map[string]any{"deviceIdentifier": ident("CLIENT", id),
		"lineItem": []any{map[string]any{"lineItemIdentifier": map[string]any{"activationId": aid, "count": count}}}}}}
}

func TestGeneratePrebuiltLicense(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newTest(st)
	out := call(t, h, "v1", "generatePrebuiltLicense", map[string]any{"requestDataList": []any{
		map[string]any{"deviceIdentifier": ident("CLIENT", devA2), "product": map[string]any{"primaryKeys": map[string]any{"name": "Widget", "version": "1.0"}},
			"licenseModel": map[string]any{"primaryKeys": map[string]any{"name": "Embedded Counted"}}, "startDate": "2025-03-01",
			"term": map[string]any{"numDuration": "2", "durationUnit": "MONTHS"}},
		map[string]any{"deviceIdentifier": ident("CLIENT", devA2), "product": map[string]any{"primaryKeys": map[string]any{"name": "Widget", "version": "9"}}},
	}})
	if statusOf(out) != partialFailure || len(op.Objs(out, "responseData", "deviceIdentifier")) != 1 {
		t.Fatalf("%v", out)
	}
	q := call(t, h, "v1", "getDevicesQuery", map[string]any{"queryParams": map[string]any{"preBuiltProductName": simple("Widget", "EQUALS")},
		"deviceResponseConfig": map[string]any{"preBuiltLicense": "true", "preBuiltProduct": "true"}, "pageNumber": "1", "batchSize": "10"})
	devs := op.Objs(q, "responseData", "device")
	if len(devs) != 1 || op.Str(devs[0], "hasPrebuiltLicense") != "true" || op.Str(devs[0], "preBuiltProduct", "name") != "Widget" {
		t.Fatalf("prebuilt licence not returned: %v", q)
	}
	text, _ := base64.StdEncoding.DecodeString(op.Str(devs[0], "prebuiltLicense"))
	if n, err := testSigner.VerifyLicenseText(string(text)); err != nil || n != 2 {
		t.Errorf("licence text: %d signed lines, %v\n%s", n, err, text)
	}
	if !strings.Contains(string(text), "HOSTID="+devA2) || !strings.Contains(string(text), "1-may-2025") {
		t.Errorf("licence text lacks the host or the term's expiry:\n%s", text)
	}
}

// TestAddOnRaceNeverOversells maps one line item of N copies from many
// goroutines at once, through linkAddonLineItems and
// generateCapabilityResponse: exactly N mappings succeed, the rest fail
// with a reason, and the line item ends with no copy left.
func TestAddOnRaceNeverOversells(t *testing.T) {
	t.Parallel()
	for _, opName := range []string{"linkAddonLineItems", "generateCapabilityResponse"} {
		t.Run(opName, func(t *testing.T) {
			t.Parallel()
			const copies, racers = 10, 64
			st := fixture(t)
			if _, err := st.CreateEntitlement(state.Entitlement{ID: "ENT-RACE", State: state.Deployed}, []state.LineItem{
				{ActivationID: "AID-RACE", Product: state.ProductKey{Name: "Widget", Version: "1.0"}, Copies: copies, Permanent: true}}); err != nil {
				t.Fatal(err)
			}
			h := newTest(st)
			var ok, failed atomic.Int64
			var wg sync.WaitGroup
			for i := range racers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					id := fmt.Sprintf("RACER-%02d", i)
					req := lineCap(id, "AID-RACE", "1")
					if opName == "linkAddonLineItems" {
						if _, err := st.CreateDevice(state.Device{Class: state.Client, DeviceID: id}); err != nil {
							t.Error(err)
							return
						}
						req = lineReq("CLIENT", id, [2]string{"AID-RACE", "1"})
					}
					out := call(t, h, "v7", opName, req)
					switch statusOf(out) {
					case success:
						ok.Add(1)
					case failure:
						if !strings.Contains(fmt.Sprint(out["failedData"]), "not enough remaining copies") {
							t.Errorf("failure without the reason: %v", out)
						}
						failed.Add(1)
					default:
						t.Errorf("status %s", statusOf(out))
					}
				}()
			}
			wg.Wait()
			if ok.Load() != copies || failed.Load() != racers-copies {
				t.Errorf("%d succeeded and %d failed, want %d and %d", ok.Load(), failed.Load(), copies, racers-copies)
			}
			it, _ := st.LineItem("AID-RACE")
			n, _ := st.CountDevices(state.DeviceQuery{AddOnActivationID: state.Match{Value: "AID-RACE", Type: state.Equals}})
			if it.Remaining() != 0 || n != copies {
				t.Errorf("remaining %d and %d devices mapped, want 0 and %d", it.Remaining(), n, copies)
			}
		})
	}
}
