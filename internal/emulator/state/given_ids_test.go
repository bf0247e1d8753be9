package state

import (
	"errors"
	"testing"
)

// IDs given by the caller (the producer's ID generator) are kept, and a
// taken one is refused without consuming anything.
func TestGivenFulfillmentIDs(t *testing.T) {
	t.Parallel()
	s := Generate(Sizes{Accounts: 5, Products: 3, Entitlements: 5, Devices: 10, Fulfillments: 5}, 3)
	fixed(s)
	aid := deployedItem(t, s, 6)
	f, err := s.CreateFulfillment(Fulfillment{ID: "PRD-FID-1", ActivationID: aid, Count: 1, HostID: "HOSTA"})
	if err != nil || f.ID != "PRD-FID-1" {
		t.Fatalf("create with a given ID: %+v, %v", f, err)
	}

	// Batch: a taken ID, or the same ID twice, refuses the whole batch.
	for name, fs := range map[string][]Fulfillment{
		"taken":     {{ID: "prd-fid-1", ActivationID: aid, Count: 1, HostID: "HOSTB"}},
		"duplicate": {{ID: "PRD-FID-2", ActivationID: aid, Count: 1, HostID: "HOSTB"}, {ID: "PRD-FID-2", ActivationID: aid, Count: 1, HostID: "HOSTC"}},
	} {
		if _, err := s.CreateFulfillments(fs); !errors.Is(err, ErrExists) {
			t.Fatalf("%s: %v, want ErrExists", name, err)
		}
	}
	if it, _ := s.LineItem(aid); it.Remaining() != 5 {
		t.Fatalf("refused batches consumed copies: %d remaining, want 5", it.Remaining())
	}
	made, err := s.CreateFulfillments([]Fulfillment{{ID: "PRD-FID-2", ActivationID: aid, Count: 1, HostID: "HOSTB"}, {ActivationID: aid, Count: 1, HostID: "HOSTC"}})
	if err != nil || made[0].ID != "PRD-FID-2" || made[1].ID == "" {
		t.Fatalf("batch with one given ID: %+v, %v", made, err)
	}

	// Rehost and repair: the new fulfilment takes the given ID.
	if _, err := s.RehostFulfillmentAs(f.ID, "PRD-FID-2", "HOSTD", "text"); !errors.Is(err, ErrExists) {
		t.Fatalf("rehost to a taken ID: %v", err)
	}
	if old, _ := s.Fulfillment(f.ID); old.State != Active {
		t.Fatal("a refused rehost made the fulfillment obsolete")
	}
	r, err := s.RehostFulfillmentAs(f.ID, "PRD-FID-3", "HOSTD", "text")
	if err != nil || r.ID != "PRD-FID-3" || r.Parent != f.ID || r.HostID != "HOSTD" {
		t.Fatalf("rehost with a given ID: %+v, %v", r, err)
	}
	rp, err := s.RepairFulfillmentAs(r.ID, "PRD-FID-4", "repaired")
	if err != nil || rp.ID != "PRD-FID-4" || rp.Parent != r.ID || rp.SupportAction != "REPAIR" {
		t.Fatalf("repair with a given ID: %+v, %v", rp, err)
	}
	if got, err := s.Fulfillment("PRD-FID-4"); err != nil || got.LicenseText != "repaired" {
		t.Fatalf("repaired fulfillment not found by its given ID: %v", err)
	}
}
