package soap

import (
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/fnokit/fnokit/internal/suite"
)

// ProductPackagingService, base–v2 (seed 001 "Product Packaging Service
// Operations"; the read operations of the catalog only).

const pp = "ProductPackagingService"

func ppProducts(v string, params map[string]any, page, size int) *suite.SOAPResult {
	GinkgoHelper()
	req := map[string]any{"pageNumber": page, "batchSize": size, "returnContainedObjects": false}
	if params != nil {
		req["queryParams"] = params
	}
	return suite.E().SOAP(pp, v, "getProductsQuery", req)
}

func products(r *suite.SOAPResult) []any { return list(r.Payload, "responseData", "product") }

func productKey(p any) string { return str(p, "productName") + "|" + str(p, "version") }

func ppCount(v string, params map[string]any) int {
	GinkgoHelper()
	req := map[string]any{}
	if params != nil {
		req["queryParams"] = params
	}
	return count(ok(suite.E().SOAP(pp, v, "getProductCount", req)), "responseData", "count")
}

func ppFeatures(v string, params map[string]any, page, size int) *suite.SOAPResult {
	GinkgoHelper()
	req := map[string]any{"pageNumber": page, "batchSize": size}
	if params != nil {
		req["queryParams"] = params
	}
	return suite.E().SOAP(pp, v, "getFeaturesQuery", req)
}

func features(r *suite.SOAPResult) []any { return list(r.Payload, "responseData", "feature") }

func ppModels(v string, params map[string]any) *suite.SOAPResult {
	GinkgoHelper()
	req := map[string]any{}
	if params != nil {
		req["queryParams"] = params
	}
	return suite.E().SOAP(pp, v, "getLicenseModelIdentifiers", req)
}

func models(r *suite.SOAPResult) []any { return list(r.Payload, "responseData", "licenseModel") }

// product is a product of the target, for reads.
func product() (name, version string) {
	GinkgoHelper()
	p := suite.E().Records().Product
	if p == nil {
		Skip("the target names no product")
	}
	return p.Name, p.Version
}

var _ = Describe("ProductPackagingService", func() {
	authSpecs(pp, "getProductCount", func(string) map[string]any { return map[string]any{} })

	DescribeTable("getProductsQuery filters the product name by each search type, and getProductCount agrees",
		func(v string) {
			name, version := product()
			known := name + "|" + version
			for _, t := range searchTypes {
				p := patternFor(t, name)
				ps := products(ok(ppProducts(v, map[string]any{"productName": query(t, p)}, 1, maxReadBatch)))
				keys := make([]string, len(ps))
				for i, x := range ps {
					keys[i] = productKey(x)
				}
				expectFilter("productName", t, p, each(texts(ps, "productName")), keys, known)
				Expect(ppCount(v, map[string]any{"productName": query(t, p)})).To(Equal(len(ps)), "getProductCount agrees for productName %s", t)
			}
		},
		spec{service: pp, op: "getProductsQuery", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getProductsQuery pages are disjoint and add up to getProductCount, as recorded",
		func(v string) {
			expectPaging("products", ppCount(v, nil), func(page, size int) []string {
				ps := products(ok(ppProducts(v, nil, page, size)))
				keys := make([]string, len(ps))
				for i, x := range ps {
					keys[i] = productKey(x)
				}
				return keys
			})
			r := ok(suite.E().SOAP(pp, v, "getProductCount", map[string]any{}))
			r.ExpectGolden("all")
		},
		spec{service: pp, op: "getProductCount", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getProductsQuery refuses a batch above 2000, and answers a product with its contents as recorded",
		func(v string) {
			failsNaming(ppProducts(v, nil, 1, maxReadBatch+1), maxReadBatch)
			name, version := product()
			r := ok(suite.E().SOAP(pp, v, "getProductsQuery", map[string]any{
				"queryParams": map[string]any{"productName": query("EQUALS", name), "version": query("EQUALS", version)},
				"pageNumber":  1, "batchSize": 10, "returnContainedObjects": true}))
			ps := products(r)
			Expect(ps).To(HaveLen(1), "name and version name one product")
			Expect(list(ps[0], "licenseModels", "licenseModel")).NotTo(BeEmpty(), "returnContainedObjects lists the product's license models")
			r.ExpectGolden("with-contents")
		},
		spec{service: pp, op: "getProductsQuery", kind: suite.Read}.entries(),
	)

	DescribeTable("getFeaturesQuery filters the feature name by each search type; pages are disjoint; as recorded",
		func(v string) {
			all := features(ok(ppFeatures(v, nil, 1, maxReadBatch)))
			if len(all) == 0 {
				Skip("the target has no feature")
			}
			name := str(all[0], "featureName")
			key := func(f any) string { return str(f, "uniqueId") }
			for _, t := range searchTypes {
				p := patternFor(t, name)
				fs := features(ok(ppFeatures(v, map[string]any{"featureName": query(t, p)}, 1, maxReadBatch)))
				keys := make([]string, len(fs))
				for i, f := range fs {
					keys[i] = key(f)
				}
				expectFilter("featureName", t, p, each(texts(fs, "featureName")), keys, key(all[0]))
			}
			// getFeaturesQuery has no count operation: the first page of the
			// largest batch is the count to page against.
			if len(all) < maxReadBatch {
				expectPaging("features", len(all), func(page, size int) []string {
					fs := features(ok(ppFeatures(v, nil, page, size)))
					keys := make([]string, len(fs))
					for i, f := range fs {
						keys[i] = key(f)
					}
					return keys
				})
			}
			failsNaming(ppFeatures(v, nil, 1, maxReadBatch+1), maxReadBatch)
			r := ok(ppFeatures(v, map[string]any{"featureName": query("EQUALS", name)}, 1, 10))
			r.ExpectGolden("by-name")
		},
		spec{service: pp, op: "getFeaturesQuery", kind: suite.Read, smoke: true}.entries(),
	)

	DescribeTable("getLicenseModelIdentifiers filters the name by each search type, as recorded",
		func(v string) {
			all := models(ok(ppModels(v, nil)))
			m := suite.E().Records().LicenseModel
			if m == "" {
				Skip("the target names no license model")
			}
			known := false
			for _, x := range all {
				known = known || strings.EqualFold(str(x, "licenseModelIdentifier", "primaryKeys", "name"), m)
			}
			Expect(known).To(BeTrue(), "the list of every license model holds the target's")
			for _, t := range searchTypes {
				p := patternFor(t, m)
				ms := models(ok(ppModels(v, map[string]any{"name": query(t, p)})))
				names := texts(ms, "licenseModelIdentifier", "primaryKeys", "name")
				expectFilter("name", t, p, each(names), names, m)
				Expect(len(ms)).To(BeNumerically("<=", len(all)), "a filter never adds models")
			}
			r := ok(ppModels(v, nil))
			r.ExpectGolden("all")
		},
		spec{service: pp, op: "getLicenseModelIdentifiers", kind: suite.Read, smoke: true}.entries(),
	)
})
