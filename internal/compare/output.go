package compare

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/redact"
	"github.com/fnokit/fnokit/internal/report"
)

// JSONSchemaID names the shape WriteJSON writes.
const JSONSchemaID = "fnokit-compare/1"

// WriteText writes the differences call by call, then a summary line. With
// diffs, each differing call's unified diff follows its differences.
func WriteText(w io.Writer, r *Result, diffs bool) error {
	ew := &errWriter{w: w}
	ew.printf("fnokit compare: baseline %s, candidate %s\n", redact.URL(r.Baseline), redact.URL(r.Candidate))
	for _, c := range r.Calls {
		switch {
		case c.Err != "":
			ew.printf("\n%s: not compared: %s\n", c.ID(), redact.Text(c.Err))
		case c.Differs():
			n := len(c.Differences) + c.Omitted
			ew.printf("\n%s: %d difference(s)\n", c.ID(), n)
			for _, d := range c.Differences {
				ew.printf("  %-17s %-7s %s  %s%s\n", d.Kind, d.Level, d.Location, redact.Text(d.Message), values(d))
			}
			if c.Omitted > 0 {
				ew.printf("  … and %d more\n", c.Omitted)
			}
			if diffs && c.Diff != "" {
				ew.printf("%s", indent(redact.Text(c.Diff), "  "))
			}
		}
	}
	t := r.Totals()
	ew.printf("\n%d call(s) compared (%d SOAP operation × version, %d REST): %d same, %d differ with %d difference(s), %d not compared, %d skipped; %s\n",
		t.Calls, t.SOAP, t.REST, t.Same, t.Differing, t.Differences, t.Errors, t.Skipped, r.Duration.Round(time.Millisecond))
	return ew.err
}

func values(d Difference) string {
	switch {
	case d.Baseline != "" && d.Candidate != "":
		return fmt.Sprintf(": %q → %q", redact.Text(d.Baseline), redact.Text(d.Candidate))
	case d.Baseline != "":
		return fmt.Sprintf(": baseline %q", redact.Text(d.Baseline))
	case d.Candidate != "":
		return fmt.Sprintf(": candidate %q", redact.Text(d.Candidate))
	}
	return ""
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// redacted returns a copy of the result with every free text redacted
// once more: values were redacted when they were read, this is the last
// line of defence before anything is written.
func (r *Result) redacted() *Result {
	out := *r
	out.Baseline, out.Candidate = redact.URL(r.Baseline), redact.URL(r.Candidate)
	out.Calls = make([]Call, len(r.Calls))
	for i, c := range r.Calls {
		c.Err, c.Skipped, c.Diff = redact.Text(c.Err), redact.Text(c.Skipped), redact.Text(c.Diff)
		c.Baseline.Err, c.Candidate.Err = redact.Text(c.Baseline.Err), redact.Text(c.Candidate.Err)
		ds := make([]Difference, len(c.Differences))
		for j, d := range c.Differences {
			d.Message, d.Baseline, d.Candidate = redact.Text(d.Message), redact.Text(d.Baseline), redact.Text(d.Candidate)
			ds[j] = d
		}
		c.Differences = ds
		out.Calls[i] = c
	}
	return &out
}

// WriteJSON writes the result as indented JSON (JSONSchemaID), values
// included, redacted.
func WriteJSON(w io.Writer, r *Result) error {
	doc := struct {
		Schema string `json:"schema"`
		*Result
		Totals Totals `json:"totals"`
	}{JSONSchemaID, r.redacted(), r.Totals()}
	e := json.NewEncoder(w)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	return e.Encode(doc)
}

// Report turns the result into a run report (internal/report) for JUnit and
// HTML: one case per call, failed when the answers differ, each difference a
// finding (rule compare-<kind>, its location, a message without values) and
// the call's unified diff beside them.
func Report(r *Result, tool, version string) *report.Report {
	rep := &report.Report{Tool: tool, ToolVersion: version, StartedAt: r.StartedAt, Duration: r.Duration,
		Target: "baseline " + r.Baseline + ", candidate " + r.Candidate}
	for _, c := range r.Calls {
		rc := report.Case{Service: c.Service, Version: c.Version, Operation: c.Operation, Duration: c.Duration, Diff: c.Diff}
		rc.Name = c.Operation
		if c.Protocol == "rest" {
			rc.Name = c.Operation + "/" + c.Case
			rc.Suite = "rest/" + c.Service
		}
		target := c.ID()
		for _, d := range c.Differences {
			msg := string(d.Level) + ": " + d.Message
			if d.Rule != "" {
				msg = string(d.Level) + " (" + d.Rule + "): " + d.Message
			}
			rc.Findings = append(rc.Findings, contract.New(d.Kind.Rule(), target, d.Location, msg))
		}
		switch {
		case c.Err != "":
			rc.Status, rc.Message = report.Error, c.Err
		case c.Skipped != "":
			rc.Status, rc.Message = report.Skipped, c.Skipped
		case c.Differs():
			rc.Status = report.Failed
			rc.Message = fmt.Sprintf("%d difference(s) between baseline and candidate", len(c.Differences)+c.Omitted)
			if c.Omitted > 0 {
				rc.Message += fmt.Sprintf(" (%d not listed)", c.Omitted)
			}
		default:
			rc.Status = report.Passed
		}
		rep.Cases = append(rep.Cases, rc)
	}
	return rep
}
