package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/callout"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/calloutclient"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/emulator/producer"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Environment variables serve reads its credentials from when the flags do
// not give them: a password on the command line shows in ps.
const (
	envUser     = "FNOKIT_USER"
	envPassword = "FNOKIT_PASSWORD"
)

// runServe is `fnokit serve`: the emulator on a fixed address until
// SIGINT/SIGTERM (ctx ends), then a graceful shutdown that drains the
// requests in flight and saves the state file.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("serve", "serve [flags]", stderr)
	def := state.DefaultSizes()
	defSet := op.DefaultSettings()
	var (
		addr     = fs.String("addr", "127.0.0.1:8080", "listen address (host:port; :0 picks a free port)")
		user     = fs.String("user", "", "web-services user (default $"+envUser+", else admin)")
		password = fs.String("password", "", "web-services password (default $"+envPassword+", else admin; prefer the variable: flags show in ps)")
		seed     = fs.Int64("seed", 1, "seed of the generated data set: the same seed and sizes give the same data")
		devices  = fs.Int("devices", def.Devices, "devices to generate")
		ents     = fs.Int("entitlements", def.Entitlements, "entitlements to generate (1–5 line items each)")
		accounts = fs.Int("accounts", def.Accounts, "accounts to generate")
		products = fs.Int("products", def.Products, "products to generate")
		fulfils  = fs.Int("fulfillments", def.Fulfillments, "fulfilments to generate")
		stateF   = fs.String("state", "", "state file: loaded at start if it exists (then --seed and the sizes are ignored), saved at shutdown")

		maxInFlight = fs.Int("max-in-flight", server.DefaultMaxInFlight, "requests served at once; beyond it 503 with Retry-After")
		maxBody     = fs.Int64("max-body", server.DefaultMaxBody, "largest request body in bytes; beyond it 413")
		maxDepth    = fs.Int("max-depth", server.DefaultMaxDepth, "deepest element nesting accepted in a request")
		drainFor    = fs.Duration("shutdown-timeout", 30*time.Second, "how long shutdown waits for requests in flight")

		readBatch  = fs.Int("max-read-batch", defSet.MaxReadBatch, "records a read returns per batch at most (FNO: 2000)")
		writeBatch = fs.Int("max-write-batch", defSet.MaxWriteBatch, "records a write accepts per call at most (FNO: 25)")
		zeroCount  = fs.Bool("allow-zero-count-mapping", defSet.AllowZeroCountMapping, "ManageDevice v7 zeroCountAddonLineItems is enabled (the tenant's \"allow mapping zero counts\")")
		unitNames  = fs.Int("max-account-unit-names", defSet.MaxAccountUnitNames, "EntitlementOrder v8: accountUnitName values a search may give")
		acctIDs    = fs.Int("max-user-account-ids", defSet.MaxUserAccountIDs, "UserAcctHierarchy v6: account IDs a call may give (-1: unlimited)")

		faultsFile = fs.String("faults", "", "fault injection rules as JSON (the format of GET /fnokit/admin/faults)")
		scope      = fs.String("fault-scope", "", "scope of the fault flags below: Service[/version[/operation]] for SOAP (default every SOAP call), or rest:<api>[:<path prefix>] for a REST API (rest:* for all)")
		latency    = fs.Duration("latency", 0, "fault: latency added to every call in scope")
		jitter     = fs.Duration("jitter", 0, "fault: random extra latency, uniform in [0, jitter)")
		errRate    = fs.Float64("error-rate", 0, "fault: share of calls in scope answered with an error (0–1)")
		errKind    = fs.String("error-kind", string(server.ErrorSOAPFault), "fault: soap-fault or http-500")
		drift      = fs.String("drift", "", "fault: contract drift of responses in scope: "+strings.Join(driftNames(), ", "))
		driftRate  = fs.Float64("drift-rate", 0, "fault: share of responses drifted (0: all)")
		faultSeed  = fs.Uint64("fault-seed", 1, "seed of the fault injection's random choices")

		coURL         = fs.String("callout-url", "", "capability request callout base URL: generateCapabilityResponse POSTs to <url>/<trigger point> (loopback only unless --callout-allow-remote)")
		coRemote      = fs.Bool("callout-allow-remote", false, "allow a --callout-url that is not a loopback address")
		coTriggers    = fs.String("callout-triggers", "finalizeHost,checkAccess,finalizeResponse", "trigger points switched on, comma-separated")
		coHostDetails = fs.Bool("callout-host-details", false, "callout requests include the host details (Callout Includes Host Details)")
		coAddOnDetail = fs.Bool("callout-addon-details", false, "callout requests include the add-on details (Callout Includes Add-on Details)")
		coTimeout     = fs.Duration("callout-timeout", calloutclient.DefaultTimeout, "bound on one callout exchange")
		coFailure     = fs.String("callout-failure", string(calloutclient.FailDeny), "when the callout times out, fails, or answers invalid JSON or a disallowed action: deny (the device gets FAILURE) or allow (go on as if it answered {})")

		idgenURL    = fs.String("idgen-url", "", "the producer's IdGeneratorService endpoint: entitlement, activation, web-register-key and fulfilment IDs come from it (loopback only unless --producer-allow-remote)")
		licgenURL   = fs.String("licgen-url", "", "the producer's LicenseGeneratorService endpoint: licence text comes from it")
		prodTimeout = fs.Duration("producer-timeout", producer.DefaultTimeout, "bound on one call to a producer generator")
		prodFailure = fs.String("producer-failure", string(producer.FailDeny), "when a generator times out, fails or answers out of contract: deny (the record gets FAILURE naming the generator) or fallback (the emulator makes the value)")
		prodRemote  = fs.Bool("producer-allow-remote", false, "allow generator URLs that are not loopback")

		pubOptional = fs.Bool("pubservices-auth-optional", false, "Public Service APIs: serve anonymous calls, as a tenant before 2027.08 could with \"Enable authentication for Public Webservices\" cleared (sent credentials are still checked)")

		extEvery   = fs.Duration("extract-every", 0, "data extracts: run every extract on this interval of emulator time (0: on demand only, POST /fnokit/admin/extracts?name=DEVICE)")
		extDelay   = fs.Duration("extract-delay", 0, "data extracts: how long a job stays P (processing) before it is C or F")
		extSince   = fs.String("extract-since", "", "data extracts: a first run covers records from this date (YYYY-MM-DD, or all); default the previous UTC day")
		extMaxJobs = fs.Int("extract-max-jobs", 0, "data extracts: jobs kept at most (0: 1000)")

		notifyTimeout = fs.Duration("notify-timeout", 0, "event notifications: bound on one webhook delivery attempt (0: 3s)")
		notifyRetries = fs.Int("notify-retries", 0, "event notifications: retries after a failed delivery (0: 2)")
		notifyQueue   = fs.Int("notify-queue", 0, "event notifications: events waiting for delivery at most; beyond it they are dropped and counted (0: 256)")
		notifyRemote  = fs.Bool("notify-allow-remote-webhooks", false, "event notifications: accept webhook URLs that are not loopback")

		logLevel = fs.String("log-level", "info", "log level: debug (one line per request), info, warn, error")
	)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "serve takes no arguments (got %d)", fs.NArg())
	}
	for _, n := range []struct {
		name string
		v    int
	}{{"devices", *devices}, {"entitlements", *ents}, {"accounts", *accounts}, {"products", *products}, {"fulfillments", *fulfils}} {
		if n.v < 0 {
			return usageError(stderr, fs, "--%s cannot be negative", n.name)
		}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return usageError(stderr, fs, "--log-level: use debug, info, warn or error")
	}

	faults, err := serveFaults(*faultsFile, *scope, faultFlags{
		latency: *latency, jitter: *jitter, errRate: *errRate, errKind: *errKind,
		drift: *drift, driftRate: *driftRate, seed: *faultSeed,
	})
	if err != nil {
		return usageError(stderr, fs, "%v", err)
	}

	coCfg, err := serveCallout(*coURL, *coRemote, *coTriggers, *coHostDetails, *coAddOnDetail, *coTimeout, *coFailure)
	if err != nil {
		return usageError(stderr, fs, "%v", err)
	}

	since, err := extractSince(*extSince)
	if err != nil {
		return usageError(stderr, fs, "%v", err)
	}
	if *extEvery < 0 || *extDelay < 0 || *extMaxJobs < 0 || *notifyTimeout < 0 || *notifyRetries < 0 || *notifyQueue < 0 {
		return usageError(stderr, fs, "the --extract-* and --notify-* values cannot be negative")
	}

	prodFail, err := producer.ParseFailure(*prodFailure)
	if err != nil {
		return usageError(stderr, fs, "--producer-failure: %v", err)
	}

	cfg := emulator.Config{
		Callout: coCfg,
		Producer: producer.Config{IDGeneratorURL: *idgenURL, LicenseGeneratorURL: *licgenURL,
			Timeout: *prodTimeout, Failure: prodFail, AllowRemote: *prodRemote},
		PublicServices: emulator.PublicServices{
			AuthOptional: *pubOptional,
			Tokens:       commaList(os.Getenv(envPubTokens)),
		},
		Extracts: emulator.Extracts{Every: *extEvery, Delay: *extDelay, Since: since, MaxJobs: *extMaxJobs},
		Notifications: emulator.Notifications{Timeout: *notifyTimeout, Retries: *notifyRetries,
			QueueSize: *notifyQueue, AllowRemoteWebhooks: *notifyRemote},
		Addr:      *addr,
		User:      cmp.Or(*user, os.Getenv(envUser), emulator.DefaultUser),
		Password:  server.Secret(cmp.Or(*password, os.Getenv(envPassword), emulator.DefaultPassword)),
		Seed:      *seed,
		Sizes:     state.Sizes{Devices: *devices, Entitlements: *ents, Accounts: *accounts, Products: *products, Fulfillments: *fulfils},
		StateFile: *stateF,
		Settings: op.Settings{MaxReadBatch: *readBatch, MaxWriteBatch: *writeBatch, AllowZeroCountMapping: *zeroCount,
			MaxAccountUnitNames: *unitNames, MaxUserAccountIDs: *acctIDs},
		MaxInFlight: *maxInFlight,
		MaxBody:     *maxBody,
		MaxDepth:    *maxDepth,
		Faults:      faults,
		Logger:      slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	cfg.Settings = withSettingDefaults(cfg.Settings)

	emu, err := emulator.Start(ctx, cfg)
	if err != nil {
		return cannotRun(stderr, err, "")
	}
	fmt.Fprintf(stdout, "fnokit emulator listening on %s\n", emu.URL())
	fmt.Fprintf(stdout, "endpoints: %s\n", emu.ListingURL())
	if coCfg.URL != "" {
		fmt.Fprintf(stdout, "capability request callout: %s (failure mode %s); metrics at %s/metrics\n", coCfg.URL, coCfg.Failure, emu.URL())
	}
	if len(faults.Rules) > 0 {
		fmt.Fprintf(stdout, "fault injection: %d rule(s); see %s%s\n", len(faults.Rules), emu.URL(), server.AdminFaults)
	}

	<-ctx.Done()
	fmt.Fprintln(stdout, "shutting down: draining requests in flight")
	// ctx is over; the drain gets its own deadline.
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), *drainFor)
	defer cancel()
	if err := emu.Close(drainCtx); err != nil {
		return cannotRun(stderr, err, "requests still running at the deadline were cut off; raise --shutdown-timeout if they matter")
	}
	if *stateF != "" {
		fmt.Fprintf(stdout, "state saved to %s\n", *stateF)
	}
	return ExitOK
}

