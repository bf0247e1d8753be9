package openapi

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fnokit/fnokit/internal/contract"
)

func TestLint(t *testing.T) {
	t.Parallel()
	cases := []struct {
		path string
		want []contract.Finding // rule and location; message checked for a fragment
		msg  []string
	}{
		{path: "testdata/fno-rest.yaml"},
		{path: "testdata/fno-rest-31.yaml"},
		{path: "testdata/refs/main.yaml"},
		{
			path: "testdata/lint/broken-yaml.yaml",
			want: []contract.Finding{{Rule: contract.RuleSchemaLoad}},
			msg:  []string{"line 8"},
		},
		{
			path: "testdata/lint/bad-ref.yaml",
			want: []contract.Finding{{Rule: contract.RuleSchemaLoad}},
			msg:  []string{"#/components/schemas/Missing"},
		},
		{
			path: "testdata/refs/escape.yaml",
			want: []contract.Finding{{Rule: contract.RuleSchemaLoad}},
			msg:  []string{"outside"},
		},
		{
			path: "testdata/lint/invalid.yaml",
			want: []contract.Finding{
				{Rule: contract.RuleSchemaInvalid, Location: "#/components/schemas/BadPattern"},
				{Rule: contract.RuleSchemaInvalid, Location: "#/components/schemas/BadType"},
				{Rule: contract.RuleSchemaInvalid, Location: "#/paths/~1devices~1{deviceId}/get"},
			},
			msg: []string{"ECMAScript", "strnig", "deviceId"},
		},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			t.Parallel()
			fs, err := Lint(c.path)
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != len(c.want) {
				t.Fatalf("got %d findings, want %d: %v", len(fs), len(c.want), fs)
			}
			for i, f := range fs {
				if f.Rule != c.want[i].Rule || f.Location != c.want[i].Location || f.Target != c.path {
					t.Errorf("finding %d: got %s, want rule %s at %q with target %s", i, f, c.want[i].Rule, c.want[i].Location, c.path)
				}
				if !strings.Contains(f.Message, c.msg[i]) {
					t.Errorf("finding %d: message %q lacks %q", i, f.Message, c.msg[i])
				}
			}
		})
	}
}

func TestLintMissingFileIsAnError(t *testing.T) {
	t.Parallel()
	if _, err := Lint("testdata/no-such-file.yaml"); err == nil {
		t.Fatal("a missing file must be an error (the check could not run), not a finding")
	}
}

// Document validation compiles patterns with the ECMAScript compiler: the
// same lookahead pattern fails kin-openapi's default (Go regexp) check. The
// pattern is made unique because kin-openapi caches compiled patterns
// process-wide, whichever compiler made them.
func TestValidateUsesTheECMAScriptCompiler(t *testing.T) {
	t.Parallel()
	pattern := fmt.Sprintf(`^(?!x{%d}$).*$`, time.Now().UnixNano()%100000+3)
	doc := &openapi3.T{
		OpenAPI: "3.0.3",
		Info:    &openapi3.Info{Title: "t", Version: "1"},
		Paths:   openapi3.NewPaths(),
		Components: &openapi3.Components{Schemas: openapi3.Schemas{
			"Id": openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{"string"}, Pattern: pattern}),
		}},
	}
	if err := doc.Validate(context.Background()); err == nil {
		t.Fatal("kin-openapi's default compiler accepted a lookahead; the ECMAScript hook would be moot")
	}
	if err := Validate(context.Background(), doc); err != nil {
		t.Fatalf("with the ECMAScript compiler the document is valid, got %v", err)
	}
}
