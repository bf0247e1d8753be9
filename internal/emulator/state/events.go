package state

import (
	"sync"
	"sync/atomic"
	"time"
)

// Device events: the store tells listeners about every successful device
// write, so the Event Notification Service (internal/emulator/notify) can
// publish device changes to webhooks (seed 002 lines 315-331) without the
// store knowing about HTTP. The hook is built so that a store nobody
// listens to pays one atomic load per write and allocates nothing.

// DeviceEventKind says what a device write did.
type DeviceEventKind string

// The device event kinds, one per kind of write.
const (
	EventCreated          DeviceEventKind = "created"          // CreateDevice
	EventUpdated          DeviceEventKind = "updated"          // UpdateDevice
	EventMoved            DeviceEventKind = "moved"            // MoveDevice
	EventReturned         DeviceEventKind = "returned"         // ReturnHost
	EventObsoleted        DeviceEventKind = "obsoleted"        // ObsoleteHost
	EventDeleted          DeviceEventKind = "deleted"          // DeleteDevice
	EventLineItemsMapped  DeviceEventKind = "lineItemsMapped"  // LinkAddOn, IncrementAddOn
	EventLineItemsRemoved DeviceEventKind = "lineItemsRemoved" // DecrementAddOn, ZeroAddOn, UnlinkAddOn
)

// DeviceEvent is one successful device write.
type DeviceEvent struct {
	// Seq numbers the store's events from 1 in the order they are
	// emitted. Events are emitted after the write lock is released, so
	// two concurrent writes may be emitted in the other order than they
	// were applied.
	Seq  uint64
	Kind DeviceEventKind
	// Device is the device after the write; for EventDeleted, as it was
	// just before it. Listeners share it: they must not modify AddOns.
	Device Device
	// Account is the device's sold-to account ID after the write ("" for
	// none): for EventMoved, the account it moved to.
	Account string
	// ActivationID is the line item mapped or removed (LineItems* kinds).
	ActivationID string
	// Time is the store's clock when the event was emitted.
	Time time.Time
}

// listeners holds the device event listeners. Its zero value has none;
// the list is copy-on-write so emitting reads it with one atomic load.
type listeners struct {
	mu   sync.Mutex                        // serialises changes to list
	list atomic.Pointer[[]*deviceListener] // nil or non-empty
	seq  atomic.Uint64
}

type deviceListener struct{ fn func(DeviceEvent) }

// OnDeviceEvent registers fn to be called after every successful device
// write, in the writer's goroutine, after the store's lock is released
// (fn may read the store). fn must return quickly and must not panic:
// the writer waits for it. Hand the event to a buffered channel with a
// non-blocking send, say, and do the work elsewhere. cancel removes fn;
// calling it again does nothing.
func (s *Store) OnDeviceEvent(fn func(DeviceEvent)) (cancel func()) {
	l := &deviceListener{fn: fn}
	s.ev.mu.Lock()
	var next []*deviceListener
	if cur := s.ev.list.Load(); cur != nil {
		next = append(next, *cur...)
	}
	next = append(next, l)
	s.ev.list.Store(&next)
	s.ev.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			s.ev.mu.Lock()
			defer s.ev.mu.Unlock()
			cur := s.ev.list.Load()
			if cur == nil {
				return
			}
			var next []*deviceListener
			for _, x := range *cur {
				if x != l {
					next = append(next, x)
				}
			}
			if len(next) == 0 {
				s.ev.list.Store(nil)
				return
			}
			s.ev.list.Store(&next)
		})
	}
}

// emitDevice tells the listeners that a write of kind succeeded with
// *out, unless *err says it failed. The writers defer it before taking
// the lock, so it runs after the deferred unlock, with their named
// results.
func (s *Store) emitDevice(kind DeviceEventKind, out *Device, err *error) {
	if *err != nil || s.ev.list.Load() == nil {
		return
	}
	s.emit(DeviceEvent{Kind: kind, Device: *out})
}

// emitAddOn is emitDevice for a line item mapping of activationID.
func (s *Store) emitAddOn(kind DeviceEventKind, activationID string, out *Device, err *error) {
	if *err != nil || s.ev.list.Load() == nil {
		return
	}
	s.emit(DeviceEvent{Kind: kind, Device: *out, ActivationID: activationID})
}

// emitDeleted tells the listeners that the device gone (read by
// watchedDevice before the delete) was deleted.
func (s *Store) emitDeleted(gone Device, err *error) {
	if *err != nil || gone.UniqueID == "" || s.ev.list.Load() == nil {
		return
	}
	s.emit(DeviceEvent{Kind: EventDeleted, Device: gone})
}

// watchedDevice returns the device k names when someone listens to
// device events, else (and when there is none) the zero Device. A delete
// takes this snapshot just before its write lock: the event needs the
// device's identity, which the delete destroys.
func (s *Store) watchedDevice(k DeviceKey) Device {
	if s.ev.list.Load() == nil {
		return Device{}
	}
	d, _ := s.Device(k)
	return d
}

func (s *Store) emit(ev DeviceEvent) {
	ls := s.ev.list.Load()
	if ls == nil {
		return
	}
	s.mu.RLock()
	ev.Time = s.now()
	s.mu.RUnlock()
	ev.Account = ev.Device.SoldTo
	ev.Seq = s.ev.seq.Add(1)
	for _, l := range *ls {
		l.fn(ev)
	}
}
