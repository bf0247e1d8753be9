package report

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
)

// JSONSchemaID names the shape of report.json; it changes only when a
// field changes meaning or goes away (new fields may be added).
const JSONSchemaID = "fnokit-report/1"

// jsonReport is report.json. Field names are stable:
//
//	schema           "fnokit-report/1"
//	tool, toolVersion
//	startedAt        RFC 3339, UTC
//	durationSeconds  float
//	target           redacted URL or "emulator"
//	filter           label filter of the run ("" for all), deselected: specs it left out
//	totals           {cases, passed, failed, skipped, errors, findings, findingErrors}
//	coverage         {ran, pairs, specsPerSecond}
//	cases[]          {name, suite, service, version, operation, status,
//	                  durationSeconds, message, findings[], diff,
//	                  labels[], source, failedAt}
//	findings[]       {rule, severity, target, location, message}
type jsonReport struct {
	Schema          string     `json:"schema"`
	Tool            string     `json:"tool"`
	ToolVersion     string     `json:"toolVersion"`
	StartedAt       *time.Time `json:"startedAt,omitempty"`
	DurationSeconds float64    `json:"durationSeconds"`
	Target          string     `json:"target"`
	Filter          string     `json:"filter,omitempty"`
	Deselected      int        `json:"deselected,omitempty"`
	Totals          Totals     `json:"totals"`
	Coverage        Coverage   `json:"coverage"`
	Cases           []jsonCase `json:"cases"`
}

type jsonCase struct {
	Name            string            `json:"name"`
	Suite           string            `json:"suite"`
	Service         string            `json:"service,omitempty"`
	Version         string            `json:"version,omitempty"`
	Operation       string            `json:"operation,omitempty"`
	Status          Status            `json:"status"`
	DurationSeconds float64           `json:"durationSeconds"`
	Message         string            `json:"message,omitempty"`
	Findings        contract.Findings `json:"findings"`
	Diff            string            `json:"diff,omitempty"`
	Labels          []string          `json:"labels,omitempty"`
	Source          string            `json:"source,omitempty"`
	FailedAt        string            `json:"failedAt,omitempty"`
}

// WriteJSON writes the redacted report as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	r = r.Redacted()
	out := jsonReport{
		Schema: JSONSchemaID, Tool: toolName(r), ToolVersion: r.ToolVersion,
		DurationSeconds: r.Duration.Seconds(), Target: r.Target, Totals: r.Totals(),
		Filter: r.Filter, Deselected: r.Deselected, Coverage: r.Coverage(),
		Cases: make([]jsonCase, 0, len(r.Cases)),
	}
	if !r.StartedAt.IsZero() {
		t := r.StartedAt.UTC()
		out.StartedAt = &t
	}
	for _, c := range r.Cases {
		out.Cases = append(out.Cases, jsonCase{
			Name: caseName(c), Suite: c.SuiteName(), Service: c.Service, Version: c.Version, Operation: c.Operation,
			Status: c.Status, DurationSeconds: c.Duration.Seconds(), Message: c.Message, Findings: c.Findings, Diff: c.Diff,
			Labels: c.Labels, Source: c.Source, FailedAt: c.FailedAt,
		})
	}
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	if err := e.Encode(out); err != nil {
		return fmt.Errorf("encode JSON report: %w", err)
	}
	return nil
}
