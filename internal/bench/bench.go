// Package bench runs fnokit's k6 scenarios (scenarios/*.js, with the k6/x/fno
// extension built into bin/k6) and judges their results: it runs k6 as a
// bounded subprocess, reads the summary a scenario's handleSummary writes,
// compares it with a stored baseline (p95 and p99 of the scenario's key
// latency metrics, its throughput, its error rates) within a tolerance, and
// merges the results of a test split across several k6 processes with
// --execution-segment into one summary, percentiles recomputed exactly from
// every process's raw samples.
//
// The scenario decides what matters: its summary names the latency,
// throughput and error metrics to compare and the bounds that must hold
// (copies taken from a line item against the copies it had), so this
// package knows no scenario by name. `fnokit bench` (internal/cli) wires it
// to the emulator and the reference callout.
//
// Percentiles follow k6's own method (go.k6.io/k6/metrics TrendSink.P:
// linear interpolation between the nearest ranks), so a summary merged here
// from one process's samples equals that process's own summary.
package bench

import (
	"fmt"
	"regexp"
	"sort"
)

// Scenarios are the scenarios fnokit ships, in scenarios/<name>.js.
var Scenarios = []string{"fulfillment-generation", "device-search", "callout-latency"}

// Profiles are the load profiles every scenario has (PROFILE=…).
var Profiles = []string{"smoke", "load", "stress", "soak"}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// ValidName says whether s can name a scenario file: lower-case letters,
// digits and dashes, so a name never reaches outside scenarios/.
func ValidName(s string) bool { return nameRE.MatchString(s) }

// Verdict is what a run (or a merged run) comes to.
type Verdict struct {
	FailedThresholds []string
	Oversold         []string // bounds crossed
	Comparison       *Comparison
}

// Judge collects a summary's failures and, given a baseline, its
// comparison with it.
func Judge(s *Summary, baseline *Summary, tol Tolerance) (*Verdict, error) {
	v := &Verdict{FailedThresholds: s.FailedThresholds(), Oversold: s.BoundViolations()}
	if baseline != nil {
		c, err := Compare(baseline, s, tol)
		if err != nil {
			return v, err
		}
		v.Comparison = c
	}
	return v, nil
}

// Failed says whether the run failed: a threshold crossed, a bound
// crossed, or a regression.
func (v *Verdict) Failed() bool {
	return len(v.FailedThresholds) > 0 || len(v.Oversold) > 0 || (v.Comparison != nil && v.Comparison.Regressions() > 0)
}

// Headline is the summary's key figures in a few lines: throughput,
// p95/p99 of the latency metrics, error rates and the scenario's notes.
func Headline(s *Summary) []string {
	var out []string
	out = append(out, fmt.Sprintf("%s (%s) on %s: %.1fs", s.Fnokit.Scenario, s.Fnokit.Profile, orDash(s.Fnokit.Target), s.Duration()))
	if tp := s.Fnokit.Throughput; tp != "" {
		if r, ok := s.Value(tp, "rate"); ok {
			n, _ := s.Value(tp, "count")
			out = append(out, fmt.Sprintf("  throughput %s: %.1f/s (%g in all)", tp, r, n))
		}
	}
	for _, m := range s.Fnokit.Latency {
		p95, ok95 := s.Value(m, "p(95)")
		p99, ok99 := s.Value(m, "p(99)")
		if ok95 && ok99 {
			out = append(out, fmt.Sprintf("  %s: p95 %.2fms, p99 %.2fms", m, p95, p99))
		}
	}
	for _, m := range s.Fnokit.Errors {
		if r, ok := s.Value(m, "rate"); ok {
			out = append(out, fmt.Sprintf("  %s: %.3f%%", m, 100*r))
		}
	}
	keys := make([]string, 0, len(s.Fnokit.Notes))
	for k := range s.Fnokit.Notes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, fmt.Sprintf("  %s: %g", k, s.Fnokit.Notes[k]))
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
