package cli

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/migrate"
)

// migrateArgs runs on the samples only (an empty golden folder), so the
// results do not depend on which golden files are committed.
func migrateArgs(t *testing.T, args ...string) []string {
	t.Helper()
	return append([]string{"migrate", "--golden", t.TempDir(), "--samples", filepath.Join(repo(t), "schemas", "testdata")}, args...)
}

func TestMigrateUsage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"migrate"}, ExitUsage, "are required"},
		{[]string{"migrate", "--service", "ManageDeviceService", "--from", "v6"}, ExitUsage, "are required"},
		{[]string{"migrate", "--service", "ManageDeviceService", "--from", "v6", "--to", "v7", "extra"}, ExitUsage, "flags only"},
		{[]string{"migrate", "--service", "ManageDeviceService", "--from", "v6", "--to", "v7", "--allow-writes"}, ExitUsage, "--allow-writes is for a --target"},
		{[]string{"migrate", "--service", "ManageDeviceService", "--from", "v6", "--to", "v7", "--format", "yaml"}, ExitUsage, "--format"},
		{[]string{"migrate", "--help"}, ExitOK, "Usage: fnokit migrate"},
		{[]string{"migrate", "--service", "ManageDeviceService", "--from", "v6", "--to", "v7", "--samples", "no/such/dir"}, ExitCannotRun, "--samples"},
		{migrateArgs(t, "--service", "NoSuchService", "--from", "v1", "--to", "v2"), ExitCannotRun, "schemas/soap"},
	}
	for _, c := range cases {
		code, out, errOut := run(t, c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: exit %d (want %d), output lacks %q:\n%s%s", c.args, code, c.code, c.want, out, errOut)
		}
	}
}

func TestMigrateEmulator(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, migrateArgs(t, "--service", "ManageDeviceService", "--from", "v6", "--to", "v7", "--format", "json")...)
	var doc struct {
		Schema string
		Totals map[string]int
		Cases  []struct{ Operation, Verdict string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("exit %d, not JSON: %v\n%s", code, err, errOut)
	}
	want := ExitOK
	if doc.Totals["needs-change"] > 0 {
		want = ExitViolations
	}
	if code != want || doc.Schema != migrate.JSONSchemaID || len(doc.Cases) < 10 || doc.Totals["ok"] == 0 {
		t.Errorf("v6→v7: exit %d (want %d), %v", code, want, doc.Totals)
	}

	// A removed operation needs a change: exit 2, a JUnit failure.
	junit := filepath.Join(t.TempDir(), "migrate.xml")
	code, out, errOut = run(t, migrateArgs(t, "--service", "FlexnetAuthentication", "--from", "base", "--to", "v1", "--format", "junit", "--out", junit)...)
	if code != ExitViolations || !strings.Contains(out, "1 needs-change") {
		t.Fatalf("base→v1: exit %d\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil || suites.Failures == 0 || !strings.Contains(string(data), "getUserToken") {
		t.Errorf("junit: %v %+v", err, suites)
	}
}

// TestMigrateTarget runs against a loopback emulator as a live target,
// with credentials from the environment (so not in parallel): reads are
// sent, writes are not, and the password is printed nowhere.
func TestMigrateTarget(t *testing.T) {
	const password = "cli-Migrate-s3cret"
	cfg := conformance.EmulatorConfig()
	cfg.User, cfg.Password = "migrator", server.Secret(password)
	emu, err := emulator.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close(context.Background())

	t.Setenv(envUser, "")
	t.Setenv(envPassword, "")
	t.Setenv("FNOKIT_TOKEN", "")
	code, _, errOut := run(t, migrateArgs(t, "--service", "LicenseService", "--from", "v1", "--to", "v2", "--target", emu.URL())...)
	if code != ExitUsage || !strings.Contains(errOut, "needs credentials") {
		t.Errorf("no credentials: exit %d %s", code, errOut)
	}
	t.Setenv(envUser, "migrator")
	t.Setenv(envPassword, password)
	html := filepath.Join(t.TempDir(), "m.html")
	for _, extra := range [][]string{{"--format", "text"}, {"--format", "html", "--out", html}} {
		args := migrateArgs(t, append([]string{"--service", "LicenseService", "--from", "v1", "--to", "v2", "--target", emu.URL()}, extra...)...)
		code, out, errOut := run(t, args...)
		if code == ExitCannotRun || code == ExitUsage {
			t.Fatalf("%v: exit %d\n%s%s", extra, code, out, errOut)
		}
		if strings.Contains(out+errOut, password) {
			t.Error("the password is printed")
		}
		if extra[1] == "text" && (!strings.Contains(out, "not-sent") || !strings.Contains(out, "against "+emu.URL())) {
			t.Errorf("writes must not be sent to a target:\n%s", out)
		}
	}
	data, err := os.ReadFile(html)
	if err != nil || strings.Contains(string(data), password) {
		t.Errorf("html: %v, or it carries the password", err)
	}
	t.Setenv("FNOKIT_TOKEN", "tok")
	if code, _, errOut := run(t, migrateArgs(t, "--service", "LicenseService", "--from", "v1", "--to", "v2", "--target", emu.URL())...); code != ExitUsage || !strings.Contains(errOut, "not both") {
		t.Errorf("both credentials: exit %d %s", code, errOut)
	}
}
