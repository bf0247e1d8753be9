// Package report is the model of one fnokit run — which checks ran against
// which target, with what outcome and findings — and writes it as JUnit XML
// for CI, as JSON for tools, and as a self-contained HTML page for people.
//
// Every writer works on a redacted copy of the report (see Redacted): the
// target URL, messages, finding texts and golden diffs go through
// internal/redact, so a report never carries a password or token even when
// a check put one into a message by mistake.
package report

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/fnokit/fnokit/internal/atomicfile"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/redact"
)

// Status is the outcome of one case.
type Status string

// Statuses, as JUnit knows them: failed means the target broke the
// contract, error means the check itself could not run.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Skipped Status = "skipped"
	Error   Status = "error"
)

// Report is one run.
type Report struct {
	// Tool is the program that ran the checks ("fnokit") and ToolVersion
	// its version.
	Tool        string
	ToolVersion string
	StartedAt   time.Time
	Duration    time.Duration
	// Target is the base URL checked, or "emulator". It is redacted when
	// written.
	Target string
	// Filter is the label filter that selected the cases ("" for all),
	// and Deselected the number of specs it left out (they are not
	// cases).
	Filter     string
	Deselected int
	Cases      []Case
}

// Case is one check: one operation of one service version, or one golden
// case, or one behaviour test.
type Case struct {
	// Name of the check, e.g. "searchDevices/by-name".
	Name string
	// Suite groups cases (a JUnit testsuite / classname); when empty it is
	// Service/Version, e.g. "ManageDeviceService/v3".
	Suite     string
	Service   string
	Version   string
	Operation string
	Status    Status
	Duration  time.Duration
	Findings  contract.Findings
	// Diff is a golden-file diff (unified format), if any.
	Diff string
	// Message explains a skip or an error, or summarises a failure.
	Message string
	// Labels are the spec's labels (service:…, version:…, op:…, kind:…,
	// tier:…), when the case is a spec.
	Labels []string
	// Source is where the spec is defined (suites/soap/devices.go:42) and
	// FailedAt where it failed, both relative to the repository.
	Source   string
	FailedAt string
}

// SuiteName is Suite, or Service/Version when Suite is empty, or "fnokit".
func (c Case) SuiteName() string {
	switch {
	case c.Suite != "":
		return c.Suite
	case c.Service != "" && c.Version != "":
		return c.Service + "/" + c.Version
	case c.Service != "":
		return c.Service
	}
	return "fnokit"
}

// Totals counts cases by status and findings by severity.
type Totals struct {
	Cases    int `json:"cases"`
	Passed   int `json:"passed"`
	Failed   int `json:"failed"`
	Skipped  int `json:"skipped"`
	Errors   int `json:"errors"`
	Findings int `json:"findings"`
	// FindingErrors counts findings of severity error.
	FindingErrors int `json:"findingErrors"`
}

// Totals counts the report's cases. A case with an unknown status counts
// as an error, so a typo never reads as a pass.
func (r *Report) Totals() Totals {
	return totals(r.Cases)
}

func totals(cs []Case) Totals {
	var t Totals
	for _, c := range cs {
		t.Cases++
		switch c.Status {
		case Passed:
			t.Passed++
		case Failed:
			t.Failed++
		case Skipped:
			t.Skipped++
		default:
			t.Errors++
		}
		t.Findings += len(c.Findings)
		for _, f := range c.Findings {
			if f.Severity >= contract.Error {
				t.FindingErrors++
			}
		}
	}
	return t
}

// Coverage says how much of the contract surface a run exercised.
type Coverage struct {
	// Ran counts the cases that ran (passed, failed or errored).
	Ran int `json:"ran"`
	// Pairs counts the distinct service × version × operation triples
	// among the cases that ran.
	Pairs int `json:"pairs"`
	// SpecsPerSecond is Ran over the run's duration.
	SpecsPerSecond float64 `json:"specsPerSecond"`
}

// Coverage computes the report's coverage figures.
func (r *Report) Coverage() Coverage {
	var c Coverage
	pairs := map[[3]string]bool{}
	for _, cs := range r.Cases {
		if cs.Status == Skipped {
			continue
		}
		c.Ran++
		if cs.Service != "" && cs.Version != "" && cs.Operation != "" {
			pairs[[3]string{cs.Service, cs.Version, cs.Operation}] = true
		}
	}
	c.Pairs = len(pairs)
	if s := r.Duration.Seconds(); s > 0 {
		c.SpecsPerSecond = float64(c.Ran) / s
	}
	return c
}

// OK reports whether no case failed or errored.
func (t Totals) OK() bool { return t.Failed == 0 && t.Errors == 0 }

// Redacted returns a deep copy with secrets removed from every free-text
// field: the target URL, case messages, diffs, and finding targets,
// locations and messages.
func (r *Report) Redacted() *Report {
	out := *r
	out.Target = redactTarget(r.Target)
	out.Cases = make([]Case, len(r.Cases))
	for i, c := range r.Cases {
		c.Name = redact.Text(c.Name)
		c.Message = redact.Text(c.Message)
		c.Diff = redact.Text(c.Diff)
		c.FailedAt = redact.Text(c.FailedAt)
		c.Labels = append([]string(nil), c.Labels...)
		fs := make(contract.Findings, len(c.Findings))
		for j, f := range c.Findings {
			f.Target = redactTarget(f.Target)
			f.Location = redact.Text(f.Location)
			f.Message = redact.Text(f.Message)
			fs[j] = f
		}
		if c.Findings == nil {
			fs = nil
		}
		c.Findings = fs
		out.Cases[i] = c
	}
	return &out
}

// redactTarget redacts a URL-looking target as a URL and anything else as
// text.
func redactTarget(s string) string {
	if s == "" {
		return s
	}
	return redact.Text(redact.URL(s))
}

// File names WriteAll writes.
const (
	JUnitFile = "junit.xml"
	JSONFile  = "report.json"
	HTMLFile  = "report.html"
)

// WriteAll writes junit.xml, report.json and report.html into dir, each
// replaced atomically, creating dir if needed.
func WriteAll(dir string, r *Report) error {
	writers := []struct {
		name  string
		write func(io.Writer, *Report) error
	}{
		{JUnitFile, WriteJUnit},
		{JSONFile, WriteJSON},
		{HTMLFile, WriteHTML},
	}
	for _, w := range writers {
		p := filepath.Join(dir, w.name)
		if err := atomicfile.Write(p, 0o644, func(f io.Writer) error { return w.write(f, r) }); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	return nil
}
