package entitlements

import (
	"fmt"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

func propsReq(names []any, searchType string) map[string]any {
	aun := map[string]any{"value": names}
	if searchType != "" {
		aun["searchType"] = searchType
	}
	return map[string]any{"queryParams": map[string]any{"accountUnitName": aun},
		"entitlementLineItemResponseConfig": flags("activationId", "soldToDisplayName"), "batchSize": "100"}
}

// TestV8SeveralAccountUnitNames follows seed 002 L193-229: several values,
// EQUALS only, a configurable maximum, only in
// getEntitlementLineItemPropertiesQuery; a single value behaves as in v7.
func TestV8SeveralAccountUnitNames(t *testing.T) {
	t.Parallel()
	cfg := op.DefaultSettings()
	cfg.MaxAccountUnitNames = 3
	h := newHandlers(fixture(t), cfg, testSigner)
	names := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = fixtureAccounts[i]
		}
		return out
	}
	tests := []struct {
		name    string
		op      string
		req     map[string]any
		items   int    // line items expected on SUCCESS
		failure string // part of the FAILURE reason
	}{
		{"two names", "getEntitlementLineItemPropertiesQuery", propsReq([]any{"Acme", "Globex"}, ""), 3, ""},
		{"names ignore case", "getEntitlementLineItemPropertiesQuery", propsReq([]any{"ACME", "globex"}, "EQUALS"), 3, ""},
		{"at the maximum", "getEntitlementLineItemPropertiesQuery", propsReq(names(3), ""), 4, ""},
		{"beyond the maximum", "getEntitlementLineItemPropertiesQuery", propsReq(names(4), ""), 0, "configured maximum of 3"},
		{"several with STARTS_WITH", "getEntitlementLineItemPropertiesQuery", propsReq([]any{"Ac", "Gl"}, "STARTS_WITH"), 0, "only EQUALS"},
		{"one with STARTS_WITH, as in v7", "getEntitlementLineItemPropertiesQuery", propsReq([]any{"Ac"}, "STARTS_WITH"), 2, ""},
		{"other criteria ignored with several", "getEntitlementLineItemPropertiesQuery", func() map[string]any {
			r := propsReq([]any{"Acme", "Globex"}, "")
			r["queryParams"].(map[string]any)["productName"] = sq("CloudSync", "EQUALS")
			return r
		}(), 3, ""},
		{"several in getActivatableItemsQuery", "getActivatableItemsQuery", map[string]any{
			"activatableItemSearchCriteria": map[string]any{"accountUnitName": map[string]any{"value": []any{"Acme", "Globex"}}}, "batchSize": "10"}, 0,
			"only by getEntitlementLineItemPropertiesQuery"},
	}
	for _, tt := range tests {
		out := call(t, h, EntitlementOrder, "v8", tt.op, tt.req)
		switch {
		case tt.failure != "":
			if statusOf(out) != statusFailure || !strings.Contains(op.Str(out, "statusInfo", "reason"), tt.failure) {
				t.Errorf("%s: want FAILURE naming %q, got %v", tt.name, tt.failure, out["statusInfo"])
			}
		case statusOf(out) != statusSuccess:
			t.Errorf("%s: %v", tt.name, out["statusInfo"])
		case len(op.List(out["entitlementLineItem"])) != tt.items:
			t.Errorf("%s: %d line items, want %d", tt.name, len(op.List(out["entitlementLineItem"])), tt.items)
		}
	}
	// -1 is unlimited.
	cfg.MaxAccountUnitNames = -1
	h = newHandlers(fixture(t), cfg, testSigner)
	if out := call(t, h, EntitlementOrder, "v8", "getEntitlementLineItemPropertiesQuery", propsReq(names(7), "")); statusOf(out) != statusSuccess {
		t.Errorf("unlimited: %v", out["statusInfo"])
	}
}

func parentReq(aid, parent, typ string) map[string]any {
	p := itemIdent(parent)
	if typ != "" {
		p["lineItemType"] = typ
	}
	return map[string]any{"lineItemData": []any{map[string]any{"entitlementIdentifier": entIdent("ENT-ACME-1"),
		"lineItemData": []any{map[string]any{"lineItemIdentifier": itemIdent(aid), "parentLineItem": p}}}}}
}

