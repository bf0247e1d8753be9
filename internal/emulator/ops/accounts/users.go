package accounts

import (
	"context"
	"errors"
	"strconv"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/opsutil"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// ErrMultipleLinked is FNO's reason, word for word, for a
// usersFromLinkedAccount query with more than one account ID (seed 002 L310).
const ErrMultipleLinked = "Multiple Account Ids cannot be provided in the request when usersFromLinkedAccount is set to true."

// localDomain is the domain FNO reports for users it authenticates itself
// (not through an external directory).
const localDomain = "FLEXnet"

// createUser is createUser of both hierarchy services: each user record is
// created on its own; a record naming an unknown account or role-less
// account fails alone (failedData), the rest are created.
func (h *hierarchy) createUser(_ context.Context, c *op.Call) (map[string]any, error) {
	recs := op.List(c.Request["user"])
	if h.cfg.MaxWriteBatch > 0 && len(recs) > h.cfg.MaxWriteBatch {
		return op.Failure(op.TooMany(len(recs), h.cfg.MaxWriteBatch, "user records")), nil
	}
	opType := op.Str(c.Request, "opType")
	var created, failed []any
	for _, rec := range recs {
		u, reason := h.userOf(rec, c.User)
		var got state.User
		if reason == "" {
			var err error
			got, err = h.st.CreateUser(u)
			if err != nil && errors.Is(err, state.ErrExists) && opType != "" {
				got, err = h.existingUser(u, opType == "CREATE_OR_UPDATE")
			}
			if err != nil {
				reason = reasonOf(err, "the user could not be created")
			}
		}
		if reason != "" {
			failed = append(failed, map[string]any{"user": rec, "reason": reason})
			continue
		}
		created = append(created, userIdentifier(got))
	}
	out := map[string]any{"statusInfo": op.WriteStatus(len(recs), len(failed), "user records")}
	if len(failed) > 0 {
		out["failedData"] = map[string]any{"failedUser": failed}
	}
	if len(created) > 0 {
		out["responseData"] = map[string]any{"user": created}
	}
	return out, nil
}

// existingUser answers opType for a user name that exists: CREATE_OR_IGNORE
// keeps the stored user, CREATE_OR_UPDATE replaces its details.
func (h *hierarchy) existingUser(u state.User, update bool) (state.User, error) {
	name := u.UserName
	if name == "" {
		name = u.Email
	}
	if update {
		return h.st.ReplaceUser(u)
	}
	return h.st.User(name)
}

// userOf reads a createUserDataType record; reason is why it cannot be
// created (an account it names is unknown).
func (h *hierarchy) userOf(rec any, by string) (state.User, string) {
	u := state.User{
		UserName:    op.Str(rec, "userName"),
		FirstName:   op.Str(rec, "firstName"),
		LastName:    op.Str(rec, "lastName"),
		DisplayName: op.Str(rec, "displayName"),
		Email:       op.Str(rec, "emailAddress"),
		Phone:       op.Str(rec, "phoneNumber"),
		Fax:         op.Str(rec, "faxNumber"),
		Street:      op.Str(rec, "street"),
		City:        op.Str(rec, "city"),
		State:       op.Str(rec, "state"),
		Zipcode:     op.Str(rec, "zipcode"),
		Country:     op.Str(rec, "country"),
		Locale:      op.Str(rec, "locale"),
		Timezone:    op.Str(rec, "timezone"),
		Active:      op.Str(rec, "status") != "Inactive",
		Attributes:  attributesOf(op.Get(rec, "customAttributes")),
		CreatedBy:   by,
		ModifiedBy:  by,
	}
	u.CanLogin, _ = op.GetBool(rec, "canLogin")
	u.OptIn, _ = op.GetBool(rec, "optIn")
	u.Shared, _ = op.GetBool(rec, "shared")
	if u.DisplayName == "" {
		u.DisplayName = u.FirstName + " " + u.LastName
	}
	for _, r := range op.List(rec, h.n.createRoles, h.n.createRole) {
		a, reason := h.resolve(op.Get(r, h.n.record))
		if reason != "" {
			return u, reason
		}
		ar := state.AccountRole{AccountID: a.ID}
		ar.Expiry, _ = op.GetDate(r, "expiryDate")
		for _, role := range op.List(r, "roles", "role") {
			name := op.Str(role, "primaryKeys", "name")
			if name == "" {
				name = op.Str(role, "uniqueId")
			}
			if name != "" {
				ar.Roles = append(ar.Roles, name)
			}
		}
		u.Accounts = append(u.Accounts, ar)
	}
	if len(u.Accounts) == 0 {
		return u, "the user belongs to no " + h.n.record
	}
	return u, ""
}

func userIdentifier(u state.User) map[string]any {
	return map[string]any{
		"uniqueId": op.NonEmpty(u.ID),
		"userName": op.NonEmpty(u.UserName),
		"primaryKeys": map[string]any{
			"firstName": u.FirstName, "lastName": u.LastName,
			"emailAddress": u.Email, "phoneNumber": op.NonEmpty(u.Phone),
		},
	}
}

// userQuery is a user query made ready for the state: none is true when the
// criteria can match no user (usersFromLinkedAccount on an unknown account).
type userQuery struct {
	q    state.UserQuery
	none bool
}

// userQuery reads userQueryParametersType, with UAH v6's rules: several
// account IDs up to cfg.MaxUserAccountIDs (seed 002 L311–314; -1 is
// unlimited), and usersFromLinkedAccount (seed 002 L301–310): the users of
// one account and of its direct sub-accounts, refused with FNO's message
// when more than one account ID is given. reason is a FAILURE reason.
func (h *hierarchy) userQuery(c *op.Call) (uq userQuery, reason string) {
	q := op.Get(c.Request, "queryParams")
	uq.q = state.UserQuery{
		UserName: opsutil.Match(q, "userName"), FirstName: opsutil.Match(q, "firstName"), LastName: opsutil.Match(q, "lastName"),
		DisplayName: opsutil.Match(q, "displayName"), Email: opsutil.Match(q, "emailAddress"), Phone: opsutil.Match(q, "phoneNumber"),
		Fax: opsutil.Match(q, "faxNumber"), Street: opsutil.Match(q, "street"), City: opsutil.Match(q, "city"), State: opsutil.Match(q, "state"),
		Zipcode: opsutil.Match(q, "zipcode"), Country: opsutil.Match(q, "country"), AccountName: opsutil.Match(q, h.n.uqName),
		Active: op.OptBool(q, "isActive"), CanLogin: op.OptBool(q, "canLogIn"),
		AccountType: state.AccountType(op.Str(q, h.n.uqType)),
	}
	for _, v := range op.List(q, h.n.uqID) {
		if m := opsutil.Match(v); m.Set() {
			uq.q.AccountIDs = append(uq.q.AccountIDs, m)
		}
	}
	for _, r := range op.List(q, "roles", "roleName") {
		if s := op.Str(r); s != "" {
			uq.q.Roles = append(uq.q.Roles, s)
		}
	}
	var ok bool
	if uq.q.Modified, ok = opsutil.DateMatch(q, "lastModifiedDateTime"); !ok {
		return uq, "lastModifiedDateTime has a value that is not a dateTime"
	}
	if hasAttributeCriteria(q) {
		return uq, "customAttributes criteria are not supported by the emulator"
	}
	if max := h.cfg.MaxUserAccountIDs; max >= 0 && len(uq.q.AccountIDs) > max && len(uq.q.AccountIDs) > 1 {
		return uq, "the request has " + strconv.Itoa(len(uq.q.AccountIDs)) + " account IDs; at most " +
			strconv.Itoa(max) + " can be provided (the configured limit; -1 is unlimited)"
	}
	if linked, _ := op.GetBool(q, "usersFromLinkedAccount"); linked {
		if len(uq.q.AccountIDs) > 1 {
			return uq, ErrMultipleLinked
		}
		return h.linked(uq)
	}
	return uq, ""
}

// linked turns the account criteria of a usersFromLinkedAccount query into
// the exact set of the named account(s) and their direct sub-accounts. Seed
// 002 L305–309: a query for A1 returns users of A1 and its children a1 and
// a1.1 but not of grandchild a1.2. With neither an account ID nor a name
// the switch has nothing to link and the query runs as it is.
func (h *hierarchy) linked(uq userQuery) (userQuery, string) {
	var idm state.Match
	if len(uq.q.AccountIDs) == 1 {
		idm = uq.q.AccountIDs[0]
	}
	if !idm.Set() && !uq.q.AccountName.Set() {
		return uq, ""
	}
	base, err := h.st.Accounts(state.AccountQuery{ID: idm, Name: uq.q.AccountName}, state.Page{})
	if err != nil {
		return uq, reasonOf(err, "the account criteria are invalid")
	}
	seen := map[string]bool{}
	var ids []state.Match
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, state.Match{Value: id, Type: state.Equals})
		}
	}
	for _, a := range base {
		add(a.ID)
		subs, err := h.st.SubAccounts(a.ID)
		if err != nil {
			continue // deleted meanwhile: nothing below it
		}
		for _, s := range subs {
			add(s.ID)
		}
	}
	uq.q.AccountIDs, uq.q.AccountName = ids, state.Match{}
	uq.none = len(ids) == 0
	return uq, ""
}

