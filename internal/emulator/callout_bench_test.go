package emulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/calloutclient"
)

// BenchmarkCalloutOverhead measures what the emulator adds around the
// capability request callout: the end-to-end generateCapabilityResponse
// time over loopback minus the callout's own time (Server-Timing), with
// the reference callout at 0 and 5 ms on all three trigger points. It
// reports the p50 and p99 of that overhead.
//
//	go test -run '^$' -bench CalloutOverhead -benchtime 2000x ./internal/emulator/
func BenchmarkCalloutOverhead(b *testing.B) {
	for _, latency := range []time.Duration{0, 5 * time.Millisecond} {
		b.Run("callout="+latency.String(), func(b *testing.B) {
			e := start(b, Config{Callout: calloutclient.Config{URL: referenceCallout(b, latency)}})
			capabilityCall(b, e, "BENCH-1") // registers the host; the loop updates it
			overhead := make([]time.Duration, 0, b.N)
			for b.Loop() {
				t0 := time.Now()
				resp, _, status := capabilityCall(b, e, "BENCH-1")
				wall := time.Since(t0)
				if status != "SUCCESS" {
					b.Fatalf("status %s", status)
				}
				overhead = append(overhead, wall-calloutTime(b, resp))
			}
			slices.Sort(overhead)
			pct := func(p int) float64 {
				return float64(overhead[(len(overhead)-1)*p/100].Microseconds()) / 1000
			}
			b.ReportMetric(pct(50), "overhead-p50-ms")
			b.ReportMetric(pct(99), "overhead-p99-ms")
		})
	}
}

func calloutTime(b *testing.B, resp *http.Response) time.Duration {
	v, ok := strings.CutPrefix(resp.Header.Get("Server-Timing"), "callout;dur=")
	ms, err := strconv.ParseFloat(v, 64)
	if !ok || err != nil {
		b.Fatalf("no callout Server-Timing")
	}
	return time.Duration(ms * float64(time.Millisecond))
}
