package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/fnokit/fnokit/internal/emulator/producer"
)

// runProducer is `fnokit producer serve`: the reference ID and licence
// generators (IdGeneratorService and LicenseGeneratorService per our
// contracts) that `fnokit serve --idgen-url/--licgen-url` can call.
func runProducer(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "serve" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(stdout, "Usage: fnokit producer serve [flags]\n\n  serve   run the reference ID and licence generators (SOAP, POST to any path)")
			return ExitOK
		}
		fmt.Fprintln(stderr, "Usage: fnokit producer serve [flags]")
		return ExitUsage
	}
	fs := newFlags("producer serve", "producer serve [flags]", stderr)
	var (
		addr     = fs.String("addr", "127.0.0.1:8091", "listen address (host:port; :0 picks a free port)")
		prefix   = fs.String("prefix", producer.DefaultReferencePrefix, "prefix of every generated ID (an FNO ID itself)")
		latency  = fs.Duration("latency", 0, "delay before each answer")
		drainFor = fs.Duration("shutdown-timeout", 5*time.Second, "how long shutdown waits for answers in flight")
	)
	if code, ok := parseFlags(fs, args[1:]); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "producer serve takes no arguments (got %d)", fs.NArg())
	}
	ref, err := producer.NewReference(producer.ReferenceConfig{Prefix: *prefix, Latency: *latency})
	if err != nil {
		return usageError(stderr, fs, "%v", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return cannotRun(stderr, fmt.Errorf("listen on %s: %w", *addr, err), "pick another --addr, or :0 for a free port")
	}
	fmt.Fprintf(stdout, "fnokit reference producer listening on http://%s (IdGeneratorService and LicenseGeneratorService at any path)\n", ln.Addr())
	return serveUntilDone(ctx, ln, ref, *drainFor, stdout, stderr)
}