// envPubTokens holds personal access tokens the Public Service APIs accept
// from the start, comma-separated (an environment variable, as tokens on
// the command line show in ps).
const envPubTokens = "FNOKIT_PUBSERVICES_TOKENS"

// extractSince reads --extract-since: a date, "all" (every record the
// generator made), or empty.
func extractSince(s string) (time.Time, error) {
	switch s {
	case "":
		return time.Time{}, nil
	case "all":
		return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, errors.New("--extract-since: use a date such as 2026-01-31, or all")
	}
	return t, nil
}

// withSettingDefaults keeps op.Settings usable if a limit was given as 0,
// which FNO has no notion of.
func withSettingDefaults(s op.Settings) op.Settings {
	d := op.DefaultSettings()
	if s.MaxReadBatch <= 0 {
		s.MaxReadBatch = d.MaxReadBatch
	}
	if s.MaxWriteBatch <= 0 {
		s.MaxWriteBatch = d.MaxWriteBatch
	}
	if s.MaxAccountUnitNames <= 0 {
		s.MaxAccountUnitNames = d.MaxAccountUnitNames
	}
	if s.MaxUserAccountIDs == 0 {
		s.MaxUserAccountIDs = d.MaxUserAccountIDs
	}
	return s
}

type faultFlags struct {
	latency, jitter time.Duration
	errRate         float64
	errKind         string
	drift           string
	driftRate       float64
	seed            uint64
}

