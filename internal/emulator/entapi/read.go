package entapi

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// The answers, in the field order of the create body (seed 004 lines
// 32-151) so they read like what was sent.

type accountOut struct {
	AccountID       string `json:"accountId"`
	AccountName     string `json:"accountName,omitempty"`
	AccountType     string `json:"accountType,omitempty"`
	PartnerTierName string `json:"partnerTierName,omitempty"`
	IsCurrentOwner  bool   `json:"isCurrentOwner"`
	ContactEmail    string `json:"contactEmail,omitempty"`
}

type licenseModelOut struct {
	LicenseModelName string `json:"licenseModelName"`
}

type productOut struct {
	ProductName    string           `json:"productName"`
	ProductVersion string           `json:"productVersion"`
	LicenseModel   *licenseModelOut `json:"licenseModel,omitempty"`
}

type lineItemOut struct {
	ActivationID    string        `json:"activationId"`
	Product         []productOut  `json:"product"`
	Quantity        int           `json:"quantity"`
	QuantityPerCopy int           `json:"quantityPerCopy"`
	IsActivatable   bool          `json:"isActivatable"`
	IsPermanent     bool          `json:"isPermanent"`
	ExpiryDate      *string       `json:"expiryDate"`
	StartDate       string        `json:"startDate,omitempty"`
	Attributes      []attributeIn `json:"attributes"`
	OrderType       string        `json:"orderType"`
	LineItemStatus  string        `json:"lineItemStatus"`
}

type maintenanceOut struct {
	ActivationID    string        `json:"activationId"`
	Product         []productOut  `json:"product"`
	PartNumber      string        `json:"partNumber,omitempty"`
	OrderID         string        `json:"orderId,omitempty"`
	OrderLineNumber string        `json:"orderLineNumber,omitempty"`
	StartDate       string        `json:"startDate,omitempty"`
	ExpiryDate      *string       `json:"expiryDate"`
	IsPermanent     bool          `json:"isPermanent"`
	Attributes      []attributeIn `json:"attributes"`
	LineItemStatus  string        `json:"lineItemStatus"`
}

type entitlementOut struct {
	EntitlementID        string           `json:"entitlementId"`
	Description          string           `json:"description"`
	AllowPortalLogin     bool             `json:"allowPortalLogin"`
	ShipToEmail          string           `json:"shipToEmail"`
	ShipToAddress        string           `json:"shipToAddress"`
	Accounts             []accountOut     `json:"accounts"`
	Attributes           []attributeIn    `json:"attributes"`
	Status               string           `json:"status"`
	LineItems            []lineItemOut    `json:"lineItems"`
	MaintenanceLineItems []maintenanceOut `json:"maintenanceLineItems,omitempty"`
}

type lineItemsOut struct {
	Status               string           `json:"status"`
	LineItems            []lineItemOut    `json:"lineItems"`
	MaintenanceLineItems []maintenanceOut `json:"maintenanceLineItems"`
}

type listOut struct {
	Status       string           `json:"status"`
	Entitlements []entitlementOut `json:"entitlements"`
	Page         int              `json:"page"`
	Limit        int              `json:"limit"`
	TotalCount   int              `json:"totalCount"`
}

// renderer turns state records into answers, looking each account up once.
type renderer struct {
	st       *state.Store
	accounts map[string]state.Account
}

func newRenderer(st *state.Store) *renderer {
	return &renderer{st: st, accounts: map[string]state.Account{}}
}

func (r *renderer) account(id string) []accountOut {
	if id == "" {
		return []accountOut{{AccountID: UnknownAccount, AccountName: UnknownAccount, IsCurrentOwner: true}}
	}
	a, ok := r.accounts[id]
	if !ok {
		var err error
		if a, err = r.st.Account(id); err != nil {
			a = state.Account{ID: id}
		}
		r.accounts[id] = a
	}
	return []accountOut{{AccountID: a.ID, AccountName: a.Name, AccountType: string(a.Type),
		PartnerTierName: "END_CUSTOMER", IsCurrentOwner: true}}
}

func stateText(s state.State) string { return strings.ToLower(string(s)) }

