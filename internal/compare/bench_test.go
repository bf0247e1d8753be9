package compare

import (
	"testing"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/emulator"
)

// BenchmarkCompare times a whole differential run between two in-process
// emulators of the same seed — every read operation of every service
// version and the REST read routes, sent to both sides and compared, with
// the records found on the baseline by read operations as against a live
// target — beside the conformance sweep of the same SOAP reads against one
// side, which is the floor a comparison builds on.
func BenchmarkCompare(b *testing.B) {
	base, cand := start(b, emulator.Config{}), start(b, emulator.Config{})
	b.Run("compare", func(b *testing.B) {
		for b.Loop() {
			res, err := Run(b.Context(), endpoint(base), endpoint(cand), Options{Samples: samples})
			if err != nil {
				b.Fatal(err)
			}
			if res.Totals().Differing != 0 {
				b.Fatal("the answers differ")
			}
			b.ReportMetric(float64(len(res.Calls)), "calls/op")
		}
	})
	b.Run("one-side-sweep", func(b *testing.B) {
		sc, err := newScope(Options{Samples: samples})
		if err != nil {
			b.Fatal(err)
		}
		target := conformance.Running(base, emulator.Config{})
		for b.Loop() {
			rs, err := conformance.Run(b.Context(), target, sc.soap)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(len(rs)), "calls/op")
		}
	})
}
