// Package notify is the emulator's Event Notification Service
// (schemas/rest/notification.yaml): the REST API that configures device
// event notifications, and the deliveries of device events to the
// configured webhook.
//
// Routes (all under Prefix):
//
//	GET   /notifications/api/v1/authenticate         Basic or Fno credentials → {"token": JWT} (60 min)
//	GET   /notifications/api/v1/notificationService  the configuration (404 before the first POST)
//	POST  /notifications/api/v1/notificationService  configure (201 the first time, 200 after: replaced)
//	PATCH /notifications/api/v1/notificationService  merge the given properties (200)
//	GET   /notifications/health/status               {"status": "UP"}, no authentication
//
// The seed says only that deviceSubscription ("set to true") and
// deviceWehookUrl were added to /notificationService and which changes to
// a license server trigger an event (seed 002 lines 315-331); everything
// else is the contract's inference EN-1..EN-14 (see
// schemas/rest/NOTES-notification-beta-callout.md), followed here:
// authenticate is GET, like the registry's (seed 001 lines 2556-2567; EN-1);
// the notificationService routes need "Authorization: Bearer <JWT>"
// (missing, expired, forged or another API's token → 401); flags are JSON
// booleans or the strings "true"/"false" (EN-9); both spellings of the
// device webhook URL are accepted and answered under the name used (EN-7);
// PATCH merges (EN-5); unknown properties are ignored (EN-11); secrets
// (basicPassword, authToken) are never answered (EN-2). Errors are JSON
// {"message": ...} naming fields, never values: 400 invalid configuration,
// 401, 404 unknown path, 405, 413, 415.
//
// Emulator decisions, not documented by the vendor:
//   - Webhook URLs must be absolute http(s) URLs (EN-10) naming a loopback
//     host (127.0.0.0/8, ::1, localhost) unless Config.AllowRemoteWebhooks;
//     the dialer enforces the same rule on every connection.
//   - Device writes made over SOAP produce events too (issue #5; the help
//     says web-service changes do not trigger notifications, see the NOTES'
//     "Unclear" list), but only for license servers (class SERVER, local or
//     cloud): the seed lists changes to a license server (002 lines
//     317-325).
//   - One event per POST, application/json, any 2xx acknowledges (EN-8);
//     CREATE for a new device, UPDATE for every other change (EN-12). The
//     emulator adds headers X-Fnokit-Event-Id, X-Fnokit-Event-Kind (the
//     state's kind: created, moved, lineItemsMapped, deleted, ...) and
//     X-Fnokit-Attempt, so a test can tell the changes apart.
//   - The body's fields (EN-14) are filled as inferred from their names:
//     deviceName is the device's name (alias), owner its sold-to account
//     ID, identity its publisher identity, siteName, deploymentType and
//     hostType as stored (null when empty); id is null as in every sample,
//     and eventHeader has no userId (the state does not know who wrote).
//   - Events wait in a bounded queue (full: dropped and counted) for one
//     delivery worker by default, which keeps them in order. Each attempt
//     has a timeout; failures (network error, timeout, non-2xx, redirect)
//     are retried with exponential backoff a bounded number of times, then
//     the event is marked failed. Every attempt goes to a bounded delivery
//     log (no payload), served as JSON by AdminHandler at AdminPath since
//     the contract has no such route.
package notify

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/restkit"
	"github.com/fnokit/fnokit/internal/emulator/state"
)

// Prefix is the path below which every route of the API lives.
const Prefix = "/notifications/"

// The routes of notification.yaml, and the emulator's delivery log.
const (
	PathAuthenticate = "/notifications/api/v1/authenticate"
	PathService      = "/notifications/api/v1/notificationService"
	PathHealth       = "/notifications/health/status"
	AdminPath        = "/fnokit/admin/notifications/deliveries"
)

// Defaults for the zero fields of Config.
const (
	DefaultWebhookTimeout = 3 * time.Second
	DefaultRetries        = 2
	DefaultBackoff        = 500 * time.Millisecond
	DefaultQueueSize      = 256
	DefaultLogSize        = 1000
	DefaultTokenTTL       = 60 * time.Minute // the JWT lifetime the guide gives (seed 001 line 2574, the registry's)
	DefaultTenant         = "FNOKIT"
	DefaultMaxBody        = 1 << 20
	// MaxBackoff caps the wait between two attempts.
	MaxBackoff = 30 * time.Second
	// MaxRetries caps Config.Retries.
	MaxRetries = 10
	// MaxWorkers caps Config.Workers.
	MaxWorkers = 16
)

// Audience is the audience of the API's tokens; a token of another API
// (another audience or key) is refused.
const Audience = "notification"

