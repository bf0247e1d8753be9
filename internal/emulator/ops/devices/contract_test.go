package devices

import (
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/opstest"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// TestResponsesAnswerTheSchema runs every operation of every
// ManageDeviceService version through the projection and validates each
// response payload with libxml2 against that version's WSDL: the valid
// request sample of schemas/testdata (minimal: mostly failures) and the
// filled requests below (every response switch on, records that succeed
// and records that fail), over the fixture and a generated data set.
func TestResponsesAnswerTheSchema(t *testing.T) {
	t.Parallel()
	opstest.EachVersion(t, func(t *testing.T, s *opstest.Schema) {
		gen := state.Generate(state.Sizes{Accounts: 10, Users: 10, Products: 6, Entitlements: 20, Devices: 60, Fulfillments: 5}, 3)
		for si, st := range []*state.Store{fixture(t), gen} {
			cfg := op.DefaultSettings()
			for _, zero := range []bool{true, false} {
				cfg.AllowZeroCountMapping = zero
				h := newHandlers(st, cfg, testSigner)
				for _, o := range s.Version.Operations {
					for i, req := range append([]map[string]any{s.Sample(t, o.Name)}, filled(o.Name)...) {
						out := call(t, h, s.Version.Version.String(), o.Name, req)
						label := opstest.Label(si, o.Name, i)
						s.Declared(t, label, o.Name, out)
						s.Check(t, label, o.Name, out)
					}
				}
			}
		}
	}, Service)
}

// every response switch any version has, on.
var allSwitches = func() map[string]any {
	m := map[string]any{}
	for _, k := range []string{"alias", "description", "status", "servedStatus", "hostTypeName", "soldTo", "channelPartners",
		"preBuiltProduct", "preBuiltLicense", "addOnActivationId", "addOnCounts", "addOnProduct", "addOnLicense", "features",
		"addOnExpirationDateOverride", "addOnCreatedDate", "addOnLastModifiedDate", "publisherIdentity", "parent",
		"machineType", "vmDetails", "vmInfo", "vendorDictionary", "updates", "deviceUser", "name", "hosted", "baseProduct",
		"hasLicense", "bufferLicense", "addOnProductLine", "addOnPartNumber", "addOnEntitlementExpirationDate",
		"addOnEntitlementId", "addOnState", "addOnLicenseModel", "userInfo", "lastRequestTime", "lastSyncTime", "hasUpdates"} {
		m[k] = "true"
	}
	return m
}

// filled are requests beyond the minimal sample that make the handlers
// return full records and failedData. Keys a version lacks are harmless
// here: handlers read what they find.
func filled(operation string) []map[string]any {
	lineItems := func(aids ...string) []any {
		var out []any
		for _, a := range aids {
			li := map[string]any{"activationId": a, "count": "1"}
			if operation == "deleteAddonLineItems" { // deleteLineItemIdentifier has no count
				delete(li, "count")
			}
			out = append(out, map[string]any{"lineItemIdentifier": li})
		}
		return out
	}
	switch operation {
	case "getDevicesQuery":
		return []map[string]any{
			{"pageNumber": "1", "batchSize": "50", "deviceResponseConfig": allSwitches()},
			{"pageNumber": "1", "batchSize": "5000"},
		}
	case "searchDevices":
		return []map[string]any{
			{"pageNumber": "1", "batchSize": "50", "responseConfig": allSwitches()},
			{"batchSize": "5000"},
		}
	case "getDevice":
		return []map[string]any{
			{"deviceId": map[string]any{"id": devA1, "idType": "STRING", "publisherName": "demo", "deviceClass": "CLIENT"}, "responseConfig": allSwitches()},
			{"deviceId": map[string]any{"id": scD5, "idType": "STRING", "publisherName": "demo", "deviceClass": "SERVED_CLIENT"}, "responseConfig": allSwitches()},
		}
	case "getDeviceCount", "countDevices":
		return []map[string]any{{"queryParams": map[string]any{"deviceId": simple("DEV", "STARTS_WITH")}}}
	case "createDevice":
		return []map[string]any{{"device": []any{
			map[string]any{"deviceIdentifier": map[string]any{"deviceType": "CLIENT", "deviceId": "NEW-CONTRACT-1", "deviceIdType": "STRING"},
				"alias": "new", "siteName": "Here", "user": "u", "channelPartners": map[string]any{"channelPartner": []any{
					map[string]any{"tierName": endCustomerTier, "accountUnit": map[string]any{"uniqueId": "ACME"},
						"organizationUnit": map[string]any{"uniqueId": "ACME"}, "currentOwner": "true"}}}},
			map[string]any{"deviceIdentifier": map[string]any{"deviceType": "CLIENT", "deviceId": devA1}},
		}}}
	case "updateDevice":
		return []map[string]any{{"device": []any{
			map[string]any{"deviceIdentifier": ident("CLIENT", devA2), "description": "changed", "siteName": "There"},
			map[string]any{"deviceIdentifier": ident("CLIENT", "NO-SUCH-DEVICE")},
		}}}
	case "deleteDevice":
		return []map[string]any{{"deviceIdentifier": []any{ident("CLIENT", "NO-SUCH-DEVICE")}}}
	case "moveDevice":
		return []map[string]any{{"sourceDevices": map[string]any{"deviceIdentifier": []any{ident("CLIENT", devA2), ident("CLIENT", "NO-SUCH-DEVICE")}}, "soldToUniqueId": "BETA"}}
	case "returnHost":
		return []map[string]any{{"returnHosts": []any{map[string]any{"hostIdentifier": ident("CLIENT", "NO-SUCH-DEVICE")}}}}
	case "obsoleteHost":
		return []map[string]any{{"host": []any{map[string]any{"hostIdentifier": ident("CLIENT", "NO-SUCH-DEVICE")}}}}
	case "linkAddonLineItems", "incrementAddonLineItems", "decrementAddonLineItems", "zeroCountAddonLineItems", "deleteAddonLineItems":
		return []map[string]any{{"requestList": []any{
			map[string]any{"deviceIdentifier": ident("CLIENT", devA1), "lineItem": lineItems(aidTen, "NO-SUCH-AID")},
			map[string]any{"deviceIdentifier": ident("SERVER", srvG4), "lineItem": lineItems(aidTwo)},
		}}}
	case "generateCapabilityResponse":
		return []map[string]any{{"device": []any{
			map[string]any{"deviceIdentifier": ident("CLIENT", devA2), "lineItem": lineItems(aidTen), "bufferLicense": "false",
				"vendorDictionary": map[string]any{"entry": []any{map[string]any{"name": "k", "stringValue": "v"}}}},
			map[string]any{"deviceIdentifier": ident("CLIENT", devA1), "lineItem": lineItems("NO-SUCH-AID")},
		}, "request": []any{"AAEC"}}}
	case "generatePrebuiltLicense":
		return []map[string]any{{"requestDataList": []any{
			map[string]any{"deviceIdentifier": ident("CLIENT", devA1), "product": map[string]any{"primaryKeys": map[string]any{"name": "Widget", "version": "1.0"}}, "isPermanent": "true"},
			map[string]any{"deviceIdentifier": ident("CLIENT", devA1), "product": map[string]any{"primaryKeys": map[string]any{"name": "Nope"}}},
		}}}
	}
	return nil
}
