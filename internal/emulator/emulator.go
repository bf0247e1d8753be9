// Package emulator runs fnokit's FNO emulator in process: the domain state
// (generated from a seed or loaded from a file), the operation handlers of
// every service version, and the SOAP server in front of them, listening on
// loopback. The contract suites start one per run on a free port; `fnokit
// serve` starts one on a fixed address.
//
//	emu, err := emulator.Start(ctx, emulator.Config{Seed: 1})
//	defer emu.Close(ctx)
//	client.Post(emu.URL()+"/flexnet/services/v7/ManageDeviceService", ...)
package emulator

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/calloutclient"
	"github.com/fnokit/fnokit/internal/emulator/metrics"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/producer"
	"github.com/fnokit/fnokit/internal/emulator/project"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Credentials the emulator accepts when Config names none, as FNO's own
// sample code uses.
const (
	DefaultUser     = "admin"
	DefaultPassword = "admin"
)

// Config configures an emulator. The zero value is a working emulator on a
// free loopback port with the default data set.
type Config struct {
	// Addr is the listen address; empty is a free port on 127.0.0.1.
	Addr string
	// User and Password are the web-services user; both empty means
	// DefaultUser and DefaultPassword.
	User     string
	Password server.Secret

	// Seed and Sizes shape the generated data set: the same seed and
	// sizes give the same data.
	Seed  int64
	Sizes state.Sizes
	// StateFile, if set, is loaded at start when it exists (Seed and Sizes
	// are then ignored) and written at Close, atomically.
	StateFile string

	// Settings are the behaviour switches of the handlers; the zero value
	// means op.DefaultSettings().
	Settings op.Settings

	// Limits of the server; zero takes the server package's defaults.
	MaxInFlight int
	MaxBody     int64
	MaxDepth    int

	// Faults are the fault injection rules at start (see server.Faults);
	// they can be changed later through SetFaults or the admin endpoint.
	Faults server.Faults

	// Callout configures the capability request callout that
	// generateCapabilityResponse calls; an empty URL means none. Its
	// Metrics and Logger are the emulator's.
	Callout calloutclient.Config

	// PublicServices configures /flexnet/pubservices/.
	PublicServices PublicServices
	// Extracts configures the data extracts' jobs.
	Extracts Extracts
	// Notifications configures the webhook deliveries of the Event
	// Notification Service; zero values take notify's defaults.
	Notifications Notifications

	// Producer configures the producer's ID and licence generators the
	// emulator calls (SOAP IdGeneratorService / LicenseGeneratorService);
	// empty URLs mean none. Its Metrics and Logger are the emulator's.
	Producer producer.Config

	// Register, if set, registers handlers that take precedence over the
	// built-in ones for the operations and versions they cover (tests use
	// it to plant slow or failing operations).
	Register func(r *op.Registry, st *state.Store, settings op.Settings)

	// Logger receives the emulator's log; never payloads or secrets. Nil
	// discards.
	Logger *slog.Logger
	// Now is the emulator's clock; nil is time.Now.
	Now func() time.Time
}

// PublicServices configures the Public Service APIs (seed 000).
type PublicServices struct {
	// Tokens are personal access tokens accepted from the start (more are
	// issued by POST /fnokit/admin/tokens?user=<name>).
	Tokens []string
	// AuthOptional emulates a tenant before 2027.08 with authentication
	// for the public services switched off: anonymous calls are served
	// (credentials that are sent are still checked).
	AuthOptional bool
}

// Extracts configures the data extract jobs (internal/emulator/extracts).
type Extracts struct {
	Every   time.Duration // run every extract on this interval of emulator time; 0: on demand only
	Delay   time.Duration // how long a job stays P (processing) before C or F
	Since   time.Time     // a first run covers records from here (zero: the previous UTC day)
	MaxJobs int           // jobs kept at most; 0: the package's default
}

// Notifications configures webhook delivery (internal/emulator/notify).
type Notifications struct {
	Timeout   time.Duration // per attempt
	Retries   int           // after the first attempt
	QueueSize int           // events waiting; beyond it they are dropped and counted
	// AllowRemoteWebhooks accepts webhook URLs that are not loopback.
	AllowRemoteWebhooks bool
}

// Emulator is a running emulator.
type Emulator struct {
	cfg   Config
	store *state.Store
	srv   *server.Server
	mets  *metrics.Emulator
	apis  *apis
	http  *http.Server
	ln    net.Listener
	log   *slog.Logger
	url   string

	served    chan struct{} // closed when Serve has returned
	serveErr  error
	closeOnce sync.Once
	closeErr  error
}

