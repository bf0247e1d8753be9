package state

import (
	"cmp"
	"slices"
	"strings"
)

// Devices returns one page of the devices matching q.
//
// Order: when q.Sort is empty the order is that of the index driving the
// query, which is stable for a given query and state: deviceId order for a
// deviceId EQUALS/STARTS_WITH criterion, reversed-deviceId order for
// ENDS_WITH, alias order likewise for an alias criterion, and creation
// order otherwise (CONTAINS and the other criteria scan every device). With
// q.Sort the matches are collected and sorted, ties by creation order.
func (s *Store) Devices(q DeviceQuery, p Page) ([]Device, error) {
	if err := q.validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := s.deviceMatcher(&q)
	if len(q.Sort) > 0 {
		var all []int32
		s.eachDevice(&q, m, func(i int32) bool { all = append(all, i); return true })
		s.sortDevices(all, q.Sort)
		lo, hi := paginate(p, len(all))
		out := make([]Device, 0, hi-lo)
		for _, i := range all[lo:hi] {
			out = append(out, s.view(i))
		}
		return out, nil
	}
	var out []Device
	pg := newPager(p)
	s.eachDevice(&q, m, func(i int32) bool {
		keep, more := pg.offer()
		if keep {
			out = append(out, s.view(i))
		}
		return more
	})
	return out, nil
}

