package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/emulator"
)

// compareEmulator starts an emulator with the sweep's data set and seed.
func compareEmulator(t *testing.T, seed int64) *emulator.Emulator {
	t.Helper()
	cfg := conformance.EmulatorConfig()
	cfg.Seed = seed
	e, err := emulator.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		e.Close(ctx)
	})
	return e
}

func compareArgs(t *testing.T, baseline, candidate string, more ...string) []string {
	root := repo(t)
	return append([]string{"compare", "--baseline", baseline, "--candidate", candidate,
		"--schemas", filepath.Join(root, "schemas"), "--golden", filepath.Join(root, "golden"),
		"--services", "ManageDeviceService", "--versions", "v7"}, more...)
}

// Not parallel: the credentials are in the environment (t.Setenv).
func TestCompareCommand(t *testing.T) {
	const password = "cmp-Secret-77"
	a, b := compareEmulator(t, conformance.EmulatorSeed), compareEmulator(t, conformance.EmulatorSeed)
	c := compareEmulator(t, conformance.EmulatorSeed+1)
	t.Setenv("FNOKIT_USER", emulator.DefaultUser)
	t.Setenv("FNOKIT_PASSWORD", emulator.DefaultPassword)

	code, out, errOut := run(t, compareArgs(t, a.URL(), b.URL())...)
	if code != ExitOK || !strings.Contains(out, "0 differ with 0 difference(s)") {
		t.Fatalf("same seed: exit %d\n%s%s", code, out, errOut)
	}

	code, out, errOut = run(t, compareArgs(t, a.URL(), c.URL(), "--diff")...)
	if code != ExitViolations || !strings.Contains(out, "ManageDeviceService/v7/getDevice: ") || !strings.Contains(out, "(candidate)") {
		t.Fatalf("other seed: exit %d\n%s%s", code, out, errOut)
	}

	file := filepath.Join(t.TempDir(), "cmp.json")
	code, out, errOut = run(t, compareArgs(t, a.URL(), c.URL(), "--format", "json", "--out", file)...)
	if code != ExitViolations || out != "" || !strings.Contains(errOut, "differ with") {
		t.Fatalf("json to a file: exit %d\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema string
		Calls  []json.RawMessage
	}
	if err := json.Unmarshal(data, &doc); err != nil || doc.Schema != "fnokit-compare/1" || len(doc.Calls) == 0 {
		t.Errorf("JSON output %s: %v", data, err)
	}
	for _, f := range []string{"junit", "html"} {
		code, out, _ = run(t, compareArgs(t, a.URL(), c.URL(), "--format", f)...)
		if code != ExitViolations || !strings.Contains(out, "getDevice") {
			t.Errorf("--format %s: exit %d", f, code)
		}
	}

	// Refused credentials: the run cannot be made, and the password
	// the user gave is never echoed.
	t.Setenv("FNOKIT_BASELINE_USER", emulator.DefaultUser)
	t.Setenv("FNOKIT_BASELINE_PASSWORD", password)
	code, out, errOut = run(t, compareArgs(t, a.URL(), b.URL())...)
	if code != ExitCannotRun || !strings.Contains(errOut, "refused the credentials") || !strings.Contains(errOut, "hint:") {
		t.Errorf("wrong password: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, password) {
		t.Error("the password is echoed")
	}
}

func TestCompareUsage(t *testing.T) {
	t.Setenv("FNOKIT_USER", "u")
	t.Setenv("FNOKIT_PASSWORD", "p")
	const u = "http://127.0.0.1:1"
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"compare", "--baseline", u}, ExitUsage, "give both --baseline and --candidate"},
		{[]string{"compare", "--baseline", u, "--candidate", u, "--format", "pdf"}, ExitUsage, "--format must be"},
		{[]string{"compare", "--baseline", "ftp://x", "--candidate", u}, ExitUsage, "baseline: the URL must start with http"},
		{[]string{"compare", "--baseline", "http://me:pw@127.0.0.1:1", "--candidate", u}, ExitUsage, "carries credentials"},
		{[]string{"compare", "--baseline", u, "--candidate", u, "--services", "NopeService"}, ExitUsage, `unknown service "NopeService"`},
		{[]string{"compare", "--baseline", u, "--candidate", u, "extra"}, ExitUsage, "no arguments"},
		{[]string{"compare", "--baseline", u, "--candidate", u, "--samples", "/nonexistent"}, ExitCannotRun, "request samples folder not found"},
		{[]string{"compare", "--help"}, ExitOK, "FNOKIT_CANDIDATE_"},
		// Nothing listens on port 1: the baseline cannot be asked.
		{[]string{"compare", "--baseline", u, "--candidate", u, "--schemas", "../../schemas", "--golden", "../../golden", "--services", "application"}, ExitCannotRun, "find records on the baseline"},
	}
	for _, c := range cases {
		code, out, errOut := run(t, c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s%s", c.args, code, c.code, c.want, out, errOut)
		}
	}
	t.Setenv("FNOKIT_TOKEN", "t")
	if code, _, errOut := run(t, "compare", "--baseline", u, "--candidate", u); code != ExitUsage || !strings.Contains(errOut, "not both") {
		t.Errorf("user and token: exit %d %s", code, errOut)
	}
}

