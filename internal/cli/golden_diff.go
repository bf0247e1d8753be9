package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/fnokit/fnokit/internal/compare"
	"github.com/fnokit/fnokit/internal/golden"
)

const goldenDiffSynopsis = `golden diff [flags] DIR_A DIR_B
       fnokit golden diff [flags] --target URL

Shows what changed, after normalisation (normalize.yaml), as unified diffs
plus a summary:
  DIR_A DIR_B   between two golden trees, case by case (e.g. the committed
                golden/ and a fresh recording): changed, added (only in
                DIR_B) and removed (only in DIR_A) cases;
  --target URL  between golden/ (--golden) and the target's current answers:
                the recorded request of every case that only reads (SOAP
                read operations, the application REST API) is sent again
                and the answer compared with the recorded one. Cases that
                write are skipped: a golden diff never changes a target.
                Credentials: FNOKIT_USER and FNOKIT_PASSWORD, or FNOKIT_TOKEN.

Exit 0 when nothing changed, 2 when something did, 3 when a case could not
be compared.`

// goldenDiff is `fnokit golden diff`; the golden command dispatches its
// diff subcommand here.
func goldenDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("golden diff", goldenDiffSynopsis, stderr)
	target := fs.String("target", "", "compare golden/ with this target's current answers (base `URL`)")
	goldenDir := fs.String("golden", "golden", "with --target: the golden `folder`")
	rulesFile := fs.String("rules", "", "a normalisation rules `file` (default: the normalize.yaml of the (first) golden folder)")
	services := fs.String("services", "", "with --target: only the cases of these services or REST APIs, a comma `list`")
	versions := fs.String("versions", "", "with --target: only the cases of these versions, a comma `list`")
	contextLines := fs.Int("context", 3, "context `lines` of the unified diffs")
	timeout := fs.Duration("timeout", compare.DefaultTimeout, "with --target: bound on each HTTP call")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if *contextLines < 0 {
		return usageError(stderr, fs, "--context must not be negative")
	}
	var rules *golden.Rules
	if *rulesFile != "" {
		if _, err := os.Stat(*rulesFile); err != nil {
			return cannotRun(stderr, fmt.Errorf("rules file %s not found", *rulesFile), "")
		}
		r, err := golden.LoadRules(*rulesFile)
		if err != nil {
			return cannotRun(stderr, err, "fix the rules file (format: golden/README.md)")
		}
		rules = r
	}

	var (
		td  *compare.TreeDiff
		err error
	)
	switch {
	case *target != "" && fs.NArg() > 0:
		return usageError(stderr, fs, "give either two golden folders or --target, not both")
	case *target != "":
		creds, cerr := compare.EnvCredentials(os.Getenv, "")
		if cerr != nil {
			return usageError(stderr, fs, "%v", cerr)
		}
		store, oerr := golden.Open(*goldenDir)
		if oerr != nil {
			return cannotRun(stderr, oerr, "fix the normalisation rules file in "+*goldenDir)
		}
		if st, serr := os.Stat(*goldenDir); serr != nil || !st.IsDir() {
			return cannotRun(stderr, fmt.Errorf("golden folder %s not found", *goldenDir), "run fnokit from the repository root, or pass --golden")
		}
		if rules != nil {
			store.Rules = rules
		}
		td, err = compare.DiffTarget(ctx, store, compare.Endpoint{URL: *target, Credentials: creds}, compare.TargetOptions{
			Services: commaList(*services), Versions: commaList(*versions), Timeout: *timeout, Context: *contextLines,
		})
	case fs.NArg() == 2:
		if *services != "" || *versions != "" {
			return usageError(stderr, fs, "--services and --versions go with --target")
		}
		td, err = compare.DiffTrees(fs.Arg(0), fs.Arg(1), compare.TreeOptions{Rules: rules, Context: *contextLines})
	default:
		return usageError(stderr, fs, "give two golden folders, or --target URL")
	}
	if err != nil {
		return cannotRun(stderr, err, "")
	}
	if err := compare.WriteTreeDiff(stdout, td); err != nil {
		return cannotRun(stderr, err, "")
	}
	switch s := td.Summary(); {
	case td.HasDifferences():
		return ExitViolations
	case s.Errors > 0:
		return ExitCannotRun
	}
	return ExitOK
}
