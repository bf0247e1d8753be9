package entitlements

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// TestCreateLicenseRaceSellsExactlyTheCopies: many clients race for one
// line item with N copies; exactly N get a licence, the others a clear
// reason, and the line item ends with none remaining (run with -race).
func TestCreateLicenseRaceSellsExactlyTheCopies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		copies  int
		clients int
		op      string
	}{
		{"createLicense", 7, 64, "createLicense"},
		{"createLicensesAsBatch", 5, 40, "createLicensesAsBatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := fixture(t)
			if _, err := st.CreateEntitlement(state.Entitlement{ID: "ENT-RACE", SoldTo: "ACCT-1", State: state.Deployed},
				[]state.LineItem{{ActivationID: "AID-RACE", Product: state.ProductKey{Name: "PhotoPrint", Version: "2.0"}, Copies: tc.copies, Permanent: true}}); err != nil {
				t.Fatal(err)
			}
			h := newHandlers(st, op.DefaultSettings(), testSigner)
			var wg sync.WaitGroup
			outs := make([]map[string]any, tc.clients)
			for i := range tc.clients {
				wg.Go(func() {
					host := fmt.Sprintf("host-%03d", i)
					req := map[string]any{"fulfillment": []any{createReq("AID-RACE", 1, nodeHost(host))}}
					if tc.op == "createLicensesAsBatch" {
						req = map[string]any{"activationIds": map[string]any{"activationId": []any{"AID-RACE"}},
							"hostIdDataSet": map[string]any{"hostIdData": []any{nodeHost(host)}}, "commonBatchDataSet": ""}
					}
					outs[i] = call(t, h, License, "v2", tc.op, req)
				})
			}
			wg.Wait()
			won := 0
			for _, out := range outs {
				switch statusOf(out) {
				case statusSuccess:
					won++
				case statusFailure:
					why := op.Str(out, "statusInfo", "reason")
					if f := op.List(out, "failedData", "failedFulfillment"); len(f) == 1 {
						why = op.Str(f[0], "reason")
					}
					if !strings.Contains(why, "not enough remaining copies") {
						t.Errorf("a losing request says %q, want the remaining copies named", why)
					}
				default:
					t.Errorf("status %q", statusOf(out))
				}
			}
			if won != tc.copies {
				t.Errorf("%d requests got a licence for %d copies", won, tc.copies)
			}
			it, _ := st.LineItem("AID-RACE")
			if it.Remaining() != 0 || it.Fulfilled != tc.copies {
				t.Errorf("line item after the race: %d fulfilled, %d remaining; want %d, 0", it.Fulfilled, it.Remaining(), tc.copies)
			}
			n, _ := st.CountFulfillments(state.FulfillmentQuery{ActivationID: state.Match{Value: "AID-RACE", Type: state.Equals}})
			if n != tc.copies {
				t.Errorf("%d fulfillments recorded, want %d", n, tc.copies)
			}
		})
	}
}

func TestCreateLicenseTextIsSignedAndVerifiable(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newHandlers(st, op.DefaultSettings(), testSigner)
	out := call(t, h, License, "v1", "createLicense", map[string]any{"fulfillment": []any{
		createReq("AID-PP-1", 2, nodeHost("00163e5a1b2c")),
		createReq("AID-PP-1", 1, map[string]any{"serverIds": map[string]any{"server1": "srv-1"}}),
	}})
	if statusOf(out) != statusSuccess {
		t.Fatalf("status %s: %v", statusOf(out), out)
	}
	created := op.List(out, "responseData", "createdFulfillment")
	if len(created) != 2 {
		t.Fatalf("%d created fulfillments, want 2", len(created))
	}
	node, served := op.Str(created[0], "licenseText"), op.Str(created[1], "licenseText")
	for name, text := range map[string]string{"node-locked": node, "served": served} {
		n, err := testSigner.VerifyLicenseText(text)
		if err != nil || n != 2 { // PhotoPrint has two features
			t.Errorf("%s licence: %d lines verified, %v\n%s", name, n, err, text)
		}
		if _, err := tamper(text); err == nil {
			t.Errorf("%s licence: a raised count still verifies", name)
		}
	}
	if !strings.Contains(node, "INCREMENT PP_PRO fnokit 2.0 permanent 4 ") || !strings.Contains(node, "HOSTID=00163e5a1b2c") {
		t.Errorf("node-locked licence: want PP_PRO with 2 copies × 2 per copy for the host:\n%s", node)
	}
	if !strings.HasPrefix(served, "SERVER this_host srv-1\n") {
		t.Errorf("served licence lacks the SERVER line:\n%s", served)
	}
	// The stored fulfillment carries the same text.
	f, err := st.Fulfillment(op.Str(created[0], "fulfillmentId"))
	if err != nil || strings.TrimSpace(f.LicenseText) != node || f.Count != 2 {
		t.Errorf("stored fulfillment: %+v, %v", f, err)
	}
}

