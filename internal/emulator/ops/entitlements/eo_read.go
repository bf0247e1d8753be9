package entitlements

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// itemSearch is a line item query: what the state filters, plus a
// predicate for the criteria it does not know (applied before paging, so
// pages and counts agree).
type itemSearch struct {
	q     state.LineItemQuery
	extra []func(l *lookups, it state.LineItem) bool
	none  bool // a criterion no record can satisfy
}

func (s *itemSearch) add(f func(l *lookups, it state.LineItem) bool) { s.extra = append(s.extra, f) }

// lineItemSearch reads searchActivatableItemDataType. propertiesQuery is
// true for getEntitlementLineItemPropertiesQuery, the only operation that
// takes several accountUnitName values (seed 002 L220).
func (h *handlers) lineItemSearch(params any, c *op.Call, propertiesQuery bool) (itemSearch, string) {
	cr := &criteria{m: op.Obj(params)}
	var s itemSearch
	if cr.m == nil {
		return s, ""
	}
	// v8: several accountUnitName values (seed 002 L193-229).
	if names := op.List(cr.m, "accountUnitName", "value"); len(names) > 1 {
		return h.accountNamesSearch(cr.m, names, propertiesQuery)
	}
	q := &s.q
	q.EntitlementID = cr.match("entitlementId")
	q.ActivationID = cr.match("activationId")
	q.ProductName = cr.match("productName")
	q.ProductVersion = cr.match("productVersion")
	q.PartNumber = cr.match("partNumber")
	q.OrderID = cr.match("orderId")
	q.OrderLineNumber = cr.match("orderLineNumber")
	q.SoldTo = cr.match("soldTo")
	q.ParentActivationID = cr.match("lineItemParentLineItemId")
	q.State = cr.match("lineItemState")
	q.Start = cr.date("startDate")
	q.Expiration = cr.date("expirationDate")
	q.Permanent = cr.flag("isPermanent")
	q.WithCount, _ = op.GetBool(cr.m, "restrictToItemsWithCount")
	q.User = op.Str(cr.m, "userId")
	q.Activatable = op.Str(cr.m, "activatableItemType")
	for _, key := range []string{"accountUnitName", "organizationUnitName"} {
		if m := cr.match(key); m.Set() {
			q.AccountNames = append(q.AccountNames, m)
		}
	}
	// v6 activationIds: a set of activation IDs (seed 001 L438-442).
	if ids := op.List(cr.m, "activationIds", "activationId"); len(ids) > 0 {
		var ms []state.Match
		exact := true
		for _, v := range ids {
			sub := criteria{m: map[string]any{"x": v}}
			m := sub.match("x")
			if sub.err != "" {
				return s, "activationIds: unsupported search type"
			}
			exact = exact && m.Type == state.Equals
			ms = append(ms, m)
		}
		if exact {
			for _, m := range ms {
				q.ActivationIDs = append(q.ActivationIDs, m.Value)
			}
		} else {
			s.add(func(_ *lookups, it state.LineItem) bool {
				return slices.ContainsFunc(ms, func(m state.Match) bool { return m.Matches(it.ActivationID) })
			})
		}
	}
	if m := cr.match("parentBulkEntitlementId"); m.Set() {
		s.add(func(l *lookups, it state.LineItem) bool {
			e := l.entitlement(it.EntitlementID)
			return e.Bulk && m.Matches(e.ID)
		})
	}
	if m := cr.match("parentBulkEntSoldTo"); m.Set() {
		s.add(func(l *lookups, it state.LineItem) bool {
			e := l.entitlement(it.EntitlementID)
			return e.Bulk && m.Matches(e.SoldTo)
		})
	}
	if m := cr.match("licenseTechnology"); m.Set() {
		s.add(func(l *lookups, it state.LineItem) bool { return m.Matches(l.technology(it)) })
	}
	if pt := op.Str(cr.m, "productType"); pt != "" {
		s.add(func(l *lookups, it state.LineItem) bool { return strings.EqualFold(l.product(it.Product).Type, pt) })
	}
	if b, ok := op.GetBool(cr.m, "withNoOrderId"); ok && b {
		s.add(func(_ *lookups, it state.LineItem) bool { return it.OrderID == "" })
	}
	if f := cr.number("fulfilledAmount"); f != nil {
		s.add(func(_ *lookups, it state.LineItem) bool { return f(it.Fulfilled) })
	}
	if b := cr.flag("allowPortalLogin"); b != nil {
		s.add(func(l *lookups, it state.LineItem) bool {
			return l.entitlement(it.EntitlementID).AllowPortalLogin == *b
		})
	}
	for _, key := range []string{"customAttributes", "lineItemAttributes"} {
		if f := cr.attrs(key); f != nil {
			s.add(func(_ *lookups, it state.LineItem) bool { return f(it.Attributes) })
		}
	}
	if v := op.Obj(cr.m["createdOnDateTime"]); v != nil {
		s.add(func(_ *lookups, it state.LineItem) bool { return dateTimeMatch(v, it.Created) })
	}
	if v := op.Obj(cr.m["lastModifiedDateTime"]); v != nil {
		s.add(func(_ *lookups, it state.LineItem) bool { return dateTimeMatch(v, it.Modified) })
	}
	// v5: isEmbeddedLicenseModel — the line item's license model is of the
	// FlexNet Embedded technology.
	if b := cr.flag("isEmbeddedLicenseModel"); b != nil {
		s.add(func(l *lookups, it state.LineItem) bool {
			return strings.Contains(strings.ToLower(l.technology(it)), "embedded") == *b
		})
	}
	// v7 auto-renewal criteria.
	if b := cr.flag("isAutoRenewal"); b != nil {
		s.add(func(_ *lookups, it state.LineItem) bool { return it.AutoRenewal == *b })
	}
	if v := op.Obj(cr.m["renewalInterval"]); v != nil {
		s.add(func(_ *lookups, it state.LineItem) bool { return durationEq(v, it.RenewalInterval) })
	}
	if m := cr.date("renewalExpirationDate"); m.Set() {
		s.add(func(_ *lookups, it state.LineItem) bool { return m.Matches(it.RenewalExpiry) })
	}
	s.none = cr.unmodelled("versionDate", "currentOwnerName")
	return s, cr.err
}

