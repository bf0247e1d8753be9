package pubservices

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/xmltree"
)

// portalUserRole is the role a registered user gets in its account: the
// standard Portal User role (seed 000 line 59).
const portalUserRole = "Portal User"

// lineItemDetails answers lineitemdetails: the line item of
// Request/ActivationId (lineitemdetails.xsd).
func (h *Handler) lineItemDetails(_ string, req *xmltree.Node) response {
	aid := req.TextOf("ActivationId")
	if aid == "" {
		return failure("ActivationId must not be empty")
	}
	it, err := h.cfg.Store.LineItem(aid)
	if err != nil {
		return failure(reasonOf(err, "ActivationId", "no line item with this activation ID"))
	}
	r := success()
	li := lineItemOf(it, h.soldTo(it.EntitlementID))
	r.LineItem = &li
	return r
}

// soldTo is the sold-to account ID of an entitlement ("" when it has none
// or is gone).
func (h *Handler) soldTo(entitlementID string) string {
	e, err := h.cfg.Store.Entitlement(entitlementID)
	if err != nil {
		return ""
	}
	return e.SoldTo
}

// entitlementDetails answers entitlementdetails: the entitlement of
// Request/EntitlementId with its line items in creation order
// (entitlementdetails.xsd).
func (h *Handler) entitlementDetails(_ string, req *xmltree.Node) response {
	id := req.TextOf("EntitlementId")
	if id == "" {
		return failure("EntitlementId must not be empty")
	}
	e, err := h.cfg.Store.Entitlement(id)
	if err != nil {
		return failure(reasonOf(err, "EntitlementId", "no entitlement with this entitlement ID"))
	}
	x := &entitlement{EntitlementID: e.ID, State: string(e.State), SoldTo: e.SoldTo, ShipToEmail: e.ShipToEmail}
	for _, aid := range e.LineItems {
		// A line item deleted since the entitlement was read is left
		// out rather than failing the whole answer.
		if it, err := h.cfg.Store.LineItem(aid); err == nil {
			x.LineItems = append(x.LineItems, lineItemOf(it, e.SoldTo))
		}
	}
	r := success()
	r.Entitlement = x
	return r
}

// registerUser answers registeruser (registeruser.xsd): it creates the
// user Request/UserId against the line item Request/ActivationId. What
// "against" means is INFERRED (README.md): the user joins the sold-to
// account of the line item's entitlement with the Portal User role, and
// that entitlement is mapped to the user, so the user sees the line item
// (as mapEntitlementsToUser does for a self-registered user).
func (h *Handler) registerUser(principal string, req *xmltree.Node) response {
	aid, userID := req.TextOf("ActivationId"), req.TextOf("UserId")
	first, last := req.TextOf("FirstName"), req.TextOf("LastName")
	for _, f := range []struct{ name, value string }{{"ActivationId", aid}, {"UserId", userID}, {"FirstName", first}} {
		if f.value == "" {
			return failure(f.name + " must not be empty")
		}
	}
	st := h.cfg.Store
	it, err := st.LineItem(aid)
	if err != nil {
		return failure(reasonOf(err, "ActivationId", "no line item with this activation ID"))
	}
	if last == "" {
		// registeruser.xsd makes LastName optional, but the emulator's
		// users (like SOAP createUser's) always have one (README.md,
		// known gaps).
		return failure("LastName: the emulator registers only users with a last name")
	}
	if _, err := st.User(userID); err == nil {
		return failure("UserId: a user with this user ID already exists")
	}
	attrs, why := customAttributes(req)
	if why != "" {
		return failure(why)
	}
	now := h.cfg.Now()
	u := state.User{
		UserName: userID, FirstName: first, LastName: last, DisplayName: first + " " + last,
		Email: req.TextOf("Email"), Street: req.TextOf("Street"), City: req.TextOf("City"),
		State: req.TextOf("State"), Country: req.TextOf("Country"), Zipcode: req.TextOf("ZipCode"),
		Phone: req.TextOf("Phone"), Fax: req.TextOf("Fax"), Locale: req.TextOf("Locale"),
		Timezone: req.TextOf("TimeZone"), OptIn: boolOf(req.TextOf("OptIn")),
		Active: true, CanLogin: true, Attributes: attrs,
		Created: now, Modified: now, CreatedBy: principal, ModifiedBy: principal,
	}
	if acct := h.soldTo(it.EntitlementID); acct != "" {
		u.Accounts = []state.AccountRole{{AccountID: acct, Roles: []string{portalUserRole}}}
	}
	created, err := st.CreateUser(u)
	switch {
	case errors.Is(err, state.ErrExists):
		return failure("UserId: a user with this user ID already exists")
	case err != nil:
		// ErrNotFound: the sold-to account went away meanwhile.
		return failure(reasonOf(err, "ActivationId", "the account of the line item's entitlement is gone"))
	}
	if err := st.MapEntitlementsToUser(created.UserName, []string{it.EntitlementID}); err != nil {
		// Only a concurrent deleteEntitlement gets here.
		return failure("ActivationId: the user was registered but the line item's entitlement is gone")
	}
	r := success()
	r.UserID = created.UserName
	return r
}

