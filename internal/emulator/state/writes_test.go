package state

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidateID(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"83a2-9824-c72b-488t-bbde-9bbb-fce3-1344": true,
		"ENT_2024 order 7":                        true,
		strings.Repeat("a", 255):                  true,
		strings.Repeat("a", 256):                  false,
		"":                                        false,
		"   ":                                     false,
	}
	for _, c := range forbiddenIDChars {
		cases["ab"+string(c)+"cd"] = false
	}
	for id, ok := range cases {
		err := ValidateID("entitlementId", id)
		if (err == nil) != ok {
			t.Errorf("ValidateID(%q) = %v, want ok=%v", id, err, ok)
		}
		if err != nil && (!errors.Is(err, ErrInvalid) || strings.Contains(err.Error(), "cd")) {
			t.Errorf("ValidateID(%q): %v is not ErrInvalid or echoes the ID", id, err)
		}
	}
}

func fixed(s *Store) {
	s.SetClock(func() time.Time { return time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC) })
}

func TestCreateEntitlementRules(t *testing.T) {
	t.Parallel()
	s := Generate(Sizes{Accounts: 5, Products: 3, Entitlements: 5, Devices: 10}, 1)
	fixed(s)
	acct, prod := s.accounts[1].ID, s.products[0].Key()
	e, err := s.CreateEntitlement(Entitlement{ID: "ENT-A", SoldTo: s.accounts[1].Name},
		[]LineItem{{ActivationID: "AID-1", Product: prod, Copies: 5}, {Product: prod, Copies: 1, Parent: "AID-1", Type: LineUpgrade}})
	if err != nil {
		t.Fatal(err)
	}
	if e.SoldTo != acct || e.State != Draft || len(e.LineItems) != 2 || !activationRE.MatchString(e.LineItems[1]) {
		t.Fatalf("created %+v", e)
	}
	for name, c := range map[string]struct {
		e     Entitlement
		items []LineItem
		kind  error
	}{
		"duplicate entitlement": {Entitlement{ID: "ent-a"}, nil, ErrExists},
		"forbidden character":   {Entitlement{ID: "ENT/B"}, nil, ErrInvalid},
		"duplicate activation":  {Entitlement{ID: "ENT-C"}, []LineItem{{ActivationID: "aid-1", Product: prod}}, ErrExists},
		"twice in one request":  {Entitlement{ID: "ENT-D"}, []LineItem{{ActivationID: "X"}, {ActivationID: "X"}}, ErrExists},
		"bad activation":        {Entitlement{ID: "ENT-E"}, []LineItem{{ActivationID: "a.b"}}, ErrInvalid},
		"unknown account":       {Entitlement{ID: "ENT-F", SoldTo: "nobody"}, nil, ErrNotFound},
		"unknown product":       {Entitlement{ID: "ENT-G"}, []LineItem{{Product: ProductKey{"nope", "1"}}}, ErrNotFound},
		"unknown parent":        {Entitlement{ID: "ENT-H"}, []LineItem{{Parent: "nope"}}, ErrNotFound},
	} {
		if _, err := s.CreateEntitlement(c.e, c.items); !errors.Is(err, c.kind) {
			t.Errorf("%s: %v, want %v", name, err, c.kind)
		}
	}
	if _, err := s.Entitlement("ENT-G"); !errors.Is(err, ErrNotFound) {
		t.Fatal("a failed create left an entitlement behind")
	}
	// draft line items cannot be consumed until the entitlement is deployed
	if _, err := s.Consume("AID-1", 1); !errors.Is(err, ErrState) {
		t.Fatalf("consume from a draft: %v", err)
	}
	if _, err := s.SetEntitlementState("ENT-A", Deployed); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Consume("AID-1", 6); !errors.Is(err, ErrNoCopies) {
		t.Fatalf("consume 6 of 5: %v", err)
	}
	if it, err := s.Consume("AID-1", 5); err != nil || it.Remaining() != 0 {
		t.Fatalf("consume 5 of 5: %v", err)
	}
	if _, err := s.UpdateLineItem("AID-1", func(l *LineItem) error { l.Copies = 4; return nil }); !errors.Is(err, ErrInvalid) {
		t.Fatalf("copies below fulfilled: %v", err)
	}
	it, err := s.UpdateLineItem(e.LineItems[1], func(l *LineItem) error { l.Type, l.Copies = LineNew, 3; return nil })
	if err != nil || it.Type != LineNew || it.Parent != "AID-1" || it.Copies != 3 {
		t.Fatalf("update: %+v, %v", it, err)
	}
	if _, err := s.UpdateLineItem("AID-1", func(l *LineItem) error { l.Parent = "aid-1"; return nil }); !errors.Is(err, ErrInvalid) {
		t.Fatalf("own parent: %v", err)
	}
	u := s.users[0].UserName
	if err := s.MapEntitlementsToUser(u, []string{"ENT-A"}); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.CountLineItems(LineItemQuery{User: u, EntitlementID: Match{"ENT-A", Equals}}); n != 2 {
		t.Fatalf("line items mapped to the user: %d", n)
	}
}

