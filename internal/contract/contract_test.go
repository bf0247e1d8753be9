package contract

import (
	"encoding/json"
	"testing"
)

func TestNamespace(t *testing.T) {
	t.Parallel()
	cases := []struct {
		service string
		version string
		want    string
		path    string
	}{
		{"ManageDeviceService", "base", "urn:com.macrovision:flexnet/opsembedded", "/flexnet/services/ManageDeviceService"},
		{"ManageDeviceService", "v7", "urn:v7.fne.webservices.operations.flexnet.com", "/flexnet/services/v7/ManageDeviceService"},
		{"EntitlementOrderService", "", "urn:com.macrovision:flexnet/operations", "/flexnet/services/EntitlementOrderService"},
		{"EntitlementOrderService", "8", "urn:v8.webservices.operations.flexnet.com", "/flexnet/services/v8/EntitlementOrderService"},
		{"FlexnetAuthentication", "base", "urn:com.macrovision:flexnet/platform", "/flexnet/services/FlexnetAuthentication"},
		{"FlexnetAuthentication", "V1", "urn:v1.webservices.platform.flexnet.com", "/flexnet/services/v1/FlexnetAuthentication"},
	}
	for _, c := range cases {
		v, err := ParseVersion(c.version)
		if err != nil {
			t.Fatalf("ParseVersion(%q): %v", c.version, err)
		}
		op := Operation{Service: c.service, Version: v, Name: "x"}
		if got := op.Namespace(); got != c.want {
			t.Errorf("%s %s: namespace %q, want %q", c.service, c.version, got, c.want)
		}
		if got := op.Endpoint(); got != c.path {
			t.Errorf("%s %s: endpoint %q, want %q", c.service, c.version, got, c.path)
		}
	}
}

func TestParseVersionRejectsJunk(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"vx", "v0", "-1", "v100", "latest"} {
		if _, err := ParseVersion(s); err == nil {
			t.Errorf("ParseVersion(%q) accepted", s)
		}
	}
}

func TestRulesAreUniqueAndKebab(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, r := range rules {
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		for _, c := range r.ID {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				t.Errorf("rule %s is not kebab-case", r.ID)
				break
			}
		}
		if r.Summary == "" {
			t.Errorf("rule %s has no summary", r.ID)
		}
	}
	if RuleSeverity("no-such-rule") != Error {
		t.Error("unknown rules must default to error")
	}
}

func TestFindingsJSONAndErrors(t *testing.T) {
	t.Parallel()
	var none Findings
	b, _ := json.Marshal(none)
	if string(b) != "[]" {
		t.Errorf("nil findings marshal to %s, want []", b)
	}
	fs := Findings{New(RuleSOAPStatus, "t", "/a", "m")}
	if fs.HasErrors() {
		t.Error("a warning alone must not count as an error")
	}
	fs = append(fs, New(RuleXSDInvalid, "", "/b", "m"))
	if !fs.HasErrors() {
		t.Error("an xsd-invalid finding must count as an error")
	}
	b, _ = json.Marshal(fs.WithTarget("file.xml"))
	var back []Finding
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back[1].Target != "file.xml" || back[0].Target != "t" || back[1].Severity != Error {
		t.Errorf("round trip lost data: %+v", back)
	}
}
