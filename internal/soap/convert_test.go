package soap

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/sharedref"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/internal/xmltree"
	"github.com/fnokit/fnokit/internal/xsdmodel"
)

const nsTest = "urn:test:device"

func deviceModel(t testing.TB) *xsdmodel.Model {
	t.Helper()
	m, err := xsdmodel.Load(readTestdata(t, "device.xsd"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func encodeT(n *xmltree.Node) string {
	return string(n.Bytes(xmltree.EncodeOptions{Prefixes: map[string]string{nsTest: "t"}}))
}

var searchRoot = xmltree.Name{Space: nsTest, Local: "searchRequest"}

func TestFromValueFollowsSchemaOrder(t *testing.T) {
	t.Parallel()
	m := deviceModel(t)
	// Keys in the wrong order at every level, and the value types a JS
	// object exports to (float64 numbers, bool, time.Time, []any).
	in := map[string]any{
		"batchSize":  float64(25),
		"pageNumber": int64(2),
		"sortBy": []any{
			map[string]any{"ascending": true, "sortKey": "NAME"},
			map[string]any{"sortKey": "DEVICE_ID", "ascending": false},
		},
		"queryParams": map[string]any{
			"since":    time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC),
			"deviceId": map[string]any{"searchType": "STARTS_WITH", "value": "DEV-"},
			"name":     nil,
		},
		"extension": Fields{{"zeta", 1}, {"alpha", "x"}},
	}
	n, err := FromValue(searchRoot, in, m)
	if err != nil {
		t.Fatal(err)
	}
	want := `<t:searchRequest xmlns:t="urn:test:device">` +
		`<t:queryParams><t:deviceId><t:value>DEV-</t:value><t:searchType>STARTS_WITH</t:searchType></t:deviceId><t:since>2025-03-04</t:since></t:queryParams>` +
		`<t:sortBy><t:sortKey>NAME</t:sortKey><t:ascending>true</t:ascending></t:sortBy>` +
		`<t:sortBy><t:sortKey>DEVICE_ID</t:sortKey><t:ascending>false</t:ascending></t:sortBy>` +
		`<t:pageNumber>2</t:pageNumber><t:batchSize>25</t:batchSize>` +
		`<t:extension><t:zeta>1</t:zeta><t:alpha>x</t:alpha></t:extension>` +
		`</t:searchRequest>`
	if got := encodeT(n); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestFromValueRefusals(t *testing.T) {
	t.Parallel()
	m := deviceModel(t)
	self := map[string]any{}
	self["a"] = self
	cases := []struct {
		name  string
		root  xmltree.Name
		v     any
		model *xsdmodel.Model
		want  []string // the error must mention each
	}{
		{"unknown key", searchRoot, map[string]any{"queryParams": map[string]any{"bogus": "VALUE-42"}}, m, []string{`"bogus"`, "/searchRequest/queryParams"}},
		{"unknown top key", searchRoot, map[string]any{"pagenumber": 1}, m, []string{`"pagenumber"`, "/searchRequest"}},
		{"list for a single element", searchRoot, map[string]any{"pageNumber": []any{1, 2}}, m, []string{"/searchRequest/pageNumber", "at most once"}},
		{"scalar for a complex element", searchRoot, map[string]any{"queryParams": "VALUE-42"}, m, []string{"/searchRequest/queryParams", "object"}},
		{"children for a simple element", searchRoot, map[string]any{"batchSize": map[string]any{"x": "VALUE-42"}}, m, []string{"/searchRequest/batchSize", `"x"`}},
		{"undeclared root", xmltree.Name{Space: nsTest, Local: "nope"}, map[string]any{}, m, []string{"nope", "not declared"}},
		{"root is a list", searchRoot, []any{1}, nil, []string{"list"}},
		{"list of lists", searchRoot, map[string]any{"a": []any{[]any{"VALUE-42"}}}, nil, []string{"/searchRequest/a", "list of lists"}},
		{"NaN", searchRoot, map[string]any{"a": math.NaN()}, nil, []string{"/searchRequest/a"}},
		{"unsupported type", searchRoot, map[string]any{"a": make(chan int)}, nil, []string{"/searchRequest/a", "chan int"}},
		{"self reference", searchRoot, self, nil, []string{"deeper"}},
	}
	for _, c := range cases {
		_, err := FromValue(c.root, c.v, c.model)
		if err == nil {
			t.Errorf("%s: accepted", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %s", c.name, err, w)
			}
		}
		if strings.Contains(err.Error(), "VALUE-42") {
			t.Errorf("%s: error quotes a value: %v", c.name, err)
		}
	}
}

func TestFromValueWithoutModel(t *testing.T) {
	t.Parallel()
	root := xmltree.Name{Space: "urn:x", Local: "r"}
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"fields keep their order", Fields{{"b", "1"}, {"a", "2"}}, `<x:r xmlns:x="urn:x"><x:b>1</x:b><x:a>2</x:a></x:r>`},
		{"maps are sorted", map[string]any{"b": "1", "a": "2"}, `<x:r xmlns:x="urn:x"><x:a>2</x:a><x:b>1</x:b></x:r>`},
		{"typed maps and slices", map[string]string{"k": "v"}, `<x:r xmlns:x="urn:x"><x:k>v</x:k></x:r>`},
		{"lists repeat, nil items skipped", map[string]any{"i": []string{"1", "2"}, "n": []any{nil, 3.5}}, `<x:r xmlns:x="urn:x"><x:i>1</x:i><x:i>2</x:i><x:n>3.5</x:n></x:r>`},
		{"attributes and text", map[string]any{"p": map[string]any{"@currency": "EUR", "#text": 12, "@skip": nil}}, `<x:r xmlns:x="urn:x"><x:p currency="EUR">12</x:p></x:r>`},
		{"nil omits", map[string]any{"a": nil, "b": ""}, `<x:r xmlns:x="urn:x"><x:b/></x:r>`},
		{"nil root is empty", nil, `<x:r xmlns:x="urn:x"/>`},
		{"escaping", map[string]any{"a": `<&>"`}, `<x:r xmlns:x="urn:x"><x:a>&lt;&amp;&gt;&#34;</x:a></x:r>`},
		{"numbers", Fields{{"i", uint8(7)}, {"f", float32(0.5)}, {"big", 1e21}, {"neg", -3.0}}, `<x:r xmlns:x="urn:x"><x:i>7</x:i><x:f>0.5</x:f><x:big>1000000000000000000000</x:big><x:neg>-3</x:neg></x:r>`},
		{"datetime", map[string]any{"t": time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}, `<x:r xmlns:x="urn:x"><x:t>2025-01-02T03:04:05Z</x:t></x:r>`},
	}
	for _, c := range cases {
		n, err := FromValue(root, c.v, nil)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got := string(n.Bytes(xmltree.EncodeOptions{Prefixes: map[string]string{"urn:x": "x"}})); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

func TestToMap(t *testing.T) {
	t.Parallel()
	resp, err := Parse(bytes.NewReader(readTestdata(t, "partial_failure.xml")), xmltree.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got := ToMap(resp.Payload, nil)
	want := map[string]any{
		"statusInfo": map[string]any{"status": "PARTIAL_FAILURE", "reason": "Some devices could not be created"},
		"failedData": map[string]any{"failedDevice": []any{
			map[string]any{"device": map[string]any{"deviceIdentifier": map[string]any{"deviceType": "CLIENT", "deviceId": "DUP-1"}}, "reason": "Device already exists"},
			map[string]any{"device": map[string]any{"deviceIdentifier": map[string]any{"deviceType": "CLIENT", "deviceId": "BAD/2"}}, "reason": "Invalid device id"},
		}},
		"responseData": map[string]any{"deviceIdentifier": map[string]any{"deviceType": "CLIENT", "deviceId": "OK-3"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ToMap:\n got %#v\nwant %#v", got, want)
	}

	doc := `<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="1"><a xsi:nil="true"/><b/><c k="v">t</c><d>x<e/></d><f xsi:nil="false"/></r>`
	n, err := xmltree.ParseBytes([]byte(doc), xmltree.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got = ToMap(n, nil)
	want = map[string]any{"@id": "1", "a": nil, "b": "", "c": map[string]any{"@k": "v", "#text": "t"},
		"d": map[string]any{"#text": "x", "e": ""}, "f": ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ToMap odd shapes:\n got %#v\nwant %#v", got, want)
	}
}

// With a model, a repeatable element is a list even when it occurs once,
// and FromValue then ToMap gives back the input (as strings).
func TestValueRoundTripWithModel(t *testing.T) {
	t.Parallel()
	m := deviceModel(t)
	in := map[string]any{
		"sortBy":      map[string]any{"sortKey": "NAME", "ascending": "true"},
		"queryParams": map[string]any{"name": map[string]any{"value": "a", "searchType": "EQUALS"}},
		"batchSize":   "10",
	}
	n, err := FromValue(searchRoot, in, m)
	if err != nil {
		t.Fatal(err)
	}
	got := ToMap(n, m)
	want := map[string]any{
		"sortBy":      []any{map[string]any{"sortKey": "NAME", "ascending": "true"}},
		"queryParams": map[string]any{"name": map[string]any{"value": "a", "searchType": "EQUALS"}},
		"batchSize":   "10",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %#v\nwant %#v", got, want)
	}
	if l, _ := ToMap(n, nil)["sortBy"].([]any); l != nil {
		t.Error("without a model a single element is not a list")
	}
}

// The acceptance case: a ManageDevice v3 searchDevices request from a map in
// the wrong order comes out in the order of the vendor schema, everywhere.
func TestSearchDevicesV3FromMap(t *testing.T) {
	t.Parallel()
	defs, err := wsdl.ParseFile(sharedref.WSDL(t, "v3", "ManageDeviceService"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := xsdmodel.LoadWSDL(defs)
	if err != nil {
		t.Fatal(err)
	}
	op, ok := defs.Operation("searchDevices")
	if !ok {
		t.Fatal("no searchDevices operation")
	}
	root, err := Payload(op)
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]any{
		"batchSize":  float64(100),
		"pageNumber": float64(1),
		"sortBys":    map[string]any{"sortBy": []any{map[string]any{"ascending": true, "sortKey": "NAME"}}},
		"responseConfig": map[string]any{
			"hasLicense": true, "soldTo": true, "name": true, "status": false,
		},
		"queryParams": map[string]any{
			"status":        map[string]any{"searchType": "EQUALS", "value": "ACTIVE"},
			"deviceClasses": map[string]any{"deviceClass": []any{"SERVER", "CLIENT"}},
			"deviceId":      map[string]any{"searchType": "STARTS_WITH", "value": "DEV-"},
			"hosted":        false,
		},
	}
	n, err := FromValue(root.Name, in, m)
	if err != nil {
		t.Fatal(err)
	}
	// Check the order of every element's children against the model.
	decl, _ := m.Element(root.Name.Space, root.Name.Local)
	checkOrder(t, m, decl, n, "/"+n.Name.Local)

	raw, err := Marshal(searchOp, n, SOAPHeader("admin", "admin"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := Parse(bytes.NewReader(raw), xmltree.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	back := ToMap(resp.Payload, m)
	if qp := back["queryParams"].(map[string]any); !reflect.DeepEqual(qp["deviceClasses"], map[string]any{"deviceClass": []any{"SERVER", "CLIENT"}}) ||
		qp["hosted"] != "false" {
		t.Errorf("round trip through the envelope lost data: %#v", back)
	}
	if _, err := FromValue(root.Name, map[string]any{"queryParams": map[string]any{"deviceID": "x"}}, m); err == nil ||
		!strings.Contains(err.Error(), `"deviceID"`) || !strings.Contains(err.Error(), "/searchDevicesRequest/queryParams") {
		t.Errorf("misspelt key: %v", err)
	}
}

// checkOrder asserts n's children appear in the order of decl's children and
// recurses.
func checkOrder(t *testing.T, m *xsdmodel.Model, decl *xsdmodel.Decl, n *xmltree.Node, path string) {
	t.Helper()
	kids, err := m.ChildrenOf(decl)
	if err != nil {
		t.Fatal(err)
	}
	pos := map[xmltree.Name]int{}
	for i, k := range kids {
		if _, dup := pos[k.Name]; !dup {
			pos[k.Name] = i
		}
	}
	last := -1
	for _, c := range n.Children {
		i, ok := pos[c.Name]
		if !ok {
			t.Errorf("%s: child %s not declared", path, c.Name)
			continue
		}
		if i < last {
			t.Errorf("%s: child %s out of schema order", path, c.Name.Local)
		}
		last = i
		checkOrder(t, m, kids[i], c, path+"/"+c.Name.Local)
	}
}

func BenchmarkFromValue(b *testing.B) {
	m := deviceModel(b)
	in := map[string]any{
		"batchSize": float64(25), "pageNumber": float64(1),
		"sortBy":      []any{map[string]any{"ascending": true, "sortKey": "NAME"}},
		"queryParams": map[string]any{"deviceId": map[string]any{"searchType": "STARTS_WITH", "value": "DEV-"}},
	}
	for _, bc := range []struct {
		name  string
		model *xsdmodel.Model
	}{{"model", m}, {"nomodel", nil}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := FromValue(searchRoot, in, bc.model); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
