package emulator

import (
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// The compile-time list of what the emulator is made of: how the state is
// built, loaded and saved, and which ops packages register handlers. Add an
// ops package here when it lands.

// registerOps registers the handlers of every ops package.
func registerOps(r *op.Registry, st *state.Store, settings op.Settings) {
}

// generateState builds the seeded data set.
func generateState(sizes state.Sizes, seed int64) (*state.Store, error) {
	return state.Generate(sizes, seed), nil
}

// loadState reads a state file; a missing file is an fs.ErrNotExist.
func loadState(path string) (*state.Store, error) { return state.Load(path) }

// saveState writes the state file atomically.
func saveState(st *state.Store, path string) error { return st.Save(path) }
