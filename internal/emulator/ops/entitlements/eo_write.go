package entitlements

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// ---- resolving identifiers ----

// resolveEntitlement finds an entitlement by entitlementIdentifierType
// (primaryKeys/entitlementId, else uniqueId).
func (h *handlers) resolveEntitlement(v any) (state.Entitlement, error) {
	if id := op.Str(v, "primaryKeys", "entitlementId"); id != "" {
		return h.st.Entitlement(id)
	}
	if uid := op.Str(v, "uniqueId"); uid != "" {
		all, err := h.st.Entitlements(state.EntitlementQuery{}, state.Page{})
		if err != nil {
			return state.Entitlement{}, err
		}
		for _, e := range all {
			if e.UniqueID == uid {
				return e, nil
			}
		}
		return state.Entitlement{}, &state.Error{Kind: state.ErrNotFound, Reason: "entitlement not found"}
	}
	return state.Entitlement{}, &state.Error{Kind: state.ErrInvalid, Reason: "entitlementIdentifier: give primaryKeys/entitlementId or uniqueId"}
}

// resolveLineItem finds a line item by entitlementLineItemIdentifierType.
func (h *handlers) resolveLineItem(v any) (state.LineItem, error) {
	if id := op.Str(v, "primaryKeys", "activationId"); id != "" {
		return h.st.LineItem(id)
	}
	if uid := op.Str(v, "uniqueId"); uid != "" {
		all, err := h.st.LineItems(state.LineItemQuery{}, state.Page{})
		if err != nil {
			return state.LineItem{}, err
		}
		for _, it := range all {
			if it.UniqueID == uid {
				return it, nil
			}
		}
		return state.LineItem{}, &state.Error{Kind: state.ErrNotFound, Reason: "line item not found"}
	}
	return state.LineItem{}, &state.Error{Kind: state.ErrInvalid, Reason: "line item identifier: give primaryKeys/activationId or uniqueId"}
}

func invalid(format string, args ...any) error {
	return &state.Error{Kind: state.ErrInvalid, Reason: fmt.Sprintf(format, args...)}
}

func notFound(what string) error {
	return &state.Error{Kind: state.ErrNotFound, Reason: what + " not found"}
}

// idOf reads an idType: the ID, or "" with autoGenerate true; an error when
// neither is given (seed 003: an activation ID must not be empty).
func idOf(v any, field string) (string, error) {
	id := op.Str(v, "id")
	if id != "" {
		return id, state.ValidateID(field, id)
	}
	if auto, _ := op.GetBool(v, "autoGenerate"); auto {
		return "", nil
	}
	if op.Get(v, "id") != nil {
		return "", state.ValidateID(field, "") // present but empty
	}
	return "", invalid("%s: give id or set autoGenerate to true", field)
}

// catalog resolves the product, part number and license model of a line
// item request (seed 001 tables 2-6..2-10, simplified): the product from the
// request or else from the part number; the license model from the request,
// else the part number's, else the product's first.
func (h *handlers) catalog(v any, it *state.LineItem, productKey string) error {
	if p := op.Obj(v, productKey); p != nil {
		if uid := op.Str(p, "uniqueId"); uid != "" && op.Str(p, "primaryKeys", "name") == "" {
			prod, err := h.st.ProductByID(uid)
			if err != nil {
				return err
			}
			it.Product = prod.Key()
		} else {
			k := state.ProductKey{Name: op.Str(p, "primaryKeys", "name"), Version: op.Str(p, "primaryKeys", "version")}
			prod, err := h.st.Product(k)
			if err != nil {
				return err
			}
			it.Product = prod.Key()
		}
	}
	var part state.PartNumber
	if pn := op.Obj(v, "partNumber"); pn != nil {
		key := op.Str(pn, "primaryKeys", "partId")
		if key == "" {
			key = op.Str(pn, "uniqueId")
		}
		var err error
		if part, err = h.st.PartNumber(key); err != nil {
			return err
		}
		it.PartNumber = part.PartID
		if it.Product.Name == "" {
			it.Product = part.Product
		}
	}
	if lm := op.Obj(v, "licenseModel"); lm != nil {
		key := op.Str(lm, "primaryKeys", "name")
		if key == "" {
			key = op.Str(lm, "uniqueId")
		}
		m, err := h.st.LicenseModel(key)
		if err != nil {
			return err
		}
		it.LicenseModel = m.Name
	}
	if it.LicenseModel == "" && part.LicenseModel != "" {
		it.LicenseModel = part.LicenseModel
	}
	if it.LicenseModel == "" && it.Product.Name != "" {
		if p, err := h.st.Product(it.Product); err == nil && len(p.LicenseModels) > 0 {
			it.LicenseModel = p.LicenseModels[0]
		}
	}
	return nil
}

