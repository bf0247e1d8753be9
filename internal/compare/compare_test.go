package compare

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/soap"
)

// calls indexes a result's calls by ID.
func calls(r *Result) map[string]Call {
	m := map[string]Call{}
	for _, c := range r.Calls {
		m[c.ID()] = c
	}
	return m
}

// differing lists the IDs of the calls whose answers differ.
func differing(r *Result) []string {
	var out []string
	for _, c := range r.Calls {
		if c.Differs() {
			out = append(out, c.ID())
		}
	}
	return out
}

func find(c Call, kind Kind, level Level, loc string) (Difference, bool) {
	for _, d := range c.Differences {
		if d.Kind == kind && d.Level == level && (loc == "" || d.Location == loc) {
			return d, true
		}
	}
	return Difference{}, false
}

// Two emulators of the same seed answer every read alike: the whole
// selection (every read operation of every version, and the REST routes)
// is compared and nothing differs.
func TestSameSeedNoDifferences(t *testing.T) {
	t.Parallel()
	a, b := start(t, emulator.Config{}), start(t, emulator.Config{})
	res, err := Run(t.Context(), endpoint(a), endpoint(b), Options{Samples: samples, Rules: rules(t)})
	if err != nil {
		t.Fatal(err)
	}
	if ids := differing(res); len(ids) > 0 {
		t.Errorf("answers differ for %v", ids)
	}
	versions, err := conformance.Selection(conformance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, v := range versions {
		for _, o := range v.Operations {
			if IsRead(o.Name) {
				want++
			}
		}
	}
	tot := res.Totals()
	if tot.SOAP != want {
		t.Errorf("%d SOAP calls compared, want every read operation × version: %d", tot.SOAP, want)
	}
	if tot.REST == 0 || tot.Errors != 0 || tot.Skipped != 0 {
		t.Errorf("totals %+v: want REST calls, no errors, none skipped", tot)
	}
	success := 0
	for _, c := range res.Calls {
		if c.Baseline.Status == "SUCCESS" {
			success++
		}
	}
	if success < len(res.Calls)/2 {
		t.Errorf("only %d of %d calls answered SUCCESS: the requests do not name real records", success, len(res.Calls))
	}
}

func rules(t testing.TB) *golden.Rules {
	t.Helper()
	r, err := golden.LoadRules("../../golden/normalize.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// With another seed the candidate lacks the baseline's records: a read of
// the baseline's device answers SUCCESS there and not on the candidate.
func TestDifferentSeeds(t *testing.T) {
	t.Parallel()
	a, b := start(t, emulator.Config{}), start(t, emulator.Config{Seed: conformance.EmulatorSeed + 1})
	ep := endpoint(a)
	rec, err := conformance.FindRecords(t.Context(), testClient, ep.URL, ep.Credentials)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Clients) == 0 {
		t.Fatal("no client device found on the baseline")
	}
	key := state.DeviceKey{DeviceID: rec.Clients[0].ID, IDType: state.IDType(rec.Clients[0].IDType), Publisher: rec.Clients[0].Publisher}
	if _, err := b.Store().Device(key); err == nil {
		t.Skip("the candidate's data set happens to have the baseline's device")
	}
	res, err := Run(t.Context(), endpoint(a), endpoint(b), Options{Samples: samples, Services: []string{"ManageDeviceService", RESTAPI}, Records: &rec})
	if err != nil {
		t.Fatal(err)
	}
	cs := calls(res)
	get, ok := cs["ManageDeviceService/v7/getDevice"]
	if !ok {
		t.Fatal("getDevice v7 was not compared")
	}
	d, ok := find(get, StatusChanged, Outcome, "/getDeviceResponse/statusInfo/status")
	if !ok || d.Baseline != "SUCCESS" || d.Candidate == "SUCCESS" || d.Candidate == "" {
		t.Errorf("getDevice v7: want statusInfo/status SUCCESS → not SUCCESS, got %+v in %+v", d, get.Differences)
	}
	if _, ok := find(get, OnlyInBaseline, Value, "/getDeviceResponse/device"); !ok {
		t.Errorf("getDevice v7: the baseline's device is not reported as only in the baseline: %+v", get.Differences)
	}
	byDevice := cs["rest/application/devices/by-device"]
	if !byDevice.Differs() {
		t.Errorf("REST devices by the baseline's device: no difference (%+v / %+v)", byDevice.Baseline, byDevice.Candidate)
	}
	if get.Diff == "" || !strings.Contains(get.Diff, "(baseline)") {
		t.Errorf("getDevice v7 has no unified diff: %q", get.Diff)
	}
}

// Each drift mode on one operation of the candidate is found on that
// operation, at schema level, and on no other.
func TestDriftFound(t *testing.T) {
	t.Parallel()
	a := start(t, emulator.Config{})
	const service, version, operation = "ManageDeviceService", "v7", "getDevice"
	id := service + "/" + version + "/" + operation
	for _, mode := range server.DriftModes {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			b := start(t, emulator.Config{Faults: server.Faults{Rules: []server.FaultRule{
				{Service: service, Version: version, Operation: operation, Drift: mode}}}})
			res, err := Run(t.Context(), endpoint(a), endpoint(b), Options{Samples: samples, Services: []string{service}, Versions: []string{version}})
			if err != nil {
				t.Fatal(err)
			}
			if got := differing(res); !slices.Equal(got, []string{id}) {
				t.Fatalf("differing calls %v, want only %s", got, id)
			}
			c := calls(res)[id]
			d, ok := find(c, OnlyInCandidate, Schema, "")
			if !ok {
				t.Fatalf("no contract finding on the candidate only: %+v", c.Differences)
			}
			if !strings.HasPrefix(d.Location, "/getDeviceResponse") || d.Rule == "" {
				t.Errorf("schema difference %+v: want a rule and a location in the payload", d)
			}
			if mode == server.DriftExtraElement {
				if _, ok := find(c, OnlyInCandidate, Value, "/getDeviceResponse/"+server.DriftElement); !ok {
					t.Errorf("the undeclared element is not reported as only in the candidate: %+v", c.Differences)
				}
			}
		})
	}
}

