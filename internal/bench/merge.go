package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Limits of a points file read by Merge: k6 writes one short JSON object
// per line.
const (
	maxPointLine = 1 << 20
	// MaxPoints bounds the samples Merge keeps in memory (16 bytes each):
	// a bounded benchmark stays far below it.
	MaxPoints = 50_000_000
)

// Segment is one k6 process's share of a test split with
// --execution-segment: its own summary (what the scenario's handleSummary
// wrote: which metrics, thresholds, bounds, duration) and the raw samples
// it wrote with --out json=<file>.
type Segment struct {
	Summary *Summary
	Points  io.Reader
	Name    string // for messages: the points file
}

// Merge makes one summary of a test split across several k6 processes.
// Counts are summed; trend statistics (percentiles included) are computed
// exactly from every process's raw samples, pooled, with k6's own
// percentile method, never averaged from the processes' figures; rates
// are passes over all samples; counter rates are per second of the longest
// process's run (the processes run side by side). Gauges are summed over
// the processes (vus, vus_max: the whole test's), their min is the least.
// The thresholds of the processes' summaries are evaluated again on the
// merged values, and a bound's maximum is the largest any process saw at
// its start (the earliest setup saw the most).
func Merge(segs []Segment) (*Summary, error) {
	if len(segs) == 0 {
		return nil, errors.New("merge: no segments")
	}
	out := &Summary{Metrics: map[string]Metric{}}
	first := segs[0].Summary
	out.Fnokit = first.Fnokit
	out.Fnokit.Segment, out.Fnokit.Segments, out.Fnokit.Bounds, out.Fnokit.Notes = "", nil, nil, nil

	accs := map[string][]*accumulator{} // metric name → its metric and submetrics
	byKey := map[string]*accumulator{}
	bounds := map[string]Bound{}
	var boundOrder []string
	for _, sg := range segs {
		s := sg.Summary
		if s.Fnokit.Scenario != first.Fnokit.Scenario || s.Fnokit.Profile != first.Fnokit.Profile {
			return nil, fmt.Errorf("merge: %s is scenario %s/%s, the first segment %s/%s", sg.Name,
				s.Fnokit.Scenario, s.Fnokit.Profile, first.Fnokit.Scenario, first.Fnokit.Profile)
		}
		out.Fnokit.Segments = append(out.Fnokit.Segments, s.Fnokit.Segment)
		out.State.TestRunDurationMs = math.Max(out.State.TestRunDurationMs, s.State.TestRunDurationMs)
		for key, m := range s.Metrics {
			a := byKey[key]
			if a == nil {
				name, tags, err := splitSubmetric(key)
				if err != nil {
					return nil, fmt.Errorf("merge: %s: %w", sg.Name, err)
				}
				a = &accumulator{key: key, typ: m.Type, contains: m.Contains, tags: tags,
					stats: map[string]bool{}, thresholds: map[string]bool{}, last: make([]gaugeLast, len(segs))}
				byKey[key] = a
				accs[name] = append(accs[name], a)
			} else if a.typ != m.Type {
				return nil, fmt.Errorf("merge: metric %s is a %s in %s and a %s in another segment", key, m.Type, sg.Name, a.typ)
			}
			for stat := range m.Values {
				a.stats[stat] = true
			}
			for expr := range m.Thresholds {
				a.thresholds[expr] = true
			}
		}
		for _, b := range s.Fnokit.Bounds {
			old, seen := bounds[b.Metric]
			if !seen {
				boundOrder = append(boundOrder, b.Metric)
				bounds[b.Metric] = b
			} else if b.Max > old.Max {
				old.Max = b.Max
				bounds[b.Metric] = old
			}
		}
	}
	for _, m := range boundOrder {
		out.Fnokit.Bounds = append(out.Fnokit.Bounds, bounds[m])
	}

	total := 0
	for i, sg := range segs {
		n, err := readPoints(sg.Points, i, accs, MaxPoints-total)
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %w", sg.Name, err)
		}
		total += n
	}

	dur := out.Duration()
	for key, a := range byKey {
		m, err := a.metric(dur)
		if err != nil {
			return nil, fmt.Errorf("merge: %s: %w", key, err)
		}
		out.Metrics[key] = m
	}
	return out, nil
}

// point is one line of k6's JSON output.
type point struct {
	Type   string `json:"type"`
	Metric string `json:"metric"`
	Data   struct {
		Time  time.Time         `json:"time"`
		Value float64           `json:"value"`
		Tags  map[string]string `json:"tags"`
	} `json:"data"`
}

