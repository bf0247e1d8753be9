package state

// Additions for the accounts ops package (UserAcct/UserOrg hierarchy and
// ProductPackaging handlers), kept apart from the state's own files: a user
// update for createUser's opType CREATE_OR_UPDATE, and product and feature
// queries with an extra predicate for the criteria ProductQuery and
// FeatureQuery do not model (dates, usedOnDevice), applied under the same
// lock and before paging so counts and pages agree.

// ReplaceUser replaces the details of the user with u's user name (Email
// when UserName is empty), keeping its unique ID, creation time and
// creator. Every account in u.Accounts must exist.
func (s *Store) ReplaceUser(u User) (User, error) {
	if u.UserName == "" {
		u.UserName = u.Email
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.userByName[lower(u.UserName)]
	if !ok {
		return User{}, fail(ErrNotFound, "user not found")
	}
	for _, r := range u.Accounts {
		if _, ok := s.acctByID[r.AccountID]; !ok {
			return User{}, fail(ErrNotFound, "account of the user not found")
		}
	}
	old := s.users[i]
	u.UserName = old.UserName
	u.ID, u.Created, u.CreatedBy, u.LastLogin = old.ID, old.Created, old.CreatedBy, old.LastLogin
	u.Modified = s.now()
	u = cloneUser(u)
	s.users[i] = u
	return cloneUser(u), nil
}

// ProductsFunc is Products with a further predicate keep (nil keeps all).
func (s *Store) ProductsFunc(q ProductQuery, keep func(*Product) bool, p Page) []Product {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Product
	pg := newPager(p)
	for i := range s.products {
		if !productMatches(&q, &s.products[i]) || (keep != nil && !keep(&s.products[i])) {
			continue
		}
		in, more := pg.offer()
		if in {
			out = append(out, cloneProduct(s.products[i]))
		}
		if !more {
			break
		}
	}
	return out
}

// CountProductsFunc counts what ProductsFunc pages over.
func (s *Store) CountProductsFunc(q ProductQuery, keep func(*Product) bool) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for i := range s.products {
		if productMatches(&q, &s.products[i]) && (keep == nil || keep(&s.products[i])) {
			n++
		}
	}
	return n
}

// FeaturesFunc is Features with a further predicate keep (nil keeps all).
func (s *Store) FeaturesFunc(q FeatureQuery, keep func(*Feature) bool, p Page) []Feature {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Feature
	pg := newPager(p)
	for i := range s.features {
		f := &s.features[i]
		if !featureMatches(&q, f) || (keep != nil && !keep(f)) {
			continue
		}
		in, more := pg.offer()
		if in {
			out = append(out, *f)
		}
		if !more {
			break
		}
	}
	return out
}