// Config configures the service. Store and Auth are required.
type Config struct {
	Store *state.Store
	// Auth checks the credentials given to /authenticate in constant time
	// (server.Matcher of the emulator's user).
	Auth func(user, password string) bool
	// Seed derives the token signing key (restkit.KeyFromSeed), so a
	// seeded emulator issues the same tokens every run.
	Seed int64
	// MaxBody bounds a request body in bytes (0: DefaultMaxBody).
	MaxBody int64
	// Now is the emulator's clock for tokens and the delivery log (nil:
	// time.Now). Event time stamps come from the store's clock.
	Now func() time.Time
	// WebhookTimeout bounds one delivery attempt, connection included
	// (0: DefaultWebhookTimeout).
	WebhookTimeout time.Duration
	// Retries is the number of attempts after the first failed one
	// (0: DefaultRetries; negative: none; at most MaxRetries).
	Retries int
	// Backoff is the wait before the first retry, doubled for each next
	// one up to MaxBackoff (0: DefaultBackoff).
	Backoff time.Duration
	// QueueSize bounds the events waiting for delivery (0: DefaultQueueSize).
	QueueSize int
	// LogSize bounds the delivery log's entries (0: DefaultLogSize).
	LogSize int
	// Workers deliver in parallel (0: 1, which keeps events in order).
	Workers int
	// AllowRemoteWebhooks accepts webhook URLs of hosts other than
	// loopback ones.
	AllowRemoteWebhooks bool
	// Tenant is eventHeader.tenant (0: DefaultTenant).
	Tenant string
	// TokenTTL is the lifetime of issued tokens (0: DefaultTokenTTL).
	TokenTTL time.Duration
	// Realm is announced in the Basic challenge of /authenticate.
	Realm string
	// Logger receives failed and dropped deliveries at Warn and every
	// attempt at Debug; never payloads or secrets. Nil discards.
	Logger *slog.Logger
	// Client sends the webhook requests (tests). Nil: a client of the
	// service's own whose dialer enforces the loopback rule and which
	// follows no redirect.
	Client *http.Client
}

// Service is the Event Notification Service. It is safe for concurrent use.
type Service struct {
	cfg        Config
	log        *slog.Logger
	tokens     *restkit.Tokens
	client     *http.Client
	ownsClient bool

	mu       sync.Mutex     // guards settings, version and unlisten
	settings map[string]any // nil: never configured
	version  uint64
	unlisten func() // cancels the store listener; nil when not listening
	sub      atomic.Pointer[subscription]

	queue   chan job
	ctx     context.Context // cancelled by Close: stops the workers
	stop    context.CancelFunc
	wg      sync.WaitGroup
	closed  atomic.Bool
	closing sync.Once

	dlog  *deliveryLog
	stats stats
}

// New builds the service and starts its delivery workers; Close stops them.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Auth == nil {
		return nil, errors.New("emulator notify: a store and an auth check are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.WebhookTimeout <= 0 {
		cfg.WebhookTimeout = DefaultWebhookTimeout
	}
	switch {
	case cfg.Retries == 0:
		cfg.Retries = DefaultRetries
	case cfg.Retries < 0:
		cfg.Retries = 0
	case cfg.Retries > MaxRetries:
		return nil, errors.New("emulator notify: at most 10 retries")
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.LogSize <= 0 {
		cfg.LogSize = DefaultLogSize
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.Workers > MaxWorkers {
		return nil, errors.New("emulator notify: at most 16 delivery workers")
	}
	if cfg.Tenant == "" {
		cfg.Tenant = DefaultTenant
	}
	if cfg.TokenTTL <= 0 {
		cfg.TokenTTL = DefaultTokenTTL
	}
	if cfg.Realm == "" {
		cfg.Realm = "FlexNet Operations Event Notification Service (fnokit emulator)"
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		cfg:    cfg,
		log:    log,
		tokens: restkit.NewTokens(restkit.KeyFromSeed(cfg.Seed, Audience), "fnokit-emulator", cfg.Now),
		client: cfg.Client,
		queue:  make(chan job, cfg.QueueSize),
		dlog:   newDeliveryLog(cfg.LogSize),
	}
	if s.client == nil {
		s.client, s.ownsClient = newClient(cfg.WebhookTimeout, cfg.AllowRemoteWebhooks), true
	}
	s.ctx, s.stop = context.WithCancel(context.Background())
	for range cfg.Workers {
		s.wg.Add(1)
		go s.worker()
	}
	return s, nil
}

// errNotLoopback is a connection to a remote host refused by the dialer.
var errNotLoopback = errors.New("the webhook host is not a loopback address")

// newClient is the webhook client: no proxy, no redirects, and (unless
// remote webhooks are allowed) connections to loopback addresses only,
// checked on the resolved address so a name cannot lead elsewhere.
func newClient(timeout time.Duration, allowRemote bool) *http.Client {
	d := &net.Dialer{Timeout: timeout}
	if !allowRemote {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return errNotLoopback
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return errNotLoopback
			}
			return nil
		}
	}
	return &http.Client{
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         d.DialContext,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     30 * time.Second,
			TLSHandshakeTimeout: timeout,
		},
		// A redirect is an answer, not a delivery: following it could
		// leave loopback or repeat the POST somewhere unexpected.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Handler serves the API's routes (mount it at Prefix).
func (s *Service) Handler() http.Handler { return http.HandlerFunc(s.serveAPI) }

// AdminHandler serves the delivery log at AdminPath (GET, the emulator
// user's Basic credentials).
func (s *Service) AdminHandler() http.Handler { return http.HandlerFunc(s.serveAdmin) }

// Close stops listening to the store, cancels the deliveries in flight,
// and waits for the workers until ctx ends (then it returns ctx's error;
// the workers, already cancelled, finish on their own). Events still
// queued are dropped and counted. Close is idempotent.
func (s *Service) Close(ctx context.Context) error {
	s.closing.Do(func() {
		s.closed.Store(true)
		s.mu.Lock()
		if s.unlisten != nil {
			s.unlisten()
			s.unlisten = nil
		}
		s.mu.Unlock()
		s.stop()
	})
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	// Nothing reads the queue any more: what is left is dropped.
	for drained := false; !drained; {
		select {
		case j := <-s.queue:
			s.stats.dropped.Add(1)
			s.dlog.add(s.entry(j, 0, "dropped", "closed", 0, 0))
		default:
			drained = true
		}
	}
	if s.ownsClient {
		s.client.CloseIdleConnections()
	}
	return nil
}
