package emulator_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/schemas"
)

// The contract harness of issue #4: every operation of every version the
// emulator serves answers the VALID request sample of schemas/testdata with
// a response that its version's WSDL accepts (libxml2, zero findings) and no
// SOAP fault. A statusInfo FAILURE is a valid answer; the summary counts
// them so that the fixtures (contractFixtures) can be improved until most
// calls succeed.

// external services are the ones FNO calls (ID generator, licence
// generator, renewal): the emulator does not serve them.
var external = map[string]bool{
	"IdGeneratorService":      true,
	"LicenseGeneratorService": true,
	"RenewalService":          true,
}

// knownFailures lists combinations ("Service/version/operation") that are
// allowed to fail, each with the reason, should the lead decide some must
// wait. A listed combination that passes, or that no contract has, fails
// the test as a stale entry. Empty: every combination must pass.
var knownFailures = map[string]string{}

// result is the outcome of one operation of one version.
type result struct {
	service string
	version contract.Version
	op      string
	status  string // statusInfo/status of the answer; "" without one
	reason  string // statusInfo/reason of a status other than SUCCESS
	problem string // why it fails the contract; "" when it passes
}

func (r result) key() string { return r.service + "/" + r.version.String() + "/" + r.op }

func TestEveryOperationAnswersItsSchema(t *testing.T) {
	t.Parallel()
	all, err := schemas.Services()
	if err != nil {
		t.Fatal(err)
	}
	var versions []schemas.Version
	for _, s := range all {
		if !external[s.Name] {
			versions = append(versions, s.Versions...)
		}
	}
	if len(versions) == 0 {
		t.Fatal("no served service versions in the schemas index")
	}

	// One emulator per version, so a delete in one version does not turn
	// another version's read into a FAILURE; versions run in parallel.
	var (
		mu      sync.Mutex
		results []result
		wg      sync.WaitGroup
		sem     = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))
	)
	for _, v := range versions {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			rs := runVersion(t, v)
			mu.Lock()
			results = append(results, rs...)
			mu.Unlock()
		})
	}
	wg.Wait()
	report(t, results)
}

// runVersion starts an emulator and calls every operation of v once, reads
// before writes and deletes last.
func runVersion(t *testing.T, v schemas.Version) []result {
	ctx := t.Context()
	fail := func(problem string) []result {
		var out []result
		for _, o := range v.Operations {
			out = append(out, result{service: v.Service, version: v.Version, op: o.Name, problem: problem})
		}
		return out
	}
	emu, err := emulator.Start(ctx, emulator.Config{Seed: 4, Sizes: harnessSizes})
	if err != nil {
		return fail("emulator did not start: " + err.Error())
	}
	defer emu.Close(context.Background())
	p, err := project.For(v.Service, v.Version)
	if err != nil {
		return fail("no projection: " + err.Error())
	}
	schema, err := validator(v)
	if err != nil {
		return fail("schema does not compile: " + err.Error())
	}
	fx := newFixtures(emu)
	ops := slices.Clone(v.Operations)
	sort.SliceStable(ops, func(i, j int) bool { return phase(ops[i].Name) < phase(ops[j].Name) })
	var out []result
	for _, o := range ops {
		r := result{service: v.Service, version: v.Version, op: o.Name}
		r.status, r.reason, r.problem = call(ctx, emu, p, schema, fx, v, o)
		out = append(out, r)
	}
	return out
}

// phase orders operations so that the ones that remove or retire records
// run after those that read or change them (a decrement before the delete
// of the same mapping).
func phase(op string) int {
	if strings.HasPrefix(op, "decrement") {
		return 2
	}
	for _, p := range []string{"delete", "remove", "obsolete", "return", "unlink", "deactivate"} {
		if strings.HasPrefix(op, p) {
			return 3
		}
	}
	for _, p := range []string{"get", "search", "count"} {
		if strings.HasPrefix(op, p) {
			return 0
		}
	}
	return 1
}

// call sends one operation's sample request and checks the answer.
func call(ctx context.Context, emu *emulator.Emulator, p *project.Projector, schema *xsd.Schema, fx *fixtures, v schemas.Version, o schemas.Operation) (status, reason, problem string) {
	sample := filepath.Join("..", "..", "schemas", "testdata", v.Service, v.Version.String(), o.Name+".request.valid.xml")
	data, err := os.ReadFile(sample)
	if err != nil {
		return "", "", "no valid request sample: " + err.Error()
	}
	node, err := xmltree.ParseBytes(data, xmltree.Limits{})
	if err != nil {
		return "", "", "request sample unreadable: " + err.Error()
	}
	values, err := p.Request(node)
	if err != nil {
		return "", "", "request sample does not map: " + err.Error()
	}
	fx.fill(v, o.Name, values)
	payload, err := p.RequestPayload(o.Name, values)
	if err != nil {
		return "", "", "fixtures broke the request: " + err.Error()
	}
	opn := contract.Operation{Service: v.Service, Version: v.Version, Name: o.Name}
	req, err := soap.NewRequest(ctx, emu.URL(), opn, payload, soap.Basic(emulator.DefaultUser, emulator.DefaultPassword))
	if err != nil {
		return "", "", "build request: " + err.Error()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", "HTTP: " + err.Error()
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", "", "read response: " + err.Error()
	}
	parsed, err := soap.Parse(bytes.NewReader(body), xmltree.Limits{})
	if err != nil {
		return "", "", fmt.Sprintf("HTTP %d, not a SOAP envelope: %v", resp.StatusCode, err)
	}
	if f := parsed.Fault; f != nil {
		if problemOf(f) == server.ProblemNotImplemented {
			return "", "", "no handler"
		}
		return "", "", fmt.Sprintf("SOAP fault %s (%s): %s", f.Code, problemOf(f), f.String)
	}
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Sprintf("HTTP %d without a fault", resp.StatusCode)
	}
	if parsed.Payload == nil || parsed.Payload.Name != (xmltree.Name{Space: o.Output.Space, Local: o.Output.Local}) {
		got := "nothing"
		if parsed.Payload != nil {
			got = parsed.Payload.Name.String()
		}
		return "", "", "the Body holds " + got + ", want " + o.Output.Local
	}
	status = statusOf(parsed.Payload)
	if parsed.Status != nil {
		status = string(parsed.Status.Status)
		if parsed.Status.Status != soap.StatusSuccess {
			reason = parsed.Status.Reason
			for _, f := range parsed.Failed {
				reason += "; " + f.Element + ": " + f.Reason
			}
		}
	}
	fx.learn(o.Name, parsed.Payload)
	fs, err := schema.ValidateEnvelope(body)
	if err != nil {
		return status, reason, "validation could not run: " + err.Error()
	}
	if len(fs) > 0 {
		msgs := make([]string, 0, len(fs))
		for _, f := range fs {
			msgs = append(msgs, f.Location+": "+f.Message)
		}
		return status, reason, "invalid response: " + strings.Join(msgs, "; ")
	}
	return status, reason, ""
}

