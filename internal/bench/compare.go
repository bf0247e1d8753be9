package bench

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Tolerance says how much worse than its baseline a run may be before it
// is a regression.
type Tolerance struct {
	// Relative is the share a figure may worsen: 0.10 lets p95 grow by
	// 10 % and throughput fall by 10 %.
	Relative float64
	// MinLatencyMs is the least latency growth, in milliseconds, that can
	// be a regression: sub-millisecond moves of a loopback p99 are noise
	// however large they are in per cent.
	MinLatencyMs float64
	// MinRate is the least error-rate growth (a share, 0.001 = 0.1
	// percentage point) that can be a regression, so that one stray error
	// against a baseline of none is not one.
	MinRate float64
}

// DefaultTolerance is --tolerance 10% with the noise floors.
var DefaultTolerance = Tolerance{Relative: 0.10, MinLatencyMs: 1, MinRate: 0.001}

// ParseTolerance reads "10%" or "0.1" as a relative tolerance (0 to 1000 %).
func ParseTolerance(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(t, "%"), 64)
	if err != nil || math.IsNaN(v) {
		return 0, fmt.Errorf("tolerance %q: want a share such as 10%% or 0.1", s)
	}
	if pct {
		v /= 100
	}
	if v < 0 || v > 10 {
		return 0, fmt.Errorf("tolerance %q: want 0%% to 1000%%", s)
	}
	return v, nil
}

// Kind is what a compared figure measures, which says which way is worse.
type Kind string

// Kinds of compared figures.
const (
	KindLatency    Kind = "latency"    // higher is worse (ms)
	KindThroughput Kind = "throughput" // lower is worse (per second)
	KindErrors     Kind = "errors"     // higher is worse (share)
)

// Row is one compared figure.
type Row struct {
	Metric    string
	Stat      string
	Kind      Kind
	Baseline  float64
	Current   float64
	Missing   bool // in the baseline, not in this run
	New       bool // in this run, not in the baseline
	Regressed bool
}

// Change is the relative change from the baseline (+0.12 is 12 % more);
// NaN when the baseline is zero.
func (r Row) Change() float64 {
	if r.Baseline == 0 {
		return math.NaN()
	}
	return r.Current/r.Baseline - 1
}

// Comparison is a run against its baseline.
type Comparison struct {
	Scenario, Profile string
	Tolerance         Tolerance
	Rows              []Row
}

// Regressions counts the rows that regressed.
func (c *Comparison) Regressions() int {
	n := 0
	for _, r := range c.Rows {
		if r.Regressed {
			n++
		}
	}
	return n
}

// Compare compares a run with its baseline: p(95) and p(99) of every
// latency metric, the throughput, and every error rate, each against the
// tolerance. A figure the baseline has and the run lacks is a regression
// (what was measured before was not measured now). The two must be the
// same scenario and profile: figures of different loads do not compare.
func Compare(base, cur *Summary, tol Tolerance) (*Comparison, error) {
	if base == nil || cur == nil {
		return nil, errors.New("compare: a summary is missing")
	}
	if base.Fnokit.Scenario != cur.Fnokit.Scenario {
		return nil, fmt.Errorf("compare: the baseline is scenario %s, this run %s", base.Fnokit.Scenario, cur.Fnokit.Scenario)
	}
	if base.Fnokit.Profile != cur.Fnokit.Profile {
		return nil, fmt.Errorf("compare: the baseline is profile %s, this run %s; compare like with like", base.Fnokit.Profile, cur.Fnokit.Profile)
	}
	c := &Comparison{Scenario: cur.Fnokit.Scenario, Profile: cur.Fnokit.Profile, Tolerance: tol}
	for _, m := range union(base.Fnokit.Latency, cur.Fnokit.Latency) {
		for _, stat := range []string{"p(95)", "p(99)"} {
			c.Rows = append(c.Rows, compareOne(base, cur, m, stat, KindLatency, tol))
		}
	}
	if tp := cmp.Or(cur.Fnokit.Throughput, base.Fnokit.Throughput); tp != "" {
		c.Rows = append(c.Rows, compareOne(base, cur, tp, "rate", KindThroughput, tol))
	}
	for _, m := range union(base.Fnokit.Errors, cur.Fnokit.Errors) {
		c.Rows = append(c.Rows, compareOne(base, cur, m, "rate", KindErrors, tol))
	}
	return c, nil
}

func compareOne(base, cur *Summary, metric, stat string, k Kind, tol Tolerance) Row {
	r := Row{Metric: metric, Stat: stat, Kind: k}
	b, okB := base.Value(metric, stat)
	v, okC := cur.Value(metric, stat)
	r.Baseline, r.Current = b, v
	switch {
	case !okB && !okC:
		r.Missing, r.New = true, true // neither measured it: reported, not judged
		return r
	case !okC:
		r.Missing, r.Regressed = true, true
		return r
	case !okB:
		r.New = true
		return r
	}
	switch k {
	case KindLatency:
		r.Regressed = v > b*(1+tol.Relative) && v-b > tol.MinLatencyMs
	case KindThroughput:
		r.Regressed = v < b*(1-tol.Relative)
	case KindErrors:
		r.Regressed = v > b*(1+tol.Relative) && v-b > tol.MinRate
	}
	return r
}

// WriteTable prints the comparison as an aligned table.
func (c *Comparison) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s (%s) against the baseline, tolerance %s\n", c.Scenario, c.Profile, formatPct(c.Tolerance.Relative))
	fmt.Fprintln(tw, "metric\tstat\tbaseline\tcurrent\tchange\t")
	for _, r := range c.Rows {
		verdict := "ok"
		switch {
		case r.Missing && r.New:
			verdict = "not measured"
		case r.Missing:
			verdict = "REGRESSION: not measured in this run"
		case r.New:
			verdict = "new"
		case r.Regressed:
			verdict = "REGRESSION"
		}
		change := "—"
		if ch := r.Change(); !math.IsNaN(ch) && !r.Missing && !r.New {
			change = fmt.Sprintf("%+.1f%%", ch*100)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Metric, r.Stat,
			formatValue(r.Kind, r.Baseline, r.New), formatValue(r.Kind, r.Current, r.Missing), change, verdict)
	}
	return tw.Flush()
}

func formatValue(k Kind, v float64, absent bool) string {
	if absent {
		return "—"
	}
	switch k {
	case KindLatency:
		return fmt.Sprintf("%.2fms", v)
	case KindThroughput:
		return fmt.Sprintf("%.1f/s", v)
	}
	return formatPct(v)
}

func formatPct(v float64) string { return fmt.Sprintf("%.3g%%", v*100) }

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range [][]string{a, b} {
		for _, s := range l {
			if !seen[s] {
				seen[s] = true
				out = append(out, s)
			}
		}
	}
	return out
}