// accountNamesSearch is the v8 search by several account names: EQUALS
// only, at most cfg.MaxAccountUnitNames values, partnerTier ignored, and
// the other criteria left at their defaults (seed 002 L197-204).
func (h *handlers) accountNamesSearch(m map[string]any, names []any, propertiesQuery bool) (itemSearch, string) {
	var s itemSearch
	if !propertiesQuery {
		return s, "Several accountUnitName values are accepted only by getEntitlementLineItemPropertiesQuery."
	}
	if max := h.cfg.MaxAccountUnitNames; max >= 0 && len(names) > max {
		return s, fmt.Sprintf("The number of accountUnitName values exceeds the configured maximum of %d (Maximum number of Account names accepted to search for Entitlement Line Item Properties).", max)
	}
	if st := op.Str(m, "accountUnitName", "searchType"); st != "" && st != string(state.Equals) {
		return s, "With several accountUnitName values, searchType accepts only EQUALS."
	}
	for _, n := range names {
		s.q.AccountNames = append(s.q.AccountNames, state.Match{Value: op.Str(n), Type: state.Equals})
	}
	return s, ""
}

// items runs a line item search and returns page p and the total.
func (h *handlers) items(l *lookups, s itemSearch, p state.Page) ([]state.LineItem, int, error) {
	if s.none {
		return nil, 0, nil
	}
	var keep func(state.LineItem) bool
	if len(s.extra) > 0 {
		keep = func(it state.LineItem) bool {
			for _, f := range s.extra {
				if !f(l, it) {
					return false
				}
			}
			return true
		}
	}
	return pagedSearch(p, keep,
		func() (int, error) { return h.st.CountLineItems(s.q) },
		func(pg state.Page) ([]state.LineItem, error) { return h.st.LineItems(s.q, pg) })
}

// countOnly asks items for the total only.
var countOnly = state.Page{Size: -1}

// itemPage is the page of line items a query call asks for with the
// criteria under key, the lookups that read them, or the FAILURE answer
// when its paging or criteria are refused.
func (h *handlers) itemPage(c *op.Call, key string, properties bool) ([]state.LineItem, *lookups, map[string]any) {
	p, r, bad := h.page(c.Request)
	if bad {
		return nil, nil, r
	}
	s, why := h.lineItemSearch(c.Request[key], c, properties)
	if why != "" {
		return nil, nil, op.Failure(why)
	}
	l := newLookups(h.st)
	its, _, err := h.items(l, s, p)
	if err != nil {
		return nil, nil, op.Failure(reason(err))
	}
	return its, l, nil
}

