package dataaccess

import (
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// pdt is the zone of the device and served-device reports: "PDT (UTC-7)"
// (seed 2225), a fixed offset, not America/Los_Angeles.
var pdt = time.FixedZone("PDT", -7*60*60)

// Maximum lengths of the VARCHAR fields (report-types). FNO's own are
// on the vendor's field description page (seed 2450-2458); these are the
// emulator's, and the seed warns that lengths may change (seed 2223).
const (
	lenID    = 255
	lenName  = 255
	lenText  = 4000
	lenEnum  = 40
	lenEmail = 320
)

// reports returns the seven groups in the order of the seed's filter
// table (seed 2419-2436), which report-names follows.
func reports() []report {
	return []report{accountReport(), userReport(), entitlementReport(), deviceReport(),
		servedDeviceReport(), productFeatureReport(), fulfillmentReport()}
}

func col[S any](f Field, get func(*env, *S) value) column[S] { return column[S]{f, get} }

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// ---- account ----

func accountReport() report {
	type A = state.Account
	return &group[A]{id: "account", loc: time.UTC,
		cols: []column[A]{
			col(filterable("accountID", lenID, "Unique ID of the account."), func(_ *env, a *A) value { return str(a.ID) }),
			col(filterable("accountName", lenName, "Display name of the account."), func(_ *env, a *A) value { return str(a.Name) }),
			col(varchar("accountDescription", lenText, "Description of the account."), func(_ *env, a *A) value { return str(a.Description) }),
			col(varchar("accountType", lenEnum, "CUSTOMER, PUBLISHER, CHANNEL_PARTNER or SELF_REGISTERED."), func(_ *env, a *A) value { return str(string(a.Type)) }),
			col(varchar("parentAccountID", lenID, "ID of the parent account, if any."), func(_ *env, a *A) value { return str(a.Parent) }),
			col(boolean("visible", "Whether the account is visible."), func(_ *env, a *A) value { return flag(a.Visible) }),
			col(varchar("address1", lenName, "First line of the street address."), func(_ *env, a *A) value { return str(a.Address.Address1) }),
			col(varchar("address2", lenName, "Second line of the street address."), func(_ *env, a *A) value { return str(a.Address.Address2) }),
			col(varchar("city", lenName, "City."), func(_ *env, a *A) value { return str(a.Address.City) }),
			col(varchar("state", lenName, "State or province."), func(_ *env, a *A) value { return str(a.Address.State) }),
			col(varchar("postalCode", lenEnum, "Postal code."), func(_ *env, a *A) value { return str(a.Address.Zipcode) }),
			col(varchar("country", lenEnum, "Country code."), func(_ *env, a *A) value { return str(a.Address.Country) }),
			col(varchar("region", lenEnum, "Region."), func(_ *env, a *A) value { return str(a.Address.Region) }),
			col(timestamp("createdDate", "When the account was created (UTC)."), func(_ *env, a *A) value { return stamp(a.Created) }),
			col(timestamp("lastModified", "When the account last changed (UTC); the report's period applies to it."), func(_ *env, a *A) value { return stamp(a.Modified) }),
		},
		sources: func(e *env, w window, _ []filter) ([]A, error) {
			all, err := e.st.Accounts(state.AccountQuery{}, state.Page{})
			if err != nil {
				return nil, err
			}
			out := all[:0]
			for _, a := range all {
				if w.contains(a.Modified) {
					out = append(out, a)
				}
			}
			return out, nil
		},
	}
}

// ---- user ----

// userRow is a user in one of its accounts (role < 0: a user of none).
type userRow struct {
	u    *state.User
	role int
}

func (r *userRow) account() *state.AccountRole {
	if r.role < 0 {
		return nil
	}
	return &r.u.Accounts[r.role]
}

func userReport() report {
	type U = userRow
	return &group[U]{id: "user", loc: time.UTC,
		cols: []column[U]{
			col(filterable("userName", lenEmail, "Login name of the user."), func(_ *env, r *U) value { return str(r.u.UserName) }),
			col(filterable("displayName", lenName, "Display name of the user."), func(_ *env, r *U) value { return str(r.u.DisplayName) }),
			col(filterable("email", lenEmail, "E-mail address of the user."), func(_ *env, r *U) value { return str(r.u.Email) }),
			col(varchar("firstName", lenName, "First name."), func(_ *env, r *U) value { return str(r.u.FirstName) }),
			col(varchar("lastName", lenName, "Last name."), func(_ *env, r *U) value { return str(r.u.LastName) }),
			col(varchar("phone", lenEnum, "Phone number."), func(_ *env, r *U) value { return str(r.u.Phone) }),
			col(filterable("accountID", lenID, "ID of the account of this record; a user of several accounts has one record per account."), func(_ *env, r *U) value {
				if a := r.account(); a != nil {
					return str(a.AccountID)
				}
				return value{}
			}),
			col(filterable("accountName", lenName, "Name of the account of this record."), func(e *env, r *U) value {
				if a := r.account(); a != nil {
					return str(e.accountName(a.AccountID))
				}
				return value{}
			}),
			col(varchar("roles", lenText, "The user's roles in the account, comma-separated."), func(_ *env, r *U) value {
				if a := r.account(); a != nil {
					return str(strings.Join(a.Roles, ","))
				}
				return value{}
			}),
			col(boolean("active", "Whether the user is active."), func(_ *env, r *U) value { return flag(r.u.Active) }),
			col(boolean("canLogin", "Whether the user may log in."), func(_ *env, r *U) value { return flag(r.u.CanLogin) }),
			col(varchar("locale", lenEnum, "Locale."), func(_ *env, r *U) value { return str(r.u.Locale) }),
			col(varchar("timezone", lenEnum, "Time zone."), func(_ *env, r *U) value { return str(r.u.Timezone) }),
			col(timestamp("lastLoginDate", "Last login (UTC)."), func(_ *env, r *U) value { return stamp(r.u.LastLogin) }),
			col(timestamp("createdDate", "When the user was created (UTC)."), func(_ *env, r *U) value { return stamp(r.u.Created) }),
			col(timestamp("lastModified", "When the user last changed (UTC); the report's period applies to it."), func(_ *env, r *U) value { return stamp(r.u.Modified) }),
		},
		sources: func(e *env, w window, _ []filter) ([]U, error) {
			all, err := e.st.Users(state.UserQuery{}, state.Page{})
			if err != nil {
				return nil, err
			}
			var out []U
			for i := range all {
				u := &all[i]
				if !w.contains(u.Modified) {
					continue
				}
				if len(u.Accounts) == 0 {
					out = append(out, U{u, -1})
				}
				for k := range u.Accounts {
					out = append(out, U{u, k})
				}
			}
			return out, nil
		},
	}
}

// ---- entitlement ----

// entRow is a line item with its entitlement.
type entRow struct {
	it  *state.LineItem
	en  *state.Entitlement
	mod time.Time
}

func entitlementReport() report {
	type R = entRow
	return &group[R]{id: "entitlement", loc: time.UTC,
		cols: []column[R]{
			col(filterable("entitlementID", lenID, "ID of the entitlement."), func(_ *env, r *R) value { return str(r.en.ID) }),
			col(filterable("activationID", lenID, "Activation ID of the line item; one record per line item."), func(_ *env, r *R) value { return str(r.it.ActivationID) }),
			col(varchar("entitlementState", lenEnum, "State of the entitlement."), func(_ *env, r *R) value { return str(string(r.en.State)) }),
			col(varchar("lineItemState", lenEnum, "State of the line item."), func(_ *env, r *R) value { return str(string(r.it.State)) }),
			col(filterable("productName", lenName, "Product of the line item."), func(_ *env, r *R) value { return str(r.it.Product.Name) }),
			col(varchar("productVersion", lenName, "Version of the product."), func(_ *env, r *R) value { return str(r.it.Product.Version) }),
			col(filterable("partNumber", lenName, "Part number of the line item."), func(_ *env, r *R) value { return str(r.it.PartNumber) }),
			col(varchar("licenseModel", lenName, "License model of the line item."), func(_ *env, r *R) value { return str(r.it.LicenseModel) }),
			col(varchar("orderID", lenID, "Order ID."), func(_ *env, r *R) value { return str(r.it.OrderID) }),
			col(varchar("orderLineNumber", lenEnum, "Order line number."), func(_ *env, r *R) value { return str(r.it.OrderLineNumber) }),
			col(number("numberOfCopies", "Copies entitled."), func(_ *env, r *R) value { return num(r.it.Copies) }),
			col(number("fulfilledAmount", "Copies consumed by fulfilments and devices."), func(_ *env, r *R) value { return num(r.it.Fulfilled) }),
			col(number("remainingCopies", "Copies left."), func(_ *env, r *R) value { return num(r.it.Remaining()) }),
			col(timestamp("startDate", "Start of the line item (UTC)."), func(_ *env, r *R) value { return stamp(r.it.Start) }),
			col(timestamp("expirationDate", "Expiry of the line item (UTC); null when permanent."), func(_ *env, r *R) value { return stamp(r.it.Expiration) }),
			col(boolean("permanent", "Whether the line item never expires."), func(_ *env, r *R) value { return flag(r.it.Permanent) }),
			col(filterable("accountID", lenID, "ID of the sold-to account."), func(_ *env, r *R) value { return str(r.en.SoldTo) }),
			col(filterable("accountName", lenName, "Name of the sold-to account."), func(e *env, r *R) value { return str(e.accountName(r.en.SoldTo)) }),
			col(varchar("shipToEmail", lenEmail, "Ship-to e-mail address of the entitlement."), func(_ *env, r *R) value { return str(r.en.ShipToEmail) }),
			col(timestamp("createdDate", "When the line item was created (UTC)."), func(_ *env, r *R) value { return stamp(r.it.Created) }),
			col(timestamp("lastModified", "When the line item or its entitlement last changed (UTC); the report's period applies to it."), func(_ *env, r *R) value { return stamp(r.mod) }),
		},
		sources: func(e *env, w window, _ []filter) ([]R, error) {
			all, err := e.st.LineItems(state.LineItemQuery{}, state.Page{})
			if err != nil {
				return nil, err
			}
			var out []R
			for i := range all {
				it := &all[i]
				en := e.entitlement(it.EntitlementID)
				if en == nil {
					continue // deleted while the items were read
				}
				if mod := later(it.Modified, en.Modified); w.contains(mod) {
					out = append(out, R{it, en, mod})
				}
			}
			return out, nil
		},
	}
}

// ---- device ----

// devRow is a client or server with one of its add-ons (addOn < 0: none).
type devRow struct {
	d     *state.Device
	addOn int
}

func (r *devRow) activationID() string {
	if r.addOn < 0 {
		return ""
	}
	return r.d.AddOns[r.addOn].ActivationID
}

// pushdown narrows a device query with the filters the store's device
// search evaluates exactly as the report does (state.Match on the same
// text): a non-empty $eq, $sw, $ew or $con. The rows are filtered again,
// so this only saves work; an empty value is not pushed, because a device
// without an account has "" there. Only the account criteria are pushed:
// they keep the store's creation order, where a deviceId or alias
// criterion would drive an index and change the order of the pages.
func pushdown(fs []filter, set map[string]*state.Match) {
	for _, f := range fs {
		if m, ok := set[f.name]; ok && f.op != opIn && f.m.Value != "" {
			*m = f.m
		}
	}
}

func deviceQuery(fs []filter, classes ...state.DeviceClass) state.DeviceQuery {
	q := state.DeviceQuery{Classes: classes}
	pushdown(fs, map[string]*state.Match{
		"accountID": &q.SoldToAcctID, "accountName": &q.SoldTo,
	})
	return q
}

// deviceBatch is how many devices one store query returns: big enough
// that re-scanning the skipped ones costs little, small enough that a
// million-device store is never copied at once.
const deviceBatch = 16384

// devicesIn returns the devices of q changed in w, in the store's order.
// The store is read in batches and only the period's devices are kept, so
// a report's memory follows its period, not the store's size.
func devicesIn(e *env, q state.DeviceQuery, w window) ([]state.Device, error) {
	st := e.st
	var out []state.Device
	// Devices created while the batches are read are after the period's
	// end (w.to is at most the as-of moment), so the bound loses nothing.
	batches := st.Counts().Devices/deviceBatch + 2
	for n := 1; n <= batches; n++ {
		if err := e.ctx.Err(); err != nil {
			return nil, err
		}
		ds, err := st.Devices(q, state.Page{Number: n, Size: deviceBatch})
		if err != nil {
			return nil, err
		}
		for i := range ds {
			if w.contains(ds[i].Modified) {
				out = append(out, ds[i])
			}
		}
		if len(ds) < deviceBatch {
			break
		}
	}
	return out, nil
}

func pdtTime(t time.Time) value { return stamp(t.In(pdt)) }

func deviceReport() report {
	type R = devRow
	item := func(e *env, r *R) *state.LineItem { return e.lineItem(r.activationID()) }
	return &group[R]{id: "device", loc: pdt,
		cols: []column[R]{
			col(filterable("deviceID", lenID, "Host ID of the client or server; one record per add-on line item."), func(_ *env, r *R) value { return str(r.d.DeviceID) }),
			col(filterable("deviceName", lenName, "Name (alias) of the device."), func(_ *env, r *R) value { return str(r.d.Alias) }),
			col(varchar("deviceIDType", lenEnum, "How the host ID is read (ETHERNET, STRING, ...)."), func(_ *env, r *R) value { return str(string(r.d.IDType)) }),
			col(varchar("deviceClass", lenEnum, "CLIENT or SERVER."), func(_ *env, r *R) value { return str(string(r.d.Class)) }),
			col(varchar("hostType", lenName, "Host type."), func(_ *env, r *R) value { return str(r.d.HostType) }),
			col(varchar("deviceStatus", lenEnum, "ACTIVE, OBSOLETE, RETURNED or TEST."), func(_ *env, r *R) value { return str(string(r.d.Status)) }),
			col(filterable("accountID", lenID, "ID of the device's account."), func(_ *env, r *R) value { return str(r.d.SoldTo) }),
			col(filterable("accountName", lenName, "Name of the device's account."), func(e *env, r *R) value { return str(e.accountName(r.d.SoldTo)) }),
			col(filterable("siteName", lenName, "Site of the device."), func(_ *env, r *R) value { return str(r.d.SiteName) }),
			col(filterable("deviceUserEmail", lenEmail, "User of the device."), func(_ *env, r *R) value { return str(r.d.User) }),
			col(varchar("publisherName", lenName, "Publisher identity of the device."), func(_ *env, r *R) value { return str(r.d.Publisher) }),
			col(varchar("machineType", lenEnum, "PHYSICAL, VIRTUAL or UNKNOWN."), func(_ *env, r *R) value { return str(r.d.MachineType) }),
			col(varchar("deployment", lenEnum, "LOCAL, or CLOUD for a hosted server."), func(_ *env, r *R) value { return str(r.d.Deployment) }),
			col(filterable("entitlementID", lenID, "Entitlement of the add-on line item."), func(e *env, r *R) value {
				if it := item(e, r); it != nil {
					return str(it.EntitlementID)
				}
				return value{}
			}),
			col(filterable("activationID", lenID, "Activation ID of the add-on line item."), func(_ *env, r *R) value { return str(r.activationID()) }),
			col(filterable("productName", lenName, "Product of the add-on line item."), func(e *env, r *R) value {
				if it := item(e, r); it != nil {
					return str(it.Product.Name)
				}
				return value{}
			}),
			col(varchar("productVersion", lenName, "Version of that product."), func(e *env, r *R) value {
				if it := item(e, r); it != nil {
					return str(it.Product.Version)
				}
				return value{}
			}),
			col(filterable("partNumber", lenName, "Part number of the add-on line item."), func(e *env, r *R) value {
				if it := item(e, r); it != nil {
					return str(it.PartNumber)
				}
				return value{}
			}),
			col(number("addOnCount", "Copies of the add-on line item on the device; null without an add-on."), func(_ *env, r *R) value {
				if r.addOn < 0 {
					return value{}
				}
				return num(r.d.AddOns[r.addOn].Count)
			}),
			col(timestamp("createdDate", "When the device was created (PDT, UTC-7)."), func(_ *env, r *R) value { return pdtTime(r.d.Created) }),
			col(timestamp("lastModified", "When the device last changed (PDT, UTC-7); the report's period applies to it."), func(_ *env, r *R) value { return pdtTime(r.d.Modified) }),
			col(timestamp("lastSyncDate", "Last synchronisation (PDT, UTC-7)."), func(_ *env, r *R) value { return pdtTime(r.d.LastSync) }),
		},
		sources: func(e *env, w window, fs []filter) ([]R, error) {
			all, err := devicesIn(e, deviceQuery(fs, state.Client, state.Server), w)
			if err != nil {
				return nil, err
			}
			var out []R
			for i := range all {
				d := &all[i]
				if len(d.AddOns) == 0 {
					out = append(out, R{d, -1})
				}
				for k := range d.AddOns {
					out = append(out, R{d, k})
				}
			}
			return out, nil
		},
	}
}

// ---- served-device ----

func servedDeviceReport() report {
	type D = state.Device
	return &group[D]{id: "served-device", loc: pdt,
		cols: []column[D]{
			col(filterable("servedClientHostID", lenID, "Host ID of the served client."), func(_ *env, d *D) value { return str(d.DeviceID) }),
			col(varchar("servedClientName", lenName, "Name (alias) of the served client."), func(_ *env, d *D) value { return str(d.Alias) }),
			col(varchar("deviceIDType", lenEnum, "How the host ID is read."), func(_ *env, d *D) value { return str(string(d.IDType)) }),
			col(varchar("hostType", lenName, "Host type."), func(_ *env, d *D) value { return str(d.HostType) }),
			col(varchar("servedStatus", lenEnum, "NORMAL, RETURNED, EXPIRED or DROPPED."), func(_ *env, d *D) value { return str(string(d.Served)) }),
			col(varchar("deviceStatus", lenEnum, "ACTIVE, OBSOLETE, RETURNED or TEST."), func(_ *env, d *D) value { return str(string(d.Status)) }),
			col(varchar("serverHostID", lenID, "Host ID of the license server serving the client."), func(_ *env, d *D) value { return str(d.Parent.DeviceID) }),
			col(filterable("accountID", lenID, "ID of the served client's account."), func(_ *env, d *D) value { return str(d.SoldTo) }),
			col(filterable("accountName", lenName, "Name of the served client's account."), func(e *env, d *D) value { return str(e.accountName(d.SoldTo)) }),
			col(filterable("siteName", lenName, "Site of the served client."), func(_ *env, d *D) value { return str(d.SiteName) }),
			col(varchar("deviceUserEmail", lenEmail, "User of the served client."), func(_ *env, d *D) value { return str(d.User) }),
			col(timestamp("createdDate", "When the served client was created (PDT, UTC-7)."), func(_ *env, d *D) value { return pdtTime(d.Created) }),
			col(timestamp("lastModified", "When the served client last changed (PDT, UTC-7); the report's period applies to it."), func(_ *env, d *D) value { return pdtTime(d.Modified) }),
			col(timestamp("lastSyncDate", "Last synchronisation (PDT, UTC-7)."), func(_ *env, d *D) value { return pdtTime(d.LastSync) }),
			col(timestamp("lastRequestDate", "Last capability request (PDT, UTC-7)."), func(_ *env, d *D) value { return pdtTime(d.LastRequest) }),
		},
		sources: func(e *env, w window, fs []filter) ([]D, error) {
			return devicesIn(e, deviceQuery(fs, state.ServedClient), w)
		},
	}
}

// ---- product-feature ----

// pfRow is a product with one of its features (feature < 0: none).
type pfRow struct {
	p       *state.Product
	feature int
}

func (r *pfRow) f() *state.FeatureCount {
	if r.feature < 0 {
		return nil
	}
	return &r.p.Features[r.feature]
}

func productFeatureReport() report {
	type R = pfRow
	return &group[R]{id: "product-feature", loc: time.UTC,
		cols: []column[R]{
			col(filterable("productName", lenName, "Name of the product; one record per feature of the product."), func(_ *env, r *R) value { return str(r.p.Name) }),
			col(filterable("productVersion", lenName, "Version of the product."), func(_ *env, r *R) value { return str(r.p.Version) }),
			col(varchar("productDescription", lenText, "Description of the product."), func(_ *env, r *R) value { return str(r.p.Description) }),
			col(varchar("productLine", lenName, "Product line."), func(_ *env, r *R) value { return str(r.p.ProductLine) }),
			col(varchar("productType", lenEnum, "LICENSED_PRODUCT, SUITE or MAINTENANCE."), func(_ *env, r *R) value {
				// The SOAP contracts spell it MAINTENENACE; a report is no contract of theirs.
				if r.p.Type == "MAINTENENACE" {
					return str("MAINTENANCE")
				}
				return str(r.p.Type)
			}),
			col(varchar("productState", lenEnum, "State of the product."), func(_ *env, r *R) value { return str(string(r.p.State)) }),
			col(varchar("licenseTechnology", lenName, "License technology of the product."), func(_ *env, r *R) value { return str(r.p.Technology) }),
			col(filterable("featureName", lenName, "Name of the feature."), func(_ *env, r *R) value {
				if f := r.f(); f != nil {
					return str(f.Name)
				}
				return value{}
			}),
			col(filterable("featureVersion", lenName, "Version of the feature."), func(_ *env, r *R) value {
				if f := r.f(); f != nil {
					return str(f.Version)
				}
				return value{}
			}),
			col(number("featureCount", "Count of the feature in the product."), func(_ *env, r *R) value {
				if f := r.f(); f != nil {
					return num(f.Count)
				}
				return value{}
			}),
			col(timestamp("createdDate", "When the product was created (UTC)."), func(_ *env, r *R) value { return stamp(r.p.Created) }),
			col(timestamp("lastModified", "When the product last changed (UTC); the report's period applies to it."), func(_ *env, r *R) value { return stamp(r.p.Modified) }),
		},
		sources: func(e *env, w window, _ []filter) ([]R, error) {
			all, err := e.st.Products(state.ProductQuery{}, state.Page{})
			if err != nil {
				return nil, err
			}
			var out []R
			for i := range all {
				p := &all[i]
				if !w.contains(p.Modified) {
					continue
				}
				if len(p.Features) == 0 {
					out = append(out, R{p, -1})
				}
				for k := range p.Features {
					out = append(out, R{p, k})
				}
			}
			return out, nil
		},
	}
}

// ---- fulfillment ----

func fulfillmentReport() report {
	type F = state.Fulfillment
	return &group[F]{id: "fulfillment", loc: time.UTC,
		cols: []column[F]{
			col(filterable("fulfillmentID", lenID, "ID of the fulfilment."), func(_ *env, f *F) value { return str(f.ID) }),
			col(filterable("activationID", lenID, "Activation ID of the line item fulfilled."), func(_ *env, f *F) value { return str(f.ActivationID) }),
			col(varchar("entitlementID", lenID, "Entitlement of the line item."), func(_ *env, f *F) value { return str(f.EntitlementID) }),
			col(filterable("productName", lenName, "Product fulfilled."), func(_ *env, f *F) value { return str(f.Product.Name) }),
			col(varchar("productVersion", lenName, "Version of the product."), func(_ *env, f *F) value { return str(f.Product.Version) }),
			col(filterable("partNumber", lenName, "Part number of the line item."), func(e *env, f *F) value {
				if it := e.lineItem(f.ActivationID); it != nil {
					return str(it.PartNumber)
				}
				return value{}
			}),
			col(filterable("accountID", lenID, "ID of the sold-to account."), func(_ *env, f *F) value { return str(f.SoldTo) }),
			col(filterable("accountName", lenName, "Name of the sold-to account."), func(e *env, f *F) value { return str(e.accountName(f.SoldTo)) }),
			col(filterable("hostEntityID", lenID, "Host ID the licence is for."), func(_ *env, f *F) value { return str(f.HostID) }),
			col(varchar("hostType", lenName, "Host type."), func(_ *env, f *F) value { return str(f.HostType) }),
			col(varchar("fulfillmentType", lenName, "Type of the fulfilment."), func(_ *env, f *F) value { return str(f.Type) }),
			col(varchar("fulfillmentState", lenEnum, "State of the fulfilment."), func(_ *env, f *F) value { return str(string(f.State)) }),
			col(varchar("supportAction", lenEnum, "MASTER, REHOST, RETURN, REPAIR, ..."), func(_ *env, f *F) value { return str(f.SupportAction) }),
			col(varchar("licenseTechnology", lenName, "License technology."), func(_ *env, f *F) value { return str(f.LicenseTechnology) }),
			col(varchar("fulfillmentSource", lenEnum, "ONLINE or APPLICATION."), func(_ *env, f *F) value { return str(f.Source) }),
			col(varchar("activationType", lenEnum, "PROGRAMMATIC, MANUAL, ..."), func(_ *env, f *F) value { return str(f.ActivationType) }),
			col(number("fulfilledCount", "Copies the fulfilment consumes."), func(_ *env, f *F) value { return num(f.Count) }),
			col(number("overdraftCount", "Overdraft copies."), func(_ *env, f *F) value { return num(f.Overdraft) }),
			col(timestamp("startDate", "Start of the licence (UTC)."), func(_ *env, f *F) value { return stamp(f.Start) }),
			col(timestamp("expirationDate", "Expiry of the licence (UTC); null when permanent."), func(_ *env, f *F) value { return stamp(f.Expiration) }),
			col(boolean("permanent", "Whether the licence never expires."), func(_ *env, f *F) value { return flag(f.Permanent) }),
			col(timestamp("fulfillDate", "When the licence was generated (UTC)."), func(_ *env, f *F) value { return stamp(f.FulfillDate) }),
			col(timestamp("lastModified", "When the fulfilment last changed (UTC); the report's period applies to it."), func(_ *env, f *F) value { return stamp(f.Modified) }),
		},
		sources: func(e *env, w window, _ []filter) ([]F, error) {
			all, err := e.st.Fulfillments(state.FulfillmentQuery{}, state.Page{})
			if err != nil {
				return nil, err
			}
			out := all[:0]
			for _, f := range all {
				if w.contains(f.Modified) {
					out = append(out, f)
				}
			}
			return out, nil
		},
	}
}
