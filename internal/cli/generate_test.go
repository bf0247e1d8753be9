package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const generateContract = `service: S
versions: [base, v1]
complexTypes:
  T:
    sequence:
      - a: string
      - b: {type: int?, since: v1}
  Unused:
    sequence: []
elements:
  e: T
operations:
  op: {input: e, output: e}
`

func TestSchemasGenerate(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	soap := filepath.Join(root, "soap")
	write(t, soap, "S/contract.yaml", generateContract)

	steps := []struct {
		name string
		args []string
		code int
		out  []string // substrings of stdout
	}{
		{"check before generating", []string{"schemas", "generate", "--check", soap}, ExitViolations,
			[]string{"new         " + filepath.ToSlash(filepath.Join(soap, "S/base/S.wsdl")), "2 generated file(s) do not match"}},
		{"generate from the schemas folder", []string{"schemas", "generate", root}, ExitOK,
			[]string{"wrote   " + filepath.ToSlash(filepath.Join(soap, "S/v1/S.wsdl")) + " (new)", "2 file(s) changed"}},
		{"check after generating", []string{"schemas", "generate", "--check", soap}, ExitOK, []string{"up to date"}},
		{"generate again changes nothing", []string{"schemas", "generate", soap}, ExitOK, []string{"0 file(s) changed"}},
	}
	for _, st := range steps {
		code, out, errOut := run(t, st.args...)
		if code != st.code {
			t.Fatalf("%s: exit %d, want %d\n%s%s", st.name, code, st.code, out, errOut)
		}
		for _, want := range st.out {
			if !strings.Contains(out, want) {
				t.Errorf("%s: output lacks %q:\n%s", st.name, want, out)
			}
		}
	}
	if _, _, errOut := run(t, "schemas", "generate", "--check", soap); !strings.Contains(errOut, "never written: complex type Unused") {
		t.Errorf("no note on the unused type:\n%s", errOut)
	}
	data, err := os.ReadFile(filepath.Join(soap, "S/v1/S.wsdl"))
	if err != nil || !strings.Contains(string(data), `<xsd:element name="b" type="xsd:int" minOccurs="0"/>`) {
		t.Errorf("v1 WSDL lacks b (err %v)", err)
	}

	// A dropped version: its generated file is stale and goes.
	// (since/until must name listed versions, so b loses its since too.)
	write(t, soap, "S/contract.yaml", strings.NewReplacer("[base, v1]", "[base]", ", since: v1", "").Replace(generateContract))
	code, out, _ := run(t, "schemas", "generate", "--check", soap)
	if code != ExitViolations || !strings.Contains(out, "stale") {
		t.Errorf("check after dropping v1: exit %d\n%s", code, out)
	}
	if code, out, errOut := run(t, "schemas", "generate", soap); code != ExitOK || !strings.Contains(out, "removed") {
		t.Errorf("generate after dropping v1: exit %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(soap, "S/v1")); !os.IsNotExist(err) {
		t.Errorf("v1 folder still there: %v", err)
	}
}

func TestSchemasGenerateErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := write(t, dir, "S/contract.yaml", strings.Replace(generateContract, "- a: string", "- a: strng", 1))
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"broken contract", []string{"schemas", "generate", dir}, ExitCannotRun,
			filepath.ToSlash(bad) + `:6: complex type T element a refers to unknown type "strng" (did you mean "string"?)`},
		{"missing folder", []string{"schemas", "generate", filepath.Join(dir, "nope")}, ExitCannotRun, "contracts folder"},
		{"flag after folder", []string{"schemas", "generate", dir, "--check"}, ExitUsage, "flags go before the folder"},
		{"two folders", []string{"schemas", "generate", dir, dir}, ExitUsage, "at most one folder"},
		{"help", []string{"schemas", "generate", "--help"}, ExitOK, "Usage: fnokit schemas generate"},
	}
	for _, tc := range cases {
		code, _, errOut := run(t, tc.args...)
		if code != tc.code || !strings.Contains(filepath.ToSlash(errOut), tc.want) {
			t.Errorf("%s: exit %d (want %d), stderr lacks %q:\n%s", tc.name, code, tc.code, tc.want, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "S", "base")); !os.IsNotExist(err) {
		t.Error("a broken contract must not write anything")
	}
}

// TestRepositoryContractsAreGenerated is the CI guard: the committed WSDLs
// match their contract.yaml files.
func TestRepositoryContractsAreGenerated(t *testing.T) {
	t.Parallel()
	code, out, errOut := run(t, "schemas", "generate", "--check", filepath.Join(repo(t), "schemas"))
	if code != ExitOK {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
}
