package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
)

// run calls the command line as a user would and returns exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// repo is the repository root, where the bundled schemas and golden live.
func repo(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsageAndExitCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		args []string
		code int
		want string
	}{
		{nil, ExitUsage, "Usage: fnokit"},
		{[]string{"help"}, ExitOK, "Commands:"},
		{[]string{"no-such"}, ExitUsage, `unknown command "no-such"`},
		{[]string{"validate"}, ExitUsage, "--schema is required"},
		{[]string{"validate", "--schema", "x.wsdl"}, ExitUsage, "at least one message"},
		{[]string{"validate", "--help"}, ExitOK, "Usage: fnokit validate"},
		{[]string{"schemas"}, ExitUsage, "needs a subcommand"},
		{[]string{"schemas", "lint"}, ExitUsage, "at least one schema"},
		{[]string{"schemas", "lint", "/no/such/dir"}, ExitCannotRun, "no such file"},
		{[]string{"version"}, ExitOK, "fnokit dev"},
	}
	for _, c := range cases {
		code, out, errOut := run(t, c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", c.args, code, c.code, out, errOut)
		}
		if !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: output lacks %q:\n%s%s", c.args, c.want, out, errOut)
		}
	}
}

func TestValidateSOAP(t *testing.T) {
	t.Parallel()
	root := repo(t)
	wsdlPath := filepath.Join(root, "schemas/soap/ManageDeviceService/v7/ManageDeviceService.wsdl")
	good := filepath.Join(root, "golden/soap/ManageDeviceService/v7/getDeviceCount/sample.response.xml")
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	secret := "hunter2-" + "not-a-number"
	// The count's text becomes a secret-looking non-number.
	bad := write(t, dir, "bad.xml", regexp.MustCompile(`(count>)[0-9]+(<)`).ReplaceAllString(string(data), "${1}"+secret+"${2}"))
	if !strings.Contains(mustRead(t, bad), secret) {
		t.Fatal("the golden sample has no count to break")
	}

	code, out, _ := run(t, "validate", "--schema", wsdlPath, good)
	if code != ExitOK || !strings.Contains(out, "valid") {
		t.Fatalf("good message: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "validate", "--json", "--schema", wsdlPath, good, bad)
	if code != ExitViolations {
		t.Fatalf("bad message: exit %d, want %d\n%s", code, ExitViolations, out)
	}
	var found []contract.Finding
	if err := json.Unmarshal([]byte(out), &found); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, out)
	}
	if len(found) != 1 || found[0].Rule != contract.RuleXSDInvalid || found[0].Location != "/getDeviceCountResponse/responseData/count" || found[0].Target != bad {
		t.Errorf("findings %+v", found)
	}
	if strings.Contains(out, secret) {
		t.Error("the finding echoes the offending value")
	}
}

func TestValidateOpenAPI(t *testing.T) {
	t.Parallel()
	root := repo(t)
	doc := filepath.Join(root, "schemas/rest/application.yaml")
	dir := t.TempDir()
	okBody := write(t, dir, "ok.json", `{"statusInfo":{"status":"SUCCESS","reason":null},"responseData":{"count":3}}`)
	badBody := write(t, dir, "bad.json", `{"statusInfo":{"status":"MAYBE"},"responseData":{"count":-1}}`)
	rawResp := write(t, dir, "resp.http", "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"statusInfo\":{\"status\":\"SUCCESS\"},\"responseData\":{\"count\":\"x\"}}")
	rawReq := write(t, dir, "req.http", "POST /flexnet/operations/manageDevice/devicesCount HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\r\n{\"queryParams\":{\"status\":\"LOST\"}}")
	path := []string{"--method", "POST", "--path", "/flexnet/operations/manageDevice/devicesCount"}

	code, out, errOut := run(t, append(append([]string{"validate", "--schema", doc}, path...), okBody)...)
	if code != ExitOK {
		t.Fatalf("valid body: exit %d\n%s%s", code, out, errOut)
	}
	for _, f := range []string{badBody, rawResp, rawReq} {
		code, out, errOut = run(t, append(append([]string{"validate", "--schema", doc}, path...), f)...)
		if code != ExitViolations {
			t.Errorf("%s: exit %d, want %d\n%s%s", filepath.Base(f), code, ExitViolations, out, errOut)
		}
	}
	code, _, errOut = run(t, "validate", "--schema", doc, okBody)
	if code != ExitCannotRun || !strings.Contains(errOut, "--path") {
		t.Errorf("a body without --path: exit %d, %s", code, errOut)
	}
}

func TestSchemasLintNamesBrokenFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "good.xsd", `<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"><xsd:element name="a" type="xsd:string"/></xsd:schema>`)
	brokenXSD := write(t, dir, "sub/broken.xsd", `<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"><xsd:element name="a" type="nope:x"/></xsd:schema>`)
	brokenAPI := write(t, dir, "api.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses: {}\n")
	write(t, dir, "notes.json", `{"not": "an openapi document"}`)
	code, out, _ := run(t, "schemas", "lint", dir)
	if code != ExitViolations {
		t.Fatalf("exit %d, want %d\n%s", code, ExitViolations, out)
	}
	for _, want := range []string{"BROKEN " + brokenXSD, "BROKEN " + brokenAPI, "ok     " + filepath.Join(dir, "good.xsd"), "3 schema files, 2 broken"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
