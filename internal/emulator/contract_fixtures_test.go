package emulator_test

import (
	"strings"

	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/schemas"
)

// harnessSizes keep each version's emulator small: the harness checks
// shapes, not scale.
var harnessSizes = state.Sizes{Accounts: 12, Users: 20, Products: 6, Entitlements: 20, Devices: 40, Fulfillments: 20}

// fixtures rewrite the placeholder values of the generated request samples
// ("sample", empty identifiers) into records the emulator's data set has,
// and add the optional elements an operation needs to do anything, so that
// most calls succeed rather than answer FAILURE. Values are supersets (every
// name any version uses): the projection drops what the called version does
// not declare. Operations that retire a record get one of their own, so the
// order of the calls does not decide their status.
type fixtures struct {
	devs  []state.Device // clients: [0] for reads and changes, then one per retiring operation
	srv   state.Device   // a license server, for what only servers do
	item  state.LineItem // with remaining copies
	ent   state.Entitlement
	spare state.Entitlement // without fulfilled copies, to delete
	fuls  []state.Fulfillment
	acct  state.Account
	user  state.User
	prod  state.Product
	model state.LicenseModel
	have  map[string]bool // which of the single records the data set has
	token string          // issued by getSecureToken, for validateToken
}

// retiring operations and the client device or fulfilment each gets.
var (
	deviceOf      = map[string]int{"deleteDevice": 1, "returnHost": 2, "obsoleteHost": 3}
	fulfillmentOf = map[string]int{"returnLicense": 1, "rehostLicense": 2, "repairLicense": 3}
)

func newFixtures(emu *emulator.Emulator) *fixtures {
	st := emu.Store()
	f := &fixtures{have: map[string]bool{}}
	one := state.Page{Number: 1, Size: 1}
	if ds, err := st.Devices(state.DeviceQuery{Classes: []state.DeviceClass{"CLIENT"}}, state.Page{Number: 1, Size: 4}); err == nil {
		f.devs = ds
	}
	if ds, err := st.Devices(state.DeviceQuery{Classes: []state.DeviceClass{"SERVER"}}, one); err == nil && len(ds) > 0 {
		f.srv, f.have["srv"] = ds[0], true
	}
	if ls, err := st.LineItems(state.LineItemQuery{WithCount: true}, one); err == nil && len(ls) > 0 {
		f.item, f.have["item"] = ls[0], true
		if e, err := st.Entitlement(ls[0].EntitlementID); err == nil {
			f.ent, f.have["ent"] = e, true
		}
	}
	if es, err := st.Entitlements(state.EntitlementQuery{}, state.Page{}); err == nil {
	spare:
		for _, e := range es {
			if e.ID == f.ent.ID {
				continue
			}
			for _, aid := range e.LineItems {
				if li, err := st.LineItem(aid); err != nil || li.Fulfilled > 0 {
					continue spare
				}
			}
			f.spare, f.have["spare"] = e, true
			break
		}
	}
	if fs, err := st.Fulfillments(state.FulfillmentQuery{State: state.Match{Type: "EQUALS", Value: "ACTIVE"}}, state.Page{Number: 1, Size: 4}); err == nil {
		f.fuls = fs
	}
	if as, err := st.Accounts(state.AccountQuery{}, one); err == nil && len(as) > 0 {
		f.acct, f.have["acct"] = as[0], true
	}
	if us, err := st.Users(state.UserQuery{}, one); err == nil && len(us) > 0 {
		f.user, f.have["user"] = us[0], true
	}
	if ps, err := st.Products(state.ProductQuery{}, one); err == nil && len(ps) > 0 {
		f.prod, f.have["prod"] = ps[0], true
	}
	if ms := st.LicenseModels(); len(ms) > 0 {
		f.model, f.have["model"] = ms[0], true
	}
	return f
}