// CountDevices counts the devices matching q; it agrees with Devices.
func (s *Store) CountDevices(q DeviceQuery) (int, error) {
	if err := q.validate(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	s.eachDevice(&q, s.deviceMatcher(&q), func(int32) bool { n++; return true })
	return n, nil
}

func (q *DeviceQuery) validate() error {
	for _, m := range []struct {
		f    string
		m    Match
		enum bool
	}{{"deviceId", q.DeviceID, false}, {"alias", q.Alias, false}, {"description", q.Description, false},
		{"hostTypeName", q.HostType, false}, {"deviceIdType", q.IDType, true}, {"status", q.Status, true},
		{"soldTo", q.SoldTo, false}, {"soldToAcctId", q.SoldToAcctID, false}, {"parentId", q.ParentID, false},
		{"userString", q.UserString, false}, {"siteName", q.SiteName, false}, {"publisherName", q.Publisher, false},
		{"addOnActivationId", q.AddOnActivationID, false}, {"addOnEntitlementId", q.AddOnEntitlementID, false},
		{"addOnProductName", q.AddOnProductName, false}, {"addOnProductVersion", q.AddOnProductVersion, false},
		{"addOnPartNumber", q.AddOnPartNumber, false}, {"featureName", q.FeatureName, false}} {
		if err := m.m.Validate(m.f, m.enum); err != nil {
			return err
		}
	}
	switch q.AddOnExpiration.Type {
	case "", Before, After, On:
	default:
		return invalidf("addOnExpirationDate: unsupported search type")
	}
	for _, c := range q.Classes {
		switch c {
		case Client, Server, ServedClient:
		default:
			return invalidf("deviceTypes: unknown device type")
		}
	}
	for _, sb := range q.Sort {
		if _, ok := sortKeys[sb.Key]; !ok {
			return invalidf("sortBy: unsupported sort key")
		}
	}
	return nil
}

// eachDevice visits the devices matching q (m is its compiled matcher)
// until fn returns false, driven by the best index for q.
func (s *Store) eachDevice(q *DeviceQuery, m func(i int32) bool, fn func(int32) bool) {
	visit := func(e keyEntry) bool {
		if !s.liveEntry(e) || !m(e.dev) {
			return true
		}
		return fn(e.dev)
	}
	if !s.dirtyIdx {
		if x, key, exact, ok := s.driver(q); ok {
			if x == nil { // deviceId EQUALS: the hash map
				if i, ok := s.devByID[key]; ok && m(i) {
					fn(i)
				}
				return
			}
			x.scan(key, exact, visit)
			return
		}
		if q.DeviceID.Type == Contains {
			// A cheap substring pre-filter in creation order (memory order
			// of the IDs); m still applies the full, case-folding match.
			sub := lower(q.DeviceID.Value)
			for i := range s.devs {
				d := &s.devs[i]
				if !d.dead && containsLower(d.id, sub) && m(int32(i)) && !fn(int32(i)) {
					return
				}
			}
			return
		}
	}
	for i := range s.devs {
		if !s.devs[i].dead && m(int32(i)) && !fn(int32(i)) {
			return
		}
	}
}

// driver picks the index for q: deviceId before alias; EQUALS, STARTS_WITH
// and ENDS_WITH use one, CONTAINS and NOT_EQUALS do not. A nil index with
// ok means the deviceId hash map.
func (s *Store) driver(q *DeviceQuery) (x *strIndex, key string, exact, ok bool) {
	for _, c := range []struct {
		m        Match
		fwd, rev *strIndex
		hash     bool
	}{{q.DeviceID, &s.idx.id, &s.idx.idRev, true}, {q.Alias, &s.idx.alias, &s.idx.aliasRev, false}} {
		v := lower(c.m.Value)
		switch c.m.Type {
		case Equals:
			if c.hash {
				return nil, v, true, true
			}
			return c.fwd, v, true, true
		case StartsWith:
			return c.fwd, v, false, true
		case EndsWith:
			return c.rev, reverse(v), false, true
		}
	}
	return nil, "", false, false
}

// deviceMatcher compiles q into a predicate over device indexes. Criteria
// on interned fields are decided once per distinct value, criteria on
// accounts and line items once per account or line item, so a scan costs a
// few array lookups per device.
func (s *Store) deviceMatcher(q *DeviceQuery) func(int32) bool {
	type internCheck struct {
		field func(d *device) int32
		m     Match
	}
	var checks []internCheck
	add := func(m Match, f func(d *device) int32) {
		if m.Set() {
			checks = append(checks, internCheck{f, m})
		}
	}
	add(q.Description, func(d *device) int32 { return d.desc })
	add(q.HostType, func(d *device) int32 { return d.hostType })
	add(q.IDType, func(d *device) int32 { return d.idType })
	add(q.Status, func(d *device) int32 { return d.status })
	add(q.UserString, func(d *device) int32 { return d.user })
	add(q.SiteName, func(d *device) int32 { return d.site })
	add(q.Publisher, func(d *device) int32 { return d.pub })
	// memo[k][v]: 0 unknown, 1 match, 2 no match — per interned value.
	memo := make([]map[int32]bool, len(checks))
	for k := range memo {
		memo[k] = map[int32]bool{}
	}
	var classes []int32
	for _, c := range q.Classes {
		classes = append(classes, s.str.lookup(string(c)))
	}
	var acctOK []bool // per account index
	if q.SoldTo.Set() || q.SoldToAcctID.Set() {
		acctOK = make([]bool, len(s.accounts))
		for i, a := range s.accounts {
			acctOK[i] = q.SoldTo.Matches(a.Name) && q.SoldToAcctID.Matches(a.ID)
		}
	}
	addOnCrit := q.AddOnActivationID.Set() || q.AddOnEntitlementID.Set() || q.AddOnProductName.Set() ||
		q.AddOnProductVersion.Set() || q.AddOnPartNumber.Set() || q.FeatureName.Set()
	var itemOK []bool // per line item index
	if addOnCrit {
		itemOK = make([]bool, len(s.items))
		for li := range s.items {
			it := &s.items[li]
			itemOK[li] = q.AddOnActivationID.Matches(it.ActivationID) &&
				q.AddOnEntitlementID.Matches(s.ents[it.ent].ID) &&
				q.AddOnProductName.Matches(it.Product.Name) && q.AddOnProductVersion.Matches(it.Product.Version) &&
				q.AddOnPartNumber.Matches(it.PartNumber) && s.featureMatches(q.FeatureName, it.Product)
		}
	}
	return func(i int32) bool {
		d := &s.devs[i]
		if len(classes) > 0 && !slices.Contains(classes, d.class) {
			return false
		}
		if !q.DeviceID.Matches(d.id) || !q.Alias.Matches(d.alias) {
			return false
		}
		for k, c := range checks {
			v := c.field(d)
			ok, seen := memo[k][v]
			if !seen {
				ok = c.m.Matches(s.str.get(v))
				memo[k][v] = ok
			}
			if !ok {
				return false
			}
		}
		if acctOK != nil && (d.soldTo < 0 || !acctOK[d.soldTo]) {
			return false
		}
		if q.ParentID.Set() && (d.parent < 0 || !q.ParentID.Matches(s.devs[d.parent].id)) {
			return false
		}
		if q.Hosted != nil && (s.str.get(d.deploy) == "CLOUD") != *q.Hosted {
			return false
		}
		if q.HasLicense != nil {
			has := false
			for _, a := range d.addOns {
				if a.count > 0 {
					has = true
					break
				}
			}
			if has != *q.HasLicense {
				return false
			}
		}
		if addOnCrit {
			found := false
			for _, a := range d.addOns {
				if itemOK[a.item] {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		if q.AddOnExpiration.Set() {
			found := false
			for _, a := range d.addOns {
				exp := fromUnix(a.override)
				if exp.IsZero() {
					exp = s.items[a.item].Expiration
				}
				if q.AddOnExpiration.Matches(exp) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
}

func (s *Store) featureMatches(m Match, k ProductKey) bool {
	if !m.Set() {
		return true
	}
	pi, ok := s.prodByKey[k]
	if !ok {
		return false
	}
	for _, f := range s.products[pi].Features {
		if m.Matches(f.Name) {
			return true
		}
	}
	return false
}

// sortKeys are the deviceSortKey values Devices sorts by.
var sortKeys = map[string]func(s *Store, i int32) string{
	"DEVICE_ID":            func(s *Store, i int32) string { return lower(s.devs[i].id) },
	"NAME":                 func(s *Store, i int32) string { return lower(s.devs[i].alias) },
	"DEVICE_ID_TYPE":       func(s *Store, i int32) string { return s.str.get(s.devs[i].idType) },
	"DEVICE_CLASS":         func(s *Store, i int32) string { return s.str.get(s.devs[i].class) },
	"HOST_TYPE_NAME":       func(s *Store, i int32) string { return s.str.get(s.devs[i].hostType) },
	"STATUS":               func(s *Store, i int32) string { return s.str.get(s.devs[i].status) },
	"USER":                 func(s *Store, i int32) string { return s.str.get(s.devs[i].user) },
	"MACHINE_TYPE":         func(s *Store, i int32) string { return s.str.get(s.devs[i].machine) },
	"LAST_MODIFIED_DATE":   func(s *Store, i int32) string { return sortableInt(s.devs[i].modified) },
	"SOLD_TO_ACCOUNT_ID":   func(s *Store, i int32) string { return s.acctField(s.devs[i].soldTo, false) },
	"SOLD_TO_ACCOUNT_NAME": func(s *Store, i int32) string { return s.acctField(s.devs[i].soldTo, true) },
	"PARENT_IDENTIFIER": func(s *Store, i int32) string {
		if p := s.devs[i].parent; p >= 0 {
			return lower(s.devs[p].id)
		}
		return ""
	},
	"HOST_TYPE_ALIAS":  func(s *Store, i int32) string { return s.str.get(s.devs[i].hostType) },
	"HOST_SERIES_NAME": func(s *Store, i int32) string { return "" },
	"SIGNATURE_NAME":   func(s *Store, i int32) string { return "" },
}

func (s *Store) acctField(a int32, name bool) string {
	if a < 0 {
		return ""
	}
	if name {
		return lower(s.accounts[a].Name)
	}
	return lower(s.accounts[a].ID)
}

func sortableInt(v int64) string {
	const digits = 20
	b := []byte(strings.Repeat("0", digits))
	for i := digits - 1; i >= 0 && v > 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
	return string(b)
}

func (s *Store) sortDevices(ids []int32, by []SortBy) {
	keys := make([]func(*Store, int32) string, len(by))
	for k, b := range by {
		keys[k] = sortKeys[b.Key]
	}
	slices.SortStableFunc(ids, func(a, b int32) int {
		for k, f := range keys {
			c := strings.Compare(f(s, a), f(s, b))
			if !by[k].Ascending {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(a, b)
	})
}

// containsLower reports whether s contains sub (lower-case), ignoring the
// case of ASCII letters in s without allocating when s is lower-case.
func containsLower(s, sub string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.Contains(lower(s), sub)
		}
	}
	return strings.Contains(s, sub)
}
