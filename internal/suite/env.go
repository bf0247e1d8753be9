package suite

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/onsi/ginkgo/v2"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/emulator"
	"github.com/fnokit/fnokit/internal/emulator/server"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/redact"
	"github.com/fnokit/fnokit/internal/soap"
	"github.com/fnokit/fnokit/schemas"
)

// Defaults of a run.
const (
	// DefaultSeed is the emulator's seed when Config.Seed is 0: the one
	// the conformance sweep always used, so golden files stay valid.
	DefaultSeed = conformance.EmulatorSeed
	// DefaultTimeout bounds one call to the target.
	DefaultTimeout = 30 * time.Second
	// DefaultCleanupTimeout bounds all cleanups of a run together.
	DefaultCleanupTimeout = 30 * time.Second
	// maxBody bounds a response body read by the harness.
	maxBody = 64 << 20
)

// FixedNow is the emulator's clock by default: every run sees the same
// instant, so dates the emulator writes (fulfilments, audit fields, JWTs)
// are the same from run to run and golden files stay byte-stable.
var FixedNow = time.Date(2025, time.June, 2, 9, 30, 0, 0, time.UTC)

// Config says what a run checks and how.
type Config struct {
	// Target is the base URL of a live tenant (scheme://host[:port]);
	// empty starts the in-process emulator.
	Target string
	// User and Password, or Token, authenticate against a live target
	// (the CLI reads them from FNOKIT_USER/FNOKIT_PASSWORD or
	// FNOKIT_TOKEN). They are never written to a report, log or golden
	// file. The emulator uses its own credentials.
	User, Password, Token string
	// AllowWrites lets kind:write specs run against a live target; on
	// the emulator they always run.
	AllowWrites bool
	// UpdateGolden rewrites golden files instead of comparing with them.
	UpdateGolden bool
	// GoldenDir is the golden root; empty finds golden/ in the working
	// directory or the nearest parent that has one.
	GoldenDir string
	// GoldenLive compares a live target's answers with the golden files
	// too. Off by default: the committed golden files are the seeded
	// emulator's answers, which no tenant's records match, so against a
	// live target a golden comparison is skipped (the spec's other checks
	// still decide it, and its report says the comparison was skipped).
	// Set it with golden files recorded from that target (`fnokit golden
	// record --target`); UpdateGolden records whatever the target.
	GoldenLive bool
	// Samples is the folder of request samples (the layout of
	// schemas/testdata) the conformance sweep sends; empty finds
	// schemas/testdata like GoldenDir.
	Samples string
	// Seed is the emulator's seed (0: DefaultSeed); Faults its fault
	// rules (drift), Now its clock (nil: FixedNow).
	Seed   int64
	Faults server.Faults
	Now    func() time.Time
	// Timeout bounds each call (0: DefaultTimeout); CleanupTimeout all
	// cleanups together (0: DefaultCleanupTimeout).
	Timeout        time.Duration
	CleanupTimeout time.Duration
	// RunID names this run in the records it creates; empty is random.
	RunID string
}

// Live reports whether the configuration names a live target.
func (c Config) Live() bool { return c.Target != "" }

// Check validates a configuration before anything starts. Messages name
// the field, never a credential.
func (c Config) Check() error {
	if !c.Live() {
		if c.User != "" || c.Password != "" || c.Token != "" {
			return errors.New("credentials are for a live target: the emulator uses its own")
		}
		if c.AllowWrites {
			return errors.New("writes are always allowed on the emulator; --allow-writes is for a live target")
		}
		return server.CheckFaults(c.Faults)
	}
	u, err := url.Parse(c.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("the target must be an http or https URL with a host")
	}
	if u.User != nil {
		return errors.New("the target URL must not carry credentials: use FNOKIT_USER/FNOKIT_PASSWORD or FNOKIT_TOKEN")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return errors.New("the target URL takes no query or fragment")
	}
	if len(c.Faults.Rules) > 0 {
		return errors.New("drift and faults are emulator switches: they need no --target")
	}
	hasBasic := c.User != "" || c.Password != ""
	switch {
	case hasBasic && c.Token != "":
		return errors.New("give a user and password or a token, not both")
	case hasBasic && (c.User == "" || c.Password == ""):
		return errors.New("a live target needs both FNOKIT_USER and FNOKIT_PASSWORD")
	case !hasBasic && c.Token == "":
		return errors.New("a live target needs credentials: FNOKIT_USER and FNOKIT_PASSWORD, or FNOKIT_TOKEN")
	}
	return nil
}

