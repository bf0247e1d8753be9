package accounts

import (
	"context"
	"errors"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/opsutil"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// naming is how one hierarchy service spells the same state.
// UserAcctHierarchyService (v2+) says account where UserOrgHierarchyService
// (base, v1) says organization; seed 001 table 2-2 v3 "Changing
// organization to account". An organization's name is the account ID (its
// primary key) and its displayName is the account name, which is the
// rename: organizationPKType.name became accountPKTypeUser.id.
type naming struct {
	record     string // the record element: account / organization
	pkKey      string // its primary key: id / name
	nameKey    string // the display name in data records: name / displayName
	typeKey    string // accountType / orgType
	failedList string // failedAcct / failedOrg
	detailList string // acctData / orgData
	// query criteria
	qID, qName, qRoots, qTypeList string
	// users
	createRoles, createRole string // acctRolesList/acctRoles, orgRolesList/orgRoles
	detailRoles, detailRole string // accountRolesList/acctRoles, orgRolesList/orgRoles
	uqID, uqName, uqType    string // user query: accountID/orgName, accountName/orgDisplayName, accountType/orgType
}

var acctNaming = naming{
	record: "account", pkKey: "id", nameKey: "name", typeKey: "accountType",
	failedList: "failedAcct", detailList: "acctData",
	qID: "accountID", qName: "accountName", qRoots: "onlyRootAccounts", qTypeList: "accountTypeList",
	createRoles: "acctRolesList", createRole: "acctRoles",
	detailRoles: "accountRolesList", detailRole: "acctRoles",
	uqID: "accountID", uqName: "accountName", uqType: "accountType",
}

var orgNaming = naming{
	record: "organization", pkKey: "name", nameKey: "displayName", typeKey: "orgType",
	failedList: "failedOrg", detailList: "orgData",
	qID: "orgName", qName: "orgDisplayName", qRoots: "onlyRootOrgs", qTypeList: "orgTypeList",
	createRoles: "orgRolesList", createRole: "orgRoles",
	detailRoles: "orgRolesList", detailRole: "orgRoles",
	uqID: "orgName", uqName: "orgDisplayName", uqType: "orgType",
}

// hierarchy answers one of the two hierarchy services.
type hierarchy struct {
	st  *state.Store
	cfg op.Settings
	n   naming
}

// identifier is an account's identifier element (accountIdentifierType /
// organizationIdentifierType). uniqueId is left out: the state has no
// separate internal ID, and the primary key identifies the account.
func (h *hierarchy) identifier(id string) map[string]any {
	return map[string]any{"primaryKeys": map[string]any{h.n.pkKey: id}}
}

// resolve finds the account an identifier names, by uniqueId or primary key.
func (h *hierarchy) resolve(ident any) (state.Account, string) {
	key := op.Str(ident, "primaryKeys", h.n.pkKey)
	if key == "" {
		key = op.Str(ident, "uniqueId")
	}
	if key == "" {
		return state.Account{}, h.n.record + " identifier has neither uniqueId nor primaryKeys"
	}
	a, err := h.st.Account(key)
	if err != nil {
		return state.Account{}, reasonOf(err, h.n.record+" not found")
	}
	return a, ""
}

// reasonOf is the business reason of a state error: its own reason when it
// is a state.Error (those never carry values), else fallback.
func reasonOf(err error, fallback string) string {
	var se *state.Error
	if errors.As(err, &se) {
		return se.Reason
	}
	return fallback
}

// createAccount is createAccount (UAH) and createOrganization (UOH): every
// record is created on its own, failures go to failedData with the record
// as sent and a reason. opType CREATE_OR_UPDATE replaces an existing record,
// CREATE_OR_IGNORE leaves it alone and reports it as created; without
// opType an existing ID or name is a failure (unique names).
func (h *hierarchy) createAccount(_ context.Context, c *op.Call) (map[string]any, error) {
	recs := op.List(c.Request[h.n.record])
	if h.cfg.MaxWriteBatch > 0 && len(recs) > h.cfg.MaxWriteBatch {
		return op.Failure(op.TooMany(len(recs), h.cfg.MaxWriteBatch, h.n.record+" records")), nil
	}
	opType := op.Str(c.Request, "opType")
	var created, failed []any
	for _, rec := range recs {
		a := h.accountOf(rec, c.User)
		got, err := h.st.CreateAccount(a, opType == "CREATE_OR_UPDATE")
		if err != nil && opType == "CREATE_OR_IGNORE" && errors.Is(err, state.ErrExists) {
			if old, lerr := h.st.Account(a.ID); lerr == nil && old.ID == a.ID {
				got, err = old, nil
			}
		}
		if err != nil {
			failed = append(failed, map[string]any{h.n.record: rec, "reason": reasonOf(err, "the "+h.n.record+" could not be created")})
			continue
		}
		created = append(created, h.identifier(got.ID))
	}
	out := map[string]any{"statusInfo": op.WriteStatus(len(recs), len(failed), h.n.record+" records")}
	if len(failed) > 0 {
		out["failedData"] = map[string]any{h.n.failedList: failed}
	}
	if len(created) > 0 {
		out["responseData"] = map[string]any{h.n.record: created}
	}
	return out, nil
}

// accountOf reads an accountDataType / organizationDataType record.
func (h *hierarchy) accountOf(rec any, user string) state.Account {
	a := state.Account{
		ID:          op.Str(rec, h.n.pkKey),
		Name:        op.Str(rec, h.n.nameKey),
		Description: op.Str(rec, "description"),
		Type:        state.AccountType(op.Str(rec, h.n.typeKey)),
		Visible:     true, // FNO's default for a new account
		Address:     addressOf(op.Get(rec, "address")),
		Attributes:  attributesOf(op.Get(rec, "customAttributes")),
		CreatedBy:   user,
		ModifiedBy:  user,
	}
	if v, ok := op.GetBool(rec, "visible"); ok {
		a.Visible = v
	}
	return a
}

func addressOf(v any) state.Address {
	return state.Address{
		Address1: op.Str(v, "address1"), Address2: op.Str(v, "address2"), City: op.Str(v, "city"),
		State: op.Str(v, "state"), Zipcode: op.Str(v, "zipcode"), Country: op.Str(v, "country"), Region: op.Str(v, "region"),
	}
}

// attributesOf reads attributeDescriptorDataType, keeping each value as text
// (the first of stringValue, dateValue, booleanValue, integerValue, arrayValue).
func attributesOf(v any) []state.Attribute {
	var out []state.Attribute
	for _, a := range op.List(v, "attribute") {
		name := op.Str(a, "attributeName")
		if name == "" {
			continue
		}
		val := ""
		for _, k := range []string{"stringValue", "dateValue", "booleanValue", "integerValue"} {
			if val = op.Str(a, k); val != "" {
				break
			}
		}
		if val == "" {
			if arr := op.List(a, "arrayValue"); len(arr) > 0 {
				val = op.Str(arr[0])
			}
		}
		out = append(out, state.Attribute{Name: name, Value: val})
	}
	return out
}

func addressMap(a state.Address) any {
	if a == (state.Address{}) {
		return nil
	}
	return map[string]any{
		"address1": op.NonEmpty(a.Address1), "address2": op.NonEmpty(a.Address2), "city": op.NonEmpty(a.City),
		"state": op.NonEmpty(a.State), "zipcode": op.NonEmpty(a.Zipcode), "country": op.NonEmpty(a.Country), "region": op.NonEmpty(a.Region),
	}
}

func attributesMap(attrs []state.Attribute) any {
	if len(attrs) == 0 {
		return nil
	}
	out := make([]any, len(attrs))
	for i, a := range attrs {
		out[i] = map[string]any{"attributeName": a.Name, "stringValue": a.Value}
	}
	return map[string]any{"attribute": out}
}

// detail is accountDetailDataType / organizationDetailDataType, a superset
// of every version (createdDate, createdBy and lastModifiedBy are UAH v3+,
// seed 001 L496–502; the projection drops them for v2).
func (h *hierarchy) detail(a state.Account) map[string]any {
	m := map[string]any{
		h.n.record:         h.identifier(a.ID),
		h.n.nameKey:        a.Name,
		"description":      op.NonEmpty(a.Description),
		"address":          addressMap(a.Address),
		"visible":          op.Bool(a.Visible),
		h.n.typeKey:        op.NonEmpty(string(a.Type)),
		"customAttributes": attributesMap(a.Attributes),
		"dateLastModified": op.DateTimeOrNil(a.Modified),
		"createdDate":      op.DateTimeOrNil(a.Created),
		"createdBy":        op.NonEmpty(a.CreatedBy),
		"lastModifiedBy":   op.NonEmpty(a.ModifiedBy),
	}
	return m
}

func (h *hierarchy) details(accts []state.Account) map[string]any {
	out := make([]any, len(accts))
	for i, a := range accts {
		out[i] = h.detail(a)
	}
	return map[string]any{h.n.detailList: out}
}

// accountQuery reads accountQueryParametersType /
// organizationQueryParametersType; reason is a FAILURE reason.
func (h *hierarchy) accountQuery(q any) (aq state.AccountQuery, reason string) {
	aq = state.AccountQuery{
		ID: opsutil.Match(q, h.n.qID), Name: opsutil.Match(q, h.n.qName), Description: opsutil.Match(q, "description"),
		Address1: opsutil.Match(q, "address1"), Address2: opsutil.Match(q, "address2"), City: opsutil.Match(q, "city"),
		State: opsutil.Match(q, "state"), Zipcode: opsutil.Match(q, "zipcode"), Country: opsutil.Match(q, "country"), Region: opsutil.Match(q, "region"),
	}
	aq.OnlyRoots, _ = op.GetBool(q, h.n.qRoots)
	var ok bool
	if aq.Modified, ok = opsutil.DateMatch(q, "lastModifiedDateTime"); !ok {
		return aq, "lastModifiedDateTime has a value that is not a dateTime"
	}
	// accountType (one) and accountTypeList (any of) both restrict: a record
	// must satisfy both when both are given. The list's item is accountType
	// in UAH v2, acctType from v3 (NOTES.md), orgType in UOH.
	var types []state.AccountType
	if t := op.Str(q, h.n.typeKey); t != "" {
		types = []state.AccountType{state.AccountType(t)}
	}
	if tl := op.Get(q, h.n.qTypeList); tl != nil {
		var listed []state.AccountType
		for _, k := range []string{h.n.typeKey, "acctType"} {
			for _, v := range op.List(tl, k) {
				if s := op.Str(v); s != "" {
					listed = append(listed, state.AccountType(s))
				}
			}
		}
		if types == nil {
			types = listed
		} else if !containsType(listed, types[0]) {
			types = []state.AccountType{""} // no account has the empty type: nothing matches
		}
	}
	aq.Types = types
	if hasAttributeCriteria(q) {
		return aq, "customAttributes criteria are not supported by the emulator"
	}
	return aq, ""
}

func containsType(ts []state.AccountType, t state.AccountType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// hasAttributeCriteria reports whether a query has custom attribute criteria,
// which the state cannot evaluate; an empty customAttributes element is no
// criterion.
func hasAttributeCriteria(q any) bool {
	return len(op.List(q, "customAttributes", "attribute")) > 0
}

// accountsQuery is getAccountsQuery / getOrganizationsQuery.
func (h *hierarchy) accountsQuery(_ context.Context, c *op.Call) (map[string]any, error) {
	p, reason := opsutil.Page(c.Request, h.cfg)
	if reason != "" {
		return op.Failure(reason), nil
	}
	q, reason := h.accountQuery(op.Get(c.Request, "queryParams"))
	if reason != "" {
		return op.Failure(reason), nil
	}
	accts, err := h.st.Accounts(q, p)
	if err != nil {
		return op.Failure(reasonOf(err, "the query could not be run")), nil
	}
	return op.Success(h.details(accts)), nil
}

// accountCount is getAccountCount / getOrganizationCount: the same criteria
// as the query, so the count is the number of records the query pages over.
func (h *hierarchy) accountCount(_ context.Context, c *op.Call) (map[string]any, error) {
	q, reason := h.accountQuery(op.Get(c.Request, "queryParams"))
	if reason != "" {
		return op.Failure(reason), nil
	}
	n, err := h.st.CountAccounts(q)
	if err != nil {
		return op.Failure(reasonOf(err, "the count could not be run")), nil
	}
	return op.Success(map[string]any{"count": op.Int(int64(n))}), nil
}

// subAccounts is getSubAccounts / getSubOrganizations: the direct children
// of one account. The request has no recursion switch in any version, so a
// grandchild is found by asking for its parent.
func (h *hierarchy) subAccounts(_ context.Context, c *op.Call) (map[string]any, error) {
	a, reason := h.resolve(op.Get(c.Request, h.n.record))
	if reason != "" {
		return op.Failure(reason), nil
	}
	subs, err := h.st.SubAccounts(a.ID)
	if err != nil {
		return op.Failure(reasonOf(err, h.n.record+" not found")), nil
	}
	return op.Success(h.details(subs)), nil
}
