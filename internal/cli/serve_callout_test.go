package cli

import (
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/calloutclient"
)

func TestServeCalloutFlags(t *testing.T) {
	t.Parallel()
	all := "finalizeHost,checkAccess,finalizeResponse"
	for _, tc := range []struct {
		name     string
		url      string
		remote   bool
		triggers string
		timeout  time.Duration
		failure  string
		ok       bool
		nTrig    int
	}{
		{"off", "", false, all, time.Second, "deny", true, 0},
		{"loopback", "http://127.0.0.1:8090", false, all, time.Second, "deny", true, 3},
		{"one trigger", "http://localhost:8090", false, "checkAccess", time.Second, "allow", true, 1},
		{"remote refused", "http://example.com", false, all, time.Second, "deny", false, 0},
		{"remote allowed", "http://example.com", true, all, time.Second, "deny", true, 3},
		{"bad trigger", "http://127.0.0.1:8090", false, "finalizeHost,later", time.Second, "deny", false, 0},
		{"no trigger", "http://127.0.0.1:8090", false, " , ", time.Second, "deny", false, 0},
		{"bad mode", "http://127.0.0.1:8090", false, all, time.Second, "retry", false, 0},
		{"bad timeout", "http://127.0.0.1:8090", false, all, 0, "deny", false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := serveCallout(tc.url, tc.remote, tc.triggers, true, false, tc.timeout, tc.failure)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if err == nil && len(cfg.Triggers) != tc.nTrig {
				t.Errorf("%d trigger points, want %d", len(cfg.Triggers), tc.nTrig)
			}
			if err == nil && tc.url != "" && (cfg.Failure != calloutclient.FailureMode(tc.failure) || !cfg.HostDetails || cfg.AddOnDetails) {
				t.Errorf("config %+v does not carry the flags", cfg)
			}
		})
	}
}
