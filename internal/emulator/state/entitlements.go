package state

import (
	"slices"
	"strings"
	"time"
)

func (s *Store) itemView(li int32) LineItem {
	it := s.items[li].LineItem
	it.Attributes = cloneAttrs(it.Attributes)
	return it
}

func (s *Store) entView(e int32) Entitlement {
	x := s.ents[e]
	v := x.Entitlement
	v.Users = cloneStrings(v.Users)
	v.Attributes = cloneAttrs(v.Attributes)
	v.LineItems = make([]string, len(x.items))
	for i, li := range x.items {
		v.LineItems[i] = s.items[li].ActivationID
	}
	return v
}

// Entitlement returns an entitlement by entitlement ID (ignoring case).
func (s *Store) Entitlement(id string) (Entitlement, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.entByID[lower(id)]
	if !ok {
		return Entitlement{}, errNoEnt
	}
	return s.entView(e), nil
}

var errNoEnt = fail(ErrNotFound, "entitlement not found")

// LineItem returns a line item by activation ID (ignoring case).
func (s *Store) LineItem(activationID string) (LineItem, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	li, ok := s.itemByAID[lower(activationID)]
	if !ok {
		return LineItem{}, errNoItem
	}
	return s.itemView(li), nil
}

// Entitlements returns one page of the entitlements matching q, in creation order.
func (s *Store) Entitlements(q EntitlementQuery, p Page) ([]Entitlement, error) {
	if err := q.validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Entitlement
	pg := newPager(p)
	for e := range s.ents {
		if !s.entMatches(&q, int32(e)) {
			continue
		}
		keep, more := pg.offer()
		if keep {
			out = append(out, s.entView(int32(e)))
		}
		if !more {
			break
		}
	}
	return out, nil
}