// orderType renders a line item's relation as the seed's samples spell
// orderType (NEW_ORDER, lines 126-129, 201).
func orderType(t state.LineItemType) string {
	if t == "" {
		t = state.LineNew
	}
	return string(t) + "_ORDER"
}

func products(it state.LineItem) []productOut {
	if it.Product.Name == "" {
		return []productOut{}
	}
	p := productOut{ProductName: it.Product.Name, ProductVersion: it.Product.Version}
	if it.LicenseModel != "" {
		p.LicenseModel = &licenseModelOut{LicenseModelName: it.LicenseModel}
	}
	return []productOut{p}
}

// attrsOut renders attributes; the contract requires a name, so an
// unnamed one (possible over SOAP) is left out.
func attrsOut(as []state.Attribute) []attributeIn {
	out := make([]attributeIn, 0, len(as))
	for _, a := range as {
		if a.Name != "" {
			out = append(out, attributeIn{Name: a.Name, Value: a.Value})
		}
	}
	return out
}

// dates renders a line item's start and expiry (null when permanent, as
// the document's sample shows).
func dates(it state.LineItem) (start string, expiry *string) {
	if !it.Start.IsZero() {
		start = op.Date(it.Start)
	}
	if !it.Permanent && !it.Expiration.IsZero() {
		e := op.Date(it.Expiration)
		expiry = &e
	}
	return start, expiry
}

func lineItem(it state.LineItem) lineItemOut {
	start, expiry := dates(it)
	return lineItemOut{
		ActivationID: it.ActivationID, Product: products(it), Quantity: it.Copies,
		QuantityPerCopy: 1, IsActivatable: true, IsPermanent: it.Permanent,
		ExpiryDate: expiry, StartDate: start, Attributes: attrsOut(it.Attributes),
		OrderType: orderType(it.Type), LineItemStatus: stateText(it.State),
	}
}

func maintenance(it state.LineItem) maintenanceOut {
	start, expiry := dates(it)
	return maintenanceOut{
		ActivationID: it.ActivationID, Product: products(it), PartNumber: it.PartNumber,
		OrderID: it.OrderID, OrderLineNumber: it.OrderLineNumber, StartDate: start,
		ExpiryDate: expiry, IsPermanent: it.Permanent, Attributes: attrsOut(it.Attributes),
		LineItemStatus: stateText(it.State),
	}
}

// items renders an entitlement's line items and maintenance line items;
// one removed meanwhile is left out.
func (r *renderer) items(e state.Entitlement) ([]lineItemOut, []maintenanceOut) {
	lines, maint := []lineItemOut{}, []maintenanceOut{}
	for _, aid := range e.LineItems {
		it, err := r.st.LineItem(aid)
		switch {
		case err != nil:
		case it.Maintenance:
			maint = append(maint, maintenance(it))
		default:
			lines = append(lines, lineItem(it))
		}
	}
	return lines, maint
}

func (r *renderer) entitlement(e state.Entitlement) entitlementOut {
	lines, maint := r.items(e)
	out := entitlementOut{
		EntitlementID: e.ID, Description: e.Description, AllowPortalLogin: e.AllowPortalLogin,
		ShipToEmail: e.ShipToEmail, ShipToAddress: e.ShipToAddress, Accounts: r.account(e.SoldTo),
		Attributes: attrsOut(e.Attributes), Status: stateText(e.State), LineItems: lines,
		MaintenanceLineItems: maint,
	}
	if e.ShipToEmail != "" && e.SoldTo != "" {
		out.Accounts[0].ContactEmail = e.ShipToEmail
	}
	return out
}

func (h *Handler) get(id string) (int, any) {
	e, ok := h.simple(id)
	if !ok {
		return notFound()
	}
	return http.StatusOK, newRenderer(h.st).entitlement(e)
}

func (h *Handler) lineItems(id string) (int, any) {
	e, ok := h.simple(id)
	if !ok {
		return notFound()
	}
	lines, maint := newRenderer(h.st).items(e)
	return http.StatusOK, lineItemsOut{Status: "SUCCESS", LineItems: lines, MaintenanceLineItems: maint}
}

// listStates maps the list's status values (seed 004 line 262).
var listStates = map[string]state.State{
	"draft": state.Draft, "deployed": state.Deployed, "active": state.Active,
	"inactive": state.Inactive, "obsoleted": state.Obsolete,
}

