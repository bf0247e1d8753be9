package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/notify"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/devices"
	"github.com/fnokit/fnokit/internal/emulator/resttest"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/openapi"
)

// wait bounds every wait for a webhook request or a log entry; reaching
// it fails the test (it is a hang guard, not a speed claim).
const wait = 10 * time.Second

// received is one webhook request.
type received struct {
	header http.Header
	body   []byte
}

// hook is a webhook on loopback. answer decides the answer to the nth
// request (from 1); nil answers 200.
type hook struct {
	srv   *httptest.Server
	url   string
	got   chan received
	calls atomic.Int64
}

func newHook(t testing.TB, answer func(n int64, w http.ResponseWriter, r *http.Request)) *hook {
	t.Helper()
	h := &hook{got: make(chan received, 256)}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := h.calls.Add(1)
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		select {
		case h.got <- received{header: r.Header.Clone(), body: body}:
		default:
		}
		if answer != nil {
			answer(n, w, r)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(h.srv.Close)
	h.url = h.srv.URL + "/hooks/devices"
	return h
}

func (h *hook) next(t testing.TB) received {
	t.Helper()
	select {
	case r := <-h.got:
		return r
	case <-time.After(wait):
		t.Fatal("no webhook request arrived")
		return received{}
	}
}

// subscribe configures device events to url.
func subscribe(t testing.TB, s *notify.Service, body map[string]any) {
	t.Helper()
	x := call(t, s.Handler(), http.MethodPost, notify.PathService, token(t, s), body)
	if x.Status/100 != 2 {
		t.Fatalf("subscribe: status %d: %s", x.Status, x.Body)
	}
}

// logUntil polls the delivery log until ok accepts it.
func logUntil(t testing.TB, s *notify.Service, what string, ok func([]notify.Delivery) bool) []notify.Delivery {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		ds := s.Deliveries()
		if ok(ds) {
			return ds
		}
		if time.Now().After(deadline) {
			t.Fatalf("the delivery log never showed %s: %+v", what, ds)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func hasOutcome(outcome, errKind string) func([]notify.Delivery) bool {
	return func(ds []notify.Delivery) bool {
		for _, d := range ds {
			if d.Outcome == outcome && (errKind == "" || d.Error == errKind) {
				return true
			}
		}
		return false
	}
}

// deviceStore has two accounts and a deployed line item AID-TEN of 10
// copies, on a fixed clock.
func deviceStore(t testing.TB) *state.Store {
	t.Helper()
	st := state.New(7)
	st.SetClock(func() time.Time { return t0 })
	for _, a := range []state.Account{{ID: "ACME", Name: "Acme Corp", Type: state.Customer}, {ID: "BETA", Name: "Beta Industries", Type: state.Customer}} {
		if _, err := st.CreateAccount(a, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.AddProduct(state.Product{Name: "Widget", Version: "1.0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateEntitlement(state.Entitlement{ID: "ENT-ONE", SoldTo: "ACME", State: state.Deployed}, []state.LineItem{
		{ActivationID: "AID-TEN", Product: state.ProductKey{Name: "Widget", Version: "1.0"}, Copies: 10, Permanent: true},
	}); err != nil {
		t.Fatal(err)
	}
	return st
}

// callbackSchema is the request body schema of the deviceEventWebhook
// callback.
func callbackSchema(t testing.TB) *openapi3.Schema {
	t.Helper()
	doc, err := openapi.LoadFile(contractPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, cb := range doc.Components.Callbacks {
		for _, item := range cb.Value.Map() {
			for _, o := range item.Operations() {
				if o.OperationID == "deviceEventWebhook" {
					return o.RequestBody.Value.Content.Get("application/json").Schema.Value
				}
			}
		}
	}
	t.Fatal("notification.yaml has no deviceEventWebhook callback")
	return nil
}

func checkBody(t testing.TB, schema *openapi3.Schema, step string, body []byte) map[string]any {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("%s: the webhook body is not JSON: %v", step, err)
	}
	if err := schema.VisitJSON(v, openapi3.MultiErrors(), openapi3.VisitAsRequest(),
		openapi3.SetSchemaRegexCompiler(openapi.CompileECMAScript)); err != nil {
		t.Errorf("%s: the webhook body breaks the contract: %v\n%s", step, err, body)
	}
	m, _ := v.(map[string]any)
	return m
}

func ident(class, id string) map[string]any {
	return map[string]any{"deviceType": class, "deviceId": id}
}

func lineReq(id, aid, count string) map[string]any {
	li := map[string]any{"activationId": aid}
	if count != "" {
		li["count"] = count
	}
	return map[string]any{"requestList": []any{map[string]any{"deviceIdentifier": ident("SERVER", id),
		"lineItem": []any{map[string]any{"lineItemIdentifier": li}}}}}
}

// Every kind of device write made over SOAP (ManageDeviceService handlers)
// reaches the webhook once, in order, as a body the contract accepts, with
// the subscription's credentials; client devices produce none.
func TestSOAPDeviceEventsReachWebhook(t *testing.T) {
	t.Parallel()
	st := deviceStore(t)
	reg := op.NewRegistry()
	devices.Register(reg, st, op.DefaultSettings())
	soap := func(name string, req map[string]any) {
		t.Helper()
		o := contract.Operation{Service: devices.Service, Version: contract.Version("v7"), Name: name}
		h, ok := reg.Lookup(o)
		if !ok {
			t.Fatalf("no handler for %s", o)
		}
		out, err := h(context.Background(), &op.Call{Op: o, Request: req, User: "admin", Now: t0})
		if err != nil || op.Str(out, "statusInfo", "status") != "SUCCESS" {
			t.Fatalf("%s: %v %v", name, out, err)
		}
	}
	wh := newHook(t, nil)
	s := newService(t, notify.Config{Store: st, Tenant: "ADMN"})
	subscribe(t, s, map[string]any{"deviceSubscription": "true", "deviceWebhookUrl": wh.url, "authType": "bearer", "authToken": "hook-token"})
	schema := callbackSchema(t)

	// A client changes nothing at the webhook: the first request is the server's.
	soap("createDevice", map[string]any{"device": []any{map[string]any{"deviceIdentifier": ident("CLIENT", "CL-1")}}})
	const srv = "SRV-NORTH"
	steps := []struct {
		op        string
		req       map[string]any
		kind      state.DeviceEventKind
		eventType string
		owner     string
		site      string
	}{
		{"createDevice", map[string]any{"device": []any{map[string]any{"deviceIdentifier": ident("SERVER", srv),
			"alias": "north", "siteName": "Oslo", "hostTypeName": map[string]any{"name": "FLX_SERVER"},
			"channelPartners": map[string]any{"channelPartner": []any{map[string]any{"tierName": "bo.constants.partnertiernames.endcustomer",
				"accountUnit": map[string]any{"primaryKeys": map[string]any{"name": "Acme Corp"}}, "currentOwner": "true"}}}}}},
			state.EventCreated, "CREATE", "ACME", "Oslo"},
		{"updateDevice", map[string]any{"device": []any{map[string]any{"deviceIdentifier": ident("SERVER", srv), "siteName": "Bergen"}}},
			state.EventUpdated, "UPDATE", "ACME", "Bergen"},
		{"linkAddonLineItems", lineReq(srv, "AID-TEN", "3"), state.EventLineItemsMapped, "UPDATE", "ACME", "Bergen"},
		{"incrementAddonLineItems", lineReq(srv, "AID-TEN", "2"), state.EventLineItemsMapped, "UPDATE", "ACME", "Bergen"},
		{"decrementAddonLineItems", lineReq(srv, "AID-TEN", "1"), state.EventLineItemsRemoved, "UPDATE", "ACME", "Bergen"},
		{"zeroCountAddonLineItems", lineReq(srv, "AID-TEN", ""), state.EventLineItemsRemoved, "UPDATE", "ACME", "Bergen"},
		{"deleteAddonLineItems", lineReq(srv, "AID-TEN", ""), state.EventLineItemsRemoved, "UPDATE", "ACME", "Bergen"},
		{"moveDevice", map[string]any{"sourceDevices": map[string]any{"deviceIdentifier": []any{ident("SERVER", srv)}}, "soldToName": "Beta Industries"},
			state.EventMoved, "UPDATE", "BETA", "Bergen"},
		{"returnHost", map[string]any{"returnHosts": []any{map[string]any{"hostIdentifier": ident("SERVER", srv)}}},
			state.EventReturned, "UPDATE", "BETA", "Bergen"},
		{"obsoleteHost", map[string]any{"host": []any{map[string]any{"hostIdentifier": ident("SERVER", srv)}}},
			state.EventObsoleted, "UPDATE", "BETA", "Bergen"},
		{"deleteDevice", map[string]any{"deviceIdentifier": []any{ident("SERVER", srv)}},
			state.EventDeleted, "UPDATE", "BETA", "Bergen"},
	}
	wantTime := strconv.FormatInt(t0.UnixMilli(), 10)
	for _, stp := range steps {
		soap(stp.op, stp.req)
		r := wh.next(t)
		m := checkBody(t, schema, stp.op, r.body)
		hdr, _ := m["eventHeader"].(map[string]any)
		body, _ := m["eventBody"].(map[string]any)
		if got := r.header.Get("X-Fnokit-Event-Kind"); got != string(stp.kind) {
			t.Errorf("%s: event kind %q, want %q", stp.op, got, stp.kind)
		}
		if hdr["event"] != "DEVICE" || hdr["eventType"] != stp.eventType || hdr["tenant"] != "ADMN" || hdr["timeStamp"] != wantTime {
			t.Errorf("%s: eventHeader %v, want DEVICE %s ADMN %s", stp.op, hdr, stp.eventType, wantTime)
		}
		if body["deviceId"] != srv || body["deviceName"] != "north" || body["owner"] != stp.owner || body["siteName"] != stp.site ||
			body["hostType"] != "FLX_SERVER" || body["version"] != "1.0" {
			t.Errorf("%s: eventBody %v", stp.op, body)
		}
		if r.header.Get("Authorization") != "Bearer hook-token" || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: headers %v", stp.op, r.header)
		}
	}
	ds := logUntil(t, s, "every event delivered", func(ds []notify.Delivery) bool { return len(ds) == len(steps) })
	for _, d := range ds {
		if d.Outcome != "delivered" || d.Attempt != 1 || d.StatusCode != http.StatusOK || d.Target != wh.url || d.Subscription != "device/1" {
			t.Errorf("log entry %+v", d)
		}
	}
	if st := s.Stats(); st.Delivered != uint64(len(steps)) || st.Queued != uint64(len(steps)) || st.Failed+st.Dropped != 0 {
		t.Errorf("stats %+v", st)
	}
}

// A webhook that fails twice and then answers 200 gets the same event
// three times, with the subscription's Basic credentials.
func TestRetriesThenDelivers(t *testing.T) {
	t.Parallel()
	st := deviceStore(t)
	wh := newHook(t, func(n int64, w http.ResponseWriter, _ *http.Request) {
		if n <= 2 {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	s := newService(t, notify.Config{Store: st, Retries: 2, Backoff: time.Millisecond})
	subscribe(t, s, map[string]any{"deviceSubscription": true, "deviceWehookUrl": wh.url + "?k=query-secret",
		"authType": "basic", "basicUserId": "hook-user", "basicPassword": "hook-password"})
	if _, err := st.CreateDevice(state.Device{Class: state.Server, DeviceID: "SRV-1"}); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for i := 1; i <= 3; i++ {
		r := wh.next(t)
		bodies = append(bodies, string(r.body))
		if r.header.Get("X-Fnokit-Attempt") != strconv.Itoa(i) {
			t.Errorf("request %d: attempt header %q", i, r.header.Get("X-Fnokit-Attempt"))
		}
		if r.header.Get("Authorization") != resttest.Basic("hook-user", "hook-password") {
			t.Errorf("request %d: Authorization %q", i, r.header.Get("Authorization"))
		}
	}
	if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
		t.Errorf("the retries changed the body: %q", bodies)
	}
	ds := logUntil(t, s, "a delivery", hasOutcome("delivered", ""))
	want := []struct {
		outcome, err string
		code         int
	}{{"retrying", "status", 500}, {"retrying", "status", 500}, {"delivered", "", 204}}
	if len(ds) != len(want) {
		t.Fatalf("log %+v", ds)
	}
	for i, w := range want {
		d := ds[i]
		if d.Attempt != i+1 || d.Outcome != w.outcome || d.Error != w.err || d.StatusCode != w.code || d.EventID != ds[0].EventID {
			t.Errorf("entry %d: %+v, want attempt %d %s %s %d", i, d, i+1, w.outcome, w.err, w.code)
		}
		if strings.Contains(d.Target, "query-secret") {
			t.Errorf("the log keeps the URL's query: %q", d.Target)
		}
	}
	if st := s.Stats(); st.Delivered != 1 || st.Attempts != 3 || st.Failed != 0 {
		t.Errorf("stats %+v", st)
	}
}

// A webhook that never answers is cut off at the timeout, logged, and
// does not hold up the next event to another webhook.
func TestHangingWebhookCutOff(t *testing.T) {
	t.Parallel()
	st := deviceStore(t)
	release := make(chan struct{})
	hung := newHook(t, func(int64, http.ResponseWriter, *http.Request) { <-release }) // until the test ends
	t.Cleanup(func() { close(release) })                                              // runs before hung.srv.Close
	good := newHook(t, nil)
	const timeout = 100 * time.Millisecond
	s := newService(t, notify.Config{Store: st, WebhookTimeout: timeout, Retries: -1})
	subscribe(t, s, map[string]any{"deviceSubscription": true, "deviceWebhookUrl": hung.url})
	if _, err := st.CreateDevice(state.Device{Class: state.Server, DeviceID: "SRV-1"}); err != nil {
		t.Fatal(err)
	}
	hung.next(t)
	ds := logUntil(t, s, "a timeout", hasOutcome("failed", "timeout"))
	if d := ds[0]; d.Attempt != 1 || d.StatusCode != 0 || d.DurationMs < float64(timeout.Milliseconds()) {
		t.Errorf("entry %+v", d)
	}
	subscribe(t, s, map[string]any{"deviceSubscription": true, "deviceWebhookUrl": good.url})
	if _, err := st.UpdateDevice(state.DeviceKey{DeviceID: "SRV-1"}, func(d *state.Device) error { d.SiteName = "Oslo"; return nil }); err != nil {
		t.Fatal(err)
	}
	if r := good.next(t); r.header.Get("X-Fnokit-Event-Kind") != string(state.EventUpdated) {
		t.Errorf("the next webhook got %v", r.header)
	}
	if st := s.Stats(); st.Failed != 1 {
		t.Errorf("stats %+v", st)
	}
}

// A webhook nobody listens at is retried, then marked failed.
func TestRefusedWebhookFails(t *testing.T) {
	t.Parallel()
	st := deviceStore(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := newService(t, notify.Config{Store: st, Retries: 2, Backoff: time.Millisecond})
	subscribe(t, s, map[string]any{"deviceSubscription": true, "deviceWebhookUrl": "http://" + addr + "/d"})
	if _, err := st.CreateDevice(state.Device{Class: state.Server, DeviceID: "SRV-1"}); err != nil {
		t.Fatal(err)
	}
	ds := logUntil(t, s, "a failure", hasOutcome("failed", ""))
	if len(ds) != 3 {
		t.Fatalf("log %+v, want 3 attempts", ds)
	}
	for i, d := range ds {
		want := "retrying"
		if i == 2 {
			want = "failed"
		}
		if d.Attempt != i+1 || d.Outcome != want || d.Error != "refused" {
			t.Errorf("entry %d: %+v", i, d)
		}
	}
	if st := s.Stats(); st.Failed != 1 || st.Delivered != 0 || st.Attempts != 3 {
		t.Errorf("stats %+v", st)
	}
}

// With the worker busy and the queue full, an event is dropped and
// counted; the writer never waits.
func TestQueueFullDrops(t *testing.T) {
	t.Parallel()
	st := deviceStore(t)
	release := make(chan struct{})
	hung := newHook(t, func(_ int64, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(release) })
	s := newService(t, notify.Config{Store: st, QueueSize: 1, WebhookTimeout: wait, Retries: -1})
	subscribe(t, s, map[string]any{"deviceSubscription": true, "deviceWebhookUrl": hung.url})
	create := func(id string) {
		t.Helper()
		if _, err := st.CreateDevice(state.Device{Class: state.Server, DeviceID: id}); err != nil {
			t.Fatal(err)
		}
	}
	create("SRV-1")
	hung.next(t)    // the worker is busy with SRV-1
	create("SRV-2") // queued
	create("SRV-3") // dropped
	if st := s.Stats(); st.Dropped != 1 || st.Queued != 2 {
		t.Errorf("stats %+v, want 1 dropped, 2 queued", st)
	}
	if !hasOutcome("dropped", "queue-full")(s.Deliveries()) {
		t.Errorf("no queue-full entry: %+v", s.Deliveries())
	}
}

// Turning the subscription off stops deliveries.
func TestSubscriptionOff(t *testing.T) {
	t.Parallel()
	st := deviceStore(t)
	wh := newHook(t, nil)
	s := newService(t, notify.Config{Store: st})
	subscribe(t, s, map[string]any{"deviceSubscription": true, "deviceWebhookUrl": wh.url})
	x := call(t, s.Handler(), http.MethodPatch, notify.PathService, token(t, s), map[string]any{"deviceSubscription": false})
	if x.Status != http.StatusOK {
		t.Fatalf("PATCH: %d %s", x.Status, x.Body)
	}
	if _, err := st.CreateDevice(state.Device{Class: state.Server, DeviceID: "SRV-1"}); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Queued != 0 {
		t.Errorf("an event was queued with the subscription off: %+v", st)
	}
}

// The admin route answers the log and counters to the emulator's user,
// without secrets.
func TestAdminLog(t *testing.T) {
	t.Parallel()
	st := deviceStore(t)
	wh := newHook(t, nil)
	s := newService(t, notify.Config{Store: st})
	subscribe(t, s, map[string]any{"deviceSubscription": true, "deviceWebhookUrl": wh.url + "?sig=query-secret",
		"authType": "bearer", "authToken": "hook-token"})
	if _, err := st.CreateDevice(state.Device{Class: state.Server, DeviceID: "SRV-SECRET-NAME"}); err != nil {
		t.Fatal(err)
	}
	logUntil(t, s, "a delivery", hasOutcome("delivered", ""))
	h := s.AdminHandler()
	x := call(t, h, http.MethodGet, notify.AdminPath, resttest.Basic(testUser, testPassword), nil)
	if x.Status != http.StatusOK {
		t.Fatalf("status %d: %s", x.Status, x.Body)
	}
	var got struct {
		Stats      notify.Stats      `json:"stats"`
		Deliveries []notify.Delivery `json:"deliveries"`
	}
	if err := json.Unmarshal(x.Body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Stats.Delivered != 1 || len(got.Deliveries) != 1 || got.Deliveries[0].Outcome != "delivered" {
		t.Errorf("admin answer %s", x.Body)
	}
	for _, secret := range []string{"hook-token", "query-secret", "SRV-SECRET-NAME"} {
		if strings.Contains(string(x.Body), secret) {
			t.Errorf("the log shows %q: %s", secret, x.Body)
		}
	}
	for _, c := range []struct {
		method, path, authz string
		status              int
	}{
		{http.MethodGet, notify.AdminPath, "", http.StatusUnauthorized},
		{http.MethodGet, notify.AdminPath, resttest.Basic(testUser, "wrong"), http.StatusUnauthorized},
		{http.MethodDelete, notify.AdminPath, resttest.Basic(testUser, testPassword), http.StatusMethodNotAllowed},
		{http.MethodGet, notify.AdminPath + "/x", resttest.Basic(testUser, testPassword), http.StatusNotFound},
	} {
		if x := call(t, h, c.method, c.path, c.authz, nil); x.Status != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, x.Status, c.status)
		}
	}
}

// The log keeps the last LogSize entries.
func TestLogBounded(t *testing.T) {
	t.Parallel()
	st := deviceStore(t)
	wh := newHook(t, nil)
	s := newService(t, notify.Config{Store: st, LogSize: 3})
	subscribe(t, s, map[string]any{"deviceSubscription": true, "deviceWebhookUrl": wh.url})
	for i := range 5 {
		if _, err := st.CreateDevice(state.Device{Class: state.Server, DeviceID: "SRV-" + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	logUntil(t, s, "5 deliveries", func([]notify.Delivery) bool { return s.Stats().Delivered == 5 })
	ds := s.Deliveries()
	if len(ds) != 3 {
		t.Fatalf("%d entries, want 3", len(ds))
	}
	// The newest three, oldest first.
	first, _ := strconv.Atoi(strings.TrimPrefix(ds[0].EventID, "device-"))
	for i, d := range ds {
		if d.EventID != "device-"+strconv.Itoa(first+i) {
			t.Errorf("entry %d: %s, want device-%d", i, d.EventID, first+i)
		}
	}
	if wh.calls.Load() != 5 {
		t.Errorf("%d webhook calls, want 5", wh.calls.Load())
	}
}

// Close cancels a delivery in flight, waits for the workers and leaves no
// goroutine behind. Not parallel: it counts the process's goroutines.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	st := deviceStore(t)
	release := make(chan struct{})
	hung := newHook(t, func(_ int64, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	good := newHook(t, nil)
	before := runtime.NumGoroutine()

	s, err := notify.New(notify.Config{Store: st, Auth: auth, WebhookTimeout: wait, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	subscribe(t, s, map[string]any{"deviceSubscription": true, "deviceWebhookUrl": good.url})
	if _, err := st.CreateDevice(state.Device{Class: state.Server, DeviceID: "SRV-1"}); err != nil {
		t.Fatal(err)
	}
	good.next(t)
	subscribe(t, s, map[string]any{"deviceSubscription": true, "deviceWebhookUrl": hung.url})
	if _, err := st.CreateDevice(state.Device{Class: state.Server, DeviceID: "SRV-2"}); err != nil {
		t.Fatal(err)
	}
	hung.next(t) // a delivery is in flight
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}
	if !hasOutcome("dropped", "closed")(s.Deliveries()) {
		t.Errorf("the cancelled delivery is not logged: %+v", s.Deliveries())
	}
	// Writes after Close reach nobody.
	if _, err := st.CreateDevice(state.Device{Class: state.Server, DeviceID: "SRV-3"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(wait)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines after Close, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}
