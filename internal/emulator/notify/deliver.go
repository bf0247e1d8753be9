package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/state"
)

// job is one device event on its way to the subscription it matched when
// it happened (a later configuration change does not redirect it).
type job struct {
	ev  state.DeviceEvent
	sub *subscription
}

// eventID names an event in the log and the X-Fnokit-Event-Id header.
func (j job) eventID() string { return "device-" + strconv.FormatUint(j.ev.Seq, 10) }

// eventType is eventHeader.eventType (EN-12).
func (j job) eventType() string {
	if j.ev.Kind == state.EventCreated {
		return "CREATE"
	}
	return "UPDATE"
}

// onDevice is the store listener. It runs in the writer's goroutine, so
// it never blocks: a full queue drops the event.
func (s *Service) onDevice(ev state.DeviceEvent) {
	sub := s.sub.Load()
	if sub == nil || s.closed.Load() || ev.Device.Class != state.Server {
		return
	}
	j := job{ev: ev, sub: sub}
	select {
	case s.queue <- j:
		s.stats.queued.Add(1)
	default:
		n := s.stats.dropped.Add(1)
		s.dlog.add(s.entry(j, 0, "dropped", "queue-full", 0, 0))
		if n&(n-1) == 0 { // the 1st, 2nd, 4th, 8th ...: a full queue must not flood the log
			s.log.Warn("device event dropped: the delivery queue is full", "event", j.eventID(), "target", sub.target, "dropped", n)
		}
	}
}

func (s *Service) worker() {
	defer s.wg.Done()
	for {
		select {
		case <-s.ctx.Done():
			return
		case j := <-s.queue:
			s.deliver(j)
		}
	}
}

// deliver makes up to 1+Retries attempts, waiting Backoff, 2×Backoff, …
// (at most MaxBackoff) between them.
func (s *Service) deliver(j job) {
	body, err := json.Marshal(s.payload(j.ev))
	if err != nil { // cannot happen with these types; never retry it
		s.stats.failed.Add(1)
		s.dlog.add(s.entry(j, 0, "failed", "encode", 0, 0))
		return
	}
	wait := s.cfg.Backoff
	attempts := 1 + s.cfg.Retries
	for attempt := 1; attempt <= attempts; attempt++ {
		if attempt > 1 {
			t := time.NewTimer(wait)
			select {
			case <-s.ctx.Done():
				t.Stop()
				s.stats.dropped.Add(1)
				s.dlog.add(s.entry(j, attempt, "dropped", "closed", 0, 0))
				return
			case <-t.C:
			}
			wait = min(2*wait, MaxBackoff)
		}
		start := time.Now()
		code, kind := s.attempt(j, body, attempt)
		took := time.Since(start)
		s.stats.attempts.Add(1)
		switch {
		case kind == "":
			s.stats.delivered.Add(1)
			s.dlog.add(s.entry(j, attempt, "delivered", "", code, took))
			s.log.Debug("device event delivered", "event", j.eventID(), "target", j.sub.target, "attempt", attempt, "status", code)
			return
		case kind == "closed":
			s.stats.dropped.Add(1)
			s.dlog.add(s.entry(j, attempt, "dropped", kind, code, took))
			return
		case attempt < attempts:
			s.dlog.add(s.entry(j, attempt, "retrying", kind, code, took))
			s.log.Debug("device event delivery failed; retrying", "event", j.eventID(), "target", j.sub.target, "attempt", attempt, "error", kind, "status", code)
		default:
			s.stats.failed.Add(1)
			s.dlog.add(s.entry(j, attempt, "failed", kind, code, took))
			s.log.Warn("device event not delivered", "event", j.eventID(), "target", j.sub.target, "attempts", attempt, "error", kind, "status", code)
		}
	}
}

// attempt POSTs the event once, within WebhookTimeout. It returns the
// status code (0 without an answer) and the kind of failure ("" for a
// delivery).
func (s *Service) attempt(j job, body []byte, n int) (int, string) {
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.sub.url, bytes.NewReader(body))
	if err != nil {
		return 0, "bad-url"
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "fnokit-emulator notify")
	h.Set("X-Fnokit-Event-Id", j.eventID())
	h.Set("X-Fnokit-Event-Kind", string(j.ev.Kind))
	h.Set("X-Fnokit-Attempt", strconv.Itoa(n))
	switch j.sub.authType {
	case "basic":
		req.SetBasicAuth(j.sub.user, j.sub.password)
	case "bearer":
		h.Set("Authorization", "Bearer "+j.sub.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, s.failureKind(ctx, err)
	}
	// Read a little of the answer so the connection can be reused, no more.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, "status"
	}
	return resp.StatusCode, ""
}

// failureKind names a failed exchange for the log without its details
// (which could carry the URL and so a secret in it).
func (s *Service) failureKind(ctx context.Context, err error) string {
	var nerr net.Error
	switch {
	case s.ctx.Err() != nil:
		return "closed"
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.As(err, &nerr) && nerr.Timeout():
		return "timeout"
	case errors.Is(err, errNotLoopback):
		return "not-loopback"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "reset"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "dns"
	}
	return "network"
}

// notification is the webhook body (notification.yaml
// DeviceEventNotification).
type notification struct {
	EventHeader eventHeader `json:"eventHeader"`
	EventBody   deviceBody  `json:"eventBody"`
}

type eventHeader struct {
	Event     string `json:"event"`
	EventType string `json:"eventType"`
	Tenant    string `json:"tenant"`
	TimeStamp string `json:"timeStamp"` // epoch milliseconds (EN-13)
}

// deviceBody has the fields of the help's sample (EN-14). The state does
// not know who made a change, so eventHeader has no userId.
type deviceBody struct {
	DeviceName     *string `json:"deviceName"` // the device's name (alias)
	DeviceID       string  `json:"deviceId"`
	Version        string  `json:"version"`
	ID             *string `json:"id"` // null in every sample
	SiteName       *string `json:"siteName"`
	Owner          *string `json:"owner"`    // sold-to account ID
	Identity       *string `json:"identity"` // publisher identity (inferred from the name)
	DeploymentType *string `json:"deploymentType"`
	HostType       *string `json:"hostType"`
}

func (s *Service) payload(ev state.DeviceEvent) notification {
	d := ev.Device
	return notification{
		EventHeader: eventHeader{
			Event: "DEVICE", EventType: job{ev: ev}.eventType(), Tenant: s.cfg.Tenant,
			TimeStamp: strconv.FormatInt(ev.Time.UnixMilli(), 10),
		},
		EventBody: deviceBody{
			DeviceName: orNull(d.Alias), DeviceID: d.DeviceID, Version: "1.0",
			SiteName: orNull(d.SiteName), Owner: orNull(ev.Account), Identity: orNull(d.Publisher),
			DeploymentType: orNull(d.Deployment), HostType: orNull(d.HostType),
		},
	}
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
