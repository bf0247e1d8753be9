// Package bench measures the emulator over loopback against a ceiling: the
// same load sent to a Go HTTP server that answers every request with a
// fixed body of the same size, on the same machine, in the same run. The
// ratio of the two is the figure that means something on a noisy machine.
//
// Run it with `make bench-emulator`, or
//
//	go test ./internal/emulator/bench -run '^TestLoad$' -count=1 -v -timeout 30m -args -load \
//	  -devices 10000,1000000 -requests 6000 -concurrency 8 -rounds 3 -types EQUALS,STARTS_WITH,ENDS_WITH
//
// CONTAINS is a scan of every device (see internal/emulator/state), so at
// a million devices give it a few hundred requests (-requests 300 -types
// CONTAINS); -round-timeout bounds every round anyway.
//
// The emulator runs in the test's process: the heap and RSS figures printed
// after each start are the data set's (plus the test's small overhead).
// Without -load the test skips: it is a measurement, not a check.
package bench

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/soap"
)

var (
	load        = flag.Bool("load", false, "run the loopback load comparison")
	devicesFlag = flag.String("devices", "10000", "comma-separated data set sizes (devices)")
	requests    = flag.Int("requests", 2000, "requests per case and round (bounded)")
	concurrency = flag.Int("concurrency", 8, "goroutines sending requests")
	rounds      = flag.Int("rounds", 3, "rounds per case; medians are reported")
	batchSize   = flag.Int("batch", 20, "batchSize of each search")
	roundLimit  = flag.Duration("round-timeout", 2*time.Minute, "a round stops sending after this long")
	opsFlag     = flag.String("ops", "searchDevices,getDevicesQuery", "operations to load")
	typesFlag   = flag.String("types", "EQUALS,STARTS_WITH,ENDS_WITH,CONTAINS", "search types to load")
)

// operation is one ManageDevice v7 read and how to put a deviceId criterion
// into its request.
type operation struct {
	name    string
	payload func(value, searchType string, batch int) string
}

var operations = map[string]operation{
	"searchDevices": {"searchDevices", func(v, st string, batch int) string {
		return `<urn:searchDevicesRequest><urn:queryParams><urn:deviceId><urn:value>` + v + `</urn:value><urn:searchType>` + st +
			`</urn:searchType></urn:deviceId></urn:queryParams><urn:responseConfig><urn:name>true</urn:name><urn:status>true</urn:status>` +
			`<urn:soldTo>true</urn:soldTo></urn:responseConfig><urn:pageNumber>1</urn:pageNumber><urn:batchSize>` + strconv.Itoa(batch) +
			`</urn:batchSize></urn:searchDevicesRequest>`
	}},
	"getDevicesQuery": {"getDevicesQuery", func(v, st string, batch int) string {
		return `<urn:getDevicesRequest><urn:queryParams><urn:deviceId><urn:value>` + v + `</urn:value><urn:searchType>` + st +
			`</urn:searchType></urn:deviceId></urn:queryParams><urn:pageNumber>1</urn:pageNumber><urn:batchSize>` + strconv.Itoa(batch) +
			`</urn:batchSize></urn:getDevicesRequest>`
	}},
}

// criterion derives the searched value from a device ID that exists, so
// every search type finds something: the ID itself, or five characters of
// its start, end or middle.
func criterion(id, searchType string) string {
	const n = 5
	if len(id) <= n {
		return id
	}
	switch searchType {
	case "STARTS_WITH":
		return id[:n]
	case "ENDS_WITH":
		return id[len(id)-n:]
	case "CONTAINS":
		m := len(id)/2 - n/2
		return id[m : m+n]
	}
	return id
}

// stats is one round of one target.
type stats struct {
	throughput float64 // requests per second
	p50, p99   time.Duration
	bytes      int64 // mean response body size
	failed     int
}

