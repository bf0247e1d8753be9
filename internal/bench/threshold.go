package bench

import (
	"fmt"
	"regexp"
	"strconv"
)

// Threshold is one k6 threshold expression, "<aggregation> <op> <number>"
// such as "p(95)<500", "rate<0.01" or "count==0" (k6's threshold syntax;
// the aggregation is the name of a summary value).
type Threshold struct {
	Stat  string // avg, min, med, max, p(N), count, rate, value
	Op    string
	Value float64
}

var thresholdRE = regexp.MustCompile(`^\s*(avg|min|med|max|count|rate|value|p\(\d+(?:\.\d+)?\))\s*(>=|<=|===|==|!=|>|<)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$`)

// ParseThreshold reads a threshold expression.
func ParseThreshold(expr string) (Threshold, error) {
	m := thresholdRE.FindStringSubmatch(expr)
	if m == nil {
		return Threshold{}, fmt.Errorf("threshold %q: want <aggregation> <operator> <number>, e.g. p(95)<500", expr)
	}
	v, err := strconv.ParseFloat(m[3], 64)
	if err != nil {
		return Threshold{}, fmt.Errorf("threshold %q: %w", expr, err)
	}
	return Threshold{Stat: m[1], Op: m[2], Value: v}, nil
}

// Holds says whether the threshold holds for a metric's values. A value
// the metric lacks does not hold: a threshold on nothing proves nothing.
func (t Threshold) Holds(values map[string]float64) bool {
	x, ok := values[t.Stat]
	if !ok {
		return false
	}
	switch t.Op {
	case "<":
		return x < t.Value
	case "<=":
		return x <= t.Value
	case ">":
		return x > t.Value
	case ">=":
		return x >= t.Value
	case "==", "===":
		return x == t.Value
	case "!=":
		return x != t.Value
	}
	return false
}
