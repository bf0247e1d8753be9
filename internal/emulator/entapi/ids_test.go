package entapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/entapi"
	"github.com/fnokit/fnokit/internal/emulator/producer"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/openapi"
)

// The producer's client is an ID source.
var _ entapi.IDSource = (*producer.Client)(nil)

// fakeIDs is an ID source that numbers its IDs with a prefix, answers ""
// when blank, and fails the kinds named in fail with a producer error.
type fakeIDs struct {
	prefix string
	blank  bool
	fail   map[string]bool // "entitlement", "lineItem"

	mu      sync.Mutex
	asked   []string // kinds asked, in order
	parents []string // the entitlement ID each line item was asked with
}

func (f *fakeIDs) answer(kind, operation string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, kind)
	switch {
	case f.fail[kind]:
		return "", &producer.Error{Service: producer.IDGenerator, Operation: operation, Kind: "timeout"}
	case f.blank:
		return "", nil
	}
	return f.prefix + kind + "-" + strconv.Itoa(len(f.asked)), nil
}

func (f *fakeIDs) EntitlementID(_ context.Context, _ state.Entitlement) (string, error) {
	return f.answer("entitlement", producer.OpEntitlementID)
}

func (f *fakeIDs) LineItemID(_ context.Context, e state.Entitlement, _ state.LineItem) (string, error) {
	f.mu.Lock()
	f.parents = append(f.parents, e.ID)
	f.mu.Unlock()
	return f.answer("lineItem", producer.OpLineItemID)
}

func (f *fakeIDs) kinds() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.asked)
}

// autoBody is a create body leaving the entitlement ID and the first line
// item's activation ID to autoGenerate, the second line item's given.
func (e *env) autoBody(givenAID string) map[string]any {
	given := e.lineItemBody()
	given["autoGenerate"], given["activationId"] = false, givenAID
	return map[string]any{"autoGenerate": true, "description": "secret-description", "lineItems": []any{e.lineItemBody(), given}}
}

