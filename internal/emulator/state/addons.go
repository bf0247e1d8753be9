package state

import "time"

// Add-on rules: a line item is mapped onto a CLIENT or SERVER that is
// ACTIVE; the line item must be DEPLOYED; every copy mapped is consumed from
// the line item's remaining copies at once, so mapping and fulfilment race
// for the same copies and never oversell.

// LinkAddOn maps count copies of line item activationID onto the device
// (linkAddonLineItems). Linking an already mapped line item adds count to
// its mapping. override, when not zero, is the add-on's expiration date
// override.
func (s *Store) LinkAddOn(k DeviceKey, activationID string, count int, override time.Time) (out Device, err error) {
	defer s.emitAddOn(EventLineItemsMapped, activationID, &out, &err)
	if count <= 0 {
		return Device{}, invalidf("count must be greater than zero")
	}
	return s.changeAddOn(k, activationID, func(a *addOn, mapped bool) (int, error) {
		if !override.IsZero() {
			a.override = unix(override)
		}
		return count, nil
	})
}

// IncrementAddOn adds n copies to an existing mapping (incrementAddonLineItems).
func (s *Store) IncrementAddOn(k DeviceKey, activationID string, n int) (out Device, err error) {
	defer s.emitAddOn(EventLineItemsMapped, activationID, &out, &err)
	if n <= 0 {
		return Device{}, invalidf("count must be greater than zero")
	}
	return s.changeAddOn(k, activationID, func(a *addOn, mapped bool) (int, error) {
		if !mapped {
			return 0, fail(ErrNotFound, "the line item is not mapped to the device")
		}
		return n, nil
	})
}

// DecrementAddOn removes n copies from a mapping (decrementAddonLineItems),
// returning them to the line item; a mapping that reaches zero is removed.
func (s *Store) DecrementAddOn(k DeviceKey, activationID string, n int) (out Device, err error) {
	defer s.emitAddOn(EventLineItemsRemoved, activationID, &out, &err)
	if n <= 0 {
		return Device{}, invalidf("count must be greater than zero")
	}
	return s.changeAddOn(k, activationID, func(a *addOn, mapped bool) (int, error) {
		if !mapped {
			return 0, fail(ErrNotFound, "the line item is not mapped to the device")
		}
		if int(a.count) < n {
			return 0, invalidf("count is greater than the count mapped to the device")
		}
		return -n, nil
	})
}

// ZeroAddOn sets a line item's mapping on a SERVER to a count of zero,
// creating it if needed and returning any mapped copies
// (zeroCountAddonLineItems, v7; the handler checks AllowZeroCountMapping).
func (s *Store) ZeroAddOn(k DeviceKey, activationID string) (out Device, err error) {
	defer s.emitAddOn(EventLineItemsRemoved, activationID, &out, &err)
	return s.changeAddOn(k, activationID, func(a *addOn, mapped bool) (int, error) {
		return -int(a.count), nil
	}, zeroOK)
}

// UnlinkAddOn removes a line item's mapping (deleteAddonLineItems),
// returning its copies.
func (s *Store) UnlinkAddOn(k DeviceKey, activationID string) (out Device, err error) {
	defer s.emitAddOn(EventLineItemsRemoved, activationID, &out, &err) // after the deferred unlock
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.deviceIndex(k)
	if i < 0 {
		return Device{}, errNoDevice
	}
	li, ok := s.itemByAID[lower(activationID)]
	if !ok {
		return Device{}, errNoItem
	}
	d := &s.devs[i]
	for j, a := range d.addOns {
		if a.item == li {
			s.items[li].Fulfilled -= int(a.count)
			d.addOns = append(d.addOns[:j:j], d.addOns[j+1:]...)
			d.modified = s.now().Unix()
			return s.view(i), nil
		}
	}
	return Device{}, fail(ErrNotFound, "the line item is not mapped to the device")
}

type addOnFlag int

const zeroOK addOnFlag = 1

// changeAddOn applies one add-on change under the write lock: fn returns
// the change in mapped copies, which is consumed from (or returned to) the
// line item atomically with the mapping.
func (s *Store) changeAddOn(k DeviceKey, activationID string, fn func(a *addOn, mapped bool) (int, error), flags ...addOnFlag) (Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.deviceIndex(k)
	if i < 0 {
		return Device{}, errNoDevice
	}
	d := &s.devs[i]
	switch DeviceClass(s.str.get(d.class)) {
	case ServedClient:
		return Device{}, fail(ErrState, "add-ons cannot be mapped to a served client")
	case Client:
		if len(flags) > 0 {
			return Device{}, fail(ErrState, "zero-count mappings are for servers only")
		}
	}
	if DeviceStatus(s.str.get(d.status)) != DeviceActive {
		return Device{}, fail(ErrState, "the device is not active")
	}
	li, ok := s.itemByAID[lower(activationID)]
	if !ok {
		return Device{}, errNoItem
	}
	j := -1
	for n, a := range d.addOns {
		if a.item == li {
			j = n
			break
		}
	}
	now := s.now().Unix()
	a := addOn{item: li, created: now}
	if j >= 0 {
		a = d.addOns[j]
	}
	delta, err := fn(&a, j >= 0)
	if err != nil {
		return Device{}, err
	}
	if delta > 0 {
		if err := s.consume(li, delta); err != nil {
			return Device{}, err
		}
	} else {
		s.items[li].Fulfilled += delta
	}
	a.count += int32(delta)
	a.modified = now
	switch {
	case a.count == 0 && len(flags) == 0:
		if j >= 0 {
			d.addOns = append(d.addOns[:j:j], d.addOns[j+1:]...)
		}
	case j >= 0:
		d.addOns[j] = a
	default:
		d.addOns = append(d.addOns, a)
	}
	d.modified = now
	return s.view(i), nil
}

var errNoItem = fail(ErrNotFound, "line item not found")

// Consume takes n copies of a line item (fulfilledAmount += n) if it is
// DEPLOYED and has n remaining; it is atomic, so racing callers never take
// more copies than there are.
func (s *Store) Consume(activationID string, n int) (LineItem, error) {
	if n <= 0 {
		return LineItem{}, invalidf("count must be greater than zero")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	li, ok := s.itemByAID[lower(activationID)]
	if !ok {
		return LineItem{}, errNoItem
	}
	if err := s.consume(li, n); err != nil {
		return LineItem{}, err
	}
	return s.itemView(li), nil
}

func (s *Store) consume(li int32, n int) error {
	it := &s.items[li].LineItem
	if it.State != Deployed {
		return fail(ErrState, "the line item is not deployed")
	}
	if !it.Expiration.IsZero() && !it.Permanent && s.now().After(it.Expiration.AddDate(0, 0, 1)) {
		return fail(ErrState, "the line item has expired")
	}
	if it.Remaining() < n {
		return fail(ErrNoCopies, "the line item has not enough remaining copies")
	}
	it.Fulfilled += n
	it.Modified = s.now()
	return nil
}

// Release returns n consumed copies to a line item.
func (s *Store) Release(activationID string, n int) (LineItem, error) {
	if n <= 0 {
		return LineItem{}, invalidf("count must be greater than zero")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	li, ok := s.itemByAID[lower(activationID)]
	if !ok {
		return LineItem{}, errNoItem
	}
	it := &s.items[li].LineItem
	if it.Fulfilled < n {
		return LineItem{}, invalidf("count is greater than the copies consumed")
	}
	it.Fulfilled -= n
	it.Modified = s.now()
	return s.itemView(li), nil
}
