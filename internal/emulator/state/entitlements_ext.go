package state

import "errors"

// Additions for the EntitlementOrderService and LicenseService handlers
// (internal/emulator/ops/entitlements), kept apart from the state helper's
// files: deleting and updating entitlements, and finding a product by its
// unique ID.

// ProductByID returns a product by its unique ID (productIdentifierType
// uniqueId).
func (s *Store) ProductByID(id string) (Product, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, p := range s.products {
		if p.ID == id {
			return cloneProduct(p), nil
		}
	}
	return Product{}, fail(ErrNotFound, "product not found")
}

// UpdateEntitlement changes an entitlement's own fields: fn edits a copy and
// the store keeps everything but ID, UniqueID, Bulk, Created, Users and
// LineItems. A new SoldTo must be an existing account (ID or name).
func (s *Store) UpdateEntitlement(id string, fn func(*Entitlement) error) (Entitlement, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ei, ok := s.entByID[lower(id)]
	if !ok {
		return Entitlement{}, errNoEnt
	}
	old := s.entView(ei)
	e := s.entView(ei)
	if err := fn(&e); err != nil {
		return Entitlement{}, err
	}
	acct := s.ents[ei].acct
	if e.SoldTo != old.SoldTo {
		acct = -1
		if e.SoldTo != "" {
			acct = s.accountIndex(e.SoldTo)
			if acct < 0 {
				return Entitlement{}, fail(ErrNotFound, "sold-to account not found")
			}
			e.SoldTo = s.accounts[acct].ID
		}
	}
	if e.State != old.State && !validState(e.State) {
		return Entitlement{}, invalidf("unknown state")
	}
	e.ID, e.UniqueID, e.Bulk, e.Created = old.ID, old.UniqueID, old.Bulk, old.Created
	e.Users, e.LineItems = s.ents[ei].Users, nil
	e.Attributes = cloneAttrs(e.Attributes)
	e.Modified = s.now()
	s.ents[ei].Entitlement, s.ents[ei].acct = e, acct
	return s.entView(ei), nil
}

// DeleteEntitlement removes an entitlement and its line items
// (deleteEntitlement). It refuses (ErrState) while any of its line items has
// consumed copies or is mapped onto a device, so no fulfilment or add-on is
// left pointing at nothing; line items of other entitlements whose parent
// was one of the deleted ones lose that relation.
//
// Records are kept in slices addressed by index, so deleting compacts the
// line items and entitlements and renumbers every index that points at them
// (line items' entitlement, entitlements' line items, device add-ons). It is
// O(records), which is fine for an operation clients call rarely.
func (s *Store) DeleteEntitlement(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ei, ok := s.entByID[lower(id)]
	if !ok {
		return errNoEnt
	}
	gone := map[int32]bool{}
	goneAID := map[string]bool{}
	for _, li := range s.ents[ei].items {
		if s.items[li].Fulfilled > 0 {
			return fail(ErrState, "the entitlement has fulfilled copies; return its fulfillments first")
		}
		gone[li] = true
		goneAID[lower(s.items[li].ActivationID)] = true
	}
	for i := range s.devs {
		if s.devs[i].dead {
			continue
		}
		for _, a := range s.devs[i].addOns {
			if gone[a.item] {
				return fail(ErrState, "a line item of the entitlement is mapped onto a device; unlink it first")
			}
		}
	}

	// Compact the line items, remembering where each one went.
	newIdx := make([]int32, len(s.items))
	kept := int32(0)
	for li := range s.items {
		if gone[int32(li)] {
			newIdx[li] = -1
			continue
		}
		newIdx[li] = kept
		s.items[kept] = s.items[li]
		kept++
	}
	clear(s.items[kept:])
	s.items = s.items[:kept]

	// Compact the entitlements.
	s.ents = append(s.ents[:ei], s.ents[ei+1:]...)
	for i := range s.ents {
		for j, li := range s.ents[i].items {
			s.ents[i].items[j] = newIdx[li]
		}
	}
	now := s.now()
	for i := range s.items {
		if s.items[i].ent > ei {
			s.items[i].ent--
		}
		if s.items[i].Parent != "" && goneAID[lower(s.items[i].Parent)] {
			s.items[i].Parent, s.items[i].Type, s.items[i].Modified = "", "", now
		}
	}
	for i := range s.devs {
		as := s.devs[i].addOns[:0] // only dead devices can hold a deleted item here
		for _, a := range s.devs[i].addOns {
			if n := newIdx[a.item]; n >= 0 {
				a.item = n
				as = append(as, a)
			}
		}
		s.devs[i].addOns = as
	}

	// Rebuild the two lookups that hold indexes.
	clear(s.entByID)
	for i := range s.ents {
		s.entByID[lower(s.ents[i].ID)] = int32(i)
	}
	clear(s.itemByAID)
	for i := range s.items {
		s.itemByAID[lower(s.items[i].ActivationID)] = int32(i)
	}
	return nil
}

// CreateFulfillments records several fulfilments all or nothing
// (createLicensesAsBatch): each consumes its copies as CreateFulfillment
// does, and if one cannot, the copies taken for the others go back and none
// is recorded. The error names the failing fulfilment's position (1-based)
// in fs.
func (s *Store) CreateFulfillments(fs []Fulfillment) ([]Fulfillment, error) {
	for i, f := range fs {
		if f.Count <= 0 {
			return nil, invalidf("fulfillment %d: fulfill count must be greater than zero", i+1)
		}
		if f.HostID == "" {
			return nil, invalidf("fulfillment %d: a host id is required", i+1)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Given IDs (the producer's generator) must be unused and distinct.
	seen := map[string]bool{}
	for i, f := range fs {
		if f.ID == "" {
			continue
		}
		if _, ok := s.fulByID[lower(f.ID)]; ok || seen[lower(f.ID)] {
			return nil, fail(ErrExists, "fulfillment %d: a fulfillment with this id already exists", i+1)
		}
		seen[lower(f.ID)] = true
	}
	idx := make([]int32, len(fs))
	undo := func(n int) {
		for j := range n {
			s.items[idx[j]].Fulfilled -= fs[j].Count
		}
	}
	for i, f := range fs {
		li, ok := s.itemByAID[lower(f.ActivationID)]
		if !ok {
			undo(i)
			return nil, fail(ErrNotFound, "fulfillment %d: line item not found", i+1)
		}
		if err := s.consume(li, f.Count); err != nil {
			undo(i)
			var se *Error
			if errors.As(err, &se) {
				return nil, fail(se.Kind, "fulfillment %d: %s", i+1, se.Reason)
			}
			return nil, err
		}
		idx[i] = li
	}
	out := make([]Fulfillment, len(fs))
	for i, f := range fs {
		out[i] = s.addFulfillment(f, idx[i])
	}
	return out, nil
}
