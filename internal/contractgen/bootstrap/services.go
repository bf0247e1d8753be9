package main

// serviceSpec is what the bootstrap needs to know about a service beyond its
// reference WSDLs: which operations are in scope (issue #3, by their WSDL
// names) and the prose the contract carries.
type serviceSpec struct {
	Name     string
	Family   string // operations | fne | platform
	InScope  []string
	Doc      string
	Changes  map[string]string // hand-written, seed-cited summary per version
	TypeDocs map[string]string
	OpDocs   map[string]string
}

var services = []*serviceSpec{
	{
		Name: "ManageDeviceService",
		Doc: `Device management for FlexNet Embedded hosts: create, update, delete, query and count
devices; map, unmap and change the counts of add-on line items; generate capability responses
and prebuilt licenses; move, return and obsolete hosts (seed 001 table 2-1, Device Management).
Base uses the opsembedded namespace; vN the fne namespaces.`,
		Changes: map[string]string{
			"v1": `Seed 001 table 2-2 (Manage Device v1, FNO 2017): "Introduction of a new User element for
devices" and "Removal of unsupported operations" (none of the removed ones is in scope).`,
			"v2": `Seed 001 table 2-2 (Manage Device v2, FNO 2017 R4): soldToOrgId added to getDevicesQuery, and
"Added the getAddonExpirationDate service". The v2 WSDL has no getAddonExpirationDate operation;
the add-on expiration date override appears as fields instead (see NOTES.md). The v2 WSDL also
drops twelve getDevicesQuery search parameters and three response-config switches that table
2-2 does not mention.`,
			"v3": `Seed 001 table 2-2 (Manage Device v3, FNO 2018 R1): "Changing organization to account and
org to acct". getDevice, searchDevices and countDevices first appear in the v3 WSDL.`,
		},
		Family: "fne",
		InScope: []string{"createDevice", "updateDevice", "deleteDevice", "getDevicesQuery", "getDeviceCount",
			"getDevice", "searchDevices", "countDevices", "linkAddonLineItems", "deleteAddonLineItems",
			"incrementAddonLineItems", "decrementAddonLineItems", "generateCapabilityResponse",
			"generatePrebuiltLicense", "moveDevice", "returnHost", "obsoleteHost", "zeroCountAddonLineItems",
			"getAddonExpirationDate"},
	},
	{
		Name: "EntitlementOrderService",
		Doc: `Entitlements and their line items: create simple and bulk entitlements and line items,
update line items, delete entitlements, change their state, query and count entitlements,
activatable items and line item properties, exact available counts, and map entitlements to
users (seed 001 table 2-1, Entitlement Order).`,
		Changes: map[string]string{
			"v1": `Seed 001 table 2-2 (Entitlement Order v1, FNO 2016 R4): "Removal of entitledProducts from
updateBulkEntitlement" (updateBulkEntitlement is not in scope). The opType fields below are not
in table 2-2.`,
			"v2": `Seed 001 table 2-2 (Entitlement Order v2, FNO 2017 R4): "Added transferredFromLineItem and
splitFromLineItem to the response for the getEntitlementLineItemPropertiesQuery". The
maintenanceLineItemAttributes fields below are not in table 2-2.`,
			"v3": `Seed 001 table 2-2 (Entitlement Order v3, FNO 2018 R1): "Changing organization to account and
org to acct". The other additions below (emailTemplateVariation, productLine, fulfilledCount,
orderLineNumber, lastModifiedDateTime, soldToName) are not in table 2-2.`,
		},
		Family: "operations",
		InScope: []string{"createSimpleEntitlement", "createBulkEntitlement", "createEntitlementLineItem",
			"updateEntitlementLineItem", "deleteEntitlement", "setEntitlementState", "getEntitlementsQuery",
			"getEntitlementCount", "getActivatableItemsQuery", "getActivatableItemCount",
			"getEntitlementLineItemPropertiesQuery", "getExactAvailableCount", "mapEntitlementsToUser"},
	},
	{
		Name: "LicenseService",
		Doc: `Fulfillments (licenses): query and count fulfillments and their properties, read the
attributes a license model needs, verify and create licenses singly or in batches, and return,
rehost, repair and email them (seed 001 table 2-1, License).`,
		Changes: map[string]string{
			"v1": `Seed 001 table 2-2 (License v1, FNO 2018 R1): "Changing organization to account and org to
acct".`,
		},
		Family: "operations",
		InScope: []string{"getFulfillmentCount", "getFulfillmentsQuery", "getFulfillmentPropertiesQuery",
			"getFulfillmentAttributesFromModel", "verifyCreateLicense", "createLicense", "createLicensesAsBatch",
			"returnLicense", "rehostLicense", "repairLicense", "emailLicense", "getHostQuery", "getHostCount"},
	},
	{
		Name: "UserAcctHierarchyService",
		Doc: `Accounts and users: create accounts and users, query and count them, and list an account's
sub-accounts (seed 001 table 2-1, User Account Hierarchy). It replaces UserOrgHierarchyService.
The reference base WSDL publishes no operations and there is no v1, so the contract starts at v2.`,
		Changes: map[string]string{
			"v2": `Seed 001 table 2-2 (User Account Hierarchy v2, FNO 2018 R1): "Rename user related fields from
userAccount to user". First version with operations in the reference WSDLs.`,
			"v3": `Seed 001 table 2-2 (User Account Hierarchy v3, FNO 2018 R3): createdDate, createdBy and
lastModifiedBy added to getAccountsQuery; createdBy and lastModifiedBy to getUsersQuery. The v3
WSDL also renames the types behind account and accountType (accountIdentifierTypeUser,
AcctType); element names and structure of those are unchanged.`,
		},
		Family: "operations",
		InScope: []string{"createAccount", "getAccountsQuery", "getAccountCount", "getSubAccounts",
			"createUser", "getUsersQuery", "getUserCount", "getUsersCount"},
	},
	{
		Name: "UserOrgHierarchyService",
		Doc: `Organizations and users, the predecessor of UserAcctHierarchyService: create organizations
and users, query and count them, and list an organization's sub-organizations (seed 001
table 2-1 and the version note on UserAcctHierarchyService).`,
		Changes: map[string]string{
			"v1": `Seed 001 table 2-2 has no row for User Organization Hierarchy; this version is known only
from the reference v1 WSDL.`,
		},
		Family: "operations",
		InScope: []string{"createOrganization", "getOrganizationsQuery", "getOrganizationCount",
			"getSubOrganizations", "createUser", "getUsersQuery", "getUserCount", "getUsersCount",
			"createAccount", "getAccountsQuery", "getAccountCount", "getSubAccounts"},
	},
	{
		Name: "ProductPackagingService",
		Doc: `Products, features and license models: query and count products, query features and list
license model identifiers (seed 001 table 2-1, Product Packaging).`,
		Changes: map[string]string{
			"v1": `Seed 001 table 2-2 (Product Packaging v1, FNO 2016 R3): "New attributes to products to support
the specification of upgrade start and end dates and the email template variation".`,
			"v2": `Seed 001 table 2-2 (Product Packaging v2, FNO 2018 R1): productLine for getProductsQuery,
organization to account, createAccount (formerly createOrganization) removed, AggregationType
for createFeature. None of it is visible in the in-scope part of the v2 WSDL, which has no
productLine at all (see NOTES.md).`,
		},
		Family:  "operations",
		InScope: []string{"getProductsQuery", "getProductCount", "getFeaturesQuery", "getLicenseModelIdentifiers"},
	},
	{
		Name: "FlexnetAuthentication",
		Doc: `Authentication: authenticate a user, issue and validate security tokens (seed 001 table 2-1,
FlexNet Authentication). Every operation of the service is in scope.`,
		Changes: map[string]string{
			"v1": `Seed 001 table 2-2 (FlexNet Authentication v1, FNO 2016 R4): "Removal of deprecated API,
getUserToken()". tokenTimeoutSeconds below is not in table 2-2.`,
		},
		Family:  "platform",
		InScope: []string{"authenticateUser", "getSecureToken", "getUserToken", "validateToken"},
	},
}
