package emulator_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// The contract harness of issue #4: every operation of every version the
// emulator serves answers the VALID request sample of schemas/testdata with
// a response that its version's WSDL accepts (libxml2, zero findings) and no
// SOAP fault. The sweep itself is internal/conformance (which `fnokit check`
// runs too); this file holds the test's rules: every combination passes
// unless knownFailures says otherwise, and the summary counts statuses so
// the fixtures (conformance's Records) can be improved until most calls
// succeed.

// samples is schemas/testdata, from this package's folder.
var samples = filepath.Join("..", "..", "schemas", "testdata")

// knownFailures lists combinations ("Service/version/operation") that are
// allowed to fail, each with the reason, should the lead decide some must
// wait. A listed combination that passes, or that no contract has, fails
// the test as a stale entry. Empty: every combination must pass.
var knownFailures = map[string]string{}

func TestEveryOperationAnswersItsSchema(t *testing.T) {
	t.Parallel()
	// One emulator per version (conformance.Emulators), so a delete in one
	// version does not turn another version's read into a FAILURE.
	results, err := conformance.Run(t.Context(), conformance.Emulators(harnessConfig()), conformance.Options{Samples: samples})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) == 0 {
		t.Fatal("no served service versions in the schemas index")
	}
	report(t, results)
}

// report logs the per-service summary and fails with every failing
// combination, grouped by service, operation and problem so that a
// missing handler reads as one line with its versions.
func report(t *testing.T, results []conformance.Result) {
	type tally struct{ total, pass, success, failure, other int }
	per := map[string]*tally{}
	type group struct {
		service, op, problem string
		versions             []string
	}
	groups := map[string]*group{}
	seen := map[string]bool{}
	var known []string
	for _, r := range results {
		problem := r.Problem()
		seen[r.Key()] = true
		tl := per[r.Service]
		if tl == nil {
			tl = &tally{}
			per[r.Service] = tl
		}
		tl.total++
		if problem == "" {
			tl.pass++
			switch r.Status {
			case "SUCCESS":
				tl.success++
			case "":
				tl.other++
			default:
				tl.failure++
			}
			if reason, ok := knownFailures[r.Key()]; ok {
				t.Errorf("stale knownFailures entry %s (%s): it passes now; remove it", r.Key(), reason)
			}
			continue
		}
		if _, ok := knownFailures[r.Key()]; ok {
			known = append(known, r.Key()+": "+problem)
			continue
		}
		k := r.Service + "\x00" + r.Operation + "\x00" + problem
		g := groups[k]
		if g == nil {
			g = &group{service: r.Service, op: r.Operation, problem: problem}
			groups[k] = g
		}
		g.versions = append(g.versions, r.Version.String())
	}
	for k := range knownFailures {
		if !seen[k] {
			t.Errorf("stale knownFailures entry %s: no served contract has this operation", k)
		}
	}

	names := make([]string, 0, len(per))
	for s := range per {
		names = append(names, s)
	}
	sort.Strings(names)
	var sum strings.Builder
	sum.WriteString("operations × versions answering their schema:\n")
	total, pass := 0, 0
	for _, s := range names {
		tl := per[s]
		total += tl.total
		pass += tl.pass
		fmt.Fprintf(&sum, "  %-26s %3d/%3d pass (status SUCCESS %d, other status %d, none %d)\n",
			s, tl.pass, tl.total, tl.success, tl.failure, tl.other)
	}
	fmt.Fprintf(&sum, "  %-26s %3d/%3d pass", "all", pass, total)
	t.Log(sum.String())
	for _, k := range known {
		t.Logf("known failure: %s", k)
	}
	if testing.Verbose() {
		// Which answers are FAILUREs and why: the to-do list of the
		// fixtures (or of the handlers).
		for _, r := range results {
			if r.Passed() && r.Status != "" && r.Status != "SUCCESS" {
				t.Logf("status %s: %s: %s", r.Status, r.Key(), r.Reason)
			}
		}
	}

	if len(groups) == 0 {
		return
	}
	list := make([]*group, 0, len(groups))
	for _, g := range groups {
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.service != b.service {
			return a.service < b.service
		}
		if a.op != b.op {
			return a.op < b.op
		}
		return a.problem < b.problem
	})
	var msg strings.Builder
	n := 0
	for _, g := range list {
		n += len(g.versions)
		fmt.Fprintf(&msg, "\n  %s %s [%s]: %s", g.service, g.op, strings.Join(sortVersions(g.versions), " "), g.problem)
	}
	t.Errorf("%d of %d operation × version combinations do not answer their schema:%s", n, total, msg.String())
}

