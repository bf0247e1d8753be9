package pubservices

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// checkLineItem compares a rendered LineItem with the state's line item.
func checkLineItem(t *testing.T, got *xmltree.Node, it state.LineItem, soldTo string) {
	t.Helper()
	want := map[string]string{
		"ActivationId": it.ActivationID, "EntitlementId": it.EntitlementID, "State": string(it.State),
		"ProductName": it.Product.Name, "ProductVersion": it.Product.Version, "PartNumber": it.PartNumber,
		"Quantity": strconv.Itoa(it.Copies), "FulfilledAmount": strconv.Itoa(it.Fulfilled),
		"StartDate": date(it.Start), "IsPermanent": strconv.FormatBool(it.Permanent), "SoldTo": soldTo,
	}
	if !it.Permanent {
		want["ExpirationDate"] = date(it.Expiration)
	} else {
		want["ExpirationDate"] = ""
	}
	for k, v := range want {
		if g := got.TextOf(k); g != v {
			t.Errorf("%s: %s = %q, state has %q", it.ActivationID, k, g, v)
		}
	}
}

func TestLineItemDetailsAnswersFromState(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	h := newHandler(t, st, nil)
	items, err := st.LineItems(state.LineItemQuery{}, state.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var permanent, fulfilled bool
	for _, it := range items {
		permanent = permanent || it.Permanent
		fulfilled = fulfilled || it.Fulfilled > 0
		a := post(t, h, APILineItemDetails, doc(el("ActivationId", it.ActivationID)))
		if a.status != http.StatusOK || a.Status() != statusSuccess {
			t.Fatalf("%s: %d %s", it.ActivationID, a.status, a.body)
		}
		e, err := st.Entitlement(it.EntitlementID)
		if err != nil {
			t.Fatal(err)
		}
		checkLineItem(t, a.root.Child("LineItem"), it, e.SoldTo)
	}
	// The answers above must have covered both kinds of term and
	// consumed copies, or the comparison proved less than it claims.
	if len(items) == 0 || !permanent || !fulfilled {
		t.Fatalf("fixture too thin: %d items, permanent %v, fulfilled %v", len(items), permanent, fulfilled)
	}

	// Activation IDs are matched ignoring case, as everywhere in FNO.
	it := items[0]
	a := post(t, h, APILineItemDetails, doc(el("ActivationId", strings.ToLower(it.ActivationID))))
	if a.Status() != statusSuccess || a.root.TextOf("LineItem", "ActivationId") != it.ActivationID {
		t.Errorf("lower-cased ID: %s", a.body)
	}

	// The answer follows the state as it changes.
	it, err = st.Consume(it.ActivationID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetLineItemState(it.ActivationID, state.OnHold); err != nil {
		t.Fatal(err)
	}
	a = post(t, h, APILineItemDetails, doc(el("ActivationId", it.ActivationID)))
	if g := a.root.TextOf("LineItem", "FulfilledAmount"); g != strconv.Itoa(it.Fulfilled) {
		t.Errorf("after consuming: FulfilledAmount %s, want %d", g, it.Fulfilled)
	}
	if g := a.root.TextOf("LineItem", "State"); g != string(state.OnHold) {
		t.Errorf("after the state change: State %s", g)
	}
}

func TestEntitlementDetailsAnswersFromState(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	h := newHandler(t, st, nil)
	ents, err := st.Entitlements(state.EntitlementQuery{}, state.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) == 0 {
		t.Fatal("no entitlements")
	}
	for _, e := range ents {
		a := post(t, h, APIEntitlementDetails, doc(el("EntitlementId", e.ID)))
		if a.status != http.StatusOK || a.Status() != statusSuccess {
			t.Fatalf("%s: %d %s", e.ID, a.status, a.body)
		}
		x := a.root.Child("Entitlement")
		for k, v := range map[string]string{"EntitlementId": e.ID, "State": string(e.State), "SoldTo": e.SoldTo, "ShipToEmail": e.ShipToEmail} {
			if g := x.TextOf(k); g != v {
				t.Errorf("%s: %s = %q, state has %q", e.ID, k, g, v)
			}
		}
		lis := x.ChildrenNamed("LineItem")
		var got []string
		for _, li := range lis {
			got = append(got, li.TextOf("ActivationId"))
		}
		if !slices.Equal(got, e.LineItems) {
			t.Fatalf("%s: line items %v, state has %v", e.ID, got, e.LineItems)
		}
		for i, aid := range e.LineItems {
			it, err := st.LineItem(aid)
			if err != nil {
				t.Fatal(err)
			}
			checkLineItem(t, lis[i], it, e.SoldTo)
		}
	}
}

// TestBusinessFailures: valid requests the emulator cannot carry out are
// answered 200 FAILURE with a Reason naming the element, never the value.
func TestBusinessFailures(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	h := newHandler(t, st, nil)
	it := firstItem(t, st)
	users, err := st.Users(state.UserQuery{}, state.Page{Number: 1, Size: 1})
	if err != nil || len(users) != 1 {
		t.Fatalf("no user: %v", err)
	}
	u := users[0]
	other := accountNotOf(t, st, u)

	const unknown = "NO-SUCH-ID-7f3a"
	tests := []struct {
		name, api, body string
		field           string // the Reason names it
		secret          string // the Reason must not quote it
	}{
		{"unknown activation ID", APILineItemDetails, doc(el("ActivationId", unknown)), "ActivationId", unknown},
		{"empty activation ID", APILineItemDetails, doc(el("ActivationId", " ")), "ActivationId", ""},
		{"unknown entitlement ID", APIEntitlementDetails, doc(el("EntitlementId", unknown)), "EntitlementId", unknown},
		{"empty entitlement ID", APIEntitlementDetails, doc(el("EntitlementId", "")), "EntitlementId", ""},
		{"register against an unknown line item", APIRegisterUser,
			doc(el("ActivationId", unknown) + el("UserId", "new.user@example.com") + el("FirstName", "New") + el("LastName", "User")),
			"ActivationId", unknown},
		{"register an existing user", APIRegisterUser,
			doc(el("ActivationId", it.ActivationID) + el("UserId", u.UserName) + el("FirstName", "Dup") + el("LastName", "User")),
			"UserId", u.UserName},
		{"register without a last name", APIRegisterUser,
			doc(el("ActivationId", it.ActivationID) + el("UserId", "no.last@example.com") + el("FirstName", "No")),
			"LastName", "no.last@example.com"},
		{"register with an empty user ID", APIRegisterUser,
			doc(el("ActivationId", it.ActivationID) + el("UserId", "") + el("FirstName", "No")),
			"UserId", ""},
		{"register with a nameless attribute", APIRegisterUser,
			doc(el("ActivationId", it.ActivationID) + el("UserId", "attr.user@example.com") + el("FirstName", "A") + el("LastName", "B") +
				"<CustomAttributeList><CustomAttribute><Name>ok</Name></CustomAttribute><CustomAttribute><Name/><Value>v-9q</Value></CustomAttribute></CustomAttributeList>"),
			"CustomAttribute[2]/Name", "v-9q"},
		{"map to an unknown user", APIMapEntitlement,
			doc(el("UserId", "ghost@example.com") + el("Id", it.EntitlementID)), "UserId", "ghost@example.com"},
		{"map an unknown entitlement", APIMapEntitlement,
			doc(el("UserId", u.UserName) + el("Id", unknown)), "Id", unknown},
		{"map in an unknown account", APIMapEntitlement,
			doc(el("UserId", u.UserName) + el("Id", it.EntitlementID) + el("UserOrg", unknown)), "UserOrg", unknown},
		{"map in an account the user is not in", APIMapEntitlement,
			doc(el("UserId", u.UserName) + el("Id", it.EntitlementID) + el("UserOrg", other.ID)), "UserOrg", other.ID},
	}
	before := st.Counts()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, h, tt.api, tt.body)
			if a.status != http.StatusOK || a.Status() != statusFailure {
				t.Fatalf("%d %s", a.status, a.body)
			}
			if !strings.Contains(a.Reason(), tt.field) {
				t.Errorf("reason %q does not name %s", a.Reason(), tt.field)
			}
			if tt.secret != "" && strings.Contains(string(a.body), tt.secret) {
				t.Errorf("answer quotes the request's value: %s", a.body)
			}
		})
	}
	if after := st.Counts(); after != before {
		t.Errorf("failed requests changed the state: %+v → %+v", before, after)
	}
	e, err := st.Entitlement(it.EntitlementID)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(e.Users, u.UserName) {
		t.Errorf("a refused mapping was made")
	}
}

