package conformance

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/soap"
)

// findClient bounds every call of these tests.
var findClient = &http.Client{Timeout: 30 * time.Second}

func startEmulator(t *testing.T, cfg emulator.Config) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		emu.Close(ctx)
	})
	return emu
}

// FindRecords names records the target has, each as StoreRecords would
// choose it in kind (a client, a server with an add-on when there is one,
// a line item with copies left, an entitlement with nothing fulfilled),
// and finds every kind StoreRecords finds.
func TestFindRecords(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, EmulatorConfig())
	rec, err := FindRecords(t.Context(), findClient, emu.URL(), soap.Basic(emulator.DefaultUser, string(emulator.DefaultPassword)))
	if err != nil {
		t.Fatal(err)
	}
	st := emu.Store()
	want := StoreRecords(st)

	if len(rec.Clients) != 1 || rec.Clients[0].Class != "CLIENT" {
		t.Fatalf("clients %+v, want one client", rec.Clients)
	}
	if rec.Server == nil || rec.Server.Class != "SERVER" {
		t.Fatalf("server %+v", rec.Server)
	}
	for _, d := range []Device{rec.Clients[0], *rec.Server} {
		if _, err := st.Device(state.DeviceKey{DeviceID: d.ID, IDType: state.IDType(d.IDType), Publisher: d.Publisher}); err != nil {
			t.Errorf("device %s not in the store: %v", d.ID, err)
		}
	}
	servers, err := st.Devices(state.DeviceQuery{Classes: []state.DeviceClass{"SERVER"}}, state.Page{Number: 1, Size: findBatch})
	if err != nil {
		t.Fatal(err)
	}
	anyAddOn, chosen := false, false
	for _, s := range servers {
		anyAddOn = anyAddOn || len(s.AddOns) > 0
		if s.DeviceID == rec.Server.ID {
			chosen = len(s.AddOns) > 0
		}
	}
	t.Logf("a server with an add-on among the first %d: %v; spare entitlement in the store: %v", findBatch, anyAddOn, want.SpareEntitlementID != "")
	if anyAddOn && !chosen {
		t.Errorf("server %s has no add-on, though one of the first %d servers has", rec.Server.ID, findBatch)
	}

	li, err := st.LineItem(rec.ActivationID)
	if err != nil || li.EntitlementID != rec.EntitlementID || li.Remaining() <= 0 {
		t.Errorf("line item %q of entitlement %q: %v (store: entitlement %q, %d left)", rec.ActivationID, rec.EntitlementID, err, li.EntitlementID, li.Remaining())
	}
	if want.SpareEntitlementID != "" && rec.SpareEntitlementID == "" {
		t.Error("no entitlement without fulfilled copies found, though the store has one")
	}
	if id := rec.SpareEntitlementID; id != "" {
		e, err := st.Entitlement(id)
		if err != nil {
			t.Fatalf("spare entitlement %q: %v", id, err)
		}
		if strings.EqualFold(id, rec.EntitlementID) {
			t.Errorf("the spare entitlement is the line item's")
		}
		for _, aid := range e.LineItems {
			if li, err := st.LineItem(aid); err != nil || li.Fulfilled > 0 {
				t.Errorf("spare entitlement %s: line item %s has fulfilled copies (%v)", id, aid, err)
			}
		}
	}
	if len(rec.FulfillmentIDs) != 1 {
		t.Errorf("fulfilments %v, want one", rec.FulfillmentIDs)
	} else if f, err := st.Fulfillment(rec.FulfillmentIDs[0]); err != nil || f.State != "ACTIVE" {
		t.Errorf("fulfilment %s: %v, state %q", rec.FulfillmentIDs[0], err, f.State)
	}
	if rec.Account == nil || rec.UserName == "" || rec.Product == nil || rec.LicenseModel == "" {
		t.Fatalf("records %+v: want an account, a user, a product and a license model", rec)
	}
	if got, err := st.Account(rec.Account.ID); err != nil || got.Name != rec.Account.Name {
		t.Errorf("account %s not in the store: %v", rec.Account.ID, err)
	}
	if rec.Login != nil {
		t.Error("FindRecords named a login: it would be the caller's own password")
	}
}

// A target that refuses the credentials, or cannot be reached, is an
// error, not an empty set of records; the error does not carry the
// password.
func TestFindRecordsErrors(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t, EmulatorConfig())
	_, err := FindRecords(t.Context(), findClient, emu.URL(), soap.Basic(emulator.DefaultUser, "wrong-Secret-77"))
	if !errors.Is(err, ErrRefused) {
		t.Errorf("wrong password: %v, want ErrRefused", err)
	} else if strings.Contains(err.Error(), "wrong-Secret-77") {
		t.Errorf("the error carries the password: %v", err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	_, err = FindRecords(t.Context(), findClient, closed, soap.Basic("u", "p"))
	if err == nil || errors.Is(err, ErrRefused) {
		t.Errorf("unreachable target: %v, want a transport error", err)
	}
}
