package accounts

import (
	"fmt"
	"slices"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
)

func userNames(recs []any) []string {
	var out []string
	for _, r := range recs {
		out = append(out, op.Str(r, "userIdentifier", "userName"))
	}
	slices.Sort(out)
	return out
}

func mail(names ...string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n + "@example.com"
	}
	slices.Sort(out)
	return out
}

func TestUsersQuery(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	limited := op.DefaultSettings()
	limited.MaxUserAccountIDs = 2
	unlimited := op.DefaultSettings()
	unlimited.MaxUserAccountIDs = -1
	accountIDs := func(vals ...string) []any {
		out := make([]any, len(vals))
		for i, v := range vals {
			out[i] = q(v, "EQUALS")
		}
		return out
	}
	tests := []struct {
		name    string
		cfg     op.Settings
		version string
		params  map[string]any
		want    []string // user names; nil with reason set: a FAILURE
		reason  string
	}{
		{"no criteria", op.DefaultSettings(), "v2", nil, mail("ann", "bob", "cid", "dee", "eve", "fay", "gus"), ""},
		{"first name STARTS_WITH", op.DefaultSettings(), "v3", map[string]any{"firstName": q("g", "STARTS_WITH")}, mail("gus"), ""},
		{"user name ENDS_WITH", op.DefaultSettings(), "v3", map[string]any{"userName": q("e@example.com", "ENDS_WITH")}, mail("dee", "eve"), ""},
		{"email CONTAINS", op.DefaultSettings(), "v3", map[string]any{"emailAddress": q("Y@EX", "CONTAINS")}, mail("fay"), ""},
		{"inactive", op.DefaultSettings(), "v4", map[string]any{"isActive": "false"}, mail("fay"), ""},
		{"one account ID (v5)", op.DefaultSettings(), "v5", map[string]any{"accountID": q("ACME", "EQUALS")}, mail("eve", "gus"), ""},
		{"account name", op.DefaultSettings(), "v5", map[string]any{"accountName": q("Beta", "STARTS_WITH")}, mail("fay", "gus"), ""},
		{"account type", op.DefaultSettings(), "v3", map[string]any{"accountType": "CHANNEL_PARTNER"}, mail("cid"), ""},
		{"role", op.DefaultSettings(), "v3", map[string]any{"roles": map[string]any{"roleName": []any{"Portal Admin"}}}, mail("ann", "eve"), ""},
		{"several account IDs (v6)", op.DefaultSettings(), "v6", map[string]any{"accountID": accountIDs("A1-ROOT", "a1.2", "BETA")}, mail("ann", "dee", "fay", "gus"), ""},
		{"over the account-ID limit", limited, "v6", map[string]any{"accountID": accountIDs("A1-ROOT", "a1", "BETA")}, nil, "at most 2"},
		{"at the account-ID limit", limited, "v6", map[string]any{"accountID": accountIDs("A1-ROOT", "a1")}, mail("ann", "bob"), ""},
		{"-1 is unlimited", unlimited, "v6", map[string]any{"accountID": accountIDs("A1-ROOT", "a1", "a1.1", "a1.2", "ACME", "BETA", "X", "Y", "Z", "W", "V")}, mail("ann", "bob", "cid", "dee", "eve", "fay", "gus"), ""},
		{"eleven IDs over the default 10", op.DefaultSettings(), "v6", map[string]any{"accountID": accountIDs("A1-ROOT", "a1", "a1.1", "a1.2", "ACME", "BETA", "X", "Y", "Z", "W", "V")}, nil, "at most 10"},
		// seed 002 L305–309: A1 with usersFromLinkedAccount is A1, a1 and a1.1, not a1.2.
		{"linked: A1 and its direct sub-accounts", op.DefaultSettings(), "v6", map[string]any{"accountID": accountIDs("A1-ROOT"), "usersFromLinkedAccount": "true"}, mail("ann", "bob", "cid"), ""},
		{"linked: a1.1 and a1.2, not A1", op.DefaultSettings(), "v6", map[string]any{"accountID": accountIDs("a1.1"), "usersFromLinkedAccount": "true"}, mail("cid", "dee"), ""},
		{"linked by account name", op.DefaultSettings(), "v6", map[string]any{"accountName": q("Alpha One", "EQUALS"), "usersFromLinkedAccount": "true"}, mail("ann", "bob", "cid"), ""},
		{"linked, unknown account", op.DefaultSettings(), "v6", map[string]any{"accountID": accountIDs("NOPE"), "usersFromLinkedAccount": "true"}, nil, ""},
		{"linked off is the plain filter", op.DefaultSettings(), "v6", map[string]any{"accountID": accountIDs("A1-ROOT"), "usersFromLinkedAccount": "false"}, mail("ann"), ""},
		{"linked with two IDs", op.DefaultSettings(), "v6", map[string]any{"accountID": accountIDs("A1-ROOT", "ACME"), "usersFromLinkedAccount": "true"}, nil, ErrMultipleLinked},
		{"custom attributes are refused", op.DefaultSettings(), "v6", map[string]any{"customAttributes": map[string]any{"attribute": []any{map[string]any{"attributeName": "x"}}}}, nil, "customAttributes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := registry(t, st, tt.cfg)
			req := map[string]any{"pageNumber": "1", "batchSize": "50"}
			creq := map[string]any{}
			if tt.params != nil {
				req["queryParams"], creq["queryParams"] = tt.params, tt.params
			}
			got := call(t, r, UserAcctHierarchy, tt.version, "getUsersQuery", req)
			cnt := call(t, r, UserAcctHierarchy, tt.version, "getUserCount", creq)
			if tt.reason != "" {
				for _, m := range []map[string]any{got, cnt} {
					if status(m) != "FAILURE" || !containsText(op.Str(m, "statusInfo", "reason"), tt.reason) {
						t.Errorf("got %v, want FAILURE with %q", m["statusInfo"], tt.reason)
					}
				}
				return
			}
			if status(got) != "SUCCESS" {
				t.Fatalf("status %v", got["statusInfo"])
			}
			if g := userNames(records(got, "user")); !slices.Equal(g, tt.want) {
				t.Errorf("got %v, want %v", g, tt.want)
			}
			if n := count(t, cnt); n != len(tt.want) {
				t.Errorf("count %d, want %d", n, len(tt.want))
			}
		})
	}
}