// serveFaults reads the --faults file and adds the rule the single fault
// flags describe, when any is set.
func serveFaults(file, scope string, ff faultFlags) (server.Faults, error) {
	var f server.Faults
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return f, fmt.Errorf("--faults: %w", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return f, fmt.Errorf("--faults %s: not the JSON of GET %s: %w", file, server.AdminFaults, err)
		}
	} else {
		f.Seed = ff.seed
	}
	if ff.latency != 0 || ff.jitter != 0 || ff.errRate != 0 || ff.drift != "" {
		r := server.FaultRule{
			Latency: server.Duration(ff.latency), Jitter: server.Duration(ff.jitter),
			ErrorRate: ff.errRate, Error: server.ErrorKind(ff.errKind),
			Drift: server.DriftMode(ff.drift), DriftRate: ff.driftRate,
		}
		parts := strings.Split(scope, "/")
		if api, ok := strings.CutPrefix(scope, "rest:"); ok {
			// REST rules take latency and http-500 errors only.
			r.API, r.Path, _ = strings.Cut(api, ":")
			if r.Error == server.ErrorSOAPFault {
				r.Error = server.ErrorHTTP500
			}
		} else if scope != "" {
			if len(parts) > 3 {
				return f, errors.New("--fault-scope is Service[/version[/operation]]")
			}
			r.Service = parts[0]
			if len(parts) > 1 {
				r.Version = parts[1]
			}
			if len(parts) > 2 {
				r.Operation = parts[2]
			}
		}
		f.Rules = append(f.Rules, r)
	} else if scope != "" {
		return f, errors.New("--fault-scope without a fault: add --latency, --error-rate or --drift")
	}
	if err := server.CheckFaults(f); err != nil {
		return f, err
	}
	return f, nil
}