// firstItem is the first line item of the store whose entitlement has a
// sold-to account.
func firstItem(t testing.TB, st *state.Store) state.LineItem {
	t.Helper()
	items, err := st.LineItems(state.LineItemQuery{}, state.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if e, err := st.Entitlement(it.EntitlementID); err == nil && e.SoldTo != "" {
			return it
		}
	}
	t.Fatal("no line item with a sold-to account")
	return state.LineItem{}
}

// accountNotOf is an account u does not belong to.
func accountNotOf(t testing.TB, st *state.Store, u state.User) state.Account {
	t.Helper()
	accts, err := st.Accounts(state.AccountQuery{}, state.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		if !slices.ContainsFunc(u.Accounts, func(r state.AccountRole) bool { return r.AccountID == a.ID }) {
			return a
		}
	}
	t.Fatal("the user belongs to every account")
	return state.Account{}
}

// TestInvalidRequests: documents that do not match the API's schema are
// refused 400 with a FAILURE naming where, and change nothing.
func TestInvalidRequests(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	h := newHandler(t, st, nil)
	it := firstItem(t, st)
	tests := []struct {
		name, api, body string
		where           string // the Reason names it
	}{
		{"lineitemdetails without ActivationId", APILineItemDetails, doc(""), "/Request"},
		{"lineitemdetails with the entitlement element", APILineItemDetails, doc(el("EntitlementId", it.EntitlementID)), "EntitlementId"},
		{"entitlementdetails with two IDs", APIEntitlementDetails, doc(el("EntitlementId", "a") + el("EntitlementId", "b")), "EntitlementId"},
		{"entitlementdetails in no namespace", APIEntitlementDetails, `<Request><EntitlementId>x</EntitlementId></Request>`, "Request"},
		{"registeruser without FirstName", APIRegisterUser, doc(el("ActivationId", it.ActivationID) + el("UserId", "u@example.com")), "/Request"},
		{"registeruser with a bad boolean", APIRegisterUser,
			doc(el("ActivationId", it.ActivationID) + el("UserId", "u@example.com") + el("FirstName", "U") + el("LastName", "V") + el("OptIn", "maybe")),
			"/Request/OptIn"},
		{"registeruser out of order", APIRegisterUser, doc(el("UserId", "u@example.com") + el("ActivationId", it.ActivationID) + el("FirstName", "U")), "UserId"},
		{"mapentitlement swapped", APIMapEntitlement, doc(el("Id", it.EntitlementID) + el("UserId", "u@example.com")), "Id"},
		{"a Response posted as the request", APIMapEntitlement, `<Response xmlns="` + Namespace + `"><Status>SUCCESS</Status></Response>`, "Response"},
		{"an unknown element", APIMapEntitlement, doc(el("UserId", "u") + el("Id", "e") + el("Extra", "x")), "Extra"},
	}
	before := st.Counts()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := post(t, h, tt.api, tt.body)
			if a.status != http.StatusBadRequest || a.Status() != statusFailure {
				t.Fatalf("%d %s", a.status, a.body)
			}
			if !strings.Contains(a.Reason(), tt.api+".xsd") || !strings.Contains(a.Reason(), tt.where) {
				t.Errorf("reason %q should name %s.xsd and %s", a.Reason(), tt.api, tt.where)
			}
		})
	}
	if after := st.Counts(); after != before {
		t.Errorf("invalid requests changed the state: %+v → %+v", before, after)
	}
}

