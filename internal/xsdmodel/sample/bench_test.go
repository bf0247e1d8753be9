package sample

import (
	"testing"

	"github.com/fnokit/fnokit/internal/sharedref"
	"github.com/fnokit/fnokit/internal/wsdl"
)

// BenchmarkForWSDL generates the samples of every operation of the largest
// reference WSDL.
func BenchmarkForWSDL(b *testing.B) {
	defs, err := wsdl.ParseFile(sharedref.WSDL(b, "v3", "EntitlementOrderService"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ForWSDL(defs, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