func createdIDs(t *testing.T, x exchange) (string, []string) {
	t.Helper()
	var out struct {
		EntitlementID string
		ActivationIDs []string
	}
	if x.Status != http.StatusCreated {
		t.Fatalf("status %d: %s", x.Status, x.Body)
	}
	if err := json.Unmarshal(x.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out.EntitlementID, out.ActivationIDs
}

// IDs left to autoGenerate are the source's, asked after the request is
// accepted and with the entitlement's ID known; given IDs and maintenance
// line items' are not asked for.
func TestIDSourceIDsUsed(t *testing.T) {
	t.Parallel()
	ids := &fakeIDs{prefix: "SRC-"}
	e := newEnvIDs(t, 0, ids)
	v := resttest.Validator(t, contractPath, openapi.Options{})

	bad := e.autoBody("ids-given-0")
	bad["lineItems"].([]any)[0].(map[string]any)["product"] = []any{map[string]any{"productName": "no-such-product", "productVersion": "1"}}
	if x := e.do(t, http.MethodPost, entapi.PathEntitlement, bad); x.Status != http.StatusBadRequest || len(ids.kinds()) != 0 {
		t.Fatalf("a refused request: status %d, the source asked %v", x.Status, ids.kinds())
	}

	x := e.do(t, http.MethodPost, entapi.PathEntitlement, e.autoBody("ids-given-1"))
	resttest.CheckResponse(t, v, x)
	entID, aids := createdIDs(t, x)
	if !strings.HasPrefix(entID, "SRC-entitlement-") || len(aids) != 2 || !strings.HasPrefix(aids[0], "SRC-lineItem-") || aids[1] != "ids-given-1" {
		t.Fatalf("created %q %v, want the source's IDs and the given one", entID, aids)
	}
	if got := ids.kinds(); !slices.Equal(got, []string{"entitlement", "lineItem"}) {
		t.Errorf("the source was asked %v", got)
	}
	ids.mu.Lock()
	parents := slices.Clone(ids.parents)
	ids.mu.Unlock()
	if !slices.Equal(parents, []string{entID}) {
		t.Errorf("the line item was asked with parents %v, want %q", parents, entID)
	}
	if ent, err := e.st.Entitlement(entID); err != nil || !slices.Equal(ent.LineItems, aids) {
		t.Fatalf("stored %+v, %v", ent, err)
	}

	x = e.do(t, http.MethodPost, entapi.LineItemsPath(entID), map[string]any{"lineItems": []any{e.lineItemBody()}})
	resttest.CheckResponse(t, v, x)
	if _, added := createdIDs(t, x); len(added) != 1 || !strings.HasPrefix(added[0], "SRC-lineItem-") {
		t.Fatalf("added %v, want the source's activation ID", added)
	}

	asked := len(ids.kinds())
	x = e.do(t, http.MethodPost, entapi.MaintenanceLineItemsPath(entID), map[string]any{"maintenanceLineItems": []any{
		map[string]any{"partNumber": e.part.PartID, "startDate": "2026-02-01", "autoGenerate": true},
	}})
	if _, added := createdIDs(t, x); len(added) != 1 || added[0] == "" || len(ids.kinds()) != asked {
		t.Fatalf("maintenance line item %v; the source was asked %v", added, ids.kinds()[asked:])
	}
}

// A source answering "" leaves the IDs to the state.
func TestIDSourceBlankFallsBack(t *testing.T) {
	t.Parallel()
	ids := &fakeIDs{blank: true}
	e := newEnvIDs(t, 0, ids)
	entID, aids := createdIDs(t, e.do(t, http.MethodPost, entapi.PathEntitlement, e.autoBody("blank-given-1")))
	if entID == "" || len(aids) != 2 || aids[0] == "" || aids[1] != "blank-given-1" {
		t.Fatalf("created %q %v", entID, aids)
	}
	if ent, err := e.st.Entitlement(entID); err != nil || !slices.Equal(ent.LineItems, aids) {
		t.Fatalf("stored %+v, %v", ent, err)
	}
	if got := ids.kinds(); !slices.Equal(got, []string{"entitlement", "lineItem"}) {
		t.Errorf("the source was asked %v", got)
	}
	_, added := createdIDs(t, e.do(t, http.MethodPost, entapi.LineItemsPath(entID), map[string]any{"lineItems": []any{e.lineItemBody()}}))
	if len(added) != 1 || added[0] == "" {
		t.Fatalf("added %v", added)
	}
}

// A failing source fails the request with 502, the documented answer,
// locating the ID and naming the generator and the kind of failure, never
// a payload value; nothing is stored.
func TestIDSourceFailure(t *testing.T) {
	t.Parallel()
	v := resttest.Validator(t, contractPath, openapi.Options{})
	cases := []struct {
		name string
		fail string
		add  bool // POST line-items to an existing entitlement instead of create
		loc  string
		op   string
	}{
		{"entitlement ID", "entitlement", false, "/entitlementId", producer.OpEntitlementID},
		{"activation ID on create", "lineItem", false, "/lineItems/0/activationId", producer.OpLineItemID},
		{"activation ID on add", "lineItem", true, "/lineItems/0/activationId", producer.OpLineItemID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ids := &fakeIDs{prefix: "SRC-", fail: map[string]bool{c.fail: true}}
			e := newEnvIDs(t, 0, ids)
			before := e.st.Counts()
			old, _ := e.st.Entitlement(e.ent.ID)
			var x exchange
			if c.add {
				body := e.lineItemBody()
				body["attributes"] = []any{map[string]any{"name": "REGION", "value": "secret-value"}}
				x = e.do(t, http.MethodPost, entapi.LineItemsPath(e.ent.ID), map[string]any{"lineItems": []any{body}})
			} else {
				x = e.do(t, http.MethodPost, entapi.PathEntitlement, e.autoBody("fail-given-1"))
			}
			if x.Status != http.StatusBadGateway {
				t.Fatalf("status %d, want 502: %s", x.Status, x.Body)
			}
			resttest.CheckResponse(t, v, x)
			if got := locations(t, x); !slices.Equal(got, []string{c.loc}) {
				t.Errorf("located at %v, want %s", got, c.loc)
			}
			body := string(x.Body)
			for _, want := range []string{"ID generator", c.op, "(timeout)"} {
				if !strings.Contains(body, want) {
					t.Errorf("the answer does not say %q: %s", want, body)
				}
			}
			for _, value := range []string{"secret-", "fail-given-1", e.product.Name, "SRC-"} {
				if strings.Contains(body, value) {
					t.Errorf("the answer echoes %q: %s", value, body)
				}
			}
			if after := e.st.Counts(); after != before {
				t.Errorf("counts %+v after the failure, %+v before", after, before)
			}
			if now, _ := e.st.Entitlement(e.ent.ID); !slices.Equal(now.LineItems, old.LineItems) {
				t.Errorf("line items %v, were %v", now.LineItems, old.LineItems)
			}
			if _, err := e.st.LineItem("fail-given-1"); err == nil {
				t.Error("the given line item was stored")
			}
		})
	}
}
