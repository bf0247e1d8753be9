// Package conformance is the conformance suite: one spec per operation ×
// version of every SOAP service the target serves. Each version's
// operations are swept by internal/conformance (the valid request sample of
// schemas/testdata with the target's real records filled in, reads before
// writes, retiring operations last); each spec then checks its operation's
// answer — the operation's response element, no SOAP fault, valid against
// that version's WSDL (libxml2) — and compares it with its golden file
// golden/soap/<Service>/<version>/<operation>/sample after normalisation
// (golden/normalize.yaml).
//
// On the emulator every version is swept on a fresh emulator of the run's
// seed and clock, so one version's writes never change another's answers
// and the golden files are the same whatever order the specs run in.
// Against a live target only the reads are sent (the sweep's writes act on
// existing records, not on records of the run): the write specs are
// skipped there, and the behaviour suites cover writes with run-prefixed
// records. Labels: tier smoke for the newest version of each service, full
// for the others; kind read for searches, counts and gets.
package conformance

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"

	sweep "github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/suite"
	"github.com/fnokit/fnokit/schemas"
)

// CaseName is the golden case of every conformance spec: the answer to the
// operation's valid request sample.
const CaseName = "sample"

var _ = Describe("conformance", Label("suite:conformance"), func() {
	versions, err := sweep.Selection(sweep.Options{})
	if err != nil {
		panic(fmt.Sprintf("conformance suite: %v", err))
	}
	newest := map[string]int{}
	for _, v := range versions {
		newest[v.Service] = max(newest[v.Service], v.Version.Number())
	}
	for _, v := range versions {
		tier := suite.Full
		if v.Version.Number() == newest[v.Service] {
			tier = suite.Smoke
		}
		describeVersion(v, tier)
	}
})

// describeVersion is the ordered container of one service version: the
// sweep runs once before its first selected spec, over all of the
// version's operations (or its reads on a live target), so an operation's
// answer does not depend on which others the filter selected.
func describeVersion(v schemas.Version, tier suite.Tier) {
	Describe(v.Service+" "+v.Version.String(), Ordered, ContinueOnFailure, func() {
		var results map[string]sweep.Result
		BeforeAll(func() {
			e := suite.E()
			opts := sweep.Options{Samples: e.Samples(), Services: []string{v.Service}, Versions: []string{v.Version.String()}, Parallel: 1}
			if e.Live() {
				for _, o := range v.Operations {
					if sweep.Reads(o.Name) {
						opts.Operations = append(opts.Operations, o.Name)
					}
				}
				if len(opts.Operations) == 0 {
					return
				}
			}
			rs, err := sweep.Run(e.Context(), e.Target(), opts)
			if err != nil {
				Fail(fmt.Sprintf("%s %s: the sweep could not run: %v", v.Service, v.Version, err))
			}
			results = make(map[string]sweep.Result, len(rs))
			for _, r := range rs {
				results[r.Operation] = r
			}
		})
		for _, o := range v.Operations {
			kind := suite.Write
			if sweep.Reads(o.Name) {
				kind = suite.Read
			}
			It(o.Name, suite.Labels(v.Service, v.Version.String(), o.Name, kind, tier), func() {
				e := suite.E()
				if kind == suite.Write && e.Live() {
					Skip("the sweep's writes act on existing records: on a live target they are left to the behaviour suites, which write run-prefixed records")
				}
				r, ok := results[o.Name]
				if !ok {
					Fail(r.Key() + ": the sweep gave no result")
				}
				if r.Err != nil {
					Fail(fmt.Sprintf("%s: not checked: %v", r.Key(), r.Err))
				}
				e.ExpectNoFindings(r.Key(), r.Findings)
				e.ExpectGolden(golden.Key{Kind: golden.SOAP, Service: v.Service, Version: v.Version.String(), Operation: o.Name, Case: CaseName},
					golden.Exchange{Request: r.Request, Response: r.Response})
			})
		}
	})
}
