package cli

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/soap"
)

func TestServeUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	badJSON := write(t, dir, "faults.json", `{"rules":[{"drift":"sideways"}]}`)
	unknownField := write(t, dir, "faults2.json", `{"rulez":[]}`)
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"serve", "extra"}, ExitUsage, "takes no arguments"},
		{[]string{"serve", "--drift", "sideways"}, ExitUsage, "drift"},
		{[]string{"serve", "--error-rate", "2"}, ExitUsage, "between 0 and 1"},
		{[]string{"serve", "--error-rate", "0.5", "--error-kind", "teapot"}, ExitUsage, "http-500"},
		{[]string{"serve", "--fault-scope", "ManageDeviceService"}, ExitUsage, "without a fault"},
		{[]string{"serve", "--latency", "1s", "--fault-scope", "a/b/c/d"}, ExitUsage, "Service[/version[/operation]]"},
		{[]string{"serve", "--latency", "1s", "--fault-scope", "ManageDeviceService/v99"}, ExitUsage, "version"},
		{[]string{"serve", "--faults", badJSON}, ExitUsage, "sideways"},
		{[]string{"serve", "--faults", unknownField}, ExitUsage, "unknown field"},
		{[]string{"serve", "--faults", filepath.Join(dir, "missing.json")}, ExitUsage, "no such file"},
		{[]string{"serve", "--log-level", "loud"}, ExitUsage, "--log-level"},
		{[]string{"serve", "--devices", "-1"}, ExitUsage, "negative"},
		{[]string{"serve", "--extract-since", "yesterday"}, ExitUsage, "--extract-since"},
		{[]string{"serve", "--producer-failure", "maybe"}, ExitUsage, "deny or fallback"},
		{[]string{"producer"}, ExitUsage, "producer serve"},
		{[]string{"producer", "serve", "--prefix", "bad prefix!"}, ExitUsage, "prefix"},
		{[]string{"serve", "--notify-retries", "-1"}, ExitUsage, "negative"},
		{[]string{"serve", "--latency", "1s", "--fault-scope", "rest:extracts", "--drift", "rename"}, ExitUsage, "REST"},
		{[]string{"serve", "--help"}, ExitOK, "Usage: fnokit serve"},
		{[]string{"help"}, ExitOK, "serve"},
	}
	for _, c := range cases {
		code, out, errOut := run(t, c.args...)
		if code != c.code {
			t.Errorf("%v: exit %d, want %d\n%s%s", c.args, code, c.code, out, errOut)
		}
		if !strings.Contains(out+errOut, c.want) {
			t.Errorf("%v: output lacks %q:\n%s%s", c.args, c.want, out, errOut)
		}
	}
}

// syncBuffer lets the test read what serve writes while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type serving struct {
	url            string
	stdout, stderr *syncBuffer
	stop           func() int
}

// serve runs `fnokit serve` until stop, waiting (bounded) for its URL.
func serve(t *testing.T, args ...string) serving {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := serving{stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	codec := make(chan int, 1)
	go func() {
		codec <- Run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), s.stdout, s.stderr)
	}()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	for i := 0; ; i++ {
		if m := re.FindStringSubmatch(s.stdout.String()); m != nil {
			s.url = m[1]
			break
		}
		select {
		case code := <-codec:
			cancel()
			t.Fatalf("serve exited with %d before listening:\n%s%s", code, s.stdout, s.stderr)
		default:
		}
		if i > 3000 {
			cancel()
			t.Fatal("serve did not start listening")
		}
		time.Sleep(10 * time.Millisecond)
	}
	var once sync.Once
	code := -1
	s.stop = func() int {
		once.Do(func() { cancel(); code = <-codec })
		return code
	}
	t.Cleanup(func() { s.stop() })
	return s
}

var serveCount = contract.Operation{Service: "ManageDeviceService", Version: "v7", Name: "countDevices"}

func postStatus(t *testing.T, url string, creds soap.Credentials) int {
	t.Helper()
	req, err := soap.NewRequest(context.Background(), url, serveCount, `<urn:countDevicesRequest/>`, creds)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestServeRunsAndShutsDown(t *testing.T) {
	t.Parallel()
	const password = "pw-Serve-Test-1"
	s := serve(t, "--user", "ops", "--password", password, "--devices", "30", "--entitlements", "10", "--accounts", "4",
		"--latency", "1ms", "--fault-scope", "ManageDeviceService/v7", "--log-level", "debug")
	if !strings.Contains(s.stdout.String(), "endpoints: "+s.url+"/flexnet/services") {
		t.Errorf("no listing URL printed:\n%s", s.stdout)
	}
	resp, err := http.Get(s.url + "/flexnet/services")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("listing: %d", resp.StatusCode)
	}
	if got := postStatus(t, s.url, soap.Basic("ops", "nope")); got != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", got)
	}
	if got := postStatus(t, s.url, soap.Basic("ops", password)); got == http.StatusUnauthorized {
		t.Errorf("right password refused")
	}
	req, _ := http.NewRequest(http.MethodGet, s.url+"/fnokit/admin/faults", nil)
	req.SetBasicAuth("ops", password)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("admin: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	if code := s.stop(); code != ExitOK {
		t.Errorf("exit %d after the signal\n%s%s", code, s.stdout, s.stderr)
	}
	if !strings.Contains(s.stdout.String(), "shutting down") {
		t.Errorf("no shutdown message:\n%s", s.stdout)
	}
	if !strings.Contains(s.stderr.String(), "status=401") {
		t.Errorf("debug log lacks the request lines:\n%s", s.stderr)
	}
	if out := s.stdout.String() + s.stderr.String(); strings.Contains(out, password) {
		t.Errorf("the password was printed:\n%s", out)
	}
	if _, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://")); err == nil {
		t.Error("still listening after shutdown")
	}
}

// Credentials come from the environment when the flags leave them out,
// and --help never shows them.
func TestServeCredentialsFromEnvironment(t *testing.T) {
	const password = "env-Secret-77"
	t.Setenv(envUser, "envuser")
	t.Setenv(envPassword, password)
	if _, out, errOut := run(t, "serve", "--help"); strings.Contains(out+errOut, password) {
		t.Errorf("--help shows the password:\n%s%s", out, errOut)
	}
	s := serve(t, "--devices", "10", "--entitlements", "5", "--accounts", "2")
	if got := postStatus(t, s.url, soap.Basic("admin", "admin")); got != http.StatusUnauthorized {
		t.Errorf("the default credentials still work: %d", got)
	}
	if got := postStatus(t, s.url, soap.SOAPHeader("envuser", password)); got == http.StatusUnauthorized {
		t.Errorf("the environment's credentials are refused: %d", got)
	}
	if s.stop() != ExitOK {
		t.Errorf("exit:\n%s", s.stderr)
	}
}

func TestServeBusyPort(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, errOut := run(t, "serve", "--addr", ln.Addr().String(), "--devices", "5", "--entitlements", "5", "--accounts", "2")
	if code != ExitCannotRun || !strings.Contains(errOut, "--addr") {
		t.Errorf("busy port: exit %d\n%s", code, errOut)
	}
}