// TestV7ParentRelation follows seed 002 L230-300: UPGRADE adds the
// relation, NEW removes it.
func TestV7ParentRelation(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newHandlers(st, op.DefaultSettings(), testSigner)
	steps := []struct {
		name       string
		version    string
		req        map[string]any
		status     string
		wantParent string
		wantType   state.LineItemType
	}{
		{"upgrade", "v7", parentReq("AID-CS-1", "AID-PP-1", "UPGRADE"), statusSuccess, "AID-PP-1", state.LineUpgrade},
		{"NEW with another parent", "v7", parentReq("AID-CS-1", "AID-PP-2", "NEW"), statusFailure, "AID-PP-1", state.LineUpgrade},
		{"NEW removes", "v7", parentReq("AID-CS-1", "AID-PP-1", "NEW"), statusSuccess, "", ""},
		{"own parent", "v7", parentReq("AID-CS-1", "AID-CS-1", "UPGRADE"), statusFailure, "", ""},
		{"unknown parent", "v7", parentReq("AID-CS-1", "AID-NONE", "UPGRADE"), statusFailure, "", ""},
		{"v6 parent without type", "v6", parentReq("AID-CS-1", "AID-PP-2", ""), statusSuccess, "AID-PP-2", state.LineUpgrade},
		{"upsell", "v7", parentReq("AID-CS-1", "AID-PP-1", "UPSELL"), statusSuccess, "AID-PP-1", state.LineUpsell},
	}
	for _, s := range steps {
		out := call(t, h, EntitlementOrder, s.version, "updateEntitlementLineItem", s.req)
		it, _ := st.LineItem("AID-CS-1")
		if statusOf(out) != s.status || it.Parent != s.wantParent || it.Type != s.wantType {
			t.Errorf("%s: status %s, parent %q %q; want %s, %q %q (%v)", s.name, statusOf(out), it.Parent, it.Type, s.status, s.wantParent, s.wantType, out)
		}
	}
	// The relation shows in the v7 properties query.
	out := call(t, h, EntitlementOrder, "v7", "getEntitlementLineItemPropertiesQuery", map[string]any{
		"queryParams":                       map[string]any{"lineItemParentLineItemId": sq("AID-PP-1", "EQUALS")},
		"entitlementLineItemResponseConfig": flags("activationId", "parentLineItem", "lineItemSupportAction"), "batchSize": "10"})
	got := op.List(out["entitlementLineItem"])
	if len(got) != 1 || op.Str(got[0], "lineItemSupportAction") != "UPSELL" || op.Str(got[0], "parentLineItem", "primaryKeys", "activationId") != "AID-PP-1" {
		t.Errorf("properties of the child: %v", got)
	}
}

func TestBatchLimits(t *testing.T) {
	t.Parallel()
	cfg := op.DefaultSettings()
	cfg.MaxWriteBatch, cfg.MaxReadBatch = 3, 5
	h := newHandlers(fixture(t), cfg, testSigner)
	recs := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"entitlementIdentifier": entIdent(fmt.Sprintf("E%d", i)), "stateToSet": "ACTIVE"}
		}
		return out
	}
	tests := []struct {
		name, op string
		req      map[string]any
		limited  bool
	}{
		{"write at the limit", "setEntitlementState", map[string]any{"entitlement": recs(3)}, false},
		{"write beyond", "setEntitlementState", map[string]any{"entitlement": recs(4)}, true},
		{"read at the limit", "getEntitlementsQuery", map[string]any{"entitlementSearchCriteria": "", "batchSize": "5"}, false},
		{"read beyond", "getEntitlementsQuery", map[string]any{"entitlementSearchCriteria": "", "batchSize": "6"}, true},
		{"batchSize zero", "getActivatableItemsQuery", map[string]any{"activatableItemSearchCriteria": "", "batchSize": "0"}, true},
		{"pageNumber zero", "getActivatableItemsQuery", map[string]any{"activatableItemSearchCriteria": "", "batchSize": "1", "pageNumber": "0"}, true},
	}
	for _, tt := range tests {
		out := call(t, h, EntitlementOrder, "v8", tt.op, tt.req)
		why := op.Str(out, "statusInfo", "reason")
		limited := statusOf(out) == statusFailure && out["failedData"] == nil &&
			(strings.Contains(why, "limit") || strings.Contains(why, "at least 1"))
		if limited != tt.limited {
			t.Errorf("%s: %v", tt.name, out["statusInfo"])
		}
	}
}

