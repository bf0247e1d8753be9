package producer_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/entapi"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/producer"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// startConfigured starts an emulator whose built-in handlers and APIs use
// the producer pc (emulator.Config.Producer), with a product Widget 1.0.
func startConfigured(t *testing.T, pc producer.Config) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.Start(context.Background(), emulator.Config{
		Seed:     3,
		Sizes:    state.Sizes{Accounts: 3, Products: 2, Entitlements: 3, Devices: 5, Fulfillments: 2},
		Producer: pc,
		Register: func(_ *op.Registry, st *state.Store, _ op.Settings) {
			if _, err := st.AddLicenseModel(state.LicenseModel{Name: "Widget Node", Technology: "FlexNet Publisher"}); err != nil {
				t.Error(err)
			}
			if _, err := st.AddProduct(state.Product{Name: "Widget", Version: "1.0", LicenseModels: []string{"Widget Node"}}); err != nil {
				t.Error(err)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close(context.Background()) })
	return emu
}

// postBeta sends a JSON body to the Entitlements API beta as the default
// web-services user and returns the status and the decoded answer.
func postBeta(t *testing.T, emu *emulator.Emulator, path string, body any) (int, map[string]any) {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, emu.URL()+path, strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth("admin", "admin")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("status %d, not JSON: %s", res.StatusCode, raw)
	}
	return res.StatusCode, out
}

var betaItem = map[string]any{
	"product":      []any{map[string]any{"productName": "Widget", "productVersion": "1.0"}},
	"startDate":    "2026-01-01",
	"autoGenerate": true,
}

// Over the Entitlements API beta, with the reference producer configured
// through emulator.Config.Producer: generated entitlement and activation
// IDs are the producer's, as over SOAP.
func TestBetaValuesFromProducer(t *testing.T) {
	t.Parallel()
	ref, _, url := reference(t, producer.ReferenceConfig{Prefix: "BETA-"})
	emu := startConfigured(t, producer.Config{IDGeneratorURL: url})

	status, out := postBeta(t, emu, entapi.PathEntitlement, map[string]any{"autoGenerate": true, "lineItems": []any{betaItem}})
	if status != http.StatusCreated {
		t.Fatalf("create: status %d: %v", status, out)
	}
	entID, _ := out["entitlementId"].(string)
	aids, _ := out["activationIds"].([]any)
	if !strings.HasPrefix(entID, "BETA-ENT-") || len(aids) != 1 || !strings.HasPrefix(aids[0].(string), "BETA-AID-") {
		t.Fatalf("IDs %q, %v are not the producer's", entID, aids)
	}
	if e, err := emu.Store().Entitlement(entID); err != nil || len(e.LineItems) != 1 || e.LineItems[0] != aids[0] {
		t.Fatalf("stored %+v, %v", e, err)
	}

	status, out = postBeta(t, emu, entapi.LineItemsPath(entID), map[string]any{"lineItems": []any{betaItem}})
	added, _ := out["activationIds"].([]any)
	if status != http.StatusCreated || len(added) != 1 || !strings.HasPrefix(added[0].(string), "BETA-AID-") {
		t.Fatalf("add line items: status %d: %v", status, out)
	}
	if ref.Count(producer.OpEntitlementID) != 1 || ref.Count(producer.OpLineItemID) != 2 {
		t.Errorf("the producer made %d entitlement and %d line item IDs, want 1 and 2",
			ref.Count(producer.OpEntitlementID), ref.Count(producer.OpLineItemID))
	}
}

// With the ID generator down and the failure mode deny, a beta create
// fails with 502 naming the generator, and nothing is stored.
func TestBetaProducerDown(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	t.Cleanup(down.Close)
	emu := startConfigured(t, producer.Config{IDGeneratorURL: down.URL})
	before := emu.Store().Counts()
	status, out := postBeta(t, emu, entapi.PathEntitlement, map[string]any{"autoGenerate": true, "lineItems": []any{betaItem}})
	if status != http.StatusBadGateway {
		t.Fatalf("status %d, want 502: %v", status, out)
	}
	if msg, _ := json.Marshal(out); !strings.Contains(string(msg), producer.OpEntitlementID) || !strings.Contains(string(msg), "(status)") {
		t.Errorf("the answer does not name the generator and the kind: %s", msg)
	}
	if after := emu.Store().Counts(); after != before {
		t.Errorf("counts %+v after the failure, %+v before", after, before)
	}
}
