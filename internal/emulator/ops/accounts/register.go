// Package accounts holds the emulator's handlers for accounts, users and the
// product catalogue, and for single sign-on tokens:
//
//   - UserAcctHierarchyService v2–v6 and its predecessor
//     UserOrgHierarchyService base–v1, over one state (an organization is an
//     account; its name is the account ID, its displayName the account name);
//   - ProductPackagingService base–v2 (products, features, license models);
//   - FlexnetAuthentication base–v1 (getSecureToken, validateToken,
//     authenticateUser, and base's getUserToken).
//
// Each handler is written once for every version and returns a superset of
// the fields; the server's projection keeps what the called version
// declares. Business failures (an unknown account, a duplicate name, a
// batch over the limit, an invalid criterion) are statusInfo FAILURE or
// PARTIAL_FAILURE with failedData, as FNO answers them; SOAP faults are left
// to FlexnetAuthentication, whose responses carry no status.
package accounts

import (
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Service names, as the contracts spell them.
const (
	UserAcctHierarchy = "UserAcctHierarchyService"
	UserOrgHierarchy  = "UserOrgHierarchyService"
	ProductPackaging  = "ProductPackagingService"
	Authentication    = "FlexnetAuthentication"
)

// Options are what the handlers need beyond the state and the settings.
type Options struct {
	// Seed derives the key that signs single sign-on tokens (TokenKey), so
	// a seeded emulator issues the same tokens; set it to the data set's seed.
	Seed int64
	// Authenticate checks a user name and password for authenticateUser;
	// wire it to the emulator's web-services user (a constant-time
	// compare). Nil refuses everyone.
	Authenticate func(user, password string) bool
}

// Register registers every handler of the package on r with zero Options:
// tokens keyed by seed 0 and an authenticateUser that refuses everyone.
// The emulator calls RegisterWith.
func Register(r *op.Registry, st *state.Store, cfg op.Settings) {
	RegisterWith(r, st, cfg, Options{})
}

// RegisterWith registers every handler of the package on r.
func RegisterWith(r *op.Registry, st *state.Store, cfg op.Settings, o Options) {
	acct := &hierarchy{st: st, cfg: cfg, n: acctNaming}
	r.Handle(UserAcctHierarchy, "createAccount", acct.createAccount)
	r.Handle(UserAcctHierarchy, "getAccountsQuery", acct.accountsQuery)
	r.Handle(UserAcctHierarchy, "getAccountCount", acct.accountCount)
	r.Handle(UserAcctHierarchy, "getSubAccounts", acct.subAccounts)
	r.Handle(UserAcctHierarchy, "createUser", acct.createUser)
	r.Handle(UserAcctHierarchy, "getUsersQuery", acct.usersQuery)
	r.Handle(UserAcctHierarchy, "getUserCount", acct.userCount)

	org := &hierarchy{st: st, cfg: cfg, n: orgNaming}
	r.Handle(UserOrgHierarchy, "createOrganization", org.createAccount)
	r.Handle(UserOrgHierarchy, "getOrganizationsQuery", org.accountsQuery)
	r.Handle(UserOrgHierarchy, "getOrganizationCount", org.accountCount)
	r.Handle(UserOrgHierarchy, "getSubOrganizations", org.subAccounts)
	r.Handle(UserOrgHierarchy, "createUser", org.createUser)
	r.Handle(UserOrgHierarchy, "getUsersQuery", org.usersQuery)
	r.Handle(UserOrgHierarchy, "getUserCount", org.userCount)

	cat := &catalog{st: st, cfg: cfg}
	r.Handle(ProductPackaging, "getProductsQuery", cat.productsQuery)
	r.Handle(ProductPackaging, "getProductCount", cat.productCount)
	r.Handle(ProductPackaging, "getFeaturesQuery", cat.featuresQuery)
	r.Handle(ProductPackaging, "getLicenseModelIdentifiers", cat.licenseModelIdentifiers)

	a := &auth{tok: tokens{key: TokenKey(o.Seed)}, check: o.Authenticate}
	r.Handle(Authentication, "getUserToken", a.userToken)
	r.Handle(Authentication, "getSecureToken", a.secureToken)
	r.Handle(Authentication, "authenticateUser", a.authenticateUser)
	r.Handle(Authentication, "validateToken", a.validateToken)
}
