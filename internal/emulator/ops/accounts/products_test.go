package accounts

import (
	"slices"
	"testing"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

func productKeys(recs []any) []string {
	var out []string
	for _, r := range recs {
		out = append(out, op.Str(r, "productName")+" "+op.Str(r, "version"))
	}
	slices.Sort(out)
	return out
}

func TestProductsQuery(t *testing.T) {
	t.Parallel()
	r := registry(t, fixture(t), op.DefaultSettings())
	tests := []struct {
		name   string
		params map[string]any
		want   []string
		fail   bool
	}{
		{"all", nil, []string{"Gadget Server 5", "Widget 1.0", "Widget 2.0"}, false},
		{"name EQUALS", map[string]any{"productName": q("widget", "EQUALS")}, []string{"Widget 1.0", "Widget 2.0"}, false},
		{"name STARTS_WITH", map[string]any{"productName": q("Gad", "STARTS_WITH")}, []string{"Gadget Server 5"}, false},
		{"name CONTAINS", map[string]any{"productName": q("get", "CONTAINS")}, []string{"Gadget Server 5", "Widget 1.0", "Widget 2.0"}, false},
		{"name ENDS_WITH", map[string]any{"productName": q("server", "ENDS_WITH")}, []string{"Gadget Server 5"}, false},
		{"version and state", map[string]any{"version": q("1.0", "EQUALS"), "state": q("DEPLOYED", "EQUALS")}, []string{"Widget 1.0"}, false},
		{"part number", map[string]any{"partNumber": q("PN-WIDGET", "STARTS_WITH")}, []string{"Widget 1.0"}, false},
		{"license technology", map[string]any{"licenseTechnology": q("FlexNet Publisher", "EQUALS")}, []string{"Gadget Server 5"}, false},
		{"host type", map[string]any{"hostType": q("FLX_CLIENT", "EQUALS")}, []string{"Widget 1.0"}, false},
		{"used on device", map[string]any{"usedOnDevice": "true"}, []string{"Widget 1.0", "Widget 2.0"}, false},
		{"created before today", map[string]any{"creationDate": map[string]any{"value": "2025-03-14", "searchType": "BEFORE"}}, []string{"Gadget Server 5", "Widget 1.0"}, false},
		{"modified on today", map[string]any{"lastModifiedDate": map[string]any{"value": "2025-03-14", "searchType": "ON"}}, []string{"Widget 2.0"}, false},
		{"unknown search type", map[string]any{"productName": q("x", "SOUNDS_LIKE")}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := map[string]any{"pageNumber": "1", "batchSize": "10", "returnContainedObjects": "true"}
			creq := map[string]any{}
			if tt.params != nil {
				req["queryParams"], creq["queryParams"] = tt.params, tt.params
			}
			got := call(t, r, ProductPackaging, "v2", "getProductsQuery", req)
			cnt := call(t, r, ProductPackaging, "v2", "getProductCount", creq)
			if tt.fail {
				if status(got) != "FAILURE" || status(cnt) != "FAILURE" {
					t.Errorf("got %v and %v, want FAILURE", got["statusInfo"], cnt["statusInfo"])
				}
				return
			}
			if g := productKeys(records(got, "product")); !slices.Equal(g, tt.want) {
				t.Errorf("got %v, want %v", g, tt.want)
			}
			if n := count(t, cnt); n != len(tt.want) {
				t.Errorf("count %d, want %d", n, len(tt.want))
			}
		})
	}
}

func TestProductRecord(t *testing.T) {
	t.Parallel()
	r := registry(t, fixture(t), op.DefaultSettings())
	for _, contained := range []bool{true, false} {
		got := call(t, r, ProductPackaging, "base", "getProductsQuery", map[string]any{"queryParams": map[string]any{
			"productName": q("Widget", "EQUALS"), "version": q("1.0", "EQUALS")}, "pageNumber": "1", "batchSize": "1", "returnContainedObjects": op.Bool(contained)})
		recs := records(got, "product")
		if len(recs) != 1 {
			t.Fatalf("%d products", len(recs))
		}
		p := recs[0]
		if op.Str(p, "uniqueId") == "" || op.Str(p, "state") != "DEPLOYED" || op.Str(p, "licenseTechnology", "primaryKeys", "name") != "FlexNet Embedded" {
			t.Errorf("product %v", p)
		}
		pns := op.List(p, "partNumbers", "partNumber")
		if len(pns) != 1 || op.Str(pns[0], "primaryKeys", "partId") != "PN-WIDGET-1" ||
			op.Str(pns[0], "licenseModel", "primaryKeys", "name") != "Embedded Counted" {
			t.Errorf("partNumbers %v", op.Get(p, "partNumbers"))
		}
		feats := op.List(p, "features", "feature")
		if contained && (len(feats) != 1 || op.Str(feats[0], "count") != "5" || op.Str(feats[0], "featureIdentifier", "primaryKeys", "name") != "f_core") {
			t.Errorf("features %v", feats)
		}
		if !contained && feats != nil {
			t.Errorf("returnContainedObjects false, features %v", feats)
		}
	}
}

