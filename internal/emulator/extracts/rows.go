package extracts

import (
	"slices"
	"strconv"
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// The header rows, as extracts.yaml lists them (x-fnokit-csv-columns) from
// the seed's samples. Custom attribute columns follow where the seed puts
// them; the state has no license model attributes (LM[...]), product
// custom attributes or suites of products, so those optional columns are
// never written.
var (
	fulfillmentColumns = []string{"FulfillmentID", "Status", "ParentFulfillmentID", "ActivationID", "FulfillmentDate",
		"FulfillCount", "OverdraftCount", "ExpirationDate", "ShipToEmail", "CreatedBy", "LicenseModel", "FulfillmentSource",
		"LifecycleAction", "HostEntityID", "HostUserId", "IsServer", "Redundant", "Trusted", "IsNodelocked", "IsCustom"}
	deviceColumns = []string{"DeviceID", "Type", "IDType", "BackupDeviceID", "Alias", "DeviceSeries", "PublisherName",
		"DeviceAccountID", "DeviceAccountName", "Status", "DeviceUserEmail", "BaseProduct", "SiteName", "Notes",
		"ActivationID", "LicenseOwnerID", "LicenseOwnerName", "ProductName", "ProductVersion", "QtyOnDevice",
		"LicenseStatus", "LicenseModel1", "LicenseModel2", "LicenseModel3", "IsPermanent", "ExpirationDate"}
	servedDeviceColumns = []string{"ServedClientHostID", "ServerHostID", "Alias", "SiteName", "Notes", "DeviceUser",
		"Status", "AccountID", "AccountName", "DeviceAccountName", "LastSyncTime", "FeatureName", "FeatureVersion",
		"Quantity", "Overage", "ExpirationDate"}
	userColumns = []string{"FirstName", "LastName", "EmailAddress", "UserName", "Role", "Status", "AccountID",
		"AccountName", "SharedLogin", "PortalLogin", "Street", "City", "State", "ZipCode", "Country", "TimeZone", "Locale",
		"PhoneNumber", "FaxNumber", "ReceiveEmail", "RecieveExpiringEmails", "SelfRegisteredUser", "CreateDate",
		"LastLoginDate", "Type", "ExpiryDate"}
	accountColumns = []string{"AccountID", "AccountName", "AccountType", "ParentAccount", "Address1", "Address2", "City",
		"State", "PostalCode", "Country", "Visible", "Region", "AccountDescription"}
	usageColumns = []string{"Account", "Product", "Feature", "Transaction Time", "Received Time", "Count",
		"Acquisition ID", "Consumer ID", "Device ID", "Server ID"}
	entitlementColumns = []string{"EntitlementID", "EntitlementState", "EntitlementDescription", "AllowPortalLogin",
		"ShipToEmail", "Address",
		"End Customer|Account", "End Customer|AccountName", "End Customer|UserName", "End Customer|UserFirstName",
		"End Customer|UserLastName", "End Customer|UserEmail", "End Customer|UserPhone",
		"CurrentOwner", "ActivationId", "ActivationState", "LineItemQuantity", "OrderLineNumber", "OrderId",
		"StartDateType", "StartDate", "IsActivationPermanent", "EndDate", "EndDurationUnits", "EndDuration",
		"VersionDateType", "VersionDate", "VersionDurationUnits", "VersionDuration", "OrderType", "OrderParent",
		"LineItemDescription", "ProductName", "ProductVersion", "ProductType", "ProductCount", "PartNumber", "LicenseModel"}
	maintenanceColumns = []string{"EntitlementID", "EntitlementState", "EntitlementDescription", "AllowPortalLogin",
		"ShipToEmail", "Address", "ActivationId", "LineItemLink", "ActivationState", "ProductName", "ProductVersion",
		"PartNumber", "OrderLineNumber", "OrderId", "StartDate", "IsActivationPermanent", "EndDate"}
	productColumns = []string{"ProductName", "OrderableType", "Description", "Version", "State", "PackageName",
		"PackageVersion", "PackageVersionFormat", "LicenseTechnologyName", "UsedOnaDevice", "UsageModel",
		"LicenseGenerator", "FnpVersion", "AllowDownloadObsoleteFrInPortal", "AllowDownloadObsoleteFrInAdmin", "StartDate",
		"EndDate", "Product Line", "AllowUpgrades", "AllowUpsells", "AllowRenewals", "UpgradeEmailTemplate",
		"Feature|Bundle Name", "FeatureType", "FeatureVersion", "FeatureCount", "FeatureDescription", "FeatureState"}
	productModelColumns    = []string{"ProductName", "LicenseModel", "DefaultTransactionKey", "VirtualTransactionKey"}
	productPartColumns     = []string{"ProductName", "ProductVersion", "PartNumber", "PartNumberDescription", "AvailableForTrial", "RelativeLicenseModel"}
	productRelationColumns = []string{"ProductName", "ProductVersion", "ProductType", "RelationshipType",
		"RelatedProductName", "RelatedProductVersion", "RelatedProductType"}
	deviceUpdateColumns = []string{"DeviceID", "DeviceName", "AccountID", "AccountName", "UpdateID", "UpdateName",
		"UpdateStatus", "UpdateStatusReason", "LastActivityDate", "Language", "Platform", "ReleaseTo"}
	updateColumns = []string{"Update Name", "Update ID", "Status", "StartDate", "EndDate", "Description",
		"entitlementCheck", "UpdateFromPkgID", "UpdateToPkgID", "Platforms", "LanguageName", "LangTitle", "LangDescription"}
)

// pageSize is how many records one read of the state takes. The state
// pages by skipping from the start, so reading n records costs n²/(2 ×
// pageSize) visits: large pages keep that small for a million devices,
// while a page of copies stays a few megabytes.
const pageSize = 10000

// maxPages bounds a paged read (pageSize × maxPages records).
const maxPages = 1 << 20

// each reads every record fetch gives, page by page, until a short page.
func each[T any](fetch func(state.Page) ([]T, error), fn func(*T) error) error {
	for n := 1; n <= maxPages; n++ {
		batch, err := fetch(state.Page{Number: n, Size: pageSize})
		if err != nil {
			return err
		}
		for i := range batch {
			if err := fn(&batch[i]); err != nil {
				return err
			}
		}
		if len(batch) < pageSize {
			return nil
		}
	}
	return nil
}

// builder builds the files of one run: the state, the window, and lookups
// cached for the run (nil entries remember records that are gone).
type builder struct {
	st        *state.Store
	w         window
	acctCache map[string]*state.Account
	userCache map[string]*state.User
	itemCache map[string]*state.LineItem
	entCache  map[string]*state.Entitlement
	prodCache map[state.ProductKey]*state.Product
	features  map[[2]string]state.Feature

	inWindowEnts     []entWithItems // ENTITLEMENT: computed once for both files
	inWindowEntsDone bool
	inWindowProds    []state.Product // PRODUCTS: computed once for three files
	inWindowProdDone bool
}

type entWithItems struct {
	ent   state.Entitlement
	items []state.LineItem
}

func newBuilder(st *state.Store, w window) *builder {
	return &builder{st: st, w: w, acctCache: map[string]*state.Account{}, userCache: map[string]*state.User{},
		itemCache: map[string]*state.LineItem{}, entCache: map[string]*state.Entitlement{},
		prodCache: map[state.ProductKey]*state.Product{}}
}

func cached[K comparable, V any](m map[K]*V, k K, load func(K) (V, error)) *V {
	if v, ok := m[k]; ok {
		return v
	}
	var p *V
	if v, err := load(k); err == nil {
		p = &v
	}
	m[k] = p
	return p
}

func (b *builder) account(id string) *state.Account {
	if id == "" {
		return nil
	}
	return cached(b.acctCache, id, b.st.Account)
}

func (b *builder) accountName(id string) string {
	if a := b.account(id); a != nil {
		return a.Name
	}
	return ""
}

func (b *builder) item(aid string) *state.LineItem { return cached(b.itemCache, aid, b.st.LineItem) }

func (b *builder) entitlement(id string) *state.Entitlement {
	return cached(b.entCache, id, b.st.Entitlement)
}

func (b *builder) product(k state.ProductKey) *state.Product {
	return cached(b.prodCache, k, b.st.Product)
}

func (b *builder) feature(name, version string) (state.Feature, bool) {
	if b.features == nil {
		b.features = map[[2]string]state.Feature{}
		for _, f := range b.st.Features(state.FeatureQuery{}, state.Page{}) {
			b.features[[2]string{f.Name, f.Version}] = f
		}
	}
	f, ok := b.features[[2]string{name, version}]
	return f, ok
}

// attrNames returns the sorted attribute names of a kind of record, the
// tenant's custom attribute definitions as far as the state knows them.
func attrNames(seen map[string]bool) []string {
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// attrCells sets the custom attribute cells of row (from off) by name.
func attrCells(row []string, off int, names []string, attrs []state.Attribute) {
	for i, n := range names {
		row[off+i] = ""
		for _, a := range attrs {
			if a.Name == n {
				row[off+i] = a.Value
				break
			}
		}
	}
}

func withCA(cols []string, kind string, names []string) []string {
	out := slices.Clone(cols)
	for _, n := range names {
		out = append(out, "CA["+kind+"|"+n+"]")
	}
	return out
}

// fulfillments writes the Fulfillment Data Extract (seed 001 lines
// 3403-3457): one host per fulfilment in the state, so one row each.
func (b *builder) fulfillments(w *csvOut) error {
	if err := w.row(fulfillmentColumns); err != nil {
		return err
	}
	row := make([]string, len(fulfillmentColumns))
	return each(func(p state.Page) ([]state.Fulfillment, error) {
		return b.st.Fulfillments(state.FulfillmentQuery{}, p)
	}, func(f *state.Fulfillment) error {
		if !b.w.touched(f.FulfillDate, f.Modified) {
			return nil
		}
		var ship, model string
		var trusted bool
		if e := b.entitlement(f.EntitlementID); e != nil {
			ship = e.ShipToEmail
		}
		if it := b.item(f.ActivationID); it != nil {
			model, trusted = it.LicenseModel, it.Trusted
		}
		exp := "null"
		if !f.Permanent && !f.Expiration.IsZero() {
			exp = ts(f.Expiration)
		}
		action := f.SupportAction
		if action == "MASTER" {
			action = ""
		}
		row[0], row[1], row[2], row[3] = f.ID, stateConst(f.State), orNull(f.Parent), f.ActivationID
		row[4], row[5], row[6], row[7] = ts(f.FulfillDate), strconv.Itoa(f.Count), strconv.Itoa(f.Overdraft), exp
		row[8], row[9], row[10] = orNull(ship), orNull(f.User), model
		row[11] = "bo.constants.fulfillmentSource." + strings.ToLower(f.Source)
		row[12], row[13], row[14] = orNull(action), f.HostID, "null"
		row[15] = trueFalse(strings.Contains(strings.ToUpper(f.HostType), "SERVER"))
		row[16], row[17] = "false", trueFalse(trusted)
		row[18] = trueFalse(f.HostType == "NODELOCKED" || strings.Contains(strings.ToLower(model), "nodelocked"))
		row[19] = "false"
		return w.row(row)
	})
}

// devices writes the Device Data Extract (seed 001 lines 3459-3535) of
// clients and license servers: one row per add-on (activation ID; its line
// item has one product), the device details on the first only.
func (b *builder) devices(w *csvOut) error {
	if err := w.row(deviceColumns); err != nil {
		return err
	}
	row := make([]string, len(deviceColumns))
	q := state.DeviceQuery{Classes: []state.DeviceClass{state.Client, state.Server}}
	return each(func(p state.Page) ([]state.Device, error) { return b.st.Devices(q, p) }, func(d *state.Device) error {
		if !b.w.touched(d.Created, d.Modified) {
			return nil
		}
		clear(row)
		row[0], row[1], row[2], row[4] = d.DeviceID, string(d.Class), string(d.IDType), d.Alias
		row[5], row[6], row[7], row[8] = d.HostType, d.Publisher, d.SoldTo, b.accountName(d.SoldTo)
		row[9], row[10], row[12], row[13] = string(d.Status), d.User, d.SiteName, d.Description
		if len(d.AddOns) == 0 {
			return w.row(row)
		}
		for i, a := range d.AddOns {
			if i > 0 {
				clear(row[1:])
			}
			row[14], row[19] = a.ActivationID, strconv.Itoa(a.Count)
			if a.Count > 0 {
				row[20] = "LICENSE_GENERATED"
			}
			exp := a.ExpirationOverride
			if it := b.item(a.ActivationID); it != nil {
				if e := b.entitlement(it.EntitlementID); e != nil {
					row[15], row[16] = e.SoldTo, b.accountName(e.SoldTo)
				}
				row[17], row[18], row[21] = it.Product.Name, it.Product.Version, it.LicenseModel
				row[24] = pick(it.Permanent, "YES", "NO")
				if exp.IsZero() && !it.Permanent {
					exp = it.Expiration
				}
			}
			row[25] = ts(exp)
			if err := w.row(row); err != nil {
				return err
			}
		}
		return nil
	})
}

// servedDevices writes the Served Device Data Extract (seed 001 lines
// 3537-3583): one row per feature the client's add-ons give it, the
// device details on the first only; a client without any gets one row.
func (b *builder) servedDevices(w *csvOut) error {
	if err := w.row(servedDeviceColumns); err != nil {
		return err
	}
	row := make([]string, len(servedDeviceColumns))
	q := state.DeviceQuery{Classes: []state.DeviceClass{state.ServedClient}}
	return each(func(p state.Page) ([]state.Device, error) { return b.st.Devices(q, p) }, func(d *state.Device) error {
		if !b.w.touched(d.Created, d.Modified) {
			return nil
		}
		clear(row)
		name := b.accountName(d.SoldTo)
		row[0], row[1], row[2], row[3] = d.DeviceID, d.Parent.DeviceID, d.Alias, d.SiteName
		row[4], row[5], row[6], row[7] = d.Description, d.User, string(d.Status), d.SoldTo
		row[8], row[9], row[10] = name, name, ts(d.LastSync)
		n := 0
		for _, a := range d.AddOns {
			it := b.item(a.ActivationID)
			if it == nil {
				continue
			}
			p := b.product(it.Product)
			if p == nil {
				continue
			}
			exp := a.ExpirationOverride
			if exp.IsZero() && !it.Permanent {
				exp = it.Expiration
			}
			for _, fc := range p.Features {
				if n > 0 {
					clear(row[1:])
				}
				row[11], row[12], row[13], row[15] = fc.Name, fc.Version, strconv.Itoa(fc.Count*a.Count), ts(exp)
				if err := w.row(row); err != nil {
					return err
				}
				n++
			}
		}
		if n == 0 {
			return w.row(row)
		}
		return nil
	})
}

// users writes the User Data Extract (seed 001 lines 3585-3660): one row
// per account of the user, the user's details on the first only; roles
// joined with '|'; ExpiryDate (the state keeps user expiry, so the option
// is taken as on), then the custom attributes.
func (b *builder) users(w *csvOut) error {
	all := func(p state.Page) ([]state.User, error) { return b.st.Users(state.UserQuery{}, p) }
	seen := map[string]bool{}
	if err := each(all, func(u *state.User) error {
		for _, a := range u.Attributes {
			seen[a.Name] = true
		}
		return nil
	}); err != nil {
		return err
	}
	names := attrNames(seen)
	cols := withCA(userColumns, "USER", names)
	if err := w.row(cols); err != nil {
		return err
	}
	row := make([]string, len(cols))
	return each(all, func(u *state.User) error {
		if !b.w.touched(u.Created, u.Modified) {
			return nil
		}
		clear(row)
		var typ string
		self := false
		for _, r := range u.Accounts {
			if a := b.account(r.AccountID); a != nil {
				if typ == "" {
					typ = string(a.Type)
				}
				self = self || a.Type == state.SelfRegistered
			}
		}
		row[0], row[1], row[2], row[3] = u.FirstName, u.LastName, u.Email, u.UserName
		row[5], row[8], row[9] = yesNo(u.Active), yesNo(u.Shared), yesNo(u.CanLogin)
		row[10], row[11], row[12], row[13], row[14] = u.Street, u.City, u.State, u.Zipcode, u.Country
		row[15], row[16], row[17], row[18] = u.Timezone, u.Locale, u.Phone, u.Fax
		row[19], row[20], row[21] = yesNo(u.OptIn), "No", yesNo(self)
		row[22], row[23], row[24], row[25] = ts(u.Created), ts(u.LastLogin), typ, ts(u.Expiry)
		attrCells(row, len(userColumns), names, u.Attributes)
		if len(u.Accounts) == 0 {
			return w.row(row)
		}
		for i, r := range u.Accounts {
			if i > 0 {
				clear(row)
				row[3] = u.UserName
			}
			row[4], row[6], row[7] = strings.Join(r.Roles, "|"), r.AccountID, b.accountName(r.AccountID)
			if err := w.row(row); err != nil {
				return err
			}
		}
		return nil
	})
}

// accounts writes the Account Data Extract (seed 001 lines 3664-3718).
func (b *builder) accounts(w *csvOut) error {
	all := func(p state.Page) ([]state.Account, error) { return b.st.Accounts(state.AccountQuery{}, p) }
	seen := map[string]bool{}
	if err := each(all, func(a *state.Account) error {
		for _, at := range a.Attributes {
			seen[at.Name] = true
		}
		return nil
	}); err != nil {
		return err
	}
	names := attrNames(seen)
	cols := withCA(accountColumns, "ACCT", names)
	if err := w.row(cols); err != nil {
		return err
	}
	row := make([]string, len(cols))
	return each(all, func(a *state.Account) error {
		if !b.w.touched(a.Created, a.Modified) {
			return nil
		}
		ad := a.Address
		row[0], row[1], row[2], row[3] = a.ID, a.Name, string(a.Type), a.Parent
		row[4], row[5], row[6], row[7], row[8], row[9] = ad.Address1, ad.Address2, ad.City, ad.State, ad.Zipcode, ad.Country
		row[10], row[11], row[12] = trueFalse(a.Visible), ad.Region, a.Description
		attrCells(row, len(accountColumns), names, a.Attributes)
		return w.row(row)
	})
}

// entitlementsInWindow lists the entitlements created or modified in the
// window, or with a line item that was, with their line items.
func (b *builder) entitlementsInWindow() ([]entWithItems, error) {
	if b.inWindowEntsDone {
		return b.inWindowEnts, nil
	}
	err := each(func(p state.Page) ([]state.Entitlement, error) {
		return b.st.Entitlements(state.EntitlementQuery{}, p)
	}, func(e *state.Entitlement) error {
		in := b.w.touched(e.Created, e.Modified)
		items := make([]state.LineItem, 0, len(e.LineItems))
		for _, aid := range e.LineItems {
			it, err := b.st.LineItem(aid)
			if err != nil {
				continue // removed meanwhile
			}
			in = in || b.w.touched(it.Created, it.Modified)
			items = append(items, it)
		}
		if in {
			b.inWindowEnts = append(b.inWindowEnts, entWithItems{*e, items})
		}
		return nil
	})
	b.inWindowEntsDone = err == nil
	return b.inWindowEnts, err
}

// entitlementCells sets the entitlement details every line item row
// starts with (the first six columns of both entitlement files).
func entitlementCells(row []string, e *state.Entitlement) {
	row[0], row[1], row[2] = e.ID, title(string(e.State)), e.Description
	row[3], row[4], row[5] = yesNo(e.AllowPortalLogin), e.ShipToEmail, e.ShipToAddress
}

// entitlementItems writes EntitlementsExtract-*.csv (seed 001 lines
// 3755-3842): one row per (non-maintenance) line item, the entitlement
// details on the first only. The one tier block is End Customer: the
// sold-to account and the first user mapped to the entitlement.
func (b *builder) entitlementItems(w *csvOut) error {
	ents, err := b.entitlementsInWindow()
	if err != nil {
		return err
	}
	if err := w.row(entitlementColumns); err != nil {
		return err
	}
	row := make([]string, len(entitlementColumns))
	for _, x := range ents {
		e := &x.ent
		clear(row)
		entitlementCells(row, e)
		row[6], row[7] = e.SoldTo, b.accountName(e.SoldTo)
		if len(e.Users) > 0 {
			if u := cached(b.userCache, e.Users[0], b.st.User); u != nil {
				row[8], row[9], row[10], row[11], row[12] = u.UserName, u.FirstName, u.LastName, u.Email, u.Phone
			}
		}
		row[13] = "bo.constants.partnertiernames.endcustomer"
		n := 0
		for i := range x.items {
			it := &x.items[i]
			if it.Maintenance {
				continue
			}
			if n > 0 {
				clear(row[1:14])
			}
			n++
			row[14], row[15], row[16] = it.ActivationID, title(string(it.State)), strconv.Itoa(it.Copies)
			row[17], row[18], row[19], row[20] = it.OrderLineNumber, it.OrderID, camel(it.StartDateOption), ts(it.Start)
			row[21], row[22], row[23], row[24] = upperTF(it.Permanent), "", it.Term.Unit, ""
			if !it.Permanent {
				row[22] = ts(it.Expiration)
			}
			if it.Term.Count > 0 {
				row[24] = strconv.Itoa(it.Term.Count)
			}
			row[29], row[30], row[31] = string(it.Type), it.Parent, it.Description
			row[32], row[33], row[34] = it.Product.Name, it.Product.Version, ""
			if p := b.product(it.Product); p != nil {
				row[34] = camel(p.Type)
			}
			row[35], row[36], row[37] = "1", it.PartNumber, it.LicenseModel
			if err := w.row(row); err != nil {
				return err
			}
		}
		if n == 0 {
			if err := w.row(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// maintenanceItems writes MaintenanceLine-*.csv (seed 001 lines
// 3844-3871): one row per maintenance line item, the entitlement details on
// an entitlement's first only, custom attributes as CA[MAINT_LINE|name].
func (b *builder) maintenanceItems(w *csvOut) error {
	seen := map[string]bool{}
	if err := each(func(p state.Page) ([]state.LineItem, error) {
		return b.st.LineItems(state.LineItemQuery{}, p)
	}, func(it *state.LineItem) error {
		if it.Maintenance {
			for _, a := range it.Attributes {
				seen[a.Name] = true
			}
		}
		return nil
	}); err != nil {
		return err
	}
	names := attrNames(seen)
	ents, err := b.entitlementsInWindow()
	if err != nil {
		return err
	}
	cols := withCA(maintenanceColumns, "MAINT_LINE", names)
	if err := w.row(cols); err != nil {
		return err
	}
	row := make([]string, len(cols))
	for _, x := range ents {
		n := 0
		for i := range x.items {
			it := &x.items[i]
			if !it.Maintenance {
				continue
			}
			clear(row)
			if n == 0 {
				entitlementCells(row, &x.ent)
			} else {
				row[0] = x.ent.ID
			}
			n++
			row[6], row[7], row[8] = it.ActivationID, it.Parent, title(string(it.State))
			row[9], row[10], row[11] = it.Product.Name, it.Product.Version, it.PartNumber
			row[12], row[13], row[14], row[15] = it.OrderLineNumber, it.OrderID, ts(it.Start), upperTF(it.Permanent)
			if !it.Permanent {
				row[16] = ts(it.Expiration)
			}
			attrCells(row, len(maintenanceColumns), names, it.Attributes)
			if err := w.row(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// productsInWindow lists the products created or modified in the window.
func (b *builder) productsInWindow() ([]state.Product, error) {
	if b.inWindowProdDone {
		return b.inWindowProds, nil
	}
	err := each(func(p state.Page) ([]state.Product, error) {
		return b.st.Products(state.ProductQuery{}, p)
	}, func(p *state.Product) error {
		if b.w.touched(p.Created, p.Modified) {
			b.inWindowProds = append(b.inWindowProds, *p)
		}
		return nil
	})
	b.inWindowProdDone = err == nil
	return b.inWindowProds, err
}

// orderableType is FNO's internal product type name (seed 001 lines
// 3914-3926).
func orderableType(t string) string {
	switch strings.ToUpper(t) {
	case "SUITE":
		return "bo.constants.orderable.type.uniform_suite"
	case "MAINTENANCE", "MAINTENENACE":
		return "bo.constants.orderable.type.maintenance"
	}
	return "bo.constants.orderable.type.licensedProduct"
}

// products writes ProductsExtract-*.csv (seed 001 lines 3870-3968): one
// row per feature, the product details on the first only.
func (b *builder) products(w *csvOut) error {
	prods, err := b.productsInWindow()
	if err != nil {
		return err
	}
	if err := w.row(productColumns); err != nil {
		return err
	}
	row := make([]string, len(productColumns))
	for i := range prods {
		p := &prods[i]
		clear(row)
		row[0], row[1], row[2], row[3] = p.Name, orderableType(p.Type), p.Description, p.Version
		row[4], row[8], row[9] = stateConst(p.State), p.Technology, upperTF(p.Technology == "FlexNet Embedded")
		row[13], row[14], row[17] = "FALSE", "FALSE", p.ProductLine
		if len(p.Features) == 0 {
			if err := w.row(row); err != nil {
				return err
			}
			continue
		}
		for k, fc := range p.Features {
			if k > 0 {
				clear(row[1:22])
			}
			row[22], row[23], row[24], row[25] = fc.Name, "FEATURE", fc.Version, strconv.Itoa(fc.Count)
			row[26], row[27] = "", ""
			if f, ok := b.feature(fc.Name, fc.Version); ok {
				row[26], row[27] = f.Description, string(f.State)
			}
			if err := w.row(row); err != nil {
				return err
			}
		}
	}
	return nil
}

// productModels writes ProductsLicenseModel-*.csv (seed 001 lines
// 3970-3981): one row per license model of a product. The transaction
// keys are not in the state.
func (b *builder) productModels(w *csvOut) error {
	prods, err := b.productsInWindow()
	if err != nil {
		return err
	}
	if err := w.row(productModelColumns); err != nil {
		return err
	}
	for _, p := range prods {
		for _, m := range p.LicenseModels {
			if err := w.row([]string{p.Name, m, "", ""}); err != nil {
				return err
			}
		}
	}
	return nil
}

// productParts writes ProductsPartNumber-*.csv (seed 001 lines
// 3983-3993): one row per part number of a product.
func (b *builder) productParts(w *csvOut) error {
	prods, err := b.productsInWindow()
	if err != nil {
		return err
	}
	if err := w.row(productPartColumns); err != nil {
		return err
	}
	byProduct := map[state.ProductKey][]state.PartNumber{}
	for _, pn := range b.st.PartNumbers() {
		byProduct[pn.Product] = append(byProduct[pn.Product], pn)
	}
	for _, p := range prods {
		for _, pn := range byProduct[p.Key()] {
			if err := w.row([]string{p.Name, p.Version, pn.PartID, pn.Description, "FALSE", pn.LicenseModel}); err != nil {
				return err
			}
		}
	}
	return nil
}
