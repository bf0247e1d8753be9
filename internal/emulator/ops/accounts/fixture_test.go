package accounts

import (
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/opstest"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// now is the fixed clock of every test.
var now = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// The fixture's account tree is seed 002 L305–309's example: A1 is the
// parent of a1 and a1.1, and a1.1 the parent of a1.2; ACME and BETA are
// roots of their own.
var fixtureAccounts = []state.Account{
	{ID: "A1-ROOT", Name: "Alpha One", Type: state.Customer, Visible: true, Description: "root of the example",
		Address: state.Address{City: "Bangalore", Country: "IN"}, Attributes: []state.Attribute{{Name: "tier", Value: "gold"}}},
	{ID: "a1", Name: "Alpha Child", Type: state.Customer, Parent: "A1-ROOT", Visible: true},
	{ID: "a1.1", Name: "Alpha Second Child", Type: state.ChannelPartner, Parent: "A1-ROOT", Visible: true},
	{ID: "a1.2", Name: "Alpha Grandchild", Type: state.Customer, Parent: "a1.1", Visible: true},
	{ID: "ACME", Name: "Acme Corp", Type: state.Publisher, Visible: true},
	{ID: "BETA", Name: "Beta Industries", Type: state.Customer, Visible: false},
}

func fixtureUsers() []state.User {
	u := func(name, first, acct string, roles ...string) state.User {
		return state.User{UserName: name + "@example.com", FirstName: first, LastName: "Tester", Email: name + "@example.com",
			Active: true, CanLogin: true, Accounts: []state.AccountRole{{AccountID: acct, Roles: roles}}, CreatedBy: "generator"}
	}
	users := []state.User{
		u("ann", "Ann", "A1-ROOT", "Portal Admin"),
		u("bob", "Bob", "a1", "Portal User"),
		u("cid", "Cid", "a1.1"),
		u("dee", "Dee", "a1.2", "Portal User"),
		u("eve", "Eve", "ACME", "Portal Admin", "Portal User"),
		u("fay", "Fay", "BETA"),
	}
	users[5].Active = false
	// gus belongs to two accounts.
	g := u("gus", "Gus", "ACME", "Portal User")
	g.Accounts = append(g.Accounts, state.AccountRole{AccountID: "BETA", Roles: []string{"Portal User"}})
	return append(users, g)
}

// fixture is a small store every test gets its own copy of.
func fixture(t testing.TB) *state.Store {
	t.Helper()
	st := state.New(7)
	st.SetClock(func() time.Time { return now })
	for _, a := range fixtureAccounts {
		if _, err := st.CreateAccount(a, false); err != nil {
			t.Fatalf("fixture account %s: %v", a.ID, err)
		}
	}
	for _, u := range fixtureUsers() {
		if _, err := st.CreateUser(u); err != nil {
			t.Fatalf("fixture user %s: %v", u.UserName, err)
		}
	}
	for _, m := range []state.LicenseModel{
		{Name: "Embedded Counted", Technology: "FlexNet Embedded"},
		{Name: "FNP Floating", Technology: "FlexNet Publisher"},
		{Name: "Nodelocked Uncounted", Technology: "FlexNet Publisher"},
	} {
		if _, err := st.AddLicenseModel(m); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []state.Feature{
		{Name: "f_core", Version: "1.0", VersionFormat: "FIXED", State: state.Deployed, Created: now.AddDate(0, -2, 0), Modified: now.AddDate(0, -1, 0)},
		{Name: "f_extra", Version: "2.0", VersionFormat: "FIXED", State: state.Deployed, Created: now.AddDate(0, -1, 0), Modified: now},
		{Name: "x_beta", Version: "0.9", State: state.Draft, Created: now, Modified: now},
	} {
		st.AddFeature(f)
	}
	for _, p := range []state.Product{
		{Name: "Widget", Version: "1.0", Description: "embedded widget", Technology: "FlexNet Embedded",
			Features: []state.FeatureCount{{Name: "f_core", Version: "1.0", Count: 5}}, LicenseModels: []string{"Embedded Counted"},
			HostTypes: []string{"FLX_CLIENT"}, Created: now.AddDate(0, -2, 0), Modified: now.AddDate(0, -1, 0)},
		{Name: "Widget", Version: "2.0", Description: "embedded widget", Technology: "FlexNet Embedded",
			Features:      []state.FeatureCount{{Name: "f_core", Version: "1.0", Count: 1}, {Name: "f_extra", Version: "2.0"}},
			LicenseModels: []string{"Embedded Counted"}, Created: now, Modified: now},
		{Name: "Gadget Server", Version: "5", Technology: "FlexNet Publisher", LicenseModels: []string{"FNP Floating", "Nodelocked Uncounted"},
			State: state.Obsolete, Created: now.AddDate(-1, 0, 0), Modified: now.AddDate(-1, 0, 0)},
	} {
		if _, err := st.AddProduct(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.AddPartNumber(state.PartNumber{PartID: "PN-WIDGET-1", Product: state.ProductKey{Name: "Widget", Version: "1.0"}, LicenseModel: "Embedded Counted"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// testPassword is the one password the tests' Authenticate accepts; it is
// also what TestNoSecretsInResponses looks for.
const testPassword = "s3cret-Passw0rd"

func registry(t testing.TB, st *state.Store, cfg op.Settings) *op.Registry {
	t.Helper()
	r := op.NewRegistry()
	RegisterWith(r, st, cfg, Options{Seed: 42, Authenticate: func(u, p string) bool { return u == "admin" && p == testPassword }})
	return r
}

// call runs one operation through the registry as the server would.
func call(t testing.TB, r *op.Registry, service, version, name string, req map[string]any) map[string]any {
	t.Helper()
	return opstest.Call(t, r, service, version, name, req, now)
}

// q is a SimpleQueryType criterion.
var q = opstest.Simple

var status = opstest.Status

func count(t testing.TB, m map[string]any) int {
	t.Helper()
	n, present, ok := op.GetInt(m, "responseData", "count")
	if !present || !ok {
		t.Fatalf("no count in %v", m)
	}
	return int(n)
}

// records lists responseData/<key>.
func records(m map[string]any, key string) []any { return op.List(m, "responseData", key) }
