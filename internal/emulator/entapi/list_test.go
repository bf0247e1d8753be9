package entapi_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/entapi"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

type listed struct {
	ids   []string
	all   []map[string]any
	page  int
	limit int
	total int
}

func (e *env) list(t *testing.T, q url.Values) listed {
	t.Helper()
	x := e.do(t, http.MethodGet, entapi.PathEntitlements+"?"+q.Encode(), nil)
	if x.Status != http.StatusOK {
		t.Fatalf("list %s: %d %s", q.Encode(), x.Status, x.Body)
	}
	m := x.JSON(t)
	var l listed
	for _, v := range m["entitlements"].([]any) {
		ent := v.(map[string]any)
		l.ids = append(l.ids, ent["entitlementId"].(string))
		l.all = append(l.all, ent)
	}
	l.page, l.limit, l.total = int(m["page"].(float64)), int(m["limit"].(float64)), int(m["totalCount"].(float64))
	return l
}

// Pages (counted from 0) hold every simple entitlement once, as many as
// totalCount and the store say, in any sort order.
func TestListPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	simple := false
	want, err := e.st.CountEntitlements(state.EntitlementQuery{Bulk: &simple})
	if err != nil || want < 20 {
		t.Fatalf("%d simple entitlements (%v): too few to page", want, err)
	}
	for _, order := range []url.Values{
		{}, {"sort_order": {"desc"}},
		{"sort_by": {"entitlement_id"}}, {"sort_by": {"entitlement_id"}, "sort_order": {"desc"}},
		{"sort_by": {"created_on"}}, {"sort_by": {"created_on"}, "sort_order": {"desc"}},
	} {
		var ids []string
		var created []string
		for page := 0; page <= want/7+1; page++ {
			q := url.Values{"limit": {"7"}, "page": {itoa(page)}}
			for k, v := range order {
				q[k] = v
			}
			l := e.list(t, q)
			if l.total != want || l.page != page || l.limit != 7 || len(l.ids) > 7 {
				t.Fatalf("%v page %d: total %d page %d limit %d, %d entries", order, page, l.total, l.page, l.limit, len(l.ids))
			}
			ids = append(ids, l.ids...)
			for _, id := range l.ids {
				ent, _ := e.st.Entitlement(id)
				created = append(created, ent.Created.Format("2006-01-02T15:04:05.000000000")+" "+strings.ToLower(id))
			}
		}
		if len(ids) != want || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != want {
			t.Errorf("%v: pages hold %d entitlements (%d distinct), want %d", order, len(ids), len(slices.Compact(slices.Sorted(slices.Values(ids)))), want)
		}
		if slices.Contains(ids, e.bulk.ID) {
			t.Errorf("%v: the bulk entitlement is listed", order)
		}
		desc := order.Get("sort_order") == "desc"
		switch order.Get("sort_by") {
		case "entitlement_id":
			lower := make([]string, len(ids))
			for i, id := range ids {
				lower[i] = strings.ToLower(id)
			}
			checkSorted(t, order, lower, desc)
		case "created_on":
			checkSorted(t, order, created, desc)
		}
	}
}

func checkSorted(t *testing.T, order url.Values, keys []string, desc bool) {
	t.Helper()
	if desc {
		keys = slices.Clone(keys)
		slices.Reverse(keys)
	}
	if !slices.IsSorted(keys) {
		t.Errorf("%v: not in order", order)
	}
}

// limit 0 or none is the default page, a limit over the maximum is served
// as the maximum, and the answer says which.
func TestListLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	for _, c := range []struct {
		limit string
		want  int
	}{{"", entapi.DefaultLimit}, {"0", entapi.DefaultLimit}, {"3", 3}, {"2000", 2000}, {"2001", entapi.MaxLimit}, {"2147483647", entapi.MaxLimit}} {
		q := url.Values{}
		if c.limit != "" {
			q.Set("limit", c.limit)
		}
		l := e.list(t, q)
		if l.limit != c.want || len(l.ids) != min(c.want, l.total) {
			t.Errorf("limit %q: answer limit %d with %d of %d entries", c.limit, l.limit, len(l.ids), l.total)
		}
	}
}

