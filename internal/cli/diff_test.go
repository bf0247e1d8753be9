package cli

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/versiondiff"
)

func TestSchemasDiffUsage(t *testing.T) {
	t.Parallel()
	orders := filepath.Join("..", "versiondiff", "testdata", "orders_base.wsdl")
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"schemas", "diff"}, ExitUsage, "give the old and the new"},
		{[]string{"schemas", "diff", orders}, ExitUsage, "got 1 argument"},
		{[]string{"schemas", "diff", "--service", "ManageDeviceService", "--from", "v6"}, ExitUsage, "go together"},
		{[]string{"schemas", "diff", "--service", "ManageDeviceService", "--from", "v6", "--to", "v7", orders}, ExitUsage, "not both"},
		{[]string{"schemas", "diff", "--format", "pdf", orders, orders}, ExitUsage, "--format"},
		{[]string{"schemas", "diff", "--fail-on", "non-breaking", orders, orders}, ExitUsage, "--fail-on"},
		{[]string{"schemas", "diff", "--help"}, ExitOK, "Usage: fnokit schemas diff"},
		{[]string{"schemas", "diff", "absent.wsdl", orders}, ExitCannotRun, "check the path"},
		{[]string{"schemas", "diff", "--service", "NoSuchService", "--from", "v1", "--to", "v2"}, ExitCannotRun, "the services are EntitlementOrderService"},
		{[]string{"schemas", "diff", "--service", "ManageDeviceService", "--from", "v6", "--to", "v99"}, ExitCannotRun, "its versions are"},
	}
	for _, c := range cases {
		code, out, errOut := run(t, c.args...)
		if code != c.code || !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: exit %d (want %d), output lacks %q:\n%s%s", c.args, code, c.code, c.want, out, errOut)
		}
	}
}

// TestSchemasDiffEveryPair runs the command on every consecutive version
// pair of every embedded service: it must always run, answer JSON, and
// exit 2 exactly when a change breaks.
func TestSchemasDiffEveryPair(t *testing.T) {
	t.Parallel()
	pairs, err := versiondiff.ConsecutivePairs()
	if err != nil {
		t.Fatal(err)
	}
	if len(pairs) < 20 {
		t.Fatalf("only %d consecutive pairs embedded", len(pairs))
	}
	for _, p := range pairs {
		code, out, errOut := run(t, "schemas", "diff", "--service", p.Service, "--from", p.From.String(), "--to", p.To.String(), "--format", "json")
		var doc struct {
			Schema string
			Totals struct{ Findings, Breaking, NeedsAttention int }
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Errorf("%s: not JSON (%v): %s", p, err, errOut)
			continue
		}
		want := ExitOK
		if doc.Totals.Breaking > 0 {
			want = ExitViolations
		}
		if code != want || doc.Schema != versiondiff.JSONSchemaID {
			t.Errorf("%s: exit %d, want %d (%d breaking)%s", p, code, want, doc.Totals.Breaking, errOut)
		}
		if doc.Totals.NeedsAttention < 2 {
			t.Errorf("%s: the namespace move must need attention on both sides", p)
		}
	}
}

func TestSchemasDiffOutputs(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "schemas", "diff", "--service", "ManageDeviceService", "--from", "v6", "--to", "v7")
	if code != ExitOK || !strings.Contains(out, "zeroCountAddonLineItems  SD-OP-ADDED") {
		t.Errorf("v6→v7: exit %d\n%s", code, out)
	}
	code, _, _ = run(t, "schemas", "diff", "--fail-on", "needs-attention", "--service", "ManageDeviceService", "--from", "v6", "--to", "v7")
	if code != ExitViolations {
		t.Errorf("--fail-on needs-attention: exit %d, want %d", code, ExitViolations)
	}

	base := filepath.Join("..", "versiondiff", "testdata", "orders_base.wsdl")
	rev := filepath.Join("..", "versiondiff", "testdata", "orders_revision.wsdl")
	dir := t.TempDir()
	junit := filepath.Join(dir, "diff.xml")
	// Flags after the paths work too.
	code, out, errOut := run(t, "schemas", "diff", base, rev, "--format", "junit", "--out", junit)
	if code != ExitViolations || !strings.Contains(out, junit) {
		t.Fatalf("junit: exit %d\n%s%s", code, out, errOut)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Failures int `xml:"failures,attr"`
		Tests    int `xml:"tests,attr"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil || suites.Failures != 2 || suites.Tests != 4 {
		t.Errorf("junit: %v %+v\n%s", err, suites, data)
	}
	html := filepath.Join(dir, "diff.html")
	if code, _, _ := run(t, "schemas", "diff", "--format", "html", "--out", html, base, rev); code != ExitViolations {
		t.Errorf("html: exit %d", code)
	}
	if data, err := os.ReadFile(html); err != nil || !strings.Contains(string(data), "SD-RESP-ELEMENT-REMOVED") {
		t.Errorf("html report lacks the findings: %v", err)
	}
	if code, _, errOut := run(t, "schemas", "diff", "--out", filepath.Join(junit, "x"), base, rev); code != ExitCannotRun {
		t.Errorf("unwritable --out: exit %d %s", code, errOut)
	}
}
