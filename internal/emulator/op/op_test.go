package op

import (
	"context"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
)

func TestRegistryPicksTheLatestApplicableVersion(t *testing.T) {
	t.Parallel()
	r := NewRegistry()
	mark := func(s string) Handler {
		return func(context.Context, *Call) (map[string]any, error) { return map[string]any{"h": s}, nil }
	}
	r.Handle("ManageDeviceService", "getDevice", mark("all"))
	r.HandleFrom("ManageDeviceService", "getDevice", "v6", mark("v6+"))
	for v, want := range map[contract.Version]string{contract.Base: "all", "v5": "all", "v6": "v6+", "v7": "v6+"} {
		h, ok := r.Lookup(contract.Operation{Service: "ManageDeviceService", Version: v, Name: "getDevice"})
		if !ok {
			t.Fatalf("%s: no handler", v)
		}
		got, _ := h(context.Background(), nil)
		if got["h"] != want {
			t.Errorf("%s: handler %v, want %s", v, got["h"], want)
		}
	}
	if _, ok := r.Lookup(contract.Operation{Service: "ManageDeviceService", Version: "v1", Name: "nope"}); ok {
		t.Error("an unregistered operation has a handler")
	}
}
