package producer_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/entitlements"
	"github.com/fnokit/fnokit/internal/emulator/producer"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/emulator/sign"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
)

var widget = map[string]any{"primaryKeys": map[string]any{"name": "Widget", "version": "1.0"}}

// startEmulator starts an emulator whose entitlement handlers ask p, with
// a product Widget 1.0 to entitle.
func startEmulator(t *testing.T, p entitlements.Producer) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.Start(context.Background(), emulator.Config{
		Seed:  3,
		Sizes: state.Sizes{Accounts: 3, Products: 2, Entitlements: 3, Devices: 5, Fulfillments: 2},
		Register: func(r *op.Registry, st *state.Store, s op.Settings) {
			if _, err := st.AddLicenseModel(state.LicenseModel{Name: "Widget Node", Technology: "FlexNet Publisher"}); err != nil {
				t.Error(err)
			}
			if _, err := st.AddProduct(state.Product{Name: "Widget", Version: "1.0", LicenseModels: []string{"Widget Node"}}); err != nil {
				t.Error(err)
			}
			entitlements.RegisterWithProducer(r, st, s, sign.New(3), p)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close(context.Background()) })
	return emu
}

// call sends one SOAP request of service v1 to the emulator and returns the
// response payload as values, and the response's headers.
func call(t *testing.T, emu *emulator.Emulator, service, operation string, content map[string]any) (map[string]any, http.Header) {
	t.Helper()
	p, err := project.For(service, "v1")
	if err != nil {
		t.Fatal(err)
	}
	payload, err := p.RequestPayload(operation, content)
	if err != nil {
		t.Fatal(err)
	}
	req, err := soap.NewRequest(context.Background(), emu.URL(), contract.Operation{Service: service, Version: "v1", Name: operation}, payload, soap.Basic("admin", "admin"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	resp, err := soap.Parse(res.Body, xmltree.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Fault != nil {
		t.Fatalf("%s: %v", operation, resp.Fault)
	}
	return soap.ToMap(resp.Payload, p.Model()), res.Header
}

func createSimple() map[string]any {
	return map[string]any{"simpleEntitlement": map[string]any{
		"entitlementId": map[string]any{"autoGenerate": "true"},
		"autoDeploy":    "true",
		"lineItems": map[string]any{
			"activationId":   map[string]any{"autoGenerate": "true"},
			"product":        widget,
			"numberOfCopies": "5",
		},
	}}
}

func nodeHost(id string) map[string]any {
	return map[string]any{"nodeIds": map[string]any{"nodeId": id}}
}

// Over SOAP, with the reference producer: entitlement, activation, web
// register key and fulfilment IDs are the producer's, and fulfilments
// carry its licence text; the time spent shows in Server-Timing.
func TestSOAPValuesFromProducer(t *testing.T) {
	t.Parallel()
	ref, _, url := reference(t, producer.ReferenceConfig{Prefix: "ACME-"})
	emu := startEmulator(t, client(t, producer.Config{IDGeneratorURL: url, LicenseGeneratorURL: url}))
	eo, lic := entitlements.EntitlementOrder, entitlements.License

	out, hdr := call(t, emu, eo, "createSimpleEntitlement", createSimple())
	if op.Str(out, "statusInfo", "status") != "SUCCESS" {
		t.Fatalf("createSimpleEntitlement: %v", out)
	}
	created := op.List(out, "responseData", "createdSimpleEntitlement")[0]
	entID := op.Str(created, "entitlementId")
	aid := op.Str(op.List(created, "lineItemIdentifiers")[0], "primaryKeys", "activationId")
	if entID != "ACME-ENT-1" || aid != "ACME-AID-1" {
		t.Fatalf("IDs %q, %q are not the producer's", entID, aid)
	}
	if !strings.Contains(strings.Join(hdr.Values("Server-Timing"), ","), producer.TimingName+";dur=") {
		t.Errorf("no %s in Server-Timing: %v", producer.TimingName, hdr.Values("Server-Timing"))
	}

	out, _ = call(t, emu, eo, "createEntitlementLineItem", map[string]any{"lineItem": map[string]any{
		"entitlementIdentifier": map[string]any{"primaryKeys": map[string]any{"entitlementId": entID}},
		"lineItems":             map[string]any{"activationId": map[string]any{"autoGenerate": "true"}, "product": widget, "numberOfCopies": "2"},
	}})
	added := op.List(out, "responseData", "addedLineItems")
	if len(added) != 1 || op.Str(op.List(added[0], "lineItemIdentifiers")[0], "primaryKeys", "activationId") != "ACME-AID-2" {
		t.Fatalf("createEntitlementLineItem: %v", out)
	}

	out, _ = call(t, emu, eo, "createBulkEntitlement", map[string]any{"bulkEntitlement": map[string]any{
		"entitlementId": map[string]any{"autoGenerate": "true"}, "product": widget, "numberOfCopies": "10",
	}})
	bulk := op.List(out, "responseData", "createdBulkEntitlement")
	if len(bulk) != 1 || op.Str(bulk[0], "bulkEntitlementId") != "ACME-ENT-2" {
		t.Fatalf("createBulkEntitlement: %v", out)
	}
	if e, err := emu.Store().Entitlement("ACME-ENT-2"); err != nil || len(e.LineItems) != 1 || e.LineItems[0] != "ACME-WRK-1" {
		t.Fatalf("bulk entitlement's key is not the producer's: %+v, %v", e, err)
	}

	out, _ = call(t, emu, lic, "createLicense", map[string]any{"fulfillment": map[string]any{"activationId": aid, "fulfillCount": "1", "nodeIds": map[string]any{"nodeId": "host-1"}}})
	ful := op.List(out, "responseData", "createdFulfillment")
	if len(ful) != 1 || op.Str(ful[0], "fulfillmentId") != "ACME-FID-1" || !strings.Contains(op.Str(ful[0], "licenseText"), "LICENSE ACME-LIC-1") {
		t.Fatalf("createLicense: %v", out)
	}

	out, _ = call(t, emu, lic, "rehostLicense", map[string]any{"fulfillment": map[string]any{
		"fulfillmentIdentifier": map[string]any{"primaryKeys": map[string]any{"fulfillmentId": "ACME-FID-1"}}, "nodeIds": map[string]any{"nodeId": "host-2"},
	}})
	re := op.List(out, "responseData", "fulfillmentData")
	if len(re) != 1 {
		t.Fatalf("rehostLicense: %v", out)
	}
	if f := op.List(re[0], "fulfillment")[0]; op.Str(f, "fulfillmentIdentifier", "primaryKeys", "fulfillmentId") != "ACME-FID-2" ||
		!strings.Contains(op.Str(f, "licenseText"), "LICENSE ACME-LIC-2") {
		t.Fatalf("rehostLicense: %v", f)
	}

	out, _ = call(t, emu, lic, "createLicensesAsBatch", map[string]any{
		"activationIds":      map[string]any{"activationId": aid},
		"hostIdDataSet":      map[string]any{"hostIdData": nodeHost("host-3")},
		"commonBatchDataSet": "",
	})
	batch := op.List(out, "responseData", "fulfillment")
	if len(batch) != 1 || op.Str(batch[0], "fulfillmentIdentifier", "primaryKeys", "fulfillmentId") != "ACME-FID-3" {
		t.Fatalf("createLicensesAsBatch: %v", out)
	}
	if f, err := emu.Store().Fulfillment("ACME-FID-3"); err != nil || !strings.Contains(f.LicenseText, "LICENSE ACME-LIC-3") {
		t.Fatalf("stored batch fulfilment: %v", err)
	}
	if ref.Count(producer.OpLicense) != 3 || ref.Count(producer.OpFulfillmentID) != 3 {
		t.Errorf("the producer made %d licences and %d fulfilment IDs, want 3 each", ref.Count(producer.OpLicense), ref.Count(producer.OpFulfillmentID))
	}
}

// Over SOAP, with a producer that answers HTTP 500: deny fails the record
// with a FAILURE naming the generator and the kind, and stores nothing;
// fallback stores the record with the emulator's own IDs and licence.
func TestSOAPProducerDown(t *testing.T) {
	t.Parallel()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	t.Cleanup(down.Close)
	eo, lic := entitlements.EntitlementOrder, entitlements.License

	t.Run("deny", func(t *testing.T) {
		t.Parallel()
		// IDs from the emulator, licences from the (down) producer.
		emu := startEmulator(t, client(t, producer.Config{LicenseGeneratorURL: down.URL}))
		before := emu.Store().Counts().Entitlements
		out, _ := call(t, emu, eo, "createSimpleEntitlement", createSimple())
		if op.Str(out, "statusInfo", "status") != "SUCCESS" {
			t.Fatalf("no ID generator configured, yet: %v", out)
		}
		created := op.List(out, "responseData", "createdSimpleEntitlement")[0]
		aid := op.Str(op.List(created, "lineItemIdentifiers")[0], "primaryKeys", "activationId")
		out, _ = call(t, emu, lic, "createLicense", map[string]any{"fulfillment": map[string]any{"activationId": aid, "fulfillCount": "1", "nodeIds": map[string]any{"nodeId": "host-1"}}})
		if op.Str(out, "statusInfo", "status") != "FAILURE" {
			t.Fatalf("createLicense with the licence generator down: %v", out)
		}
		why := op.Str(op.List(out, "failedData", "failedFulfillment")[0], "reason")
		if !strings.Contains(why, "licence generator") || !strings.Contains(why, "(status)") {
			t.Errorf("the reason does not name the generator and the kind: %s", why)
		}
		if it, _ := emu.Store().LineItem(aid); it.Fulfilled != 0 {
			t.Errorf("a denied fulfilment consumed %d copies", it.Fulfilled)
		}
		if n := emu.Store().Counts().Entitlements; n != before+1 {
			t.Errorf("%d entitlements, want %d", n, before+1)
		}

		ids := startEmulator(t, client(t, producer.Config{IDGeneratorURL: down.URL}))
		before = ids.Store().Counts().Entitlements
		out, _ = call(t, ids, eo, "createSimpleEntitlement", createSimple())
		if op.Str(out, "statusInfo", "status") != "FAILURE" {
			t.Fatalf("createSimpleEntitlement with the ID generator down: %v", out)
		}
		why = op.Str(op.List(out, "failedData", "failedSimpleEntitlement")[0], "reason")
		if !strings.Contains(why, "ID generator") || !strings.Contains(why, producer.OpEntitlementID) {
			t.Errorf("the reason does not name the generator: %s", why)
		}
		if n := ids.Store().Counts().Entitlements; n != before {
			t.Errorf("a denied entitlement was stored")
		}
	})

	t.Run("fallback", func(t *testing.T) {
		t.Parallel()
		emu := startEmulator(t, client(t, producer.Config{IDGeneratorURL: down.URL, LicenseGeneratorURL: down.URL, Failure: producer.FailFallback}))
		out, _ := call(t, emu, eo, "createSimpleEntitlement", createSimple())
		if op.Str(out, "statusInfo", "status") != "SUCCESS" {
			t.Fatalf("createSimpleEntitlement: %v", out)
		}
		created := op.List(out, "responseData", "createdSimpleEntitlement")[0]
		aid := op.Str(op.List(created, "lineItemIdentifiers")[0], "primaryKeys", "activationId")
		if op.Str(created, "entitlementId") == "" || aid == "" {
			t.Fatalf("no IDs: %v", created)
		}
		out, _ = call(t, emu, lic, "createLicense", map[string]any{"fulfillment": map[string]any{"activationId": aid, "fulfillCount": "1", "nodeIds": map[string]any{"nodeId": "host-1"}}})
		ful := op.List(out, "responseData", "createdFulfillment")
		if len(ful) != 1 || op.Str(ful[0], "licenseText") == "" || op.Str(ful[0], "fulfillmentId") == "" {
			t.Fatalf("createLicense: %v", out)
		}
	})
}

// emulator.Config.Producer wires the generators into the built-in
// handlers (no Register override), with the emulator's metrics.
func TestEmulatorConfigProducer(t *testing.T) {
	t.Parallel()
	_, _, url := reference(t, producer.ReferenceConfig{Prefix: "CFG-"})
	emu, err := emulator.Start(context.Background(), emulator.Config{
		Seed:     3,
		Sizes:    state.Sizes{Accounts: 3, Products: 2, Entitlements: 3, Devices: 5, Fulfillments: 2},
		Producer: producer.Config{IDGeneratorURL: url},
		Register: func(_ *op.Registry, st *state.Store, _ op.Settings) {
			// Only the catalogue: the handlers stay the built-in ones.
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
	out, _ := call(t, emu, entitlements.EntitlementOrder, "createSimpleEntitlement", createSimple())
	created := op.List(out, "responseData", "createdSimpleEntitlement")
	if len(created) != 1 || !strings.HasPrefix(op.Str(created[0], "entitlementId"), "CFG-") {
		t.Fatalf("entitlement ID is not the producer's: %v", out)
	}
	var buf strings.Builder
	emu.Metrics().WriteTo(&buf)
	if !strings.Contains(buf.String(), "fnokit_emulator_producer_duration_seconds_count") {
		t.Error("the producer's calls are not in the emulator's metrics")
	}
}