// readPoints feeds the Point lines of r to the accumulators of their
// metric; Metric lines (definitions) are skipped. It returns how many
// values it kept.
func readPoints(r io.Reader, seg int, accs map[string][]*accumulator, budget int) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxPointLine)
	kept, line := 0, 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var p point
		if err := json.Unmarshal(b, &p); err != nil {
			return kept, fmt.Errorf("line %d: not a k6 JSON output line: %w", line, err)
		}
		if p.Type != "Point" {
			continue
		}
		for _, a := range accs[p.Metric] {
			if !a.matches(p.Data.Tags) {
				continue
			}
			a.add(seg, p.Data.Time, p.Data.Value)
			if a.typ == Trend {
				kept++
				if kept > budget {
					return kept, fmt.Errorf("more than %d samples: merge a shorter run", MaxPoints)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return kept, fmt.Errorf("line %d: %w", line+1, err)
	}
	return kept, nil
}

// accumulator gathers one metric's (or submetric's) samples.
type accumulator struct {
	key, typ, contains string
	tags               map[string]string
	stats, thresholds  map[string]bool

	values     []float64 // trend
	sum        float64   // counter; trend
	n, nonzero int64     // rate; trend count
	min, max   float64
	seen       bool
	last       []gaugeLast // gauge: per segment
}

type gaugeLast struct {
	t     time.Time
	v     float64
	valid bool
}

func (a *accumulator) matches(tags map[string]string) bool {
	for k, v := range a.tags {
		if tags[k] != v {
			return false
		}
	}
	return true
}

func (a *accumulator) add(seg int, t time.Time, v float64) {
	if !a.seen || v < a.min {
		a.min = v
	}
	if !a.seen || v > a.max {
		a.max = v
	}
	a.seen = true
	a.n++
	switch a.typ {
	case Trend:
		a.values = append(a.values, v)
		a.sum += v
	case Counter:
		a.sum += v
	case Rate:
		if v != 0 {
			a.nonzero++
		}
	case Gauge:
		if l := &a.last[seg]; !l.valid || !t.Before(l.t) {
			*l = gaugeLast{t, v, true}
		}
	}
}

// metric computes the merged values the summaries had for this metric,
// and the thresholds.
func (a *accumulator) metric(durationSec float64) (Metric, error) {
	m := Metric{Type: a.typ, Contains: a.contains, Values: map[string]float64{}}
	want := map[string]bool{}
	for s := range a.stats {
		want[s] = true
	}
	exprs := make([]Threshold, 0, len(a.thresholds))
	names := make([]string, 0, len(a.thresholds))
	for e := range a.thresholds {
		t, err := ParseThreshold(e)
		if err != nil {
			return m, err
		}
		exprs, names = append(exprs, t), append(names, e)
		want[t.Stat] = true
	}
	switch a.typ {
	case Trend:
		sort.Float64s(a.values)
		for s := range want {
			v, err := trendStat(a.values, a.sum, s)
			if err != nil {
				return m, err
			}
			m.Values[s] = v
		}
	case Counter:
		m.Values["count"] = a.sum
		m.Values["rate"] = 0
		if durationSec > 0 {
			m.Values["rate"] = a.sum / durationSec
		}
	case Rate:
		m.Values["passes"] = float64(a.nonzero)
		m.Values["fails"] = float64(a.n - a.nonzero)
		m.Values["rate"] = 0
		if a.n > 0 {
			m.Values["rate"] = float64(a.nonzero) / float64(a.n)
		}
	case Gauge:
		var v float64
		for _, l := range a.last {
			if l.valid {
				v += l.v
			}
		}
		// Several processes' gauges add up; the largest single sample
		// is a lower bound of their sum's maximum.
		m.Values["value"], m.Values["min"], m.Values["max"] = v, a.min, math.Max(a.max, v)
	}
	if len(exprs) > 0 {
		m.Thresholds = map[string]ThresholdResult{}
		for i, t := range exprs {
			m.Thresholds[names[i]] = ThresholdResult{OK: t.Holds(m.Values)}
		}
	}
	return m, nil
}

// trendStat is one trend statistic over sorted values, as k6 computes it
// (metrics.TrendSink): percentiles interpolate linearly between the two
// nearest ranks; an empty trend is all zeros.
func trendStat(sorted []float64, sum float64, stat string) (float64, error) {
	n := len(sorted)
	switch stat {
	case "count":
		return float64(n), nil
	case "avg":
		if n == 0 {
			return 0, nil
		}
		return sum / float64(n), nil
	case "min":
		if n == 0 {
			return 0, nil
		}
		return sorted[0], nil
	case "max":
		if n == 0 {
			return 0, nil
		}
		return sorted[n-1], nil
	case "med":
		return percentile(sorted, 0.5), nil
	}
	if p, ok := strings.CutPrefix(stat, "p("); ok {
		if p, ok = strings.CutSuffix(p, ")"); ok {
			f, err := strconv.ParseFloat(p, 64)
			if err == nil && f >= 0 && f <= 100 {
				return percentile(sorted, f/100), nil
			}
		}
	}
	return 0, fmt.Errorf("unknown trend statistic %q", stat)
}

// percentile is k6's TrendSink.P over sorted values.
func percentile(sorted []float64, pct float64) float64 {
	switch len(sorted) {
	case 0:
		return 0
	case 1:
		return sorted[0]
	}
	i := pct * float64(len(sorted)-1)
	j, k := sorted[int(math.Floor(i))], sorted[int(math.Ceil(i))]
	return j + (k-j)*(i-math.Floor(i))
}