func tamper(text string) (int, error) {
	raised := strings.Replace(text, "INCREMENT PP_BASE fnokit 2.0 permanent ", "INCREMENT PP_BASE fnokit 2.0 permanent 9", 1)
	if raised == text {
		return 0, nil // nothing to tamper with: report it as verifying
	}
	return testSigner.VerifyLicenseText(raised)
}

func TestVerifyCreateLicenseChecksWithoutConsuming(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newHandlers(st, op.DefaultSettings(), testSigner)
	before, _ := st.LineItem("AID-CS-1")
	tests := []struct {
		name string
		rec  map[string]any
		want string // "" verified, else part of the reason
	}{
		{"ok", createReq("AID-CS-1", 5, nodeHost("h")), ""},
		{"too many", createReq("AID-CS-1", 6, nodeHost("h")), "not enough remaining copies"},
		{"no host", map[string]any{"activationId": "AID-CS-1"}, "a host is required"},
		{"draft", createReq("AID-DRAFT-1", 1, nodeHost("h")), "not deployed"},
		{"unknown", createReq("AID-NONE", 1, nodeHost("h")), "line item not found"},
		{"overdraft", map[string]any{"activationId": "AID-CS-1", "overDraftCount": "1", "nodeIds": map[string]any{"nodeId": "h"}}, "overdraft"},
		{"zero", createReq("AID-CS-1", 0, nodeHost("h")), "fulfillCount must be at least 1"},
	}
	for _, tt := range tests {
		out := call(t, h, License, "base", "verifyCreateLicense", map[string]any{"fulfillment": []any{tt.rec}})
		failed := op.List(out, "failedData", "failedFulfillment")
		switch {
		case tt.want == "" && (statusOf(out) != statusSuccess || len(op.List(out, "responseData", "verifiedFulfillment")) != 1):
			t.Errorf("%s: %v", tt.name, out)
		case tt.want != "" && (len(failed) != 1 || !strings.Contains(op.Str(failed[0], "reason"), tt.want)):
			t.Errorf("%s: want a failure naming %q, got %v", tt.name, tt.want, out)
		}
	}
	after, _ := st.LineItem("AID-CS-1")
	if after.Fulfilled != before.Fulfilled {
		t.Errorf("verifyCreateLicense consumed copies: %d → %d", before.Fulfilled, after.Fulfilled)
	}
}

func TestCreateLicensesAsBatchIsAllOrNothing(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newHandlers(st, op.DefaultSettings(), testSigner)
	// AID-CS-1 has 5 copies: 2 hosts × 3 copies do not fit, and nothing
	// may be taken from AID-PP-1 either.
	req := map[string]any{
		"activationIds": map[string]any{"activationId": []any{"AID-PP-1", "AID-CS-1"}},
		"hostIdDataSet": map[string]any{"hostIdData": []any{nodeHost("a"), nodeHost("b")}},
		"countDataSet": map[string]any{"countData": []any{map[string]any{"activationId": "AID-CS-1", "countForHosts": []any{
			map[string]any{"hostDataRefId": "1", "fulfillCount": "3"}, map[string]any{"hostDataRefId": "2", "fulfillCount": "3"}}}}},
		"commonBatchDataSet": "",
	}
	out := call(t, h, License, "v2", "createLicensesAsBatch", req)
	if statusOf(out) != statusFailure || !strings.Contains(op.Str(out, "statusInfo", "reason"), "not enough remaining copies") {
		t.Fatalf("over-asking batch: %v", out)
	}
	for _, aid := range []string{"AID-PP-1", "AID-CS-1"} {
		if it, _ := st.LineItem(aid); it.Fulfilled != 0 {
			t.Errorf("%s: %d copies taken by a failed batch", aid, it.Fulfilled)
		}
	}
	req["countDataSet"] = nil
	out = call(t, h, License, "v2", "createLicensesAsBatch", req)
	if statusOf(out) != statusSuccess || len(op.List(out, "responseData", "fulfillment")) != 4 {
		t.Fatalf("fitting batch: %v", out)
	}
	if it, _ := st.LineItem("AID-CS-1"); it.Fulfilled != 2 {
		t.Errorf("AID-CS-1: %d copies taken, want 2", it.Fulfilled)
	}
}

