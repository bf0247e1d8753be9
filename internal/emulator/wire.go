package emulator

import (
	"fmt"

	"github.com/fnokit/fnokit/internal/emulator/calloutclient"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/accounts"
	"github.com/fnokit/fnokit/internal/emulator/ops/devices"
	"github.com/fnokit/fnokit/internal/emulator/ops/entitlements"
	"github.com/fnokit/fnokit/internal/emulator/rest"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/emulator/sign"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// The compile-time list of what the emulator is made of: how the state is
// built, loaded and saved, and which ops packages register handlers. Add an
// ops package here when it lands.

// registerOps registers the handlers of every ops package. The signing key
// and the SSO token key derive from the data set's seed, so a seeded
// emulator signs and issues the same bytes every run.
func registerOps(r *op.Registry, st *state.Store, cfg Config, co *calloutclient.Client) {
	signer := sign.New(cfg.Seed)
	if co != nil {
		devices.RegisterWithCallout(r, st, cfg.Settings, signer, co)
	} else {
		devices.RegisterSigned(r, st, cfg.Settings, signer)
	}
	entitlements.RegisterSigned(r, st, cfg.Settings, signer)
	accounts.RegisterWith(r, st, cfg.Settings, accounts.Options{
		Seed:         cfg.Seed,
		Authenticate: server.Matcher(cfg.User, cfg.Password),
	})
}

// mountREST builds the REST APIs over the same handlers and state as SOAP,
// with the same credentials: the application REST API
// (internal/emulator/rest) under /flexnet/operations/.
func mountREST(h server.Handlers, st *state.Store, cfg Config) ([]server.Mount, error) {
	app, err := rest.New(rest.Config{
		Handlers: h,
		Store:    st,
		Auth:     server.Matcher(cfg.User, cfg.Password),
		MaxBody:  cfg.MaxBody,
		Now:      cfg.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	return []server.Mount{{Prefix: rest.Prefix, API: "application", Handler: app}}, nil
}

// generateState builds the seeded data set.
func generateState(sizes state.Sizes, seed int64) (*state.Store, error) {
	return state.Generate(sizes, seed), nil
}

// loadState reads a state file; a missing file is an fs.ErrNotExist.
func loadState(path string) (*state.Store, error) { return state.Load(path) }

// saveState writes the state file atomically.
func saveState(st *state.Store, path string) error { return st.Save(path) }
