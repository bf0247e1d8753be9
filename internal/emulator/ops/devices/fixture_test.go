package devices

import (
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/opstest"
	"github.com/fnokit/fnokit/internal/emulator/sign"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// now is the fixed clock of every test.
var now = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// The fixture: two accounts, one product with two features, three
// deployed line items (AID-TEN with 10 copies, AID-TWO with 2, AID-OLD
// expiring), and devices of every class:
//
//	CLIENT   DEV-ALPHA-01   alias "alpha one"   ACME   site Oslo     user ann   AID-TEN x2
//	CLIENT   DEV-ALPHA-02   alias "alpha two"   ACME   site Bergen
//	CLIENT   DEV-BETA-03    alias "beta three"  BETA   site Oslo     (OBSOLETE)
//	SERVER   SRV-GAMMA-04   alias "gamma"       BETA   CLOUD         AID-TWO x1
//	SERVED   SC-DELTA-05    served by SRV-GAMMA-04
const (
	devA1, devA2, devB3, srvG4, scD5 = "DEV-ALPHA-01", "DEV-ALPHA-02", "DEV-BETA-03", "SRV-GAMMA-04", "SC-DELTA-05"
	aidTen, aidTwo, aidOld           = "AID-TEN", "AID-TWO", "AID-OLD"
)

func fixture(t testing.TB) *state.Store {
	t.Helper()
	st := state.New(7)
	st.SetClock(func() time.Time { return now })
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture %s: %v", what, err)
		}
	}
	for _, a := range []state.Account{{ID: "ACME", Name: "Acme Corp", Type: state.Customer}, {ID: "BETA", Name: "Beta Industries", Type: state.Customer}} {
		_, err := st.CreateAccount(a, false)
		must("account", err)
	}
	_, err := st.AddLicenseModel(state.LicenseModel{Name: "Embedded Counted", Technology: "FlexNet Embedded"})
	must("license model", err)
	_, err = st.AddProduct(state.Product{Name: "Widget", Version: "1.0", ProductLine: "Widgets",
		Features: []state.FeatureCount{{Name: "f_core", Version: "1.0", Count: 1}, {Name: "f_extra", Version: "2.0", Count: 3}}})
	must("product", err)
	_, err = st.CreateEntitlement(state.Entitlement{ID: "ENT-ONE", SoldTo: "ACME", State: state.Deployed}, []state.LineItem{
		{ActivationID: aidTen, Product: state.ProductKey{Name: "Widget", Version: "1.0"}, PartNumber: "PN-W", LicenseModel: "Embedded Counted", Copies: 10, Permanent: true},
		{ActivationID: aidTwo, Product: state.ProductKey{Name: "Widget", Version: "1.0"}, Copies: 2, Expiration: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC)},
		{ActivationID: aidOld, Product: state.ProductKey{Name: "Widget", Version: "1.0"}, Copies: 5, Expiration: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)},
	})
	must("entitlement", err)
	for _, d := range []state.Device{
		{Class: state.Client, DeviceID: devA1, Alias: "alpha one", SoldTo: "ACME", SiteName: "Oslo", User: "ann", Description: "first", HostType: "FLX_CLIENT", MachineType: "PHYSICAL"},
		{Class: state.Client, DeviceID: devA2, Alias: "alpha two", SoldTo: "ACME", SiteName: "Bergen", HostType: "FLX_CLIENT"},
		{Class: state.Client, DeviceID: devB3, Alias: "beta three", SoldTo: "BETA", SiteName: "Oslo", Status: state.DeviceObsolete},
		{Class: state.Server, DeviceID: srvG4, Alias: "gamma", SoldTo: "BETA", Deployment: "CLOUD", IDType: state.IDEthernet},
		{Class: state.ServedClient, DeviceID: scD5, Alias: "delta", Parent: state.DeviceRef{DeviceID: srvG4}, Served: state.ServedNormal},
	} {
		_, err := st.CreateDevice(d)
		must("device "+d.DeviceID, err)
	}
	_, err = st.LinkAddOn(state.DeviceKey{DeviceID: devA1}, aidTen, 2, time.Time{})
	must("add-on", err)
	_, err = st.LinkAddOn(state.DeviceKey{DeviceID: srvG4}, aidTwo, 1, time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))
	must("add-on", err)
	return st
}

// testSigner is the key every test signs with.
var testSigner = sign.New(42)

// newTest builds handlers over st with the default settings.
func newTest(st *state.Store) *handlers {
	return newHandlers(st, op.DefaultSettings(), testSigner)
}

// call runs one operation of one version on h through a registry, as the
// server does.
func call(t testing.TB, h *handlers, version, operation string, req map[string]any) map[string]any {
	t.Helper()
	r := op.NewRegistry()
	h.register(r)
	return opstest.Call(t, r, Service, version, operation, req, now)
}

// statusOf is statusInfo/status.
var statusOf = opstest.Status

// ident is a deviceIdentifier request value.
func ident(class, id string) map[string]any {
	return map[string]any{"deviceType": class, "deviceId": id}
}

// simple is a SimpleQueryType request value.
var simple = opstest.Simple

// ids lists the deviceId values of a getDevicesQuery or searchDevices answer.
func ids(out map[string]any) []string {
	var got []string
	for _, d := range op.Objs(out, "responseData", "device") {
		got = append(got, op.Str(d, "deviceIdentifier", "deviceId"))
	}
	for _, d := range op.Objs(out, "devices", "device") {
		got = append(got, op.Str(d, "deviceId", "id"))
	}
	return got
}
