package state

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var small = Sizes{Accounts: 30, Users: 20, Products: 10, Entitlements: 200, Devices: 3000, Fulfillments: 300}

func digest(t testing.TB, s *Store) [32]byte {
	t.Helper()
	var b bytes.Buffer
	if err := s.Encode(&b); err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b.Bytes())
}

func TestGenerateDeterministic(t *testing.T) {
	t.Parallel()
	a, b, c := Generate(small, 7), Generate(small, 7), Generate(small, 8)
	if digest(t, a) != digest(t, b) {
		t.Fatal("same seed, different data")
	}
	if digest(t, a) == digest(t, c) {
		t.Fatal("different seeds, same data")
	}
	if got := a.Counts(); got.Devices != small.Devices || got.Entitlements != small.Entitlements || got.Accounts != small.Accounts {
		t.Fatalf("counts %+v do not match sizes %+v", got, small)
	}
}

var (
	activationRE  = regexp.MustCompile(`^[0-9a-z]{4}(-[0-9a-z]{4}){7}$`)
	entitlementRE = regexp.MustCompile(`^[0-9a-z]{4}(-[0-9a-z]{4}){3}$`)
)

func TestGeneratedShapes(t *testing.T) {
	t.Parallel()
	s := Generate(small, 1)
	items, err := s.LineItems(LineItemQuery{}, Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if !activationRE.MatchString(it.ActivationID) {
			t.Fatalf("activation ID %q has the wrong shape", it.ActivationID)
		}
		if it.Remaining() < 0 {
			t.Fatalf("line item oversold: %+v", it)
		}
		if it.Parent != "" && it.Type == "" {
			t.Fatalf("line item with a parent but no relation")
		}
	}
	ents, _ := s.Entitlements(EntitlementQuery{}, Page{})
	for _, e := range ents {
		if !entitlementRE.MatchString(e.ID) || len(e.LineItems) == 0 {
			t.Fatalf("entitlement %q: bad ID shape or no line items", e.ID)
		}
		if err := ValidateID("entitlementId", e.ID); err != nil {
			t.Fatal(err)
		}
	}
	devs, _ := s.Devices(DeviceQuery{}, Page{})
	classes := map[DeviceClass]int{}
	mapped := map[string]int{}
	for _, d := range devs {
		classes[d.Class]++
		if d.Class == ServedClient && d.Parent.IsZero() {
			t.Fatalf("served client %s without server", d.UniqueID)
		}
		if d.Class != ServedClient && !d.Parent.IsZero() {
			t.Fatalf("%s %s has a parent", d.Class, d.UniqueID)
		}
		for _, a := range d.AddOns {
			mapped[a.ActivationID] += a.Count
		}
		got, err := s.Device(DeviceKey{DeviceID: d.DeviceID})
		if err != nil || got.UniqueID != d.UniqueID {
			t.Fatalf("device %s not found by its device ID", d.UniqueID)
		}
	}
	for _, c := range []DeviceClass{Client, Server, ServedClient} {
		if classes[c] == 0 {
			t.Fatalf("no %s generated: %v", c, classes)
		}
	}
	if len(mapped) == 0 {
		t.Fatal("no add-ons generated")
	}
	// every mapped copy is counted in its line item's fulfilled amount
	fuls, _ := s.Fulfillments(FulfillmentQuery{}, Page{})
	for _, f := range fuls {
		mapped[f.ActivationID] += f.Count
	}
	for aid, n := range mapped {
		it, err := s.LineItem(aid)
		if err != nil {
			t.Fatal(err)
		}
		if it.Fulfilled != n {
			t.Fatalf("line item: fulfilled %d, mapped and fulfilled %d", it.Fulfilled, n)
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	t.Parallel()
	s := Generate(small, 3)
	// a deleted device leaves a gap in the unique IDs that must survive
	d, _ := s.Devices(DeviceQuery{Classes: []DeviceClass{Client}}, Page{Number: 1, Size: 1})
	if err := s.DeleteDevice(d[0].Key()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state.bin")
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if digest(t, s) != digest(t, l) {
		t.Fatal("loaded state differs from saved state")
	}
	if s.NewActivationID() != l.NewActivationID() {
		t.Fatal("the ID generator does not continue where it stopped")
	}
	q := DeviceQuery{DeviceID: Match{Value: "a", Type: StartsWith}}
	n1, _ := s.CountDevices(q)
	n2, _ := l.CountDevices(q)
	if n1 != n2 || n1 == 0 {
		t.Fatalf("search after load: %d, before: %d", n2, n1)
	}
}

func TestLoadRejects(t *testing.T) {
	t.Parallel()
	for name, data := range map[string][]byte{"empty": nil, "garbage": []byte("not a state file")} {
		if _, err := Decode(bytes.NewReader(data)); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

// deployedItem creates an entitlement with one deployed line item of n copies.
func deployedItem(t testing.TB, s *Store, n int) string {
	t.Helper()
	e, err := s.CreateEntitlement(Entitlement{SoldTo: s.accounts[1].ID, State: Deployed},
		[]LineItem{{Product: s.products[0].Key(), Copies: n}})
	if err != nil {
		t.Fatal(err)
	}
	return e.LineItems[0]
}

func TestConsumeRace(t *testing.T) {
	t.Parallel()
	s := Generate(small, 5)
	const copies, workers = 37, 400
	aid := deployedItem(t, s, copies)
	var ok, noCopies atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			<-start
			var err error
			switch w % 3 { // the three ways copies are taken race for the same line item
			case 0:
				_, err = s.Consume(aid, 1)
			case 1:
				_, err = s.CreateFulfillment(Fulfillment{ActivationID: aid, Count: 1, HostID: fmt.Sprintf("HOST%d", w)})
			default:
				var d Device
				d, err = s.CreateDevice(Device{Class: Client, DeviceID: fmt.Sprintf("race-%d", w)})
				if err == nil {
					_, err = s.LinkAddOn(d.Key(), aid, 1, time.Time{})
				}
			}
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, ErrNoCopies):
				noCopies.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	if ok.Load() != copies || noCopies.Load() != workers-copies {
		t.Fatalf("%d succeeded, %d refused for lack of copies; want %d and %d", ok.Load(), noCopies.Load(), copies, workers-copies)
	}
	it, _ := s.LineItem(aid)
	if it.Remaining() != 0 || it.Fulfilled != copies {
		t.Fatalf("line item after the race: %d fulfilled, %d remaining", it.Fulfilled, it.Remaining())
	}
}
