// Package cli is the fnokit command line: one file per command, each a
// function from (ctx, args, stdout, stderr) to an exit code, so every command
// can be tested without a process. cmd/fnokit only wires it to os.Args.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Exit codes, the same for every command.
const (
	ExitOK         = 0 // everything checked, nothing violated
	ExitUsage      = 1 // the command line was wrong
	ExitViolations = 2 // checks ran and found contract violations
	ExitCannotRun  = 3 // a check could not run (missing file, broken schema load, network)
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"bench", "run a k6 scenario (bin/k6 with k6/x/fno) against the emulator or a target; compare with a baseline", runBench},
		{"callout", "capability request callout: serve the reference callout, check a producer's", runCallout},
		{"check", "run the contract checks and write reports/ (the main job)", runCheck},
		{"compare", "differential run: the same reads against a baseline and a candidate, every difference", runCompare},
		{"golden", "golden files: record them from a target, diff two trees or a tree and a target", runGolden},
		{"migrate", "version migration: the schema diff and the old version's requests replayed against the new", runMigrate},
		{"validate", "validate SOAP or JSON messages against an XSD, WSDL or OpenAPI document", runValidate},
		{"producer", "serve the reference ID and licence generators the emulator can call", runProducer},
		{"schemas", "work with schemas: lint, generate, fidelity, diff", runSchemas},
		{"serve", "run the FNO emulator (SOAP services of every version, seeded data)", runServe},
		{"version", "print the fnokit version", runVersion},
	}
}

// Version is set at build time with -ldflags "-X …/cli.Version=…".
var Version = "dev"

// Run is the whole command line: it dispatches args[0] to a subcommand.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return ExitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		if len(args) > 1 {
			return Run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		usage(stdout)
		return ExitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "fnokit: unknown command %q\n\n", args[0])
	usage(stderr)
	return ExitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "fnokit — contract tests and load for FlexNet Operations web services")
	fmt.Fprintln(w, "\nUsage: fnokit <command> [flags] [args]")
	fmt.Fprintln(w, "\nCommands:")
	cs := commands()
	sort.Slice(cs, func(i, j int) bool { return cs[i].name < cs[j].name })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'fnokit <command> --help' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 ok, 1 usage, 2 violations found, 3 could not run.")
}

// newFlags makes a flag set that reports to stderr and never exits.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("fnokit "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: fnokit %s\n", synopsis)
		var any bool
		fs.VisitAll(func(*flag.Flag) { any = true })
		if any {
			fmt.Fprintln(stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args and says which exit code to use if it failed:
// asking for help is not an error.
func parseFlags(fs *flag.FlagSet, args []string) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, false
		}
		return ExitUsage, false
	}
	return ExitOK, true
}

// parseInterspersed parses flags that may come before, between or after the
// positional arguments (fnokit schemas diff old new --format json; the flag
// package alone stops at the first positional one).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, int, bool) {
	var pos []string
	for {
		if code, ok := parseFlags(fs, args); !ok {
			return nil, code, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, ExitOK, true
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), ExitOK, true
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// runSubcommands runs the subcommand args name of the command name, which
// is made of subcommands only (their summaries are not used).
func runSubcommands(ctx context.Context, name, synopsis string, subs []command, args []string, stdout, stderr io.Writer) int {
	fs := newFlags(name, synopsis, stderr)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	names := make([]string, len(subs))
	for i, c := range subs {
		names[i] = c.name
	}
	if fs.NArg() == 0 {
		last := len(names) - 1
		return usageError(stderr, fs, "%s needs a subcommand: %s or %s", name, strings.Join(names[:last], ", "), names[last])
	}
	for _, c := range subs {
		if c.name == fs.Arg(0) {
			return c.run(ctx, fs.Args()[1:], stdout, stderr)
		}
	}
	return usageError(stderr, fs, "unknown %s subcommand %q (known: %s)", name, fs.Arg(0), strings.Join(names, ", "))
}

// commaList splits a comma list (a flag or variable naming several
// things), trimming items and dropping empty ones.
func commaList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// usageError prints a usage problem with the command's synopsis.
func usageError(stderr io.Writer, fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(stderr, "fnokit: "+format+"\n\n", args...)
	fs.Usage()
	return ExitUsage
}

// cannotRun prints why a command could not run and what to do about it.
func cannotRun(stderr io.Writer, err error, hint string) int {
	msg := strings.TrimSpace(err.Error())
	fmt.Fprintf(stderr, "fnokit: %s\n", msg)
	if hint != "" {
		fmt.Fprintf(stderr, "hint: %s\n", hint)
	}
	return ExitCannotRun
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("version", "version", stderr)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	fmt.Fprintf(stdout, "fnokit %s\n", Version)
	return ExitOK
}