// customAttributes reads Request/CustomAttributeList; why names the first
// attribute without a name.
func customAttributes(req *xmltree.Node) ([]state.Attribute, string) {
	list := req.Path("CustomAttributeList").ChildrenNamed("CustomAttribute")
	var out []state.Attribute
	for i, a := range list {
		name := a.TextOf("Name")
		if name == "" {
			return nil, fmt.Sprintf("CustomAttributeList/CustomAttribute[%d]/Name must not be empty", i+1)
		}
		out = append(out, state.Attribute{Name: name, Value: a.TextOf("Value")})
	}
	return out, ""
}

// boolOf reads an xs:boolean the schema has already checked.
func boolOf(s string) bool {
	b, _ := strconv.ParseBool(s)
	return b
}

// mapEntitlement answers mapentitlement (mapentitlement.xsd): it maps the
// entitlement Request/Id to the existing user Request/UserId. Id may also
// be an activation ID, whose entitlement is mapped, as SOAP
// mapEntitlementsToUser accepts (INFERRED for this API). UserOrg, when
// given, must be an account (ID or name) the user belongs to.
func (h *Handler) mapEntitlement(_ string, req *xmltree.Node) response {
	userID, id, org := req.TextOf("UserId"), req.TextOf("Id"), req.TextOf("UserOrg")
	for _, f := range []struct{ name, value string }{{"UserId", userID}, {"Id", id}} {
		if f.value == "" {
			return failure(f.name + " must not be empty")
		}
	}
	st := h.cfg.Store
	u, err := st.User(userID)
	if err != nil {
		return failure(reasonOf(err, "UserId", "no user with this user ID"))
	}
	entID := id
	if _, err := st.Entitlement(id); err != nil {
		it, err := st.LineItem(id)
		if err != nil {
			return failure("Id: no entitlement or line item with this ID")
		}
		entID = it.EntitlementID
	}
	if org != "" {
		a, err := st.Account(org)
		if err != nil {
			return failure(reasonOf(err, "UserOrg", "no account with this ID or name"))
		}
		member := false
		for _, r := range u.Accounts {
			member = member || r.AccountID == a.ID
		}
		if !member {
			return failure("UserOrg: the user does not belong to this account")
		}
	}
	if err := st.MapEntitlementsToUser(u.UserName, []string{entID}); err != nil {
		return failure(reasonOf(err, "Id", "the entitlement could not be mapped"))
	}
	return success()
}

// reasonOf is a FAILURE Reason for a state error: "<field>: <what>" for
// not-found and already-exists errors (what the API's caller can act on),
// the state's own reason (which names fields, never values) otherwise.
func reasonOf(err error, field, what string) string {
	if errors.Is(err, state.ErrNotFound) || errors.Is(err, state.ErrExists) {
		return field + ": " + what
	}
	var se *state.Error
	if errors.As(err, &se) && se.Reason != "" {
		return strings.TrimSpace(se.Reason)
	}
	return field + ": the request could not be carried out"
}
