package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/suite"
)

// Ginkgo runs its spec tree once per process, so every test that lets a
// command run the suites does it in a child process: this test binary
// again, running only TestCheckProcess with the arguments in envCheckArgs.
const envCheckArgs = "FNOKIT_TEST_CHECK_ARGS"

func TestCheckProcess(t *testing.T) {
	raw := os.Getenv(envCheckArgs)
	if raw == "" {
		t.Skip("the child process of the check tests")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		t.Fatal(err)
	}
	if len(args) > 0 && args[0] == "golden" {
		// Straight to the command, whether or not cli.go lists it yet.
		os.Exit(runGolden(context.Background(), args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(Run(context.Background(), args, os.Stdout, os.Stderr))
}

// checkProcess runs `fnokit check args…` in a child process with extra
// environment variables and returns its exit code and output.
func checkProcess(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	return cliProcess(t, env, append([]string{"check"}, args...)...)
}

// cliProcess runs `fnokit args…` in a child process.
func cliProcess(t *testing.T, env []string, args ...string) (int, string) {
	t.Helper()
	raw, _ := json.Marshal(args)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCheckProcess$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), envCheckArgs+"="+string(raw)), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("check process: %v", err)
	}
	return code, out.String()
}

// repoArgs point check at the repository's contracts, golden files and
// samples from the package folder.
func repoArgs(t *testing.T, reports string) []string {
	root := repo(t)
	return []string{"--schemas", filepath.Join(root, "schemas"), "--golden", filepath.Join(root, "golden"), "--reports", reports}
}

func TestCheckUsage(t *testing.T) {
	root := repo(t)
	cases := []struct {
		args []string
		env  map[string]string
		code int
		want string
	}{
		{[]string{"--schemas", "/no/such"}, nil, ExitCannotRun, "not found"},
		{[]string{"--schemas", filepath.Join(root, "schemas"), "--golden", filepath.Join(root, "golden"), "--samples", "/no/such"}, nil, ExitCannotRun, "samples folder"},
		{[]string{"--versions", "v99"}, nil, ExitUsage, "no spec has version:v99"},
		{[]string{"--versions", "seven"}, nil, ExitUsage, `version "seven"`},
		{[]string{"--services", "RenewalService"}, nil, ExitUsage, "no spec has service:RenewalService"},
		{[]string{"--ops", "noSuchOperation"}, nil, ExitUsage, "no spec has op:noSuchOperation"},
		{[]string{"--tier", "weekly"}, nil, ExitUsage, `tier "weekly"`},
		{[]string{"--kind", "delete"}, nil, ExitUsage, `kind "delete"`},
		{[]string{"--label-filter", "kind:read &&"}, nil, ExitUsage, "label filter"},
		{[]string{"--services", "LicenseService", "--versions", "v7"}, nil, ExitUsage, "select no spec"},
		{[]string{"--drift", "ManageDeviceService/v7/searchDevices"}, nil, ExitUsage, "mode"},
		{[]string{"--drift", "ManageDeviceService/v7/searchDevices=melt"}, nil, ExitUsage, "drop-required"},
		{[]string{"--drift", "LicenseService/v7=rename"}, nil, ExitUsage, "version v7"},
		{[]string{"--allow-writes"}, nil, ExitUsage, "for a live target"},
		{[]string{"--target", "ftp://example.com"}, nil, ExitUsage, "http or https"},
		{[]string{"--target", "https://user:pw@example.com"}, nil, ExitUsage, "must not carry credentials"},
		{[]string{"--target", "https://example.com"}, map[string]string{suite.EnvUser: "", suite.EnvPassword: "", suite.EnvToken: ""}, ExitUsage, "needs credentials"},
		{[]string{"--target", "https://example.com", "--seed", "3"}, map[string]string{suite.EnvToken: "t"}, ExitUsage, "--seed"},
		{[]string{"--target", "https://example.com", "--drift", "ManageDeviceService=rename"}, map[string]string{suite.EnvToken: "t"}, ExitUsage, "emulator switches"},
		{[]string{"extra"}, nil, ExitUsage, "no arguments"},
	}
	for _, c := range cases {
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		code, out, errOut := run(t, append([]string{"check"}, c.args...)...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", c.args, code, c.code, out, errOut)
		}
		if !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: output lacks %q:\n%s%s", c.args, c.want, out, errOut)
		}
		if strings.Contains(out+errOut, "pw@") {
			t.Errorf("%v: the output echoes the URL's credentials", c.args)
		}
	}
}

// reportCase is a case of report.json, as a tool reads it.
type reportCase struct {
	Name      string             `json:"name"`
	Suite     string             `json:"suite"`
	Service   string             `json:"service"`
	Version   string             `json:"version"`
	Operation string             `json:"operation"`
	Status    string             `json:"status"`
	Message   string             `json:"message"`
	Labels    []string           `json:"labels"`
	Source    string             `json:"source"`
	Findings  []contract.Finding `json:"findings"`
}

func readCases(t *testing.T, reports string) []reportCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(reports, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Cases []reportCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	return rep.Cases
}

// specCases are the conformance specs' cases by Service/version/operation.
func specCases(cs []reportCase) map[string]reportCase {
	out := map[string]reportCase{}
	for _, c := range cs {
		if c.Suite == "suites/conformance" {
			out[c.Service+"/"+c.Version+"/"+c.Operation] = c
		}
	}
	return out
}

