package emulator

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/schemas"
)

// small keeps the generated data set quick to build in tests.
var small = state.Sizes{Accounts: 5, Products: 5, Entitlements: 20, Devices: 50, Fulfillments: 10}

func start(t testing.TB, cfg Config) *Emulator {
	t.Helper()
	if cfg.Sizes == (state.Sizes{}) {
		cfg.Sizes = small
	}
	e, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close(context.Background()) })
	return e
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestStartOnFreeLoopbackPort(t *testing.T) {
	t.Parallel()
	a := start(t, Config{})
	b := start(t, Config{})
	if a.URL() == b.URL() {
		t.Fatalf("two emulators share %s", a.URL())
	}
	for _, e := range []*Emulator{a, b} {
		if !strings.HasPrefix(e.URL(), "http://127.0.0.1:") {
			t.Errorf("URL %s is not on loopback", e.URL())
		}
		resp, body := get(t, e.ListingURL())
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("listing: %d", resp.StatusCode)
		}
		services, _ := schemas.Services()
		for _, svc := range services {
			for _, v := range svc.Versions {
				if !bytes.Contains(body, []byte(e.URL()+v.Endpoint+"?wsdl")) {
					t.Errorf("listing lacks %s", v.Endpoint)
				}
			}
		}
		_, wsdl := get(t, e.URL()+"/flexnet/services/v7/ManageDeviceService?wsdl")
		if !bytes.Contains(wsdl, []byte(`location="`+e.URL()+`/flexnet/services/v7/ManageDeviceService"`)) {
			t.Error("the WSDL does not carry the emulator's address")
		}
	}
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if _, err := Start(context.Background(), Config{Addr: ln.Addr().String(), Sizes: small}); err == nil || !strings.Contains(err.Error(), "--addr") {
		t.Errorf("busy port: %v", err)
	}
	if _, err := Start(context.Background(), Config{User: "u", Sizes: small}); err == nil {
		t.Error("a user without a password was accepted")
	}
	if _, err := Start(context.Background(), Config{Sizes: small, Faults: serverFaults("NoSuchService")}); err == nil || !strings.Contains(err.Error(), "NoSuchService") {
		t.Errorf("bad fault scope: %v", err)
	}
}

var countV7 = contract.Operation{Service: "ManageDeviceService", Version: "v7", Name: "countDevices"}

func countRequest(t *testing.T, ctx context.Context, e *Emulator, user, password string) *http.Request {
	t.Helper()
	req, err := soap.NewRequest(ctx, e.URL(), countV7, `<urn:countDevicesRequest/>`, soap.Basic(user, password))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// Close drains: a call in flight when Close starts finishes with its full
// answer, new connections are refused, and Close returns after it.
func TestCloseDrainsRequestsInFlight(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	e := start(t, Config{Register: func(r *op.Registry, _ *state.Store, _ op.Settings) {
		r.Handle("ManageDeviceService", "countDevices", func(ctx context.Context, c *op.Call) (map[string]any, error) {
			close(entered)
			<-release
			return map[string]any{"statusInfo": op.Status("SUCCESS", ""), "responseData": map[string]any{"count": "7"}}, nil
		})
	}})

	type result struct {
		status int
		body   []byte
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(countRequest(t, context.Background(), e, DefaultUser, DefaultPassword))
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		done <- result{resp.StatusCode, b, err}
	}()
	waitFor(t, entered, "the handler")

	closed := make(chan error, 1)
	go func() { closed <- e.Close(context.Background()) }()

	// Wait (bounded) until the listener is gone: Close has begun.
	addr := strings.TrimPrefix(e.URL(), "http://")
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if i > 2000 {
			t.Fatal("the listener stayed open after Close began")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) with a call still in flight", err)
	default:
	}

	close(release)
	r := <-done
	if r.err != nil || r.status != http.StatusOK || !bytes.Contains(r.body, []byte(":count>7</")) {
		t.Fatalf("the call in flight: %d %v\n%s", r.status, r.err, r.body)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := e.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// When the drain deadline passes, Close cuts the call off and says so.
func TestCloseDeadlineCutsOff(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{})
	e := start(t, Config{Register: func(r *op.Registry, _ *state.Store, _ op.Settings) {
		r.Handle("ManageDeviceService", "countDevices", func(ctx context.Context, c *op.Call) (map[string]any, error) {
			close(entered)
			<-ctx.Done()
			return nil, ctx.Err()
		})
	}})
	errc := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(countRequest(t, context.Background(), e, DefaultUser, DefaultPassword))
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	waitFor(t, entered, "the handler")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.Close(ctx); err == nil || !strings.Contains(err.Error(), "drain") {
		t.Errorf("Close past its deadline: %v", err)
	}
	<-errc
}

func TestDefaultCredentials(t *testing.T) {
	t.Parallel()
	e := start(t, Config{Register: func(r *op.Registry, _ *state.Store, _ op.Settings) {
		r.Handle("ManageDeviceService", "countDevices", func(context.Context, *op.Call) (map[string]any, error) {
			return map[string]any{"statusInfo": op.Status("SUCCESS", "")}, nil
		})
	}})
	for _, c := range []struct {
		user, pass string
		status     int
	}{{DefaultUser, DefaultPassword, 200}, {DefaultUser, "wrong", 401}} {
		resp, err := http.DefaultClient.Do(countRequest(t, context.Background(), e, c.user, c.pass))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s/%s: %d, want %d", c.user, c.pass, resp.StatusCode, c.status)
		}
	}
}

func serverFaults(service string) server.Faults {
	return server.Faults{Rules: []server.FaultRule{{Service: service, ErrorRate: 1}}}
}

// The state file is written at Close and read at the next Start, which
// then ignores the seed and sizes; a broken file stops Start.
func TestStateFileRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "emulator.state")
	first, err := Start(context.Background(), Config{Sizes: small, Seed: 3, StateFile: path})
	if err != nil {
		t.Fatal(err)
	}
	want := first.Store().Counts()
	if err := first.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no state file after Close: %v", err)
	}
	other := state.Sizes{Accounts: 7, Products: 6, Entitlements: 30, Devices: 80, Fulfillments: 5}
	second := start(t, Config{Sizes: other, Seed: 99, StateFile: path})
	if got := second.Store().Counts(); got != want {
		t.Errorf("loaded counts %+v, want the saved %+v", got, want)
	}
	if fresh := start(t, Config{Sizes: other, Seed: 99}).Store().Counts(); fresh == want {
		t.Fatal("the test cannot tell loaded from generated state")
	}

	broken := filepath.Join(t.TempDir(), "broken.state")
	if err := os.WriteFile(broken, []byte("not a state file"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Start(context.Background(), Config{Sizes: small, StateFile: broken}); err == nil {
		t.Error("a broken state file was accepted")
	}
}

// waitFor waits for ch to close; the bound only keeps a broken test from
// hanging the run, it asserts nothing about speed.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(time.Minute):
		t.Fatalf("%s was never reached", what)
	}
}
