package devices

import (
	"encoding/base64"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Rendering devices for the three read shapes: deviceQueryDataType
// (getDevicesQuery), getDeviceResponseData (getDevice) and
// searchDeviceResponseData (searchDevices). Each returns the device's
// identity always and every optional field only when its response-config
// switch is true; fields without a switch (lastModified, createdOn from v4,
// siteName from v6) are always returned when the device has a value.

// endCustomerTier is FNO's built-in partner tier of the sold-to account
// (seed 001 L4660).
const endCustomerTier = "bo.constants.partnertiernames.endcustomer"

// renderer renders devices for one request.
type renderer struct {
	h   *handlers
	l   *lookups
	ver int
	cfg map[string]any // the request's response config
	now time.Time
}

func (h *handlers) renderer(c *op.Call, cfg map[string]any) *renderer {
	return &renderer{h: h, l: newLookups(h.st), ver: c.Op.Version.Number(), cfg: cfg, now: c.Now}
}

func (r *renderer) on(key string) bool { return flag(r.cfg, key) }

// soldTo is soldToType (and soldToOrgNameType, soldToAcctNameType): the
// display name is required before v3.
func (r *renderer) soldTo(d state.Device) any {
	a := r.l.account(d.SoldTo)
	if a == nil {
		return nil
	}
	return map[string]any{"displayName": a.Name, "id": a.ID, "name": a.Name}
}

// accountIdent is organizationIdentifierType / accountIdentifierType.
func accountIdent(a *state.Account) map[string]any {
	return map[string]any{"uniqueId": a.ID, "primaryKeys": map[string]any{"name": a.Name}}
}

func (r *renderer) channelPartners(d state.Device) any {
	a := r.l.account(d.SoldTo)
	if a == nil {
		return nil
	}
	id := accountIdent(a)
	return map[string]any{"channelPartner": []any{map[string]any{
		"tierName": endCustomerTier, "organizationUnit": id, "accountUnit": id, "currentOwner": "true",
	}}}
}

// machineType is machineTypeType, nil when unknown to the device.
func machineType(d state.Device) any {
	switch d.MachineType {
	case "PHYSICAL", "VIRTUAL", "UNKNOWN":
		return d.MachineType
	}
	return nil
}

// licenseState is the add-on's licenseStateType: the emulator generates
// the licence with the mapping.
func licenseState(a state.AddOn, it *state.LineItem, now time.Time) string {
	switch {
	case it == nil:
		return "UNDEFINED"
	case !it.Permanent && !it.Expiration.IsZero() && it.Expiration.Before(now.AddDate(0, 0, -1)):
		return "EXPIRED"
	case it.State == state.Obsolete:
		return "OBSOLETE"
	case a.Count == 0:
		return "LICENSE_NOT_GENERATED"
	}
	return "LICENSE_GENERATED"
}

func productIdent(p state.ProductKey, line string) map[string]any {
	pk := map[string]any{"name": p.Name}
	if p.Version != "" {
		pk["version"] = p.Version
	}
	return map[string]any{"primaryKeys": pk, "productLine": op.NonEmpty(line)}
}

// entitledProducts is entitledProductDataListType for one add-on.
func (r *renderer) entitledProducts(a state.AddOn, it *state.LineItem, line bool) any {
	if it == nil || it.Product.Name == "" {
		return nil
	}
	pl := ""
	if line {
		if p := r.l.product(it.Product); p != nil {
			pl = p.ProductLine
		}
	}
	return map[string]any{"entitledProduct": []any{map[string]any{
		"product": productIdent(it.Product, pl), "quantity": op.Int(int64(a.Count)),
	}}}
}

// addonLicense is the device's current add-on licence: a signed capability
// blob of its mappings, Base64 as FNO sends binaries.
func (r *renderer) addonLicense(d state.Device) (has bool, lic any) {
	if len(d.AddOns) == 0 {
		return false, nil
	}
	blob := r.h.capability(r.l, d, nil, r.now, &coActions{})
	return true, base64.StdEncoding.EncodeToString(blob)
}

// ---- getDevicesQuery: deviceQueryDataType ----

func (r *renderer) queryDevice(d state.Device) map[string]any {
	m := map[string]any{"deviceIdentifier": identOf(d, r.ver)}
	if r.on("alias") {
		m["alias"] = op.NonEmpty(d.Alias)
	}
	if r.on("description") {
		m["description"] = op.NonEmpty(d.Description)
	}
	if r.on("status") {
		m["deviceStatus"] = statusOut(d.Status, r.ver)
	}
	if r.on("servedStatus") && d.Served != "" {
		m["deviceServedStatus"] = string(d.Served)
	}
	if r.on("hostTypeName") && d.HostType != "" {
		m["hostTypeName"] = map[string]any{"name": d.HostType}
	}
	if r.on("channelPartners") {
		m["channelPartners"] = r.channelPartners(d)
	}
	if r.on("soldTo") {
		st := r.soldTo(d)
		// v2 names the sold-to account soldToOrgName, v3 soldToAcctName
		// (seed 001 table 2-2, v3: "organization to account").
		m["soldTo"], m["soldToOrgName"], m["soldToAcctName"] = st, st, st
	}
	if r.on("preBuiltLicense") || r.on("preBuiltProduct") {
		r.h.mu.Lock()
		p, ok := r.h.prebuilt[d.UniqueID]
		r.h.mu.Unlock()
		if r.on("preBuiltLicense") {
			m["hasPrebuiltLicense"] = op.Bool(ok)
			if ok {
				m["prebuiltLicense"] = base64.StdEncoding.EncodeToString([]byte(p.text))
			}
		}
		if r.on("preBuiltProduct") && ok {
			m["preBuiltProduct"] = productIdent(p.product, "")["primaryKeys"]
		}
	}
	if r.on("addOnLicense") {
		has, lic := r.addonLicense(d)
		m["hasAddonLicense"], m["addonLicense"] = op.Bool(has), lic
	}
	if r.on("publisherIdentity") {
		m["publisherIdName"] = map[string]any{"name": d.Publisher}
	}
	if r.anyOn("addOnActivationId", "addOnCounts", "addOnProduct", "addOnLicense", "addOnExpirationDateOverride", "addOnCreatedDate", "addOnLastModifiedDate") {
		var items []any
		for _, a := range d.AddOns {
			items = append(items, r.addonLineItemData(a))
		}
		m["addonLineItemData"] = items
	}
	if r.on("features") {
		m["featureData"] = r.featureData(d)
	}
	if r.on("parent") && !d.Parent.IsZero() {
		m["parentIdentifier"] = refIdent(d.Parent, r.ver)
	}
	if r.on("machineType") {
		m["machineType"] = machineType(d)
	}
	if r.on("deviceUser") && !r.h.deviceUserOff && d.User != "" {
		m["deviceUser"] = d.User
		m["deviceUserIdentifier"] = map[string]any{"userName": d.User}
	}
	m["siteName"] = op.NonEmpty(d.SiteName)
	return m
}

func (r *renderer) anyOn(keys ...string) bool {
	for _, k := range keys {
		if r.on(k) {
			return true
		}
	}
	return false
}

// addonLineItemData is addonLineItemDataDataType, field by switch.
func (r *renderer) addonLineItemData(a state.AddOn) map[string]any {
	it := r.l.item(a.ActivationID)
	m := map[string]any{}
	if r.on("addOnActivationId") {
		m["activationId"] = a.ActivationID
		if it != nil {
			m["uniqueId"] = op.NonEmpty(it.UniqueID)
		}
	}
	if r.on("addOnCounts") {
		m["enabledCount"], m["consumedCount"] = op.Int(int64(a.Count)), op.Int(0)
	}
	if r.on("addOnLicense") {
		m["licenseState"] = licenseState(a, it, r.now)
	}
	if r.on("addOnProduct") {
		m["entitledProducts"] = r.entitledProducts(a, it, false)
		if it != nil && !it.Permanent {
			m["licenseExpirationDate"] = op.DateOrNil(it.Expiration)
		}
	}
	if r.on("addOnExpirationDateOverride") {
		m["expirationDateOverride"] = op.DateOrNil(a.ExpirationOverride)
	}
	if r.on("addOnCreatedDate") {
		m["createdDate"] = op.DateTimeOrNil(a.Created)
	}
	if r.on("addOnLastModifiedDate") {
		m["lastModifiedDate"] = op.DateTimeOrNil(a.Modified)
	}
	return m
}

// featureData lists featureDataDataType for the device's add-on features.
// Every function here that may have nothing returns an untyped nil, which
// the projection omits (a nil map in an interface would be an empty
// element).
func (r *renderer) featureData(d state.Device) []any {
	var out []any
	for _, f := range r.l.features(d) {
		m := map[string]any{"name": f.name, "version": f.version, "count": op.Int(int64(f.count)), "overage": op.Int(0)}
		if f.item != nil {
			m["lineItemUniqueId"], m["lineItemActivationId"] = op.NonEmpty(f.item.UniqueID), f.item.ActivationID
			if !f.item.Permanent {
				m["expiration"] = op.DateTimeOrNil(f.item.Expiration)
			}
		}
		out = append(out, m)
	}
	return out
}

// ---- getDevice and searchDevices: getDeviceResponseData, searchDeviceResponseData ----

// v3Device renders the fields getDeviceResponseData and
// searchDeviceResponseData share; full adds getDevice's extra ones.
func (r *renderer) v3Device(d state.Device, full bool) map[string]any {
	m := map[string]any{"deviceId": deviceIDOf(d.Ref(), r.ver)}
	if r.on("name") {
		m["name"] = op.NonEmpty(d.Alias)
	}
	if r.on("description") {
		m["description"] = op.NonEmpty(d.Description)
	}
	if r.on("status") {
		m["status"] = statusOut(d.Status, r.ver)
	}
	if r.on("servedStatus") && d.Served != "" {
		m["servedStatus"] = string(d.Served)
	}
	if r.on("hostTypeName") {
		m["hostTypeName"] = op.NonEmpty(d.HostType)
	}
	if r.on("hosted") {
		m["hosted"] = op.Bool(d.Hosted())
	}
	if r.on("soldTo") {
		m["soldTo"] = r.soldTo(d)
	}
	if r.on("bufferLicense") {
		m["hasBufferLicense"] = op.Bool(false)
	}
	if r.on("addOnLicense") || r.on("hasLicense") {
		has, lic := r.addonLicense(d)
		m["hasAddonLicense"] = op.Bool(has)
		if r.on("addOnLicense") {
			m["addonLicense"] = lic
		}
	}
	if r.on("publisherIdentity") {
		m["publisherIdName"] = d.Publisher
	}
	if r.anyOn("addOnActivationId", "addOnCounts", "addOnProduct", "addOnProductLine", "addOnPartNumber",
		"addOnExpirationDateOverride", "addOnEntitlementExpirationDate", "addOnCreatedDate",
		"addOnLastModifiedDate", "addOnEntitlementId", "addOnState", "addOnLicenseModel") {
		var items []any
		for _, a := range d.AddOns {
			items = append(items, r.addonData(a))
		}
		m["addon"] = items
	}
	if r.on("parent") && !d.Parent.IsZero() {
		m["parentIdentifier"] = deviceIDOf(d.Parent, r.ver)
	}
	if r.on("machineType") {
		m["machineType"] = machineType(d)
	}
	if r.on("userInfo") && !r.h.deviceUserOff && d.User != "" {
		m["userString"] = d.User
		m["userIdentifier"] = map[string]any{"userName": d.User}
	}
	m["lastModified"] = op.DateTimeOrNil(d.Modified)
	if r.on("lastSyncTime") {
		m["lastSyncTime"] = op.DateTimeOrNil(d.LastSync)
	}
	if r.on("lastRequestTime") {
		m["lastRequestTime"] = op.DateTimeOrNil(d.LastRequest)
	}
	if r.on("hasUpdates") && !full { // searchDevices only; getDevice lists updates
		m["hasUpdates"] = op.Bool(false)
	}
	if full {
		if r.on("features") {
			m["feature"] = r.featureData(d)
		}
		m["createdOn"] = op.DateTimeOrNil(d.Created) // v4
	}
	m["siteName"] = op.NonEmpty(d.SiteName) // v6
	return m
}

// addonData is addonData (v3+), field by switch.
func (r *renderer) addonData(a state.AddOn) map[string]any {
	it := r.l.item(a.ActivationID)
	m := map[string]any{}
	if r.on("addOnActivationId") {
		m["activationId"] = a.ActivationID
	}
	if it == nil {
		return m
	}
	if r.on("addOnEntitlementId") {
		m["entitlementId"] = it.EntitlementID
	}
	if r.on("addOnCounts") {
		n := op.Int(int64(a.Count))
		m["requestedCopies"], m["consumedCopies"], m["generatedCopies"] = n, op.Int(0), n
	}
	if r.on("addOnState") || r.on("addOnLicense") {
		m["licenseState"] = licenseState(a, it, r.now)
	}
	if r.on("addOnProduct") || r.on("addOnProductLine") {
		m["productList"] = r.entitledProducts(a, it, r.on("addOnProductLine"))
	}
	if r.on("addOnPartNumber") {
		m["partNumber"] = op.NonEmpty(it.PartNumber)
	}
	if r.on("addOnEntitlementExpirationDate") {
		if it.Permanent {
			m["licensePermanent"] = op.Bool(true)
		} else {
			m["licenseExpirationDate"] = op.DateOrNil(it.Expiration)
			m["licensePermanent"] = op.Bool(false)
		}
	}
	if r.on("addOnExpirationDateOverride") {
		m["expirationDateOverride"] = op.DateOrNil(a.ExpirationOverride)
	}
	if r.on("addOnLicenseModel") {
		m["licenseModelName"] = op.NonEmpty(it.LicenseModel)
	}
	if r.on("addOnCreatedDate") {
		m["createdDate"] = op.DateTimeOrNil(a.Created)
	}
	if r.on("addOnLastModifiedDate") {
		m["lastModifiedDate"] = op.DateTimeOrNil(a.Modified)
	}
	return m
}