func (h *handlers) getActivatableItemsQuery(_ context.Context, c *op.Call) (map[string]any, error) {
	its, l, refused := h.itemPage(c, "activatableItemSearchCriteria", false)
	if refused != nil {
		return refused, nil
	}
	out := make([]any, len(its))
	for i, it := range its {
		out[i] = activatableItem(l, it)
	}
	return map[string]any{"statusInfo": op.Status(statusSuccess, ""), "activatableItem": out}, nil
}

func (h *handlers) getActivatableItemCount(_ context.Context, c *op.Call) (map[string]any, error) {
	s, why := h.lineItemSearch(c.Request["queryParams"], c, false)
	if why != "" {
		return op.Failure(why), nil
	}
	s.q.ReadyToActivate, _ = op.GetBool(c.Request, "restrictToItemsReadyToActivate")
	_, n, err := h.items(newLookups(h.st), s, countOnly)
	if err != nil {
		return op.Failure(reason(err)), nil
	}
	return map[string]any{"statusInfo": op.Status(statusSuccess, ""), "count": itoa(n)}, nil
}

func (h *handlers) getEntitlementLineItemPropertiesQuery(_ context.Context, c *op.Call) (map[string]any, error) {
	its, l, refused := h.itemPage(c, "queryParams", true)
	if refused != nil {
		return refused, nil
	}
	cfg := op.Obj(c.Request["entitlementLineItemResponseConfig"])
	out := make([]any, len(its))
	for i, it := range its {
		out[i] = lineItemProperties(l, it, cfg)
	}
	return map[string]any{"statusInfo": op.Status(statusSuccess, ""), "entitlementLineItem": out}, nil
}

