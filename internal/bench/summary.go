package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// MaxSummaryBytes bounds a summary file read: a k6 summary of the
// scenarios is tens of kilobytes.
const MaxSummaryBytes = 32 << 20

// Summary is a benchmark report: what a scenario's handleSummary writes to
// reports/bench/<scenario>.json, and what Merge makes of several k6
// processes' results. Metrics has k6's handleSummary shape, so a summary
// written by k6 and one merged by fnokit read and compare alike.
type Summary struct {
	// Fnokit says what the run was and how to judge it.
	Fnokit Meta `json:"fnokit"`
	// State is k6's test run state; only the duration is read.
	State State `json:"state"`
	// Metrics are k6's metrics and submetrics (name{tag:value}) by name.
	Metrics map[string]Metric `json:"metrics"`
}

// Meta is the scenario's own section of the summary.
type Meta struct {
	Scenario string `json:"scenario"`
	Profile  string `json:"profile"`
	// Segment is the k6 execution segment of the process ("" for a whole
	// run); Segments the ones a merged summary was made from.
	Segment  string   `json:"segment,omitempty"`
	Segments []string `json:"segments,omitempty"`
	// Target says what was loaded, without credentials: "emulator" or the
	// target's host.
	Target string `json:"target,omitempty"`
	// Devices is the data set size of an emulator target (0: unknown).
	Devices int `json:"devices,omitempty"`

	// Latency names the Trend metrics (or submetrics) whose p(95) and
	// p(99) are compared with a baseline.
	Latency []string `json:"latency"`
	// Throughput names the Counter whose rate per second is the
	// scenario's throughput.
	Throughput string `json:"throughput"`
	// Errors names the Rate metrics that are error rates.
	Errors []string `json:"errors"`
	// Bounds are counts that must not exceed a maximum: the copies taken
	// from a line item cannot be more than it had when the test began.
	Bounds []Bound `json:"bounds,omitempty"`
	// Notes are figures the scenario derived for people (the callout
	// share of a request); they are reported, not compared.
	Notes map[string]float64 `json:"notes,omitempty"`
}

// Bound is one count that must stay at or under Max.
type Bound struct {
	Metric string  `json:"metric"`
	Max    float64 `json:"max"`
	What   string  `json:"what,omitempty"`
}

// State is the part of k6's test run state a summary keeps.
type State struct {
	TestRunDurationMs float64 `json:"testRunDurationMs"`
}

// Metric is one k6 metric in a summary.
type Metric struct {
	Type       string                     `json:"type"` // counter, gauge, rate, trend
	Contains   string                     `json:"contains,omitempty"`
	Values     map[string]float64         `json:"values"`
	Thresholds map[string]ThresholdResult `json:"thresholds,omitempty"`
}

// ThresholdResult is a threshold's outcome.
type ThresholdResult struct {
	OK bool `json:"ok"`
}

// Metric types as k6 names them.
const (
	Counter = "counter"
	Gauge   = "gauge"
	Rate    = "rate"
	Trend   = "trend"
)

// ReadSummary reads a summary file.
func ReadSummary(path string) (*Summary, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := DecodeSummary(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// DecodeSummary reads a summary; it must name its scenario and carry
// metrics.
func DecodeSummary(r io.Reader) (*Summary, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxSummaryBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxSummaryBytes {
		return nil, fmt.Errorf("the summary is larger than %d bytes", MaxSummaryBytes)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("not a benchmark summary (JSON): %w", err)
	}
	if s.Fnokit.Scenario == "" {
		return nil, errors.New("not a benchmark summary: fnokit.scenario is missing (was it written by a scenario's handleSummary?)")
	}
	if len(s.Metrics) == 0 {
		return nil, errors.New("the summary has no metrics")
	}
	for name, m := range s.Metrics {
		switch m.Type {
		case Counter, Gauge, Rate, Trend:
		default:
			return nil, fmt.Errorf("metric %s: unknown type %q", name, m.Type)
		}
	}
	return &s, nil
}

// Value returns one value of a metric ("p(95)", "rate", "count", …).
func (s *Summary) Value(metric, stat string) (float64, bool) {
	m, ok := s.Metrics[metric]
	if !ok {
		return 0, false
	}
	v, ok := m.Values[stat]
	return v, ok
}

// FailedThresholds lists the thresholds that did not hold, as
// "metric: expression", sorted.
func (s *Summary) FailedThresholds() []string {
	var out []string
	for name, m := range s.Metrics {
		for expr, v := range m.Thresholds {
			if !v.OK {
				out = append(out, name+": "+expr)
			}
		}
	}
	sort.Strings(out)
	return out
}

// BoundViolations lists the bounds whose count is above their maximum.
// A bound whose metric is absent counts zero: nothing was taken.
func (s *Summary) BoundViolations() []string {
	var out []string
	for _, b := range s.Fnokit.Bounds {
		n, _ := s.Value(b.Metric, "count")
		if n > b.Max {
			what := b.What
			if what == "" {
				what = b.Metric
			}
			out = append(out, fmt.Sprintf("%s: %g taken, at most %g available", what, n, b.Max))
		}
	}
	return out
}

// Duration is the test run's duration in seconds.
func (s *Summary) Duration() float64 { return s.State.TestRunDurationMs / 1000 }

// splitSubmetric splits "name{k:v,k2:v2}" into the metric name and its tag
// selector; a plain name has no tags. Values may be quoted.
func splitSubmetric(key string) (name string, tags map[string]string, err error) {
	name, rest, ok := strings.Cut(key, "{")
	if !ok {
		return key, nil, nil
	}
	body, ok := strings.CutSuffix(rest, "}")
	if !ok || name == "" {
		return "", nil, fmt.Errorf("submetric %q: want name{tag:value,…}", key)
	}
	tags = map[string]string{}
	for _, kv := range strings.Split(body, ",") {
		k, v, ok := strings.Cut(kv, ":")
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"'`)
		if !ok || k == "" {
			return "", nil, fmt.Errorf("submetric %q: want name{tag:value,…}", key)
		}
		tags[k] = v
	}
	return name, tags, nil
}