// device returns the device op works on.
func (f *fixtures) device(op string) (state.Device, bool) {
	if op == "zeroCountAddonLineItems" { // zero-count mappings are for servers
		return f.srv, f.have["srv"]
	}
	i := deviceOf[op]
	if i >= len(f.devs) {
		return state.Device{}, false
	}
	return f.devs[i], true
}

// fulfillment returns the active fulfilment op works on.
func (f *fixtures) fulfillment(op string) (state.Fulfillment, bool) {
	i := fulfillmentOf[op]
	if i >= len(f.fuls) {
		return state.Fulfillment{}, false
	}
	return f.fuls[i], true
}

// fill rewrites a request's values in place.
func (f *fixtures) fill(_ schemas.Version, op string, values map[string]any) {
	f.walk(op, values)
	// Optional elements at the root the operation needs to do anything;
	// the minimal sample leaves them out.
	switch op {
	case "moveDevice":
		if f.have["acct"] {
			values["soldToName"] = f.acct.Name
			values["soldToUniqueId"] = f.acct.ID
		}
	case "getExactAvailableCount":
		if f.have["item"] {
			values["activationId"] = map[string]any{"primaryKeys": map[string]any{"activationId": f.item.ActivationID}}
		}
	case "authenticateUser":
		values["userName"], values["password"] = emulator.DefaultUser, emulator.DefaultPassword
	case "validateToken":
		if f.token != "" {
			values["token"] = f.token
		}
	case "generateCapabilityResponse":
		if id, ok := f.deviceIdentifier(op); ok {
			values["device"] = []any{map[string]any{"deviceIdentifier": id}}
		}
	}
}

// learn keeps what a response gives that a later request needs.
func (f *fixtures) learn(op string, payload *xmltree.Node) {
	if op == "getSecureToken" {
		f.token = payload.TextOf("token")
	}
}

// walk visits every map of the request: rules replace values by key, then
// augment adds what a record of that name needs.
func (f *fixtures) walk(op string, m map[string]any) {
	for k, v := range m {
		if nv, ok := f.rule(op, k, v); ok {
			m[k] = nv
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			f.walk(op, x)
			f.augment(op, k, x)
		case []any:
			for i, it := range x {
				if nv, ok := f.rule(op, k, it); ok {
					x[i] = nv
					continue
				}
				switch y := it.(type) {
				case map[string]any:
					f.walk(op, y)
					f.augment(op, k, y)
				case string:
					if y == "" {
						mm := map[string]any{}
						f.augment(op, k, mm)
						if len(mm) > 0 {
							x[i] = mm
						}
					}
				}
			}
		case string:
			if x == "" {
				// An empty record element of the minimal sample.
				mm := map[string]any{}
				f.augment(op, k, mm)
				if len(mm) > 0 {
					m[k] = mm
				}
			}
		}
	}
}

func creates(op string) bool { return strings.HasPrefix(op, "create") }

