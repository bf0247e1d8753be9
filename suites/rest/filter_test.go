package rest

import (
	"encoding/json"
	"net/url"
	"testing"
)

// The list filters' matching, as the Entitlements API beta spec applies it
// to every entitlement a filter lists. An entitlement whose maintenance
// line item names the product matches the product filter: found by the
// spec against `fnokit serve`'s default data set, where it was counted a
// mismatch (seed 004 lines 248-250: "Product name associated with the
// entitlement").
func TestMatchesFilter(t *testing.T) {
	t.Parallel()
	ent := func(raw string) map[string]any {
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	maintained := ent(`{"status":"DEPLOYED","accounts":[{"accountId":"ACME"}],
		"lineItems":[{"product":[{"productName":"GeoCloud"}]}],
		"maintenanceLineItems":[{"product":[{"productName":"FlowCloud"}]}]}`)
	obsolete := ent(`{"status":"OBSOLETE","accounts":[],"lineItems":[]}`)
	cases := []struct {
		name string
		ent  map[string]any
		f    url.Values
		want bool
	}{
		{"product of a line item", maintained, url.Values{"product": {"geocloud"}}, true},
		{"product of a maintenance line item", maintained, url.Values{"product": {"FlowCloud"}}, true},
		{"product of neither", maintained, url.Values{"product": {"SimCloud"}}, false},
		{"account", maintained, url.Values{"accountId": {"acme"}}, true},
		{"another account", maintained, url.Values{"accountId": {"OTHER"}}, false},
		{"status", maintained, url.Values{"status": {"deployed"}}, true},
		{"obsolete is obsoleted in the list", obsolete, url.Values{"status": {"obsoleted"}}, true},
		{"no account", obsolete, url.Values{"accountId": {"ACME"}}, false},
		{"all filters", maintained, url.Values{"product": {"FlowCloud"}, "accountId": {"ACME"}, "status": {"deployed"}, "limit": {"2000"}}, true},
	}
	for _, c := range cases {
		if got := matchesFilter(c.ent, c.f); got != c.want {
			t.Errorf("%s: matchesFilter = %v, want %v", c.name, got, c.want)
		}
	}
}