// Each filter keeps the entitlements that satisfy it, as the store judges
// them, and the filters combine.
func TestListFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	// One without an account: UNKNOWN_ORG_UNIT (seed 004 line 58).
	body := e.createBody("filter-unknown", "filter-unknown-act")
	delete(body, "accounts")
	if x := e.do(t, http.MethodPost, entapi.PathEntitlement, body); x.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", x.Status, x.Body)
	}
	acct, _ := e.st.Account(e.ent.SoldTo)
	it, _ := e.st.LineItem(e.ent.LineItems[0])
	cases := []struct {
		q    url.Values
		keep func(ent map[string]any) bool
	}{
		{url.Values{"accountId": {e.ent.SoldTo}}, func(m map[string]any) bool { return account(m)["accountId"] == e.ent.SoldTo }},
		{url.Values{"accountName": {acct.Name}}, func(m map[string]any) bool { return account(m)["accountName"] == acct.Name }},
		{url.Values{"accountId": {entapi.UnknownAccount}}, func(m map[string]any) bool { return account(m)["accountId"] == entapi.UnknownAccount }},
		{url.Values{"accountName": {entapi.UnknownAccount}}, func(m map[string]any) bool { return account(m)["accountId"] == entapi.UnknownAccount }},
		{url.Values{"contactEmail": {e.ent.ShipToEmail}}, func(m map[string]any) bool { return strings.EqualFold(m["shipToEmail"].(string), e.ent.ShipToEmail) }},
		{url.Values{"activationId": {it.ActivationID}}, func(m map[string]any) bool { return m["entitlementId"] == e.ent.ID }},
		{url.Values{"product": {it.Product.Name}, "version": {it.Product.Version}}, func(m map[string]any) bool {
			return hasItem(m, func(li map[string]any) bool {
				p := li["product"].([]any)[0].(map[string]any)
				return p["productName"] == it.Product.Name && p["productVersion"] == it.Product.Version
			})
		}},
		{url.Values{"status": {"deployed"}}, func(m map[string]any) bool { return m["status"] == "deployed" }},
		{url.Values{"status": {"obsoleted"}}, func(m map[string]any) bool { return m["status"] == "obsolete" }},
		{url.Values{"status": {"deployed"}, "accountId": {e.ent.SoldTo}}, func(m map[string]any) bool {
			return m["status"] == "deployed" && account(m)["accountId"] == e.ent.SoldTo
		}},
		// Contradicting filters select nothing.
		{url.Values{"accountId": {e.ent.SoldTo}, "accountName": {entapi.UnknownAccount}}, nil},
	}
	everything := e.list(t, url.Values{"limit": {"2000"}})
	for _, c := range cases {
		q := url.Values{"limit": {"2000"}}
		for k, v := range c.q {
			q[k] = v
		}
		got := e.list(t, q)
		var want []string
		for i, ent := range everything.all {
			if c.keep != nil && c.keep(ent) {
				want = append(want, everything.ids[i])
			}
		}
		if !slices.Equal(got.ids, want) || got.total != len(want) {
			t.Errorf("%v: listed %d (total %d), want %d", c.q, len(got.ids), got.total, len(want))
		}
		if c.keep != nil && (len(want) == 0 || len(want) == len(everything.ids)) {
			t.Errorf("%v: keeps %d of %d entitlements, so it tests nothing", c.q, len(want), len(everything.ids))
		}
	}
	if l := e.list(t, url.Values{"accountId": {entapi.UnknownAccount}}); !slices.Contains(l.ids, "filter-unknown") {
		t.Errorf("the entitlement without an account is not UNKNOWN_ORG_UNIT's: %v", l.ids)
	}
	if l := e.list(t, url.Values{"partNumber": {it.PartNumber}}); it.PartNumber != "" && !slices.Contains(l.ids, e.ent.ID) {
		t.Errorf("partNumber: %v lacks %s", l.ids, e.ent.ID)
	}
}

func account(m map[string]any) map[string]any { return m["accounts"].([]any)[0].(map[string]any) }

// hasItem reports whether a line item or maintenance line item of an
// entitlement satisfies f.
func hasItem(m map[string]any, f func(map[string]any) bool) bool {
	for _, key := range []string{"lineItems", "maintenanceLineItems"} {
		list, _ := m[key].([]any)
		for _, li := range list {
			if f(li.(map[string]any)) {
				return true
			}
		}
	}
	return false
}
