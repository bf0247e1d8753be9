package suite

import (
	"fmt"

	"github.com/onsi/ginkgo/v2"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/golden"
)

// Names of the report entries the harness attaches to a spec; Run reads
// them back into the report's findings and golden diffs.
const (
	EntryFindings = "fnokit.findings"
	EntryGolden   = "fnokit.golden"
)

// FindingsEntry is the value of an EntryFindings report entry: the
// findings of one call, keyed by what was called.
type FindingsEntry struct {
	Key      string            `json:"key"`
	Findings contract.Findings `json:"findings"`
}

// GoldenEntry is the value of an EntryGolden report entry: the outcome of
// one golden comparison.
type GoldenEntry struct {
	// Case is the golden key (soap/ManageDeviceService/v7/searchDevices/sample).
	Case string `json:"case"`
	// Diff is the unified diff of the normalised forms, golden first.
	Diff string `json:"diff,omitempty"`
	// Updated is true when the run rewrote the golden files.
	Updated bool `json:"updated,omitempty"`
	// Skipped is true when the comparison was not made: a live target
	// without Config.GoldenLive.
	Skipped bool `json:"skipped,omitempty"`
}

// GoldenSkipped is the message of a passed spec whose golden comparisons
// were skipped on a live target.
const GoldenSkipped = "golden comparison skipped: the golden files are the emulator's answers; compare a live target with golden files recorded from it (fnokit golden record --target, then --golden DIR)"

// attachFindings adds findings to the running spec's report. They are
// not printed on the console: the failure message names the first one,
// the reports list them all.
func (e *Env) attachFindings(key string, fs contract.Findings) {
	if len(fs) == 0 || e.inCleanup() {
		return
	}
	ginkgo.AddReportEntry(EntryFindings, FindingsEntry{Key: key, Findings: fs}, ginkgo.ReportEntryVisibilityNever)
}

// expectGolden compares ex with the golden case k (or records it). Only
// the response is compared: the request is the spec's input, and against
// a live target it names that target's records.
func (e *Env) expectGolden(k golden.Key, ex golden.Exchange) {
	ginkgo.GinkgoHelper()
	if e.emu == nil && !e.cfg.UpdateGolden && !e.cfg.GoldenLive {
		if !e.inCleanup() {
			ginkgo.AddReportEntry(EntryGolden, GoldenEntry{Case: k.String(), Skipped: true}, ginkgo.ReportEntryVisibilityNever)
		}
		return
	}
	got := ex
	if !e.cfg.UpdateGolden {
		got.Request = nil
		got.Meta.RequestHeaders = nil
	}
	res, err := e.store.Compare(k, got, golden.Options{Update: e.cfg.UpdateGolden})
	if err != nil {
		e.fail(fmt.Sprintf("golden %s: %v", k, err))
	}
	if (res.Diff != "" || res.Updated) && !e.inCleanup() {
		ginkgo.AddReportEntry(EntryGolden, GoldenEntry{Case: k.String(), Diff: res.Diff, Updated: res.Updated}, ginkgo.ReportEntryVisibilityNever)
	}
	e.attachFindings(k.String(), res.Findings)
	if !res.OK() {
		msg := problem(k.String(), res.Findings)
		if msg == "" {
			msg = k.String() + ": " + contract.RuleGoldenMismatch
		}
		e.fail(msg)
	}
}

// ExpectGolden compares an exchange made outside SOAP and REST (the
// conformance sweep's) with golden case k, or records it when the run
// updates golden files; a difference fails the spec and attaches the diff.
func (e *Env) ExpectGolden(k golden.Key, ex golden.Exchange) {
	ginkgo.GinkgoHelper()
	e.expectGolden(k, ex)
}

// ExpectNoFindings attaches findings about key to the spec's report and
// fails the spec, naming the rule, key and location of the first error,
// when any has severity error.
func (e *Env) ExpectNoFindings(key string, fs contract.Findings) {
	ginkgo.GinkgoHelper()
	e.attachFindings(key, fs)
	if msg := problem(key, fs); msg != "" {
		e.fail(msg)
	}
}
