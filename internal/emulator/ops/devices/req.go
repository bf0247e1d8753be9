package devices

import (
	"math"

	"github.com/fnokit/fnokit/internal/emulator/op"
)

// Readers of request maps peculiar to this service; the general ones are
// op's (op.Get, op.Str, ...).

// flag is a response-config switch: true only when given as true.
func flag(cfg map[string]any, key string) bool {
	b, _ := op.GetBool(cfg, key)
	return b
}

// xsdInt reads an xsd:int (counts, durations, page numbers, feature
// counts); ok is false when absent, nil or not a number that fits 32 bits.
func xsdInt(v any, keys ...string) (int, bool) {
	n, present, ok := op.GetInt(v, keys...)
	if !present || !ok || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return int(n), true
}
