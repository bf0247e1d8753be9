package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/fnokit/fnokit/internal/atomicfile"
	"github.com/fnokit/fnokit/internal/compare"
	"github.com/fnokit/fnokit/internal/golden"
	"github.com/fnokit/fnokit/internal/report"
)

const compareSynopsis = `compare --baseline URL --candidate URL [flags]

Sends the same read requests to a baseline and a candidate target (say
production and the upgraded UAT tenant, or two emulators) and reports every
difference between the answers: HTTP status, statusInfo/status and SOAP
faults; contract findings on one side only (XSD, OpenAPI); and values, after
secrets are redacted and volatile fields normalised (golden/normalize.yaml).
The requests: every read operation (get*, search*, count*) of every selected
service version, from its request sample with records found on the baseline,
and the read routes of the application REST API.

Credentials come from the environment, never from flags: FNOKIT_USER and
FNOKIT_PASSWORD (HTTP Basic) or FNOKIT_TOKEN (Bearer) for both sides, or
FNOKIT_BASELINE_USER/_PASSWORD/_TOKEN and FNOKIT_CANDIDATE_… per side.

Exit 0 when the answers agree, 2 when they differ, 3 when the run could not
be made (a target unreachable, the credentials refused, a call unanswered).`

func runCompare(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("compare", compareSynopsis, stderr)
	baseline := fs.String("baseline", "", "the baseline target's base `URL` (e.g. https://prod.example.com)")
	candidate := fs.String("candidate", "", "the candidate target's base `URL`")
	services := fs.String("services", "", "only these SOAP services, a comma `list`; name "+compare.RESTAPI+" for the REST API (default: all, REST included)")
	versions := fs.String("versions", "", "only these SOAP versions, a comma `list` (e.g. base,v6,v7); the REST API is left out unless --services names it")
	format := fs.String("format", "text", "output `format`: text, json, junit or html")
	out := fs.String("out", "", "write the output to this `file` (replaced atomically) instead of stdout")
	schemasDir := fs.String("schemas", "schemas", "the contracts `folder`; request samples are read from <schemas>/testdata")
	samplesDir := fs.String("samples", "", "the request samples `folder` (default <schemas>/testdata)")
	goldenDir := fs.String("golden", "golden", "the golden `folder` whose normalize.yaml normalises the answers (built-in rules when it has none)")
	rulesFile := fs.String("rules", "", "a normalisation rules `file` instead of <golden>/normalize.yaml")
	timeout := fs.Duration("timeout", compare.DefaultTimeout, "bound on each HTTP call")
	maxDiffs := fs.Int("max-differences", compare.DefaultMaxDifferences, "differences listed per call; the rest are counted")
	diffs := fs.Bool("diff", false, "text format: print each differing call's unified diff too")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "compare takes no arguments, only flags")
	}
	if *baseline == "" || *candidate == "" {
		return usageError(stderr, fs, "give both --baseline and --candidate")
	}
	switch *format {
	case "text", "json", "junit", "html":
	default:
		return usageError(stderr, fs, "--format must be text, json, junit or html")
	}
	if *maxDiffs <= 0 || *timeout <= 0 {
		return usageError(stderr, fs, "--max-differences and --timeout must be positive")
	}
	bc, cc, err := compare.CredentialsFromEnv(os.Getenv)
	if err != nil {
		return usageError(stderr, fs, "%v", err)
	}
	opts := compare.Options{
		Samples:        *samplesDir,
		Services:       commaList(*services),
		Versions:       commaList(*versions),
		MaxDifferences: *maxDiffs,
		Timeout:        *timeout,
	}
	if opts.Samples == "" {
		opts.Samples = filepath.Join(*schemasDir, "testdata")
	}
	if opts.Rules, err = compareRules(*goldenDir, *rulesFile); err != nil {
		return cannotRun(stderr, err, "fix the normalisation rules file (format: golden/README.md)")
	}

	res, err := compare.Run(ctx, compare.Endpoint{URL: *baseline, Credentials: bc}, compare.Endpoint{URL: *candidate, Credentials: cc}, opts)
	if err != nil {
		var oe *compare.OptionsError
		if errors.As(err, &oe) {
			return usageError(stderr, fs, "%v", err)
		}
		hint := "check the URLs and that both targets answer"
		switch {
		case errors.Is(err, compare.ErrRefused):
			hint = "check FNOKIT_USER/FNOKIT_PASSWORD or FNOKIT_TOKEN (or the FNOKIT_BASELINE_… variables)"
		case errors.Is(err, compare.ErrNoSamples):
			hint = "run fnokit from the repository root, or pass --samples (the layout of schemas/testdata)"
		}
		return cannotRun(stderr, err, hint)
	}

	var buf bytes.Buffer
	switch *format {
	case "text":
		err = compare.WriteText(&buf, res, *diffs)
	case "json":
		err = compare.WriteJSON(&buf, res)
	case "junit":
		err = report.WriteJUnit(&buf, compare.Report(res, "fnokit", Version))
	case "html":
		err = report.WriteHTML(&buf, compare.Report(res, "fnokit", Version))
	}
	if err != nil {
		return cannotRun(stderr, fmt.Errorf("write the %s output: %w", *format, err), "")
	}
	if *out != "" {
		if err := atomicfile.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
			return cannotRun(stderr, err, "")
		}
	} else if _, err := stdout.Write(buf.Bytes()); err != nil {
		return cannotRun(stderr, err, "")
	}
	t := res.Totals()
	if *out != "" || *format != "text" {
		fmt.Fprintf(stderr, "fnokit compare: %d call(s), %d differ with %d difference(s), %d not compared; %s\n",
			t.Calls, t.Differing, t.Differences, t.Errors, res.Duration.Round(time.Millisecond))
	}
	switch {
	case t.Differing > 0:
		return ExitViolations
	case t.Errors > 0:
		return ExitCannotRun
	}
	return ExitOK
}

// compareRules loads the normalisation rules: the file given, or the golden
// folder's rules file, or the built-in defaults when the folder has none.
func compareRules(goldenDir, file string) (*golden.Rules, error) {
	if file != "" {
		if _, err := os.Stat(file); err != nil {
			return nil, fmt.Errorf("rules file %s not found", file)
		}
		return golden.LoadRules(file)
	}
	s, err := golden.Open(goldenDir)
	if err != nil {
		return nil, err
	}
	return s.Rules, nil
}
