package suite

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/report"
)

// Convert turns a Ginkgo report into the report model: one case per spec
// the filter selected (specs it left out are counted, not listed), with
// the spec's labels, where it is defined and where it failed, the findings
// and golden diffs the harness attached, and its run time. Suite-level
// nodes (BeforeSuite, ReportAfterSuite …) become cases only when they
// failed. target names what was checked; filter is the label filter.
func Convert(gr types.Report, target, filter string) *report.Report {
	r := &report.Report{StartedAt: gr.StartTime, Duration: gr.RunTime, Target: target, Filter: filter}
	for _, s := range gr.SpecReports {
		if s.LeafNodeType != types.NodeTypeIt {
			if s.State.Is(types.SpecStateFailureStates) {
				r.Cases = append(r.Cases, report.Case{Suite: "suite", Name: s.LeafNodeType.String(),
					Status: report.Error, Duration: s.RunTime, Message: s.Failure.Message,
					Source: relLocation(s.LeafNodeLocation), FailedAt: relLocation(s.Failure.Location)})
			}
			continue
		}
		if s.State == types.SpecStateSkipped && s.Failure.Message == "" && s.RunTime == 0 {
			r.Deselected++ // left out by the label filter (or the focus)
			continue
		}
		r.Cases = append(r.Cases, specCase(s))
	}
	return r
}

func specCase(s types.SpecReport) report.Case {
	labels := s.Labels()
	c := report.Case{
		Name:      strings.Join(append(append([]string{}, s.ContainerHierarchyTexts...), s.LeafNodeText), " "),
		Suite:     suiteOf(s.LeafNodeLocation.FileName),
		Service:   labelValue(labels, KeyService),
		Version:   labelValue(labels, KeyVersion),
		Operation: labelValue(labels, KeyOp),
		Duration:  s.RunTime,
		Labels:    labels,
		Source:    relLocation(s.LeafNodeLocation),
	}
	goldenSkipped := false
	for _, e := range s.ReportEntries {
		switch e.Name {
		case EntryFindings:
			if v, ok := e.Value.GetRawValue().(FindingsEntry); ok {
				c.Findings = append(c.Findings, v.Findings...)
			}
		case EntryGolden:
			v, ok := e.Value.GetRawValue().(GoldenEntry)
			goldenSkipped = goldenSkipped || (ok && v.Skipped)
			if ok && v.Diff != "" {
				if c.Diff != "" {
					c.Diff += "\n"
				}
				c.Diff += v.Diff
			}
		}
	}
	switch {
	case s.State == types.SpecStatePassed:
		c.Status = report.Passed
		if goldenSkipped {
			c.Message = GoldenSkipped
		}
	case s.State == types.SpecStateSkipped || s.State == types.SpecStatePending:
		c.Status, c.Message = report.Skipped, s.Failure.Message
		if s.State == types.SpecStatePending {
			c.Message = "pending"
		}
	case s.State == types.SpecStateFailed:
		c.Status, c.Message = report.Failed, s.Failure.Message
		c.FailedAt = relLocation(s.Failure.Location)
	default: // panicked, interrupted, aborted, timed out: the check itself broke
		c.Status = report.Error
		c.Message = s.State.String() + ": " + s.Failure.Message
		if s.Failure.ForwardedPanic != "" {
			c.Message += " (" + s.Failure.ForwardedPanic + ")"
		}
		c.FailedAt = relLocation(s.Failure.Location)
	}
	if c.Status == report.Failed && !contract.Findings(c.Findings).HasErrors() && c.Message != "" {
		// A behaviour check (a Gomega assertion) failed: it is a finding
		// too, located at the spec's line.
		c.Findings = append(c.Findings, contract.Finding{Rule: contract.RuleSpecFailed, Severity: contract.Error,
			Target: c.Name, Location: c.FailedAt, Message: compact(c.Message, 240)})
	}
	return c
}

// suiteOf names the suites package a spec file is in ("suites/soap"), or
// the folder of the file.
func suiteOf(file string) string {
	file = filepath.ToSlash(file)
	if i := strings.LastIndex(file, "/suites/"); i >= 0 {
		rest := file[i+1:]
		if j := strings.LastIndex(rest, "/"); j >= 0 {
			return rest[:j]
		}
	}
	return filepath.Base(filepath.Dir(file))
}

// relLocation is file:line relative to the repository (from the last
// internal/ or suites/ folder), so reports do not carry a machine's paths.
func relLocation(cl types.CodeLocation) string {
	if cl.FileName == "" {
		return ""
	}
	f := filepath.ToSlash(cl.FileName)
	for _, root := range []string{"/suites/", "/internal/", "/cmd/"} {
		if i := strings.LastIndex(f, root); i >= 0 {
			f = f[i+1:]
			break
		}
	}
	return fmt.Sprintf("%s:%d", f, cl.LineNumber)
}

// compact is s on one line, white space collapsed, at most max bytes
// (cut at a rune boundary): a Gomega message spans lines ("Expected\n
// <int>: 3\nto equal\n <int>: 4") and reads fine as one.
func compact(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
