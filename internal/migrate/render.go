package migrate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/report"
	"github.com/fnokit/fnokit/internal/versiondiff"
)

// verdicts in the order the summaries list them.
var verdicts = []Verdict{OK, NeedsChange, Inconclusive, NotSent, Error}

func (r Result) summary() string {
	var parts []string
	for _, v := range verdicts {
		parts = append(parts, fmt.Sprintf("%d %s", r.Count(v), v))
	}
	return strings.Join(parts, ", ")
}

// WriteText renders the check for people: the diff's counts and findings,
// then one block per replayed request.
func WriteText(w io.Writer, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "migrate %s %s → %s against %s\n", r.Service, r.From, r.To, r.Target)
	all := r.Diff.Findings()
	c := r.Diff.Counts()
	fmt.Fprintf(&b, "\nschema diff: %d finding(s): %d breaking, %d needs-attention, %d non-breaking\n",
		len(all), c[versiondiff.Breaking], c[versiondiff.NeedsAttention], c[versiondiff.NonBreaking])
	for _, f := range all {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	golden := 0
	for _, cs := range r.Cases {
		if cs.Golden {
			golden++
		}
	}
	fmt.Fprintf(&b, "\nreplay of %d %s request(s) (%d golden, %d samples) against %s, namespace rewritten:\n",
		len(r.Cases), r.From, golden, len(r.Cases)-golden, r.To)
	for _, cs := range r.Cases {
		fmt.Fprintf(&b, "  %-13s %s/%s\n      %s\n", cs.Verdict, cs.Operation, cs.Name, cs.Message)
		for _, f := range cs.Validation {
			fmt.Fprintf(&b, "      %s\n", f)
		}
		for _, f := range cs.Changes {
			if f.Operation == "" {
				continue // the namespace: rewritten, listed in the diff above
			}
			fmt.Fprintf(&b, "      change: %s\n", f)
		}
	}
	fmt.Fprintf(&b, "\n%d request(s): %s (%s)\n", len(r.Cases), r.summary(), r.Duration.Round(time.Millisecond))
	_, err := io.WriteString(w, b.String())
	return err
}

// JSONSchemaID names the shape WriteJSON writes.
const JSONSchemaID = "fnokit-migrate/1"

// WriteJSON writes the check as indented JSON:
//
//	schema  "fnokit-migrate/1"
//	service, from, to, target
//	totals  {ok, needs-change, inconclusive, not-sent, error}
//	diff    as fnokit schemas diff --format json writes it (without schema)
//	cases[] {operation, name, source, golden, verdict, valid, validation[],
//	         oldValid, new{…}, old{…}, changes[], response[], message}
func WriteJSON(w io.Writer, r Result) error {
	totals := map[Verdict]int{}
	for _, v := range verdicts {
		totals[v] = r.Count(v)
	}
	if r.Cases == nil {
		r.Cases = []Case{}
	}
	out := struct {
		Schema string          `json:"schema"`
		Totals map[Verdict]int `json:"totals"`
		Result
	}{JSONSchemaID, totals, r}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	if err := e.Encode(out); err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	return nil
}

// Report turns the check into a report for the JUnit and HTML writers: the
// diff's suite (versiondiff.PairCases), then a suite "migrate <Service>
// vA→vB" with a case per request: passed (ok), failed (needs-change),
// skipped (inconclusive, not sent), error.
func Report(r Result, failOn versiondiff.Level, tool, toolVersion string, started time.Time) *report.Report {
	rep := &report.Report{Tool: tool, ToolVersion: toolVersion, StartedAt: started, Target: r.Target}
	for _, p := range r.Diff.Pairs {
		rep.Cases = append(rep.Cases, versiondiff.PairCases(p, failOn)...)
	}
	suite := fmt.Sprintf("migrate %s %s→%s", r.Service, r.From, r.To)
	for _, c := range r.Cases {
		rc := report.Case{Suite: suite, Name: c.Operation + "/" + c.Name, Service: r.Service, Version: r.To,
			Operation: c.Operation, Duration: c.Duration, Message: string(c.Verdict) + ": " + c.Message}
		switch c.Verdict {
		case OK:
			rc.Status = report.Passed
		case NeedsChange:
			rc.Status = report.Failed
		case Inconclusive, NotSent:
			rc.Status = report.Skipped
		default:
			rc.Status = report.Error
		}
		rc.Findings = append(rc.Findings, c.Validation...)
		if c.Verdict == NeedsChange && c.Valid && c.New.Sent {
			rule := contract.RuleSOAPStatus
			if c.New.Fault != "" {
				rule = contract.RuleSOAPFault
			}
			rc.Findings = append(rc.Findings, contract.Finding{Rule: rule, Severity: contract.Error,
				Target:  fmt.Sprintf("%s/%s/%s response", r.Service, r.To, c.Operation),
				Message: fmt.Sprintf("%s answers %s where %s answers SUCCESS", r.To, c.New, r.From)})
		}
		for _, f := range c.Changes {
			rc.Findings = append(rc.Findings, f.ReportFinding())
		}
		rep.Cases = append(rep.Cases, rc)
	}
	rep.Duration = time.Since(started)
	return rep
}