func containsText(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0))
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestUserDetail(t *testing.T) {
	t.Parallel()
	r := registry(t, fixture(t), op.DefaultSettings())
	got := call(t, r, UserAcctHierarchy, "v5", "getUsersQuery", map[string]any{
		"queryParams": map[string]any{"userName": q("gus@example.com", "EQUALS")}, "pageNumber": "1", "batchSize": "1"})
	recs := records(got, "user")
	if len(recs) != 1 {
		t.Fatalf("%d users", len(recs))
	}
	u := recs[0]
	if op.Str(u, "userIdentifier", "primaryKeys", "firstName") != "Gus" || op.Str(u, "status") != "Active" || op.Str(u, "createdBy") != "generator" {
		t.Errorf("user %v", u)
	}
	roles := op.List(u, "accountRolesList", "acctRoles")
	if len(roles) != 2 {
		t.Fatalf("acctRoles %v", roles)
	}
	// v5: the account's name next to its identifier.
	if op.Str(roles[0], "account", "primaryKeys", "id") != "ACME" || op.Str(roles[0], "name") != "Acme Corp" ||
		op.Str(roles[1], "name") != "Beta Industries" {
		t.Errorf("acctRoles %v", roles)
	}
	if rn := op.List(roles[0], "roles", "roleName"); len(rn) != 1 || rn[0] != "Portal User" {
		t.Errorf("roles %v", rn)
	}
	// Organization naming of the same user.
	got = call(t, r, UserOrgHierarchy, "base", "getUsersQuery", map[string]any{
		"queryParams": map[string]any{"orgName": q("beta", "EQUALS")}, "pageNumber": "1", "batchSize": "10"})
	if g := userNames(records(got, "user")); !slices.Equal(g, mail("fay", "gus")) {
		t.Errorf("org users %v", g)
	}
	if op.Str(records(got, "user")[0], "orgRolesList", "orgRoles", "organization", "primaryKeys", "name") == "" &&
		len(op.List(op.Get(records(got, "user")[0], "orgRolesList", "orgRoles"))) == 0 {
		t.Errorf("no orgRolesList in %v", records(got, "user")[0])
	}
}