func TestGoldenDiffCommand(t *testing.T) {
	t.Parallel()
	a, b := "../compare/testdata/golden-a", "../compare/testdata/golden-b"
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{a, b}, ExitViolations, "4 case(s): 1 same, 1 changed, 1 added, 1 removed"},
		{[]string{a, a}, ExitOK, "3 case(s): 3 same"},
		{[]string{"--context", "0", a, b}, ExitViolations, "@@"},
		{[]string{a}, ExitUsage, "give two golden folders, or --target URL"},
		{[]string{"--target", "http://127.0.0.1:1", a, b}, ExitUsage, "not both"},
		{[]string{"--services", "X", a, b}, ExitUsage, "go with --target"},
		{[]string{a, "/nonexistent"}, ExitCannotRun, "golden folder /nonexistent not found"},
		{[]string{"--rules", "/nonexistent.yaml", a, b}, ExitCannotRun, "rules file"},
	}
	for _, c := range cases {
		var out, errOut strings.Builder
		code := goldenDiff(context.Background(), c.args, &out, &errOut)
		if code != c.code || !strings.Contains(out.String()+errOut.String(), c.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s%s", c.args, code, c.code, c.want, out.String(), errOut.String())
		}
	}
}

// golden diff --target replays a recorded read against the target and
// shows the changed count as a unified diff. Not parallel: credentials
// come from the environment.
func TestGoldenDiffTarget(t *testing.T) {
	e := compareEmulator(t, conformance.EmulatorSeed)
	t.Setenv("FNOKIT_USER", emulator.DefaultUser)
	t.Setenv("FNOKIT_PASSWORD", emulator.DefaultPassword)
	dir := t.TempDir()
	write(t, dir, "soap/ManageDeviceService/v7/getDeviceCount/all.request.xml",
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><getDeviceCountRequest xmlns="urn:v7.fne.webservices.operations.flexnet.com"><queryParams/></getDeviceCountRequest></soapenv:Body></soapenv:Envelope>`)
	write(t, dir, "soap/ManageDeviceService/v7/getDeviceCount/all.response.xml",
		`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><getDeviceCountResponse xmlns="urn:v7.fne.webservices.operations.flexnet.com"><statusInfo><status>SUCCESS</status></statusInfo><responseData><count>-1</count></responseData></getDeviceCountResponse></soapenv:Body></soapenv:Envelope>`)
	var out, errOut strings.Builder
	code := goldenDiff(context.Background(), []string{"--target", e.URL(), "--golden", dir}, &out, &errOut)
	if code != ExitViolations || !strings.Contains(out.String(), "-        <n1:count>-1</n1:count>") || !strings.Contains(out.String(), "1 changed") {
		t.Errorf("exit %d\n%s%s", code, out.String(), errOut.String())
	}
}
