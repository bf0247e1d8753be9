package suite

import (
	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/schemas"
)

// liveBatch is how many records each lookup reads: enough to find a client
// and a server among the devices, small enough to be polite to a tenant.
const liveBatch = "50"

// liveRecords finds records of a live target with read operations of the
// newest version of each service: devices (searchDevices), fulfilments
// with their line item, entitlement and product (getFulfillmentsQuery),
// an account, a user, a product and its license model. A lookup that fails
// leaves its fields empty: the requests that needed them keep the
// samples' values and most likely answer FAILURE, which is still a valid
// answer. The login is left out (it would be the run's own password).
func (e *Env) liveRecords() conformance.Records {
	var r conformance.Records
	call := func(service, op string, payload map[string]any) map[string]any {
		v, ok := newest(service, op)
		if !ok {
			return nil
		}
		res, err := e.soapCall(service, v, op, payload)
		if err != nil || res.Payload == nil || res.Status != "SUCCESS" {
			return nil
		}
		return res.Payload
	}

	if p := call("ManageDeviceService", "searchDevices", map[string]any{"pageNumber": "1", "batchSize": liveBatch}); p != nil {
		for _, d := range list(dig(p, "devices", "device")) {
			id, _ := dig(d, "deviceId").(map[string]any)
			dev := conformance.Device{ID: str(id, "id"), IDType: str(id, "idType"), Publisher: str(id, "publisherName"), Class: str(id, "deviceClass")}
			switch {
			case dev.ID == "":
			case dev.Class == "SERVER" && r.Server == nil:
				r.Server = &dev
			case dev.Class == "CLIENT" && len(r.Clients) == 0:
				// Only one: the retiring operations, which would each take
				// one of their own, never run on a live target.
				r.Clients = append(r.Clients, dev)
			}
		}
	}
	if p := call("LicenseService", "getFulfillmentsQuery", map[string]any{"pageNumber": "1", "batchSize": "1"}); p != nil {
		for _, f := range list(dig(p, "responseData", "fulfillment")) {
			if id, _ := dig(f, "fulfillmentIdentifier", "primaryKeys", "fulfillmentId").(string); id != "" {
				r.FulfillmentIDs = append(r.FulfillmentIDs, id)
			}
			r.ActivationID, _ = dig(f, "lineItem", "primaryKeys", "activationId").(string)
			r.EntitlementID, _ = dig(f, "entitlementIdentifier", "primaryKeys", "entitlementId").(string)
		}
	}
	if p := call("UserAcctHierarchyService", "getAccountsQuery", map[string]any{"pageNumber": "1", "batchSize": "1"}); p != nil {
		if a := first(dig(p, "responseData", "acctData")); a != nil {
			id, _ := dig(a, "account", "primaryKeys", "id").(string)
			if id != "" {
				r.Account = &conformance.Account{ID: id, Name: str(a, "name")}
			}
		}
	}
	if p := call("UserAcctHierarchyService", "getUsersQuery", map[string]any{"pageNumber": "1", "batchSize": "1"}); p != nil {
		if u := first(dig(p, "responseData", "user")); u != nil {
			r.UserName, _ = dig(u, "userIdentifier", "userName").(string)
		}
	}
	if p := call("ProductPackagingService", "getProductsQuery", map[string]any{"pageNumber": "1", "batchSize": "1", "returnContainedObjects": "true"}); p != nil {
		if pr := first(dig(p, "responseData", "product")); pr != nil {
			if name := str(pr, "productName"); name != "" {
				r.Product = &conformance.Product{Name: name, Version: str(pr, "version")}
			}
			if lm := first(dig(pr, "licenseModels", "licenseModel")); lm != nil {
				r.LicenseModel, _ = dig(lm, "primaryKeys", "name").(string)
			}
		}
	}
	return r
}

// newest is the newest version of service that has op.
func newest(service, op string) (string, bool) {
	all, err := schemas.Services()
	if err != nil {
		return "", false
	}
	for _, s := range all {
		if s.Name != service {
			continue
		}
		for i := len(s.Versions) - 1; i >= 0; i-- {
			for _, o := range s.Versions[i].Operations {
				if o.Name == op {
					return s.Versions[i].Version.String(), true
				}
			}
		}
	}
	return "", false
}

// dig walks plain values by key; a list on the way is entered at its
// first element.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		v = first(v)
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// first is v, or its first element when v is a list.
func first(v any) any {
	if l, ok := v.([]any); ok {
		if len(l) == 0 {
			return nil
		}
		return l[0]
	}
	return v
}

// list is v as a list of maps (a single map is a list of one).
func list(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case map[string]any:
		return []any{x}
	}
	return nil
}

func str(v any, key string) string {
	s, _ := dig(v, key).(string)
	return s
}
