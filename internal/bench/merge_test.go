package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"
)

// sample is one synthetic k6 sample.
type sample struct {
	metric string
	t      time.Time
	v      float64
	tags   map[string]string
}

// pointsOf writes samples as k6's --out json does: a Metric line before a
// metric's first Point, one JSON object per line.
func pointsOf(t *testing.T, ss []sample) string {
	t.Helper()
	var b strings.Builder
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s.metric] {
			seen[s.metric] = true
			fmt.Fprintf(&b, `{"type":"Metric","data":{"name":%q,"type":"trend","contains":"time","thresholds":[],"submetrics":null},"metric":%q}`+"\n", s.metric, s.metric)
		}
		line, err := json.Marshal(map[string]any{"type": "Point", "metric": s.metric,
			"data": map[string]any{"time": s.t, "value": s.v, "tags": s.tags}})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteString("\n")
	}
	return b.String()
}

var trendStats = map[string]float64{"avg": 0, "min": 0, "med": 0, "max": 0, "p(90)": 0, "p(95)": 0, "p(99)": 0, "count": 0}

// segmentSummary is what a process's handleSummary would say about the
// synthetic metrics: their names, types, statistics and thresholds.
func segmentSummary(segment string, durMs float64, p95Limit string, boundMax float64) *Summary {
	return &Summary{
		Fnokit: Meta{Scenario: "device-search", Profile: "load", Segment: segment,
			Latency: []string{"http_req_duration"}, Throughput: "fno_searches", Errors: []string{"checks"},
			Bounds: []Bound{{Metric: "fno_copies_taken{item:0}", Max: boundMax, What: "hot line item 0"}}},
		State: State{TestRunDurationMs: durMs},
		Metrics: map[string]Metric{
			"http_req_duration":              {Type: Trend, Contains: "time", Values: trendStats, Thresholds: map[string]ThresholdResult{p95Limit: {OK: true}}},
			"http_req_duration{operation:a}": {Type: Trend, Contains: "time", Values: trendStats},
			"fno_searches":                   {Type: Counter, Values: map[string]float64{"count": 0, "rate": 0}},
			"fno_copies_taken{item:0}":       {Type: Counter, Values: map[string]float64{"count": 0, "rate": 0}},
			"checks":                         {Type: Rate, Values: map[string]float64{"rate": 0, "passes": 0, "fails": 0}, Thresholds: map[string]ThresholdResult{"rate>0.9": {OK: true}}},
			"vus":                            {Type: Gauge, Values: map[string]float64{"value": 0, "min": 0, "max": 0}},
		},
	}
}

// synthetic makes one process's samples: n requests whose durations are
// drawn around mean, a search counted per request, a check per request
// (failing with the given share), copies taken from a hot item, and the
// vus gauge.
func synthetic(r *rand.Rand, start time.Time, n int, mean float64, failShare float64, copies int, vus float64) []sample {
	var ss []sample
	for i := range n {
		at := start.Add(time.Duration(i) * time.Millisecond)
		op := "a"
		if i%3 == 0 {
			op = "b"
		}
		ss = append(ss,
			sample{"http_req_duration", at, mean * (0.5 + r.ExpFloat64()), map[string]string{"operation": op, "status": "200"}},
			sample{"fno_searches", at, 1, map[string]string{"api": "soap"}},
		)
		pass := 1.0
		if r.Float64() < failShare {
			pass = 0
		}
		ss = append(ss, sample{"checks", at, pass, map[string]string{"check": "ok"}})
		if i < copies {
			ss = append(ss, sample{"fno_copies_taken", at, 1, map[string]string{"item": "0"}})
		}
		if i%100 == 0 {
			ss = append(ss, sample{"vus", at, vus, nil})
		}
	}
	return ss
}

