package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fnokit/fnokit/internal/callout"
)

func runCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCalloutUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"callout"}, ExitUsage},
		{[]string{"callout", "bogus"}, ExitUsage},
		{[]string{"callout", "--help"}, ExitOK},
		{[]string{"callout", "serve", "--help"}, ExitOK},
		{[]string{"callout", "check", "--help"}, ExitOK},
		{[]string{"callout", "check"}, ExitUsage},
		{[]string{"callout", "check", "http://127.0.0.1:1", "http://127.0.0.1:2"}, ExitUsage},
		{[]string{"callout", "check", "--requests", "0", "http://127.0.0.1:1"}, ExitUsage},
		{[]string{"callout", "check", "http://127.0.0.1:1", "--timeout", "2h"}, ExitUsage},
		{[]string{"callout", "serve", "--latency", "-1ms"}, ExitUsage},
		{[]string{"callout", "serve", "extra"}, ExitUsage},
		{[]string{"callout", "serve", "--rules", filepath.Join("testdata", "no-such-rules.json")}, ExitCannotRun},
	} {
		if code, out, errs := runCLI(tc.args...); code != tc.code {
			t.Errorf("%q: exit %d, want %d\n%s%s", tc.args, code, tc.code, out, errs)
		}
	}
}

func TestCalloutCheckRefusesRemote(t *testing.T) {
	t.Parallel()
	code, _, errs := runCLI("callout", "check", "http://192.0.2.1:8090/callout")
	if code != ExitCannotRun || !strings.Contains(errs, "--allow-remote") {
		t.Errorf("exit %d, want %d with a hint at --allow-remote:\n%s", code, ExitCannotRun, errs)
	}
}

func TestCalloutCheckReference(t *testing.T) {
	t.Parallel()
	srv, err := callout.NewServer(callout.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	code, out, errs := runCLI("callout", "check", ts.URL, "--requests", "4")
	if code != ExitOK {
		t.Fatalf("exit %d against the reference:\n%s%s", code, out, errs)
	}
	for _, tp := range callout.TriggerPoints() {
		if !regexp.MustCompile(`(?m)^` + string(tp) + `\s+4\s+4\s`).MatchString(out) {
			t.Errorf("no stats line for %s with 4 sent and answered:\n%s", tp, out)
		}
	}
}

// brokenCallout answers a forbidden action at checkAccess, malformed JSON
// at finalizeHost, and too late at finalizeResponse.
func brokenCallout(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body) // lets the server notice the caller leaving
	w.Header().Set("Content-Type", "application/json")
	switch path.Base(r.URL.Path) {
	case "checkAccess":
		w.Write([]byte(`{"hostActions":{"denyAccess":true,"hostType":"OTHER"}}`))
	case "finalizeHost":
		w.Write([]byte(`{"responseActions":`))
	default:
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
}

func TestCalloutCheckBroken(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(brokenCallout))
	defer ts.Close()
	code, out, errs := runCLI("callout", "check", "--json", "--requests", "2", "--timeout", "100ms", ts.URL)
	if code != ExitViolations {
		t.Fatalf("exit %d, want %d:\n%s%s", code, ExitViolations, out, errs)
	}
	var rep struct {
		Findings []struct{ Rule, Target, Location string } `json:"findings"`
		Stats    []struct {
			Trigger        string
			Sent, Answered int
		} `json:"stats"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	seen := map[string]bool{}
	for _, f := range rep.Findings {
		seen[strings.SplitN(f.Target, "/", 2)[0]+" "+f.Rule+" "+f.Location] = true
	}
	var got []string
	for k := range seen {
		got = append(got, k)
	}
	sort.Strings(got)
	want := "checkAccess callout-action-not-allowed /hostActions/hostType|finalizeHost json-malformed |finalizeResponse callout-timeout "
	if strings.Join(got, "|") != want {
		t.Errorf("findings %q\nwant %q", got, want)
	}
	if len(rep.Stats) != 3 || rep.Stats[2].Answered != 0 || rep.Stats[0].Sent != 2 {
		t.Errorf("stats %+v", rep.Stats)
	}
}

// `callout serve` with rules answers, `callout check` passes it, and a
// signal (ctx) shuts it down with exit 0.
func TestCalloutServeAndCheck(t *testing.T) {
	t.Parallel()
	rules := filepath.Join(t.TempDir(), "rules.json")
	if err := os.WriteFile(rules, []byte(`{"checkAccess":{"denyAccessHostIdPrefixes":["dev"]},"finalizeResponse":{"lifetime":30}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	codec := make(chan int, 1)
	go func() {
		codec <- Run(ctx, []string{"callout", "serve", "--addr", "127.0.0.1:0", "--latency", "1ms", "--jitter", "1ms", "--rules", rules}, stdout, stderr)
	}()
	re := regexp.MustCompile(`listening on (http://\S+)`)
	var url string
	for i := 0; url == ""; i++ {
		if m := re.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case code := <-codec:
			t.Fatalf("callout serve exited with %d:\n%s%s", code, stdout, stderr)
		default:
		}
		if i > 3000 {
			t.Fatal("callout serve did not start listening")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code, out, errs := runCLI("callout", "check", "--requests", "4", url); code != ExitOK {
		t.Errorf("check of callout serve: exit %d\n%s%s", code, out, errs)
	}
	resp, err := http.Post(url+"/checkAccess", "application/json", strings.NewReader(`{"requestInfo":{},"hostInfo":{"id":"dev1","idType":"STRING","hostClass":"CLIENT","hostType":"T"}}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"denyAccess":true`) {
		t.Errorf("the rules file was not applied: %s", body)
	}
	cancel()
	if code := <-codec; code != ExitOK {
		t.Errorf("exit %d after the signal:\n%s%s", code, stdout, stderr)
	}
}
