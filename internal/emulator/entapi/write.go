package entapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// The request bodies, as the contract has already accepted them: types,
// limits, patterns, enums and unknown fields are settled before these are
// decoded. Pointers tell a field left out from one given.

// accountIn leaves partnerTierName out: the one account the emulator links
// is the end customer whatever the tier says (the seed's sample sends
// "END_CUSTOMER/PARTNER_TIER_ONE", line 166).
type accountIn struct {
	AccountID      *string `json:"accountId"`
	AccountName    *string `json:"accountName"`
	AccountType    *string `json:"accountType"`
	IsCurrentOwner *bool   `json:"isCurrentOwner"`
	ContactEmail   *string `json:"contactEmail"`
}

type productIn struct {
	ProductName    string `json:"productName"`
	ProductVersion string `json:"productVersion"`
	LicenseModel   *struct {
		LicenseModelName *string `json:"licenseModelName"`
	} `json:"licenseModel"`
}

type attributeIn struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type lineItemIn struct {
	ActivationID    *string       `json:"activationId"`
	Product         []productIn   `json:"product"`
	Quantity        *int64        `json:"quantity"`
	QuantityPerCopy *int64        `json:"quantityPerCopy"`
	IsActivatable   *bool         `json:"isActivatable"`
	IsPermanent     *bool         `json:"isPermanent"`
	ExpiryDate      *string       `json:"expiryDate"`
	StartDate       string        `json:"startDate"`
	Attributes      []attributeIn `json:"attributes"`
	AutoGenerate    *bool         `json:"autoGenerate"`
	AutoDeploy      *bool         `json:"autoDeploy"`
	OrderType       *string       `json:"orderType"`
	LineItemStatus  *string       `json:"lineItemStatus"`
}

type maintenanceIn struct {
	ActivationID    *string       `json:"activationId"`
	Product         []productIn   `json:"product"`
	PartNumber      *string       `json:"partNumber"`
	OrderID         *string       `json:"orderId"`
	OrderLineNumber *string       `json:"orderLineNumber"`
	StartDate       string        `json:"startDate"`
	ExpiryDate      *string       `json:"expiryDate"`
	IsPermanent     *bool         `json:"isPermanent"`
	AutoGenerate    *bool         `json:"autoGenerate"`
	AutoDeploy      *bool         `json:"autoDeploy"`
	Attributes      []attributeIn `json:"attributes"`
}

// entitlementIn is the create body; PATCH takes its entitlement-level
// fields (the contract refuses the others there).
type entitlementIn struct {
	EntitlementID          *string        `json:"entitlementId"`
	Description            *string        `json:"description"`
	AllowPortalLogin       *bool          `json:"allowPortalLogin"`
	ShipToEmail            *string        `json:"shipToEmail"`
	ShipToAddress          *string        `json:"shipToAddress"`
	Accounts               *[]accountIn   `json:"accounts"`
	LineItems              []lineItemIn   `json:"lineItems"`
	AutoDeploy             *bool          `json:"autoDeploy"`
	EmailTemplateVariation *string        `json:"emailTemplateVariation"`
	Attributes             *[]attributeIn `json:"attributes"`
	AutoGenerate           *bool          `json:"autoGenerate"`
	Status                 *string        `json:"status"`
}

// problems collects what is wrong with a request, each at its location.
type problems []fieldError

func (p *problems) add(loc, msg string) { *p = append(*p, fieldError{Location: loc, Message: msg}) }

// badRequest is the 400 answer for collected problems.
func badRequest(p problems) (int, any) {
	return http.StatusBadRequest, failure("the request cannot be carried out", p)
}

func notFound() (int, any) {
	return http.StatusNotFound, failure("no simple entitlement has this entitlementId", nil)
}

// decode reads a body the contract accepted into dst.
func decode(body []byte, dst any) (int, any, bool) {
	if err := restkit.DecodeJSON(body, dst); err != nil {
		return err.Status, failure(err.Reason, nil), false
	}
	return 0, nil, true
}

// simple returns the simple entitlement id names; bulk ones are not this
// API's.
func (h *Handler) simple(id string) (state.Entitlement, bool) {
	e, err := h.st.Entitlement(id)
	if err != nil || e.Bulk {
		return state.Entitlement{}, false
	}
	return e, true
}