// usersQuery is getUsersQuery.
func (h *hierarchy) usersQuery(_ context.Context, c *op.Call) (map[string]any, error) {
	p, reason := opsutil.Page(c.Request, h.cfg)
	if reason != "" {
		return op.Failure(reason), nil
	}
	uq, reason := h.userQuery(c)
	if reason != "" {
		return op.Failure(reason), nil
	}
	var users []state.User
	if !uq.none {
		var err error
		if users, err = h.st.Users(uq.q, p); err != nil {
			return op.Failure(reasonOf(err, "the query could not be run")), nil
		}
	}
	names := map[string]string{} // account ID -> name, for v5's acctRoles/name
	out := make([]any, len(users))
	for i, u := range users {
		out[i] = h.userDetail(u, names)
	}
	return op.Success(map[string]any{"user": out}), nil
}

// userCount is getUserCount, with the query's criteria and rules.
func (h *hierarchy) userCount(_ context.Context, c *op.Call) (map[string]any, error) {
	uq, reason := h.userQuery(c)
	if reason != "" {
		return op.Failure(reason), nil
	}
	n := 0
	if !uq.none {
		var err error
		if n, err = h.st.CountUsers(uq.q); err != nil {
			return op.Failure(reasonOf(err, "the count could not be run")), nil
		}
	}
	return op.Success(map[string]any{"count": op.Int(int64(n))}), nil
}