// Start builds the state, registers the handlers, and starts serving. It
// returns once the listener accepts connections.
func Start(ctx context.Context, cfg Config) (*Emulator, error) {
	if cfg.User == "" && cfg.Password == "" {
		cfg.User, cfg.Password = DefaultUser, DefaultPassword
	}
	if cfg.Settings == (op.Settings{}) {
		cfg.Settings = op.DefaultSettings()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	st, loaded, err := buildState(ctx, cfg)
	if err != nil {
		return nil, err
	}
	mets := metrics.NewEmulator()
	var co *calloutclient.Client
	if cfg.Callout.URL != "" {
		cc := cfg.Callout
		cc.Metrics, cc.Logger = mets, log
		if co, err = calloutclient.New(cc); err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
	}
	var prod *producer.Client
	if cfg.Producer.IDGeneratorURL != "" || cfg.Producer.LicenseGeneratorURL != "" {
		pc := cfg.Producer
		pc.Metrics, pc.Logger = mets, log
		if prod, err = producer.New(pc); err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
	}
	builtin := op.NewRegistry()
	registerOps(builtin, st, cfg, co, prod)
	var handlers server.Handlers = builtin
	if cfg.Register != nil {
		over := op.NewRegistry()
		cfg.Register(over, st, cfg.Settings)
		handlers = layered{over, builtin}
	}

	apis, err := buildAPIs(handlers, st, cfg, prod)
	if err != nil {
		return nil, err
	}
	srv, err := server.New(server.Config{
		Mounts:      apis.mounts,
		Admin:       apis.admin,
		Registry:    handlers,
		Project:     projector,
		User:        cfg.User,
		Password:    cfg.Password,
		MaxBody:     cfg.MaxBody,
		MaxDepth:    cfg.MaxDepth,
		MaxInFlight: cfg.MaxInFlight,
		Faults:      cfg.Faults,
		Metrics:     mets,
		Logger:      log,
		Now:         cfg.Now,
	})
	if err != nil {
		apis.close(ctx)
		return nil, err
	}

	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		apis.close(ctx)
		return nil, fmt.Errorf("emulator: listen on %s: %w (is another process using the port? pick another --addr)", addr, err)
	}
	e := &Emulator{
		cfg: cfg, store: st, srv: srv, mets: mets, apis: apis, ln: ln, log: log,
		url:    "http://" + ln.Addr().String(),
		served: make(chan struct{}),
		http: &http.Server{
			Handler: srv,
			// Slow-loris bounds: headers and bodies must arrive in time;
			// responses are not bounded, as injected latency may be long.
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       2 * time.Minute,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelDebug),
		},
	}
	go func() {
		defer close(e.served)
		if err := e.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.serveErr = err
			log.Error("emulator stopped serving", "err", err)
		}
	}()
	c := st.Counts()
	log.Info("emulator started", "url", e.url, "loaded", loaded, "devices", c.Devices, "entitlements", c.Entitlements, "accounts", c.Accounts)
	return e, nil
}

// buildState loads the state file when there is one, else generates.
func buildState(ctx context.Context, cfg Config) (st *state.Store, loaded bool, err error) {
	if cfg.StateFile != "" {
		st, err = loadState(cfg.StateFile)
		switch {
		case err == nil:
			loaded = true
		case !errors.Is(err, fs.ErrNotExist):
			return nil, false, fmt.Errorf("emulator: %w", err)
		}
	}
	if st == nil {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		if st, err = generateState(cfg.Sizes, cfg.Seed); err != nil {
			return nil, false, fmt.Errorf("emulator: generate the data set: %w", err)
		}
	}
	st.SetClock(cfg.Now)
	return st, loaded, nil
}

// layered looks an operation up in each registry in turn.
type layered []*op.Registry

func (l layered) Lookup(o contract.Operation) (op.Handler, bool) {
	for _, r := range l {
		if h, ok := r.Lookup(o); ok {
			return h, true
		}
	}
	return nil, false
}

// projector adapts the project package to the server's Projection.
func projector(service string, version contract.Version) (server.Projection, error) {
	p, err := project.For(service, version)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// URL is the emulator's base URL (scheme, host, port; no trailing slash).
// Service endpoints are below it at /flexnet/services/[vN/]<Service>.
func (e *Emulator) URL() string { return e.url }

// ListingURL is the URL of the endpoint listing.
func (e *Emulator) ListingURL() string { return e.url + server.ListingPath }

// Store is the emulator's domain state, for tests that arrange or inspect
// data directly.
func (e *Emulator) Store() *state.Store { return e.store }

// Server is the SOAP server, for fault injection (SetFaults) and
// inspection (InFlight, Endpoints).
func (e *Emulator) Server() *server.Server { return e.srv }

// Metrics are the emulator's Prometheus families, served at /metrics.
func (e *Emulator) Metrics() *metrics.Emulator { return e.mets }

// Close stops accepting connections, waits for the requests in flight to
// finish (until ctx ends, when they are cut off), then writes the state
// file if one is configured. It is safe to call more than once.
func (e *Emulator) Close(ctx context.Context) error {
	e.closeOnce.Do(func() {
		var errs []error
		if err := e.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("emulator: drain requests in flight: %w", err))
			e.http.Close()
		}
		<-e.served
		if e.serveErr != nil {
			errs = append(errs, fmt.Errorf("emulator: serve: %w", e.serveErr))
		}
		if err := e.apis.close(ctx); err != nil {
			errs = append(errs, err)
		}
		if e.cfg.StateFile != "" {
			if err := saveState(e.store, e.cfg.StateFile); err != nil {
				errs = append(errs, fmt.Errorf("emulator: save state to %s: %w", e.cfg.StateFile, err))
			} else {
				e.log.Info("state saved", "file", e.cfg.StateFile)
			}
		}
		e.closeErr = errors.Join(errs...)
	})
	return e.closeErr
}