// storeFailure answers a state error of a write on entitlement id: 404 when
// the entitlement went away meanwhile, 400 with the state's reason (it
// names fields, never values) for a business failure, 500 otherwise.
func (h *Handler) storeFailure(id string, err error) (int, any) {
	if id != "" && errors.Is(err, state.ErrNotFound) {
		if _, ok := h.simple(id); !ok {
			return notFound()
		}
	}
	var se *state.Error
	if errors.As(err, &se) {
		return badRequest(problems{{Message: se.Reason}})
	}
	return http.StatusInternalServerError, failure("the emulator could not store the request", nil)
}

// ---- IDs ----

// forbiddenBackOffice are the characters FNO's back office refuses in IDs
// (seed 003 lines 30-39) that the beta's pattern lets through.
const forbiddenBackOffice = ",."

// id applies the ID rules the schema cannot express to an entitlementId
// or activationId (field) at loc: given needs autoGenerate false, missing
// needs it true (seed 004 lines 34, 66, 115-119, 145-149); IDs are unique
// across entitlements and line items; no comma or full stop. It returns
// the ID, "" to generate one.
func (h *Handler) id(p *problems, loc, field string, id *string, auto *bool, taken map[string]string) string {
	generate := auto != nil && *auto
	switch {
	case id == nil && !generate:
		p.add(loc, "give "+field+" or set autoGenerate to true")
		return ""
	case id == nil:
		return ""
	case generate:
		p.add(loc, field+" is given, so autoGenerate must be false")
		return ""
	}
	v := *id
	if strings.ContainsAny(v, forbiddenBackOffice) {
		p.add(loc, field+" contains a comma or full stop, which FNO refuses in IDs")
		return ""
	}
	key := strings.ToLower(v)
	if prev, dup := taken[key]; dup {
		p.add(loc, field+" repeats the ID at "+prev+": IDs must be unique across entitlements and line items")
		return ""
	}
	taken[key] = loc
	if _, err := h.st.Entitlement(v); err == nil {
		p.add(loc, field+" is taken by an entitlement: IDs must be unique across entitlements and line items")
	} else if _, err := h.st.LineItem(v); err == nil {
		p.add(loc, field+" is taken by a line item: IDs must be unique across entitlements and line items")
	}
	return v
}

// ---- field conversions ----

func parseDate(p *problems, loc, field, s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		p.add(loc, field+" is not a calendar date in YYYY-MM-DD format")
		return time.Time{}, false
	}
	return t, true
}

// term reads startDate, expiryDate and isPermanent: isPermanent true wins
// over an expiryDate (the seed's sample sends both), neither means
// permanent (FNO's default), isPermanent false needs an expiryDate.
func term(p *problems, at, start string, expiry *string, permanent *bool, it *state.LineItem) {
	s, okStart := parseDate(p, at+"/startDate", "startDate", start)
	it.Start = s
	switch {
	case permanent != nil && *permanent:
		it.Permanent = true
	case expiry != nil:
		e, ok := parseDate(p, at+"/expiryDate", "expiryDate", *expiry)
		if ok && okStart && e.Before(s) {
			p.add(at+"/expiryDate", "expiryDate is before startDate")
		}
		it.Expiration = e
	case permanent != nil:
		p.add(at+"/expiryDate", "expiryDate is required when isPermanent is false")
	default:
		it.Permanent = true
	}
}

func attributes(in []attributeIn) []state.Attribute {
	if len(in) == 0 {
		return nil
	}
	out := make([]state.Attribute, len(in))
	for i, a := range in {
		out[i] = state.Attribute{Name: a.Name, Value: a.Value}
	}
	return out
}

// itemStates maps the create body's states (seed 004 lines 131, 151).
var itemStates = map[string]state.State{"draft": state.Draft, "deployed": state.Deployed, "obsolete": state.Obsolete}

// orderTypes maps orderType (either case, EB-11) to the line item's
// relation; NEW_ORDER is no relation, as the SOAP handlers store it.
var orderTypes = map[string]state.LineItemType{
	"new_order": "", "renewal_order": state.LineRenewal, "upgrade_order": state.LineUpgrade, "upsell_order": state.LineUpsell,
}

