package versiondiff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/report"
)

// Severity maps a level to a report finding's severity: breaking is an
// error, needs-attention a warning, non-breaking info.
func (l Level) Severity() contract.Severity {
	switch l {
	case Breaking:
		return contract.Error
	case NeedsAttention:
		return contract.Warning
	}
	return contract.Info
}

// countsText says "2 breaking, 1 needs-attention, 0 non-breaking".
func countsText(fs []Finding) string {
	var n [3]int
	for _, f := range fs {
		n[f.Level]++
	}
	return fmt.Sprintf("%d breaking, %d needs-attention, %d non-breaking", n[Breaking], n[NeedsAttention], n[NonBreaking])
}

// WriteText renders the result for people: per pair a header line, then
// two lines per finding (level, side, operation, rule, path; then the
// message with both sides).
func WriteText(w io.Writer, r Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "old: %s\nnew: %s\n", r.Old, r.New)
	for _, p := range r.Pairs {
		fmt.Fprintf(&b, "\n%s (%s): %d operation(s), %d finding(s): %s\n", p.Service, p.Format, len(p.Operations), len(p.Findings), countsText(p.Findings))
		if p.Old != r.Old || p.New != r.New {
			fmt.Fprintf(&b, "  %s → %s\n", p.Old, p.New)
		}
		for _, f := range p.Findings {
			where := f.Operation
			if where == "" {
				where = "(service)"
			}
			fmt.Fprintf(&b, "  %-15s %-8s %s  %s", f.Level, f.Side, where, f.Rule)
			if f.Path != "" {
				fmt.Fprintf(&b, "  %s", f.Path)
			}
			b.WriteString("\n      " + f.Message)
			if f.Old != "" || f.New != "" {
				fmt.Fprintf(&b, " (old: %s; new: %s)", orAbsent(f.Old), orAbsent(f.New))
			}
			b.WriteString("\n")
		}
	}
	all := r.Findings()
	fmt.Fprintf(&b, "\n%d pair(s), %d finding(s): %s\n", len(r.Pairs), len(all), countsText(all))
	_, err := io.WriteString(w, b.String())
	return err
}

// JSONSchemaID names the shape WriteJSON writes; it changes only when a
// field changes meaning or goes away.
const JSONSchemaID = "fnokit-schemas-diff/1"

type jsonTotals struct {
	Findings       int `json:"findings"`
	Breaking       int `json:"breaking"`
	NeedsAttention int `json:"needsAttention"`
	NonBreaking    int `json:"nonBreaking"`
}

// Totals counts the findings of a result by level.
func (r Result) totals() jsonTotals {
	c := r.Counts()
	return jsonTotals{Findings: c[Breaking] + c[NeedsAttention] + c[NonBreaking],
		Breaking: c[Breaking], NeedsAttention: c[NeedsAttention], NonBreaking: c[NonBreaking]}
}

// WriteJSON writes the result as indented JSON:
//
//	schema  "fnokit-schemas-diff/1"
//	old, new
//	totals  {findings, breaking, needsAttention, nonBreaking}
//	pairs[] {service, format, old, new, operations[], findings[]}
//	findings[] {rule, level, side, service, operation, path, old, new, message}
func WriteJSON(w io.Writer, r Result) error {
	out := struct {
		Schema string     `json:"schema"`
		Old    string     `json:"old"`
		New    string     `json:"new"`
		Totals jsonTotals `json:"totals"`
		Pairs  []Pair     `json:"pairs"`
	}{JSONSchemaID, r.Old, r.New, r.totals(), r.Pairs}
	for i := range out.Pairs {
		if out.Pairs[i].Findings == nil {
			out.Pairs[i].Findings = []Finding{}
		}
	}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	if err := e.Encode(out); err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	return nil
}

// ServiceCase names the report case of a pair's service-wide findings.
const ServiceCase = "(service)"

// Report turns a result into a report for the JUnit and HTML writers: one
// suite per pair ("schemas diff <service>"), one case per operation —
// failed when a finding reaches failOn — and a ServiceCase for service-wide
// findings. Each finding keeps its rule ID; its severity is the level's.
func Report(r Result, failOn Level, tool, toolVersion string, started time.Time) *report.Report {
	rep := &report.Report{Tool: tool, ToolVersion: toolVersion, StartedAt: started, Target: r.Old + " → " + r.New}
	for _, p := range r.Pairs {
		rep.Cases = append(rep.Cases, PairCases(p, failOn)...)
	}
	rep.Duration = time.Since(started)
	return rep
}

// PairCases are the report cases of one pair (see Report).
func PairCases(p Pair, failOn Level) []report.Case {
	suite := "schemas diff " + p.Service
	version := ""
	if isVersion(p.Old) && isVersion(p.New) {
		version = p.Old + "→" + p.New // embedded versions: "v6→v7", a column of the HTML matrix
	}
	byOp := map[string][]Finding{}
	for _, f := range p.Findings {
		byOp[f.Operation] = append(byOp[f.Operation], f)
	}
	var out []report.Case
	names := p.Operations
	if len(byOp[""]) > 0 {
		names = append([]string{""}, names...)
	}
	for _, op := range names {
		c := report.Case{Suite: suite, Name: op, Service: p.Service, Version: version, Operation: op, Status: report.Passed}
		if op == "" {
			c.Name, c.Operation = ServiceCase, ServiceCase
		}
		fs := byOp[op]
		for _, f := range fs {
			c.Findings = append(c.Findings, f.ReportFinding())
			if f.Level >= failOn {
				c.Status = report.Failed
			}
		}
		if len(fs) == 0 {
			c.Message = "no differences"
		} else {
			c.Message = countsText(fs)
		}
		out = append(out, c)
	}
	return out
}

func isVersion(s string) bool {
	v, err := contract.ParseVersion(s)
	return err == nil && v.String() == s
}

// ReportFinding is the finding as a report finding: the rule, the level's
// severity, the operation and side as target, the path as location, the
// message with both sides.
func (f Finding) ReportFinding() contract.Finding {
	target := f.Service
	if f.Operation != "" {
		target += " " + f.Operation
	}
	target += " " + f.Side.String()
	msg := f.Level.String() + ": " + f.Message
	if f.Old != "" || f.New != "" {
		msg += fmt.Sprintf(" (old: %s; new: %s)", orAbsent(f.Old), orAbsent(f.New))
	}
	return contract.Finding{Rule: f.Rule, Severity: f.Level.Severity(), Target: target, Location: f.Path, Message: msg}
}