func mergeOf(t *testing.T, segs ...Segment) *Summary {
	t.Helper()
	m, err := Merge(segs)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMergeIsPooling(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 11))
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	// Two processes with different speeds: a merge that averaged their
	// percentiles would be far from the pooled ones.
	a := synthetic(r, t0, 3000, 2, 0.01, 3, 4)
	b := synthetic(r, t0, 1000, 20, 0.05, 2, 4)
	sumA := segmentSummary("0:1/2", 10_000, "p(95)<40", 4)
	sumB := segmentSummary("1/2:1", 10_500, "p(95)<40", 5)

	merged := mergeOf(t,
		Segment{Summary: sumA, Points: strings.NewReader(pointsOf(t, a)), Name: "a"},
		Segment{Summary: sumB, Points: strings.NewReader(pointsOf(t, b)), Name: "b"})
	// The same samples as one process of the longer duration.
	whole := mergeOf(t, Segment{Summary: segmentSummary("", 10_500, "p(95)<40", 5), Points: strings.NewReader(pointsOf(t, append(append([]sample{}, a...), b...))), Name: "whole"})

	for key, wm := range whole.Metrics {
		if wm.Type == Gauge {
			continue // summed over processes, by design: checked below
		}
		mm, ok := merged.Metrics[key]
		if !ok {
			t.Errorf("%s missing from the merge", key)
			continue
		}
		for stat, want := range wm.Values {
			if got := mm.Values[stat]; math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
				t.Errorf("%s %s = %v, pooled %v", key, stat, got, want)
			}
		}
	}

	// Counts add up; rates are per second of the longer process.
	if got := merged.Metrics["fno_searches"].Values["count"]; got != 4000 {
		t.Errorf("fno_searches count %v, want 4000", got)
	}
	if got := merged.Metrics["fno_searches"].Values["rate"]; math.Abs(got-4000/10.5) > 1e-9 {
		t.Errorf("fno_searches rate %v, want %v", got, 4000/10.5)
	}
	if got := merged.Metrics["http_req_duration"].Values["count"]; got != 4000 {
		t.Errorf("http_req_duration count %v, want 4000", got)
	}
	checks := merged.Metrics["checks"].Values
	if checks["passes"]+checks["fails"] != 4000 || math.Abs(checks["rate"]-checks["passes"]/4000) > 1e-12 {
		t.Errorf("checks %v", checks)
	}
	if got := merged.Metrics["vus"].Values["value"]; got != 8 {
		t.Errorf("vus %v, want 8 (4 per process)", got)
	}
	// The submetric holds only its tag's samples.
	if got, all := merged.Metrics["http_req_duration{operation:a}"].Values["count"], 4000.0; got <= 0 || got >= all {
		t.Errorf("submetric count %v of %v", got, all)
	}

	// Not averaged: the mean of the two processes' p95 is far from the
	// pooled p95.
	pa := mergeOf(t, Segment{Summary: segmentSummary("", 1, "p(95)<40", 4), Points: strings.NewReader(pointsOf(t, a))}).Metrics["http_req_duration"].Values["p(95)"]
	pb := mergeOf(t, Segment{Summary: segmentSummary("", 1, "p(95)<40", 5), Points: strings.NewReader(pointsOf(t, b))}).Metrics["http_req_duration"].Values["p(95)"]
	pooled := merged.Metrics["http_req_duration"].Values["p(95)"]
	if avg := (pa + pb) / 2; math.Abs(avg-pooled) < 0.1*pooled {
		t.Errorf("pooled p95 %v is close to the mean of the processes' (%v, %v): the test cannot tell pooling from averaging", pooled, pa, pb)
	}

	if got := merged.Fnokit.Segments; strings.Join(got, " ") != "0:1/2 1/2:1" {
		t.Errorf("segments %v", got)
	}
	if len(merged.Fnokit.Bounds) != 1 || merged.Fnokit.Bounds[0].Max != 5 {
		t.Errorf("bounds %v, want one with the larger maximum, 5", merged.Fnokit.Bounds)
	}
	if v := merged.BoundViolations(); len(v) != 0 {
		t.Errorf("5 copies of 5 reported oversold: %v", v)
	}
}

// TestMergeThresholds: each process alone holds its threshold; together,
// pooled, they do not, and the merge says so.
func TestMergeThresholds(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	mk := func(v float64, n int) []sample {
		var ss []sample
		for i := range n {
			ss = append(ss, sample{"http_req_duration", t0.Add(time.Duration(i)), v, nil})
		}
		return ss
	}
	// A: 100 at 1 ms; B: 8 at 100 ms. B's p95 alone is 100 (fails); A's
	// is 1. Pooled, 8 of 108 are slow: p95 falls among them.
	limit := "p(95)<50"
	m := mergeOf(t,
		Segment{Summary: segmentSummary("0:1/2", 1000, limit, 1), Points: strings.NewReader(pointsOf(t, mk(1, 100)))},
		Segment{Summary: segmentSummary("1/2:1", 1000, limit, 1), Points: strings.NewReader(pointsOf(t, mk(100, 8)))})
	if m.Metrics["http_req_duration"].Thresholds[limit].OK {
		t.Errorf("pooled p95 %v passes %s", m.Metrics["http_req_duration"].Values["p(95)"], limit)
	}
	if got := strings.Join(m.FailedThresholds(), "; "); !strings.Contains(got, "http_req_duration: "+limit) {
		t.Errorf("failed thresholds %v", got)
	}
	// checks has no samples: its rate is 0, and rate>0.9 does not hold.
	if m.Metrics["checks"].Thresholds["rate>0.9"].OK {
		t.Error("a threshold on a metric without samples holds")
	}
}

