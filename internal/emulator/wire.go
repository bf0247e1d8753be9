package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/fnokit/fnokit/internal/emulator/calloutclient"
	"github.com/fnokit/fnokit/internal/emulator/dataaccess"
	"github.com/fnokit/fnokit/internal/emulator/entapi"
	"github.com/fnokit/fnokit/internal/emulator/extracts"
	"github.com/fnokit/fnokit/internal/emulator/notify"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/ops/accounts"
	"github.com/fnokit/fnokit/internal/emulator/ops/devices"
	"github.com/fnokit/fnokit/internal/emulator/ops/entitlements"
	"github.com/fnokit/fnokit/internal/emulator/producer"
	"github.com/fnokit/fnokit/internal/emulator/pubservices"
	"github.com/fnokit/fnokit/internal/emulator/registry"
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
func registerOps(r *op.Registry, st *state.Store, cfg Config, co *calloutclient.Client, prod *producer.Client) {
	signer := sign.New(cfg.Seed)
	if co != nil {
		devices.RegisterWithCallout(r, st, cfg.Settings, signer, co)
	} else {
		devices.RegisterSigned(r, st, cfg.Settings, signer)
	}
	// A nil producer client makes every ID and licence itself.
	entitlements.RegisterWithProducer(r, st, cfg.Settings, signer, prod)
	accounts.RegisterWith(r, st, cfg.Settings, accounts.Options{
		Seed:         cfg.Seed,
		Authenticate: server.Matcher(cfg.User, cfg.Password),
	})
}

// apis are the REST APIs and admin controls mounted beside SOAP, and what
// must be released at Close.
type apis struct {
	mounts  []server.Mount
	admin   map[string]http.Handler
	closers []func(context.Context) error
}

func (a *apis) mount(prefix, name string, h http.Handler) {
	a.mounts = append(a.mounts, server.Mount{Prefix: prefix, API: name, Handler: h})
}

// close releases every API, newest first.
func (a *apis) close(ctx context.Context) error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i](ctx))
	}
	return errors.Join(errs...)
}

// buildAPIs builds the REST APIs over the same handlers and state as SOAP,
// with the same credentials: the application REST API
// (internal/emulator/rest) under /flexnet/operations/, the data extracts
// (internal/emulator/extracts, run on demand at /fnokit/admin/extracts),
// the Public
// Service APIs (internal/emulator/pubservices, with the personal access
// token issuer at /fnokit/admin/tokens), Software Container Delivery
// (internal/emulator/registry), the Data Access API
// (internal/emulator/dataaccess), the Entitlements API beta
// (internal/emulator/entapi, tokens at /fnokit/admin/entitlements-token),
// the Event Notification Service
// (internal/emulator/notify, whose webhook workers stop at Close). prod,
// the producer's generators (nil: none), gives the Entitlements API beta
// the IDs it would generate, as it does the SOAP handlers.
func buildAPIs(h server.Handlers, st *state.Store, cfg Config, prod *producer.Client) (a *apis, err error) {
	a = &apis{admin: map[string]http.Handler{}}
	defer func() {
		if err != nil {
			a.close(context.Background())
		}
	}()
	auth := server.Matcher(cfg.User, cfg.Password)
	app, err := rest.New(rest.Config{Handlers: h, Store: st, Auth: auth, MaxBody: cfg.MaxBody, Now: cfg.Now})
	if err != nil {
		return a, fmt.Errorf("emulator: %w", err)
	}
	a.mount(rest.Prefix, "application", app)

	ex, err := extracts.New(extracts.Config{Store: st, Auth: auth, MaxBody: cfg.MaxBody, Now: cfg.Now,
		Schedule: cfg.Extracts.Every, ProcessingDelay: cfg.Extracts.Delay, Since: cfg.Extracts.Since, MaxJobs: cfg.Extracts.MaxJobs})
	if err != nil {
		return a, fmt.Errorf("emulator: %w", err)
	}
	a.mount(extracts.Prefix, "extracts", ex)
	a.admin["extracts"] = ex.RunHandler()

	pub, err := pubservices.New(pubservices.Config{Store: st, Auth: auth, Tokens: cfg.PublicServices.Tokens,
		AuthOptional: cfg.PublicServices.AuthOptional, MaxBody: cfg.MaxBody, Now: cfg.Now})
	if err != nil {
		return a, fmt.Errorf("emulator: %w", err)
	}
	a.closers = append(a.closers, func(context.Context) error { pub.Close(); return nil })
	a.mount(pubservices.Prefix, "pubservices", pub)
	a.admin["tokens"] = pub.TokenIssuer()

	reg, err := registry.New(registry.Config{Store: st, Auth: auth, Seed: cfg.Seed, MaxBody: cfg.MaxBody, Now: cfg.Now})
	if err != nil {
		return a, fmt.Errorf("emulator: %w", err)
	}
	a.mount(registry.Prefix, "registry", reg)

	da, err := dataaccess.New(dataaccess.Config{Store: st, Auth: auth, Seed: cfg.Seed, MaxBody: cfg.MaxBody, Now: cfg.Now})
	if err != nil {
		return a, fmt.Errorf("emulator: %w", err)
	}
	a.mount(dataaccess.Prefix, "data-access", da)

	var ids entapi.IDSource // a nil interface, not a nil *producer.Client: no asking at all
	if prod.IDs() {
		ids = prod
	}
	ent, err := entapi.New(entapi.Config{Store: st, Auth: auth, Seed: cfg.Seed, MaxBody: cfg.MaxBody, Now: cfg.Now, IDs: ids})
	if err != nil {
		return a, fmt.Errorf("emulator: %w", err)
	}
	a.mount(entapi.Prefix, "entitlements-beta", ent)
	a.admin["entitlements-token"] = ent.TokenIssuer()

	ns, err := notify.New(notify.Config{Store: st, Auth: auth, Seed: cfg.Seed, MaxBody: cfg.MaxBody, Now: cfg.Now,
		Logger: cfg.Logger, WebhookTimeout: cfg.Notifications.Timeout, Retries: cfg.Notifications.Retries,
		QueueSize: cfg.Notifications.QueueSize, AllowRemoteWebhooks: cfg.Notifications.AllowRemoteWebhooks})
	if err != nil {
		return a, fmt.Errorf("emulator: %w", err)
	}
	a.closers = append(a.closers, ns.Close)
	a.mount(notify.Prefix, "notification", ns.Handler())
	a.admin[strings.TrimPrefix(notify.AdminPath, server.AdminPrefix)] = ns.AdminHandler()
	return a, nil
}

// generateState builds the seeded data set.
func generateState(sizes state.Sizes, seed int64) (*state.Store, error) {
	return state.Generate(sizes, seed), nil
}

// loadState reads a state file; a missing file is an fs.ErrNotExist.
func loadState(path string) (*state.Store, error) { return state.Load(path) }

// saveState writes the state file atomically.
func saveState(st *state.Store, path string) error { return st.Save(path) }