func TestAddOnRules(t *testing.T) {
	t.Parallel()
	s := Generate(Sizes{Accounts: 5, Products: 3, Entitlements: 5, Devices: 10}, 2)
	fixed(s)
	aid := deployedItem(t, s, 10)
	srv, err := s.CreateDevice(Device{Class: Server, DeviceID: "SRV-1", SoldTo: s.accounts[1].ID})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := s.CreateDevice(Device{Class: ServedClient, DeviceID: "SC-1", Parent: DeviceRef{DeviceID: "srv-1"}})
	if err != nil || sc.Parent.UniqueID != srv.UniqueID {
		t.Fatalf("served client: %+v, %v", sc, err)
	}
	k := srv.Key()
	remaining := func() int { it, _ := s.LineItem(aid); return it.Remaining() }
	steps := []struct {
		name string
		do   func() (Device, error)
		kind error
		left int
		mapd int // count mapped on the server afterwards, -1: not mapped
	}{
		{"link", func() (Device, error) { return s.LinkAddOn(k, aid, 4, time.Time{}) }, nil, 6, 4},
		{"link again adds", func() (Device, error) { return s.LinkAddOn(k, aid, 2, time.Time{}) }, nil, 4, 6},
		{"link too many", func() (Device, error) { return s.LinkAddOn(k, aid, 5, time.Time{}) }, ErrNoCopies, 4, 6},
		{"link zero", func() (Device, error) { return s.LinkAddOn(k, aid, 0, time.Time{}) }, ErrInvalid, 4, 6},
		{"served client", func() (Device, error) { return s.LinkAddOn(sc.Key(), aid, 1, time.Time{}) }, ErrState, 4, 6},
		{"increment", func() (Device, error) { return s.IncrementAddOn(k, aid, 4) }, nil, 0, 10},
		{"decrement too many", func() (Device, error) { return s.DecrementAddOn(k, aid, 11) }, ErrInvalid, 0, 10},
		{"decrement", func() (Device, error) { return s.DecrementAddOn(k, aid, 3) }, nil, 3, 7},
		{"zero", func() (Device, error) { return s.ZeroAddOn(k, aid) }, nil, 10, 0},
		{"increment zero mapping", func() (Device, error) { return s.IncrementAddOn(k, aid, 2) }, nil, 8, 2},
		{"unlink", func() (Device, error) { return s.UnlinkAddOn(k, aid) }, nil, 10, -1},
		{"decrement unmapped", func() (Device, error) { return s.DecrementAddOn(k, aid, 1) }, ErrNotFound, 10, -1},
		{"unknown line item", func() (Device, error) { return s.LinkAddOn(k, "nope", 1, time.Time{}) }, ErrNotFound, 10, -1},
		{"relink", func() (Device, error) { return s.LinkAddOn(k, aid, 3, time.Time{}) }, nil, 7, 3},
		{"obsolete returns copies", func() (Device, error) { return s.ObsoleteHost(k) }, nil, 10, -1},
		{"obsolete device", func() (Device, error) { return s.LinkAddOn(k, aid, 1, time.Time{}) }, ErrState, 10, -1},
	}
	for _, st := range steps {
		_, err := st.do()
		if (st.kind == nil) != (err == nil) || (st.kind != nil && !errors.Is(err, st.kind)) {
			t.Fatalf("%s: %v, want %v", st.name, err, st.kind)
		}
		if got := remaining(); got != st.left {
			t.Fatalf("%s: %d copies remaining, want %d", st.name, got, st.left)
		}
		d, _ := s.Device(k)
		got := -1
		for _, a := range d.AddOns {
			if a.ActivationID == aid {
				got = a.Count
			}
		}
		if got != st.mapd {
			t.Fatalf("%s: mapped %d, want %d", st.name, got, st.mapd)
		}
	}
	cl, _ := s.CreateDevice(Device{Class: Client, DeviceID: "CL-1"})
	if _, err := s.ZeroAddOn(cl.Key(), aid); !errors.Is(err, ErrState) {
		t.Fatalf("zero count on a client: %v", err)
	}
	// moving a server takes its served clients along
	if _, err := s.MoveDevice(k, s.accounts[2].Name); err != nil {
		t.Fatal(err)
	}
	if d, _ := s.Device(sc.Key()); d.SoldTo != s.accounts[2].ID {
		t.Fatal("served client did not move with its server")
	}
	if _, err := s.CreateDevice(Device{Class: Client, DeviceID: "cl-1"}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate device ID (case-insensitive): %v", err)
	}
	if _, err := s.CreateDevice(Device{Class: ServedClient, DeviceID: "SC-2", Parent: DeviceRef{DeviceID: "CL-1"}}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("served by a client: %v", err)
	}
}

