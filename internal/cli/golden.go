package cli

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/fnokit/fnokit/internal/report"
	"github.com/fnokit/fnokit/internal/suite"
)

const goldenSynopsis = `golden record [flags] | golden diff [flags] DIR_A DIR_B | golden diff --target URL

  record  runs the contract suites against a target (the in-process
          emulator by default, or --target URL with FNOKIT_USER and
          FNOKIT_PASSWORD, or FNOKIT_TOKEN) in update mode: every golden
          case a spec compares is rewritten from the target's answer,
          redacted (passwords, tokens, Authorization) before anything
          reaches disk; volatile fields are normalised when compared
          (golden/normalize.yaml), not when recorded. Review with
          git diff golden/ (or fnokit golden diff) before committing.
  diff    shows what changed between two golden trees, or between golden/
          and a target's current answers.`

// runGolden dispatches the golden subcommands.
func runGolden(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runSubcommands(ctx, "golden", goldenSynopsis, []command{
		{name: "record", run: goldenRecord},
		{name: "diff", run: goldenDiff},
	}, args, stdout, stderr)
}

const goldenRecordSynopsis = `golden record [flags]

Runs the suites against the target in update mode and rewrites the golden
files of every spec that compares one (the same filters as check):

  fnokit golden record                                    # the emulator
  fnokit golden record --services ManageDevice --versions v7
  FNOKIT_USER=… FNOKIT_PASSWORD=… fnokit golden record --target https://uat.example.com --golden golden-uat

Secrets are redacted before anything is written. Against a live target
only kind:read specs run unless --allow-writes.

Exit 0 when the recording ran (whatever changed), 2 when a spec failed for
another reason than its golden file (a schema finding, a behaviour check),
3 when it could not run.`

func goldenRecord(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("golden record", goldenRecordSynopsis, stderr)
	schemasDir := fs.String("schemas", "schemas", "the contracts `folder` (its testdata holds the request samples)")
	goldenDir := fs.String("golden", "golden", "the golden files `folder` to write")
	reportsDir := fs.String("reports", "reports", "where to write the run's reports")
	var sf suiteFlags
	sf.register(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "golden record takes no arguments, only flags")
	}
	if sf.drift != "" {
		return usageError(stderr, fs, "--drift breaks the answers on purpose: never record them")
	}
	opts, err := sf.options(*schemasDir, *goldenDir, true)
	if err != nil {
		return usageError(stderr, fs, "%v", err)
	}
	if err := os.MkdirAll(*goldenDir, 0o755); err != nil {
		return cannotRun(stderr, err, "")
	}
	before, err := snapshot(*goldenDir)
	if err != nil {
		return cannotRun(stderr, err, "")
	}
	start := time.Now()
	out, err := suite.Run(opts)
	if err != nil {
		return cannotRun(stderr, err, "")
	}
	after, err := snapshot(*goldenDir)
	if err != nil {
		return cannotRun(stderr, err, "")
	}
	if err := report.WriteAll(*reportsDir, out.Report); err != nil {
		return cannotRun(stderr, err, "check that "+*reportsDir+" is writable")
	}
	added, changed := 0, 0
	var files []string
	for f, h := range after {
		switch old, ok := before[f]; {
		case !ok:
			added++
			files = append(files, "added   "+f)
		case old != h:
			changed++
			files = append(files, "changed "+f)
		}
	}
	sort.Strings(files)
	fmt.Fprintln(stdout)
	for _, f := range files {
		fmt.Fprintln(stdout, f)
	}
	t := out.Report.Totals()
	fmt.Fprintf(stdout, "%d specs: %d passed, %d failed, %d skipped, %d errors (%s); golden files in %s: %d added, %d changed\n",
		t.Cases, t.Passed, t.Failed, t.Skipped, t.Errors, time.Since(start).Round(time.Millisecond), *goldenDir, added, changed)
	if added+changed > 0 {
		fmt.Fprintf(stdout, "review: git diff %s (or fnokit golden diff)\n", *goldenDir)
	}
	switch {
	case out.Interrupted || t.Errors > 0:
		return ExitCannotRun
	case t.Failed > 0:
		return ExitViolations
	}
	return ExitOK
}

// snapshot hashes every file below dir, by slash path relative to it.
func snapshot(dir string) (map[string][32]byte, error) {
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = sha256.Sum256(data)
		return nil
	})
	return out, err
}
