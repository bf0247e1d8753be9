package entitlements

import (
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Building response values from state records. Every builder returns the
// superset of what any version declares; the projection prunes.

func itoa(n int) string { return op.Int(int64(n)) }

// lookups caches the catalog and account records one response refers to,
// so a page of line items costs one store read per distinct record.
type lookups struct {
	st       *state.Store
	products map[state.ProductKey]state.Product
	accounts map[string]state.Account
	models   map[string]state.LicenseModel
	ents     map[string]state.Entitlement
}

func newLookups(st *state.Store) *lookups {
	return &lookups{st: st, products: map[state.ProductKey]state.Product{}, accounts: map[string]state.Account{},
		models: map[string]state.LicenseModel{}, ents: map[string]state.Entitlement{}}
}

func (l *lookups) product(k state.ProductKey) state.Product {
	p, ok := l.products[k]
	if !ok {
		p, _ = l.st.Product(k)
		l.products[k] = p
	}
	return p
}

func (l *lookups) account(id string) state.Account {
	if id == "" {
		return state.Account{}
	}
	a, ok := l.accounts[id]
	if !ok {
		a, _ = l.st.Account(id)
		l.accounts[id] = a
	}
	return a
}

func (l *lookups) model(name string) state.LicenseModel {
	if name == "" {
		return state.LicenseModel{}
	}
	m, ok := l.models[name]
	if !ok {
		m, _ = l.st.LicenseModel(name)
		l.models[name] = m
	}
	return m
}

func (l *lookups) entitlement(id string) state.Entitlement {
	e, ok := l.ents[id]
	if !ok {
		e, _ = l.st.Entitlement(id)
		l.ents[id] = e
	}
	return e
}

// technology is the license technology of a line item's model.
func (l *lookups) technology(it state.LineItem) string { return l.model(it.LicenseModel).Technology }

func productID(l *lookups, k state.ProductKey) any {
	if k.Name == "" {
		return nil
	}
	return map[string]any{"uniqueId": op.NonEmpty(l.product(k).ID),
		"primaryKeys": map[string]any{"name": k.Name, "version": k.Version}}
}

func partNumberID(part string) any {
	if part == "" {
		return nil
	}
	return map[string]any{"primaryKeys": map[string]any{"partId": part}}
}

func nameID(name, uniqueID string) any {
	if name == "" {
		return nil
	}
	return map[string]any{"uniqueId": op.NonEmpty(uniqueID), "primaryKeys": map[string]any{"name": name}}
}

func lineItemID(aid, uniqueID string) map[string]any {
	return map[string]any{"uniqueId": op.NonEmpty(uniqueID), "primaryKeys": map[string]any{"activationId": aid}}
}

func entitlementID(id, uniqueID string) map[string]any {
	return map[string]any{"uniqueId": op.NonEmpty(uniqueID), "primaryKeys": map[string]any{"entitlementId": id}}
}

func duration(d state.Duration) any {
	if d.Count == 0 || d.Unit == "" {
		return nil
	}
	return map[string]any{"numDuration": itoa(d.Count), "durationUnit": d.Unit}
}

func attributes(as []state.Attribute) any {
	if len(as) == 0 {
		return nil
	}
	out := make([]any, len(as))
	for i, a := range as {
		out[i] = map[string]any{"attributeName": a.Name, "stringValue": a.Value}
	}
	return map[string]any{"attribute": out}
}

// accountID is accountIdentifierType (organizationIdentifierType before the
// rename; both have uniqueId and primaryKeys/name).
func accountID(a state.Account, id string) any {
	if id == "" {
		return nil
	}
	name := a.Name
	if name == "" {
		name = id
	}
	return map[string]any{"uniqueId": op.NonEmpty(a.ID), "primaryKeys": map[string]any{"name": name}}
}

// lineItemData is entitlementLineItemDataType (which extends
// createEntitlementLineItemDataType).
func lineItemData(l *lookups, it state.LineItem) map[string]any {
	m := map[string]any{
		"activationId":              map[string]any{"id": it.ActivationID, "autoGenerate": "false"},
		"description":               op.NonEmpty(it.Description),
		"product":                   productID(l, it.Product),
		"partNumber":                partNumberID(it.PartNumber),
		"licenseModel":              nameID(it.LicenseModel, l.model(it.LicenseModel).ID),
		"orderId":                   op.NonEmpty(it.OrderID),
		"orderLineNumber":           op.NonEmpty(it.OrderLineNumber),
		"numberOfCopies":            itoa(it.Copies),
		"startDate":                 op.DateOrNil(it.Start),
		"startDateOption":           op.NonEmpty(it.StartDateOption),
		"isPermanent":               op.Bool(it.Permanent),
		"term":                      duration(it.Term),
		"lineItemType":              op.NonEmpty(string(it.Type)),
		"lineItemAttributes":        attributes(it.Attributes),
		"isAutoRenewal":             op.Bool(it.AutoRenewal),
		"renewalInterval":           duration(it.RenewalInterval),
		"renewalExpirationDate":     op.DateOrNil(it.RenewalExpiry),
		"numberOfRemainingCopies":   itoa(it.Remaining()),
		"fulfilledCount":            itoa(it.Fulfilled),
		"availableExtraActivations": "0",
		"isTrustedType":             op.Bool(it.Trusted),
		"state":                     op.NonEmpty(string(it.State)),
		"licenseTechnology":         nameID(l.technology(it), ""),
		"createdOnDateTime":         op.DateTimeOrNil(it.Created),
		"lastModifiedDateTime":      op.DateTimeOrNil(it.Modified),
		"overdraftMax":              itoa(it.Overdraft),
		"remainingOverdraftCount":   itoa(it.Overdraft),
	}
	if !it.Permanent {
		m["expirationDate"] = op.DateOrNil(it.Expiration)
	}
	if p := l.product(it.Product); p.ProductLine != "" {
		m["productLine"] = map[string]any{"name": p.ProductLine}
	}
	if it.Parent != "" {
		m["parentLineItem"] = lineItemID(it.Parent, "")
	}
	return m
}

// entitlementData is entitlementDataType: a simpleEntitlement or a
// bulkEntitlement with its line items.
func entitlementData(l *lookups, e state.Entitlement, items []state.LineItem) map[string]any {
	acct := l.account(e.SoldTo)
	if e.Bulk {
		b := map[string]any{
			"entitlementId":       map[string]any{"id": e.ID, "autoGenerate": "false"},
			"soldTo":              op.NonEmpty(e.SoldTo),
			"shipToEmail":         op.NonEmpty(e.ShipToEmail),
			"shipToAddress":       op.NonEmpty(e.ShipToAddress),
			"description":         op.NonEmpty(e.Description),
			"bulkEntitlementType": op.NonEmpty(e.BulkType),
			"allowPortalLogin":    op.Bool(e.AllowPortalLogin),
			"state":               op.NonEmpty(string(e.State)),
			"createdUserId":       op.NonEmpty(e.CreatedBy),
		}
		if len(items) > 0 {
			it := items[0]
			b["product"] = productID(l, it.Product)
			b["partNumber"] = partNumberID(it.PartNumber)
			b["licenseModel"] = nameID(it.LicenseModel, l.model(it.LicenseModel).ID)
			b["orderId"] = op.NonEmpty(it.OrderID)
			b["orderLineNumber"] = op.NonEmpty(it.OrderLineNumber)
			b["startDateOption"] = op.NonEmpty(it.StartDateOption)
			b["isPermanent"] = op.Bool(it.Permanent)
			b["term"] = duration(it.Term)
			if !it.Permanent {
				b["expirationDate"] = op.DateOrNil(it.Expiration)
			}
			b["numberOfCopies"] = itoa(it.Copies)
			b["licenseTechnology"] = nameID(l.technology(it), "")
		}
		return map[string]any{"bulkEntitlement": b}
	}
	lis := make([]any, len(items))
	for i, it := range items {
		lis[i] = lineItemData(l, it)
	}
	s := map[string]any{
		"entitlementId":         map[string]any{"id": e.ID, "autoGenerate": "false"},
		"lastModifiedDateTime":  op.DateTimeOrNil(e.Modified),
		"description":           op.NonEmpty(e.Description),
		"soldTo":                e.SoldTo, // required
		"soldToName":            op.NonEmpty(acct.Name),
		"shipToEmail":           op.NonEmpty(e.ShipToEmail),
		"shipToAddress":         op.NonEmpty(e.ShipToAddress),
		"state":                 op.NonEmpty(string(e.State)),
		"createdUserId":         op.NonEmpty(e.CreatedBy),
		"lineItems":             lis,
		"allowPortalLogin":      op.Bool(e.AllowPortalLogin),
		"entitlementAttributes": attributes(e.Attributes),
	}
	return map[string]any{"simpleEntitlement": s}
}

// activatableItem is activatableItemDetailType.
func activatableItem(l *lookups, it state.LineItem) map[string]any {
	e := l.entitlement(it.EntitlementID)
	m := map[string]any{
		"activatableItemType":   activatableType(it),
		"entitlementId":         it.EntitlementID,
		"soldTo":                e.SoldTo,
		"shipToEmail":           op.NonEmpty(e.ShipToEmail),
		"shipToAddress":         op.NonEmpty(e.ShipToAddress),
		"entitlementState":      op.NonEmpty(string(e.State)),
		"activatableItemData":   lineItemData(l, it),
		"entitlementAttributes": attributes(e.Attributes),
	}
	if e.Bulk {
		m["parentBulkEntitlementId"] = e.ID
	}
	return m
}

func activatableType(it state.LineItem) string {
	if strings.EqualFold(it.Activatable, "WEBREGKEY") {
		return "WEBREGKEY"
	}
	return "LINEITEM"
}