func durationOf(v any) (state.Duration, bool) {
	m := op.Obj(v)
	if m == nil {
		return state.Duration{}, false
	}
	n, _, _ := op.GetInt(m, "numDuration")
	return state.Duration{Count: int(n), Unit: op.Str(m, "durationUnit")}, true
}

func addDuration(t time.Time, d state.Duration) time.Time {
	switch d.Unit {
	case "DAYS":
		return t.AddDate(0, 0, d.Count)
	case "WEEKS":
		return t.AddDate(0, 0, 7*d.Count)
	case "MONTHS":
		return t.AddDate(0, d.Count, 0)
	case "YEARS":
		return t.AddDate(d.Count, 0, 0)
	}
	return t
}

func attrsOf(v any) []state.Attribute {
	var out []state.Attribute
	for _, a := range op.List(v, "attribute") {
		val := op.Str(a, "stringValue")
		switch {
		case op.Get(a, "dateValue") != nil:
			val = op.Str(a, "dateValue")
		case op.Get(a, "booleanValue") != nil:
			val = op.Str(a, "booleanValue")
		case op.Get(a, "integerValue") != nil:
			val = op.Str(a, "integerValue")
		case op.Get(a, "arrayValue") != nil:
			var vs []string
			for _, x := range op.List(a, "arrayValue") {
				vs = append(vs, op.Str(x))
			}
			val = strings.Join(vs, ",")
		}
		out = append(out, state.Attribute{Name: op.Str(a, "attributeName"), Value: val})
	}
	return out
}

// relation maps a LineItemType to the stored relation: NEW (v7) means no
// relation, stored as none so older versions never see a value their
// enumeration lacks.
func relation(s string) state.LineItemType {
	if s == "" || s == string(state.LineNew) {
		return ""
	}
	return state.LineItemType(s)
}

// applyTerms reads the dates and term of a line item request into it.
func applyTerms(v any, it *state.LineItem, now time.Time) {
	if d, ok := op.GetDate(v, "startDate"); ok {
		it.Start = d
	}
	if s := op.Str(v, "startDateOption"); s != "" {
		it.StartDateOption = s
	}
	if d, ok := durationOf(op.Get(v, "term")); ok {
		it.Term = d
	}
	if d, ok := op.GetDate(v, "expirationDate"); ok {
		it.Expiration, it.Permanent = d, false
	}
	if b, ok := op.GetBool(v, "isPermanent"); ok {
		it.Permanent = b
		if b {
			it.Expiration = time.Time{}
		}
	}
	if !it.Permanent && it.Expiration.IsZero() {
		if it.Term.Count > 0 {
			start := it.Start
			if start.IsZero() {
				start = now
			}
			it.Expiration = addDuration(start, it.Term)
		} else {
			it.Permanent = true // no end given: FNO's default term is permanent
		}
	}
	if b, ok := op.GetBool(v, "isAutoRenewal"); ok {
		it.AutoRenewal = b
	}
	if d, ok := durationOf(op.Get(v, "renewalInterval")); ok {
		it.RenewalInterval = d
	}
	if d, ok := op.GetDate(v, "renewalExpirationDate"); ok {
		it.RenewalExpiry = d
	}
}

