package csvheader

import (
	"strings"
	"testing"

	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/schemas"
)

// TestFits pins the matcher on small column lists, so a bug in it cannot
// make every header look right.
func TestFits(t *testing.T) {
	t.Parallel()
	spec, err := New("Test", []Column{
		{Name: "Id"},
		{Group: []string{`^[^|]+\|A$`, `^[^|]+\|B$`}, Repeat: true},
		{Name: "Opt", Optional: true},
		{Name: "Last"},
		{Pattern: `^CA\[X\|.+\]$`, Repeat: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		header []string
		want   bool
	}{
		{[]string{"Id", "Last"}, true},
		{[]string{"Id", "Opt", "Last"}, true},
		{[]string{"Id", "T1|A", "T1|B", "T2|A", "T2|B", "Last", "CA[X|a]", "CA[X|b]"}, true},
		{[]string{"Id", "T1|A", "Last"}, false},
		{[]string{"Last", "Id"}, false},
		{[]string{"Id", "Last", "Extra"}, false},
		{[]string{"Id"}, false},
		{[]string{"Id", "Last", "CA[Y|a]"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := spec.Fits(tt.header); got != tt.want {
			t.Errorf("Fits(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestNewRefusesMalformedColumns(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cols []Column
		want string
	}{
		{"nothing", []Column{{}}, "exactly one of"},
		{"name and pattern", []Column{{Name: "A", Pattern: "^B$", Repeat: true}}, "exactly one of"},
		{"name repeats", []Column{{Name: "A", Repeat: true}}, "only they, repeat"},
		{"pattern does not", []Column{{Pattern: "^B$"}}, "only they, repeat"},
		{"twice", []Column{{Name: "A"}, {Name: "A"}}, "column A twice"},
		{"bad pattern", []Column{{Pattern: "(", Repeat: true}}, "column 0"},
	}
	for _, c := range cases {
		s, err := New("Bad", c.cols)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
		if c.name == "nothing" && s.Fits(nil) {
			t.Errorf("%s: a malformed column fits an empty header", c.name)
		}
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	doc, err := openapi.LoadBytes([]byte(`openapi: 3.0.3
info: {title: t, version: '1'}
paths: {}
components:
  schemas:
    ACsv:
      type: string
      x-fnokit-extract: A
      x-fnokit-file-name: '^a-\d+\.csv$'
      x-fnokit-csv-columns: [{name: Id}, {pattern: '^CA\[.+\]$', repeat: true}]
    BCsv:
      type: string
      x-fnokit-extract: B
      x-fnokit-csv-columns: [{name: Id}]
    NoExtract:
      type: string
      x-fnokit-csv-columns: [{name: Id}]
    Unknown:
      type: string
      x-fnokit-extract: U
      x-fnokit-csv-columns: [{title: Id}]
    Other: {type: string}
`), "")
	if err != nil {
		t.Fatal(err)
	}
	specs, err := Read(doc)
	for _, want := range []string{"NoExtract lists CSV columns but names no extract", `Unknown: x-fnokit-csv-columns: json: unknown field "title"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want one saying %q", err, want)
		}
	}
	var names []string
	for _, s := range specs {
		names = append(names, s.Schema)
	}
	if strings.Join(names, " ") != "ACsv BCsv NoExtract" {
		t.Fatalf("specs %q", names)
	}
	a, b := specs[0], specs[1]
	if a.Extract != "A" || a.File == nil || !a.File.MatchString("a-1.csv") || b.File != nil {
		t.Errorf("extract %q, file patterns %v %v", a.Extract, a.File, b.File)
	}
	if !a.Fits([]string{"Id", "CA[x]"}) || a.Fits([]string{"CA[x]"}) {
		t.Error("ACsv's columns are not the ones read")
	}
}

// The contract's own descriptions read without a fault.
func TestReadExtractsContract(t *testing.T) {
	t.Parallel()
	doc, err := openapi.LoadFS(schemas.FS(), "rest/extracts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	specs, err := Read(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) == 0 {
		t.Fatal("extracts.yaml describes no CSV")
	}
}