func TestFulfillmentLifecycle(t *testing.T) {
	t.Parallel()
	s := Generate(Sizes{Accounts: 5, Products: 3, Entitlements: 5, Devices: 10, Fulfillments: 5}, 3)
	fixed(s)
	aid := deployedItem(t, s, 3)
	f, err := s.CreateFulfillment(Fulfillment{ActivationID: aid, Count: 2, HostID: "HOSTA", LicenseText: "INCREMENT f1"})
	if err != nil || f.EntitlementID == "" || f.State != Active || f.SoldTo != s.accounts[1].ID {
		t.Fatalf("create: %+v, %v", f, err)
	}
	if _, err := s.CreateFulfillment(Fulfillment{ActivationID: aid, Count: 2, HostID: "HOSTB"}); !errors.Is(err, ErrNoCopies) {
		t.Fatalf("oversell: %v", err)
	}
	r, err := s.RehostFulfillment(f.ID, "HOSTC", "INCREMENT f1 rehosted")
	if err != nil || r.Parent != f.ID || r.HostID != "HOSTC" || r.SupportAction != "REHOST" {
		t.Fatalf("rehost: %+v, %v", r, err)
	}
	if old, _ := s.Fulfillment(f.ID); old.State != Obsolete {
		t.Fatal("rehosted fulfillment not obsolete")
	}
	if _, err := s.ReturnFulfillment(f.ID); !errors.Is(err, ErrState) {
		t.Fatalf("return an obsolete one: %v", err)
	}
	if it, _ := s.LineItem(aid); it.Remaining() != 1 {
		t.Fatalf("rehost changed the copies: %d remaining", it.Remaining())
	}
	rp, err := s.RepairFulfillment(r.ID, "repaired")
	if err != nil || rp.HostID != "HOSTC" || rp.SupportAction != "REPAIR" {
		t.Fatalf("repair: %+v, %v", rp, err)
	}
	if _, err := s.ReturnFulfillment(rp.ID); err != nil {
		t.Fatal(err)
	}
	if it, _ := s.LineItem(aid); it.Remaining() != 3 {
		t.Fatalf("return did not give the copies back: %d remaining", it.Remaining())
	}
	fs, _ := s.Fulfillments(FulfillmentQuery{ActivationID: Match{aid, Equals}}, Page{})
	if len(fs) != 3 {
		t.Fatalf("%d fulfillments of the line item, want 3", len(fs))
	}
	hosts, _ := s.Hosts(HostQuery{HostID: Match{"HOST", StartsWith}}, Page{})
	if len(hosts) != 2 || hosts[0].ID != "HOSTA" || hosts[1].Account != s.accounts[1].Name {
		t.Fatalf("hosts: %+v", hosts)
	}
	if n, _ := s.CountHosts(HostQuery{HostID: Match{"HOST", StartsWith}, FulfillmentState: Match{"ACTIVE", Equals}}); n != 0 {
		t.Fatalf("%d hosts with active fulfilments, want 0", n)
	}
}