// rule returns the value key should hold instead of v; ok is false to keep
// v (and look inside it).
func (f *fixtures) rule(op, key string, v any) (any, bool) {
	_, isMap := v.(map[string]any)
	switch key {
	case "deviceIdentifier", "hostIdentifier":
		if creates(op) && op != "createLicense" {
			// A device the data set does not have yet.
			return map[string]any{
				"deviceType":    "CLIENT",
				"deviceId":      "FNOKIT-HARNESS-NEW-DEVICE",
				"deviceIdType":  "STRING",
				"publisherName": "demo",
			}, true
		}
		return f.deviceIdentifier(op)
	case "deviceId":
		d, ok := f.device(op)
		if !ok || creates(op) {
			return nil, false
		}
		if isMap {
			return map[string]any{
				"id":            d.DeviceID,
				"idType":        string(d.IDType),
				"publisherName": d.Publisher,
				"deviceClass":   string(d.Class),
			}, true
		}
		return d.DeviceID, true
	case "entitlementIdentifier":
		e, ok := f.ent, f.have["ent"]
		if op == "deleteEntitlement" {
			e, ok = f.spare, f.have["spare"]
		}
		if !ok {
			return nil, false
		}
		return map[string]any{"primaryKeys": map[string]any{"entitlementId": e.ID}}, true
	case "lineItemIdentifier":
		if !f.have["item"] {
			return nil, false
		}
		// EntitlementOrder's identifier and ManageDevice's
		// linkLineItemIdentifier, in one.
		return map[string]any{
			"primaryKeys":  map[string]any{"activationId": f.item.ActivationID},
			"activationId": f.item.ActivationID,
			"count":        "1",
		}, true
	case "fulfillmentIdentifier":
		ful, ok := f.fulfillment(op)
		if !ok {
			return nil, false
		}
		return map[string]any{"primaryKeys": map[string]any{"fulfillmentId": ful.ID}}, true
	case "licenseModelIdentifier", "licenseModel":
		if !f.have["model"] || !identifier(v) {
			return nil, false
		}
		return map[string]any{"primaryKeys": map[string]any{"name": f.model.Name}}, true
	case "account", "organization", "parentAccount", "parentOrganization":
		// An account identifier (uniqueId or primaryKeys); account data
		// to create (id, name, …) is left alone.
		if !f.have["acct"] || !identifier(v) {
			return nil, false
		}
		return map[string]any{"primaryKeys": map[string]any{"id": f.acct.ID, "name": f.acct.Name}}, true
	case "activationId", "entitlementId":
		if creates(op) && (isMap || v == "") {
			// idType of a record to create: let the emulator name it.
			return map[string]any{"autoGenerate": "true"}, true
		}
		id, ok := f.item.ActivationID, f.have["item"]
		if key == "entitlementId" {
			id, ok = f.ent.ID, f.have["ent"]
		}
		if !ok {
			return nil, false
		}
		if isMap || v == "" {
			// An identifier or an idType: both forms, the schema keeps one.
			return map[string]any{"id": id, "primaryKeys": map[string]any{key: id}}, true
		}
		return id, true
	case "userId":
		if f.have["user"] && v == "sample" {
			return f.user.UserName, true
		}
	case "idList":
		if f.have["ent"] && isMap {
			return map[string]any{"id": []any{f.ent.ID}}, true
		}
	}
	return nil, false
}

// augment adds to a record element what the operation needs it to have.
func (f *fixtures) augment(op, key string, m map[string]any) {
	switch key {
	case "fulfillment", "hostIdData":
		// LicenseService needs a host to licence (a new one to rehost).
		if op == "returnLicense" || op == "repairLicense" {
			return
		}
		if m["serverIds"] == nil && m["nodeIds"] == nil && m["customHost"] == nil {
			m["nodeIds"] = map[string]any{"nodeId": []any{"FNOKIT-HARNESS-HOST"}}
		}
	case "requestDataList":
		// generatePrebuiltLicense needs a product and a license model.
		if f.have["prod"] && m["product"] == nil {
			m["product"] = map[string]any{"primaryKeys": map[string]any{"name": f.prod.Name, "version": f.prod.Version}}
		}
		if f.have["model"] && m["licenseModel"] == nil {
			m["licenseModel"] = map[string]any{"primaryKeys": map[string]any{"name": f.model.Name}}
		}
	}
}

// deviceIdentifier is the deviceIdentifier of the device op works on.
func (f *fixtures) deviceIdentifier(op string) (any, bool) {
	d, ok := f.device(op)
	if !ok {
		return nil, false
	}
	return map[string]any{
		"deviceType":    string(d.Class),
		"deviceId":      d.DeviceID,
		"deviceIdType":  string(d.IDType),
		"publisherName": d.Publisher,
	}, true
}

// identifier reports whether v is an FNO identifier left empty by the
// minimal sample: "" or a map holding only uniqueId and primaryKeys.
func identifier(v any) bool {
	switch x := v.(type) {
	case string:
		return x == ""
	case map[string]any:
		for k := range x {
			if k != "uniqueId" && k != "primaryKeys" {
				return false
			}
		}
		return true
	}
	return false
}
