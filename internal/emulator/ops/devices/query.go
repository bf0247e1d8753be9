package devices

import (
	"fmt"
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// query is a device query read from getDevicesParametersType or
// searchDevicesParametersType. Criteria the store indexes go into q;
// criteria it has no field for (the base and v1 filters servedStatus,
// machineType, featureCount, ...) and base's NOT_EQUALS on free-text fields
// are checked here, device by device, in local.
type query struct {
	q     state.DeviceQuery
	local []func(l *lookups, d state.Device) bool
	// userIgnored: a userString criterion was dropped because the Device
	// User option is off.
	userIgnored bool
	invalid     string // a criterion that cannot be evaluated: FAILURE
	// freeNotEquals: NOT_EQUALS is a free-text search type (base only; v1
	// dropped it from simpleSearchType, NOTES.md).
	freeNotEquals bool
}

// simpleMatch reads a SimpleQueryType-shaped criterion (value + searchType).
func simpleMatch(params map[string]any, key string) (state.Match, bool) {
	o := op.Obj(params, key)
	if o == nil {
		return state.Match{}, false
	}
	return state.Match{Value: op.Str(o, "value"), Type: state.SearchType(op.Str(o, "searchType"))}, true
}

// values gives, for a local check, the strings of a device a criterion is
// matched against; the criterion holds when any of them matches.
type values func(l *lookups, d state.Device) []string

func one(f func(d state.Device) string) values {
	return func(_ *lookups, d state.Device) []string { return []string{f(d)} }
}

var (
	devID       = one(func(d state.Device) string { return d.DeviceID })
	devAlias    = one(func(d state.Device) string { return d.Alias })
	devDesc     = one(func(d state.Device) string { return d.Description })
	devHostType = one(func(d state.Device) string { return d.HostType })
	devUser     = one(func(d state.Device) string { return d.User })
	devSite     = one(func(d state.Device) string { return d.SiteName })
	devAcctID   = func(_ *lookups, d state.Device) []string {
		if d.SoldTo == "" {
			return nil
		}
		return []string{d.SoldTo}
	}
	devAcctName = func(l *lookups, d state.Device) []string {
		if a := l.account(d.SoldTo); a != nil {
			return []string{a.Name}
		}
		return nil
	}
	devParent = func(_ *lookups, d state.Device) []string {
		if d.Parent.IsZero() {
			return nil
		}
		return []string{d.Parent.DeviceID}
	}
	addOnField = func(f func(l *lookups, it *state.LineItem) string) values {
		return func(l *lookups, d state.Device) []string {
			var out []string
			for _, a := range d.AddOns {
				if it := l.item(a.ActivationID); it != nil {
					out = append(out, f(l, it))
				}
			}
			return out
		}
	}
	addOnAID         = addOnField(func(_ *lookups, it *state.LineItem) string { return it.ActivationID })
	addOnEntID       = addOnField(func(_ *lookups, it *state.LineItem) string { return it.EntitlementID })
	addOnProdName    = addOnField(func(_ *lookups, it *state.LineItem) string { return it.Product.Name })
	addOnProdVersion = addOnField(func(_ *lookups, it *state.LineItem) string { return it.Product.Version })
	addOnPart        = addOnField(func(_ *lookups, it *state.LineItem) string { return it.PartNumber })
	featNames        = func(l *lookups, d state.Device) []string {
		var out []string
		for _, f := range l.features(d) {
			out = append(out, f.name)
		}
		return out
	}
)

// matchAny is a local check of m against the values of a device.
func matchAny(m state.Match, vals values) func(l *lookups, d state.Device) bool {
	return func(l *lookups, d state.Device) bool {
		for _, v := range vals(l, d) {
			if m.Matches(v) {
				return true
			}
		}
		return false
	}
}

// text sets a free-text criterion: into the store's slot, or locally when
// the store cannot take its search type (base's NOT_EQUALS).
func (q *query) text(params map[string]any, key string, slot *state.Match, vals values) {
	m, ok := simpleMatch(params, key)
	if !ok {
		return
	}
	if m.Type == state.NotEquals && q.freeNotEquals {
		q.local = append(q.local, matchAny(m, vals))
		return
	}
	if err := m.Validate(key, false); err != nil {
		q.fail(key)
		return
	}
	*slot = m
}

// enum sets an enumeration criterion (deviceIdType, status).
func (q *query) enum(params map[string]any, key string, slot *state.Match) {
	m, ok := simpleMatch(params, key)
	if !ok {
		return
	}
	if err := m.Validate(key, true); err != nil {
		q.fail(key)
		return
	}
	*slot = m
}

// localText adds a free-text criterion only checked here.
func (q *query) localText(params map[string]any, key string, vals values) {
	if m, ok := simpleMatch(params, key); ok {
		switch {
		case m.Validate(key, false) == nil, m.Type == state.NotEquals && q.freeNotEquals:
			q.local = append(q.local, matchAny(m, vals))
		default:
			q.fail(key)
		}
	}
}

func (q *query) fail(key string) {
	if q.invalid == "" {
		q.invalid = key + ": unsupported search type"
	}
}

// classes applies deviceTypes / deviceClasses, else isServer (seed 001
// L4963-4967: "If isServer is set to true, the query results include only
// server devices. If isServer is set to false, the query results include
// only client devices. If neither deviceTypes nor isServer is set, query
// results include all three types of devices").
func (q *query) classes(params map[string]any, listKey, itemKey string) {
	for _, c := range op.List(params, listKey, itemKey) {
		q.q.Classes = append(q.q.Classes, state.DeviceClass(op.Str(c)))
	}
	if len(q.q.Classes) > 0 {
		return
	}
	if b, ok := op.GetBool(params, "isServer"); ok {
		if b {
			q.q.Classes = []state.DeviceClass{state.Server}
		} else {
			q.q.Classes = []state.DeviceClass{state.Client}
		}
	}
}

// userString applies the Device User criterion, or drops it when the
// option is off (seed 001 L5072: "If the Device User Option is set to Off,
// the userString field is ignored, and the response states that this
// criteria is not supported").
func (h *handlers) userString(q *query, params map[string]any) {
	if !op.Has(params, "userString") {
		return
	}
	if h.deviceUserOff {
		q.userIgnored = true
		return
	}
	q.text(params, "userString", &q.q.UserString, devUser)
}

// devicesQuery reads getDevicesParametersType (getDevicesQuery and
// getDeviceCount) of version ver; elements a version lacks are simply not
// in its requests.
func (h *handlers) devicesQuery(params map[string]any, ver int) *query {
	q := &query{freeNotEquals: ver == 0}
	if params == nil {
		return q
	}
	q.text(params, "alias", &q.q.Alias, devAlias)
	q.text(params, "deviceId", &q.q.DeviceID, devID)
	q.enum(params, "deviceIdType", &q.q.IDType)
	q.text(params, "parentId", &q.q.ParentID, devParent)
	if m, ok := simpleMatch(params, "parentIdType"); ok {
		q.local = append(q.local, matchAny(m, func(_ *lookups, d state.Device) []string {
			if d.Parent.IsZero() {
				return nil
			}
			return []string{string(d.Parent.IDType)}
		}))
	}
	q.text(params, "hostTypeName", &q.q.HostType, devHostType)
	// soldTo matches the account's display name, soldToOrgId (v2) and
	// soldToAcctId (v3+) its ID (seed 001 L548-550).
	q.text(params, "soldTo", &q.q.SoldTo, devAcctName)
	q.text(params, "soldToOrgId", &q.q.SoldToAcctID, devAcctID)
	q.text(params, "soldToAcctId", &q.q.SoldToAcctID, devAcctID)
	// Before v2: the current owner and the channel partner are the sold-to
	// account (the emulator keeps one partner per device, its owner).
	q.localText(params, "currentOwnerName", devAcctName)
	q.localText(params, "organizationUnitName", devAcctName)
	q.text(params, "description", &q.q.Description, devDesc)
	// status is DeviceStateQueryType: a deviceStatusType with the free-text
	// search types, which mean the same on an enumeration value.
	if m, ok := simpleMatch(params, "status"); ok {
		if (m.Type == state.NotEquals && q.freeNotEquals) || m.Validate("status", false) == nil {
			q.q.Status = m
		} else {
			q.fail("status")
		}
	}
	q.localText(params, "servedStatus", one(func(d state.Device) string { return string(d.Served) }))
	q.localText(params, "preBuiltProductName", h.prebuiltField(func(k state.ProductKey) string { return k.Name }))
	q.localText(params, "preBuiltProductVersion", h.prebuiltField(func(k state.ProductKey) string { return k.Version }))
	q.text(params, "addOnActivationId", &q.q.AddOnActivationID, addOnAID)
	q.text(params, "addOnProductName", &q.q.AddOnProductName, addOnProdName)
	q.text(params, "addOnProductVersion", &q.q.AddOnProductVersion, addOnProdVersion)
	q.text(params, "featureName", &q.q.FeatureName, featNames)
	q.localText(params, "featureVersion", func(l *lookups, d state.Device) []string {
		var out []string
		for _, f := range l.features(d) {
			out = append(out, f.version)
		}
		return out
	})
	q.number(params, "featureCount", func(f feature) int { return f.count })
	q.number(params, "featureOverage", func(feature) int { return 0 })
	q.classes(params, "deviceTypes", "deviceType")
	// Devices have no custom attributes here: an attribute criterion
	// matches no device.
	if len(op.List(params, "customAttributes", "attribute")) > 0 {
		q.local = append(q.local, func(*lookups, state.Device) bool { return false })
	}
	q.localText(params, "machineType", one(func(d state.Device) string { return d.MachineType }))
	q.localText(params, "vmName", one(func(state.Device) string { return "" }))
	h.userString(q, params)
	q.text(params, "siteName", &q.q.SiteName, devSite)
	return q
}

// number adds a NumberQueryType criterion on the device's features: it
// holds when some feature satisfies it.
func (q *query) number(params map[string]any, key string, f func(feature) int) {
	o := op.Obj(params, key)
	if o == nil {
		return
	}
	v, ok := xsdInt(o, "value")
	if !ok {
		q.invalid = key + ": value is not an integer"
		return
	}
	var cmp func(n int) bool
	switch op.Str(o, "searchType") {
	case "GREATER_THAN":
		cmp = func(n int) bool { return n > v }
	case "GREATER_THAN_EQUALS":
		cmp = func(n int) bool { return n >= v }
	case "LESS_THAN":
		cmp = func(n int) bool { return n < v }
	case "LESS_THAN_EQUALS":
		cmp = func(n int) bool { return n <= v }
	case "EQUALS":
		cmp = func(n int) bool { return n == v }
	case "NOT_EQUALS":
		cmp = func(n int) bool { return n != v }
	default:
		q.fail(key)
		return
	}
	q.local = append(q.local, func(l *lookups, d state.Device) bool {
		for _, ft := range l.features(d) {
			if cmp(f(ft)) {
				return true
			}
		}
		return false
	})
}

// searchQuery reads searchDevicesParametersType (searchDevices and
// countDevices, v3+).
func (h *handlers) searchQuery(params map[string]any) *query {
	q := &query{}
	if params == nil {
		return q
	}
	q.text(params, "name", &q.q.Alias, devAlias)
	q.text(params, "deviceId", &q.q.DeviceID, devID)
	q.enum(params, "deviceIdType", &q.q.IDType)
	q.classes(params, "deviceClasses", "deviceClass")
	if b, ok := op.GetBool(params, "hosted"); ok {
		q.q.Hosted = &b
	}
	q.text(params, "parentId", &q.q.ParentID, devParent)
	q.text(params, "hostTypeName", &q.q.HostType, devHostType)
	q.text(params, "soldTo", &q.q.SoldTo, devAcctName)
	q.text(params, "soldToAcctId", &q.q.SoldToAcctID, devAcctID)
	q.text(params, "description", &q.q.Description, devDesc)
	q.enum(params, "status", &q.q.Status)
	q.text(params, "addOnEntitlementId", &q.q.AddOnEntitlementID, addOnEntID)
	q.text(params, "addOnActivationId", &q.q.AddOnActivationID, addOnAID)
	q.text(params, "addOnProductName", &q.q.AddOnProductName, addOnProdName)
	q.text(params, "addOnProductVersion", &q.q.AddOnProductVersion, addOnProdVersion)
	q.text(params, "addOnPartNumber", &q.q.AddOnPartNumber, addOnPart)
	q.text(params, "featureName", &q.q.FeatureName, featNames)
	h.userString(q, params)
	// v5: addOnExpirationDate (DateQueryType) and hasLicense.
	if o := op.Obj(params, "addOnExpirationDate"); o != nil {
		t, ok := op.GetDate(o, "value")
		if !ok {
			q.invalid = "addOnExpirationDate: value is not a date"
		}
		q.q.AddOnExpiration = state.DateMatch{Value: t, Type: state.DateSearchType(op.Str(o, "searchType"))}
	}
	if b, ok := op.GetBool(params, "hasLicense"); ok {
		q.q.HasLicense = &b
	}
	q.text(params, "siteName", &q.q.SiteName, devSite) // v6
	return q
}

// sortBys reads deviceSortBys.
func sortBys(req map[string]any) []state.SortBy {
	var out []state.SortBy
	for _, sb := range op.Objs(req, "sortBys", "sortBy") {
		asc, ok := op.GetBool(sb, "ascending")
		out = append(out, state.SortBy{Key: op.Str(sb, "sortKey"), Ascending: asc || !ok})
	}
	return out
}

// localChunk is how many devices one store call hands to the local checks.
const localChunk = 10000

// run answers q: one page of it (page.Size 0: none) and, with count, the
// number of matches. With local criteria the store's matches are read in
// chunks and checked here; writes between two chunks may shift a device
// from one chunk to the next, which a concurrent writer would see on FNO as
// well (pages are not snapshots).
func (h *handlers) run(q *query, page state.Page, count bool) ([]state.Device, int, error) {
	if len(q.local) == 0 {
		var out []state.Device
		n := 0
		var err error
		if page.Size > 0 {
			if out, err = h.st.Devices(q.q, page); err != nil {
				return nil, 0, err
			}
		}
		if count {
			if n, err = h.st.CountDevices(q.q); err != nil {
				return nil, 0, err
			}
		}
		return out, n, nil
	}
	l := newLookups(h.st)
	lo := (max(page.Number, 1) - 1) * page.Size
	var out []state.Device
	n := 0
	for chunk := 1; ; chunk++ {
		ds, err := h.st.Devices(q.q, state.Page{Number: chunk, Size: localChunk})
		if err != nil {
			return nil, 0, err
		}
	devices:
		for _, d := range ds {
			for _, ok := range q.local {
				if !ok(l, d) {
					continue devices
				}
			}
			if n >= lo && len(out) < page.Size {
				out = append(out, d)
			}
			n++
		}
		if len(ds) < localChunk || (!count && len(out) == page.Size) {
			break
		}
	}
	return out, n, nil
}

// prebuiltField reads a field of the product of a device's prebuilt licence.
func (h *handlers) prebuiltField(f func(state.ProductKey) string) values {
	return func(_ *lookups, d state.Device) []string {
		h.mu.Lock()
		p, ok := h.prebuilt[d.UniqueID]
		h.mu.Unlock()
		if !ok {
			return nil
		}
		return []string{f(p.product)}
	}
}

// readPage reads pageNumber and batchSize against the read limit (seed 001
// L613: "All read services have a maximum batch size of 2000"). FNO answers
// a larger batch with a FAILURE status naming the limit, as it does for any
// request it cannot serve; so do we. required: batchSize must be given
// (getDevicesQuery: "batchSize: Required", seed 001 L5101); otherwise an
// absent batch size is the limit.
func (h *handlers) readPage(req map[string]any, required bool) (state.Page, string) {
	p := state.Page{Number: 1, Size: h.cfg.MaxReadBatch}
	if n, ok := xsdInt(req, "pageNumber"); ok {
		if n < 1 {
			return p, "pageNumber must be 1 or more"
		}
		p.Number = n
	} else if op.Str(req, "pageNumber") != "" {
		return p, "pageNumber is not a number"
	}
	if n, ok := xsdInt(req, "batchSize"); ok {
		if n < 1 {
			return p, "batchSize must be 1 or more"
		}
		if n > h.cfg.MaxReadBatch {
			return p, fmt.Sprintf("batchSize is more than the maximum batch size of %d for read operations", h.cfg.MaxReadBatch)
		}
		p.Size = n
	} else if required || op.Str(req, "batchSize") != "" {
		return p, fmt.Sprintf("batchSize is required: give 1 to %d", h.cfg.MaxReadBatch)
	}
	return p, ""
}

// notSupportedUser is the reason of a NOT_SUPPORTED answer to userString.
const notSupportedUser = "userString is not supported: the Device User option is off, so the criterion was ignored"

// unknownCriterion keeps a store error's reason for a FAILURE.
func unknownCriterion(err error) string {
	r := reason(err)
	if r == "internal error" {
		return "the query could not be run"
	}
	return strings.TrimSpace(r)
}