// product resolves the one product of a line item and its license model:
// the one named, else the product's first (as the SOAP handlers do).
func (h *Handler) product(p *problems, at string, in []productIn, it *state.LineItem) {
	switch len(in) {
	case 0:
		p.add(at+"/product", "give the line item's product")
		return
	case 1:
	default:
		p.add(at+"/product", "the emulator keeps one product per line item, as FNO's SOAP model does; send one")
		return
	}
	pr, err := h.st.Product(state.ProductKey{Name: in[0].ProductName, Version: in[0].ProductVersion})
	if err != nil {
		p.add(at+"/product/0", "no product has this productName and productVersion")
		return
	}
	it.Product = pr.Key()
	if lm := in[0].LicenseModel; lm != nil && lm.LicenseModelName != nil && *lm.LicenseModelName != "" {
		m, err := h.st.LicenseModel(*lm.LicenseModelName)
		if err != nil {
			p.add(at+"/product/0/licenseModel/licenseModelName", "no license model has this licenseModelName")
			return
		}
		it.LicenseModel = m.Name
	} else if len(pr.LicenseModels) > 0 {
		it.LicenseModel = pr.LicenseModels[0]
	}
}

// lineItem converts one line item of a create or add body at pointer at;
// the entitlement's state st is its default and deploy deploys it.
func (h *Handler) lineItem(p *problems, at string, in lineItemIn, st state.State, deploy bool, taken map[string]string) state.LineItem {
	it := state.LineItem{ActivationID: h.id(p, at+"/activationId", "activationId", in.ActivationID, in.AutoGenerate, taken)}
	h.product(p, at, in.Product, &it)
	it.Copies = 1
	if in.Quantity != nil {
		it.Copies = int(*in.Quantity)
	}
	if in.QuantityPerCopy != nil && *in.QuantityPerCopy != 1 {
		p.add(at+"/quantityPerCopy", "the emulator supports quantityPerCopy 1 only")
	}
	if in.IsActivatable != nil && !*in.IsActivatable {
		p.add(at+"/isActivatable", "the emulator keeps activatable line items only")
	}
	term(p, at, in.StartDate, in.ExpiryDate, in.IsPermanent, &it)
	it.Attributes = attributes(in.Attributes)
	if in.OrderType != nil {
		t, ok := orderTypes[strings.ToLower(*in.OrderType)]
		if !ok {
			p.add(at+"/orderType", "the emulator keeps new, renewal, upgrade and upsell orders only")
		}
		it.Type = t
	}
	it.State = st
	if in.LineItemStatus != nil {
		it.State = itemStates[*in.LineItemStatus]
	}
	if deploy || (in.AutoDeploy != nil && *in.AutoDeploy) {
		it.State = state.Deployed
	}
	return it
}

// maintenance converts one maintenance line item: its product is the one
// given or its part number's, and both given must agree.
func (h *Handler) maintenance(p *problems, at string, in maintenanceIn, st state.State, taken map[string]string) state.LineItem {
	it := state.LineItem{Maintenance: true, Copies: 1, State: st}
	it.ActivationID = h.id(p, at+"/activationId", "activationId", in.ActivationID, in.AutoGenerate, taken)
	if len(in.Product) > 0 {
		h.product(p, at, in.Product, &it)
	}
	if in.PartNumber != nil {
		part, err := h.st.PartNumber(*in.PartNumber)
		switch {
		case err != nil:
			p.add(at+"/partNumber", "no part number has this partNumber")
		case len(in.Product) == 0:
			it.Product, it.PartNumber, it.LicenseModel = part.Product, part.PartID, part.LicenseModel
		case it.Product.Name != "" && (!strings.EqualFold(part.Product.Name, it.Product.Name) || !strings.EqualFold(part.Product.Version, it.Product.Version)):
			p.add(at+"/partNumber", "the partNumber maps to another product than the one given")
		default:
			it.PartNumber = part.PartID
		}
	} else if len(in.Product) == 0 {
		p.add(at+"/product", "give the maintenance line item's product or partNumber")
	}
	if in.OrderID != nil {
		it.OrderID = *in.OrderID
	}
	if in.OrderLineNumber != nil {
		it.OrderLineNumber = *in.OrderLineNumber
	}
	term(p, at, in.StartDate, in.ExpiryDate, in.IsPermanent, &it)
	it.Attributes = attributes(in.Attributes)
	if in.AutoDeploy != nil && *in.AutoDeploy {
		it.State = state.Deployed
	}
	return it
}

