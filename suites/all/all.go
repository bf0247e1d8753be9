// Package all gathers every contract suite into one spec tree: importing it
// registers the specs of each suites package with Ginkgo's global suite, so
// `fnokit check` (internal/cli) runs them all in one process through
// internal/suite. Add a blank import here for every new suites package;
// TestImportsEverySuite fails until you do.
package all

import (
	_ "github.com/fnokit/fnokit/suites/callout"
	_ "github.com/fnokit/fnokit/suites/conformance"
	_ "github.com/fnokit/fnokit/suites/pubservices"
	_ "github.com/fnokit/fnokit/suites/rest"
	_ "github.com/fnokit/fnokit/suites/soap"
)