func TestAccountsAndUsers(t *testing.T) {
	t.Parallel()
	s := New(1)
	fixed(s)
	for _, a := range []Account{{ID: "ROOT", Name: "Root"}, {ID: "KID", Name: "Kid", Parent: "ROOT"}, {ID: "GRANDKID", Name: "Grandkid", Parent: "KID"}, {ID: "OTHER", Name: "Other", Type: ChannelPartner}} {
		if _, err := s.CreateAccount(a, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateAccount(Account{ID: "ROOT", Name: "Root 2"}, false); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate account: %v", err)
	}
	if a, err := s.CreateAccount(Account{ID: "ROOT", Name: "Root renamed"}, true); err != nil || a.Name != "Root renamed" {
		t.Fatalf("create or update: %+v %v", a, err)
	}
	if _, err := s.CreateAccount(Account{ID: "X", Name: "X", Parent: "NOPE"}, false); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown parent: %v", err)
	}
	for i, acct := range []string{"ROOT", "KID", "GRANDKID", "OTHER", "KID"} {
		u := User{FirstName: "F", LastName: "L", Email: "u" + itoa(i) + "@example.com", Accounts: []AccountRole{{AccountID: acct, Roles: []string{"Portal User"}}}}
		if _, err := s.CreateUser(u); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateUser(User{FirstName: "F", LastName: "L", Email: "U0@example.com"}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate user (case-insensitive): %v", err)
	}
	count := func(q UserQuery) int {
		n, err := s.CountUsers(q)
		if err != nil {
			t.Fatal(err)
		}
		us, _ := s.Users(q, Page{})
		if len(us) != n {
			t.Fatalf("Users finds %d, CountUsers %d", len(us), n)
		}
		return n
	}
	for name, c := range map[string]struct {
		q    UserQuery
		want int
	}{
		"one account":      {UserQuery{AccountIDs: []Match{{"KID", Equals}}}, 2},
		"several accounts": {UserQuery{AccountIDs: []Match{{"KID", Equals}, {"OTHER", Equals}}}, 3},
		"linked accounts":  {UserQuery{AccountIDs: []Match{{"ROOT", Equals}}, LinkedAccounts: true}, 4},
		"account name":     {UserQuery{AccountName: Match{"grand", StartsWith}}, 1},
		"account type":     {UserQuery{AccountType: ChannelPartner}, 1},
		"email suffix":     {UserQuery{Email: Match{"@EXAMPLE.COM", EndsWith}}, 5},
		"role":             {UserQuery{Roles: []string{"Portal User"}}, 5},
		"missing role":     {UserQuery{Roles: []string{"Admin"}}, 0},
		"no such account":  {UserQuery{AccountIDs: []Match{{"NOPE", Equals}}}, 0},
	} {
		if got := count(c.q); got != c.want {
			t.Errorf("%s: %d users, want %d", name, got, c.want)
		}
	}
	roots, _ := s.CountAccounts(AccountQuery{OnlyRoots: true})
	subs, _ := s.SubAccounts("ROOT")
	if roots != 2 || len(subs) != 1 || subs[0].ID != "KID" {
		t.Fatalf("%d roots, sub-accounts %+v", roots, subs)
	}
	page, _ := s.Accounts(AccountQuery{}, Page{Number: 2, Size: 3})
	if len(page) != 1 || page[0].ID != "OTHER" {
		t.Fatalf("page 2: %+v", page)
	}
}

func TestLineItemQueries(t *testing.T) {
	t.Parallel()
	s := Generate(Sizes{Accounts: 10, Products: 5, Entitlements: 100, Devices: 10}, 9)
	all, _ := s.LineItems(LineItemQuery{}, Page{})
	ids := []string{all[3].ActivationID, strings.ToUpper(all[7].ActivationID), "missing"}
	got, _ := s.LineItems(LineItemQuery{ActivationIDs: ids}, Page{})
	if len(got) != 2 || got[0].ActivationID != all[3].ActivationID {
		t.Fatalf("activationIds: %d found", len(got))
	}
	e0, _ := s.Entitlement(all[0].EntitlementID)
	e7, _ := s.Entitlement(all[7].EntitlementID)
	a0, _ := s.Account(e0.SoldTo)
	a7, _ := s.Account(e7.SoldTo)
	q := LineItemQuery{AccountNames: []Match{{a0.Name, Equals}, {a7.Name, Equals}}}
	n, _ := s.CountLineItems(q)
	want := 0
	for _, it := range all {
		e, _ := s.Entitlement(it.EntitlementID)
		if e.SoldTo == a0.ID || e.SoldTo == a7.ID {
			want++
		}
	}
	if n != want || n == 0 {
		t.Fatalf("several account names: %d, want %d", n, want)
	}
	ready, _ := s.LineItems(LineItemQuery{ReadyToActivate: true}, Page{})
	for _, it := range ready {
		if it.State != Deployed || it.Remaining() <= 0 {
			t.Fatalf("not ready: %+v", it)
		}
	}
	en, _ := s.CountEntitlements(EntitlementQuery{AccountNames: []Match{{a0.Name, Equals}}})
	es, _ := s.Entitlements(EntitlementQuery{SoldTo: Match{a0.ID, Equals}}, Page{})
	if en != len(es) || en == 0 {
		t.Fatalf("entitlements by account name %d, by sold-to %d", en, len(es))
	}
}
