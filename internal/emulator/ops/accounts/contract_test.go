package accounts

import (
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/opstest"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// TestResponsesAnswerTheSchema runs every operation of every version of the
// four services, through the projection, against the test fixture and a
// small generated data set, and
// validates each response payload with libxml2 against that version's WSDL:
// the request sample of schemas/testdata (minimal, so mostly failures and
// empty pages) and the filled requests below (records with every field the
// state has, failedData echoing requests).
func TestResponsesAnswerTheSchema(t *testing.T) {
	t.Parallel()
	opstest.EachVersion(t, func(t *testing.T, s *opstest.Schema) {
		gen := state.Generate(state.Sizes{Accounts: 30, Users: 25, Products: 12, Entitlements: 5, Devices: 5, Fulfillments: 5}, 3)
		for si, st := range []*state.Store{fixture(t), gen} {
			r := registry(t, st, op.DefaultSettings())
			for _, o := range s.Version.Operations {
				reqs := append([]map[string]any{s.Sample(t, o.Name)}, filled(s.Version.Service, o.Name)...)
				for i, req := range reqs {
					out := call(t, r, s.Version.Service, s.Version.Version.String(), o.Name, req)
					s.Check(t, opstest.Label(si, o.Name, i), o.Name, out)
				}
			}
		}
	}, UserAcctHierarchy, UserOrgHierarchy, ProductPackaging, Authentication)
}

// filled are requests beyond the minimal sample, as plain values, that
// make the handlers return full records and failedData.
func filled(service, operation string) []map[string]any {
	page := func(m map[string]any) map[string]any {
		m["pageNumber"], m["batchSize"] = "1", "100"
		return m
	}
	acctRecord := map[string]any{"id": "NEWACCT", "name": "New Account", "description": "d", "visible": "true",
		"address":          map[string]any{"address1": "1 Main St", "city": "Oslo", "country": "NO"},
		"customAttributes": map[string]any{"attribute": []any{map[string]any{"attributeName": "tier", "stringValue": "gold"}}}}
	dupAcct := map[string]any{"id": "ACME", "name": "Acme Again"}
	orgRecord := map[string]any{"name": "NEWORG", "displayName": "New Org", "orgType": "CUSTOMER"}
	dupOrg := map[string]any{"name": "ACME", "displayName": "Acme Again"}
	role := map[string]any{"role": []any{map[string]any{"primaryKeys": map[string]any{"name": "Portal User"}}}}
	user := func(email, recordKey, pk, id, rolesList, roleKey string) map[string]any {
		return map[string]any{"firstName": "New", "lastName": "User", "emailAddress": email, "canLogin": "true",
			rolesList: map[string]any{roleKey: []any{map[string]any{recordKey: map[string]any{"primaryKeys": map[string]any{pk: id}}, "roles": role}}}}
	}
	switch service + "/" + operation {
	case UserAcctHierarchy + "/createAccount":
		return []map[string]any{{"account": []any{acctRecord, dupAcct}}}
	case UserOrgHierarchy + "/createOrganization":
		return []map[string]any{{"organization": []any{orgRecord, dupOrg}}}
	case UserAcctHierarchy + "/getAccountsQuery", UserOrgHierarchy + "/getOrganizationsQuery":
		return []map[string]any{page(map[string]any{})}
	case UserAcctHierarchy + "/getSubAccounts":
		return []map[string]any{{"account": map[string]any{"primaryKeys": map[string]any{"id": "A1-ROOT"}}}}
	case UserOrgHierarchy + "/getSubOrganizations":
		return []map[string]any{{"organization": map[string]any{"primaryKeys": map[string]any{"name": "A1-ROOT"}}}}
	case UserAcctHierarchy + "/createUser":
		return []map[string]any{{"user": []any{user("x@example.com", "account", "id", "A1-ROOT", "acctRolesList", "acctRoles"),
			user("ann@example.com", "account", "id", "A1-ROOT", "acctRolesList", "acctRoles")}}}
	case UserOrgHierarchy + "/createUser":
		return []map[string]any{{"user": []any{user("x@example.com", "organization", "name", "A1-ROOT", "orgRolesList", "orgRoles"),
			user("y@example.com", "organization", "name", "NOPE", "orgRolesList", "orgRoles")}}}
	case UserAcctHierarchy + "/getUsersQuery", UserOrgHierarchy + "/getUsersQuery":
		return []map[string]any{page(map[string]any{})}
	case ProductPackaging + "/getProductsQuery":
		return []map[string]any{page(map[string]any{"returnContainedObjects": "true"})}
	case ProductPackaging + "/getFeaturesQuery":
		return []map[string]any{page(map[string]any{})}
	case Authentication + "/validateToken":
		return []map[string]any{{"token": tokens{key: TokenKey(42)}.issue("sjoe", now.Add(DefaultTokenLifetime))}}
	}
	return nil
}
