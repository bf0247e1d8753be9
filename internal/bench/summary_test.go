package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecodeSummary(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, errHas string
	}{
		{"ok", `{"fnokit":{"scenario":"s","profile":"smoke"},"state":{"testRunDurationMs":1000},"metrics":{"x":{"type":"counter","values":{"count":1,"rate":1}}}}`, ""},
		{"not JSON", `{`, "not a benchmark summary"},
		{"k6 summary without fnokit", `{"metrics":{"x":{"type":"counter","values":{}}}}`, "fnokit.scenario"},
		{"no metrics", `{"fnokit":{"scenario":"s"},"metrics":{}}`, "no metrics"},
		{"unknown type", `{"fnokit":{"scenario":"s"},"metrics":{"x":{"type":"histogram","values":{}}}}`, "unknown type"},
	} {
		_, err := DecodeSummary(strings.NewReader(tc.in))
		if tc.errHas == "" && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if tc.errHas != "" && (err == nil || !strings.Contains(err.Error(), tc.errHas)) {
			t.Errorf("%s: error %v, want one about %q", tc.name, err, tc.errHas)
		}
	}
}

func TestReadSummaryTooLarge(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "big.json")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxSummaryBytes + 10); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadSummary(p); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("error %v, want the size bound", err)
	}
}

func TestSplitSubmetric(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, name string
		tags     map[string]string
		ok       bool
	}{
		{"http_reqs", "http_reqs", nil, true},
		{"fno_operation_duration{operation:createLicense}", "fno_operation_duration", map[string]string{"operation": "createLicense"}, true},
		{`x{a: "1", b:'two'}`, "x", map[string]string{"a": "1", "b": "two"}, true},
		{"x{url:http://h/p}", "x", map[string]string{"url": "http://h/p"}, true},
		{"x{a}", "", nil, false},
		{"x{a:1", "", nil, false},
		{"{a:1}", "", nil, false},
	} {
		name, tags, err := splitSubmetric(tc.in)
		if (err == nil) != tc.ok || name != tc.name || len(tags) != len(tc.tags) {
			t.Errorf("splitSubmetric(%q) = %q, %v, %v", tc.in, name, tags, err)
			continue
		}
		for k, v := range tc.tags {
			if tags[k] != v {
				t.Errorf("splitSubmetric(%q): tag %s = %q, want %q", tc.in, k, tags[k], v)
			}
		}
	}
}

func TestThreshold(t *testing.T) {
	t.Parallel()
	vals := map[string]float64{"p(95)": 120, "p(99.9)": 300, "rate": 0.005, "count": 0, "avg": 50}
	for _, tc := range []struct {
		expr  string
		holds bool
		ok    bool
	}{
		{"p(95)<200", true, true}, {"p(95) < 100", false, true}, {"p(99.9)<=300", true, true},
		{"rate<0.01", true, true}, {"count==0", true, true}, {"count===0", true, true}, {"count!=0", false, true},
		{"avg>=50", true, true}, {"avg>50", false, true}, {"rate<1e-3", false, true},
		{"p(90)<1000", false, true}, // not among the values: does not hold
		{"max<", false, false}, {"p95<1", false, false}, {"rate ~ 1", false, false}, {"", false, false},
	} {
		th, err := ParseThreshold(tc.expr)
		if (err == nil) != tc.ok {
			t.Errorf("ParseThreshold(%q): %v", tc.expr, err)
			continue
		}
		if tc.ok && th.Holds(vals) != tc.holds {
			t.Errorf("%q holds = %v, want %v", tc.expr, !tc.holds, tc.holds)
		}
	}
}
