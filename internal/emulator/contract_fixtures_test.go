package emulator_test

import (
	"slices"
	"testing"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/emulator"
)

// harnessConfig is the emulator of each version's sweep: the sweep's
// default (a fixed seed, a small data set: the harness checks shapes, not
// scale).
func harnessConfig() emulator.Config { return conformance.EmulatorConfig() }

// The fixtures of the sweep (conformance.StoreRecords) need one record of
// every kind from the harness's data set, or the calls that name them turn
// from SUCCESS into FAILURE without failing the harness: this test keeps the
// data set and the fixtures in step.
func TestHarnessDataSetHasEveryFixture(t *testing.T) {
	t.Parallel()
	emu, err := emulator.Start(t.Context(), harnessConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close(t.Context())
	r := conformance.StoreRecords(emu.Store())
	checks := []struct {
		what string
		ok   bool
	}{
		{"a client for reads and one per retiring device operation (4)", len(r.Clients) >= 4},
		{"a license server", r.Server != nil && r.Server.Class == "SERVER"},
		{"a line item with remaining copies", r.ActivationID != ""},
		{"the line item's entitlement", r.EntitlementID != ""},
		{"a spare entitlement without fulfilled copies", r.SpareEntitlementID != "" && r.SpareEntitlementID != r.EntitlementID},
		{"an active fulfilment for reads and one per retiring licence operation (4)", len(r.FulfillmentIDs) >= 4},
		{"an account", r.Account != nil && r.Account.ID != "" && r.Account.Name != ""},
		{"a user", r.UserName != ""},
		{"a product", r.Product != nil && r.Product.Name != ""},
		{"a license model", r.LicenseModel != ""},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("the harness data set lacks %s", c.what)
		}
	}
	for i, d := range r.Clients {
		if d.Class != "CLIENT" || d.ID == "" {
			t.Errorf("client %d: class %q, id empty %v", i, d.Class, d.ID == "")
		}
	}
	if len(r.Clients) > 1 && slices.ContainsFunc(r.Clients[1:], func(d conformance.Device) bool { return d.ID == r.Clients[0].ID }) {
		t.Error("a retiring operation shares the device the reads use")
	}
}
