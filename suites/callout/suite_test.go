package callout

import (
	"testing"

	co "github.com/fnokit/fnokit/internal/callout"
	"github.com/fnokit/fnokit/internal/suite"
)

// TestCallout runs the specs, then checks that every trigger point has a
// spec.
func TestCallout(t *testing.T) {
	suite.RunForTest(t)
	for _, tp := range co.TriggerPoints() {
		if _, err := (suite.Filter{Services: []string{service}, Ops: []string{string(tp)}}).LabelFilter(); err != nil {
			t.Errorf("%s has no spec: %v", tp, err)
		}
	}
}