// newLineItem reads a createEntitlementLineItemDataType.
func (h *handlers) newLineItem(v any, deploy bool, now time.Time) (state.LineItem, error) {
	aid, err := idOf(op.Get(v, "activationId"), "activationId")
	if err != nil {
		return state.LineItem{}, err
	}
	n, present, ok := op.GetInt(v, "numberOfCopies")
	if !present || !ok {
		return state.LineItem{}, invalid("numberOfCopies is required and must be a whole number")
	}
	it := state.LineItem{
		ActivationID:    aid,
		Description:     op.Str(v, "description"),
		OrderID:         op.Str(v, "orderId"),
		OrderLineNumber: op.Str(v, "orderLineNumber"),
		Copies:          int(n),
		Type:            relation(op.Str(v, "lineItemType")),
		Attributes:      attrsOf(op.Get(v, "lineItemAttributes")),
		Start:           now.Truncate(24 * time.Hour),
	}
	if err := h.catalog(v, &it, "product"); err != nil {
		return state.LineItem{}, err
	}
	applyTerms(v, &it, now)
	if deploy {
		it.State = state.Deployed
	}
	return it, nil
}

// ---- createSimpleEntitlement ----

func (h *handlers) createSimpleEntitlement(ctx context.Context, c *op.Call) (map[string]any, error) {
	recs := op.List(c.Request["simpleEntitlement"])
	if r, bad := h.writeLimit(len(recs)); bad {
		return r, nil
	}
	opType := op.Str(c.Request, "opType")
	var created, failed []any
	for i, rec := range recs {
		out, err := h.createOneSimple(ctx, rec, opType, c)
		if err != nil {
			failed = append(failed, map[string]any{"simpleEntitlement": rec, "reason": reason(err)})
			continue
		}
		out["recordRefNo"] = itoa(i + 1)
		created = append(created, out)
	}
	return writeResponse(len(recs), failed, "failedSimpleEntitlement", created, "createdSimpleEntitlement"), nil
}

func writeResponse(n int, failed []any, failedKey string, done []any, doneKey string) map[string]any {
	m := map[string]any{"statusInfo": outcome(n, len(failed))}
	if len(failed) > 0 {
		m["failedData"] = map[string]any{failedKey: failed}
	}
	if len(done) > 0 {
		m["responseData"] = map[string]any{doneKey: done}
	}
	return m
}