// userDetail is userDetailDataType, a superset of the versions: createdBy and
// lastModifiedBy are UAH v3+ (seed 001 L496–502), acctRoles/name is v5+
// (seed 001 L487–490).
func (h *hierarchy) userDetail(u state.User, names map[string]string) map[string]any {
	status := "Active"
	if !u.Active {
		status = "Inactive"
	}
	roles := make([]any, 0, len(u.Accounts))
	for _, r := range u.Accounts {
		m := map[string]any{h.n.record: h.identifier(r.AccountID)}
		if len(r.Roles) > 0 {
			rn := make([]any, len(r.Roles))
			for i, s := range r.Roles {
				rn[i] = s
			}
			m["roles"] = map[string]any{"roleName": rn}
		}
		name, ok := names[r.AccountID]
		if !ok {
			if a, err := h.st.Account(r.AccountID); err == nil {
				name = a.Name
			}
			names[r.AccountID] = name
		}
		m["name"] = op.NonEmpty(name)
		roles = append(roles, m)
	}
	var rolesList any
	if len(roles) > 0 {
		rolesList = map[string]any{h.n.detailRole: roles}
	}
	return map[string]any{
		"userIdentifier":   userIdentifier(u),
		"displayName":      op.NonEmpty(u.DisplayName),
		"optIn":            op.Bool(u.OptIn),
		"faxNumber":        op.NonEmpty(u.Fax),
		"street":           op.NonEmpty(u.Street),
		"city":             op.NonEmpty(u.City),
		"state":            op.NonEmpty(u.State),
		"zipcode":          op.NonEmpty(u.Zipcode),
		"country":          op.NonEmpty(u.Country),
		"status":           status,
		"locale":           op.NonEmpty(u.Locale),
		"timezone":         op.NonEmpty(u.Timezone),
		"shared":           op.Bool(u.Shared),
		"domain":           localDomain,
		"dateCreated":      op.DateTimeOrNil(u.Created),
		"dateLastModified": op.DateTimeOrNil(u.Modified),
		"dateLastLogin":    op.DateTimeOrNil(u.LastLogin),
		h.n.detailRoles:    rolesList,
		"expiryDate":       op.DateOrNil(u.Expiry),
		"customAttributes": attributesMap(u.Attributes),
		"createdBy":        op.NonEmpty(u.CreatedBy),
		"lastModifiedBy":   op.NonEmpty(u.ModifiedBy),
	}
}