// lineItemProperties is entitlementLineItemPropertiesType with the fields
// the response config asks for (each flag true selects its field;
// customAttributes lists the attribute names wanted).
func lineItemProperties(l *lookups, it state.LineItem, cfg map[string]any) map[string]any {
	want := func(k string) bool { b, _ := op.GetBool(cfg, k); return b }
	e := l.entitlement(it.EntitlementID)
	acct := l.account(e.SoldTo)
	prod := l.product(it.Product)
	m := map[string]any{}
	set := func(flag string, key string, v func() any) {
		if want(flag) {
			m[key] = v()
		}
	}
	set("activationId", "activationId", func() any { return lineItemID(it.ActivationID, it.UniqueID) })
	set("description", "description", func() any { return op.NonEmpty(it.Description) })
	set("state", "state", func() any { return op.NonEmpty(string(it.State)) })
	set("activatableItemType", "activatableItemType", func() any { return activatableType(it) })
	set("orderId", "orderId", func() any { return op.NonEmpty(it.OrderID) })
	set("orderLineNumber", "orderLineNumber", func() any { return op.NonEmpty(it.OrderLineNumber) })
	set("entitlementId", "entitlementId", func() any { return entitlementID(e.ID, e.UniqueID) })
	set("allowPortalLogin", "allowPortalLogin", func() any { return op.Bool(e.AllowPortalLogin) })
	set("entitlementState", "entitlementState", func() any { return op.NonEmpty(string(e.State)) })
	set("entitlementDescription", "entitlementDescription", func() any { return op.NonEmpty(e.Description) })
	set("shipToEmail", "shipToEmail", func() any { return op.NonEmpty(e.ShipToEmail) })
	set("shipToAddress", "shipToAddress", func() any { return op.NonEmpty(e.ShipToAddress) })
	if e.Bulk {
		set("parentBulkEntitlementId", "parentBulkEntitlementId", func() any { return entitlementID(e.ID, e.UniqueID) })
		set("bulkEntSoldTo", "bulkEntSoldTo", func() any { return accountID(acct, e.SoldTo) })
		set("bulkEntSoldToDisplayName", "bulkEntSoldToDisplayName", func() any { return op.NonEmpty(acct.Name) })
	} else {
		set("soldTo", "soldTo", func() any { return accountID(acct, e.SoldTo) })
		set("soldToDisplayName", "soldToDisplayName", func() any { return op.NonEmpty(acct.Name) })
	}
	set("product", "product", func() any { return productID(l, it.Product) })
	set("productDescription", "productDescription", func() any { return op.NonEmpty(prod.Description) })
	set("partNumber", "partNumber", func() any { return partNumberID(it.PartNumber) })
	set("partNumberDescription", "partNumberDescription", func() any {
		if it.PartNumber == "" {
			return nil
		}
		pn, _ := l.st.PartNumber(it.PartNumber)
		return op.NonEmpty(pn.Description)
	})
	set("licenseTechnology", "licenseTechnology", func() any { return nameID(l.technology(it), "") })
	set("licenseModel", "licenseModel", func() any { return nameID(it.LicenseModel, l.model(it.LicenseModel).ID) })
	set("lineItemSupportAction", "lineItemSupportAction", func() any { return op.NonEmpty(string(it.Type)) })
	set("parentLineItem", "parentLineItem", func() any {
		if it.Parent == "" {
			return nil
		}
		return lineItemID(it.Parent, "")
	})
	set("startDate", "startDate", func() any { return op.DateOrNil(it.Start) })
	set("startDateOption", "startDateOption", func() any { return op.NonEmpty(it.StartDateOption) })
	set("isPermanent", "isPermanent", func() any { return op.Bool(it.Permanent) })
	set("term", "term", func() any { return duration(it.Term) })
	set("expirationDate", "expirationDate", func() any {
		if it.Permanent {
			return nil
		}
		return op.DateOrNil(it.Expiration)
	})
	set("numberOfCopies", "numberOfCopies", func() any { return itoa(it.Copies) })
	set("fulfilledAmount", "fulfilledAmount", func() any { return itoa(it.Fulfilled) })
	set("numberOfRemainingCopies", "numberOfRemainingCopies", func() any { return itoa(it.Remaining()) })
	set("isTrusted", "isTrusted", func() any { return op.Bool(it.Trusted) })
	set("createdOnDateTime", "createdOnDateTime", func() any { return op.DateTimeOrNil(it.Created) })
	set("lastModifiedDateTime", "lastModifiedDateTime", func() any { return op.DateTimeOrNil(it.Modified) })
	set("lineItemAttributes", "lineItemAttributes", func() any { return attributes(it.Attributes) })
	set("isAutoRenewal", "isAutoRenewal", func() any { return op.Bool(it.AutoRenewal) })
	set("renewalInterval", "renewalInterval", func() any { return duration(it.RenewalInterval) })
	set("renewalExpirationDate", "renewalExpirationDate", func() any { return op.DateOrNil(it.RenewalExpiry) })
	// v2 transferredFromLineItem / splitFromLineItem: the emulator has no
	// transfer or split operations, so no line item has either; selected,
	// they are absent, as FNO leaves them for line items never moved.
	if names := op.List(cfg, "customAttributes", "attribute"); len(names) > 0 {
		var sel []state.Attribute
		for _, n := range names {
			for _, a := range e.Attributes {
				if strings.EqualFold(a.Name, op.Str(n, "attributeName")) {
					sel = append(sel, a)
				}
			}
		}
		m["customAttributes"] = attributes(sel)
	}
	return m
}

func (h *handlers) getExactAvailableCount(_ context.Context, c *op.Call) (map[string]any, error) {
	ident := c.Request["activationId"]
	if ident == nil {
		return op.Failure("activationId is required."), nil
	}
	it, err := h.resolveLineItem(ident)
	if err != nil {
		return op.Failure(reason(err)), nil
	}
	return map[string]any{"statusInfo": op.Status(statusSuccess, ""), "count": itoa(it.Remaining())}, nil
}

// ---- entitlements ----

type entSearch struct {
	q     state.EntitlementQuery
	extra []func(l *lookups, e state.Entitlement, items []state.LineItem) bool
	none  bool
}