func TestMergeOversold(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	t0 := time.Now()
	// Each process took 3 copies of an item that had 4 at the start.
	m := mergeOf(t,
		Segment{Summary: segmentSummary("0:1/2", 1000, "p(95)<1000", 4), Points: strings.NewReader(pointsOf(t, synthetic(r, t0, 50, 1, 0, 3, 1)))},
		Segment{Summary: segmentSummary("1/2:1", 1000, "p(95)<1000", 4), Points: strings.NewReader(pointsOf(t, synthetic(r, t0, 50, 1, 0, 3, 1)))})
	v := m.BoundViolations()
	if len(v) != 1 || !strings.Contains(v[0], "6 taken, at most 4") {
		t.Errorf("violations %v, want 6 taken of 4", v)
	}
}

func TestMergeErrors(t *testing.T) {
	t.Parallel()
	ok := func() *Summary { return segmentSummary("0:1", 1000, "p(95)<10", 1) }
	other := ok()
	other.Fnokit.Profile = "smoke"
	clash := ok()
	clash.Metrics["vus"] = Metric{Type: Trend, Values: trendStats}
	badThreshold := ok()
	badThreshold.Metrics["vus"] = Metric{Type: Gauge, Values: map[string]float64{"value": 0}, Thresholds: map[string]ThresholdResult{"p95 under 5": {}}}
	badStat := ok()
	badStat.Metrics["http_req_duration"] = Metric{Type: Trend, Values: map[string]float64{"p(101)": 0}}
	for _, tc := range []struct {
		name   string
		segs   []Segment
		errHas string
	}{
		{"none", nil, "no segments"},
		{"two profiles", []Segment{{Summary: ok(), Points: strings.NewReader("")}, {Summary: other, Points: strings.NewReader(""), Name: "b"}}, "scenario"},
		{"type clash", []Segment{{Summary: ok(), Points: strings.NewReader("")}, {Summary: clash, Points: strings.NewReader(""), Name: "b"}}, "is a trend"},
		{"not JSON lines", []Segment{{Summary: ok(), Points: strings.NewReader("{\"type\":\"Point\"}\nnot json\n"), Name: "a"}}, "line 2"},
		{"line too long", []Segment{{Summary: ok(), Points: strings.NewReader(strings.Repeat("x", maxPointLine+10)), Name: "a"}}, "line 1"},
		{"bad threshold", []Segment{{Summary: badThreshold, Points: strings.NewReader("")}}, "threshold"},
		{"bad statistic", []Segment{{Summary: badStat, Points: strings.NewReader("")}}, "statistic"},
	} {
		_, err := Merge(tc.segs)
		if err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("%s: error %v, want one about %q", tc.name, err, tc.errHas)
		}
	}
}

// TestPercentile checks k6's rank interpolation on sets whose percentiles
// follow from the definition: rank p*(n-1), linear between neighbours.
func TestPercentile(t *testing.T) {
	t.Parallel()
	seq := func(n int) []float64 {
		out := make([]float64, n)
		for i := range out {
			out[i] = float64(i + 1)
		}
		return out
	}
	for _, tc := range []struct {
		vals []float64
		p    float64
		want float64
	}{
		{nil, 0.95, 0},
		{[]float64{7}, 0.99, 7},
		{seq(101), 0.95, 96}, // rank 95 of 0..100
		{seq(101), 0.5, 51},
		{seq(4), 0.5, 2.5}, // rank 1.5: halfway between 2 and 3
		{seq(11), 0.99, 10.9},
		{seq(11), 0, 1},
		{seq(11), 1, 11},
	} {
		v := append([]float64{}, tc.vals...)
		sort.Float64s(v)
		if got := percentile(v, tc.p); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("percentile(%d values, %v) = %v, want %v", len(v), tc.p, got, tc.want)
		}
	}
}
