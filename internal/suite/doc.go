// Package suite is the harness of fnokit's contract suites (suites/…): the
// environment every Ginkgo spec runs in, and the runner behind `fnokit
// check` and `go test ./suites/...`.
//
// A run targets the in-process emulator by default — started on loopback
// with a fixed seed and a fixed clock, fresh for every run — or a live
// tenant (Config.Target) with credentials from FNOKIT_USER/FNOKIT_PASSWORD
// or FNOKIT_TOKEN, which never reach a report, log or golden file. Against
// a live target only kind:read specs run unless writes are allowed; the
// records a spec creates carry the run's prefix (Env.Name) and are removed
// at the end of the run by the cleanups the spec registered (Env.Cleanup),
// also when a SIGINT or SIGTERM interrupts it.
//
// Specs reach the environment through E(): SOAP and REST calls whose
// answers are validated against the called version's WSDL (libxml2) or
// the API's OpenAPI document (kin-openapi), golden comparisons (golden/,
// normalised by golden/normalize.yaml), and the target's records. Findings
// and golden diffs are attached to the spec's report entry, so the reports
// list them with their location; a failing Expect* names the rule, the
// operation and the location.
//
// Every spec carries Labels(service, version, op, kind, tier), so a run can
// be narrowed with a Ginkgo label filter; Filter translates the
// convenience flags of `fnokit check` (--services ManageDevice --versions
// v6,v7 --tier smoke) into one.
//
// Ginkgo runs its spec tree once per process: Run may be called once; a
// test that needs several runs starts a process per run.
//
// The harness registers a ReportAfterSuite node; suites must not register
// BeforeSuite/AfterSuite nodes of their own (Ginkgo allows one of each, and
// the environment is set up before the specs run).
package suite