// Env is the environment of a run: the target, its credentials, its
// records, the golden store and the cleanups the specs registered. Specs
// reach it through E().
type Env struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	emu    *emulator.Emulator
	base   string
	// user and password (or token) authenticate every call; they live
	// only here and in the requests, and Env's String hides them.
	user     string
	password server.Secret
	token    server.Secret
	client   *http.Client
	store    *golden.Store
	runID    string

	recordsOnce sync.Once
	records     conformance.Records
	recordsErr  error

	mu         sync.Mutex
	cleanups   []cleanup
	cleaned    bool
	cleanupCtx context.Context   // set while the cleanups run
	tokens     map[string]string // api → bearer token

	finishOnce sync.Once
	finished   []CleanupResult
}

type cleanup struct {
	what string
	fn   func(ctx context.Context) error
}

var (
	currentMu sync.RWMutex
	current   *Env
)

// E returns the environment of the running suite. Outside a run (a spec
// tree walked without Run or RunForTest) it fails the spec.
func E() *Env {
	currentMu.RLock()
	e := current
	currentMu.RUnlock()
	if e == nil {
		ginkgo.Fail("no fnokit suite environment: run the specs through suite.Run or suite.RunForTest")
	}
	return e
}

func setCurrent(e *Env) {
	currentMu.Lock()
	current = e
	currentMu.Unlock()
}

// String describes the environment without credentials.
func (e *Env) String() string {
	if e == nil {
		return "suite.Env(nil)"
	}
	return "suite.Env{target: " + e.TargetName() + ", run: " + e.runID + "}"
}

// GoString is String, so %#v cannot print the credentials either.
func (e *Env) GoString() string { return e.String() }

// start builds the environment: the emulator (or the live target's
// client), the golden store, the run ID.
func start(cfg Config) (*Env, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.CleanupTimeout <= 0 {
		cfg.CleanupTimeout = DefaultCleanupTimeout
	}
	if cfg.Seed == 0 {
		cfg.Seed = DefaultSeed
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return FixedNow }
	}
	dir := cfg.GoldenDir
	if dir == "" {
		dir = findUp("golden", "normalize.yaml")
	}
	if cfg.Samples == "" {
		cfg.Samples = findUp(filepath.Join("schemas", "testdata"), "")
	}
	store, err := golden.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("golden files: %w", err)
	}
	e := &Env{cfg: cfg, store: store, runID: cfg.RunID, tokens: map[string]string{},
		client: &http.Client{Timeout: cfg.Timeout}}
	if e.runID == "" {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		e.runID = hex.EncodeToString(b[:])
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	if cfg.Live() {
		e.base = strings.TrimRight(cfg.Target, "/")
		e.user, e.password, e.token = cfg.User, server.Secret(cfg.Password), server.Secret(cfg.Token)
		return e, nil
	}
	ecfg := e.EmulatorConfig()
	emu, err := emulator.Start(context.Background(), ecfg)
	if err != nil {
		e.cancel()
		return nil, fmt.Errorf("start the emulator: %w", err)
	}
	e.emu, e.base = emu, emu.URL()
	e.user, e.password = emulator.DefaultUser, emulator.DefaultPassword
	return e, nil
}

// close stops the emulator and idle connections.
func (e *Env) close() {
	e.cancel()
	e.client.CloseIdleConnections()
	if e.emu != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = e.emu.Close(ctx)
	}
}

