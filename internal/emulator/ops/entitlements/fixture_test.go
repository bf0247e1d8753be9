package entitlements

import (
	"fmt"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/opstest"
	"github.com/fnokit/fnokit/internal/emulator/sign"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

var testSigner = sign.New(11)

var testNow = time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)

// Accounts of the fixture; the first seven are customers of the v8 tests.
var fixtureAccounts = []string{"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne"}

// fixture is a small store: accounts, a user, two license models, two
// products (one with features and a part number) and two deployed
// entitlements with line items, one fulfilment.
func fixture(t testing.TB) *state.Store {
	t.Helper()
	st := state.New(1)
	st.SetClock(func() time.Time { return testNow })
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, name := range fixtureAccounts {
		must(st.CreateAccount(state.Account{ID: fmt.Sprintf("ACCT-%d", i+1), Name: name}, false))
	}
	must(st.CreateUser(state.User{UserName: "jdoe@acme.example", FirstName: "J", LastName: "Doe", Email: "jdoe@acme.example",
		Accounts: []state.AccountRole{{AccountID: "ACCT-1"}}}))
	must(st.AddLicenseModel(state.LicenseModel{Name: "FNP Floating", Technology: "FlexNet Publisher"}))
	must(st.AddLicenseModel(state.LicenseModel{Name: "Embedded Counted", Technology: "FlexNet Embedded"}))
	must(st.AddProduct(state.Product{Name: "PhotoPrint", Version: "2.0", Type: "LICENSED_PRODUCT",
		Features:      []state.FeatureCount{{Name: "PP_BASE", Version: "2.0", Count: 1}, {Name: "PP_PRO", Version: "2.0", Count: 2}},
		LicenseModels: []string{"FNP Floating"}}))
	must(st.AddProduct(state.Product{Name: "CloudSync", Version: "1.0", Type: "LICENSED_PRODUCT", LicenseModels: []string{"Embedded Counted"}}))
	must(st.AddPartNumber(state.PartNumber{PartID: "PP-100", Product: state.ProductKey{Name: "PhotoPrint", Version: "2.0"}, LicenseModel: "FNP Floating"}))
	must(st.CreateEntitlement(state.Entitlement{ID: "ENT-ACME-1", SoldTo: "ACCT-1", State: state.Deployed}, []state.LineItem{
		{ActivationID: "AID-PP-1", Product: state.ProductKey{Name: "PhotoPrint", Version: "2.0"}, LicenseModel: "FNP Floating",
			Copies: 10, Permanent: true, OrderID: "ORD-1", PartNumber: "PP-100"},
		{ActivationID: "AID-CS-1", Product: state.ProductKey{Name: "CloudSync", Version: "1.0"}, LicenseModel: "Embedded Counted",
			Copies: 5, Expiration: testNow.AddDate(1, 0, 0), AutoRenewal: true},
	}))
	must(st.CreateEntitlement(state.Entitlement{ID: "ENT-GLOBEX-1", SoldTo: "ACCT-2", State: state.Deployed}, []state.LineItem{
		{ActivationID: "AID-PP-2", Product: state.ProductKey{Name: "PhotoPrint", Version: "2.0"}, LicenseModel: "FNP Floating",
			Copies: 3, Permanent: true},
	}))
	must(st.CreateEntitlement(state.Entitlement{ID: "ENT-DRAFT-1", SoldTo: "ACCT-3"}, []state.LineItem{
		{ActivationID: "AID-DRAFT-1", Product: state.ProductKey{Name: "CloudSync", Version: "1.0"}, Copies: 2, Permanent: true},
	}))
	must(st.CreateFulfillment(state.Fulfillment{ActivationID: "AID-PP-2", HostID: "00163e5a1b2c", HostType: hostNode, Count: 1,
		Type: fulfillmentType, LicenseText: "x"}))
	return st
}

// call runs one handler of the package's registry.
func call(t testing.TB, h *handlers, service, version, name string, req map[string]any) map[string]any {
	t.Helper()
	r := op.NewRegistry()
	for n, fn := range h.entitlementOps() {
		r.Handle(EntitlementOrder, n, fn)
	}
	for n, fn := range h.licenseOps() {
		r.Handle(License, n, fn)
	}
	r.HandleFrom(License, "getHostQuery", "v2", h.getHostQuery)
	r.HandleFrom(License, "getHostCount", "v2", h.getHostCount)
	return opstest.Call(t, r, service, version, name, req, testNow)
}

var statusOf = opstest.Status

// Request values in the ToMap shape.
var sq = opstest.Simple

func entIdent(id string) map[string]any {
	return map[string]any{"primaryKeys": map[string]any{"entitlementId": id}}
}

func itemIdent(aid string) map[string]any {
	return map[string]any{"primaryKeys": map[string]any{"activationId": aid}}
}

func fulIdent(id string) map[string]any {
	return map[string]any{"primaryKeys": map[string]any{"fulfillmentId": id}}
}

func nodeHost(id string) map[string]any {
	return map[string]any{"nodeIds": map[string]any{"nodeId": []any{id}}}
}

func createReq(aid string, count int, host map[string]any) map[string]any {
	m := map[string]any{"activationId": aid, "fulfillCount": fmt.Sprint(count)}
	for k, v := range host {
		m[k] = v
	}
	return m
}
