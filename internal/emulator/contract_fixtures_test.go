package emulator_test

import (
	"strings"

	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/schemas"
)

// harnessSizes keep each version's emulator small: the harness checks
// shapes, not scale.
var harnessSizes = state.Sizes{Accounts: 12, Users: 20, Products: 6, Entitlements: 20, Devices: 40, Fulfillments: 20}

// fixtures rewrite the placeholder values of the generated request samples
// ("sample", empty identifiers) into records the emulator's data set has,
// so that most calls succeed rather than answer FAILURE. Values are set as
// supersets (every name any version uses): the projection drops what the
// called version does not declare.
type fixtures struct {
	dev, srv state.Device // a client and a license server
	item     state.LineItem
	ent      state.Entitlement
	ful      state.Fulfillment
	acct     state.Account
	user     state.User
	prod     state.Product
	model    state.LicenseModel
	part     state.PartNumber
	have     map[string]bool // which of the above the data set has
}

func newFixtures(emu *emulator.Emulator) *fixtures {
	st := emu.Store()
	f := &fixtures{have: map[string]bool{}}
	one := state.Page{Number: 1, Size: 1}
	if ds, err := st.Devices(state.DeviceQuery{Classes: []state.DeviceClass{"CLIENT"}}, one); err == nil && len(ds) > 0 {
		f.dev, f.have["dev"] = ds[0], true
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
	if fs, err := st.Fulfillments(state.FulfillmentQuery{}, one); err == nil && len(fs) > 0 {
		f.ful, f.have["ful"] = fs[0], true
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
	if ps := st.PartNumbers(); len(ps) > 0 {
		f.part, f.have["part"] = ps[0], true
	}
	return f
}

// fill rewrites a request's values in place.
func (f *fixtures) fill(v schemas.Version, op string, values map[string]any) {
	f.walk(op, "", values)
}

// walk visits every map of the request; rules replace values by key.
func (f *fixtures) walk(op, parent string, m map[string]any) {
	for k, v := range m {
		if nv, ok := f.rule(op, parent, k, v); ok {
			m[k] = nv
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			f.walk(op, k, x)
		case []any:
			for i, it := range x {
				if nv, ok := f.rule(op, parent, k, it); ok {
					x[i] = nv
					continue
				}
				if mm, ok := it.(map[string]any); ok {
					f.walk(op, k, mm)
				}
			}
		}
	}
}

func creates(op string) bool { return strings.HasPrefix(op, "create") }

// rule returns the value key should hold instead of v; ok is false to keep
// v (and look inside it).
func (f *fixtures) rule(op, parent, key string, v any) (any, bool) {
	switch key {
	case "deviceIdentifier", "hostIdentifier":
		if !f.have["dev"] || creates(op) {
			return nil, false
		}
		return map[string]any{
			"deviceType":    string(f.dev.Class),
			"deviceId":      f.dev.DeviceID,
			"deviceIdType":  string(f.dev.IDType),
			"publisherName": f.dev.Publisher,
		}, true
	case "deviceId":
		if !f.have["dev"] || creates(op) {
			return nil, false
		}
		if _, isMap := v.(map[string]any); isMap {
			return map[string]any{
				"id":            f.dev.DeviceID,
				"idType":        string(f.dev.IDType),
				"publisherName": f.dev.Publisher,
				"deviceClass":   string(f.dev.Class),
			}, true
		}
		return f.dev.DeviceID, true
	case "entitlementIdentifier":
		if !f.have["ent"] {
			return nil, false
		}
		return map[string]any{"primaryKeys": map[string]any{"entitlementId": f.ent.ID}}, true
	case "lineItemIdentifier":
		if !f.have["item"] {
			return nil, false
		}
		return map[string]any{"primaryKeys": map[string]any{"activationId": f.item.ActivationID}}, true
	case "fulfillmentIdentifier":
		if !f.have["ful"] {
			return nil, false
		}
		return map[string]any{"primaryKeys": map[string]any{"fulfillmentId": f.ful.ID}}, true
	case "account", "organization", "parentAccount", "parentOrganization":
		// An account identifier (uniqueId or primaryKeys); account data
		// to create (id, name, …) is left alone.
		if !f.have["acct"] || !identifier(v) {
			return nil, false
		}
		return map[string]any{"primaryKeys": map[string]any{"id": f.acct.ID, "name": f.acct.Name}}, true
	case "activationId":
		if !f.have["item"] || creates(op) {
			return nil, false
		}
		return f.item.ActivationID, true
	case "entitlementId":
		if !f.have["ent"] || creates(op) {
			return nil, false
		}
		return f.ent.ID, true
	}
	return nil, false
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
