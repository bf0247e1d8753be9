package bench

import (
	"bytes"
	"strings"
	"testing"
)

// summaryOf builds a synthetic summary: one latency trend (p95, p99), a
// throughput counter and an error rate.
func summaryOf(profile string, p95, p99, rate, errs float64) *Summary {
	return &Summary{
		Fnokit: Meta{
			Scenario: "device-search", Profile: profile,
			Latency:    []string{"fno_operation_duration{operation:searchDevices}"},
			Throughput: "fno_searches", Errors: []string{"fno_unexpected"},
		},
		State: State{TestRunDurationMs: 10000},
		Metrics: map[string]Metric{
			"fno_operation_duration{operation:searchDevices}": {Type: Trend, Contains: "time", Values: map[string]float64{"p(95)": p95, "p(99)": p99}},
			"fno_searches":   {Type: Counter, Values: map[string]float64{"count": rate * 10, "rate": rate}},
			"fno_unexpected": {Type: Rate, Values: map[string]float64{"rate": errs}},
		},
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	base := summaryOf("load", 20, 40, 1000, 0)
	tol := Tolerance{Relative: 0.10, MinLatencyMs: 1, MinRate: 0.001}
	for _, tc := range []struct {
		name string
		cur  *Summary
		want []string // metric/stat of the rows that regress
	}{
		{"same", summaryOf("load", 20, 40, 1000, 0), nil},
		{"within tolerance", summaryOf("load", 21.9, 43.9, 901, 0.0009), nil},
		{"better", summaryOf("load", 10, 20, 2000, 0), nil},
		{"p95 beyond", summaryOf("load", 22.5, 40, 1000, 0), []string{"fno_operation_duration{operation:searchDevices}/p(95)"}},
		{"p99 beyond", summaryOf("load", 20, 45, 1000, 0), []string{"fno_operation_duration{operation:searchDevices}/p(99)"}},
		{"throughput down", summaryOf("load", 20, 40, 899, 0), []string{"fno_searches/rate"}},
		{"errors up", summaryOf("load", 20, 40, 1000, 0.02), []string{"fno_unexpected/rate"}},
		{"all at once", summaryOf("load", 30, 60, 500, 0.5), []string{
			"fno_operation_duration{operation:searchDevices}/p(95)", "fno_operation_duration{operation:searchDevices}/p(99)",
			"fno_searches/rate", "fno_unexpected/rate"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Compare(base, tc.cur, tol)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range c.Rows {
				if r.Regressed {
					got = append(got, r.Metric+"/"+r.Stat)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("regressions %v, want %v", got, tc.want)
			}
			if c.Regressions() != len(tc.want) {
				t.Errorf("Regressions() = %d, want %d", c.Regressions(), len(tc.want))
			}
		})
	}
}

// TestCompareNoiseFloor: a sub-millisecond p99 may double without being a
// regression; a zero error rate may become one stray error in a thousand.
func TestCompareNoiseFloor(t *testing.T) {
	t.Parallel()
	base := summaryOf("smoke", 0.4, 0.6, 100, 0)
	cur := summaryOf("smoke", 0.9, 1.2, 100, 0.0009)
	c, err := Compare(base, cur, DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	if n := c.Regressions(); n != 0 {
		t.Errorf("%d regressions under the noise floors, want 0", n)
	}
	c, err = Compare(base, cur, Tolerance{Relative: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	if n := c.Regressions(); n != 3 {
		t.Errorf("without floors: %d regressions, want 3 (p95, p99, errors)", n)
	}
}

func TestCompareMissingAndNew(t *testing.T) {
	t.Parallel()
	base := summaryOf("load", 20, 40, 1000, 0)
	cur := summaryOf("load", 20, 40, 1000, 0)
	delete(cur.Metrics, "fno_unexpected")
	cur.Fnokit.Latency = append(cur.Fnokit.Latency, "fno_new")
	cur.Metrics["fno_new"] = Metric{Type: Trend, Values: map[string]float64{"p(95)": 1, "p(99)": 2}}
	c, err := Compare(base, cur, DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	var missing, fresh int
	for _, r := range c.Rows {
		if r.Missing {
			missing++
			if !r.Regressed {
				t.Errorf("%s: missing in the run but not a regression", r.Metric)
			}
		}
		if r.New {
			fresh++
			if r.Regressed {
				t.Errorf("%s: new in the run and a regression", r.Metric)
			}
		}
	}
	if missing != 1 || fresh != 2 {
		t.Errorf("missing %d, new %d; want 1 and 2", missing, fresh)
	}
	var b bytes.Buffer
	if err := c.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"REGRESSION: not measured in this run", "new", "tolerance 10%"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestCompareRefusesUnlike(t *testing.T) {
	t.Parallel()
	base := summaryOf("load", 20, 40, 1000, 0)
	other := summaryOf("smoke", 20, 40, 1000, 0)
	if _, err := Compare(base, other, DefaultTolerance); err == nil {
		t.Error("a load baseline compared with a smoke run")
	}
	other = summaryOf("load", 20, 40, 1000, 0)
	other.Fnokit.Scenario = "fulfillment-generation"
	if _, err := Compare(base, other, DefaultTolerance); err == nil {
		t.Error("two scenarios compared")
	}
	if _, err := Compare(nil, other, DefaultTolerance); err == nil {
		t.Error("a nil baseline compared")
	}
}

func TestParseTolerance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"10%", 0.10, true}, {"0.1", 0.1, true}, {" 2.5% ", 0.025, true}, {"0", 0, true}, {"1000%", 10, true},
		{"", 0, false}, {"ten", 0, false}, {"-5%", 0, false}, {"1001%", 0, false}, {"NaN", 0, false}, {"%", 0, false},
	} {
		got, err := ParseTolerance(tc.in)
		if (err == nil) != tc.ok || (tc.ok && (got-tc.want > 1e-12 || tc.want-got > 1e-12)) {
			t.Errorf("ParseTolerance(%q) = %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestJudge(t *testing.T) {
	t.Parallel()
	s := summaryOf("load", 20, 40, 1000, 0)
	s.Fnokit.Bounds = []Bound{
		{Metric: "fno_copies_taken{item:0}", Max: 3, What: "hot line item 0"},
		{Metric: "fno_copies_taken{item:1}", Max: 5, What: "hot line item 1"},
		{Metric: "fno_copies_taken{item:2}", Max: 0, What: "hot line item 2"}, // absent: nothing taken
	}
	s.Metrics["fno_copies_taken{item:0}"] = Metric{Type: Counter, Values: map[string]float64{"count": 4}}
	s.Metrics["fno_copies_taken{item:1}"] = Metric{Type: Counter, Values: map[string]float64{"count": 5}}
	s.Metrics["http_req_failed"] = Metric{Type: Rate, Values: map[string]float64{"rate": 0.5},
		Thresholds: map[string]ThresholdResult{"rate<0.01": {OK: false}}}
	v, err := Judge(s, nil, DefaultTolerance)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Oversold) != 1 || !strings.Contains(v.Oversold[0], "hot line item 0") {
		t.Errorf("oversold %v, want hot line item 0 only", v.Oversold)
	}
	if len(v.FailedThresholds) != 1 || v.FailedThresholds[0] != "http_req_failed: rate<0.01" {
		t.Errorf("failed thresholds %v", v.FailedThresholds)
	}
	if !v.Failed() {
		t.Error("not failed")
	}
	clean := summaryOf("load", 20, 40, 1000, 0)
	v, err = Judge(clean, summaryOf("load", 20, 40, 1000, 0), DefaultTolerance)
	if err != nil || v.Failed() {
		t.Errorf("a clean run judged failed: %v %+v", err, v)
	}
}