func TestProductsPaging(t *testing.T) {
	t.Parallel()
	cfg := op.DefaultSettings()
	cfg.MaxReadBatch = 2
	r := registry(t, fixture(t), cfg)
	var all []any
	for _, page := range []string{"1", "2", "3"} {
		all = append(all, records(call(t, r, ProductPackaging, "v1", "getProductsQuery", map[string]any{"pageNumber": page, "batchSize": "2", "returnContainedObjects": "false"}), "product")...)
	}
	if g := productKeys(all); !slices.Equal(g, []string{"Gadget Server 5", "Widget 1.0", "Widget 2.0"}) {
		t.Errorf("pages hold %v", g)
	}
	if got := call(t, r, ProductPackaging, "v1", "getProductsQuery", map[string]any{"pageNumber": "1", "batchSize": "3", "returnContainedObjects": "false"}); status(got) != "FAILURE" {
		t.Errorf("batch over the limit: %v", got["statusInfo"])
	}
}

func TestFeaturesQuery(t *testing.T) {
	t.Parallel()
	r := registry(t, fixture(t), op.DefaultSettings())
	tests := []struct {
		name   string
		params map[string]any
		want   []string
	}{
		{"all", nil, []string{"f_core", "f_extra", "x_beta"}},
		{"STARTS_WITH", map[string]any{"featureName": q("f_", "STARTS_WITH")}, []string{"f_core", "f_extra"}},
		{"ENDS_WITH", map[string]any{"featureName": q("TA", "ENDS_WITH")}, []string{"x_beta"}},
		{"CONTAINS and state", map[string]any{"featureName": q("e", "CONTAINS"), "state": q("DEPLOYED", "EQUALS")}, []string{"f_core", "f_extra"}},
		{"version EQUALS", map[string]any{"version": q("2.0", "EQUALS")}, []string{"f_extra"}},
		{"created before", map[string]any{"creationDate": map[string]any{"value": "2025-03-01", "searchType": "BEFORE"}}, []string{"f_core", "f_extra"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := map[string]any{"pageNumber": "1", "batchSize": "10"}
			if tt.params != nil {
				req["queryParams"] = tt.params
			}
			got := call(t, r, ProductPackaging, "v2", "getFeaturesQuery", req)
			var names []string
			for _, f := range records(got, "feature") {
				names = append(names, op.Str(f, "featureName"))
				if op.Str(f, "versionFormat") == "" || op.Str(f, "state") == "" || op.Str(f, "uniqueId") == "" {
					t.Errorf("feature lacks a required field: %v", f)
				}
			}
			slices.Sort(names)
			if !slices.Equal(names, tt.want) {
				t.Errorf("got %v, want %v", names, tt.want)
			}
		})
	}
}

func TestLicenseModelIdentifiers(t *testing.T) {
	t.Parallel()
	r := registry(t, fixture(t), op.DefaultSettings())
	got := call(t, r, ProductPackaging, "v2", "getLicenseModelIdentifiers", map[string]any{})
	recs := records(got, "licenseModel")
	if len(recs) != 3 {
		t.Fatalf("%d models", len(recs))
	}
	got = call(t, r, ProductPackaging, "v2", "getLicenseModelIdentifiers", map[string]any{"queryParams": map[string]any{"name": q("float", "CONTAINS")}})
	recs = records(got, "licenseModel")
	if len(recs) != 1 || op.Str(recs[0], "licenseModelIdentifier", "primaryKeys", "name") != "FNP Floating" ||
		op.Str(recs[0], "licenseTechnology", "primaryKeys", "name") != "FlexNet Publisher" ||
		op.Str(recs[0], "attributeDetails", "needServerId") != "true" {
		t.Errorf("got %v", recs)
	}
}

func TestNeedsOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		want needs
	}{
		{"FNP Floating", needs{serverID: true, count: true, overdraft: true}},
		{"Embedded Counted", needs{count: true, overdraft: true}},
		{"Nodelocked Uncounted", needs{nodeLockID: true}},
		{"Served Concurrent", needs{serverID: true, count: true}},
		{"Metered", needs{}},
	}
	for _, tt := range tests {
		if got := needsOf(state.LicenseModel{Name: tt.name}); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
