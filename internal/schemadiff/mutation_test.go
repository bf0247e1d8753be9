package schemadiff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/sharedref"
)

// TestReferenceMutations edits copies of a reference WSDL in a temporary
// directory (never in the repository) and checks that the comparison finds
// exactly the edits, at the right paths, for getDevicesQuery.
func TestReferenceMutations(t *testing.T) {
	t.Parallel()
	ref := sharedref.WSDL(t, "v3", "ManageDeviceService")
	raw, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.ReplaceAll(string(raw), "\r\n", "\n") // the vendor files have CRLF line ends
	const (
		page  = `<element name="pageNumber" nillable="true" type="xsd:integer"/>`
		batch = `<element name="batchSize" nillable="true" type="xsd:integer"/>`
	)
	cases := []struct {
		name     string
		old, new string
		want     []string
	}{
		{"swap pageNumber and batchSize", page + "\n     " + batch, batch + "\n     " + page, []string{
			"order-changed /getDevicesRequest/pageNumber | after deviceResponseConfig | after batchSize | incompatible",
		}},
		{"pageNumber no longer nillable", page, `<element name="pageNumber" type="xsd:integer"/>`, []string{
			"nillable-changed /getDevicesRequest/pageNumber | nillable | not nillable | narrows",
		}},
		{"pageNumber becomes a long", page, `<element name="pageNumber" nillable="true" type="xsd:long"/>`, []string{
			"builtin-type-changed /getDevicesRequest/pageNumber | integer | long | incompatible",
		}},
		{"batchSize removed", batch, "", []string{
			"element-removed /getDevicesRequest/batchSize | simple content (integer), 1..1, nillable | absent | incompatible",
		}},
		{"CONTAINER_ID removed", `<enumeration value="CONTAINER_ID"/>`, "", []string{
			"enum-value-removed /getDevicesRequest/queryParams/deviceIdType/value | CONTAINER_ID | absent | narrows",
			"enum-value-removed /getDevicesResponse/responseData/device/deviceIdentifier/deviceIdType | CONTAINER_ID | absent | narrows",
			"enum-value-removed /getDevicesResponse/responseData/device/parentIdentifier/deviceIdType | CONTAINER_ID | absent | narrows",
		}},
	}
	dir := t.TempDir()
	for i, c := range cases {
		if strings.Count(src, c.old) == 0 {
			t.Fatalf("%s: the reference no longer contains the text to edit", c.name)
		}
		mutated := strings.Replace(src, c.old, c.new, 1)
		p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".wsdl")
		if err := os.WriteFile(p, []byte(mutated), 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := CompareWSDL(p, ref, []string{"getDevicesQuery"})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got := render(r.Differences())
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("case %d %s:\n got %s\nwant %s", i, c.name, strings.Join(got, "\n     "), strings.Join(c.want, "\n     "))
		}
	}
}