func (h *handlers) entitlementSearch(params any) (entSearch, string) {
	cr := &criteria{m: op.Obj(params)}
	var s entSearch
	if cr.m == nil {
		return s, ""
	}
	q := &s.q
	q.EntitlementID = cr.match("entitlementId")
	q.Description = cr.match("entDescription")
	q.ProductName = cr.match("productName")
	q.ProductVersion = cr.match("productVersion")
	q.PartNumber = cr.match("partNumber")
	q.Bulk = cr.flag("isBulk")
	q.SoldTo = cr.match("soldTo")
	q.ShipToEmail = cr.match("shipToEmail")
	q.ShipToAddress = cr.match("shipToAddress")
	q.Start = cr.date("startDate")
	q.Expiration = cr.date("expirationDate")
	q.Created = cr.date("createdOn")
	q.Modified = cr.date("lastModifiedDate")
	q.State = cr.match("state")
	q.LicenseTechnology = cr.match("licenseTechnology")
	q.CreatedBy = cr.match("createdUserId")
	for _, key := range []string{"accountUnitName", "organizationUnitName"} {
		if m := cr.match(key); m.Set() {
			q.AccountNames = append(q.AccountNames, m)
		}
	}
	anyItem := func(f func(l *lookups, it state.LineItem) bool) {
		s.extra = append(s.extra, func(l *lookups, _ state.Entitlement, items []state.LineItem) bool {
			return slices.ContainsFunc(items, func(it state.LineItem) bool { return f(l, it) })
		})
	}
	if m := cr.match("description"); m.Set() {
		anyItem(func(_ *lookups, it state.LineItem) bool { return m.Matches(it.Description) })
	}
	if pt := op.Str(cr.m, "productType"); pt != "" {
		anyItem(func(l *lookups, it state.LineItem) bool { return strings.EqualFold(l.product(it.Product).Type, pt) })
	}
	if b := cr.flag("isPermanent"); b != nil {
		anyItem(func(_ *lookups, it state.LineItem) bool { return it.Permanent == *b })
	}
	if b := cr.flag("isAutoRenewal"); b != nil {
		anyItem(func(_ *lookups, it state.LineItem) bool { return it.AutoRenewal == *b })
	}
	if v := op.Obj(cr.m["renewalInterval"]); v != nil {
		anyItem(func(_ *lookups, it state.LineItem) bool { return durationEq(v, it.RenewalInterval) })
	}
	if m := cr.date("renewalExpirationDate"); m.Set() {
		anyItem(func(_ *lookups, it state.LineItem) bool { return m.Matches(it.RenewalExpiry) })
	}
	if f := cr.attrs("entitlementAttributes"); f != nil {
		s.extra = append(s.extra, func(_ *lookups, e state.Entitlement, _ []state.LineItem) bool { return f(e.Attributes) })
	}
	s.none = cr.unmodelled("emailTemplateVariation", "versionDate", "currentOwnerName",
		"maintStartDate", "maintIsPermanent", "maintExpirationDate")
	return s, cr.err
}

func (h *handlers) lineItemsOf(e state.Entitlement) []state.LineItem {
	out := make([]state.LineItem, 0, len(e.LineItems))
	for _, aid := range e.LineItems {
		if it, err := h.st.LineItem(aid); err == nil {
			out = append(out, it)
		}
	}
	return out
}

// entitlements runs an entitlement search: page p (Size -1 counts only)
// and the total.
func (h *handlers) entitlements(l *lookups, s entSearch, p state.Page) ([]state.Entitlement, int, error) {
	if s.none {
		return nil, 0, nil
	}
	var keep func(state.Entitlement) bool
	if len(s.extra) > 0 {
		keep = func(e state.Entitlement) bool {
			items := h.lineItemsOf(e)
			for _, f := range s.extra {
				if !f(l, e, items) {
					return false
				}
			}
			return true
		}
	}
	return pagedSearch(p, keep,
		func() (int, error) { return h.st.CountEntitlements(s.q) },
		func(pg state.Page) ([]state.Entitlement, error) { return h.st.Entitlements(s.q, pg) })
}

func (h *handlers) getEntitlementsQuery(_ context.Context, c *op.Call) (map[string]any, error) {
	p, r, bad := h.page(c.Request)
	if bad {
		return r, nil
	}
	s, why := h.entitlementSearch(c.Request["entitlementSearchCriteria"])
	if why != "" {
		return op.Failure(why), nil
	}
	l := newLookups(h.st)
	es, _, err := h.entitlements(l, s, p)
	if err != nil {
		return op.Failure(reason(err)), nil
	}
	out := make([]any, len(es))
	for i, e := range es {
		out[i] = entitlementData(l, e, h.lineItemsOf(e))
	}
	return map[string]any{"statusInfo": op.Status(statusSuccess, ""), "entitlement": out}, nil
}

func (h *handlers) getEntitlementCount(_ context.Context, c *op.Call) (map[string]any, error) {
	s, why := h.entitlementSearch(c.Request["queryParams"])
	if why != "" {
		return op.Failure(why), nil
	}
	_, n, err := h.entitlements(newLookups(h.st), s, countOnly)
	if err != nil {
		return op.Failure(reason(err)), nil
	}
	return map[string]any{"statusInfo": op.Status(statusSuccess, ""), "count": itoa(n)}, nil
}
