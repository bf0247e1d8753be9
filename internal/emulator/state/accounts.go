package state

import (
	"slices"
)

// Account returns the account with the given ID (or, failing that, name).
func (s *Store) Account(idOrName string) (Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := s.accountIndex(idOrName)
	if i < 0 {
		return Account{}, fail(ErrNotFound, "account not found")
	}
	return cloneAccount(s.accounts[i]), nil
}

func (s *Store) accountIndex(idOrName string) int32 {
	if i, ok := s.acctByID[idOrName]; ok {
		return i
	}
	if i, ok := s.acctByName[lower(idOrName)]; ok {
		return i
	}
	return -1
}

func cloneAccount(a Account) Account {
	a.Attributes = cloneAttrs(a.Attributes)
	return a
}

// Accounts returns one page of the accounts matching q, in creation order.
func (s *Store) Accounts(q AccountQuery, p Page) ([]Account, error) {
	if err := q.validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Account
	pg := newPager(p)
	for i := range s.accounts {
		if !s.accountMatches(&q, &s.accounts[i]) {
			continue
		}
		keep, more := pg.offer()
		if keep {
			out = append(out, cloneAccount(s.accounts[i]))
		}
		if !more {
			break
		}
	}
	return out, nil
}

// CountAccounts counts the accounts matching q.
func (s *Store) CountAccounts(q AccountQuery) (int, error) {
	if err := q.validate(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for i := range s.accounts {
		if s.accountMatches(&q, &s.accounts[i]) {
			n++
		}
	}
	return n, nil
}

func (q *AccountQuery) validate() error {
	for _, m := range []struct {
		f string
		m Match
	}{{"accountID", q.ID}, {"accountName", q.Name}, {"description", q.Description}, {"address1", q.Address1},
		{"address2", q.Address2}, {"city", q.City}, {"state", q.State}, {"zipcode", q.Zipcode},
		{"country", q.Country}, {"region", q.Region}} {
		if err := m.m.Validate(m.f, false); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) accountMatches(q *AccountQuery, a *Account) bool {
	if q.OnlyRoots && a.Parent != "" {
		return false
	}
	if len(q.Types) > 0 && !slices.Contains(q.Types, a.Type) {
		return false
	}
	return q.ID.Matches(a.ID) && q.Name.Matches(a.Name) && q.Description.Matches(a.Description) &&
		q.Address1.Matches(a.Address.Address1) && q.Address2.Matches(a.Address.Address2) &&
		q.City.Matches(a.Address.City) && q.State.Matches(a.Address.State) &&
		q.Zipcode.Matches(a.Address.Zipcode) && q.Country.Matches(a.Address.Country) &&
		q.Region.Matches(a.Address.Region) && q.Modified.Matches(a.Modified)
}

// SubAccounts returns the direct children of an account, in creation order.
func (s *Store) SubAccounts(id string) ([]Account, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := s.accountIndex(id)
	if i < 0 {
		return nil, fail(ErrNotFound, "account not found")
	}
	parent := s.accounts[i].ID
	var out []Account
	for _, a := range s.accounts {
		if a.Parent == parent {
			out = append(out, cloneAccount(a))
		}
	}
	return out, nil
}

// CreateAccount adds an account. With update set (opType CREATE_OR_UPDATE)
// an existing account of the same ID is replaced instead of refused. The ID
// and name must be unique; Parent, when set, must exist.
func (s *Store) CreateAccount(a Account, update bool) (Account, error) {
	if a.ID == "" || a.Name == "" {
		return Account{}, invalidf("account id and name are required")
	}
	if a.Type == "" {
		a.Type = Customer
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.Parent != "" {
		if _, ok := s.acctByID[a.Parent]; !ok {
			return Account{}, fail(ErrNotFound, "parent account not found")
		}
	}
	now := s.now()
	if i, ok := s.acctByID[a.ID]; ok {
		if !update {
			return Account{}, fail(ErrExists, "an account with this id already exists")
		}
		old := s.accounts[i]
		if j, ok := s.acctByName[lower(a.Name)]; ok && j != i {
			return Account{}, fail(ErrExists, "an account with this name already exists")
		}
		delete(s.acctByName, lower(old.Name))
		a.Created, a.CreatedBy = old.Created, old.CreatedBy
		a.Modified = now
		a.Attributes = cloneAttrs(a.Attributes)
		s.accounts[i] = a
		s.acctByName[lower(a.Name)] = i
		return cloneAccount(a), nil
	}
	if _, ok := s.acctByName[lower(a.Name)]; ok {
		return Account{}, fail(ErrExists, "an account with this name already exists")
	}
	if a.Created.IsZero() {
		a.Created = now
	}
	if a.Modified.IsZero() {
		a.Modified = a.Created
	}
	a.Attributes = cloneAttrs(a.Attributes)
	s.addAccount(a)
	return cloneAccount(a), nil
}

func (s *Store) addAccount(a Account) int32 {
	i := int32(len(s.accounts))
	s.accounts = append(s.accounts, a)
	s.acctByID[a.ID] = i
	s.acctByName[lower(a.Name)] = i
	return i
}

// descendants returns the IDs of account id and all accounts below it.
func (s *Store) descendants(id string) map[string]bool {
	out := map[string]bool{id: true}
	for changed := true; changed; {
		changed = false
		for _, a := range s.accounts {
			if a.Parent != "" && out[a.Parent] && !out[a.ID] {
				out[a.ID] = true
				changed = true
			}
		}
	}
	return out
}

// User returns the user with the given user name (or, failing that, unique ID).
func (s *Store) User(nameOrID string) (User, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, ok := s.userByName[lower(nameOrID)]
	if !ok {
		i, ok = s.userByID[nameOrID]
	}
	if !ok {
		return User{}, fail(ErrNotFound, "user not found")
	}
	return cloneUser(s.users[i]), nil
}

func cloneUser(u User) User {
	u.Attributes = cloneAttrs(u.Attributes)
	if u.Accounts != nil {
		acc := make([]AccountRole, len(u.Accounts))
		for i, r := range u.Accounts {
			r.Roles = cloneStrings(r.Roles)
			acc[i] = r
		}
		u.Accounts = acc
	}
	return u
}

// Users returns one page of the users matching q, in creation order.
func (s *Store) Users(q UserQuery, p Page) ([]User, error) {
	if err := q.validate(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := s.userMatcher(&q)
	var out []User
	pg := newPager(p)
	for i := range s.users {
		if !m(&s.users[i]) {
			continue
		}
		keep, more := pg.offer()
		if keep {
			out = append(out, cloneUser(s.users[i]))
		}
		if !more {
			break
		}
	}
	return out, nil
}

// CountUsers counts the users matching q.
func (s *Store) CountUsers(q UserQuery) (int, error) {
	if err := q.validate(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	m := s.userMatcher(&q)
	n := 0
	for i := range s.users {
		if m(&s.users[i]) {
			n++
		}
	}
	return n, nil
}

func (q *UserQuery) validate() error {
	for _, m := range []struct {
		f string
		m Match
	}{{"userName", q.UserName}, {"firstName", q.FirstName}, {"lastName", q.LastName},
		{"displayName", q.DisplayName}, {"emailAddress", q.Email}, {"phoneNumber", q.Phone},
		{"faxNumber", q.Fax}, {"street", q.Street}, {"city", q.City}, {"state", q.State},
		{"zipcode", q.Zipcode}, {"country", q.Country}, {"accountName", q.AccountName}} {
		if err := m.m.Validate(m.f, false); err != nil {
			return err
		}
	}
	for _, m := range q.AccountIDs {
		if err := m.Validate("accountID", false); err != nil {
			return err
		}
	}
	return nil
}

// userMatcher compiles q. Account criteria are resolved to the set of
// matching account IDs first (accounts are few), so each user costs a few
// map lookups.
func (s *Store) userMatcher(q *UserQuery) func(*User) bool {
	var accts map[string]bool // nil: no account criterion
	if len(q.AccountIDs) > 0 || q.AccountName.Set() || q.AccountType != "" {
		accts = map[string]bool{}
		for _, a := range s.accounts {
			ok := q.AccountName.Matches(a.Name) && (q.AccountType == "" || a.Type == q.AccountType)
			if ok && len(q.AccountIDs) > 0 {
				ok = false
				for _, m := range q.AccountIDs {
					if m.Matches(a.ID) {
						ok = true
						break
					}
				}
			}
			if ok {
				accts[a.ID] = true
			}
		}
		if q.LinkedAccounts {
			for id := range maps(accts) {
				for d := range s.descendants(id) {
					accts[d] = true
				}
			}
		}
	}
	return func(u *User) bool {
		if q.Active != nil && u.Active != *q.Active {
			return false
		}
		if q.CanLogin != nil && u.CanLogin != *q.CanLogin {
			return false
		}
		if !(q.UserName.Matches(u.UserName) && q.FirstName.Matches(u.FirstName) && q.LastName.Matches(u.LastName) &&
			q.DisplayName.Matches(u.DisplayName) && q.Email.Matches(u.Email) && q.Phone.Matches(u.Phone) &&
			q.Fax.Matches(u.Fax) && q.Street.Matches(u.Street) && q.City.Matches(u.City) &&
			q.State.Matches(u.State) && q.Zipcode.Matches(u.Zipcode) && q.Country.Matches(u.Country) &&
			q.Modified.Matches(u.Modified)) {
			return false
		}
		if accts != nil {
			in := false
			for _, r := range u.Accounts {
				if accts[r.AccountID] {
					in = true
					break
				}
			}
			if !in {
				return false
			}
		}
		for _, role := range q.Roles {
			has := false
			for _, r := range u.Accounts {
				if slices.Contains(r.Roles, role) {
					has = true
					break
				}
			}
			if !has {
				return false
			}
		}
		return true
	}
}

// maps returns a snapshot of m's keys so m can grow while they are visited.
func maps(m map[string]bool) map[string]bool {
	c := make(map[string]bool, len(m))
	for k := range m {
		c[k] = true
	}
	return c
}

// CreateUser adds a user. UserName defaults to Email and must be unique;
// every account in Accounts must exist. ID is assigned when empty.
func (s *Store) CreateUser(u User) (User, error) {
	if u.UserName == "" {
		u.UserName = u.Email
	}
	if u.UserName == "" || u.FirstName == "" || u.LastName == "" {
		return User{}, invalidf("user firstName, lastName and emailAddress or userName are required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.userByName[lower(u.UserName)]; ok {
		return User{}, fail(ErrExists, "a user with this user name already exists")
	}
	for _, r := range u.Accounts {
		if _, ok := s.acctByID[r.AccountID]; !ok {
			return User{}, fail(ErrNotFound, "account of the user not found")
		}
	}
	if u.ID == "" {
		u.ID = "USR-" + itoa(len(s.users)+1)
	}
	if _, ok := s.userByID[u.ID]; ok {
		return User{}, fail(ErrExists, "a user with this unique id already exists")
	}
	now := s.now()
	if u.Created.IsZero() {
		u.Created = now
	}
	if u.Modified.IsZero() {
		u.Modified = u.Created
	}
	u = cloneUser(u)
	s.addUser(u)
	return cloneUser(u), nil
}

func (s *Store) addUser(u User) {
	i := int32(len(s.users))
	s.users = append(s.users, u)
	s.userByName[lower(u.UserName)] = i
	s.userByID[u.ID] = i
}
