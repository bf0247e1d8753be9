package fno

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/grafana/sobek"
	"github.com/sirupsen/logrus"
	k6http "go.k6.io/k6/js/modules/k6/http"
	"go.k6.io/k6/js/modulestest"
	"go.k6.io/k6/lib"
	"go.k6.io/k6/lib/netext"
	"go.k6.io/k6/lib/types"
	"go.k6.io/k6/metrics"
	"gopkg.in/guregu/null.v3"

	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// vuEnv is one VU of a test: a sobek runtime with `fno` and `BASE` as
// globals, and the channel its samples go to.
type vuEnv struct {
	t       testing.TB
	rt      *modulestest.Runtime
	samples chan metrics.SampleContainer
	state   *lib.State
}

type vuConfig struct {
	blocked []string // CIDRs k6's blacklistIPs option would hold
	throw   bool
	http    bool // k6/http as the global http (benchmarks compare with it)
}

// newVU builds a VU whose init context has run `init` (a script that
// creates clients) against baseURL, then moves it to the VU context with a
// k6 state like a real run's: a k6 dialer (with the blacklist), a transport
// on it, the builtin metrics, and tags.
func newVU(t testing.TB, baseURL, init string, cfg vuConfig) *vuEnv {
	t.Helper()
	rt := modulestest.NewRuntime(t)
	registry := rt.VU.InitEnvField.Registry
	mi, ok := New().NewModuleInstance(rt.VU).(*ModuleInstance)
	if !ok {
		t.Fatal("NewModuleInstance did not return a *ModuleInstance")
	}
	js := rt.VU.Runtime()
	fno := js.NewObject()
	for k, v := range mi.Exports().Named {
		if err := fno.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	must(t, js.Set("fno", fno))
	must(t, js.Set("BASE", baseURL))
	if cfg.http {
		hi := k6http.New().NewModuleInstance(rt.VU)
		must(t, js.Set("http", hi.Exports().Default))
	}
	if _, err := js.RunString(init); err != nil {
		t.Fatalf("init script: %v", err)
	}

	dialer := netext.NewDialer(net.Dialer{Timeout: 2 * time.Second, KeepAlive: 10 * time.Second},
		netext.NewResolver(net.LookupIP, 0, types.DNSfirst, types.DNSpreferIPv4))
	for _, c := range cfg.blocked {
		n, err := lib.ParseCIDR(c)
		if err != nil {
			t.Fatal(err)
		}
		dialer.Blacklist = append(dialer.Blacklist, n)
	}
	logger := logrus.New()
	logger.SetOutput(io.Discard)
	samples := make(chan metrics.SampleContainer, 10000)
	st := &lib.State{
		Options: lib.Options{
			MaxRedirects: null.IntFrom(10),
			UserAgent:    null.StringFrom("fnokit-k6ext-test"),
			Throw:        null.BoolFrom(cfg.throw),
			SystemTags:   &metrics.DefaultSystemTagSet,
		},
		Logger:         logger,
		Dialer:         dialer,
		Transport:      &http.Transport{DialContext: dialer.DialContext, MaxIdleConnsPerHost: 4},
		BufferPool:     lib.NewBufferPool(),
		Samples:        samples,
		Tags:           lib.NewVUStateTags(registry.RootTagSet().With("group", "")),
		BuiltinMetrics: rt.BuiltinMetrics,
	}
	rt.MoveToVUContext(st)
	return &vuEnv{t: t, rt: rt, samples: samples, state: st}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// run evaluates code in the VU context and returns its value exported to Go.
func (v *vuEnv) run(code string) any {
	v.t.Helper()
	val, err := v.rt.VU.Runtime().RunString(code)
	if err != nil {
		v.t.Fatalf("script failed: %v\n%s", err, code)
	}
	return val.Export()
}

// runErr evaluates code that is expected to throw and returns the message.
func (v *vuEnv) runErr(code string) string {
	v.t.Helper()
	_, err := v.rt.VU.Runtime().RunString(code)
	if err == nil {
		v.t.Fatalf("script did not throw:\n%s", code)
	}
	var ex *sobek.Exception
	if e, ok := err.(*sobek.Exception); ok {
		ex = e
		return ex.Value().String()
	}
	return err.Error()
}

// drain returns every sample pushed so far.
func (v *vuEnv) drain() []metrics.Sample {
	var out []metrics.Sample
	for {
		select {
		case c := <-v.samples:
			out = append(out, c.GetSamples()...)
		default:
			return out
		}
	}
}

// only returns the samples of one metric.
func only(samples []metrics.Sample, name string) []metrics.Sample {
	var out []metrics.Sample
	for _, s := range samples {
		if s.Metric.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// sum adds the values of the samples of one metric.
func sum(samples []metrics.Sample, name string) float64 {
	var t float64
	for _, s := range only(samples, name) {
		t += s.Value
	}
	return t
}

func tag(s metrics.Sample, name string) string {
	v, _ := s.Tags.Get(name)
	return v
}

// Tests share one emulator for reads and writes that do not collide (each
// test uses its own IDs); tests that change its faults start their own.
var (
	sharedOnce sync.Once
	sharedEmu  *emulator.Emulator
	sharedErr  error
)

var testSizes = state.Sizes{Accounts: 10, Users: 20, Products: 5, Entitlements: 50, Devices: 200, Fulfillments: 20}

func sharedEmulator(t testing.TB) *emulator.Emulator {
	t.Helper()
	sharedOnce.Do(func() {
		sharedEmu, sharedErr = emulator.Start(context.Background(), emulator.Config{Seed: 7, Sizes: testSizes})
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedEmu
}

// ownEmulator starts an emulator for one test.
func ownEmulator(t testing.TB, cfg emulator.Config) *emulator.Emulator {
	t.Helper()
	if cfg.Seed == 0 {
		cfg.Seed = 7
	}
	if cfg.Sizes == (state.Sizes{}) {
		cfg.Sizes = testSizes
	}
	e, err := emulator.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.Close(ctx)
	})
	return e
}

const basicClient = `const client = new fno.Client({baseURL: BASE, auth: {basic: {user: 'admin', password: 'admin'}}, versions: {ManageDeviceService: 'v7'}});`

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}

// num reads a number a script result holds, whatever Go type sobek
// exported it as.
func num(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return -1
}

// serveBody starts a loopback server that answers every request with body.
func serveBody(t testing.TB, contentType, body string) string {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}
