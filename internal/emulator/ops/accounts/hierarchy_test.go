package accounts

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
)

func ids(t testing.TB, recs []any, record, pk string) []string {
	t.Helper()
	var out []string
	for _, r := range recs {
		if record != "" {
			r = op.Get(r, record)
		}
		out = append(out, op.Str(r, "primaryKeys", pk))
	}
	slices.Sort(out)
	return out
}

func TestCreateAccount(t *testing.T) {
	t.Parallel()
	acct := func(id, name string) map[string]any { return map[string]any{"id": id, "name": name} }
	many := make([]any, 26)
	for i := range many {
		many[i] = acct(fmt.Sprintf("N%d", i), fmt.Sprintf("New %d", i))
	}
	tests := []struct {
		name       string
		req        map[string]any
		wantStatus string
		created    []string
		failed     int
	}{
		{"one new", map[string]any{"account": []any{acct("NEW", "New Co")}}, "SUCCESS", []string{"NEW"}, 0},
		{"duplicate id", map[string]any{"account": []any{acct("A1-ROOT", "Another name")}}, "FAILURE", nil, 1},
		{"duplicate name, any case", map[string]any{"account": []any{acct("X9", "ACME CORP")}}, "FAILURE", nil, 1},
		{"one of two fails", map[string]any{"account": []any{acct("NEW2", "New Two"), acct("ACME", "Acme again")}}, "PARTIAL_FAILURE", []string{"NEW2"}, 1},
		{"create or ignore an existing one", map[string]any{"account": []any{acct("A1-ROOT", "Whatever")}, "opType": "CREATE_OR_IGNORE"}, "SUCCESS", []string{"A1-ROOT"}, 0},
		{"create or update an existing one", map[string]any{"account": []any{acct("BETA", "Beta Renamed")}, "opType": "CREATE_OR_UPDATE"}, "SUCCESS", []string{"BETA"}, 0},
		{"over the write batch limit", map[string]any{"account": many}, "FAILURE", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := fixture(t)
			r := registry(t, st, op.DefaultSettings())
			got := call(t, r, UserAcctHierarchy, "v3", "createAccount", tt.req)
			if s := status(got); s != tt.wantStatus {
				t.Fatalf("status %s (%v), want %s", s, got["statusInfo"], tt.wantStatus)
			}
			// created records are identifiers themselves: primaryKeys/id
			if c := ids(t, records(got, "account"), "", "id"); !slices.Equal(c, tt.created) {
				t.Errorf("created %v, want %v", c, tt.created)
			}
			failed := op.List(got, "failedData", "failedAcct")
			if len(failed) != tt.failed {
				t.Errorf("%d failed records, want %d", len(failed), tt.failed)
			}
			for _, f := range failed {
				if op.Str(f, "reason") == "" || op.Get(f, "account") == nil {
					t.Errorf("failed record without account or reason: %v", f)
				}
			}
		})
	}
}

func TestCreateAccountWritesTheState(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	r := registry(t, st, op.DefaultSettings())
	call(t, r, UserAcctHierarchy, "v6", "createAccount", map[string]any{"account": []any{map[string]any{
		"id": "NEW", "name": "New Co", "description": "made here", "visible": "false", "accountType": "PUBLISHER",
		"address": map[string]any{"city": "Oslo"},
	}}})
	a, err := st.Account("NEW")
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "New Co" || a.Description != "made here" || a.Visible || a.Type != "PUBLISHER" || a.Address.City != "Oslo" || a.CreatedBy != "admin" {
		t.Errorf("stored %+v", a)
	}
	// It is found by the query, with v3's createdBy.
	got := call(t, r, UserAcctHierarchy, "v6", "getAccountsQuery", map[string]any{
		"queryParams": map[string]any{"accountID": q("NEW", "EQUALS")}, "pageNumber": "1", "batchSize": "10"})
	recs := records(got, "acctData")
	if len(recs) != 1 || op.Str(recs[0], "createdBy") != "admin" || op.Str(recs[0], "name") != "New Co" {
		t.Errorf("query after create: %v", got)
	}
	// Organization naming writes the same state: name is the ID, displayName the name.
	call(t, r, UserOrgHierarchy, "v1", "createOrganization", map[string]any{"organization": []any{map[string]any{
		"name": "ORG1", "displayName": "Org One", "orgType": "CHANNEL_PARTNER"}}})
	if a, err := st.Account("ORG1"); err != nil || a.Name != "Org One" || a.Type != "CHANNEL_PARTNER" {
		t.Errorf("organization stored as %+v, %v", a, err)
	}
}