// soldTo resolves the accounts list to the sold-to account ID ("" for
// none: UNKNOWN_ORG_UNIT) and the contact email it names ("" for none).
func (h *Handler) soldTo(p *problems, in []accountIn) (id, contact string) {
	switch len(in) {
	case 0:
		return "", ""
	case 1:
	default:
		p.add("/accounts", "the emulator links one account (the sold-to end customer) to an entitlement; send one")
		return "", ""
	}
	a, at := in[0], "/accounts/0"
	if a.ContactEmail != nil {
		contact = *a.ContactEmail
	}
	if a.IsCurrentOwner != nil && !*a.IsCurrentOwner {
		p.add(at+"/isCurrentOwner", "the one account the emulator links is the current owner")
	}
	var key, loc string
	switch {
	case a.AccountID != nil:
		key, loc = *a.AccountID, at+"/accountId"
	case a.AccountName != nil:
		key, loc = *a.AccountName, at+"/accountName"
	default:
		p.add(at, "give accountId or accountName")
		return "", contact
	}
	acct, err := h.st.Account(key)
	if err != nil || (a.AccountID != nil && acct.ID != key) {
		if strings.EqualFold(key, UnknownAccount) {
			return "", contact
		}
		p.add(loc, "no account has this "+loc[len(at)+1:])
		return "", contact
	}
	if a.AccountName != nil && a.AccountID != nil && !strings.EqualFold(acct.Name, *a.AccountName) {
		p.add(at+"/accountName", "accountName is not the name of the account accountId names")
	}
	if a.AccountType != nil && !strings.EqualFold(string(acct.Type), *a.AccountType) {
		p.add(at+"/accountType", "accountType is not the type of the account")
	}
	return acct.ID, contact
}

// contactEmail merges an account's contactEmail into shipToEmail: one
// contact per entitlement, both given must agree.
func contactEmail(p *problems, shipTo *string, contact string) *string {
	switch {
	case contact == "":
		return shipTo
	case shipTo == nil:
		return &contact
	case !strings.EqualFold(*shipTo, contact):
		p.add("/accounts/0/contactEmail", "contactEmail differs from shipToEmail; the emulator keeps one contact email per entitlement")
	}
	return shipTo
}

// entState is the state an entitlement's status and autoDeploy ask for
// (ok false: neither).
func entState(in *entitlementIn) (state.State, bool) {
	if in.AutoDeploy != nil && *in.AutoDeploy {
		return state.Deployed, true
	}
	if in.Status != nil {
		return itemStates[*in.Status], true
	}
	return "", false
}

// ---- handlers ----

// created is the answer of a create: the IDs, generated ones included.
type created struct {
	Status        string   `json:"status"`
	EntitlementID string   `json:"entitlementId"`
	ActivationIDs []string `json:"activationIds"`
}

func (h *Handler) create(ctx context.Context, user string, body []byte) (int, any) {
	var in entitlementIn
	if status, out, ok := decode(body, &in); !ok {
		return status, out
	}
	var p problems
	taken := map[string]string{}
	e := state.Entitlement{CreatedBy: user, State: state.Draft}
	e.ID = h.id(&p, "/entitlementId", "entitlementId", in.EntitlementID, in.AutoGenerate, taken)
	if s, ok := entState(&in); ok {
		e.State = s
	}
	if in.Description != nil {
		e.Description = *in.Description
	}
	if in.AllowPortalLogin != nil {
		e.AllowPortalLogin = *in.AllowPortalLogin
	}
	var contact string
	if in.Accounts != nil {
		e.SoldTo, contact = h.soldTo(&p, *in.Accounts)
	}
	if s := contactEmail(&p, in.ShipToEmail, contact); s != nil {
		e.ShipToEmail = *s
	}
	if in.ShipToAddress != nil {
		e.ShipToAddress = *in.ShipToAddress
	}
	if in.Attributes != nil {
		e.Attributes = attributes(*in.Attributes)
	}
	deploy := e.State == state.Deployed
	items := make([]state.LineItem, len(in.LineItems))
	for i, li := range in.LineItems {
		items[i] = h.lineItem(&p, "/lineItems/"+strconv.Itoa(i), li, e.State, deploy, taken)
	}
	if len(p) > 0 {
		return badRequest(p)
	}
	if status, out, ok := h.newEntitlementIDs(ctx, &e, items); !ok {
		return status, out
	}
	stored, err := h.st.CreateEntitlement(e, items)
	if err != nil {
		return h.storeFailure("", err)
	}
	return http.StatusCreated, created{Status: "SUCCESS", EntitlementID: stored.ID, ActivationIDs: stored.LineItems}
}

