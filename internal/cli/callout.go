package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/fnokit/fnokit/internal/callout"
)

const calloutSynopsis = "callout serve [flags] | callout check [flags] <URL>"

// runCallout is `fnokit callout`: the reference capability request callout
// (serve) and the contract test of a producer's callout (check).
func runCallout(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			return runCalloutServe(ctx, args[1:], stdout, stderr)
		case "check":
			return runCalloutCheck(ctx, args[1:], stdout, stderr)
		case "-h", "-help", "--help", "help":
			calloutUsage(stdout)
			return ExitOK
		}
	}
	calloutUsage(stderr)
	return ExitUsage
}

func calloutUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: fnokit %s\n\n", calloutSynopsis)
	fmt.Fprintln(w, "  serve   run the reference capability request callout (POST /finalizeHost, /checkAccess, /finalizeResponse)")
	fmt.Fprintln(w, "  check   contract-test the callout at URL: every trigger point, with and without host and add-on details")
	fmt.Fprintln(w, "\nRun 'fnokit callout <serve|check> --help' for their flags.")
}

// runCalloutServe serves the reference callout until SIGINT/SIGTERM (ctx
// ends), then shuts down; answers waiting out their latency end at once.
func runCalloutServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("callout serve", "callout serve [flags]", stderr)
	var (
		addr     = fs.String("addr", "127.0.0.1:8090", "listen address (host:port; :0 picks a free port)")
		latency  = fs.Duration("latency", 0, "fixed delay before each answer")
		jitter   = fs.Duration("jitter", 0, "random extra delay, uniform in [0, jitter)")
		seed     = fs.Int64("seed", 1, "seed of the jitter: the same seed gives the same delays")
		rules    = fs.String("rules", "", "JSON file of the actions to answer, one section per trigger point (default: no action, {})")
		maxBody  = fs.Int64("max-body", callout.MaxBody, "largest request body in bytes; beyond it 413")
		drainFor = fs.Duration("shutdown-timeout", 5*time.Second, "how long shutdown waits for answers in flight")
	)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "callout serve takes no arguments (got %d)", fs.NArg())
	}
	cfg := callout.Config{Latency: *latency, Jitter: *jitter, Seed: *seed, MaxBody: *maxBody}
	if *rules != "" {
		f, err := os.Open(*rules)
		if err != nil {
			return cannotRun(stderr, fmt.Errorf("--rules: %w", err), "")
		}
		cfg.Rules, err = callout.LoadRules(f)
		f.Close()
		if err != nil {
			return cannotRun(stderr, fmt.Errorf("--rules %s: %w", *rules, err), "")
		}
	}
	srv, err := callout.NewServer(cfg)
	if err != nil {
		return usageError(stderr, fs, "%v", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return cannotRun(stderr, fmt.Errorf("listen on %s: %w", *addr, err), "pick another --addr, or :0 for a free port")
	}
	fmt.Fprintf(stdout, "fnokit callout listening on http://%s\n", ln.Addr())
	fmt.Fprintf(stdout, "trigger points: POST http://%[1]s/finalizeHost, /checkAccess, /finalizeResponse (latency %[2]s + jitter [0, %[3]s))\n",
		ln.Addr(), *latency, *jitter)
	return serveUntilDone(ctx, ln, srv, *drainFor, stdout, stderr)
}

// serveUntilDone serves h on ln until SIGINT/SIGTERM (ctx ends), then
// shuts down within drainFor. Handlers run on the server's own base
// context, cancelled at shutdown, so answers waiting out an injected
// latency give up at once.
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler, drainFor time.Duration, stdout, stderr io.Writer) int {
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-served:
		return cannotRun(stderr, err, "")
	}
	fmt.Fprintln(stdout, "shutting down")
	cancelBase()
	drainCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drainFor)
	defer cancel()
	if err := hs.Shutdown(drainCtx); err != nil {
		hs.Close()
		return cannotRun(stderr, err, "answers still running at the deadline were cut off")
	}
	return ExitOK
}

// runCalloutCheck contract-tests the callout at URL.
func runCalloutCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("callout check", "callout check [flags] <URL>", stderr)
	var (
		requests    = fs.Int("requests", callout.DefaultRequests, fmt.Sprintf("requests per trigger point, one at a time (1–%d)", callout.MaxRequests))
		timeout     = fs.Duration("timeout", callout.DefaultTimeout, "time each answer may take (at most 1m)")
		allowRemote = fs.Bool("allow-remote", false, "allow a URL whose host is not loopback (fnokit only sends load to its own machine unless told)")
		asJSON      = fs.Bool("json", false, "print the report as JSON")
	)
	// The URL may come before or after the flags.
	rest, code, ok := parseInterspersed(fs, args)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		return usageError(stderr, fs, "callout check takes one URL (got %d)", len(rest))
	}
	if *requests < 1 || *requests > callout.MaxRequests {
		return usageError(stderr, fs, "--requests must be 1–%d", callout.MaxRequests)
	}
	if *timeout <= 0 || *timeout > callout.MaxTimeout {
		return usageError(stderr, fs, "--timeout must be above 0 and at most %s", callout.MaxTimeout)
	}
	rep, err := callout.Check(ctx, callout.CheckConfig{URL: rest[0], Requests: *requests, Timeout: *timeout, AllowRemote: *allowRemote})
	if err != nil {
		return cannotRun(stderr, err, "")
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(calloutJSON(rep)); err != nil {
			return cannotRun(stderr, err, "")
		}
	} else {
		for _, f := range rep.Findings {
			fmt.Fprintln(stdout, f.String())
		}
		fmt.Fprintf(stdout, "%-17s %6s %8s %10s %10s %10s\n", "trigger point", "sent", "answered", "p50", "p90", "p99")
		for _, st := range rep.Stats {
			fmt.Fprintf(stdout, "%-17s %6d %8d %10s %10s %10s\n", st.Trigger, st.Sent, st.Answered,
				st.P50.Round(time.Microsecond), st.P90.Round(time.Microsecond), st.P99.Round(time.Microsecond))
		}
		if len(rep.Findings) == 0 {
			fmt.Fprintln(stdout, "ok: every answer is valid at its trigger point")
		} else {
			fmt.Fprintf(stdout, "%d finding(s)\n", len(rep.Findings))
		}
	}
	if rep.Findings.HasErrors() {
		return ExitViolations
	}
	return ExitOK
}

// calloutJSON is the --json shape: durations in milliseconds.
func calloutJSON(rep *callout.CheckReport) any {
	type stat struct {
		Trigger  callout.TriggerPoint `json:"trigger"`
		Sent     int                  `json:"sent"`
		Answered int                  `json:"answered"`
		P50      float64              `json:"p50Ms"`
		P90      float64              `json:"p90Ms"`
		P99      float64              `json:"p99Ms"`
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	out := struct {
		URL      string `json:"url"`
		Findings any    `json:"findings"`
		Stats    []stat `json:"stats"`
	}{URL: rep.URL, Findings: rep.Findings}
	if rep.Findings == nil {
		out.Findings = []any{}
	}
	for _, s := range rep.Stats {
		out.Stats = append(out.Stats, stat{s.Trigger, s.Sent, s.Answered, ms(s.P50), ms(s.P90), ms(s.P99)})
	}
	return out
}
