package all

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Every folder of suites/ with Go code (but this one) must be imported by
// all.go, or `fnokit check` would silently leave its specs out.
func TestImportsEverySuite(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "all.go", nil, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	imported := map[string]bool{}
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		imported[p] = true
	}
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "all" {
			continue
		}
		goFiles, _ := filepath.Glob(filepath.Join("..", e.Name(), "*.go"))
		nonTest := 0
		for _, g := range goFiles {
			if filepath.Ext(g) == ".go" && !isTest(g) {
				nonTest++
			}
		}
		if nonTest == 0 {
			continue
		}
		want := "github.com/fnokit/fnokit/suites/" + e.Name()
		if !imported[want] {
			t.Errorf("all.go does not import %s: fnokit check would not run its specs", want)
		}
	}
}

func isTest(name string) bool {
	return len(name) > len("_test.go") && name[len(name)-len("_test.go"):] == "_test.go"
}