// The main job on the emulator: the pre-steps and every conformance spec
// pass, the three reports are written, and every operation × version has
// its case with labels and the spec's location.
func TestCheckRunsGreen(t *testing.T) {
	t.Parallel()
	reports := t.TempDir()
	// The conformance suite: the other suites have tests of their own.
	code, out := checkProcess(t, nil, append(repoArgs(t, reports), "--label-filter", "suite:conformance")...)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, f := range []string{"junit.xml", "report.json", "report.html"} {
		if st, err := os.Stat(filepath.Join(reports, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	all, err := conformance.Selection(conformance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := specCases(readCases(t, reports))
	n := 0
	for _, v := range all {
		for _, o := range v.Operations {
			n++
			k := v.Service + "/" + v.Version.String() + "/" + o.Name
			c, ok := got[k]
			if !ok || c.Status != "passed" {
				t.Errorf("%s: %+v", k, c)
				continue
			}
			if !strings.HasPrefix(c.Source, "suites/conformance/") || !contains(c.Labels, "op:"+o.Name) || !contains(c.Labels, "version:"+v.Version.String()) {
				t.Errorf("%s: source %q labels %v", k, c.Source, c.Labels)
			}
		}
	}
	if len(got) != n {
		t.Errorf("%d conformance cases, want one per served operation × version (%d)", len(got), n)
	}
	for _, area := range []string{"\nschemas ", "\ngolden ", "\nsuites ", "operation × version pairs covered", "specs/s"} {
		if !strings.Contains("\n"+out, area) {
			t.Errorf("no summary %q:\n%s", area, out)
		}
	}
}

// A drifted operation fails its spec only: exit 2, a finding naming the
// operation and the location, in report.json and junit.xml.
func TestCheckDrift(t *testing.T) {
	t.Parallel()
	reports := t.TempDir()
	const drifted = "ManageDeviceService/v7/searchDevices"
	code, out := checkProcess(t, nil, append(repoArgs(t, reports), "--services", "ManageDevice", "--versions", "v6,v7", "--label-filter", "suite:conformance", "--drift", drifted+"=drop-required")...)
	if code != ExitViolations {
		t.Fatalf("exit %d, want %d\n%s", code, ExitViolations, out)
	}
	got := specCases(readCases(t, reports))
	if len(got) == 0 {
		t.Fatal("no conformance cases")
	}
	for k, c := range got {
		if !strings.HasPrefix(k, "ManageDeviceService/v6/") && !strings.HasPrefix(k, "ManageDeviceService/v7/") {
			t.Errorf("case %s outside the filter", k)
		}
		if k != drifted {
			if c.Status != "passed" {
				t.Errorf("%s: %s %s", k, c.Status, c.Message)
			}
			continue
		}
		if c.Status != "failed" || len(c.Findings) == 0 {
			t.Fatalf("drifted %s: %+v", k, c)
		}
		f := c.Findings[0]
		if f.Rule != contract.RuleXSDInvalid || f.Target != drifted+" response" || !strings.HasPrefix(f.Location, "/searchDevicesResponse") {
			t.Errorf("drifted %s: first finding %+v", k, f)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(reports, "junit.xml"))
	var suites struct {
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(raw, &suites); err != nil || suites.Failures != 1 {
		t.Errorf("junit.xml: %d failures (%v), want 1", suites.Failures, err)
	}
	if !strings.Contains(out, "searchDevices") {
		t.Errorf("the output does not name the drifted operation:\n%s", out)
	}
}

// Against a live target (a second emulator with its own password) the
// credentials from the environment reach no report and no output.
func TestCheckLiveNeverEchoesCredentials(t *testing.T) {
	t.Parallel()
	password := "Pw-" + strings.Repeat("q7", 8)
	cfg := conformance.EmulatorConfig()
	cfg.User, cfg.Password = "live-user", server.Secret(password)
	cfg.Now = func() time.Time { return suite.FixedNow }
	emu, err := emulator.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close(context.Background())
	reports := t.TempDir()
	code, out := checkProcess(t, []string{suite.EnvUser + "=live-user", suite.EnvPassword + "=" + password, suite.EnvToken + "="},
		append(repoArgs(t, reports), "--target", emu.URL(), "--services", "ManageDevice", "--versions", "v7", "--label-filter", "suite:conformance")...)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, out)
	}
	basic := base64.StdEncoding.EncodeToString([]byte("live-user:" + password))
	for _, f := range []string{"junit.xml", "report.json", "report.html"} {
		data, err := os.ReadFile(filepath.Join(reports, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{password, basic} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s carries a credential", f)
			}
		}
		if !bytes.Contains(data, []byte(emu.URL())) {
			t.Errorf("%s does not name the target", f)
		}
	}
	if strings.Contains(out, password) || strings.Contains(out, basic) {
		t.Error("the output carries a credential")
	}
	// Reads ran, writes were skipped (no --allow-writes).
	var reads, skippedWrites int
	for _, c := range specCases(readCases(t, reports)) {
		switch {
		case contains(c.Labels, "kind:read") && c.Status == "passed":
			reads++
		case contains(c.Labels, "kind:write") && c.Status == "skipped":
			skippedWrites++
		case contains(c.Labels, "kind:write"):
			t.Errorf("write %s ran on a live target without --allow-writes: %s", c.Name, c.Status)
		}
	}
	if reads == 0 || skippedWrites == 0 {
		t.Errorf("%d reads passed, %d writes skipped", reads, skippedWrites)
	}
}