// statusOf reads the outcome of the responses without statusInfo
// (FlexnetAuthentication): Success or statusCode; "" when there is none.
func statusOf(payload *xmltree.Node) string {
	if c := payload.Child("Success"); c != nil {
		if c.Text == "true" {
			return "SUCCESS"
		}
		return "FAILURE"
	}
	if c := payload.Child("statusCode"); c != nil {
		return c.Text
	}
	return ""
}

func problemOf(f *soap.Fault) string {
	if f.Detail == nil {
		return ""
	}
	return f.Detail.TextOf("problem")
}

// validators compiles each version's WSDL once per test binary.
var validators sync.Map // "Service/version" → func() (*xsd.Schema, error)

func validator(v schemas.Version) (*xsd.Schema, error) {
	key := v.Service + "/" + v.Version.String()
	f, _ := validators.LoadOrStore(key, sync.OnceValues(func() (*xsd.Schema, error) {
		data, err := schemas.WSDL(v.Service, v.Version.String())
		if err != nil {
			return nil, err
		}
		return xsd.CompileWSDLBytes(key, data)
	}))
	return f.(func() (*xsd.Schema, error))()
}

// report logs the per-service summary and fails with every failing
// combination, grouped by service, operation and problem so that a
// missing handler reads as one line with its versions.
func report(t *testing.T, results []result) {
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
		seen[r.key()] = true
		tl := per[r.service]
		if tl == nil {
			tl = &tally{}
			per[r.service] = tl
		}
		tl.total++
		if r.problem == "" {
			tl.pass++
			switch r.status {
			case "SUCCESS":
				tl.success++
			case "":
				tl.other++
			default:
				tl.failure++
			}
			if reason, ok := knownFailures[r.key()]; ok {
				t.Errorf("stale knownFailures entry %s (%s): it passes now; remove it", r.key(), reason)
			}
			continue
		}
		if _, ok := knownFailures[r.key()]; ok {
			known = append(known, r.key()+": "+r.problem)
			continue
		}
		k := r.service + "\x00" + r.op + "\x00" + r.problem
		g := groups[k]
		if g == nil {
			g = &group{service: r.service, op: r.op, problem: r.problem}
			groups[k] = g
		}
		g.versions = append(g.versions, r.version.String())
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
			if r.problem == "" && r.status != "" && r.status != "SUCCESS" {
				t.Logf("status %s: %s: %s", r.status, r.key(), r.reason)
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
// the answer in each way it knows, and call must report every one; a
// handler's fault is reported too.
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
	emu, err := emulator.Start(t.Context(), emulator.Config{
		Seed:  1,
		Sizes: harnessSizes,
		Register: func(r *op.Registry, _ *state.Store, _ op.Settings) {
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
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close(context.Background())
	v, err := schemas.Find(service, version.String())
	if err != nil {
		t.Fatal(err)
	}
	o, _ := v.Operation(opName)
	p, err := project.For(service, version)
	if err != nil {
		t.Fatal(err)
	}
	schema, err := validator(v)
	if err != nil {
		t.Fatal(err)
	}
	fx := newFixtures(emu)

	status, _, problem := call(t.Context(), emu, p, schema, fx, v, o)
	if problem != "" || status != "SUCCESS" {
		t.Fatalf("planted valid answer: status %q, problem %q; want SUCCESS and none", status, problem)
	}
	for _, mode := range server.DriftModes {
		if err := emu.Server().SetFaults(server.Faults{Rules: []server.FaultRule{{
			Service: service, Version: version.String(), Operation: opName, Drift: mode,
		}}}); err != nil {
			t.Fatalf("%s: SetFaults: %v", mode, err)
		}
		if _, _, problem := call(t.Context(), emu, p, schema, fx, v, o); problem == "" {
			t.Errorf("drift %s: the harness saw no problem", mode)
		}
	}
	if err := emu.Server().SetFaults(server.Faults{}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	failWith = op.ServerFault("planted failure")
	mu.Unlock()
	if _, _, problem := call(t.Context(), emu, p, schema, fx, v, o); !strings.Contains(problem, "SOAP fault") {
		t.Errorf("handler fault: problem %q, want a SOAP fault", problem)
	}
}
