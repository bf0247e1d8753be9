// Package calloutclient is the emulator's side of the capability request
// callout: it POSTs the documented JSON to <URL>/<trigger point>, bounds
// the wait, validates the answer against that trigger point's schema
// (internal/callout), and applies the configured failure mode when the
// callout times out, fails or answers something the contract does not
// allow. It records the time spent for the Server-Timing header (through
// op.AddTiming) and the emulator's metrics. The ops packages see it only
// through a small interface (devices.Callout), so they know no HTTP.
package calloutclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fnokit/fnokit/internal/callout"
	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/emulator/metrics"
	"github.com/fnokit/fnokit/internal/emulator/op"
	"github.com/fnokit/fnokit/internal/loopback"
)

// DefaultTimeout bounds one callout exchange when Config gives none.
const DefaultTimeout = 2 * time.Second

// TimingName is the Server-Timing metric name of the time spent in callouts.
const TimingName = "callout"

// FailureMode is what the emulator does with a capability request when
// the callout cannot give a usable answer.
type FailureMode string

const (
	// FailDeny answers the device with FAILURE (fail closed), the default:
	// a producer relying on its callout to deny hosts must not see them
	// served because the callout was down.
	FailDeny FailureMode = "deny"
	// FailAllow goes on as if the callout had answered {} (fail open).
	FailAllow FailureMode = "allow"
)

// ParseFailureMode reads deny or allow.
func ParseFailureMode(s string) (FailureMode, error) {
	switch FailureMode(s) {
	case FailDeny, FailAllow:
		return FailureMode(s), nil
	}
	return "", errors.New("callout failure mode is deny or allow")
}

// Config configures the client.
type Config struct {
	// URL is the callout's base URL; the trigger point name is appended.
	URL string
	// AllowRemote permits a URL whose host is not loopback.
	AllowRemote bool
	// Triggers are the trigger points switched on; empty means all three.
	Triggers []callout.TriggerPoint
	// HostDetails and AddOnDetails are FNO's Callout Includes Host Details
	// and Callout Includes Add-on Details.
	HostDetails, AddOnDetails bool
	// Timeout bounds one exchange (0: DefaultTimeout).
	Timeout time.Duration
	// Failure is the failure mode ("": FailDeny).
	Failure FailureMode
	// HTTP is the client used (nil: a dedicated client with keep-alive).
	HTTP *http.Client
	// Metrics, if set, receives the callout durations.
	Metrics *metrics.Emulator
	// Logger receives failures (never payload values); nil discards.
	Logger *slog.Logger
}

// Client calls the callout. Safe for concurrent use.
type Client struct {
	cfg  Config
	base string
	on   map[callout.TriggerPoint]bool
	http *http.Client
	log  *slog.Logger
}

// New checks cfg and makes the client.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("callout URL must be an absolute http or https URL")
	}
	if !cfg.AllowRemote && !loopback.Host(u.Hostname()) {
		return nil, errors.New("callout URL is not a loopback address; pass --callout-allow-remote to call another host")
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("callout timeout cannot be negative")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Failure == "" {
		cfg.Failure = FailDeny
	}
	if _, err := ParseFailureMode(string(cfg.Failure)); err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, base: strings.TrimRight(cfg.URL, "/"), on: map[callout.TriggerPoint]bool{}, http: cfg.HTTP, log: cfg.Logger}
	if len(cfg.Triggers) == 0 {
		cfg.Triggers = callout.TriggerPoints()
	}
	for _, tp := range cfg.Triggers {
		if _, err := callout.ParseTriggerPoint(string(tp)); err != nil {
			return nil, err
		}
		c.on[tp] = true
	}
	if c.http == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		// A callout never redirects: following one could leave loopback.
		c.http = &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// On reports whether trigger point tp is switched on.
func (c *Client) On(tp callout.TriggerPoint) bool { return c.on[tp] }

// HostDetails reports whether requests carry the host details.
func (c *Client) HostDetails() bool { return c.cfg.HostDetails }

// AddOnDetails reports whether requests carry the add-on details.
func (c *Client) AddOnDetails() bool { return c.cfg.AddOnDetails }

// Error is a callout that gave no usable answer, with the failure mode
// FailDeny. Its message names the trigger point and the kind of failure,
// never a payload value.
type Error struct {
	Trigger callout.TriggerPoint
	Kind    string // timeout, unreachable, status, content-type, invalid, not-allowed, canceled
}

func (e *Error) Error() string {
	return fmt.Sprintf("the capability request callout at %s gave no usable answer (%s); the emulator denies the request (callout failure mode deny)", e.Trigger, e.Kind)
}

// Call sends req at trigger point tp and returns the callout's validated
// answer. When the callout fails it returns an *Error with FailDeny, and
// an empty answer (no action) with FailAllow. A request whose own context
// ends returns the context's error whatever the mode.
func (c *Client) Call(ctx context.Context, tp callout.TriggerPoint, req *callout.Request) (callout.Response, error) {
	resp, d, kind := c.exchange(ctx, tp, req)
	op.AddTiming(ctx, TimingName, d)
	outcome := kind
	if outcome == "" {
		outcome = "ok"
	}
	if c.cfg.Metrics != nil {
		c.cfg.Metrics.Callout.ObserveDuration(d, string(tp), outcome)
	}
	if kind == "" {
		return resp, nil
	}
	if err := ctx.Err(); err != nil {
		return callout.Response{}, err
	}
	c.log.Warn("capability request callout failed", "trigger", string(tp), "kind", kind, "mode", string(c.cfg.Failure))
	if c.cfg.Failure == FailAllow {
		return callout.Response{}, nil
	}
	return callout.Response{}, &Error{Trigger: tp, Kind: kind}
}

// exchange is one POST; kind is "" on success, else the failure's kind.
// d is the time spent in the callout: from sending the request to having
// read the answer (encoding the request and validating the answer are the
// emulator's own time, not the callout's).
func (c *Client) exchange(ctx context.Context, tp callout.TriggerPoint, req *callout.Request) (resp callout.Response, d time.Duration, kind string) {
	body, err := json.Marshal(req)
	if err != nil {
		return callout.Response{}, 0, "invalid-request"
	}
	start := time.Now()
	defer func() {
		if d == 0 {
			d = time.Since(start)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/"+string(tp), bytes.NewReader(body))
	if err != nil {
		return callout.Response{}, d, "unreachable"
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	res, err := c.http.Do(hr)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return callout.Response{}, d, "timeout"
		}
		return callout.Response{}, d, "unreachable"
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, callout.MaxBody+1))
	d = time.Since(start)
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return callout.Response{}, d, "timeout"
	case err != nil:
		return callout.Response{}, d, "unreachable"
	case len(data) > callout.MaxBody:
		return callout.Response{}, d, "too-large"
	case res.StatusCode != http.StatusOK:
		return callout.Response{}, d, "status"
	}
	if mt, _, err := mime.ParseMediaType(res.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return callout.Response{}, d, "content-type"
	}
	findings, err := callout.ValidateResponse(tp, data)
	if err != nil {
		return callout.Response{}, d, "invalid"
	}
	if len(findings) > 0 {
		for _, f := range findings {
			if f.Rule != contract.RuleCalloutActionAllowed {
				return callout.Response{}, d, "invalid"
			}
		}
		return callout.Response{}, d, "not-allowed"
	}
	var out callout.Response
	if err := json.Unmarshal(data, &out); err != nil {
		return callout.Response{}, d, "invalid"
	}
	return out, d, ""
}
