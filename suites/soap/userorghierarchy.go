package soap

import (
	. "github.com/onsi/ginkgo/v2"
)

// UserOrgHierarchyService, base–v1 (seed 001 table 2-1; replaced by
// UserAcctHierarchyService, whose account is this service's organization:
// the organization's name is the account ID, its displayName the account
// name).

const uoh = "UserOrgHierarchyService"

var orgHierarchy = hierarchy{
	service: uoh, record: "organization", pkKey: "name", nameKey: "displayName", idKey: "name", detailList: "orgData",
	qID: "orgName", qName: "orgDisplayName",
	create: "createOrganization", query: "getOrganizationsQuery", countOp: "getOrganizationCount", subs: "getSubOrganizations",
	createList: "organization", createRoles: "orgRolesList", createRole: "orgRoles", userAccountID: "orgName",
}

var _ = Describe("UserOrgHierarchyService", func() {
	hierarchySpecs(orgHierarchy)
})