func (h *handlers) createOneSimple(ctx context.Context, rec any, opType string, c *op.Call) (map[string]any, error) {
	id, err := idOf(op.Get(rec, "entitlementId"), "entitlementId")
	if err != nil {
		return nil, err
	}
	deploy, _ := op.GetBool(rec, "autoDeploy")
	var items []state.LineItem
	for _, li := range op.List(rec, "lineItems") {
		it, err := h.newLineItem(li, deploy, c.Now)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	e := state.Entitlement{
		ID:            id,
		Description:   op.Str(rec, "description"),
		SoldTo:        op.Str(rec, "soldTo"),
		ShipToEmail:   op.Str(rec, "shipToEmail"),
		ShipToAddress: op.Str(rec, "shipToAddress"),
		CreatedBy:     c.User,
		Attributes:    attrsOf(op.Get(rec, "entitlementAttributes")),
	}
	if b, ok := op.GetBool(rec, "allowPortalLogin"); ok {
		e.AllowPortalLogin = b
	}
	if deploy {
		e.State = state.Deployed
	}
	var stored state.Entitlement
	if id != "" && opType != "" {
		if old, err := h.st.Entitlement(id); err == nil {
			// v1 opType: CREATE_OR_IGNORE leaves the existing one alone,
			// CREATE_OR_UPDATE updates it and adds or updates line items.
			if opType == "CREATE_OR_IGNORE" {
				return h.createdSimple(old, nil), nil
			}
			return h.updateSimple(ctx, old, e, rec, items, deploy)
		}
	}
	if err := h.newIDs(ctx, &e, items); err != nil {
		return nil, err
	}
	stored, err = h.st.CreateEntitlement(e, items)
	if err != nil {
		return nil, err
	}
	return h.createdSimple(stored, stored.LineItems), nil
}

func (h *handlers) updateSimple(ctx context.Context, old, e state.Entitlement, rec any, items []state.LineItem, deploy bool) (map[string]any, error) {
	upd, err := h.st.UpdateEntitlement(old.ID, func(x *state.Entitlement) error {
		for key, set := range map[string]func(string){
			"description":   func(s string) { x.Description = s },
			"soldTo":        func(s string) { x.SoldTo = s },
			"shipToEmail":   func(s string) { x.ShipToEmail = s },
			"shipToAddress": func(s string) { x.ShipToAddress = s },
		} {
			if op.Get(rec, key) != nil {
				set(op.Str(rec, key))
			}
		}
		if op.Get(rec, "entitlementAttributes") != nil {
			x.Attributes = e.Attributes
		}
		if op.Get(rec, "allowPortalLogin") != nil {
			x.AllowPortalLogin = e.AllowPortalLogin
		}
		if deploy {
			x.State = state.Deployed
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var fresh []state.LineItem
	var touched []string
	for _, it := range items {
		if it.ActivationID != "" {
			if cur, err := h.st.LineItem(it.ActivationID); err == nil {
				if cur.EntitlementID != old.ID {
					return nil, &state.Error{Kind: state.ErrExists, Reason: "a line item with this activationId already exists in another entitlement"}
				}
				if _, err := h.st.UpdateLineItem(it.ActivationID, func(x *state.LineItem) error {
					fulfilled := x.Fulfilled
					*x = it
					x.Fulfilled = fulfilled
					return nil
				}); err != nil {
					return nil, err
				}
				touched = append(touched, it.ActivationID)
				continue
			}
		}
		fresh = append(fresh, it)
	}
	if len(fresh) > 0 {
		if err := h.newActivationIDs(ctx, upd, fresh); err != nil {
			return nil, err
		}
		added, err := h.st.AddLineItems(old.ID, fresh)
		if err != nil {
			return nil, err
		}
		for _, a := range added {
			touched = append(touched, a.ActivationID)
		}
	}
	return h.createdSimple(upd, touched), nil
}

func (h *handlers) createdSimple(e state.Entitlement, aids []string) map[string]any {
	m := map[string]any{"uniqueId": e.UniqueID, "entitlementId": e.ID}
	var uids, ids []any
	for _, a := range aids {
		it, _ := h.st.LineItem(a)
		ids = append(ids, lineItemID(a, it.UniqueID))
		uids = append(uids, it.UniqueID)
	}
	if len(ids) > 0 {
		m["lineItemUniqueIds"] = uids
		m["lineItemIdentifiers"] = ids
	}
	return m
}

// ---- createBulkEntitlement ----

// createBulkEntitlement stores a bulk entitlement with one WEBREGKEY
// activatable item that carries its product, terms and copies (web register
// keys themselves are loaded by createWebRegKey, out of scope).
func (h *handlers) createBulkEntitlement(ctx context.Context, c *op.Call) (map[string]any, error) {
	recs := op.List(c.Request["bulkEntitlement"])
	if r, bad := h.writeLimit(len(recs)); bad {
		return r, nil
	}
	var created, failed []any
	for i, rec := range recs {
		e, err := h.createOneBulk(ctx, rec, c)
		if err != nil {
			failed = append(failed, map[string]any{"bulkEntitlement": rec, "reason": reason(err)})
			continue
		}
		created = append(created, map[string]any{"recordRefNo": itoa(i + 1), "uniqueId": e.UniqueID, "bulkEntitlementId": e.ID})
	}
	return writeResponse(len(recs), failed, "failedBulkEntitlement", created, "createdBulkEntitlement"), nil
}

func (h *handlers) createOneBulk(ctx context.Context, rec any, c *op.Call) (state.Entitlement, error) {
	id, err := idOf(op.Get(rec, "entitlementId"), "entitlementId")
	if err != nil {
		return state.Entitlement{}, err
	}
	deploy, _ := op.GetBool(rec, "autoDeploy")
	copies, present, ok := op.GetInt(rec, "numberOfCopies")
	if !present || !ok {
		copies = 1
	}
	it := state.LineItem{
		Description: op.Str(rec, "description"), OrderID: op.Str(rec, "orderId"), OrderLineNumber: op.Str(rec, "orderLineNumber"),
		Copies: int(copies), Activatable: "WEBREGKEY", Start: c.Now.Truncate(24 * time.Hour),
	}
	if err := h.catalog(rec, &it, "product"); err != nil {
		return state.Entitlement{}, err
	}
	applyTerms(rec, &it, c.Now)
	e := state.Entitlement{
		ID: id, Bulk: true, BulkType: op.Str(rec, "bulkEntitlementType"), Description: op.Str(rec, "description"),
		SoldTo: op.Str(rec, "soldTo"), ShipToEmail: op.Str(rec, "shipToEmail"), ShipToAddress: op.Str(rec, "shipToAddress"),
		CreatedBy: c.User,
	}
	if b, ok := op.GetBool(rec, "allowPortalLogin"); ok {
		e.AllowPortalLogin = b
	}
	if deploy {
		e.State, it.State = state.Deployed, state.Deployed
	}
	items := []state.LineItem{it}
	if err := h.newIDs(ctx, &e, items); err != nil {
		return state.Entitlement{}, err
	}
	return h.st.CreateEntitlement(e, items)
}

// ---- createEntitlementLineItem ----

func (h *handlers) createEntitlementLineItem(ctx context.Context, c *op.Call) (map[string]any, error) {
	recs := op.List(c.Request["lineItem"])
	n := 0
	for _, rec := range recs {
		n += max(1, len(op.List(rec, "lineItems")))
	}
	if r, bad := h.writeLimit(n); bad {
		return r, nil
	}
	var added, failed []any
	for _, rec := range recs {
		out, err := h.addLineItems(ctx, rec, op.Str(c.Request, "opType"), c.Now)
		if err != nil {
			failed = append(failed, map[string]any{"lineItem": rec, "reason": reason(err)})
			continue
		}
		added = append(added, out)
	}
	return writeResponse(len(recs), failed, "failedLineItemData", added, "addedLineItems"), nil
}

func (h *handlers) addLineItems(ctx context.Context, rec any, opType string, now time.Time) (map[string]any, error) {
	e, err := h.resolveEntitlement(op.Get(rec, "entitlementIdentifier"))
	if err != nil {
		return nil, err
	}
	deploy, _ := op.GetBool(rec, "autoDeploy")
	var fresh []state.LineItem
	var aids []string
	for _, li := range op.List(rec, "lineItems") {
		it, err := h.newLineItem(li, deploy || e.State == state.Deployed, now)
		if err != nil {
			return nil, err
		}
		if it.ActivationID != "" && opType != "" {
			if cur, err := h.st.LineItem(it.ActivationID); err == nil {
				if opType == "CREATE_OR_IGNORE" || cur.EntitlementID != e.ID {
					if cur.EntitlementID != e.ID {
						return nil, &state.Error{Kind: state.ErrExists, Reason: "a line item with this activationId already exists in another entitlement"}
					}
					aids = append(aids, cur.ActivationID)
					continue
				}
				if _, err := h.st.UpdateLineItem(cur.ActivationID, func(x *state.LineItem) error {
					f := x.Fulfilled
					*x = it
					x.Fulfilled = f
					return nil
				}); err != nil {
					return nil, err
				}
				aids = append(aids, cur.ActivationID)
				continue
			}
		}
		fresh = append(fresh, it)
	}
	if len(fresh) > 0 {
		if err := h.newActivationIDs(ctx, e, fresh); err != nil {
			return nil, err
		}
		stored, err := h.st.AddLineItems(e.ID, fresh)
		if err != nil {
			return nil, err
		}
		for _, it := range stored {
			aids = append(aids, it.ActivationID)
		}
	}
	out := map[string]any{"entitlementIdentifier": entitlementID(e.ID, e.UniqueID)}
	var uids, ids []any
	for _, a := range aids {
		it, _ := h.st.LineItem(a)
		uids = append(uids, it.UniqueID)
		ids = append(ids, lineItemID(a, it.UniqueID))
	}
	if len(ids) > 0 {
		out["lineItemUniqueIds"], out["lineItemIdentifiers"] = uids, ids
	}
	return out, nil
}

// ---- updateEntitlementLineItem ----

func (h *handlers) updateEntitlementLineItem(_ context.Context, c *op.Call) (map[string]any, error) {
	recs := op.List(c.Request["lineItemData"])
	n := 0
	for _, rec := range recs {
		n += max(1, len(op.List(rec, "lineItemData")))
	}
	if r, bad := h.writeLimit(n); bad {
		return r, nil
	}
	var failed []any
	for _, rec := range recs {
		if err := h.updateLineItems(rec, version(c), c.Now); err != nil {
			failed = append(failed, map[string]any{"failedData": rec, "reason": reason(err)})
		}
	}
	m := map[string]any{"statusInfo": outcome(len(recs), len(failed))}
	if len(failed) > 0 {
		m["failedData"] = map[string]any{"failedData": failed}
	}
	return m, nil
}

// updateLineItems applies one updateEntitlementLineItemDataType. Each line
// item is updated atomically on its own; the first failure stops the record
// and is its reason.
func (h *handlers) updateLineItems(rec any, v int, now time.Time) error {
	e, err := h.resolveEntitlement(op.Get(rec, "entitlementIdentifier"))
	if err != nil {
		return err
	}
	deploy, _ := op.GetBool(rec, "autoDeploy")
	for _, li := range op.List(rec, "lineItemData") {
		cur, err := h.resolveLineItem(op.Get(li, "lineItemIdentifier"))
		if err != nil {
			return err
		}
		if !strings.EqualFold(cur.EntitlementID, e.ID) {
			return invalid("the line item does not belong to the entitlement")
		}
		// Resolve the catalog and the parent outside the store's lock.
		next := cur
		if err := h.catalog(li, &next, "product"); err != nil {
			return err
		}
		if err := h.parentRelation(li, &next, v); err != nil {
			return err
		}
		_, err = h.st.UpdateLineItem(cur.ActivationID, func(x *state.LineItem) error {
			x.Product, x.PartNumber, x.LicenseModel = next.Product, next.PartNumber, next.LicenseModel
			x.Parent, x.Type = next.Parent, next.Type
			if op.Get(li, "description") != nil {
				x.Description = op.Str(li, "description")
			}
			if op.Get(li, "orderId") != nil {
				x.OrderID = op.Str(li, "orderId")
			}
			if op.Get(li, "orderLineNumber") != nil {
				x.OrderLineNumber = op.Str(li, "orderLineNumber")
			}
			if n, present, ok := op.GetInt(li, "numberOfCopies"); present && ok {
				x.Copies = int(n)
			}
			if op.Get(li, "lineItemAttributes") != nil {
				x.Attributes = attrsOf(op.Get(li, "lineItemAttributes"))
			}
			applyTerms(li, x, now)
			if deploy {
				x.State = state.Deployed
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// parentRelation applies parentLineItem. Before v7 it sets the parent. From
// v7 its lineItemType says what to do (seed 002 L230-300): UPGRADE (or
// UPSELL, RENEWAL) links the line item to the parent with that relation,
// NEW removes the relation to that parent.
func (h *handlers) parentRelation(li any, it *state.LineItem, v int) error {
	p := op.Obj(li, "parentLineItem")
	if p == nil {
		return nil
	}
	parent, err := h.resolveLineItem(p)
	if err != nil {
		var se *state.Error
		if errors.As(err, &se) && se.Kind == state.ErrNotFound {
			return notFound("parent line item")
		}
		return err
	}
	if strings.EqualFold(parent.ActivationID, it.ActivationID) {
		return invalid("a line item cannot be its own parent")
	}
	typ := ""
	if v >= 7 {
		typ = op.Str(p, "lineItemType")
	}
	switch typ {
	case "":
		it.Parent = parent.ActivationID
		if it.Type == "" {
			it.Type = state.LineUpgrade
		}
	case string(state.LineNew):
		if !strings.EqualFold(it.Parent, parent.ActivationID) {
			return invalid("parentLineItem: the line item has no relation with this parent to remove")
		}
		it.Parent, it.Type = "", ""
	default:
		it.Parent, it.Type = parent.ActivationID, state.LineItemType(typ)
	}
	return nil
}

// ---- deleteEntitlement, setEntitlementState, mapEntitlementsToUser ----

func (h *handlers) deleteEntitlement(_ context.Context, c *op.Call) (map[string]any, error) {
	recs := op.List(c.Request["entitlement"])
	if r, bad := h.writeLimit(len(recs)); bad {
		return r, nil
	}
	var failed []any
	for _, rec := range recs {
		ident := op.Get(rec, "entitlementIdentifier")
		e, err := h.resolveEntitlement(ident)
		if err == nil {
			err = h.st.DeleteEntitlement(e.ID)
		}
		if err != nil {
			failed = append(failed, map[string]any{"entitlementIdentifier": ident, "reason": reason(err)})
		}
	}
	m := map[string]any{"statusInfo": outcome(len(recs), len(failed))}
	if len(failed) > 0 {
		m["failedData"] = map[string]any{"failedEntitlement": failed}
	}
	return m, nil
}

func (h *handlers) setEntitlementState(_ context.Context, c *op.Call) (map[string]any, error) {
	recs := op.List(c.Request["entitlement"])
	if r, bad := h.writeLimit(len(recs)); bad {
		return r, nil
	}
	var failed []any
	for _, rec := range recs {
		e, err := h.resolveEntitlement(op.Get(rec, "entitlementIdentifier"))
		if err == nil {
			_, err = h.st.SetEntitlementState(e.ID, state.State(op.Str(rec, "stateToSet")))
		}
		if err != nil {
			failed = append(failed, map[string]any{"entitlement": rec, "reason": reason(err)})
		}
	}
	m := map[string]any{"statusInfo": outcome(len(recs), len(failed))}
	if len(failed) > 0 {
		m["failedData"] = map[string]any{"failedEntitlement": failed}
	}
	return m, nil
}

// mapEntitlementsToUser maps entitlement IDs, or the entitlements of
// activation IDs, to a user (seed 003: "maps one or more entitlement IDs or
// activation IDs to a ... user").
func (h *handlers) mapEntitlementsToUser(_ context.Context, c *op.Call) (map[string]any, error) {
	ids := op.List(c.Request, "idList", "id")
	if r, bad := h.writeLimit(len(ids)); bad {
		return r, nil
	}
	user := op.Str(c.Request, "userId")
	var failed []any
	fail := func(id any, why string) { failed = append(failed, map[string]any{"id": id, "reason": why}) }
	if _, err := h.st.User(user); err != nil {
		for _, id := range ids {
			fail(id, "user not found")
		}
	} else {
		for _, id := range ids {
			ent := op.Str(id)
			if _, err := h.st.Entitlement(ent); err != nil {
				it, err := h.st.LineItem(ent)
				if err != nil {
					fail(id, "no entitlement or line item with this ID")
					continue
				}
				ent = it.EntitlementID
			}
			if err := h.st.MapEntitlementsToUser(user, []string{ent}); err != nil {
				fail(id, reason(err))
			}
		}
	}
	m := map[string]any{"statusInfo": outcome(len(ids), len(failed))}
	if len(failed) > 0 {
		m["failedData"] = map[string]any{"failedId": failed}
	}
	return m, nil
}