// TestEntitlementIDRules: seed 003 (≤ 255 characters, not empty, unique,
// the forbidden characters), each a failedData record with a reason.
func TestEntitlementIDRules(t *testing.T) {
	t.Parallel()
	h := newHandlers(fixture(t), op.DefaultSettings(), testSigner)
	ent := func(id string) map[string]any {
		return map[string]any{"entitlementId": map[string]any{"id": id}, "soldTo": "ACCT-1"}
	}
	item := func(id string) map[string]any {
		return map[string]any{"entitlementId": map[string]any{"autoGenerate": "true"}, "lineItems": []any{map[string]any{
			"activationId": map[string]any{"id": id}, "numberOfCopies": "1"}}}
	}
	tests := []struct {
		rec  map[string]any
		want string // "" succeeds
	}{
		{ent("ENT-OK-1"), ""},
		{ent(strings.Repeat("x", 255)), ""},
		{ent(strings.Repeat("x", 256)), "longer than 255"},
		{ent("ENT-ACME-1"), "already exists"},
		{ent("ent-acme-1"), "already exists"},
		{map[string]any{"entitlementId": map[string]any{"id": ""}}, "must not be empty"},
		{map[string]any{"entitlementId": ""}, "autoGenerate"},
		{item("AID-PP-1"), "already exists"},
		{item("fine-id"), ""},
	}
	for _, c := range ",\"&%^()#@!~/<>`}{=|." {
		tests = append(tests, struct {
			rec  map[string]any
			want string
		}{ent("ENT" + string(c) + "X"), "forbidden character"}, struct {
			rec  map[string]any
			want string
		}{item("AID" + string(c) + "X"), "forbidden character"})
	}
	for i, tt := range tests {
		out := call(t, h, EntitlementOrder, "v8", "createSimpleEntitlement", map[string]any{"simpleEntitlement": []any{tt.rec}})
		failed := op.List(out, "failedData", "failedSimpleEntitlement")
		switch {
		case tt.want == "" && statusOf(out) != statusSuccess:
			t.Errorf("case %d: %v", i, out)
		case tt.want != "" && (len(failed) != 1 || !strings.Contains(op.Str(failed[0], "reason"), tt.want)):
			t.Errorf("case %d: want a failure naming %q, got %v", i, tt.want, out)
		}
		for _, f := range failed {
			if r := op.Str(f, "reason"); strings.Contains(r, "ENT") || strings.Contains(r, "AID") || strings.Contains(r, "xxx") {
				t.Errorf("case %d: the reason echoes the ID: %q", i, r)
			}
		}
	}
}

// TestCountsAgreeWithQueries: every count equals what paging through the
// matching query returns, and the pages are disjoint.
func TestCountsAgreeWithQueries(t *testing.T) {
	t.Parallel()
	gen := state.Generate(state.Sizes{Accounts: 20, Users: 10, Products: 8, Entitlements: 60, Devices: 10, Fulfillments: 40}, 9)
	h := newHandlers(gen, op.DefaultSettings(), testSigner)
	var someAID string
	if its, _ := gen.LineItems(state.LineItemQuery{}, state.Page{Number: 1, Size: 1}); len(its) > 0 {
		someAID = its[0].ActivationID
	}
	items := []map[string]any{
		{},
		{"productName": sq("a", "CONTAINS")},
		{"activationId": sq(someAID[:4], "STARTS_WITH")},
		{"activationId": sq(someAID[len(someAID)-3:], "ENDS_WITH")},
		{"isPermanent": "false", "lineItemState": sq("DEPLOYED", "EQUALS")},
		{"isEmbeddedLicenseModel": "true"},
		{"restrictToItemsWithCount": "true", "isAutoRenewal": "false"},
	}
	for _, q := range items {
		cnt := call(t, h, EntitlementOrder, "v7", "getActivatableItemCount", map[string]any{"queryParams": q})
		n, _, _ := op.GetInt(cnt, "count")
		seen := map[string]bool{}
		for page := 1; ; page++ {
			out := call(t, h, EntitlementOrder, "v7", "getActivatableItemsQuery", map[string]any{"activatableItemSearchCriteria": q, "batchSize": "7", "pageNumber": itoa(page)})
			got := op.List(out["activatableItem"])
			for _, it := range got {
				aid := op.Str(it, "activatableItemData", "activationId", "id")
				if seen[aid] {
					t.Errorf("%v: %s on two pages", q, aid)
				}
				seen[aid] = true
			}
			if len(got) < 7 {
				break
			}
		}
		if int(n) != len(seen) {
			t.Errorf("line items %v: count %d, query %d", q, n, len(seen))
		}
	}
	for _, q := range []map[string]any{{}, {"state": sq("DEPLOYED", "EQUALS")}, {"soldTo": sq("A", "STARTS_WITH")}, {"isPermanent": "true"}} {
		cnt := call(t, h, EntitlementOrder, "v6", "getEntitlementCount", map[string]any{"queryParams": q})
		n, _, _ := op.GetInt(cnt, "count")
		out := call(t, h, EntitlementOrder, "v6", "getEntitlementsQuery", map[string]any{"entitlementSearchCriteria": q, "batchSize": "2000"})
		if int(n) != len(op.List(out["entitlement"])) {
			t.Errorf("entitlements %v: count %d, query %d", q, n, len(op.List(out["entitlement"])))
		}
	}
	for _, q := range []map[string]any{{}, {"state": sq("ACTIVE", "EQUALS")}, {"hostId": sq("0", "CONTAINS")}} {
		cnt := call(t, h, License, "v1", "getFulfillmentCount", map[string]any{"queryParams": q})
		n, _, _ := op.GetInt(cnt, "responseData", "count")
		out := call(t, h, License, "v1", "getFulfillmentsQuery", map[string]any{"queryParams": q, "pageNumber": "1", "batchSize": "2000"})
		if int(n) != len(op.List(out, "responseData", "fulfillment")) {
			t.Errorf("fulfillments %v: count %d, query %d", q, n, len(op.List(out, "responseData", "fulfillment")))
		}
	}
}

