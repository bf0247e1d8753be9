package suite

import (
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

func TestLabels(t *testing.T) {
	got := Labels("ManageDeviceService", "v7", "searchDevices", Read, Smoke)
	want := "service:ManageDeviceService version:v7 op:searchDevices kind:read tier:smoke"
	if strings.Join(got, " ") != want {
		t.Errorf("labels %v, want %s", got, want)
	}
	if got := Labels("application", "", "devicesCount", Read, ""); strings.Join(got, " ") != "service:application op:devicesCount kind:read" {
		t.Errorf("empty parts not left out: %v", got)
	}
}

func TestServiceName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"ManageDevice":          "ManageDeviceService",
		"managedevice":          "ManageDeviceService",
		"ManageDeviceService":   "ManageDeviceService",
		"FlexnetAuthentication": "FlexnetAuthentication",
		"License":               "LicenseService",
		"application":           "application", // a REST API
	} {
		if got := ServiceName(in); got != want {
			t.Errorf("ServiceName(%q) = %q, want %q", in, got, want)
		}
	}
}

// The convenience flags become one label filter that selects exactly the
// specs the flags describe; names no spec uses are refused.
func TestFilterLabelFilter(t *testing.T) {
	// The specs of this "process": what the known-name check consults.
	specs := [][]string{
		Labels("ManageDeviceService", "v6", "searchDevices", Read, Full),
		Labels("ManageDeviceService", "v7", "searchDevices", Read, Smoke),
		Labels("ManageDeviceService", "v7", "createDevice", Write, Smoke),
		Labels("LicenseService", "v2", "getFulfillmentsQuery", Read, Smoke),
		Labels("application", "", "devicesCount", Read, Smoke),
	}
	cases := []struct {
		name   string
		f      Filter
		expr   string
		picked []int // indexes of specs selected
		err    string
	}{
		{name: "nothing", f: Filter{}, expr: "", picked: []int{0, 1, 2, 3, 4}},
		{name: "issue example", f: Filter{Services: []string{"ManageDevice"}, Versions: []string{"v6", "v7"}, Tier: Smoke},
			expr: "service:ManageDeviceService && (version:v6 || version:v7) && tier:smoke", picked: []int{1, 2}},
		{name: "several services, version as a number, duplicates",
			f:    Filter{Services: []string{"ManageDevice", " LicenseService", "ManageDeviceService"}, Versions: []string{"7", "v2"}},
			expr: "(service:ManageDeviceService || service:LicenseService) && (version:v7 || version:v2)", picked: []int{1, 2, 3}},
		{name: "ops and kind", f: Filter{Ops: []string{"searchDevices", "devicesCount"}, Kind: Read},
			expr: "(op:searchDevices || op:devicesCount) && kind:read", picked: []int{0, 1, 4}},
		{name: "REST API", f: Filter{Services: []string{"application"}}, expr: "service:application", picked: []int{4}},
		{name: "expression alone", f: Filter{Expr: "kind:write || service:LicenseService"}, expr: "kind:write || service:LicenseService", picked: []int{2, 3}},
		{name: "expression ANDed", f: Filter{Tier: Smoke, Expr: "!kind:write"}, expr: "tier:smoke && (!kind:write)", picked: []int{1, 3, 4}},
		{name: "unknown service", f: Filter{Services: []string{"ManageDevices"}}, err: "no spec has service:ManageDevices"},
		{name: "unknown version", f: Filter{Versions: []string{"v9"}}, err: "no spec has version:v9"},
		{name: "bad version", f: Filter{Versions: []string{"seven"}}, err: `version "seven"`},
		{name: "unknown op", f: Filter{Ops: []string{"nope"}}, err: "no spec has op:nope"},
		{name: "bad tier", f: Filter{Tier: "nightly"}, err: `tier "nightly"`},
		{name: "bad kind", f: Filter{Kind: "delete"}, err: `kind "delete"`},
		{name: "filter syntax in a name", f: Filter{Ops: []string{"a||b"}}, err: "letters, digits"},
		{name: "bad expression", f: Filter{Expr: "kind:read &&"}, err: "label filter: Syntax Error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expr, err := c.f.LabelFilter()
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one with %q", err, c.err)
				}
				if strings.Contains(err.Error(), "\x1b[") {
					t.Errorf("the error carries terminal colours: %q", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if expr != c.expr {
				t.Errorf("expression %q, want %q", expr, c.expr)
			}
			match, err := types.ParseLabelFilter(expr)
			if err != nil {
				t.Fatalf("Ginkgo refuses %q: %v", expr, err)
			}
			var picked []int
			for i, ls := range specs {
				if match(ls) {
					picked = append(picked, i)
				}
			}
			if fmtInts(picked) != fmtInts(c.picked) {
				t.Errorf("selects specs %v, want %v", picked, c.picked)
			}
		})
	}
}

func fmtInts(is []int) string {
	var b strings.Builder
	for i, n := range is {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(rune('0' + n)))
	}
	return b.String()
}
