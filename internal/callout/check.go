package callout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/loopback"
)

// Bounds of a check: it is a contract test, not a load test.
const (
	DefaultRequests = 20               // per trigger point
	MaxRequests     = 10000            // per trigger point
	DefaultTimeout  = 2 * time.Second  // per request
	MaxTimeout      = 60 * time.Second // per request
)

// CheckConfig says which callout to test and how hard.
type CheckConfig struct {
	// URL is the configured callout URL; the trigger point is appended.
	URL string
	// Requests per trigger point (0: DefaultRequests), cycling through
	// Samples; at most MaxRequests.
	Requests int
	// Timeout per request (0: DefaultTimeout); at most MaxTimeout.
	Timeout time.Duration
	// AllowRemote lets URL name a host that is not loopback. Off by
	// default: fnokit only sends load to machines it runs on unless told.
	AllowRemote bool
	// Client sends the requests (nil: a client of its own).
	Client *http.Client
}

// TriggerStats are one trigger point's figures.
type TriggerStats struct {
	Trigger  TriggerPoint  `json:"trigger"`
	Sent     int           `json:"sent"`
	Answered int           `json:"answered"` // an HTTP answer of any status, within the timeout
	P50      time.Duration `json:"p50"`
	P90      time.Duration `json:"p90"`
	P99      time.Duration `json:"p99"`
}

// CheckReport is what a check found.
type CheckReport struct {
	URL      string            `json:"url"`
	Findings contract.Findings `json:"findings"`
	Stats    []TriggerStats    `json:"stats"`
}

// Check sends the documented requests to every trigger point of the
// callout at cfg.URL, one at a time, and validates each answer: status
// 200, Content-Type application/json, the trigger point's response
// schema. Findings are the violations (each once, however often it
// recurred); an error means the check could not run (bad URL, refused
// remote host, nothing listening).
func Check(ctx context.Context, cfg CheckConfig) (*CheckReport, error) {
	base, err := checkURL(cfg.URL, cfg.AllowRemote)
	if err != nil {
		return nil, err
	}
	n := cfg.Requests
	if n == 0 {
		n = DefaultRequests
	}
	if n < 0 || n > MaxRequests {
		return nil, fmt.Errorf("callout check: requests per trigger point must be 1–%d", MaxRequests)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if timeout < 0 || timeout > MaxTimeout {
		return nil, fmt.Errorf("callout check: the timeout must be above 0 and at most %s", MaxTimeout)
	}
	client := cfg.Client
	if client == nil {
		client = &http.Client{
			Transport:     &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 1, DisableCompression: true},
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
		defer client.CloseIdleConnections()
	}

	report := &CheckReport{URL: base.Redacted()}
	seen := map[contract.Finding]bool{}
	add := func(f contract.Finding) {
		if !seen[f] {
			seen[f] = true
			report.Findings = append(report.Findings, f)
		}
	}
	samples := Samples()
	for _, tp := range TriggerPoints() {
		var mine []Sample
		for _, s := range samples {
			if s.Trigger == tp {
				mine = append(mine, s)
			}
		}
		u := *base
		u.Path = strings.TrimRight(u.Path, "/") + "/" + string(tp)
		st := TriggerStats{Trigger: tp}
		var took []time.Duration
		for i := range n {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("callout check interrupted: %w", err)
			}
			s := mine[i%len(mine)]
			st.Sent++
			d, fs, err := exchange(ctx, client, u.String(), timeout, s)
			if err != nil {
				return nil, err
			}
			if d >= 0 {
				st.Answered++
				took = append(took, d)
			}
			for _, f := range fs {
				add(f)
			}
		}
		slices.Sort(took)
		st.P50, st.P90, st.P99 = percentile(took, 50), percentile(took, 90), percentile(took, 99)
		report.Stats = append(report.Stats, st)
	}
	report.Findings.Sort()
	return report, nil
}

// exchange sends one sample and judges the answer. d is the time to the
// whole answer, or -1 when there was none.
func exchange(ctx context.Context, client *http.Client, target string, timeout time.Duration, s Sample) (time.Duration, contract.Findings, error) {
	name := s.Name()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(s.Body))
	if err != nil {
		return -1, nil, fmt.Errorf("callout check: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := client.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
		resp.Body.Close()
	}
	took := time.Since(start)
	if err != nil {
		switch {
		case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
			return -1, contract.Findings{contract.New(contract.RuleCalloutTimeout, name, "",
				fmt.Sprintf("no complete answer within %s", timeout))}, nil
		case unreachable(err):
			return -1, nil, fmt.Errorf("callout check: nothing answers at the callout URL: %w", err)
		}
		if pe := context.Cause(ctx); pe != nil && !errors.Is(pe, context.DeadlineExceeded) {
			return -1, nil, fmt.Errorf("callout check interrupted: %w", pe)
		}
		return -1, contract.Findings{contract.New(contract.RuleCalloutTransport, name, "",
			"the connection broke before a complete HTTP answer")}, nil
	}
	var out contract.Findings
	if resp.StatusCode != http.StatusOK {
		out = append(out, contract.New(contract.RuleCalloutStatus, name, "",
			fmt.Sprintf("answered HTTP %d, want 200", resp.StatusCode)))
		return took, out, nil
	}
	if !isJSON(resp.Header.Get("Content-Type")) {
		out = append(out, contract.New(contract.RuleCalloutContentType, name, "",
			"the answer's Content-Type is not application/json"))
	}
	fs, err := ValidateResponse(s.Trigger, body)
	if err != nil {
		return took, nil, err
	}
	return took, append(out, fs.WithTarget(name)...), nil
}

// unreachable is true when the error says nothing listens at the address
// or the name does not resolve: the check cannot run at all.
func unreachable(err error) bool {
	var dns *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &dns)
}

// checkURL parses the callout URL and refuses non-loopback hosts unless
// allowed.
func checkURL(raw string, allowRemote bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("callout check: the URL must be absolute, http:// or https://host[:port][/base path]")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("callout check: the URL must not carry a query or fragment: the trigger point is appended to its path")
	}
	if !allowRemote && !loopback.Host(u.Hostname()) {
		return nil, fmt.Errorf("callout check: %s is not a loopback address; pass --allow-remote to test a callout on another machine", u.Hostname())
	}
	return u, nil
}

// percentile is the nearest-rank percentile of sorted durations; 0 when
// there are none.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}
