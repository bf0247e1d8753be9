// Command fnokit tests FlexNet Operations web services against their
// contracts. See README.md, or run 'fnokit help'.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/fnokit/fnokit/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
