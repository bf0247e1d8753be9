package entitlements

import (
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/opstest"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// TestResponsesAnswerTheSchema runs every operation of every
// EntitlementOrderService and LicenseService version through the
// projection and validates each response payload with libxml2 against
// that version's WSDL: the valid request sample of schemas/testdata
// (minimal: mostly failures) and filled requests (records that succeed and
// records that fail, every response switch on), over the fixture and a
// generated data set. It also checks that no response key is one no
// version declares (a misspelt superset key).
func TestResponsesAnswerTheSchema(t *testing.T) {
	t.Parallel()
	opstest.EachVersion(t, func(t *testing.T, s *opstest.Schema) {
		gen := state.Generate(state.Sizes{Accounts: 10, Users: 10, Products: 6, Entitlements: 20, Devices: 20, Fulfillments: 10}, 5)
		for si, st := range []*state.Store{fixture(t), gen} {
			h := newHandlers(st, op.DefaultSettings(), testSigner)
			for _, o := range s.Version.Operations {
				for i, req := range append([]map[string]any{s.Sample(t, o.Name)}, filled(st, o.Name)...) {
					out := call(t, h, s.Version.Service, s.Version.Version.String(), o.Name, req)
					label := opstest.Label(si, o.Name, i)
					t.Logf("%s: %s %s", label, statusOf(out), op.Str(out, "statusInfo", "reason"))
					s.Declared(t, label, o.Name, out)
					s.Check(t, label, o.Name, out)
				}
			}
		}
	}, EntitlementOrder, License)
}

// flags is a response config with every switch on.
func flags(names ...string) map[string]any {
	m := map[string]any{}
	for _, n := range names {
		m[n] = "true"
	}
	return m
}

var lineItemFlags = []string{"activationId", "description", "state", "activatableItemType", "orderId", "orderLineNumber",
	"entitlementId", "allowPortalLogin", "soldTo", "soldToDisplayName", "entitlementState", "entitlementDescription",
	"shipToEmail", "shipToAddress", "parentBulkEntitlementId", "bulkEntSoldTo", "bulkEntSoldToDisplayName", "product",
	"productDescription", "partNumber", "partNumberDescription", "licenseTechnology", "licenseModel",
	"lineItemSupportAction", "parentLineItem", "startDate", "startDateOption", "isPermanent", "term", "expirationDate",
	"versionDate", "versionDateAttributes", "numberOfCopies", "fulfilledAmount", "numberOfRemainingCopies", "isTrusted",
	"maintenance", "maintenancePartNumber", "FNPTimeZoneValue", "createdOnDateTime", "lastModifiedDateTime",
	"lineItemAttributes", "maintenanceLineItemAttributes", "transferredFromLineItem", "splitFromLineItem",
	"isAutoRenewal", "renewalInterval", "renewalExpirationDate"}

var fulfillmentFlags = []string{"fulfillmentId", "fulfillmentType", "state", "entitlementId", "lineitemId", "product",
	"productDescription", "partNumber", "partNumberDescription", "licenseTechnology", "licenseModel", "soldTo",
	"soldToDisplayName", "shipToEmail", "shipToAddress", "licenseHost", "fulfilledCount", "overDraftCount", "fulfillDate",
	"fulfillDateTime", "isPermanent", "startDate", "expirationDate", "versionDate", "licenseFileType", "licenseText",
	"binaryLicense", "supportAction", "lastModifiedDateTime", "parentFulfillmentId", "fulfillmentSource", "orderId",
	"orderLineNumber", "lineitemDescription", "totalCopies", "numberOfRemainingCopies", "isTrusted", "migrationId",
	"vendorDaemonName", "licenseFiles", "FNPTimeZoneValue", "activationType"}

// filled returns requests for operation name that reach the records of st:
// some succeed, some fail.
func filled(st *state.Store, name string) []map[string]any {
	var item state.LineItem
	if its, _ := st.LineItems(state.LineItemQuery{ReadyToActivate: true}, state.Page{Number: 1, Size: 1}); len(its) > 0 {
		item = its[0]
	}
	var ful state.Fulfillment
	if fs, _ := st.Fulfillments(state.FulfillmentQuery{State: state.Match{Value: "ACTIVE", Type: state.Equals}}, state.Page{Number: 1, Size: 1}); len(fs) > 0 {
		ful = fs[0]
	}
	var acct state.Account
	if as, _ := st.Accounts(state.AccountQuery{}, state.Page{Number: 1, Size: 1}); len(as) > 0 {
		acct = as[0]
	}
	prod := map[string]any{"primaryKeys": map[string]any{"name": item.Product.Name, "version": item.Product.Version}}
	serverHost := map[string]any{"serverIds": map[string]any{"server1": "srv-a", "server2": "srv-b", "server3": "srv-c"}}
	customHost := map[string]any{"customHost": map[string]any{"hostId": "VM-42", "hostType": map[string]any{"name": "VM_UUID"}}}
	switch name {
	case "createSimpleEntitlement":
		return []map[string]any{{"simpleEntitlement": []any{
			map[string]any{"entitlementId": map[string]any{"autoGenerate": "true"}, "soldTo": acct.ID, "autoDeploy": "true",
				"lineItems": []any{map[string]any{"activationId": map[string]any{"autoGenerate": "true"}, "product": prod,
					"numberOfCopies": "4", "term": map[string]any{"numDuration": "1", "durationUnit": "YEARS"}}}},
			map[string]any{"entitlementId": map[string]any{"id": "bad/id"}},
		}}}
	case "createBulkEntitlement":
		return []map[string]any{{"bulkEntitlement": []any{map[string]any{"entitlementId": map[string]any{"autoGenerate": "true"},
			"product": prod, "numberOfCopies": "2", "bulkEntitlementType": "UPGRADE", "autoDeploy": "true"}}}}
	case "createEntitlementLineItem":
		return []map[string]any{{"lineItem": []any{map[string]any{"entitlementIdentifier": entIdent(item.EntitlementID),
			"lineItems": []any{map[string]any{"activationId": map[string]any{"autoGenerate": "true"}, "product": prod, "numberOfCopies": "3"}}},
			map[string]any{"entitlementIdentifier": entIdent("no-such-entitlement")}}}}
	case "updateEntitlementLineItem":
		return []map[string]any{{"lineItemData": []any{map[string]any{"entitlementIdentifier": entIdent(item.EntitlementID),
			"lineItemData": []any{map[string]any{"lineItemIdentifier": itemIdent(item.ActivationID), "description": "updated",
				"isAutoRenewal": "true", "renewalInterval": map[string]any{"numDuration": "1", "durationUnit": "YEARS"}}}}}}}
	case "deleteEntitlement":
		return []map[string]any{{"entitlement": []any{map[string]any{"entitlementIdentifier": entIdent("no-such-entitlement")},
			map[string]any{"entitlementIdentifier": entIdent(item.EntitlementID)}}}}
	case "setEntitlementState":
		return []map[string]any{{"entitlement": []any{map[string]any{"entitlementIdentifier": entIdent(item.EntitlementID), "stateToSet": "DEPLOYED"},
			map[string]any{"entitlementIdentifier": entIdent("no-such-entitlement"), "stateToSet": "DEPLOYED"}}}}
	case "getEntitlementsQuery":
		return []map[string]any{{"entitlementSearchCriteria": map[string]any{}, "batchSize": "50"},
			{"entitlementSearchCriteria": map[string]any{"productName": sq("P", "CONTAINS"), "isPermanent": "true"}, "batchSize": "5", "pageNumber": "1"}}
	case "getEntitlementCount":
		return []map[string]any{{"queryParams": map[string]any{"state": sq("DEPLOYED", "EQUALS")}}}
	case "getActivatableItemsQuery":
		return []map[string]any{{"activatableItemSearchCriteria": map[string]any{}, "batchSize": "50"},
			{"activatableItemSearchCriteria": map[string]any{"activationIds": map[string]any{"activationId": []any{sq(item.ActivationID, "EQUALS")}}}, "batchSize": "5"}}
	case "getActivatableItemCount":
		return []map[string]any{{"queryParams": map[string]any{"restrictToItemsWithCount": "true"}, "restrictToItemsReadyToActivate": "true"}}
	case "getEntitlementLineItemPropertiesQuery":
		return []map[string]any{
			{"queryParams": map[string]any{}, "entitlementLineItemResponseConfig": flags(lineItemFlags...), "batchSize": "50"},
			{"queryParams": map[string]any{"accountUnitName": map[string]any{"value": []any{acct.Name, "nobody"}}},
				"entitlementLineItemResponseConfig": flags(lineItemFlags...), "batchSize": "50"},
		}
	case "getExactAvailableCount":
		return []map[string]any{{"activationId": itemIdent(item.ActivationID)}, {"activationId": itemIdent("no-such-item")}}
	case "mapEntitlementsToUser":
		var user string
		if us, _ := st.Users(state.UserQuery{}, state.Page{Number: 1, Size: 1}); len(us) > 0 {
			user = us[0].UserName
		}
		return []map[string]any{{"userId": user, "idList": map[string]any{"id": []any{item.EntitlementID, item.ActivationID, "nope"}}}}
	case "verifyCreateLicense", "createLicense":
		return []map[string]any{{"fulfillment": []any{
			createReq(item.ActivationID, 1, nodeHost("00163e000001")), createReq(item.ActivationID, 1, serverHost),
			createReq(item.ActivationID, 1, customHost), createReq("no-such-item", 1, nodeHost("x")),
		}}}
	case "createLicensesAsBatch":
		return []map[string]any{{"activationIds": map[string]any{"activationId": []any{item.ActivationID}},
			"hostIdDataSet": map[string]any{"hostIdData": []any{nodeHost("batch-1"), serverHost}}, "commonBatchDataSet": ""}}
	case "returnLicense":
		return []map[string]any{{"fulfillment": []any{map[string]any{"fulfillmentIdentifier": fulIdent(ful.ID)},
			map[string]any{"fulfillmentIdentifier": fulIdent("no-such-fulfillment")}}}}
	case "rehostLicense":
		return []map[string]any{{"fulfillment": []any{map[string]any{"fulfillmentIdentifier": fulIdent(ful.ID), "nodeIds": map[string]any{"nodeId": []any{"new-host"}}}}}}
	case "repairLicense":
		return []map[string]any{{"fulfillment": []any{map[string]any{"fulfillmentIdentifier": fulIdent(ful.ID)}}}}
	case "emailLicense":
		return []map[string]any{{"fulfillmentIdentifier": fulIdent(ful.ID), "emailIdList": map[string]any{"emailId": []any{"a@b.example"}}, "validateEmailAddresses": "true"}}
	case "getFulfillmentCount":
		return []map[string]any{{"queryParams": map[string]any{"state": sq("ACTIVE", "EQUALS")}}}
	case "getFulfillmentsQuery":
		return []map[string]any{{"queryParams": map[string]any{}, "pageNumber": "1", "batchSize": "50", "includeLicenseText": "true"}}
	case "getFulfillmentPropertiesQuery":
		return []map[string]any{{"queryParams": map[string]any{}, "fulfillmentResponseConfig": flags(fulfillmentFlags...), "batchSize": "50"}}
	case "getFulfillmentAttributesFromModel":
		return []map[string]any{{"licenseModelIdentifier": map[string]any{"primaryKeys": map[string]any{"name": item.LicenseModel}}}}
	case "getHostQuery":
		return []map[string]any{{"queryParams": map[string]any{"fulfillmentState": sq("ACTIVE", "EQUALS")}, "pageNumber": "1", "batchSize": "50"}}
	case "getHostCount":
		return []map[string]any{{"queryParams": map[string]any{}}}
	}
	return nil
}