func TestFulfillmentLifecycle(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newHandlers(st, op.DefaultSettings(), testSigner)
	out := call(t, h, License, "v2", "createLicense", map[string]any{"fulfillment": []any{createReq("AID-PP-2", 2, nodeHost("old-host"))}})
	id := op.Str(op.List(out, "responseData", "createdFulfillment")[0], "fulfillmentId")

	out = call(t, h, License, "v2", "rehostLicense", map[string]any{"fulfillment": []any{map[string]any{"fulfillmentIdentifier": fulIdent(id), "nodeIds": map[string]any{"nodeId": []any{"new-host"}}}}})
	if statusOf(out) != statusSuccess {
		t.Fatalf("rehost: %v", out)
	}
	nf := op.List(op.Get(op.List(out, "responseData", "fulfillmentData")[0], "fulfillment"))[0]
	newID := op.Str(nf, "fulfillmentIdentifier", "primaryKeys", "fulfillmentId")
	if op.Str(nf, "supportAction") != "REHOST" || op.Str(nf, "parentFulfillmentId", "primaryKeys", "fulfillmentId") != id ||
		!strings.Contains(op.Str(nf, "licenseText"), "HOSTID=new-host") {
		t.Errorf("rehosted fulfillment: %v", nf)
	}
	if old, _ := st.Fulfillment(id); old.State != state.Obsolete {
		t.Errorf("the rehosted fulfillment is %s, want OBSOLETE", old.State)
	}
	// Returning the obsolete one fails; returning the new one frees its copies.
	out = call(t, h, License, "v2", "returnLicense", map[string]any{"fulfillment": []any{
		map[string]any{"fulfillmentIdentifier": fulIdent(id)}, map[string]any{"fulfillmentIdentifier": fulIdent(newID)}}})
	if statusOf(out) != statusPartial || len(op.List(out, "failedData", "failedFulfillment")) != 1 {
		t.Errorf("return: %v", out)
	}
	if it, _ := st.LineItem("AID-PP-2"); it.Fulfilled != 1 { // the fixture's own fulfillment stays
		t.Errorf("after the return %d copies are fulfilled, want 1", it.Fulfilled)
	}
	out = call(t, h, License, "v2", "repairLicense", map[string]any{"fulfillment": []any{map[string]any{"fulfillmentIdentifier": fulIdent(newID)}}})
	if statusOf(out) != statusFailure {
		t.Errorf("repairing a returned fulfillment: %v", out)
	}
}

func TestHostQueryAndCountAgree(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newHandlers(st, op.DefaultSettings(), testSigner)
	for i := range 5 {
		call(t, h, License, "v2", "createLicense", map[string]any{"fulfillment": []any{createReq("AID-PP-1", 1, nodeHost(fmt.Sprintf("host-%d", i)))}})
	}
	for _, q := range []map[string]any{
		{},
		{"hostId": sq("host-", "STARTS_WITH")},
		{"hostId": sq("-3", "ENDS_WITH")},
		{"account": sq("acme", "EQUALS"), "fulfillmentState": sq("ACTIVE", "EQUALS")},
		{"hostType": sq(hostNode, "EQUALS")},
	} {
		cnt := call(t, h, License, "v2", "getHostCount", map[string]any{"queryParams": q})
		n, _, _ := op.GetInt(cnt, "responseData", "count")
		got := 0
		for page := 1; ; page++ {
			out := call(t, h, License, "v2", "getHostQuery", map[string]any{"queryParams": q, "pageNumber": itoa(page), "batchSize": "2"})
			hs := op.List(out, "responseData", "host")
			got += len(hs)
			if len(hs) < 2 {
				break
			}
		}
		if int(n) != got || n == 0 {
			t.Errorf("%v: count %d, pages hold %d", q, n, got)
		}
	}
}

func TestHostOperationsExistFromV2(t *testing.T) {
	t.Parallel()
	r := op.NewRegistry()
	RegisterSigned(r, fixture(t), op.DefaultSettings(), testSigner)
	for v, want := range map[contract.Version]bool{contract.Base: false, "v1": false, "v2": true} {
		for _, name := range []string{"getHostQuery", "getHostCount"} {
			if _, ok := r.Lookup(contract.Operation{Service: License, Version: v, Name: name}); ok != want {
				t.Errorf("%s %s registered: %v, want %v", name, v, ok, want)
			}
		}
	}
	if _, ok := r.Lookup(contract.Operation{Service: EntitlementOrder, Version: "v8", Name: "getEntitlementLineItemPropertiesQuery"}); !ok {
		t.Error("EntitlementOrderService v8 getEntitlementLineItemPropertiesQuery is not registered")
	}
}
