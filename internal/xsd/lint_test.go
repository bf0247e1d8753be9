package xsd

import (
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/contract"
)

func TestLintFile(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file    string
		wantErr bool
		want    []string // rule@location of each finding
	}{
		{"testdata/devices/devices.xsd", false, nil},
		{"testdata/two-schemas.wsdl", false, nil},
		{"testdata/broken.xsd", false, []string{contract.RuleSchemaCompile + "@testdata/broken.xsd:6"}},
		{"testdata/missing.xsd", true, nil},
	}
	for _, c := range cases {
		fs, err := LintFile(c.file)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: err %v", c.file, err)
			continue
		}
		if got := ruleLocs(fs); !equalStrings(got, c.want) {
			t.Errorf("%s: findings %v, want %v", c.file, got, c.want)
		}
		for _, f := range fs {
			if f.Target != c.file || !strings.Contains(f.Message, "hint") && !strings.Contains(f.Message, "fix") {
				t.Errorf("%s: finding without target or advice: %+v", c.file, f)
			}
		}
	}
}