func TestDeleteEntitlement(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newHandlers(st, op.DefaultSettings(), testSigner)
	del := func(id string) map[string]any {
		return call(t, h, EntitlementOrder, "v8", "deleteEntitlement", map[string]any{"entitlement": []any{map[string]any{"entitlementIdentifier": entIdent(id)}}})
	}
	// ENT-GLOBEX-1 has a fulfillment: refused.
	if out := del("ENT-GLOBEX-1"); statusOf(out) != statusFailure {
		t.Errorf("deleting a fulfilled entitlement: %v", out)
	}
	if out := del("ENT-ACME-1"); statusOf(out) != statusSuccess {
		t.Fatalf("delete: %v", out)
	}
	if _, err := st.Entitlement("ENT-ACME-1"); err == nil {
		t.Error("the deleted entitlement is still there")
	}
	if _, err := st.LineItem("AID-PP-1"); err == nil {
		t.Error("a deleted line item is still there")
	}
	// The others are intact and reachable after the compaction.
	for _, aid := range []string{"AID-PP-2", "AID-DRAFT-1"} {
		it, err := st.LineItem(aid)
		if err != nil {
			t.Errorf("%s lost: %v", aid, err)
			continue
		}
		e, err := st.Entitlement(it.EntitlementID)
		if err != nil || len(e.LineItems) != 1 || e.LineItems[0] != aid {
			t.Errorf("%s: its entitlement is %+v, %v", aid, e, err)
		}
	}
	if out := del("ENT-ACME-1"); statusOf(out) != statusFailure {
		t.Errorf("deleting twice: %v", out)
	}
	cnt := call(t, h, EntitlementOrder, "v8", "getEntitlementCount", map[string]any{"queryParams": ""})
	if op.Str(cnt, "count") != "2" {
		t.Errorf("count after delete: %v", cnt)
	}
}

func TestCreateSimpleEntitlementOpType(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newHandlers(st, op.DefaultSettings(), testSigner)
	req := func(opType, desc string) map[string]any {
		return map[string]any{"opType": opType, "simpleEntitlement": []any{map[string]any{
			"entitlementId": map[string]any{"id": "ENT-ACME-1"}, "description": desc,
			"lineItems": []any{map[string]any{"activationId": map[string]any{"id": "AID-NEW-9"}, "numberOfCopies": "2",
				"partNumber": map[string]any{"primaryKeys": map[string]any{"partId": "PP-100"}}}}}}}
	}
	if out := call(t, h, EntitlementOrder, "base", "createSimpleEntitlement", req("", "x")); statusOf(out) != statusFailure {
		t.Errorf("create of an existing ID: %v", out)
	}
	if out := call(t, h, EntitlementOrder, "v1", "createSimpleEntitlement", req("CREATE_OR_IGNORE", "ignored")); statusOf(out) != statusSuccess {
		t.Errorf("CREATE_OR_IGNORE: %v", out)
	}
	if e, _ := st.Entitlement("ENT-ACME-1"); e.Description == "ignored" || len(e.LineItems) != 2 {
		t.Errorf("CREATE_OR_IGNORE changed the entitlement: %+v", e)
	}
	if out := call(t, h, EntitlementOrder, "v1", "createSimpleEntitlement", req("CREATE_OR_UPDATE", "updated")); statusOf(out) != statusSuccess {
		t.Errorf("CREATE_OR_UPDATE: %v", out)
	}
	e, _ := st.Entitlement("ENT-ACME-1")
	it, err := st.LineItem("AID-NEW-9")
	if e.Description != "updated" || len(e.LineItems) != 3 || err != nil || it.Product.Name != "PhotoPrint" || it.LicenseModel != "FNP Floating" {
		t.Errorf("CREATE_OR_UPDATE: %+v; new line item %+v, %v", e, it, err)
	}
}