func TestCreateUser(t *testing.T) {
	t.Parallel()
	user := func(email, acct string) map[string]any {
		return map[string]any{"firstName": "New", "lastName": "User", "emailAddress": email, "canLogin": "true",
			"acctRolesList": map[string]any{"acctRoles": []any{map[string]any{
				"account": map[string]any{"primaryKeys": map[string]any{"id": acct}},
				"roles":   map[string]any{"role": []any{map[string]any{"primaryKeys": map[string]any{"name": "Portal User"}}}},
			}}}}
	}
	many := make([]any, 26)
	for i := range many {
		many[i] = user(fmt.Sprintf("n%d@example.com", i), "A1-ROOT")
	}
	tests := []struct {
		name    string
		req     map[string]any
		status  string
		created []string
		failed  int
	}{
		{"one", map[string]any{"user": []any{user("new@example.com", "A1-ROOT")}}, "SUCCESS", []string{"new@example.com"}, 0},
		{"unknown account", map[string]any{"user": []any{user("new@example.com", "NOPE")}}, "FAILURE", nil, 1},
		{"no account", map[string]any{"user": []any{map[string]any{"firstName": "a", "lastName": "b", "emailAddress": "c@d", "canLogin": "true",
			"acctRolesList": map[string]any{"acctRoles": []any{map[string]any{"account": ""}}}}}}, "FAILURE", nil, 1},
		{"existing user name", map[string]any{"user": []any{user("ann@example.com", "A1-ROOT"), user("new@example.com", "A1-ROOT")}}, "PARTIAL_FAILURE", []string{"new@example.com"}, 1},
		{"create or ignore", map[string]any{"user": []any{user("ann@example.com", "ACME")}, "opType": "CREATE_OR_IGNORE"}, "SUCCESS", []string{"ann@example.com"}, 0},
		{"create or update", map[string]any{"user": []any{user("ann@example.com", "ACME")}, "opType": "CREATE_OR_UPDATE"}, "SUCCESS", []string{"ann@example.com"}, 0},
		{"over the write batch limit", map[string]any{"user": many}, "FAILURE", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := fixture(t)
			r := registry(t, st, op.DefaultSettings())
			got := call(t, r, UserAcctHierarchy, "v6", "createUser", tt.req)
			if status(got) != tt.status {
				t.Fatalf("status %v, want %s", got["statusInfo"], tt.status)
			}
			var names []string
			for _, u := range records(got, "user") {
				names = append(names, op.Str(u, "userName"))
			}
			if !slices.Equal(names, tt.created) {
				t.Errorf("created %v, want %v", names, tt.created)
			}
			if f := op.List(got, "failedData", "failedUser"); len(f) != tt.failed {
				t.Errorf("%d failed, want %d", len(f), tt.failed)
			}
			if tt.name == "create or update" {
				u, err := st.User("ann@example.com")
				if err != nil || len(u.Accounts) != 1 || u.Accounts[0].AccountID != "ACME" || u.FirstName != "New" || u.CreatedBy != "generator" {
					t.Errorf("after update: %+v %v", u, err)
				}
			}
			if tt.name == "create or ignore" {
				if u, _ := st.User("ann@example.com"); u.FirstName != "Ann" {
					t.Errorf("ignore changed the user: %+v", u)
				}
			}
		})
	}
}

func TestCreatedUserIsQueryable(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	r := registry(t, st, op.DefaultSettings())
	call(t, r, UserOrgHierarchy, "v1", "createUser", map[string]any{"user": []any{map[string]any{
		"firstName": "Org", "lastName": "Member", "emailAddress": "org@example.com", "canLogin": "false", "userName": "orgmember",
		"orgRolesList": map[string]any{"orgRoles": []any{map[string]any{"organization": map[string]any{"primaryKeys": map[string]any{"name": "a1.2"}}}}},
	}}})
	got := call(t, r, UserAcctHierarchy, "v6", "getUsersQuery", map[string]any{
		"queryParams": map[string]any{"accountID": []any{q("a1.1", "EQUALS")}, "usersFromLinkedAccount": "true", "canLogIn": "false"},
		"pageNumber":  "1", "batchSize": "10"})
	if g := userNames(records(got, "user")); !slices.Equal(g, []string{"orgmember"}) {
		t.Errorf("got %v", g)
	}
}
