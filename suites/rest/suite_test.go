package rest

import (
	"io/fs"
	"testing"

	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/internal/suite"
	"github.com/fnokit/fnokit/schemas"
)

// TestREST runs the specs against the in-process emulator (or -target),
// then checks that every operation of the six documents has a spec: the
// labels the specs registered while Ginkgo built its tree must name each
// operationId, so a route added to a document without a spec fails here.
func TestREST(t *testing.T) {
	suite.RunForTest(t)
	for _, api := range []string{appAPI, exAPI, daAPI, regAPI, nsAPI, ebAPI} {
		data, err := fs.ReadFile(schemas.FS(), "rest/"+api+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		doc, err := openapi.LoadBytes(data, "")
		if err != nil {
			t.Fatalf("%s.yaml: %v", api, err)
		}
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				if _, err := (suite.Filter{Services: []string{api}, Ops: []string{op.OperationID}}).LabelFilter(); err != nil {
					t.Errorf("%s %s %s (%s) has no spec: %v", api, method, path, op.OperationID, err)
				}
			}
		}
	}
}