func TestAccountsQuerySearchTypes(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	r := registry(t, st, op.DefaultSettings())
	tests := []struct {
		name   string
		params map[string]any
		want   []string
	}{
		{"EQUALS, case-insensitive", map[string]any{"accountName": q("acme corp", "EQUALS")}, []string{"ACME"}},
		{"STARTS_WITH", map[string]any{"accountName": q("Alpha", "STARTS_WITH")}, []string{"A1-ROOT", "a1", "a1.1", "a1.2"}},
		{"CONTAINS", map[string]any{"accountName": q("child", "CONTAINS")}, []string{"a1", "a1.1", "a1.2"}},
		{"ENDS_WITH", map[string]any{"accountName": q("Industries", "ENDS_WITH")}, []string{"BETA"}},
		{"ID STARTS_WITH", map[string]any{"accountID": q("a1.", "STARTS_WITH")}, []string{"a1.1", "a1.2"}},
		{"only roots", map[string]any{"onlyRootAccounts": "true"}, []string{"A1-ROOT", "ACME", "BETA"}},
		{"one type", map[string]any{"accountType": "PUBLISHER"}, []string{"ACME"}},
		{"type list (v3 acctType)", map[string]any{"accountTypeList": map[string]any{"acctType": []any{"PUBLISHER", "CHANNEL_PARTNER"}}}, []string{"ACME", "a1.1"}},
		{"type and list both hold", map[string]any{"accountType": "CUSTOMER", "accountTypeList": map[string]any{"acctType": []any{"PUBLISHER"}}}, nil},
		{"city", map[string]any{"city": q("bang", "STARTS_WITH")}, []string{"A1-ROOT"}},
		{"two criteria", map[string]any{"accountName": q("Alpha", "STARTS_WITH"), "accountType": "CHANNEL_PARTNER"}, []string{"a1.1"}},
		{"modified on the day", map[string]any{"lastModifiedDateTime": map[string]any{"value": "2025-03-14T00:00:00Z", "searchType": "ON"}}, []string{"A1-ROOT", "ACME", "BETA", "a1", "a1.1", "a1.2"}},
		{"modified before", map[string]any{"lastModifiedDateTime": map[string]any{"value": "2025-03-14T00:00:00Z", "searchType": "BEFORE"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := call(t, r, UserAcctHierarchy, "v3", "getAccountsQuery", map[string]any{"queryParams": tt.params, "pageNumber": "1", "batchSize": "100"})
			if status(got) != "SUCCESS" {
				t.Fatalf("status %v", got["statusInfo"])
			}
			if g := ids(t, records(got, "acctData"), "account", "id"); !slices.Equal(g, tt.want) {
				t.Errorf("got %v, want %v", g, tt.want)
			}
			n := count(t, call(t, r, UserAcctHierarchy, "v3", "getAccountCount", map[string]any{"queryParams": tt.params}))
			if n != len(tt.want) {
				t.Errorf("count %d, query found %d", n, len(tt.want))
			}
		})
	}
}

func TestAccountsQueryPaging(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	cfg := op.DefaultSettings()
	cfg.MaxReadBatch = 4
	r := registry(t, st, cfg)
	total := count(t, call(t, r, UserAcctHierarchy, "v2", "getAccountCount", map[string]any{}))
	if total != len(fixtureAccounts) {
		t.Fatalf("count %d, want %d", total, len(fixtureAccounts))
	}
	seen := map[string]bool{}
	for page := 1; ; page++ {
		got := call(t, r, UserAcctHierarchy, "v2", "getAccountsQuery", map[string]any{"pageNumber": fmt.Sprint(page), "batchSize": "4"})
		recs := records(got, "acctData")
		if len(recs) > 4 {
			t.Fatalf("page %d has %d records for batchSize 4", page, len(recs))
		}
		if len(recs) == 0 {
			break
		}
		for _, rec := range recs {
			id := op.Str(rec, "account", "primaryKeys", "id")
			if seen[id] {
				t.Errorf("%s on two pages", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != total {
		t.Errorf("pages hold %d accounts, count says %d", len(seen), total)
	}
	for _, tt := range []struct{ name, page, size string }{
		{"batch over the read limit", "1", "5"},
		{"batch zero", "1", "0"},
		{"page zero", "0", "2"},
		{"not a number", "x", "2"},
	} {
		got := call(t, r, UserAcctHierarchy, "v2", "getAccountsQuery", map[string]any{"pageNumber": tt.page, "batchSize": tt.size})
		if status(got) != "FAILURE" || op.Str(got, "statusInfo", "reason") == "" {
			t.Errorf("%s: %v, want FAILURE with a reason", tt.name, got["statusInfo"])
		}
	}
	// nil paging (xsi:nil) is the first page of the largest batch.
	got := call(t, r, UserAcctHierarchy, "v2", "getAccountsQuery", map[string]any{"pageNumber": map[string]any{}, "batchSize": map[string]any{}})
	if len(records(got, "acctData")) != 4 {
		t.Errorf("nil paging: %d records, want the read limit 4", len(records(got, "acctData")))
	}
}

func TestAccountsQueryRejectsUnknownSearchType(t *testing.T) {
	t.Parallel()
	r := registry(t, fixture(t), op.DefaultSettings())
	params := map[string]any{"accountName": q("x", "NOT_EQUALS")}
	for _, name := range []string{"getAccountsQuery", "getAccountCount"} {
		got := call(t, r, UserAcctHierarchy, "v6", name, map[string]any{"queryParams": params, "pageNumber": "1", "batchSize": "1"})
		if status(got) != "FAILURE" {
			t.Errorf("%s: %v", name, got["statusInfo"])
		}
	}
}

func TestSubAccounts(t *testing.T) {
	t.Parallel()
	r := registry(t, fixture(t), op.DefaultSettings())
	tests := []struct {
		name, service, version, op, record, pk string
		ident                                  map[string]any
		status                                 string
		want                                   []string
	}{
		{"direct children only", UserAcctHierarchy, "v6", "getSubAccounts", "account", "id", map[string]any{"primaryKeys": map[string]any{"id": "A1-ROOT"}}, "SUCCESS", []string{"a1", "a1.1"}},
		{"by uniqueId", UserAcctHierarchy, "v2", "getSubAccounts", "account", "id", map[string]any{"uniqueId": "a1.1"}, "SUCCESS", []string{"a1.2"}},
		{"leaf", UserAcctHierarchy, "v3", "getSubAccounts", "account", "id", map[string]any{"primaryKeys": map[string]any{"id": "a1.2"}}, "SUCCESS", nil},
		{"unknown", UserAcctHierarchy, "v3", "getSubAccounts", "account", "id", map[string]any{"primaryKeys": map[string]any{"id": "NOPE"}}, "FAILURE", nil},
		{"empty identifier", UserAcctHierarchy, "v3", "getSubAccounts", "account", "id", map[string]any{}, "FAILURE", nil},
		{"organizations", UserOrgHierarchy, "base", "getSubOrganizations", "organization", "name", map[string]any{"primaryKeys": map[string]any{"name": "A1-ROOT"}}, "SUCCESS", []string{"a1", "a1.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := call(t, r, tt.service, tt.version, tt.op, map[string]any{tt.record: tt.ident})
			if status(got) != tt.status {
				t.Fatalf("status %v, want %s", got["statusInfo"], tt.status)
			}
			list := "acctData"
			if tt.record == "organization" {
				list = "orgData"
			}
			if g := ids(t, records(got, list), tt.record, tt.pk); !slices.Equal(g, tt.want) {
				t.Errorf("got %v, want %v", g, tt.want)
			}
		})
	}
}

func TestOrganizationsQuery(t *testing.T) {
	t.Parallel()
	r := registry(t, fixture(t), op.DefaultSettings())
	params := map[string]any{"orgDisplayName": q("Alpha", "STARTS_WITH"), "orgTypeList": map[string]any{"orgType": []any{"CUSTOMER"}}}
	got := call(t, r, UserOrgHierarchy, "v1", "getOrganizationsQuery", map[string]any{"queryParams": params, "pageNumber": "1", "batchSize": "10"})
	recs := records(got, "orgData")
	if g := ids(t, recs, "organization", "name"); !slices.Equal(g, []string{"A1-ROOT", "a1", "a1.2"}) {
		t.Errorf("got %v", g)
	}
	for _, rec := range recs {
		if !strings.HasPrefix(op.Str(rec, "displayName"), "Alpha") || op.Str(rec, "orgType") != "CUSTOMER" {
			t.Errorf("record %v", rec)
		}
	}
	if n := count(t, call(t, r, UserOrgHierarchy, "v1", "getOrganizationCount", map[string]any{"queryParams": params})); n != len(recs) {
		t.Errorf("count %d, query %d", n, len(recs))
	}
}