func (h *Handler) update(id string, body []byte) (int, any) {
	old, ok := h.simple(id)
	if !ok {
		return notFound()
	}
	var in entitlementIn
	if status, out, ok := decode(body, &in); !ok {
		return status, out
	}
	var p problems
	soldTo, contact := old.SoldTo, ""
	if in.Accounts != nil {
		soldTo, contact = h.soldTo(&p, *in.Accounts)
	}
	shipTo := contactEmail(&p, in.ShipToEmail, contact)
	if len(p) > 0 {
		return badRequest(p)
	}
	_, err := h.st.UpdateEntitlement(old.ID, func(e *state.Entitlement) error {
		if in.Description != nil {
			e.Description = *in.Description
		}
		if in.AllowPortalLogin != nil {
			e.AllowPortalLogin = *in.AllowPortalLogin
		}
		if shipTo != nil {
			e.ShipToEmail = *shipTo
		}
		if in.ShipToAddress != nil {
			e.ShipToAddress = *in.ShipToAddress
		}
		if in.Attributes != nil {
			e.Attributes = attributes(*in.Attributes)
		}
		e.SoldTo = soldTo
		return nil
	})
	if err != nil {
		return h.storeFailure(old.ID, err)
	}
	// A new state reaches the line items too, as SOAP setEntitlementState
	// does: deploying an entitlement deploys what it holds.
	if s, ok := entState(&in); ok && s != old.State {
		if _, err := h.st.SetEntitlementState(old.ID, s); err != nil {
			return h.storeFailure(old.ID, err)
		}
	}
	return http.StatusOK, map[string]string{"status": "SUCCESS", "entitlementId": old.ID}
}

func (h *Handler) addLineItems(ctx context.Context, id string, body []byte) (int, any) {
	ent, ok := h.simple(id)
	if !ok {
		return notFound()
	}
	var in struct {
		LineItems []lineItemIn `json:"lineItems"`
	}
	if status, out, ok := decode(body, &in); !ok {
		return status, out
	}
	var p problems
	taken := map[string]string{}
	items := make([]state.LineItem, len(in.LineItems))
	for i, li := range in.LineItems {
		items[i] = h.lineItem(&p, "/lineItems/"+strconv.Itoa(i), li, ent.State, false, taken)
	}
	if len(p) > 0 {
		return badRequest(p)
	}
	if status, out, ok := h.newActivationIDs(ctx, ent, items, "/lineItems/"); !ok {
		return status, out
	}
	return h.add(ent.ID, items, nil)
}

func (h *Handler) addMaintenance(id string, body []byte) (int, any) {
	ent, ok := h.simple(id)
	if !ok {
		return notFound()
	}
	var in struct {
		MaintenanceLineItems []maintenanceIn `json:"maintenanceLineItems"`
	}
	if status, out, ok := decode(body, &in); !ok {
		return status, out
	}
	var p problems
	taken := map[string]string{}
	items := make([]state.LineItem, len(in.MaintenanceLineItems))
	for i, m := range in.MaintenanceLineItems {
		items[i] = h.maintenance(&p, "/maintenanceLineItems/"+strconv.Itoa(i), m, ent.State, taken)
	}
	return h.add(ent.ID, items, p)
}

// add stores new line items of entitlement id, all or nothing.
func (h *Handler) add(id string, items []state.LineItem, p problems) (int, any) {
	if len(p) > 0 {
		return badRequest(p)
	}
	stored, err := h.st.AddLineItems(id, items)
	if err != nil {
		return h.storeFailure(id, err)
	}
	aids := make([]string, len(stored))
	for i, it := range stored {
		aids[i] = it.ActivationID
	}
	return http.StatusCreated, created{Status: "SUCCESS", EntitlementID: id, ActivationIDs: aids}
}
