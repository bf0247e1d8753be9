package all_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/cli"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/internal/suite"
)

// Ginkgo runs its spec tree once per process, so each `fnokit check` of
// these tests runs in a child process: this test binary again, running
// only TestLiveCheckProcess with the arguments in envLiveArgs.
const envLiveArgs = "FNOKIT_TEST_LIVE_ARGS"

// liveRunTimeout bounds one `fnokit check` run.
const liveRunTimeout = 10 * time.Minute

func TestLiveCheckProcess(t *testing.T) {
	raw := os.Getenv(envLiveArgs)
	if raw == "" {
		t.Skip("the child process of TestCheckAgainstALiveTarget")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatal(err)
	}
	os.Exit(cli.Run(context.Background(), args, os.Stdout, os.Stderr))
}

// reportCase is a case of report.json.
type reportCase struct {
	Name, Suite, Status, Message, Diff string
	Labels                             []string
}

// runCheck runs `fnokit check` against target with the run's credentials
// in the environment and returns its exit code, output, report.json cases
// and the reports folder.
func runCheck(t *testing.T, target, user, password string, extra ...string) (int, string, []reportCase, string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	reports := t.TempDir()
	// From the repository root with the default schemas/ and golden/: an
	// explicit --golden would say the files were recorded from the target.
	args := append([]string{"check", "--target", target, "--reports", reports}, extra...)
	raw, _ := json.Marshal(args)
	ctx, cancel := context.WithTimeout(context.Background(), liveRunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestLiveCheckProcess$", "-test.count=1")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), envLiveArgs+"="+string(raw),
		suite.EnvUser+"="+user, suite.EnvPassword+"="+password, suite.EnvToken+"=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("fnokit check: %v\n%s", err, out.String())
		}
		code = ee.ExitCode()
	}
	data, err := os.ReadFile(filepath.Join(reports, "report.json"))
	if err != nil {
		t.Fatalf("no report.json (exit %d): %v\n%s", code, err, out.String())
	}
	var rep struct{ Cases []reportCase }
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	return code, out.String(), rep.Cases, reports
}

// tally counts the suites' specs by kind (read, write) and status.
func tally(cases []reportCase) map[string]int {
	n := map[string]int{}
	for _, c := range cases {
		if !strings.HasPrefix(c.Suite, "suites/") {
			continue
		}
		kind := "read"
		if slices.Contains(c.Labels, "kind:write") {
			kind = "write"
		}
		n[kind+" "+c.Status]++
		n[kind]++
	}
	return n
}

// undeletable are the kinds of record no contract operation deletes:
// UserAcctHierarchyService and UserOrgHierarchyService create accounts,
// organizations and users but have no delete, so the createAccount,
// createOrganization and createUser specs leave theirs, run-prefixed.
var undeletable = map[string]bool{"accounts": true, "users": true}

// prefixed counts the records of the target whose identifiers carry the
// prefix every record a run creates has ("fnokit-<run id>-…"), per kind
// of record.
func prefixed(t *testing.T, st *state.Store) map[string]int {
	t.Helper()
	p := state.Match{Type: state.StartsWith, Value: "fnokit-"}
	n := map[string]int{}
	var err error
	if n["devices"], err = st.CountDevices(state.DeviceQuery{DeviceID: p}); err != nil {
		t.Fatal(err)
	}
	if n["entitlements"], err = st.CountEntitlements(state.EntitlementQuery{EntitlementID: p}); err != nil {
		t.Fatal(err)
	}
	if n["line items"], err = st.CountLineItems(state.LineItemQuery{ActivationID: p}); err != nil {
		t.Fatal(err)
	}
	if n["accounts"], err = st.CountAccounts(state.AccountQuery{Name: p}); err != nil {
		t.Fatal(err)
	}
	if n["users"], err = st.CountUsers(state.UserQuery{UserName: p}); err != nil {
		t.Fatal(err)
	}
	n["products"] = st.CountProducts(state.ProductQuery{Name: p})
	return n
}