// findUp returns the folder rel of the working directory or of its nearest
// parent that has one (go test runs in the package folder), holding the
// file marker when marker is not "" (the repository's golden/ has
// normalize.yaml; internal/golden, the Go package, has not); rel itself
// when there is none (recording creates golden/).
func findUp(rel, marker string) string {
	dir, err := os.Getwd()
	if err != nil {
		return rel
	}
	for range 32 {
		cand := filepath.Join(dir, rel)
		if st, err := os.Stat(filepath.Join(cand, marker)); err == nil && (marker != "" || st.IsDir()) {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return rel
}

// Live reports whether the target is a live tenant, not the emulator.
func (e *Env) Live() bool { return e.emu == nil }

// Emulator returns the in-process emulator; nil against a live target.
func (e *Env) Emulator() *emulator.Emulator { return e.emu }

// BaseURL is the target's scheme://host[:port][/prefix].
func (e *Env) BaseURL() string { return e.base }

// TargetName says what the target is, for reports: "in-process emulator"
// or the live URL (which never carries credentials: Check refuses them).
func (e *Env) TargetName() string {
	if e.emu != nil {
		return "in-process emulator (seed " + fmt.Sprint(e.cfg.Seed) + ")"
	}
	return e.base
}

// RunID is the run's ID, part of every name Name gives.
func (e *Env) RunID() string { return e.runID }

// Context is the run's context: cancelled when the run is interrupted.
func (e *Env) Context() context.Context { return e.ctx }

// UpdateGolden reports whether golden files are being rewritten.
func (e *Env) UpdateGolden() bool { return e.cfg.UpdateGolden }

// EmulatorConfig is the configuration of the run's emulator (seed, data
// set, clock, fault rules); suites that need a fresh emulator of their own
// (the conformance sweep, one per service version) start it from this.
func (e *Env) EmulatorConfig() emulator.Config {
	cfg := conformance.EmulatorConfig()
	cfg.Seed, cfg.Faults, cfg.Now = e.cfg.Seed, e.cfg.Faults, e.cfg.Now
	return cfg
}

// Samples is the request samples folder of the conformance sweep.
func (e *Env) Samples() string { return e.cfg.Samples }

// WritesAllowed reports whether kind:write specs may run.
func (e *Env) WritesAllowed() bool { return e.emu != nil || e.cfg.AllowWrites }

// RequireWrites skips the spec unless writes are allowed: always on the
// emulator, on a live target only with --allow-writes.
func (e *Env) RequireWrites() {
	if !e.WritesAllowed() {
		ginkgo.Skip("writes to a live target need --allow-writes")
	}
}

// Name returns a run-prefixed name for a record a spec creates:
// "fnokit-<runid>-<base>", so every record of a run can be told apart
// (and found and removed by hand if a cleanup could not run).
func (e *Env) Name(base string) string { return "fnokit-" + e.runID + "-" + base }

// Cleanup registers fn to undo a write at the end of the run, also when
// the run is interrupted (SIGINT). Cleanups run last-registered first,
// each with a context bounded by the run's cleanup timeout; what names the
// record for the report ("device fnokit-…-d1"), never a secret.
func (e *Env) Cleanup(what string, fn func(ctx context.Context) error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cleaned {
		// The run is over (interrupted): undo at once rather than leak.
		ctx, cancel := context.WithTimeout(context.Background(), e.cfg.CleanupTimeout)
		defer cancel()
		_ = fn(ctx)
		return
	}
	e.cleanups = append(e.cleanups, cleanup{what, fn})
}

// CleanupResult is the outcome of one registered cleanup.
type CleanupResult struct {
	What     string
	Err      error
	Duration time.Duration
}

// runCleanups runs every registered cleanup once, newest first, all of
// them within the cleanup timeout. It is safe to call twice (interrupt and
// normal end): the second call finds nothing to do.
func (e *Env) runCleanups() []CleanupResult {
	e.mu.Lock()
	list := e.cleanups
	e.cleanups, e.cleaned = nil, true
	e.mu.Unlock()
	if len(list) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.CleanupTimeout)
	defer cancel()
	e.mu.Lock()
	e.cleanupCtx = ctx
	e.mu.Unlock()
	out := make([]CleanupResult, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		c := list[i]
		start := time.Now()
		err := ctx.Err()
		if err == nil {
			err = runOne(ctx, c.fn)
		}
		out = append(out, CleanupResult{What: c.what, Err: err, Duration: time.Since(start)})
	}
	return out
}

// callContext is the context of a call: the run's, or the cleanups' once
// they run (the run's is cancelled by an interrupt, and the cleanups still
// have to reach the target).
func (e *Env) callContext() context.Context {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cleanupCtx != nil {
		return e.cleanupCtx
	}
	return e.ctx
}

// inCleanup reports whether the cleanups are running: calls then use
// their context, and failures become the cleanup's error rather than a
// spec's (no spec is running).
func (e *Env) inCleanup() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.cleanupCtx != nil
}

// cleanupFailure carries a failure out of a cleanup to runOne.
type cleanupFailure struct{ msg string }

