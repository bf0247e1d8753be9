package schemadiff

import (
	"testing"

	"github.com/fnokit/fnokit/internal/sharedref"
)

// BenchmarkCompareWSDL compares the largest reference WSDL with itself over
// every operation, parsing and model building included.
func BenchmarkCompareWSDL(b *testing.B) {
	p := sharedref.WSDL(b, "v3", "EntitlementOrderService")
	for b.Loop() {
		if _, err := CompareWSDL(p, p, nil); err != nil {
			b.Fatal(err)
		}
	}
}