func sortVersions(vs []string) []string {
	sort.Slice(vs, func(i, j int) bool {
		a, _ := contract.ParseVersion(vs[i])
		b, _ := contract.ParseVersion(vs[j])
		return a.Number() < b.Number()
	})
	return vs
}

// TestHarnessCatchesDrift proves the harness can fail: a planted handler
// answers searchDevices v7 validly, then the server's drift injection breaks
// the answer in each way it knows, and the sweep must report every one with
// a finding on that response; a handler's fault is reported too.
func TestHarnessCatchesDrift(t *testing.T) {
	t.Parallel()
	const service, version, opName = "ManageDeviceService", contract.Version("v7"), "searchDevices"
	answer := map[string]any{
		"statusInfo": map[string]any{"status": "SUCCESS"},
		"devices": map[string]any{"device": []any{map[string]any{
			"deviceId":     map[string]any{"id": "D-1", "idType": "STRING", "publisherName": "demo", "deviceClass": "CLIENT"},
			"status":       "ACTIVE",
			"hosted":       "false",
			"lastModified": "2024-01-31T12:00:00.000Z",
		}}},
	}
	var failWith error
	var mu sync.Mutex
	cfg := harnessConfig()
	cfg.Seed = 1
	cfg.Register = func(r *op.Registry, _ *state.Store, _ op.Settings) {
		// From the called version itself, so that it takes over from
		// the built-in handler whatever version that starts at.
		r.HandleFrom(service, opName, version, func(context.Context, *op.Call) (map[string]any, error) {
			mu.Lock()
			defer mu.Unlock()
			if failWith != nil {
				return nil, failWith
			}
			return answer, nil
		})
	}
	emu, err := emulator.Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close(context.Background())
	target := conformance.Running(emu, cfg)
	only := conformance.Options{Samples: samples, Services: []string{service}, Versions: []string{version.String()}, Operations: []string{opName}}
	sweep := func(what string) conformance.Result {
		t.Helper()
		rs, err := conformance.Run(t.Context(), target, only)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(rs) != 1 || rs[0].Key() != service+"/"+version.String()+"/"+opName {
			t.Fatalf("%s: the filtered sweep gave %d results, want only %s/%s/%s", what, len(rs), service, version, opName)
		}
		return rs[0]
	}

	if r := sweep("planted valid answer"); !r.Passed() || r.Status != "SUCCESS" {
		t.Fatalf("planted valid answer: status %q, problem %q; want SUCCESS and none", r.Status, r.Problem())
	}
	wantTarget := service + "/" + version.String() + "/" + opName + " response"
	for _, mode := range server.DriftModes {
		if err := emu.Server().SetFaults(server.Faults{Rules: []server.FaultRule{{
			Service: service, Version: version.String(), Operation: opName, Drift: mode,
		}}}); err != nil {
			t.Fatalf("%s: SetFaults: %v", mode, err)
		}
		r := sweep(string(mode))
		if r.Passed() {
			t.Errorf("drift %s: the harness saw no problem", mode)
			continue
		}
		if r.Err != nil || len(r.Findings) == 0 || r.Findings[0].Target != wantTarget {
			t.Errorf("drift %s: err %v, findings %v; want findings on %s", mode, r.Err, r.Findings, wantTarget)
		}
	}
	if err := emu.Server().SetFaults(server.Faults{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	failWith = op.ServerFault("planted failure")
	mu.Unlock()
	if r := sweep("handler fault"); r.Fault == nil || !strings.Contains(r.Problem(), "SOAP fault") {
		t.Errorf("handler fault: fault %v, problem %q, want a SOAP fault", r.Fault, r.Problem())
	}
}
