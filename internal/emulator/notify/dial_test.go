package notify

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The webhook client refuses to connect to a non-loopback address before
// any packet leaves (the dialer's Control runs before connect), whatever
// the URL's host is.
func TestClientDialsLoopbackOnly(t *testing.T) {
	t.Parallel()
	c := newClient(time.Second, false)
	defer c.CloseIdleConnections()
	// 192.0.2.1 is TEST-NET-1 (RFC 5737): nothing answers there anyway.
	resp, err := c.Post("http://192.0.2.1:9/hook", "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
		t.Fatal("the client reached a remote address")
	}
	if !errors.Is(err, errNotLoopback) {
		t.Errorf("error %v, want errNotLoopback", err)
	}
	s := &Service{ctx: t.Context()}
	if k := s.failureKind(t.Context(), err); k != "not-loopback" {
		t.Errorf("failure kind %q", k)
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	for url, want := range map[string]string{
		"http://127.0.0.1:8080/hooks":    "",
		"https://127.1.2.3/hooks":        "",
		"http://[::1]:9/h":               "",
		"http://LOCALHOST/h":             "",
		"http://user:pw@127.0.0.1/h?a=b": "",
		"http://0.0.0.0/h":               "loopback",
		"http://[::]/h":                  "loopback",
		"http://127.0.0.1.example.com/h": "loopback",
		"http://localhost.example/h":     "loopback",
		"HTTP://127.0.0.1/h":             "absolute http or https",
		"http:/127.0.0.1/h":              "absolute http or https",
		"http://127.0.0.1/h\u00a0x":      "white space",
		"http://%zz/h":                   "with a host",
	} {
		got := checkURL(url, false)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("checkURL(%q) = %q, want %q", url, got, want)
		}
	}
	if got := checkURL("https://hooks.example.com/d", true); got != "" {
		t.Errorf("a remote URL with remote webhooks allowed: %q", got)
	}
}

func TestSafeTarget(t *testing.T) {
	t.Parallel()
	if got := safeTarget("http://user:pw@127.0.0.1:9/a/b?sig=x#frag"); got != "http://127.0.0.1:9/a/b" {
		t.Errorf("safeTarget = %q", got)
	}
}