// A candidate with a lower read batch limit answers the lists shorter and
// refuses the REST batch the baseline serves.
func TestMaxReadBatchFound(t *testing.T) {
	t.Parallel()
	const limit = 5
	a := start(t, emulator.Config{})
	if n, err := a.Store().CountDevices(state.DeviceQuery{}); err != nil || n <= limit {
		t.Fatalf("the baseline needs more than %d devices (has %d, %v)", limit, n, err)
	}
	s := op.DefaultSettings()
	s.MaxReadBatch = limit
	b := start(t, emulator.Config{Settings: s})
	res, err := Run(t.Context(), endpoint(a), endpoint(b), Options{Samples: samples, Services: []string{"ManageDeviceService", RESTAPI}, Versions: []string{"v7"}})
	if err != nil {
		t.Fatal(err)
	}
	cs := calls(res)
	search := cs["ManageDeviceService/v7/searchDevices"]
	loc := "/searchDevicesResponse/devices/device[" + strconv.Itoa(limit+1) + "]"
	if _, ok := find(search, OnlyInBaseline, Value, loc); !ok {
		t.Errorf("searchDevices v7: %s not reported as only in the baseline: %+v", loc, search.Differences)
	}
	if _, ok := find(search, OnlyInBaseline, Value, "/searchDevicesResponse/devices/device["+strconv.Itoa(limit)+"]"); ok {
		t.Errorf("searchDevices v7: device %d is on both sides, yet reported", limit)
	}
	page := cs["rest/application/devices/first-page"]
	if d, ok := find(page, StatusChanged, Outcome, "/statusInfo/status"); !ok || d.Baseline != "SUCCESS" {
		t.Errorf("REST devices page of %d: want a status change from SUCCESS, got %+v", restBatch, page.Differences)
	}
	if search.Omitted == 0 && len(search.Differences) == 0 {
		t.Error("nothing counted")
	}
}

// A baseline that refuses the credentials stops the run before any
// comparison, with ErrRefused (the CLI's hint): its records cannot be
// found (conformance.FindRecords, tested there).
func TestBaselineRefuses(t *testing.T) {
	t.Parallel()
	e := start(t, emulator.Config{})
	bad := endpoint(e)
	bad.Credentials = soap.Basic(emulator.DefaultUser, "wrong")
	if _, err := Run(t.Context(), bad, endpoint(e), Options{Samples: samples, Services: []string{"ManageDeviceService"}}); !errors.Is(err, ErrRefused) {
		t.Errorf("wrong password: %v, want ErrRefused", err)
	}
}

// A candidate that does not answer makes every call an error, not a
// difference and not a pass.
func TestCandidateDown(t *testing.T) {
	t.Parallel()
	a := start(t, emulator.Config{})
	down := start(t, emulator.Config{})
	url := down.URL()
	if err := down.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), endpoint(a), Endpoint{URL: url, Credentials: endpoint(a).Credentials},
		Options{Samples: samples, Services: []string{"LicenseService", RESTAPI}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	tot := res.Totals()
	if tot.Calls == 0 || tot.Errors != tot.Calls || tot.Differing != 0 {
		t.Errorf("totals %+v: want every call an error", tot)
	}
	for _, c := range res.Calls {
		if !strings.HasPrefix(c.Err, "candidate: ") {
			t.Errorf("%s: error %q does not name the candidate", c.ID(), c.Err)
		}
	}
}
