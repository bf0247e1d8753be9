package devices

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/callout"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// fakeCallout answers each trigger point from a table and records calls.
type fakeCallout struct {
	answers map[callout.TriggerPoint]callout.Response
	fail    map[callout.TriggerPoint]error
	mu      sync.Mutex
	calls   []callout.TriggerPoint
	reqs    []*callout.Request
}

func (f *fakeCallout) On(callout.TriggerPoint) bool { return true }
func (f *fakeCallout) HostDetails() bool            { return true }
func (f *fakeCallout) AddOnDetails() bool           { return true }
func (f *fakeCallout) Call(_ context.Context, tp callout.TriggerPoint, req *callout.Request) (callout.Response, error) {
	f.mu.Lock()
	f.calls, f.reqs = append(f.calls, tp), append(f.reqs, req)
	f.mu.Unlock()
	if err := f.fail[tp]; err != nil {
		return callout.Response{}, err
	}
	return f.answers[tp], nil
}

func capRequest(id string) map[string]any {
	return map[string]any{"device": []any{map[string]any{"deviceIdentifier": ident("CLIENT", id),
		"lineItem": []any{map[string]any{"lineItemIdentifier": map[string]any{"activationId": aidTen, "count": "2"}}}}}}
}

func TestCalloutActionsApplied(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newTest(st)
	s := func(v string) *string { return &v }
	n := func(v int64) *int64 { return &v }
	co := &fakeCallout{answers: map[callout.TriggerPoint]callout.Response{
		callout.FinalizeHost: {HostActions: &callout.HostActions{HostType: s("FLX_SERVER_TYPE"), EnterpriseID: n(20),
			AddToVendorDictionary: callout.VendorDictionary{"SITE": "north"}, RemoveFromVendorDictionary: []string{"TRIAL"}}},
		callout.FinalizeResponse: {ResponseActions: &callout.ResponseActions{Lifetime: n(3600),
			VendorDictionary: callout.VendorDictionary{"CHANNELS": float64(20)}, AddToStatusList: []callout.StatusItem{{Code: 7}}},
			AddOnActions: []callout.AddOnActions{{ActivationID: aidTen, SkipConfirmation: true, Expiration: s("2030-01-01")}}},
	}}
	h.callout = co
	out := call(t, h, "v7", "generateCapabilityResponse", capRequest("CO-NEW"))
	if statusOf(out) != success {
		t.Fatalf("%v", out)
	}
	if got := co.calls; len(got) != 3 || got[0] != callout.FinalizeHost || got[1] != callout.CheckAccess || got[2] != callout.FinalizeResponse {
		t.Errorf("trigger points called %v", got)
	}
	// finalizeResponse sees the add-on just mapped.
	if last := co.reqs[2]; len(last.AddOnInfo) != 1 || !strings.EqualFold(last.AddOnInfo[0].ActivationID, aidTen) {
		t.Errorf("finalizeResponse addOnInfo %+v", last.AddOnInfo)
	}
	blob, _ := base64.StdEncoding.DecodeString(op.Str(op.Objs(out, "responseData", "device")[0], "addonLicense"))
	body, err := testSigner.VerifyCapability(blob)
	if err != nil {
		t.Fatal(err)
	}
	var p capPayload
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Lifetime == nil || *p.Lifetime != 3600 || p.VendorDictionary["CHANNELS"] != "20" || len(p.StatusList) != 1 || p.StatusList[0].Code != 7 {
		t.Errorf("response actions not applied: %+v", p)
	}
	if p.Host == nil || p.Host.HostType != "FLX_SERVER_TYPE" || p.Host.EnterpriseID == nil || *p.Host.EnterpriseID != 20 ||
		p.Host.VendorDictionary["SITE"] != "north" || len(p.Host.Removed) != 1 {
		t.Errorf("host actions not recorded: %+v", p.Host)
	}
	if len(p.AddOns) != 1 || p.AddOns[0].Expiry != "2030-01-01" || !p.AddOns[0].SkipConfirmation {
		t.Errorf("add-on actions not applied: %+v", p.AddOns)
	}
	if d, _ := st.Device(state.DeviceKey{DeviceID: "CO-NEW"}); d.HostType != "FLX_SERVER_TYPE" {
		t.Errorf("host type %q not stored", d.HostType)
	}

	// A denied add-on is left out of the response.
	co.answers[callout.FinalizeResponse] = callout.Response{AddOnActions: []callout.AddOnActions{{ActivationID: aidTen, Denied: true}}}
	out = call(t, h, "v7", "generateCapabilityResponse", capRequest("CO-NEW"))
	blob, _ = base64.StdEncoding.DecodeString(op.Str(op.Objs(out, "responseData", "device")[0], "addonLicense"))
	body, _ = testSigner.VerifyCapability(blob)
	p = capPayload{}
	json.Unmarshal(body, &p)
	if len(p.AddOns) != 0 || len(p.Denied) != 1 {
		t.Errorf("denied add-on granted: %+v", p)
	}
}

func TestCalloutFailureAtFinalizeResponseUndoesMapping(t *testing.T) {
	t.Parallel()
	st := fixture(t)
	h := newTest(st)
	before, _ := st.LineItem(aidTen)
	h.callout = &fakeCallout{fail: map[callout.TriggerPoint]error{callout.FinalizeResponse: errors.New("the callout at finalizeResponse gave no usable answer (timeout)")}}
	out := call(t, h, "v7", "generateCapabilityResponse", capRequest("CO-UNDO"))
	if statusOf(out) != failure {
		t.Fatalf("%v", out)
	}
	after, _ := st.LineItem(aidTen)
	if after.Remaining() != before.Remaining() {
		t.Errorf("remaining copies %d, want %d: the mapping was not undone", after.Remaining(), before.Remaining())
	}
}
