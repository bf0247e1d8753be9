package state

import (
	"sync"
	"testing"
	"time"
)

// eventStore has an account pair, a deployed line item with 10 copies and
// no device.
func eventStore(t testing.TB) *Store {
	t.Helper()
	s := New(3)
	fixed(s)
	for _, a := range []Account{{ID: "ACME", Name: "Acme", Type: Customer}, {ID: "BETA", Name: "Beta", Type: Customer}} {
		if _, err := s.CreateAccount(a, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddProduct(Product{Name: "Widget", Version: "1.0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateEntitlement(Entitlement{ID: "ENT-1", SoldTo: "ACME", State: Deployed},
		[]LineItem{{ActivationID: "AID-1", Product: ProductKey{Name: "Widget", Version: "1.0"}, Copies: 10, Permanent: true}}); err != nil {
		t.Fatal(err)
	}
	return s
}

// recorder collects events and checks that each arrives outside the
// store's write lock (TryRLock fails under it).
type recorder struct {
	t   *testing.T
	s   *Store
	mu  sync.Mutex
	got []DeviceEvent
}

func (r *recorder) on(ev DeviceEvent) {
	if !r.s.mu.TryRLock() {
		r.t.Errorf("%s emitted while the store is locked", ev.Kind)
	} else {
		r.s.mu.RUnlock()
	}
	r.mu.Lock()
	r.got = append(r.got, ev)
	r.mu.Unlock()
}

func (r *recorder) take() []DeviceEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

func TestDeviceEvents(t *testing.T) {
	t.Parallel()
	s := eventStore(t)
	rec := &recorder{t: t, s: s}
	cancel := s.OnDeviceEvent(rec.on)
	defer cancel()
	srv := DeviceKey{DeviceID: "SRV-1"}
	steps := []struct {
		name  string
		write func() error
		kind  DeviceEventKind // "": the write fails and emits nothing
		aid   string
		acct  string
	}{
		{"create", func() error {
			_, err := s.CreateDevice(Device{Class: Server, DeviceID: "SRV-1", SoldTo: "ACME"})
			return err
		}, EventCreated, "", "ACME"},
		{"create twice", func() error { _, err := s.CreateDevice(Device{Class: Server, DeviceID: "srv-1"}); return err }, "", "", ""},
		{"update", func() error {
			_, err := s.UpdateDevice(srv, func(d *Device) error { d.SiteName = "Oslo"; return nil })
			return err
		}, EventUpdated, "", "ACME"},
		{"update unknown", func() error {
			_, err := s.UpdateDevice(DeviceKey{DeviceID: "NOPE"}, func(*Device) error { return nil })
			return err
		}, "", "", ""},
		{"link", func() error { _, err := s.LinkAddOn(srv, "AID-1", 3, time.Time{}); return err }, EventLineItemsMapped, "AID-1", "ACME"},
		{"link too many", func() error { _, err := s.LinkAddOn(srv, "AID-1", 30, time.Time{}); return err }, "", "", ""},
		{"increment", func() error { _, err := s.IncrementAddOn(srv, "AID-1", 1); return err }, EventLineItemsMapped, "AID-1", "ACME"},
		{"decrement", func() error { _, err := s.DecrementAddOn(srv, "AID-1", 1); return err }, EventLineItemsRemoved, "AID-1", "ACME"},
		{"zero", func() error { _, err := s.ZeroAddOn(srv, "AID-1"); return err }, EventLineItemsRemoved, "AID-1", "ACME"},
		{"unlink", func() error { _, err := s.UnlinkAddOn(srv, "AID-1"); return err }, EventLineItemsRemoved, "AID-1", "ACME"},
		{"unlink again", func() error { _, err := s.UnlinkAddOn(srv, "AID-1"); return err }, "", "", ""},
		{"move", func() error { _, err := s.MoveDevice(srv, "Beta"); return err }, EventMoved, "", "BETA"},
		{"return", func() error { _, err := s.ReturnHost(srv); return err }, EventReturned, "", "BETA"},
		{"return twice", func() error { _, err := s.ReturnHost(srv); return err }, "", "", ""},
		{"obsolete", func() error { _, err := s.ObsoleteHost(srv); return err }, EventObsoleted, "", "BETA"},
		{"delete", func() error { return s.DeleteDevice(srv) }, EventDeleted, "", "BETA"},
		{"delete twice", func() error { return s.DeleteDevice(srv) }, "", "", ""},
	}
	var seq uint64
	for _, st := range steps {
		err := st.write()
		got := rec.take()
		if st.kind == "" {
			if err == nil {
				t.Fatalf("%s: the write succeeded", st.name)
			}
			if len(got) != 0 {
				t.Errorf("%s: a failed write emitted %v", st.name, got)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if len(got) != 1 {
			t.Fatalf("%s: %d events, want 1", st.name, len(got))
		}
		ev := got[0]
		if ev.Kind != st.kind || ev.Device.DeviceID != "SRV-1" || ev.Device.UniqueID == "" || ev.ActivationID != st.aid || ev.Account != st.acct {
			t.Errorf("%s: event %+v, want kind %s, activation ID %q, account %q", st.name, ev, st.kind, st.aid, st.acct)
		}
		if ev.Seq <= seq {
			t.Errorf("%s: seq %d after %d", st.name, ev.Seq, seq)
		}
		seq = ev.Seq
		if !ev.Time.Equal(s.now()) {
			t.Errorf("%s: time %v is not the store's clock", st.name, ev.Time)
		}
	}
}

func TestDeviceEventCancel(t *testing.T) {
	t.Parallel()
	s := eventStore(t)
	var a, b int
	cancelA := s.OnDeviceEvent(func(DeviceEvent) { a++ })
	cancelB := s.OnDeviceEvent(func(DeviceEvent) { b++ })
	create := func(id string) {
		t.Helper()
		if _, err := s.CreateDevice(Device{Class: Client, DeviceID: id}); err != nil {
			t.Fatal(err)
		}
	}
	create("C-1")
	cancelA()
	cancelA() // twice is harmless and must not remove B
	create("C-2")
	cancelB()
	create("C-3")
	if a != 1 || b != 2 {
		t.Errorf("listener A saw %d events (want 1), B %d (want 2)", a, b)
	}
	if s.ev.list.Load() != nil {
		t.Error("the listener list is not empty after every cancel")
	}
}

// A store nobody listens to allocates nothing for events.
func TestDeviceEventsFreeWithoutListeners(t *testing.T) {
	s := eventStore(t)
	d, err := s.CreateDevice(Device{Class: Client, DeviceID: "C-1"})
	if err != nil {
		t.Fatal(err)
	}
	var noErr error
	allocs := testing.AllocsPerRun(100, func() {
		s.emitDevice(EventUpdated, &d, &noErr)
		s.emitAddOn(EventLineItemsMapped, "AID-1", &d, &noErr)
		s.emitDeleted(s.watchedDevice(d.Key()), &noErr)
	})
	if allocs != 0 {
		t.Errorf("emitting without listeners allocates %.0f times", allocs)
	}
}

// BenchmarkUpdateDeviceEvents compares a device write with no listener and
// with one that does nothing.
func BenchmarkUpdateDeviceEvents(b *testing.B) {
	for _, listen := range []bool{false, true} {
		name := "none"
		if listen {
			name = "one"
		}
		b.Run(name, func(b *testing.B) {
			s := eventStore(b)
			d, err := s.CreateDevice(Device{Class: Server, DeviceID: "SRV-1"})
			if err != nil {
				b.Fatal(err)
			}
			if listen {
				defer s.OnDeviceEvent(func(DeviceEvent) {})()
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.UpdateDevice(d.Key(), func(x *Device) error { x.SiteName = "Oslo"; return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