// fire sends the bodies (cycling) to url from *concurrency goroutines,
// *requests times in all, and measures.
func fire(ctx context.Context, client *http.Client, url string, bodies [][]byte) stats {
	n := *requests
	lat := make([]time.Duration, n)
	var next, failed, size atomic.Int64
	ctx, cancel := context.WithTimeout(ctx, *roundLimit)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for range *concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(bodies[i%len(bodies)]))
				req.Header.Set("Content-Type", soap.ContentType)
				req.Header.Set("SOAPAction", soap.SOAPAction)
				req.SetBasicAuth(emulator.DefaultUser, emulator.DefaultPassword)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					lat[i] = -1
					continue
				}
				k, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(t0)
				size.Add(k)
				if resp.StatusCode != http.StatusOK {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	done := lat[:min(int(next.Load()), n)]
	var ok []time.Duration
	for _, d := range done {
		if d > 0 {
			ok = append(ok, d)
		}
	}
	slices.Sort(ok)
	s := stats{failed: int(failed.Load())}
	if len(ok) > 0 {
		s.throughput = float64(len(ok)) / elapsed.Seconds()
		s.p50 = ok[len(ok)/2]
		s.p99 = ok[min(len(ok)-1, len(ok)*99/100)]
		s.bytes = size.Load() / int64(len(ok))
	}
	return s
}

// staticServer answers every POST with body after reading the request, as
// cheaply as Go's HTTP server can: the ceiling.
func staticServer(body []byte) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", soap.ContentType)
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func medianDur(xs []time.Duration) time.Duration {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// rssMiB reads the process's resident set from /proc (Linux); 0 elsewhere.
func rssMiB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

type row struct {
	devices                int
	op, searchType         string
	emuRPS, ceilRPS, ratio float64
	emuP50, emuP99         time.Duration
	ceilP50, ceilP99       time.Duration
	bytes                  int64
	failed                 int
}

func TestLoad(t *testing.T) {
	if !*load {
		t.Skip("a measurement: run with -args -load (make bench-emulator)")
	}
	var sizes []int
	for _, f := range strings.Split(*devicesFlag, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			t.Fatalf("-devices: %q is not a positive count", f)
		}
		sizes = append(sizes, n)
	}
	ctx := context.Background()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *concurrency, MaxConnsPerHost: *concurrency}}
	defer client.CloseIdleConnections()

	var rows []row
	for _, n := range sizes {
		runtime.GC()
		t0 := time.Now()
		emu, err := emulator.Start(ctx, emulator.Config{Seed: 1, Sizes: state.Sizes{Devices: n}, MaxInFlight: 4 * *concurrency})
		if err != nil {
			t.Fatal(err)
		}
		startup := time.Since(t0)
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("\n%d devices: emulator started in %s (data set generated in process); heap in use %.0f MiB, RSS %.0f MiB\n",
			n, startup.Round(time.Millisecond), float64(ms.HeapInuse)/(1<<20), rssMiB())

		// Device IDs that exist, spread over the data set, as criteria.
		r := rand.New(rand.NewPCG(1, 2))
		var ids []string
		for range 256 {
			page := 1 + r.IntN(max(1, n/100))
			ds, err := emu.Store().Devices(state.DeviceQuery{}, state.Page{Number: page, Size: 100})
			if err != nil || len(ds) == 0 {
				continue
			}
			ids = append(ids, ds[r.IntN(len(ds))].DeviceID)
		}
		if len(ids) == 0 {
			t.Fatal("no devices to search for")
		}

		for _, opName := range strings.Split(*opsFlag, ",") {
			o, ok := operations[opName]
			if !ok {
				t.Fatalf("-ops: no operation %q", opName)
			}
			opn := contract.Operation{Service: "ManageDeviceService", Version: "v7", Name: o.name}
			url := emu.URL() + opn.Endpoint()
			for _, st := range strings.Split(*typesFlag, ",") {
				var bodies [][]byte
				for _, id := range ids {
					b, err := soap.Marshal(opn, o.payload(criterion(id, st), st, *batchSize), soap.Credentials{})
					if err != nil {
						t.Fatal(err)
					}
					bodies = append(bodies, b)
				}
				// Warm up, and take a representative answer for the
				// static server from the emulator itself.
				sample := warm(t, client, url, bodies)
				ceiling := staticServer(sample)

				var emuRPS, ceilRPS, ratios []float64
				var e50, e99, c50, c99 []time.Duration
				var bytesSum int64
				failed := 0
				for i := range *rounds {
					// Alternate which goes first so drift in machine load
					// does not favour one side.
					var es, cs stats
					if i%2 == 0 {
						es = fire(ctx, client, url, bodies)
						cs = fire(ctx, client, ceiling.URL+opn.Endpoint(), bodies)
					} else {
						cs = fire(ctx, client, ceiling.URL+opn.Endpoint(), bodies)
						es = fire(ctx, client, url, bodies)
					}
					emuRPS, ceilRPS = append(emuRPS, es.throughput), append(ceilRPS, cs.throughput)
					if cs.throughput > 0 {
						ratios = append(ratios, es.throughput/cs.throughput)
					}
					e50, e99, c50, c99 = append(e50, es.p50), append(e99, es.p99), append(c50, cs.p50), append(c99, cs.p99)
					bytesSum += es.bytes
					failed += es.failed
				}
				ceiling.Close()
				rows = append(rows, row{devices: n, op: o.name, searchType: st,
					emuRPS: median(emuRPS), ceilRPS: median(ceilRPS), ratio: median(ratios),
					emuP50: medianDur(e50), emuP99: medianDur(e99), ceilP50: medianDur(c50), ceilP99: medianDur(c99),
					bytes: bytesSum / int64(*rounds), failed: failed})
				last := rows[len(rows)-1]
				fmt.Printf("  %-16s %-12s emulator %7.0f req/s p50 %-9s p99 %-9s | static %7.0f req/s | ratio %.2f | %d B/response\n",
					last.op, last.searchType, last.emuRPS, last.emuP50.Round(10*time.Microsecond), last.emuP99.Round(10*time.Microsecond),
					last.ceilRPS, last.ratio, last.bytes)
				if failed > 0 {
					t.Errorf("%d devices, %s %s: %d requests failed", n, o.name, st, failed)
				}
			}
		}
		if err := emu.Close(ctx); err != nil {
			t.Error(err)
		}
	}
	report(rows)
}