// listQuery turns the list's parameters into a state query; none is true
// when they contradict each other, so nothing can match.
func (h *Handler) listQuery(q url.Values) (query state.EntitlementQuery, none bool) {
	simple := false
	query.Bulk = &simple
	eq := func(key string) state.Match {
		if v := q.Get(key); v != "" {
			return state.Match{Value: v, Type: state.Equals}
		}
		return state.Match{}
	}
	unknown := func(v string) bool {
		if !strings.EqualFold(v, UnknownAccount) {
			return false
		}
		_, err := h.st.Account(v)
		return err != nil
	}
	query.ActivationID = eq("activationId")
	query.ShipToEmail = eq("contactEmail")
	query.ProductName = eq("product")
	query.ProductVersion = eq("version")
	query.PartNumber = eq("partNumber")
	if v := q.Get("status"); v != "" {
		query.State = state.Match{Value: string(listStates[v]), Type: state.Equals}
	}
	query.SoldTo = eq("accountId")
	if query.SoldTo.Set() && unknown(query.SoldTo.Value) {
		query.SoldTo.Value = ""
	}
	if name := eq("accountName"); name.Set() {
		if !unknown(name.Value) {
			query.AccountNames = []state.Match{name}
		} else if query.SoldTo.Set() && query.SoldTo.Value != "" {
			return query, true
		} else {
			query.SoldTo = state.Match{Value: "", Type: state.Equals}
		}
	}
	return query, false
}

// intParam reads a page or limit the contract has already checked.
func intParam(q url.Values, key string) int {
	n, _ := strconv.Atoi(q.Get(key))
	return n
}

func (h *Handler) list(q url.Values) (int, any) {
	page, limit := intParam(q, "page"), intParam(q, "limit")
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	out := listOut{Status: "SUCCESS", Entitlements: []entitlementOut{}, Page: page, Limit: limit}
	query, none := h.listQuery(q)
	if none {
		return http.StatusOK, out
	}
	total, err := h.st.CountEntitlements(query)
	if err != nil {
		return http.StatusInternalServerError, failure("the entitlements could not be listed", nil)
	}
	out.TotalCount = total
	var es []state.Entitlement
	sortBy, desc := q.Get("sort_by"), q.Get("sort_order") == "desc"
	if sortBy == "" && !desc {
		// Creation order is the store's order: page inside the store.
		es, err = h.st.Entitlements(query, state.Page{Number: page + 1, Size: limit})
	} else {
		es, err = h.sorted(query, sortBy, desc, page, limit)
	}
	if err != nil {
		return http.StatusInternalServerError, failure("the entitlements could not be listed", nil)
	}
	r := newRenderer(h.st)
	for _, e := range es {
		out.Entitlements = append(out.Entitlements, r.entitlement(e))
	}
	return http.StatusOK, out
}

// sorted reads every match, sorts and cuts out the page: the store keeps
// creation order only. Ties (the same creation time) fall back to the ID,
// then to creation order, so pages never overlap. Small keys are sorted,
// not the entitlements.
func (h *Handler) sorted(query state.EntitlementQuery, by string, desc bool, page, limit int) ([]state.Entitlement, error) {
	all, err := h.st.Entitlements(query, state.Page{})
	if err != nil {
		return nil, err
	}
	type key struct {
		id      string
		created time.Time
		i       int
	}
	keys := make([]key, len(all))
	for i, e := range all {
		keys[i] = key{strings.ToLower(e.ID), e.Created, i}
	}
	switch by {
	case "entitlement_id":
		slices.SortStableFunc(keys, func(a, b key) int { return cmp.Compare(a.id, b.id) })
	case "created_on":
		slices.SortStableFunc(keys, func(a, b key) int {
			if c := a.created.Compare(b.created); c != 0 {
				return c
			}
			return cmp.Compare(a.id, b.id)
		})
	}
	if desc {
		slices.Reverse(keys)
	}
	start := page * limit
	if start >= len(keys) {
		return nil, nil
	}
	keys = keys[start:min(start+limit, len(keys))]
	out := make([]state.Entitlement, len(keys))
	for i, k := range keys {
		out[i] = all[k.i]
	}
	return out, nil
}