// CountEntitlements counts the entitlements matching q.
func (s *Store) CountEntitlements(q EntitlementQuery) (int, error) {
	if err := q.validate(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for e := range s.ents {
		if s.entMatches(&q, int32(e)) {
			n++
		}
	}
	return n, nil
}

func validateAll(ms map[string]Match) error {
	for f, m := range ms {
		if err := m.Validate(f, false); err != nil {
			return err
		}
	}
	return nil
}

func (q *EntitlementQuery) validate() error {
	for _, m := range q.AccountNames {
		if err := m.Validate("accountUnitName", false); err != nil {
			return err
		}
	}
	return validateAll(map[string]Match{"entitlementId": q.EntitlementID, "description": q.Description,
		"soldTo": q.SoldTo, "shipToEmail": q.ShipToEmail, "shipToAddress": q.ShipToAddress,
		"productName": q.ProductName, "productVersion": q.ProductVersion, "partNumber": q.PartNumber,
		"licenseTechnology": q.LicenseTechnology, "createdUserId": q.CreatedBy, "activationId": q.ActivationID})
}

func (s *Store) accountNameMatches(ms []Match, acct string) bool {
	if len(ms) == 0 {
		return true
	}
	i := s.accountIndex(acct)
	if i < 0 {
		return false
	}
	for _, m := range ms {
		if m.Matches(s.accounts[i].Name) {
			return true
		}
	}
	return false
}

func (s *Store) entMatches(q *EntitlementQuery, e int32) bool {
	x := &s.ents[e]
	if q.Bulk != nil && x.Bulk != *q.Bulk {
		return false
	}
	if !(q.EntitlementID.Matches(x.ID) && q.Description.Matches(x.Description) && q.SoldTo.Matches(x.SoldTo) &&
		q.ShipToEmail.Matches(x.ShipToEmail) && q.ShipToAddress.Matches(x.ShipToAddress) &&
		q.CreatedBy.Matches(x.CreatedBy) && q.State.Matches(string(x.State)) &&
		q.Created.Matches(x.Created) && q.Modified.Matches(x.Modified)) {
		return false
	}
	if !s.accountNameMatches(q.AccountNames, x.SoldTo) {
		return false
	}
	if !(q.ProductName.Set() || q.ProductVersion.Set() || q.PartNumber.Set() || q.LicenseTechnology.Set() ||
		q.ActivationID.Set() || q.Start.Set() || q.Expiration.Set()) {
		return true
	}
	for _, li := range x.items {
		it := &s.items[li].LineItem
		if q.ProductName.Matches(it.Product.Name) && q.ProductVersion.Matches(it.Product.Version) &&
			q.PartNumber.Matches(it.PartNumber) && q.ActivationID.Matches(it.ActivationID) &&
			q.LicenseTechnology.Matches(s.technology(it.LicenseModel)) &&
			q.Start.Matches(it.Start) && q.Expiration.Matches(it.Expiration) {
			return true
		}
	}
	return false
}

func (s *Store) technology(model string) string {
	if i, ok := s.modelByName[lower(model)]; ok {
		return s.models[i].Technology
	}
	return ""
}

// LineItems returns one page of the line items matching q, in creation order.
func (s *Store) LineItems(q LineItemQuery, p Page) ([]LineItem, error) {
	if err := q.validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []LineItem
	pg := newPager(p)
	s.eachItem(&q, func(li int32) bool {
		keep, more := pg.offer()
		if keep {
			out = append(out, s.itemView(li))
		}
		return more
	})
	return out, nil
}

// CountLineItems counts the line items matching q.
func (s *Store) CountLineItems(q LineItemQuery) (int, error) {
	if err := q.validate(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	s.eachItem(&q, func(int32) bool { n++; return true })
	return n, nil
}

func (q *LineItemQuery) validate() error {
	for _, m := range q.AccountNames {
		if err := m.Validate("accountUnitName", false); err != nil {
			return err
		}
	}
	return validateAll(map[string]Match{"activationId": q.ActivationID, "entitlementId": q.EntitlementID,
		"productName": q.ProductName, "productVersion": q.ProductVersion, "partNumber": q.PartNumber,
		"licenseModel": q.LicenseModel, "orderId": q.OrderID, "orderLineNumber": q.OrderLineNumber,
		"description": q.Description, "soldTo": q.SoldTo, "lineItemParentLineItemId": q.ParentActivationID})
}

// eachItem visits the matching line items in creation order; with
// ActivationIDs it looks them up instead of scanning.
func (s *Store) eachItem(q *LineItemQuery, fn func(int32) bool) {
	if len(q.ActivationIDs) > 0 {
		var ids []int32
		for _, a := range q.ActivationIDs {
			if li, ok := s.itemByAID[lower(a)]; ok && !slices.Contains(ids, li) {
				ids = append(ids, li)
			}
		}
		slices.Sort(ids)
		for _, li := range ids {
			if s.itemMatches(q, li) && !fn(li) {
				return
			}
		}
		return
	}
	for li := range s.items {
		if s.itemMatches(q, int32(li)) && !fn(int32(li)) {
			return
		}
	}
}

func (s *Store) itemMatches(q *LineItemQuery, li int32) bool {
	x := &s.items[li]
	it := &x.LineItem
	e := &s.ents[x.ent]
	if q.Permanent != nil && it.Permanent != *q.Permanent {
		return false
	}
	if q.WithCount && it.Remaining() <= 0 {
		return false
	}
	if q.ReadyToActivate && (it.State != Deployed || it.Remaining() <= 0) {
		return false
	}
	if q.Activatable != "" && !strings.EqualFold(q.Activatable, it.Activatable) {
		return false
	}
	if q.User != "" && !slices.ContainsFunc(e.Users, func(u string) bool { return strings.EqualFold(u, q.User) }) {
		return false
	}
	return q.ActivationID.Matches(it.ActivationID) && q.EntitlementID.Matches(e.ID) &&
		q.ProductName.Matches(it.Product.Name) && q.ProductVersion.Matches(it.Product.Version) &&
		q.PartNumber.Matches(it.PartNumber) && q.LicenseModel.Matches(it.LicenseModel) &&
		q.OrderID.Matches(it.OrderID) && q.OrderLineNumber.Matches(it.OrderLineNumber) &&
		q.Description.Matches(it.Description) && q.SoldTo.Matches(e.SoldTo) &&
		q.ParentActivationID.Matches(it.Parent) && q.State.Matches(string(it.State)) &&
		q.EntitlementState.Matches(string(e.State)) && q.Start.Matches(it.Start) &&
		q.Expiration.Matches(it.Expiration) && s.accountNameMatches(q.AccountNames, e.SoldTo)
}

// NewEntitlementID returns an unused entitlement ID (autoGenerate).
func (s *Store) NewEntitlementID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newEntitlementID()
}

func (s *Store) newEntitlementID() string {
	for {
		id := newEntitlementID(s.rng)
		if _, ok := s.entByID[lower(id)]; !ok {
			return id
		}
	}
}

// NewActivationID returns an unused activation ID (autoGenerate).
func (s *Store) NewActivationID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newActivationID()
}

