package compare

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/fnokit/fnokit/internal/xmltree"
)

// maxBody bounds a request or response body a run keeps: the sweep's own
// limit (the parsers' default), far above a 2000-record read batch.
const maxBody = 64 << 20

// capture is an http.RoundTripper that keeps every SOAP answer it carries,
// so a comparison can look at the bodies the conformance sweep (which keeps
// only statuses and findings) received. Calls are told apart by endpoint
// path and request payload element: SOAPAction is "" for every FNO
// operation, and the same element name serves several services.
type capture struct {
	base http.RoundTripper
	mu   sync.Mutex
	got  []captured
}

type captured struct {
	path    string
	payload xmltree.Name // the request payload element
	status  int
	header  http.Header
	body    []byte
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(io.LimitReader(req.Body, maxBody+1))
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read the request: %w", err)
		}
		reqBody = b
		r2 := req.Clone(req.Context())
		r2.Body = io.NopCloser(bytes.NewReader(b))
		r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
		r2.ContentLength = int64(len(b))
		req = r2
	}
	resp, err := c.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read the response: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) <= maxBody {
		c.mu.Lock()
		c.got = append(c.got, captured{path: req.URL.Path, payload: payloadName(reqBody), status: resp.StatusCode, header: resp.Header.Clone(), body: body})
		c.mu.Unlock()
	}
	return resp, nil
}

// find returns the answer to the request with payload element input sent
// to a path ending in endpoint.
func (c *capture) find(endpoint string, input xml.Name) (captured, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	want := xmltree.Name{Space: input.Space, Local: input.Local}
	for _, g := range c.got {
		if endpoint != "" && strings.HasSuffix(g.path, endpoint) && g.payload == want {
			return g, true
		}
	}
	return captured{}, false
}

// payloadName is the first element of a SOAP request's Body.
func payloadName(b []byte) xmltree.Name {
	n, err := xmltree.ParseBytes(b, xmltree.Limits{MaxBytes: maxBody})
	if err != nil {
		return xmltree.Name{}
	}
	if body := n.Child("Body"); body != nil && len(body.Children) > 0 {
		return body.Children[0].Name
	}
	return xmltree.Name{}
}
