package accounts

import (
	"context"
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/opsutil"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// catalog answers ProductPackagingService: products, features and license
// models, read-only (the in-scope operations create nothing).
type catalog struct {
	st  *state.Store
	cfg op.Settings
}

// validate checks the search types of the criteria a state query does not
// validate itself, so an unknown one is a FAILURE rather than no match.
func validate(ms map[string]state.Match) string {
	for f, m := range ms {
		if err := m.Validate(f, false); err != nil {
			return reasonOf(err, f+": unsupported search type")
		}
	}
	return ""
}

// productFilter is what getProductsQuery and getProductCount ask beyond
// state.ProductQuery: creation and modification dates and usedOnDevice.
type productFilter struct {
	q                 state.ProductQuery
	created, modified state.DateMatch
	onDevice          *bool
}

func (f *productFilter) keep(p *state.Product) bool {
	return f.created.Matches(p.Created) && f.modified.Matches(p.Modified) &&
		(f.onDevice == nil || *f.onDevice == usedOnDevice(p))
}

// usedOnDevice is productQueryDataType.usedOnDevice: whether the product is
// licensed to devices, which is what FlexNet Embedded products are (the
// devices of ManageDeviceService). The state has no such flag, so it is
// derived from the license technology.
func usedOnDevice(p *state.Product) bool {
	return strings.Contains(strings.ToLower(p.Technology), "embedded")
}

func productFilterOf(q any) (productFilter, string) {
	f := productFilter{q: state.ProductQuery{
		Name: opsutil.Match(q, "productName"), Version: opsutil.Match(q, "version"), Description: opsutil.Match(q, "description"),
		PartNumber: opsutil.Match(q, "partNumber"), State: opsutil.Match(q, "state"),
		LicenseTechnology: opsutil.Match(q, "licenseTechnology"), HostType: opsutil.Match(q, "hostType"),
	}}
	if r := validate(map[string]state.Match{
		"productName": f.q.Name, "version": f.q.Version, "description": f.q.Description, "partNumber": f.q.PartNumber,
		"state": f.q.State, "licenseTechnology": f.q.LicenseTechnology, "hostType": f.q.HostType,
	}); r != "" {
		return f, r
	}
	var ok bool
	if f.created, ok = opsutil.DateMatch(q, "creationDate"); !ok {
		return f, "creationDate has a value that is not a date"
	}
	if f.modified, ok = opsutil.DateMatch(q, "lastModifiedDate"); !ok {
		return f, "lastModifiedDate has a value that is not a date"
	}
	f.onDevice = op.OptBool(q, "usedOnDevice")
	if len(op.List(q, "productAttributes", "attribute")) > 0 {
		return f, "productAttributes criteria are not supported by the emulator"
	}
	return f, ""
}

// productsQuery is getProductsQuery. returnContainedObjects false leaves out
// what a product contains (its features and feature bundles).
func (k *catalog) productsQuery(_ context.Context, c *op.Call) (map[string]any, error) {
	p, reason := opsutil.Page(c.Request, k.cfg)
	if reason != "" {
		return op.Failure(reason), nil
	}
	f, reason := productFilterOf(op.Get(c.Request, "queryParams"))
	if reason != "" {
		return op.Failure(reason), nil
	}
	contained, _ := op.GetBool(c.Request, "returnContainedObjects")
	prods := k.st.ProductsFunc(f.q, f.keep, p)
	models := map[string]string{} // part ID -> license model, for partNumbers
	out := make([]any, len(prods))
	for i := range prods {
		out[i] = k.product(&prods[i], contained, models)
	}
	return op.Success(map[string]any{"product": out}), nil
}

// productCount is getProductCount, with the query's criteria.
func (k *catalog) productCount(_ context.Context, c *op.Call) (map[string]any, error) {
	f, reason := productFilterOf(op.Get(c.Request, "queryParams"))
	if reason != "" {
		return op.Failure(reason), nil
	}
	return op.Success(map[string]any{"count": op.Int(int64(k.st.CountProductsFunc(f.q, f.keep)))}), nil
}

func named(name string) map[string]any {
	return map[string]any{"primaryKeys": map[string]any{"name": name}}
}

// product is productQueryDataType, a superset of the versions.
func (k *catalog) product(p *state.Product, contained bool, models map[string]string) map[string]any {
	m := map[string]any{
		"uniqueId":         p.ID,
		"productName":      p.Name,
		"version":          op.NonEmpty(p.Version),
		"description":      op.NonEmpty(p.Description),
		"state":            stateOr(p.State, state.Deployed),
		"usedOnDevice":     op.Bool(usedOnDevice(p)),
		"creationDate":     op.DateTimeOrNil(p.Created),
		"lastModifiedDate": op.DateTimeOrNil(p.Modified),
	}
	if p.Technology != "" {
		m["licenseTechnology"] = named(p.Technology)
	}
	if contained {
		var feats []any
		for _, f := range p.Features {
			count := f.Count
			if count < 1 {
				count = 1 // featureIdentifierWithCountDataType.count is a positiveInteger
			}
			pk := map[string]any{"name": f.Name, "version": op.NonEmpty(f.Version)}
			feats = append(feats, map[string]any{"featureIdentifier": map[string]any{"primaryKeys": pk}, "count": op.Int(int64(count))})
		}
		if len(feats) > 0 {
			m["features"] = map[string]any{"feature": feats}
		}
	}
	if len(p.LicenseModels) > 0 {
		lms := make([]any, len(p.LicenseModels))
		for i, n := range p.LicenseModels {
			lms[i] = named(n)
		}
		m["licenseModels"] = map[string]any{"licenseModel": lms}
	}
	if len(p.PartNumbers) > 0 {
		pns := make([]any, len(p.PartNumbers))
		for i, id := range p.PartNumbers {
			lm, ok := models[id]
			if !ok {
				if pn, err := k.st.PartNumber(id); err == nil {
					lm = pn.LicenseModel
				}
				models[id] = lm
			}
			pn := map[string]any{"primaryKeys": map[string]any{"partId": id}}
			if lm != "" {
				pn["licenseModel"] = named(lm)
			}
			pns[i] = pn
		}
		m["partNumbers"] = map[string]any{"partNumber": pns}
	}
	if len(p.HostTypes) > 0 {
		hts := make([]any, len(p.HostTypes))
		for i, h := range p.HostTypes {
			hts[i] = map[string]any{"name": h}
		}
		m["hostType"] = hts[0]
		m["hostTypes"] = map[string]any{"hostType": hts}
	}
	return m
}

func stateOr(s, def state.State) string {
	if s == "" {
		return string(def)
	}
	return string(s)
}

// featureFilter is getFeaturesQuery's criteria: state.FeatureQuery and the
// two dates.
type featureFilter struct {
	q                 state.FeatureQuery
	created, modified state.DateMatch
}

func (f *featureFilter) keep(x *state.Feature) bool {
	return f.created.Matches(x.Created) && f.modified.Matches(x.Modified)
}

// featuresQuery is getFeaturesQuery.
func (k *catalog) featuresQuery(_ context.Context, c *op.Call) (map[string]any, error) {
	p, reason := opsutil.Page(c.Request, k.cfg)
	if reason != "" {
		return op.Failure(reason), nil
	}
	q := op.Get(c.Request, "queryParams")
	f := featureFilter{q: state.FeatureQuery{
		Name: opsutil.Match(q, "featureName"), Version: opsutil.Match(q, "version"), Description: opsutil.Match(q, "description"),
		State: opsutil.Match(q, "state"), VersionFormat: opsutil.Match(q, "versionFormat"),
	}}
	if r := validate(map[string]state.Match{
		"featureName": f.q.Name, "version": f.q.Version, "description": f.q.Description,
		"state": f.q.State, "versionFormat": f.q.VersionFormat,
	}); r != "" {
		return op.Failure(r), nil
	}
	var ok bool
	if f.created, ok = opsutil.DateMatch(q, "creationDate"); !ok {
		return op.Failure("creationDate has a value that is not a date"), nil
	}
	if f.modified, ok = opsutil.DateMatch(q, "lastModifiedDate"); !ok {
		return op.Failure("lastModifiedDate has a value that is not a date"), nil
	}
	feats := k.st.FeaturesFunc(f.q, f.keep, p)
	out := make([]any, len(feats))
	for i, x := range feats {
		vf := x.VersionFormat
		if vf == "" {
			vf = "FIXED"
		}
		out[i] = map[string]any{
			"uniqueId": x.ID, "featureName": x.Name, "versionFormat": vf,
			"version": op.NonEmpty(x.Version), "description": op.NonEmpty(x.Description),
			"state": stateOr(x.State, state.Deployed),
		}
	}
	return op.Success(map[string]any{"feature": out}), nil
}

// licenseModelIdentifiers is getLicenseModelIdentifiers: every license model
// whose name matches, with its technology and what a fulfilment of it needs.
func (k *catalog) licenseModelIdentifiers(_ context.Context, c *op.Call) (map[string]any, error) {
	name := opsutil.Match(c.Request, "queryParams", "name")
	if r := validate(map[string]state.Match{"name": name}); r != "" {
		return op.Failure(r), nil
	}
	var out []any
	for _, lm := range k.st.LicenseModels() {
		if !name.Matches(lm.Name) {
			continue
		}
		need := needsOf(lm)
		out = append(out, map[string]any{
			"licenseModelIdentifier": map[string]any{"uniqueId": op.NonEmpty(lm.ID), "primaryKeys": map[string]any{"name": lm.Name}},
			"licenseTechnology":      named(technologyOr(lm.Technology)),
			"attributeDetails": map[string]any{
				"needServerId": op.Bool(need.serverID), "needNodeLockId": op.Bool(need.nodeLockID),
				"needCount": op.Bool(need.count), "needOverdraftCount": op.Bool(need.overdraft),
			},
		})
	}
	return op.Success(map[string]any{"licenseModel": out}), nil
}

func technologyOr(t string) string {
	if t == "" {
		return "FlexNet Publisher"
	}
	return t
}

type needs struct{ serverID, nodeLockID, count, overdraft bool }

// needsOf derives modelAttributesType from a license model's name, as FNO's
// stock models are named (e.g. "Embedded Counted", "FNP Floating",
// "Nodelocked Uncounted"): the state keeps no attribute flags. A served,
// floating or counted model needs a count; floating and served ones a
// server ID; node-locked ones a node-lock ID; only counted models allow
// overdraft.
func needsOf(lm state.LicenseModel) needs {
	n := strings.ToLower(lm.Name)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(n, w) {
				return true
			}
		}
		return false
	}
	var x needs
	x.serverID = has("float", "served", "concurrent", "server")
	x.nodeLockID = has("node", "locked")
	x.count = x.serverID || (has("counted") && !has("uncounted"))
	x.overdraft = x.count && has("counted", "float")
	return x
}
