package devices

import (
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// BenchmarkHandlers measures the handlers alone (no HTTP, no XML) over a
// generated 10,000-device data set: a page of 100 devices per search type
// with a few response switches on, and one signed capability response.
func BenchmarkHandlers(b *testing.B) {
	st := state.Generate(state.Sizes{Accounts: 200, Products: 40, Entitlements: 2000, Devices: 10000, Fulfillments: 10}, 1)
	ds, err := st.Devices(state.DeviceQuery{}, state.Page{Number: 1, Size: 1})
	if err != nil || len(ds) == 0 {
		b.Fatalf("no device: %v", err)
	}
	id := ds[0].DeviceID
	h := newTest(st)
	cfg := map[string]any{"name": "true", "status": "true", "soldTo": "true", "addOnActivationId": "true", "addOnCounts": "true"}
	for _, c := range []struct{ name, value, searchType string }{
		{"EQUALS", id, "EQUALS"}, {"STARTS_WITH", id[:3], "STARTS_WITH"}, {"ENDS_WITH", id[len(id)-3:], "ENDS_WITH"}, {"CONTAINS", id[2:6], "CONTAINS"},
	} {
		req := map[string]any{"queryParams": map[string]any{"deviceId": simple(c.value, c.searchType)}, "responseConfig": cfg, "batchSize": "100"}
		b.Run("searchDevices/"+c.name, func(b *testing.B) {
			for b.Loop() {
				call(b, h, "v7", "searchDevices", req)
			}
		})
	}
	b.Run("generateCapabilityResponse", func(b *testing.B) {
		req := map[string]any{"device": []any{map[string]any{"deviceIdentifier": map[string]any{"deviceType": string(ds[0].Class), "deviceId": id}}}}
		for b.Loop() {
			call(b, h, "v7", "generateCapabilityResponse", req)
		}
	})
}
