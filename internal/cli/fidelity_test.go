package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Our own generated WSDL stands in for the vendor's reference, so the test
// runs without ../shared: unchanged it matches, with one element renamed
// the command names the difference and exits 2.
func TestSchemasFidelity(t *testing.T) {
	t.Parallel()
	soap := filepath.Join(repo(t), "schemas", "soap")
	ours, err := os.ReadFile(filepath.Join(soap, "ManageDeviceService", "v3", "ManageDeviceService.wsdl"))
	if err != nil {
		t.Fatal(err)
	}
	same := t.TempDir()
	write(t, same, "v3/ManageDeviceService.wsdl", string(ours))
	code, out, errOut := run(t, "schemas", "fidelity", "--soap", soap, "--reference", same)
	if code != ExitOK || !strings.Contains(out, "no differences") {
		t.Fatalf("identical reference: exit %d\n%s%s", code, out, errOut)
	}

	changed := t.TempDir()
	mutated := strings.Replace(string(ours), `name="deviceId"`, `name="deviceIdentity"`, 1)
	if mutated == string(ours) {
		t.Fatal("the v3 contract has no deviceId element to rename")
	}
	write(t, changed, "v3/ManageDeviceService.wsdl", mutated)
	code, out, _ = run(t, "schemas", "fidelity", "--soap", soap, "--reference", changed)
	if code != ExitViolations || !strings.Contains(out, "deviceId") {
		t.Fatalf("renamed element: exit %d, want %d\n%s", code, ExitViolations, out)
	}
}