// fail fails the running spec, or, while the cleanups run, the cleanup.
func (e *Env) fail(msg string) {
	ginkgo.GinkgoHelper()
	msg = e.scrub(msg)
	if e.inCleanup() {
		panic(cleanupFailure{msg})
	}
	ginkgo.Fail(msg)
}

// scrub removes the run's live credentials (the password, the token, the
// Basic credentials they make) from text, then anything else
// internal/redact recognises as a secret. The emulator's credentials are
// not secret (and "admin" would mangle ordinary text), so they stay.
func (e *Env) scrub(s string) string {
	if e == nil {
		return redact.Text(s)
	}
	if e.emu == nil {
		for _, secret := range []string{string(e.password), string(e.token),
			base64.StdEncoding.EncodeToString([]byte(e.user + ":" + string(e.password)))} {
			if len(secret) >= 4 {
				s = strings.ReplaceAll(s, secret, redact.Marker)
			}
		}
	}
	return redact.Text(s)
}

// runOne runs a cleanup, turning a failure or a panic into an error so
// one broken cleanup does not stop the others.
func runOne(ctx context.Context, fn func(context.Context) error) (err error) {
	done := make(chan error, 1)
	go func() {
		defer func() {
			switch r := recover().(type) {
			case nil:
			case cleanupFailure:
				done <- errors.New(r.msg)
			default:
				done <- fmt.Errorf("cleanup failed: %v", firstLine(fmt.Sprint(r)))
			}
		}()
		done <- fn(ctx)
	}()
	select {
	case err = <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("cleanup did not finish in time: %w", ctx.Err())
	}
}

// Records names real records of the target for requests: the emulator's
// come from its state (conformance.StoreRecords), a live target's are
// found with read operations (conformance.FindRecords: a client and a
// server device, a line item with copies left and its entitlement, an
// entitlement with nothing fulfilled, an active fulfilment, an account, a
// user, a product, a license model). They are read once per run, before
// any spec runs, so nothing a spec writes is among them. A live target
// names no Login: it would be the run's own password.
func (e *Env) Records() conformance.Records {
	_ = e.loadRecords()
	return e.records
}

// findTimeout bounds the discovery of a live target's records, in units
// of the per-call timeout (it makes a few dozen calls at most).
const findTimeout = 4

// loadRecords reads the target's records once; the error (a live target
// that cannot be reached or refuses the credentials) stops the run before
// any spec.
func (e *Env) loadRecords() error {
	e.recordsOnce.Do(func() {
		if e.emu != nil {
			e.records = conformance.StoreRecords(e.emu.Store())
			e.records.Login = &conformance.Login{User: e.user, Password: e.password}
			return
		}
		ctx, cancel := context.WithTimeout(e.ctx, findTimeout*e.cfg.Timeout)
		defer cancel()
		e.records, e.recordsErr = conformance.FindRecords(ctx, e.client, e.base, e.soapCredentials())
	})
	return e.recordsErr
}

// soapCredentials are the credentials of SOAP calls.
func (e *Env) soapCredentials() soap.Credentials {
	if e.token != "" {
		return soap.Bearer(string(e.token))
	}
	return soap.Basic(e.user, string(e.password))
}

// Target is the run's target as the conformance sweep sees it: on the
// emulator a fresh emulator per service version (EmulatorConfig), so the
// writes of one version never change another's answers and golden files
// stay stable whatever the order; a live target is shared.
func (e *Env) Target() conformance.Target {
	if e.emu != nil {
		return conformance.Emulators(e.EmulatorConfig())
	}
	return liveTarget{e}
}

type liveTarget struct{ e *Env }

func (t liveTarget) Name() string { return t.e.base }

func (t liveTarget) Open(context.Context, schemas.Version) (conformance.Session, error) {
	return liveSession(t), nil
}

type liveSession struct{ e *Env }

func (s liveSession) BaseURL() string               { return s.e.base }
func (s liveSession) Credentials() soap.Credentials { return s.e.soapCredentials() }
func (s liveSession) Close(context.Context) error   { return nil }
func (s liveSession) String() string                { return "live session " + s.e.base }
func (s liveSession) GoString() string              { return s.String() }
func (s liveSession) Records(context.Context) (conformance.Records, error) {
	return s.e.Records(), nil
}
