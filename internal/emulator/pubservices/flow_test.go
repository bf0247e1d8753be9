package pubservices

import (
	"net/http"
	"slices"
	"sort"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/accounts"
	"github.com/fnokit/fnokit/internal/emulator/ops/entitlements"
	"github.com/fnokit/fnokit/internal/emulator/ops/opstest"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// TestRegisterThenMap registers a user against a line item with a
// personal access token, maps two more entitlements to it (one by
// entitlement ID in the user's account, one by activation ID), and finds
// the result in the state and through the SOAP handlers over the same
// state.
func TestRegisterThenMap(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	h := newHandler(t, st, nil)
	const portalUser = "portal.user@example.com"
	tok, err := h.IssueToken(portalUser)
	if err != nil {
		t.Fatal(err)
	}
	bearer := func(api, body string) answer {
		r := request(api, body)
		r.Header.Set("Authorization", "Bearer "+tok)
		return serve(t, h, api, r)
	}

	it := firstItem(t, st)
	ent, err := st.Entitlement(it.EntitlementID)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := st.Account(ent.SoldTo)
	if err != nil {
		t.Fatal(err)
	}
	const userID = "jane.registered@example.com"
	fields := map[string]string{
		"ActivationId": it.ActivationID, "UserId": userID, "FirstName": "Jane", "LastName": "Registered",
		"Email": userID, "Street": "1 Example Street", "City": "Springfield", "State": "IL", "Country": "US",
		"ZipCode": "62701", "Phone": "+1-555-0100", "Fax": "+1-555-0101", "Company": "Example Corp",
		"Locale": "en_US", "TimeZone": "America/Chicago", "OptIn": "true", "NeedCredentialsEmail": "false",
	}
	order := []string{"ActivationId", "UserId", "FirstName", "LastName", "Email", "Street", "City", "State",
		"Country", "ZipCode", "Phone", "Fax", "Company", "Locale", "TimeZone", "OptIn", "NeedCredentialsEmail"}
	var body string
	for _, k := range order {
		body += el(k, fields[k])
	}
	body += "<CustomAttributeList><CustomAttribute>" + el("Name", "Department") + el("Value", "Engineering") +
		"</CustomAttribute></CustomAttributeList>"
	countsBefore := st.Counts()

	a := bearer(APIRegisterUser, doc(body))
	if a.status != http.StatusOK || a.Status() != statusSuccess || a.root.TextOf("UserId") != userID {
		t.Fatalf("registeruser: %d %s", a.status, a.body)
	}
	if c := st.Counts(); c.Users != countsBefore.Users+1 {
		t.Errorf("users %d → %d", countsBefore.Users, c.Users)
	}
	u, err := st.User(userID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"FirstName": u.FirstName, "LastName": u.LastName, "Email": u.Email, "Street": u.Street,
		"City": u.City, "State": u.State, "Country": u.Country, "ZipCode": u.Zipcode, "Phone": u.Phone, "Fax": u.Fax,
		"Locale": u.Locale, "TimeZone": u.Timezone}
	for k, v := range got {
		if v != fields[k] {
			t.Errorf("user %s = %q, request had %q", k, v, fields[k])
		}
	}
	if !u.OptIn || !u.Active || !u.CanLogin || u.CreatedBy != portalUser || !u.Created.Equal(fixedNow) {
		t.Errorf("user flags/stamps: %+v", u)
	}
	if !slices.Equal(u.Attributes, []state.Attribute{{Name: "Department", Value: "Engineering"}}) {
		t.Errorf("attributes %v", u.Attributes)
	}
	if len(u.Accounts) != 1 || u.Accounts[0].AccountID != acct.ID || !slices.Equal(u.Accounts[0].Roles, []string{portalUserRole}) {
		t.Errorf("accounts %+v, want the sold-to account %s as Portal User", u.Accounts, acct.ID)
	}

	// Two more entitlements: one named by entitlement ID with the user's
	// account by name, one named by an activation ID.
	ents, err := st.Entitlements(state.EntitlementQuery{}, state.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var more []state.Entitlement
	for _, e := range ents {
		if e.ID != ent.ID && len(e.LineItems) > 0 && len(more) < 2 {
			more = append(more, e)
		}
	}
	if len(more) != 2 {
		t.Fatal("fixture has too few entitlements")
	}
	for i, req := range []string{
		doc(el("UserId", userID) + el("Id", more[0].ID) + el("UserOrg", acct.Name)),
		doc(el("UserId", u.ID) + el("Id", more[1].LineItems[0])),
		doc(el("UserId", userID) + el("Id", more[0].ID) + el("UserOrg", acct.ID)), // again: no duplicate
	} {
		if a := post(t, h, APIMapEntitlement, req); a.status != http.StatusOK || a.Status() != statusSuccess {
			t.Fatalf("mapentitlement %d: %d %s", i, a.status, a.body)
		}
	}

	// The state: each entitlement maps the user once; the user's line
	// items are those of the three entitlements.
	var want []string
	for _, id := range []string{ent.ID, more[0].ID, more[1].ID} {
		e, err := st.Entitlement(id)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, name := range e.Users {
			if name == userID {
				n++
			}
		}
		if n != 1 {
			t.Errorf("entitlement %s maps the user %d times", id, n)
		}
		want = append(want, e.LineItems...)
	}
	sort.Strings(want)
	items, err := st.LineItems(state.LineItemQuery{User: userID}, state.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var mine []string
	for _, li := range items {
		mine = append(mine, li.ActivationID)
	}
	sort.Strings(mine)
	if !slices.Equal(mine, want) {
		t.Errorf("user's line items %v, want %v", mine, want)
	}

	// SOAP, over the same state: the user is found, and so are its
	// line items.
	r := op.NewRegistry()
	cfg := op.Settings{MaxReadBatch: 2000, MaxWriteBatch: 25}
	accounts.Register(r, st, cfg)
	entitlements.Register(r, st, cfg)
	users := opstest.Call(t, r, accounts.UserAcctHierarchy, "v6", "getUsersQuery", map[string]any{
		"queryParams": map[string]any{"userName": opstest.Simple(userID, "EQUALS")}, "pageNumber": "1", "batchSize": "10"}, fixedNow)
	recs := op.List(users, "responseData", "user")
	if opstest.Status(users) != statusSuccess || len(recs) != 1 ||
		op.Str(recs[0], "userIdentifier", "primaryKeys", "firstName") != fields["FirstName"] {
		t.Errorf("SOAP getUsersQuery: %v", users)
	}
	out := opstest.Call(t, r, "EntitlementOrderService", "v8", "getActivatableItemsQuery", map[string]any{
		"activatableItemSearchCriteria": map[string]any{"userId": userID}, "pageNumber": "1", "batchSize": "100"}, fixedNow)
	var soap []string
	for _, x := range op.List(out["activatableItem"]) {
		soap = append(soap, op.Str(x, "activatableItemData", "activationId", "id"))
	}
	sort.Strings(soap)
	if !slices.Equal(soap, want) {
		t.Errorf("SOAP getActivatableItemsQuery by userId: %v, want %v", soap, want)
	}
}
