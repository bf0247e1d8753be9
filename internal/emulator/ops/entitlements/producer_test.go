package entitlements

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// fakeProducer answers fixed values (or fails) and records what it was
// asked.
type fakeProducer struct {
	mu    sync.Mutex
	asked []string
	value string // "" lets the emulator generate
	err   error
}

func (f *fakeProducer) ask(what string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, what)
	if f.err != nil || f.value == "" {
		return "", f.err
	}
	return f.value + "-" + what + "-" + itoa(len(f.asked)), nil
}

func (f *fakeProducer) EntitlementID(context.Context, state.Entitlement) (string, error) {
	return f.ask("ENT")
}
func (f *fakeProducer) LineItemID(context.Context, state.Entitlement, state.LineItem) (string, error) {
	return f.ask("AID")
}
func (f *fakeProducer) WebRegKey(context.Context, state.Entitlement, state.LineItem) (string, error) {
	return f.ask("WRK")
}
func (f *fakeProducer) FulfillmentID(context.Context, state.Fulfillment) (string, error) {
	return f.ask("FID")
}
func (f *fakeProducer) LicenseText(context.Context, state.Fulfillment) (string, error) {
	return f.ask("LIC")
}

func withProducer(t *testing.T, p Producer) *handlers {
	h := newHandlers(fixture(t), op.DefaultSettings(), testSigner)
	h.prod = p
	return h
}

func simpleReq(entID string, aids ...string) map[string]any {
	var items []any
	for _, a := range aids {
		id := map[string]any{"autoGenerate": "true"}
		if a != "" {
			id = map[string]any{"id": a}
		}
		items = append(items, map[string]any{"activationId": id, "product": map[string]any{"primaryKeys": map[string]any{"name": "CloudSync", "version": "1.0"}}, "numberOfCopies": "2"})
	}
	id := map[string]any{"autoGenerate": "true"}
	if entID != "" {
		id = map[string]any{"id": entID}
	}
	return map[string]any{"simpleEntitlement": []any{map[string]any{"entitlementId": id, "autoDeploy": "true", "lineItems": items}}}
}

// Only the IDs the request leaves to be generated are asked for, the
// entitlement's before its line items'.
func TestProducerAskedForGeneratedIDsOnly(t *testing.T) {
	t.Parallel()
	p := &fakeProducer{value: "P"}
	h := withProducer(t, p)
	out := call(t, h, EntitlementOrder, "v1", "createSimpleEntitlement", simpleReq("", "", "AID-GIVEN"))
	if statusOf(out) != statusSuccess {
		t.Fatalf("%v", out)
	}
	if got := strings.Join(p.asked, ","); got != "ENT,AID" {
		t.Fatalf("asked %s, want ENT,AID", got)
	}
	if _, err := h.st.Entitlement("P-ENT-1"); err != nil {
		t.Fatal(err)
	}
	if it, err := h.st.LineItem("P-AID-2"); err != nil || it.EntitlementID != "P-ENT-1" {
		t.Fatalf("line item: %+v, %v", it, err)
	}
	p.asked = nil
	out = call(t, h, EntitlementOrder, "v1", "createSimpleEntitlement", simpleReq("ENT-GIVEN", "AID-GIVEN-2"))
	if statusOf(out) != statusSuccess || len(p.asked) != 0 {
		t.Fatalf("given IDs: asked %v, %v", p.asked, out["statusInfo"])
	}
}

// A producer's error is the record's reason, and nothing is stored or
// consumed; an empty answer lets the emulator make the value.
func TestProducerErrorIsTheReason(t *testing.T) {
	t.Parallel()
	const why = "the producer's ID generator gave no usable answer (timeout)"
	h := withProducer(t, &fakeProducer{err: errors.New(why)})
	before := h.st.Counts().Entitlements
	out := call(t, h, EntitlementOrder, "v1", "createSimpleEntitlement", simpleReq("", ""))
	failed := op.List(out, "failedData", "failedSimpleEntitlement")
	if statusOf(out) != statusFailure || len(failed) != 1 || op.Str(failed[0], "reason") != why {
		t.Fatalf("%v", out)
	}
	if h.st.Counts().Entitlements != before {
		t.Fatal("a failed record was stored")
	}
	out = call(t, h, License, "v1", "createLicense", map[string]any{"fulfillment": []any{createReq("AID-PP-1", 1, nodeHost("h1"))}})
	if statusOf(out) != statusFailure {
		t.Fatalf("createLicense: %v", out)
	}
	if it, _ := h.st.LineItem("AID-PP-1"); it.Fulfilled != 0 {
		t.Fatal("a failed fulfilment consumed copies")
	}
	out = call(t, h, License, "v1", "createLicensesAsBatch", map[string]any{
		"activationIds": map[string]any{"activationId": []any{"AID-PP-1"}},
		"hostIdDataSet": map[string]any{"hostIdData": []any{nodeHost("h1")}},
	})
	if statusOf(out) != statusFailure || !strings.Contains(op.Str(out, "statusInfo", "reason"), why) {
		t.Fatalf("createLicensesAsBatch: %v", out)
	}

	h = withProducer(t, &fakeProducer{})
	out = call(t, h, License, "v1", "createLicense", map[string]any{"fulfillment": []any{createReq("AID-PP-1", 1, nodeHost("h1"))}})
	ful := op.List(out, "responseData", "createdFulfillment")
	if len(ful) != 1 || !strings.Contains(op.Str(ful[0], "licenseText"), "INCREMENT") {
		t.Fatalf("an empty answer should give the emulator's signed licence: %v", out)
	}
}

// A bulk entitlement's item takes a web register key; rehost and repair
// take a new fulfilment ID and licence.
func TestProducerBulkAndLifecycle(t *testing.T) {
	t.Parallel()
	p := &fakeProducer{value: "P"}
	h := withProducer(t, p)
	out := call(t, h, EntitlementOrder, "v1", "createBulkEntitlement", map[string]any{"bulkEntitlement": []any{map[string]any{
		"entitlementId": map[string]any{"autoGenerate": "true"}, "numberOfCopies": "3"}}})
	if statusOf(out) != statusSuccess {
		t.Fatalf("%v", out)
	}
	if e, err := h.st.Entitlement("P-ENT-1"); err != nil || len(e.LineItems) != 1 || e.LineItems[0] != "P-WRK-2" {
		t.Fatalf("bulk: %+v, %v", e, err)
	}
	p.asked = nil
	out = call(t, h, License, "v1", "createLicense", map[string]any{"fulfillment": []any{createReq("AID-PP-1", 1, nodeHost("h1"))}})
	ful := op.List(out, "responseData", "createdFulfillment")
	if len(ful) != 1 || op.Str(ful[0], "fulfillmentId") != "P-FID-1" || op.Str(ful[0], "licenseText") != "P-LIC-2" {
		t.Fatalf("createLicense: %v", out)
	}
	out = call(t, h, License, "v1", "repairLicense", map[string]any{"fulfillment": []any{map[string]any{"fulfillmentIdentifier": fulIdent("P-FID-1")}}})
	if f, err := h.st.Fulfillment("P-FID-3"); err != nil || f.Parent != "P-FID-1" || f.LicenseText != "P-LIC-4" || f.SupportAction != "REPAIR" {
		t.Fatalf("repair: %+v, %v (%v)", f, err, out)
	}
}
