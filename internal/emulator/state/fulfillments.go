package state

import (
	"fmt"
	"strings"
)

// Fulfillment returns a fulfilment by ID.
func (s *Store) Fulfillment(id string) (Fulfillment, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, ok := s.fulByID[lower(id)]
	if !ok {
		return Fulfillment{}, errNoFul
	}
	return s.fuls[i], nil
}

var errNoFul = fail(ErrNotFound, "fulfillment not found")

// Fulfillments returns one page of the fulfilments matching q, in creation order.
func (s *Store) Fulfillments(q FulfillmentQuery, p Page) ([]Fulfillment, error) {
	if err := q.validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Fulfillment
	pg := newPager(p)
	for i := range s.fuls {
		if !fulMatches(&q, &s.fuls[i]) {
			continue
		}
		keep, more := pg.offer()
		if keep {
			out = append(out, s.fuls[i])
		}
		if !more {
			break
		}
	}
	return out, nil
}

// CountFulfillments counts the fulfilments matching q.
func (s *Store) CountFulfillments(q FulfillmentQuery) (int, error) {
	if err := q.validate(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for i := range s.fuls {
		if fulMatches(&q, &s.fuls[i]) {
			n++
		}
	}
	return n, nil
}

func (q *FulfillmentQuery) validate() error {
	return validateAll(map[string]Match{"fulfillmentId": q.FulfillmentID, "entitlementId": q.EntitlementID,
		"activationId": q.ActivationID, "product": q.Product, "hostId": q.HostID, "soldTo": q.SoldTo,
		"licenseTechnology": q.LicenseTechnology, "state": q.State})
}

func fulMatches(q *FulfillmentQuery, f *Fulfillment) bool {
	eq := func(want, got string) bool { return want == "" || strings.EqualFold(want, got) }
	return q.FulfillmentID.Matches(f.ID) && q.EntitlementID.Matches(f.EntitlementID) &&
		q.ActivationID.Matches(f.ActivationID) && q.Product.Matches(f.Product.Name) &&
		q.HostID.Matches(f.HostID) && q.SoldTo.Matches(f.SoldTo) &&
		q.LicenseTechnology.Matches(f.LicenseTechnology) && q.State.Matches(string(f.State)) &&
		q.FulfillDate.Matches(f.FulfillDate) && q.Start.Matches(f.Start) &&
		q.Expiration.Matches(f.Expiration) && q.Modified.Matches(f.Modified) &&
		eq(q.User, f.User) && eq(q.Source, f.Source) && eq(q.ActivationType, f.ActivationType)
}

// Hosts returns one page of the hosts matching q: one per distinct host ID
// among the fulfilments, in order of first fulfilment. FulfillmentState
// needs one of the host's fulfilments in that state.
func (s *Store) Hosts(q HostQuery, p Page) ([]Host, error) {
	hs, err := s.hosts(q)
	if err != nil {
		return nil, err
	}
	lo, hi := paginate(p, len(hs))
	return hs[lo:hi], nil
}

// CountHosts counts the hosts matching q.
func (s *Store) CountHosts(q HostQuery) (int, error) {
	hs, err := s.hosts(q)
	return len(hs), err
}

func (s *Store) hosts(q HostQuery) ([]Host, error) {
	if err := validateAll(map[string]Match{"hostId": q.HostID, "soldTo": q.SoldTo,
		"licenseTechnology": q.LicenseTechnology, "hostType": q.HostType, "account": q.Account}); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	seen := map[string]int{}
	var hs []Host
	var stateOK []bool
	for i := range s.fuls {
		f := &s.fuls[i]
		k := lower(f.HostID)
		j, ok := seen[k]
		if !ok {
			h := Host{ID: f.HostID, Type: f.HostType, SoldTo: f.SoldTo, LicenseTechnology: f.LicenseTechnology}
			if a := s.accountIndex(f.SoldTo); a >= 0 {
				h.Account = s.accounts[a].Name
			}
			j = len(hs)
			seen[k] = j
			hs = append(hs, h)
			stateOK = append(stateOK, false)
		}
		if q.FulfillmentState.Matches(string(f.State)) {
			stateOK[j] = true
		}
	}
	out := hs[:0]
	for j, h := range hs {
		if stateOK[j] && q.HostID.Matches(h.ID) && q.SoldTo.Matches(h.SoldTo) &&
			q.LicenseTechnology.Matches(h.LicenseTechnology) && q.HostType.Matches(h.Type) &&
			q.Account.Matches(h.Account) {
			out = append(out, h)
		}
	}
	return out, nil
}

// NewFulfillmentID returns the next fulfilment ID.
func (s *Store) newFulfillmentID() string {
	for {
		s.fulSerial++
		id := fmt.Sprintf("FID-%08d", s.fulSerial)
		if _, ok := s.fulByID[lower(id)]; !ok {
			return id
		}
	}
}

// CreateFulfillment records a fulfilment of f.Count copies of line item
// f.ActivationID for host f.HostID, consuming the copies atomically (it
// fails with ErrNoCopies when too few remain). ID is generated when empty;
// EntitlementID, Product (when empty) and SoldTo come from the line item;
// State defaults to ACTIVE, SupportAction to MASTER, Source to ONLINE.
// LicenseText is stored as given (the handler signs it).
func (s *Store) CreateFulfillment(f Fulfillment) (Fulfillment, error) {
	if f.Count <= 0 {
		return Fulfillment{}, invalidf("fulfill count must be greater than zero")
	}
	if f.HostID == "" {
		return Fulfillment{}, invalidf("a host id is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	li, ok := s.itemByAID[lower(f.ActivationID)]
	if !ok {
		return Fulfillment{}, errNoItem
	}
	if f.ID != "" {
		if _, ok := s.fulByID[lower(f.ID)]; ok {
			return Fulfillment{}, fail(ErrExists, "a fulfillment with this id already exists")
		}
	}
	if err := s.consume(li, f.Count); err != nil {
		return Fulfillment{}, err
	}
	return s.addFulfillment(f, li), nil
}

// addFulfillment completes f from line item li and stores it.
func (s *Store) addFulfillment(f Fulfillment, li int32) Fulfillment {
	it := &s.items[li]
	e := &s.ents[it.ent]
	now := s.now()
	if f.ID == "" {
		f.ID = s.newFulfillmentID()
	}
	f.ActivationID, f.EntitlementID, f.SoldTo = it.ActivationID, e.ID, e.SoldTo
	if f.Product.Name == "" {
		f.Product = it.Product
	}
	if f.LicenseTechnology == "" {
		f.LicenseTechnology = s.technology(it.LicenseModel)
	}
	if f.State == "" {
		f.State = Active
	}
	if f.SupportAction == "" {
		f.SupportAction = "MASTER"
	}
	if f.Source == "" {
		f.Source = "ONLINE"
	}
	if f.FulfillDate.IsZero() {
		f.FulfillDate = now
	}
	if f.Start.IsZero() {
		f.Start = it.Start
	}
	if f.Expiration.IsZero() && !it.Permanent {
		f.Expiration = it.Expiration
	}
	f.Permanent = f.Permanent || it.Permanent
	if f.Modified.IsZero() {
		f.Modified = now
	}
	s.fulByID[lower(f.ID)] = int32(len(s.fuls))
	s.fuls = append(s.fuls, f)
	return f
}

// ReturnFulfillment returns a fulfilment (returnLicense): it becomes
// OBSOLETE and its copies go back to the line item.
func (s *Store) ReturnFulfillment(id string) (Fulfillment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, f, err := s.activeFulfillment(id)
	if err != nil {
		return Fulfillment{}, err
	}
	if li, ok := s.itemByAID[lower(f.ActivationID)]; ok {
		s.items[li].Fulfilled -= f.Count
		s.items[li].Modified = s.now()
	}
	f.State, f.SupportAction, f.Modified = Obsolete, "RETURN", s.now()
	s.fuls[i] = f
	return f, nil
}

func (s *Store) activeFulfillment(id string) (int32, Fulfillment, error) {
	i, ok := s.fulByID[lower(id)]
	if !ok {
		return -1, Fulfillment{}, errNoFul
	}
	f := s.fuls[i]
	if f.State == Obsolete {
		return -1, Fulfillment{}, fail(ErrState, "the fulfillment is obsolete")
	}
	return i, f, nil
}

// RehostFulfillment moves a fulfilment to another host (rehostLicense): the
// old one becomes OBSOLETE and a new one (SupportAction REHOST, Parent the
// old ID) takes its copies, with licenseText as its licence.
func (s *Store) RehostFulfillment(id, newHost, licenseText string) (Fulfillment, error) {
	return s.RehostFulfillmentAs(id, "", newHost, licenseText)
}

// RehostFulfillmentAs is RehostFulfillment with the new fulfilment's ID
// given (the producer's fulfilment ID generator); an empty newID is
// generated, a given one must be unused.
func (s *Store) RehostFulfillmentAs(id, newID, newHost, licenseText string) (Fulfillment, error) {
	if newHost == "" {
		return Fulfillment{}, invalidf("a host id is required")
	}
	return s.replaceFulfillment(id, newID, "REHOST", newHost, licenseText)
}

// RepairFulfillment regenerates a fulfilment on the same host
// (repairLicense), as RehostFulfillment does with SupportAction REPAIR.
func (s *Store) RepairFulfillment(id, licenseText string) (Fulfillment, error) {
	return s.RepairFulfillmentAs(id, "", licenseText)
}

// RepairFulfillmentAs is RepairFulfillment with the new fulfilment's ID
// given, as RehostFulfillmentAs.
func (s *Store) RepairFulfillmentAs(id, newID, licenseText string) (Fulfillment, error) {
	return s.replaceFulfillment(id, newID, "REPAIR", "", licenseText)
}

func (s *Store) replaceFulfillment(id, newID, action, host, text string) (Fulfillment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, old, err := s.activeFulfillment(id)
	if err != nil {
		return Fulfillment{}, err
	}
	li, ok := s.itemByAID[lower(old.ActivationID)]
	if !ok {
		return Fulfillment{}, errNoItem
	}
	if _, taken := s.fulByID[lower(newID)]; newID != "" && taken {
		return Fulfillment{}, fail(ErrExists, "a fulfillment with this id already exists")
	}
	now := s.now()
	nf := old
	nf.ID, nf.Parent, nf.SupportAction, nf.LicenseText = newID, old.ID, action, text
	nf.FulfillDate, nf.Modified, nf.State = now, now, Active
	if host != "" {
		nf.HostID = host
	}
	s.fuls[i].State, s.fuls[i].Modified = Obsolete, now
	return s.addFulfillment(nf, li), nil
}