// `fnokit check --target` against a live tenant, played by an emulator of
// `fnokit serve`'s default data set (seed 1, default sizes) with its own
// credentials on loopback: read-only, no spec fails (golden comparisons,
// recorded from the seed-4 emulator, are skipped on a live target), the
// read specs run rather than skip, the writes are skipped, and no report
// or output carries the credentials. Then with --allow-writes: the write
// specs run, and no record carrying the run prefix is left behind but the
// kinds no contract operation deletes (undeletable).
func TestCheckAgainstALiveTarget(t *testing.T) {
	if os.Getenv(envLiveArgs) != "" {
		t.Skip("child")
	}
	if testing.Short() {
		t.Skip("two full suite runs against a default-size emulator")
	}
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	user, password := "live-check", "Lc-"+hex.EncodeToString(b[:])
	secrets := []string{password, base64.StdEncoding.EncodeToString([]byte(user + ":" + password))}

	emu, err := emulator.Start(context.Background(), emulator.Config{Seed: 1, Sizes: state.DefaultSizes(),
		User: user, Password: server.Secret(password)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		emu.Close(ctx)
	})
	before := prefixed(t, emu.Store())
	for kind, n := range before {
		if n != 0 {
			t.Fatalf("the data set already has %d %s named fnokit-…: the leftover check would be meaningless", n, kind)
		}
	}
	// Under the race detector the runs are several times slower: the
	// smoke tier (the newest version of each service) keeps them short.
	var narrow []string
	if raceEnabled {
		narrow = []string{"--tier", "smoke"}
		t.Log("race detector: the smoke tier only")
	}
	devices, _ := emu.Store().CountDevices(state.DeviceQuery{})
	entitlements, _ := emu.Store().CountEntitlements(state.EntitlementQuery{})

	noSecrets := func(what, out, reports string) {
		t.Helper()
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s: the output carries the credentials (%.4s…)", what, s)
			}
			for _, f := range []string{"junit.xml", "report.json", "report.html"} {
				data, err := os.ReadFile(filepath.Join(reports, f))
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(data, []byte(s)) {
					t.Errorf("%s: %s carries the credentials (%.4s…)", what, f, s)
				}
			}
		}
	}
	failures := func(what string, cases []reportCase) {
		t.Helper()
		for _, c := range cases {
			if c.Status == "failed" || c.Status == "error" {
				t.Errorf("%s: %s %s: %s", what, c.Status, c.Name, c.Message)
			}
			if c.Diff != "" {
				t.Errorf("%s: %s carries a golden diff: golden files are not compared on a live target", what, c.Name)
			}
		}
	}

	start := time.Now()
	code, out, cases, reports := runCheck(t, emu.URL(), user, password, narrow...)
	t.Logf("read-only: exit %d, %s, specs %v", code, time.Since(start).Round(time.Millisecond), tally(cases))
	if code != 0 {
		t.Errorf("read-only: exit %d, want 0\n%s", code, tail(out))
	}
	failures("read-only", cases)
	noSecrets("read-only", out, reports)
	n := tally(cases)
	if n["read"] == 0 || n["read passed"]*10 < n["read"]*9 {
		t.Errorf("read-only: %d of %d read specs ran: most skip against a live target", n["read passed"], n["read"])
	}
	if n["write passed"] != 0 || n["write skipped"] != n["write"] {
		t.Errorf("read-only: write specs ran without --allow-writes: %v", n)
	}
	skippedGolden := 0
	for _, c := range cases {
		if c.Status == "passed" && c.Message == suite.GoldenSkipped {
			skippedGolden++
		}
	}
	if skippedGolden == 0 {
		t.Error("read-only: no passed spec says its golden comparison was skipped")
	}
	if got := prefixed(t, emu.Store()); got["devices"]+got["entitlements"] != 0 {
		t.Errorf("read-only: the run created records: %v", got)
	}

	start = time.Now()
	code, out, cases, reports = runCheck(t, emu.URL(), user, password, append(narrow, "--allow-writes")...)
	t.Logf("--allow-writes: exit %d, %s, specs %v", code, time.Since(start).Round(time.Millisecond), tally(cases))
	if code != 0 {
		t.Errorf("--allow-writes: exit %d, want 0\n%s", code, tail(out))
	}
	failures("--allow-writes", cases)
	noSecrets("--allow-writes", out, reports)
	// The conformance sweep's writes act on existing records and never run
	// on a live target; the behaviour suites' writes do, but those that
	// say they are for the emulator only.
	ran := 0
	for _, c := range cases {
		if !strings.HasPrefix(c.Suite, "suites/") || c.Suite == "suites/conformance" || !slices.Contains(c.Labels, "kind:write") {
			continue
		}
		switch {
		case c.Status == "passed":
			ran++
		case c.Status == "skipped" && strings.HasPrefix(c.Message, "emulator only: "):
		default:
			t.Errorf("--allow-writes: %s %s: %s", c.Status, c.Name, c.Message)
		}
	}
	if ran == 0 {
		t.Error("--allow-writes: no write spec ran")
	}
	for kind, n := range prefixed(t, emu.Store()) {
		switch {
		case undeletable[kind]:
			t.Logf("--allow-writes: %d %s named fnokit-… remain (no contract operation deletes them)", n, kind)
		case n != 0:
			t.Errorf("--allow-writes: %d %s named fnokit-… remain on the target after the run", n, kind)
		}
	}
	if d, _ := emu.Store().CountDevices(state.DeviceQuery{}); d != devices {
		t.Errorf("--allow-writes: %d devices after the run, %d before", d, devices)
	}
	if e, _ := emu.Store().CountEntitlements(state.EntitlementQuery{}); e != entitlements {
		t.Errorf("--allow-writes: %d entitlements after the run, %d before", e, entitlements)
	}
}

// tail is the end of a long output, for failure messages.
func tail(s string) string {
	if len(s) > 4000 {
		return "…" + s[len(s)-4000:]
	}
	return s
}