func (s *Store) newActivationID() string {
	for {
		id := newActivationID(s.rng)
		if _, ok := s.itemByAID[lower(id)]; !ok {
			return id
		}
	}
}

// CreateEntitlement adds an entitlement with its line items, all or
// nothing. An empty ID or ActivationID is generated (autoGenerate); given
// ones must pass ValidateID and be unique. SoldTo must be an existing account
// (ID or name; stored as the ID). State defaults to DRAFT for the
// entitlement and to the entitlement's state for line items. Each line
// item's product must exist; a Parent must be an existing (or an earlier
// new) line item.
func (s *Store) CreateEntitlement(e Entitlement, items []LineItem) (Entitlement, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.ID == "" {
		e.ID = s.newEntitlementID()
	} else if err := ValidateID("entitlementId", e.ID); err != nil {
		return Entitlement{}, err
	}
	if _, ok := s.entByID[lower(e.ID)]; ok {
		return Entitlement{}, fail(ErrExists, "an entitlement with this entitlementId already exists")
	}
	acct := int32(-1)
	if e.SoldTo != "" {
		acct = s.accountIndex(e.SoldTo)
		if acct < 0 {
			return Entitlement{}, fail(ErrNotFound, "sold-to account not found")
		}
		e.SoldTo = s.accounts[acct].ID
	}
	if e.State == "" {
		e.State = Draft
	}
	now := s.now()
	if e.Created.IsZero() {
		e.Created = now
	}
	if e.Modified.IsZero() {
		e.Modified = e.Created
	}
	if e.UniqueID == "" {
		e.UniqueID = "ENT-" + itoa(len(s.ents)+1)
	}
	prepared, err := s.prepareItems(e, items, now)
	if err != nil {
		return Entitlement{}, err
	}
	ei := int32(len(s.ents))
	e.LineItems = nil
	e.Users = cloneStrings(e.Users)
	e.Attributes = cloneAttrs(e.Attributes)
	s.ents = append(s.ents, entitlement{Entitlement: e, acct: acct})
	s.entByID[lower(e.ID)] = ei
	s.appendItems(ei, prepared)
	return s.entView(ei), nil
}

// prepareItems checks and completes new line items without changing the store.
func (s *Store) prepareItems(e Entitlement, items []LineItem, now time.Time) ([]LineItem, error) {
	out := make([]LineItem, len(items))
	seen := map[string]bool{}
	for i, it := range items {
		if it.ActivationID == "" {
			for it.ActivationID == "" || seen[lower(it.ActivationID)] {
				it.ActivationID = s.newActivationID()
			}
		} else if err := ValidateID("activationId", it.ActivationID); err != nil {
			return nil, err
		}
		if _, ok := s.itemByAID[lower(it.ActivationID)]; ok || seen[lower(it.ActivationID)] {
			return nil, fail(ErrExists, "a line item with this activationId already exists")
		}
		seen[lower(it.ActivationID)] = true
		if it.Copies < 0 {
			return nil, invalidf("numberOfCopies must not be negative")
		}
		if it.Product.Name != "" {
			pi := s.productIndex(it.Product)
			if pi < 0 {
				return nil, fail(ErrNotFound, "product of the line item not found")
			}
			it.Product = s.products[pi].Key()
		}
		if it.Parent != "" {
			if _, ok := s.itemByAID[lower(it.Parent)]; !ok && !seen[lower(it.Parent)] {
				return nil, fail(ErrNotFound, "parent line item not found")
			}
		}
		if it.State == "" {
			it.State = e.State
		}
		if it.Activatable == "" {
			it.Activatable = "LINEITEM"
			if e.Bulk {
				it.Activatable = "WEBREGKEY"
			}
		}
		it.EntitlementID = e.ID
		it.Fulfilled = 0
		if it.Created.IsZero() {
			it.Created = now
		}
		if it.Modified.IsZero() {
			it.Modified = it.Created
		}
		it.Attributes = cloneAttrs(it.Attributes)
		out[i] = it
	}
	return out, nil
}

func (s *Store) appendItems(ei int32, items []LineItem) {
	for _, it := range items {
		li := int32(len(s.items))
		if it.UniqueID == "" {
			it.UniqueID = "LI-" + itoa(int(li)+1)
		}
		s.items = append(s.items, lineItem{LineItem: it, ent: ei})
		s.itemByAID[lower(it.ActivationID)] = li
		s.ents[ei].items = append(s.ents[ei].items, li)
	}
}

