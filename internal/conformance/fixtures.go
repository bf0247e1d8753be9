package conformance

import (
	"slices"
	"strings"

	"github.com/fnokit/fnokit/internal/xmltree"
)

// fixtures rewrite the placeholder values of the generated request samples
// ("sample", empty identifiers) into records the target has (Records), and
// add the optional elements an operation needs to do anything, so that most
// calls succeed rather than answer FAILURE. Values are supersets (every
// name any version uses): the projection drops what the called version does
// not declare. Operations that retire a record get one of their own, so the
// order of the calls does not decide their status. One fixtures value
// serves the calls of one version, in order.
type fixtures struct {
	rec   Records
	token string // issued by getSecureToken, for validateToken
}

func newFixtures(r Records) *fixtures { return &fixtures{rec: r} }

// device returns the device op works on.
func (f *fixtures) device(op string) (Device, bool) {
	if op == "zeroCountAddonLineItems" { // zero-count mappings are for servers
		if f.rec.Server == nil {
			return Device{}, false
		}
		return *f.rec.Server, true
	}
	i := slices.Index(retiringDevices, op) + 1 // 0 for every other operation
	if i >= len(f.rec.Clients) {
		return Device{}, false
	}
	return f.rec.Clients[i], true
}

// fulfillment returns the active fulfilment op works on.
func (f *fixtures) fulfillment(op string) (string, bool) {
	i := slices.Index(retiringFulfillments, op) + 1
	if i >= len(f.rec.FulfillmentIDs) {
		return "", false
	}
	return f.rec.FulfillmentIDs[i], true
}

// fill rewrites a request's values in place.
func (f *fixtures) fill(op string, values map[string]any) {
	f.walk(op, values)
	// Optional elements at the root the operation needs to do anything;
	// the minimal sample leaves them out.
	switch op {
	case "moveDevice":
		if a := f.rec.Account; a != nil {
			values["soldToName"] = a.Name
			values["soldToUniqueId"] = a.ID
		}
	case "getExactAvailableCount":
		if id := f.rec.ActivationID; id != "" {
			values["activationId"] = map[string]any{"primaryKeys": map[string]any{"activationId": id}}
		}
	case "authenticateUser":
		if l := f.rec.Login; l != nil {
			values["userName"], values["password"] = l.User, string(l.Password)
		}
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
				"id":            d.ID,
				"idType":        d.IDType,
				"publisherName": d.Publisher,
				"deviceClass":   d.Class,
			}, true
		}
		return d.ID, true
	case "entitlementIdentifier":
		id := f.rec.EntitlementID
		if op == "deleteEntitlement" {
			id = f.rec.SpareEntitlementID
		}
		if id == "" {
			return nil, false
		}
		return map[string]any{"primaryKeys": map[string]any{"entitlementId": id}}, true
	case "lineItemIdentifier":
		id := f.rec.ActivationID
		if id == "" {
			return nil, false
		}
		// EntitlementOrder's identifier and ManageDevice's
		// linkLineItemIdentifier, in one.
		return map[string]any{
			"primaryKeys":  map[string]any{"activationId": id},
			"activationId": id,
			"count":        "1",
		}, true
	case "fulfillmentIdentifier":
		id, ok := f.fulfillment(op)
		if !ok {
			return nil, false
		}
		return map[string]any{"primaryKeys": map[string]any{"fulfillmentId": id}}, true
	case "licenseModelIdentifier", "licenseModel":
		if f.rec.LicenseModel == "" || !identifier(v) {
			return nil, false
		}
		return map[string]any{"primaryKeys": map[string]any{"name": f.rec.LicenseModel}}, true
	case "account", "organization", "parentAccount", "parentOrganization":
		// An account identifier (uniqueId or primaryKeys); account data
		// to create (id, name, …) is left alone.
		a := f.rec.Account
		if a == nil || !identifier(v) {
			return nil, false
		}
		return map[string]any{"primaryKeys": map[string]any{"id": a.ID, "name": a.Name}}, true
	case "activationId", "entitlementId":
		if creates(op) && (isMap || v == "") {
			// idType of a record to create: let the target name it.
			return map[string]any{"autoGenerate": "true"}, true
		}
		id := f.rec.ActivationID
		if key == "entitlementId" {
			id = f.rec.EntitlementID
		}
		if id == "" {
			return nil, false
		}
		if isMap || v == "" {
			// An identifier or an idType: both forms, the schema keeps one.
			return map[string]any{"id": id, "primaryKeys": map[string]any{key: id}}, true
		}
		return id, true
	case "userId":
		if f.rec.UserName != "" && v == "sample" {
			return f.rec.UserName, true
		}
	case "idList":
		if f.rec.EntitlementID != "" && isMap {
			return map[string]any{"id": []any{f.rec.EntitlementID}}, true
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
		if p := f.rec.Product; p != nil && m["product"] == nil {
			m["product"] = map[string]any{"primaryKeys": map[string]any{"name": p.Name, "version": p.Version}}
		}
		if f.rec.LicenseModel != "" && m["licenseModel"] == nil {
			m["licenseModel"] = map[string]any{"primaryKeys": map[string]any{"name": f.rec.LicenseModel}}
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
		"deviceType":    d.Class,
		"deviceId":      d.ID,
		"deviceIdType":  d.IDType,
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
