//go:build emulator_harness

// The build tag goes once internal/emulator.Start is committed.

package emulator_test

import (
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/state"
	"github.com/fnokit/fnokit/schemas"
)

// harnessSizes keep each version's emulator small: the harness checks
// shapes, not scale.
var harnessSizes = state.Sizes{Accounts: 12, Users: 20, Products: 6, Entitlements: 20, Devices: 40, Fulfillments: 20}

// fixtures rewrite the placeholder values of the generated request samples
// ("sample", empty identifiers) into records the emulator's data set has.
type fixtures struct {
	emu *emulator.Emulator
}

func newFixtures(emu *emulator.Emulator) *fixtures { return &fixtures{emu: emu} }

// fill rewrites a request's values in place.
func (f *fixtures) fill(v schemas.Version, op string, values map[string]any) {}