// AddLineItems adds line items to an existing entitlement (all or nothing)
// and returns them as stored.
func (s *Store) AddLineItems(entitlementID string, items []LineItem) ([]LineItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ei, ok := s.entByID[lower(entitlementID)]
	if !ok {
		return nil, errNoEnt
	}
	now := s.now()
	prepared, err := s.prepareItems(s.ents[ei].Entitlement, items, now)
	if err != nil {
		return nil, err
	}
	first := len(s.items)
	s.appendItems(ei, prepared)
	s.ents[ei].Modified = now
	out := make([]LineItem, 0, len(prepared))
	for li := first; li < len(s.items); li++ {
		out = append(out, s.itemView(int32(li)))
	}
	return out, nil
}

// UpdateLineItem changes a line item: fn edits a copy, and the store keeps
// everything but ActivationID, UniqueID, EntitlementID, Fulfilled and
// Created. Copies cannot drop below the copies already consumed; a Parent
// must exist and not be the line item itself (v7 UPGRADE/NEW relations).
func (s *Store) UpdateLineItem(activationID string, fn func(*LineItem) error) (LineItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	li, ok := s.itemByAID[lower(activationID)]
	if !ok {
		return LineItem{}, errNoItem
	}
	old := s.itemView(li)
	it := s.itemView(li)
	if err := fn(&it); err != nil {
		return LineItem{}, err
	}
	it.ActivationID, it.UniqueID, it.EntitlementID = old.ActivationID, old.UniqueID, old.EntitlementID
	it.Fulfilled, it.Created = old.Fulfilled, old.Created
	if it.Copies < it.Fulfilled {
		return LineItem{}, invalidf("numberOfCopies is less than the copies already fulfilled")
	}
	if it.Parent != "" {
		p, ok := s.itemByAID[lower(it.Parent)]
		if !ok {
			return LineItem{}, fail(ErrNotFound, "parent line item not found")
		}
		if p == li {
			return LineItem{}, invalidf("a line item cannot be its own parent")
		}
		it.Parent = s.items[p].ActivationID
	}
	if it.Product.Name != "" && s.productIndex(it.Product) < 0 {
		return LineItem{}, fail(ErrNotFound, "product of the line item not found")
	}
	it.Modified = s.now()
	s.items[li].LineItem = it
	return s.itemView(li), nil
}

// SetEntitlementState changes an entitlement's state and that of its line
// items (deploying an entitlement deploys its line items).
func (s *Store) SetEntitlementState(id string, st State) (Entitlement, error) {
	if !validState(st) {
		return Entitlement{}, invalidf("unknown state")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ei, ok := s.entByID[lower(id)]
	if !ok {
		return Entitlement{}, errNoEnt
	}
	now := s.now()
	e := &s.ents[ei]
	e.State, e.Modified = st, now
	for _, li := range e.items {
		s.items[li].State, s.items[li].Modified = st, now
	}
	return s.entView(ei), nil
}

// SetLineItemState changes one line item's state.
func (s *Store) SetLineItemState(activationID string, st State) (LineItem, error) {
	if !validState(st) {
		return LineItem{}, invalidf("unknown state")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	li, ok := s.itemByAID[lower(activationID)]
	if !ok {
		return LineItem{}, errNoItem
	}
	s.items[li].State, s.items[li].Modified = st, s.now()
	return s.itemView(li), nil
}

func validState(st State) bool {
	switch st {
	case Draft, Active, Inactive, Deployed, Obsolete, TestState, OnHold:
		return true
	}
	return false
}

// MapEntitlementsToUser maps entitlements to a user (mapEntitlementsToUser).
// All must exist, or nothing changes.
func (s *Store) MapEntitlementsToUser(user string, entitlementIDs []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ui, ok := s.userByName[lower(user)]
	if !ok {
		return fail(ErrNotFound, "user not found")
	}
	var es []int32
	for _, id := range entitlementIDs {
		ei, ok := s.entByID[lower(id)]
		if !ok {
			return errNoEnt
		}
		es = append(es, ei)
	}
	name := s.users[ui].UserName
	for _, ei := range es {
		if !slices.Contains(s.ents[ei].Users, name) {
			s.ents[ei].Users = append(s.ents[ei].Users, name)
		}
	}
	return nil
}
