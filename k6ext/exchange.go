package fno

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"time"

	"go.k6.io/k6/lib"
	"go.k6.io/k6/lib/netext/httpext"
	"go.k6.io/k6/metrics"

	"github.com/fnokit/fnokit/internal/soap"
)

// request is one HTTP exchange a client makes through k6's HTTP stack.
type request struct {
	method string
	url    string
	body   []byte // nil: no body
	header http.Header
	creds  soap.Credentials
	// fnoTags are service/version/operation (version empty for REST).
	service, version, operation string
	// name, when set, is the k6 name tag (URLs that vary per request, such
	// as paged reports, would otherwise make one time series each).
	name   string
	params callParams
}

// outcome is what came back, plus the tags the request carried before k6
// added its system tags, for the extension's own samples.
type outcome struct {
	resp *httpext.Response
	body []byte
	tags metrics.TagsAndMeta
}

// expected2xx3xx is k6/http's default expected-response callback
// (http.expectedStatuses({min: 200, max: 399})), so http_req_failed means
// the same for FNO calls as for plain k6/http requests: a SOAP fault (HTTP
// 500) is a failed request.
func expected2xx3xx(status int) bool { return status >= 200 && status < 400 }

// do sends r with the VU's state: its transport (TLS config, dialer with
// blocked hosts and IPs, DNS), cookie jar, user agent, rps limit, throw
// option and tags. The returned error is non-nil only when k6's throw
// option is on and the request failed; otherwise a failure is in
// resp.Error.
func (c *client) do(state *lib.State, r *request) (*outcome, error) {
	u, err := httpext.NewURL(r.url, r.url)
	if err != nil {
		return nil, fmt.Errorf("%s %s: the URL built from options.baseURL is invalid", r.service, r.operation)
	}
	tm := state.Tags.GetCurrentValues()
	for k, v := range c.opts.tags {
		tm.SetTag(k, v)
	}
	tm.SetTag(TagService, r.service)
	if r.version != "" {
		tm.SetTag(TagVersion, r.version)
	}
	tm.SetTag(TagOperation, r.operation)
	for k, v := range r.params.tags {
		tm.SetTag(k, v)
	}
	if _, set := tm.Tags.Get(metrics.TagName.String()); !set && r.name != "" {
		tm.SetTag(metrics.TagName.String(), r.name)
	}
	own := metrics.TagsAndMeta{Tags: tm.Tags, Metadata: maps.Clone(tm.Metadata)}

	hdr := r.header
	if hdr == nil {
		hdr = make(http.Header, 4)
	}
	hdr.Set("User-Agent", state.Options.UserAgent.String)
	req := &http.Request{Method: r.method, URL: u.GetURL(), Header: hdr}
	r.creds.Apply(req)
	timeout := c.opts.timeout
	if r.params.timeout > 0 {
		timeout = r.params.timeout
	}
	preq := &httpext.ParsedHTTPRequest{
		URL:              &u,
		Req:              req,
		Timeout:          timeout,
		Throw:            state.Options.Throw.Bool,
		Redirects:        state.Options.MaxRedirects,
		Cookies:          map[string]*httpext.HTTPRequestCookie{},
		ResponseType:     httpext.ResponseTypeBinary,
		ResponseCallback: expected2xx3xx,
		TagsAndMeta:      tm,
	}
	if r.body != nil {
		preq.Body = bytes.NewBuffer(r.body)
	}
	if state.CookieJar != nil {
		preq.ActiveJar = state.CookieJar
		httpext.SetRequestCookies(req, state.CookieJar, preq.Cookies)
	}
	resp, err := httpext.MakeRequest(c.mi.vu.Context(), state, preq)
	if err != nil {
		return nil, err
	}
	body, _ := resp.Body.([]byte)
	return &outcome{resp: resp, body: body, tags: own}, nil
}

// push sends the extension's samples of one call, all with the call's tags
// (plus extra ones per sample where given).
func (c *client) push(state *lib.State, samples metrics.Samples) {
	if len(samples) > 0 {
		metrics.PushIfNotDone(c.mi.vu.Context(), state.Samples, samples)
	}
}

func sample(m *metrics.Metric, tags metrics.TagsAndMeta, now time.Time, v float64) metrics.Sample {
	return metrics.Sample{
		TimeSeries: metrics.TimeSeries{Metric: m, Tags: tags.Tags},
		Time:       now,
		Value:      v,
		Metadata:   tags.Metadata,
	}
}

// ms converts a duration to the float milliseconds k6's time trends hold.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
