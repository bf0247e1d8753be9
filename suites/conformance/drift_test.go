package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/server"
)

// envChild marks the child processes of TestDriftIsCaught, which run
// TestConformance with a drift switched on (Ginkgo runs a spec tree once
// per process).
const envChild = "FNOKIT_TEST_DRIFT_CHILD"

// driftScopes gives each drift mode of the emulator an operation to break,
// across services, so the proof does not rest on one response shape.
var driftScopes = map[server.DriftMode]string{
	server.DriftDropRequired:   "ManageDeviceService/v7/searchDevices",
	server.DriftRename:         "LicenseService/v2/getFulfillmentsQuery",
	server.DriftWrongNamespace: "UserAcctHierarchyService/v6/getAccountsQuery",
	server.DriftBadEnum:        "ProductPackagingService/v2/getProductsQuery",
	server.DriftExtraElement:   "EntitlementOrderService/v8/getEntitlementCount",
	server.DriftWrongType:      "ManageDeviceService/v7/getDevice",
}

// reportCase is a case of report.json.
type reportCase struct {
	Service, Version, Operation, Status, Message string
	Findings                                     []contract.Finding
}

// runChild runs the conformance suite of one service version in a child
// process, with drift rules (may be empty), and returns its exit code, its
// output and the cases of its report.json.
func runChild(t *testing.T, service, version, drift string) (int, string, []reportCase) {
	t.Helper()
	reports := t.TempDir()
	args := []string{"-test.run=^TestConformance$", "-test.count=1",
		"-ginkgo.label-filter=service:" + service + " && version:" + version, "-ginkgo.no-color",
		"-reports", reports}
	if drift != "" {
		args = append(args, "-drift", drift)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), envChild+"=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("child: %v", err)
		}
		code = ee.ExitCode()
	}
	raw, err := os.ReadFile(filepath.Join(reports, "report.json"))
	if err != nil {
		t.Fatalf("child wrote no report: %v\n%s", err, out.String())
	}
	var rep struct {
		Cases []reportCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	return code, out.String(), rep.Cases
}

// The proof that the suite catches contract drift: for each drift mode of
// the emulator, scoped to one operation, a run of the conformance suite
// fails, and its report names that operation and the location of the
// break — and nothing else fails. The same run without drift passes.
func TestDriftIsCaught(t *testing.T) {
	if os.Getenv(envChild) != "" {
		t.Skip("child process")
	}
	if len(driftScopes) != len(server.DriftModes) {
		t.Fatalf("%d drift scopes for %d drift modes: give every mode an operation", len(driftScopes), len(server.DriftModes))
	}
	for _, mode := range server.DriftModes {
		scope := driftScopes[mode]
		t.Run(string(mode), func(t *testing.T) {
			parts := strings.Split(scope, "/")
			service, version, op := parts[0], parts[1], parts[2]
			code, out, cases := runChild(t, service, version, scope+"="+string(mode))
			if code == 0 {
				t.Fatalf("the run with %s on %s passed:\n%s", mode, scope, out)
			}
			found := false
			for _, c := range cases {
				if c.Service != service || c.Version != version {
					t.Errorf("case %s/%s/%s outside the run's filter", c.Service, c.Version, c.Operation)
				}
				if c.Operation != op {
					if c.Status != "passed" {
						t.Errorf("%s/%s/%s: %s (%s), though only %s drifted", c.Service, c.Version, c.Operation, c.Status, c.Message, op)
					}
					continue
				}
				found = true
				if c.Status != "failed" || len(c.Findings) == 0 {
					t.Fatalf("%s: status %s, findings %v", scope, c.Status, c.Findings)
				}
				f := c.Findings[0]
				if f.Target != scope+" response" || !strings.HasPrefix(f.Location, "/") || f.Severity < contract.Error {
					t.Errorf("%s: first finding %+v does not name the operation and a location", scope, f)
				}
				if !strings.Contains(out, op) || !strings.Contains(out, f.Location) {
					t.Errorf("the run's output does not name %s and %s:\n%s", op, f.Location, out)
				}
			}
			if !found {
				t.Errorf("no case for the drifted %s", scope)
			}
		})
	}
	t.Run("clean", func(t *testing.T) {
		code, out, cases := runChild(t, "ManageDeviceService", "v7", "")
		if code != 0 || len(cases) == 0 {
			t.Fatalf("the clean run: exit %d, %d cases\n%s", code, len(cases), out)
		}
		for _, c := range cases {
			if c.Status != "passed" {
				t.Errorf("clean %s/%s/%s: %s", c.Service, c.Version, c.Operation, c.Status)
			}
		}
	})
}
