package extracts_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/extracts"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// BenchmarkExtract builds an extract of a whole 10k-device store (the
// default data set: 10,000 devices, 2,000 entitlements, 2,000
// fulfillments), as a run whose window covers every record: read the state
// page by page, write the CSV (or zip), hash it. Each iteration uses a
// fresh handler, since a second run of the same extract would cover only
// what changed. rows/s counts data rows of all files of the artifact.
//
//	go test -run '^$' -bench Extract -benchtime 20x ./internal/emulator/extracts/
func BenchmarkExtract(b *testing.B) {
	sz := state.DefaultSizes()
	sz.Devices = 10000
	st := state.Generate(sz, 1)
	clk := resttest.NewClock(t0)
	st.SetClock(clk.Now)
	for _, name := range []string{"DEVICE", "FULFILLMENT", "ENTITLEMENT"} {
		b.Run(name, func(b *testing.B) {
			cfg := extracts.Config{Store: st, Since: allSince}
			h, _ := newHandler(b, clk, cfg)
			j, err := h.Run(name)
			if err != nil || j.Status != extracts.StatusComplete {
				b.Fatalf("run: %v, status %s", err, j.Status)
			}
			x := get(h, extracts.Prefix+"/"+strconv.FormatInt(j.ID, 10)+"/file")
			if x.Status != http.StatusOK {
				b.Fatalf("file: status %d", x.Status)
			}
			rows := 0
			for _, f := range parseArtifact(b, x.Header.Get("Content-Type"), x.Body) {
				rows += len(f.rows)
			}
			b.SetBytes(j.Size)
			b.ResetTimer()
			start := time.Now()
			for b.Loop() {
				h, _ := newHandler(b, clk, cfg)
				if _, err := h.Run(name); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows)*float64(b.N)/time.Since(start).Seconds(), "rows/s")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}