// TestTransport: the HTTP-level refusals, each a Response document.
func TestTransport(t *testing.T) {
	t.Parallel()
	st := newStore(t)
	h := newHandler(t, st, func(c *Config) { c.MaxBody = 4096 })
	valid := doc(el("ActivationId", firstItem(t, st).ActivationID))
	withType := func(ct string) *http.Request {
		r := request(APILineItemDetails, valid)
		r.Header.Set("Content-Type", ct)
		return r
	}
	method := func(m string) *http.Request {
		r := request(APILineItemDetails, "")
		r.Method = m
		return r
	}
	tests := []struct {
		name   string
		api    string
		req    *http.Request
		status int
	}{
		{"valid, application/xml", APILineItemDetails, request(APILineItemDetails, valid), http.StatusOK},
		{"valid, text/xml with charset", APILineItemDetails, withType("text/xml; charset=utf-8"), http.StatusOK},
		{"valid, form-urlencoded as curl -d sends it", APILineItemDetails, withType("application/x-www-form-urlencoded"), http.StatusOK},
		{"trailing slash", APILineItemDetails, func() *http.Request {
			r := request(APILineItemDetails, valid)
			r.URL.Path += "/"
			return r
		}(), http.StatusOK},
		{"JSON", APILineItemDetails, withType("application/json"), http.StatusUnsupportedMediaType},
		{"no content type", APILineItemDetails, withType(""), http.StatusUnsupportedMediaType},
		{"GET", APILineItemDetails, method(http.MethodGet), http.StatusMethodNotAllowed},
		{"PUT", APILineItemDetails, method(http.MethodPut), http.StatusMethodNotAllowed},
		{"unknown API", "nosuchapi", request("nosuchapi", valid), http.StatusNotFound},
		{"the prefix itself", "", request("", valid), http.StatusNotFound},
		{"malformed XML", APILineItemDetails, request(APILineItemDetails, `<Request xmlns="`+Namespace+`"><ActivationId>x</Request>`), http.StatusBadRequest},
		{"empty body", APILineItemDetails, request(APILineItemDetails, ""), http.StatusBadRequest},
		{"two roots", APILineItemDetails, request(APILineItemDetails, valid+"<Request/>"), http.StatusBadRequest},
		{"oversize", APILineItemDetails, request(APILineItemDetails, doc(el("ActivationId", strings.Repeat("A", 5000)))), http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := serve(t, h, tt.api, tt.req)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			want := statusFailure
			if tt.status == http.StatusOK {
				want = statusSuccess
			}
			if a.Status() != want {
				t.Errorf("Status %s, want %s", a.Status(), want)
			}
			if tt.status == http.StatusMethodNotAllowed && a.header.Get("Allow") != http.MethodPost {
				t.Errorf("Allow %q", a.header.Get("Allow"))
			}
		})
	}
}

func TestNewRefusesIncompleteConfig(t *testing.T) {
	t.Parallel()
	st := state.New(1)
	for _, cfg := range []Config{{Auth: basicAuth}, {Store: st}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}