func driftNames() []string {
	var out []string
	for _, m := range server.DriftModes {
		out = append(out, string(m))
	}
	return out
}

// serveCallout reads the --callout-* flags; without --callout-url the
// others are ignored and no callout is made.
func serveCallout(rawURL string, remote bool, triggers string, hostDetails, addOnDetails bool, timeout time.Duration, failure string) (calloutclient.Config, error) {
	if rawURL == "" {
		return calloutclient.Config{}, nil
	}
	mode, err := calloutclient.ParseFailureMode(failure)
	if err != nil {
		return calloutclient.Config{}, fmt.Errorf("--callout-failure: %w", err)
	}
	if timeout <= 0 {
		return calloutclient.Config{}, errors.New("--callout-timeout must be positive")
	}
	cfg := calloutclient.Config{URL: rawURL, AllowRemote: remote, HostDetails: hostDetails, AddOnDetails: addOnDetails, Timeout: timeout, Failure: mode}
	for _, name := range commaList(triggers) {
		tp, err := callout.ParseTriggerPoint(name)
		if err != nil {
			return calloutclient.Config{}, fmt.Errorf("--callout-triggers: %w", err)
		}
		cfg.Triggers = append(cfg.Triggers, tp)
	}
	if len(cfg.Triggers) == 0 {
		return calloutclient.Config{}, errors.New("--callout-triggers names no trigger point: drop --callout-url to switch the callout off")
	}
	if _, err := calloutclient.New(cfg); err != nil {
		return calloutclient.Config{}, fmt.Errorf("--callout-url: %w", err)
	}
	return cfg, nil
}