// warm sends a few requests and returns the largest answer seen, which the
// static server then sends every time (a ceiling a little high rather than
// low).
func warm(t *testing.T, client *http.Client, url string, bodies [][]byte) []byte {
	t.Helper()
	var best []byte
	for i := range min(32, len(bodies)) {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(bodies[i]))
		req.Header.Set("Content-Type", soap.ContentType)
		req.SetBasicAuth(emulator.DefaultUser, emulator.DefaultPassword)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("warm-up: %s answered %d:\n%.600s", url, resp.StatusCode, b)
		}
		if len(b) > len(best) {
			best = b
		}
	}
	return best
}

func report(rows []row) {
	fmt.Printf("\nmedians of %d rounds, %d requests each, %d goroutines, batchSize %d, GOMAXPROCS %d:\n",
		*rounds, *requests, *concurrency, *batchSize, runtime.GOMAXPROCS(0))
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "devices\toperation\tsearch\temu req/s\tp50\tp99\tstatic req/s\tp50\tp99\tratio\tbytes\t")
	for _, r := range rows {
		fmt.Fprintf(w, "%d\t%s\t%s\t%.0f\t%s\t%s\t%.0f\t%s\t%s\t%.2f\t%d\t\n", r.devices, r.op, r.searchType,
			r.emuRPS, r.emuP50.Round(10*time.Microsecond), r.emuP99.Round(10*time.Microsecond),
			r.ceilRPS, r.ceilP50.Round(10*time.Microsecond), r.ceilP99.Round(10*time.Microsecond), r.ratio, r.bytes)
	}
	w.Flush()
	// Latency growth from the smallest to the largest data set, per case.
	if len(rows) > 0 {
		small, large := rows[0].devices, rows[len(rows)-1].devices
		if small != large {
			fmt.Printf("\np50 latency at %d devices / at %d devices:\n", large, small)
			for _, a := range rows {
				if a.devices != small {
					continue
				}
				for _, b := range rows {
					if b.devices == large && b.op == a.op && b.searchType == a.searchType && a.emuP50 > 0 {
						fmt.Printf("  %-16s %-12s %.2fx\n", a.op, a.searchType, float64(b.emuP50)/float64(a.emuP50))
					}
				}
			}
		}
	}
}
