package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/fnokit/fnokit/internal/contractgen"
)

// defaultSOAPDir is where the SOAP contract sources live in the repository.
const defaultSOAPDir = "schemas/soap"

func runSchemasGenerate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("schemas generate", "schemas generate [--check] [folder]\n\n"+
		"Generates one WSDL per version from every <folder>/<Service>/contract.yaml into\n"+
		"<folder>/<Service>/<version>/<Service>.wsdl, and removes generated WSDLs of versions\n"+
		"a contract no longer lists. The folder defaults to "+defaultSOAPDir+"; a folder that\n"+
		"holds soap/ (such as schemas) works too. With --check nothing is written: the\n"+
		"command lists the files that are out of date and exits 2 if there are any.", stderr)
	check := fs.Bool("check", false, "write nothing; exit 2 if a generated file is missing, out of date or stale")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 1 {
		if strings.HasPrefix(fs.Arg(1), "-") {
			return usageError(stderr, fs, "flags go before the folder: schemas generate --check %s", fs.Arg(0))
		}
		return usageError(stderr, fs, "give at most one folder")
	}
	dir := defaultSOAPDir
	if fs.NArg() == 1 {
		dir = soapDir(fs.Arg(0))
	}
	if ctx.Err() != nil {
		return cannotRun(stderr, ctx.Err(), "")
	}
	changes, err := contractgen.Plan(dir)
	if err != nil {
		var es contractgen.Errors
		if errors.As(err, &es) {
			fmt.Fprintf(stderr, "fnokit: %d problem(s) in the contract sources:\n", len(es))
			for _, e := range es {
				fmt.Fprintf(stderr, "  %s\n", e)
			}
			fmt.Fprintln(stderr, "hint: fix the contract.yaml lines above; the format is in schemas/soap/README.md")
			return ExitCannotRun
		}
		return cannotRun(stderr, err, "run from the repository root or name the folder holding <Service>/contract.yaml")
	}
	// Unused definitions do not stop the run; they are worth a look.
	if contracts, err := contractgen.Contracts(dir); err == nil {
		for _, c := range contracts {
			if unused := c.Unused(); len(unused) > 0 {
				fmt.Fprintf(stderr, "note: %s: used by no operation in any version, so never written: %s\n",
					filepath.ToSlash(c.File), strings.Join(unused, ", "))
			}
		}
	}
	if *check {
		for _, ch := range changes {
			fmt.Fprintf(stdout, "%-11s %s\n", ch.Action, filepath.ToSlash(ch.Path))
		}
		if len(changes) > 0 {
			fmt.Fprintf(stdout, "%d generated file(s) do not match their contract.yaml: run fnokit schemas generate and commit the result\n", len(changes))
			return ExitViolations
		}
		fmt.Fprintln(stdout, "generated WSDLs are up to date")
		return ExitOK
	}
	if err := contractgen.Apply(changes); err != nil {
		return cannotRun(stderr, err, "check that the folder is writable")
	}
	for _, ch := range changes {
		verb := "wrote  "
		if ch.Action == contractgen.Remove {
			verb = "removed"
		}
		fmt.Fprintf(stdout, "%s %s (%s)\n", verb, filepath.ToSlash(ch.Path), ch.Action)
	}
	fmt.Fprintf(stdout, "%d file(s) changed\n", len(changes))
	return ExitOK
}

// soapDir accepts the SOAP folder itself or a folder holding soap/ (the
// schemas folder), whichever has the contract sources.
func soapDir(dir string) string {
	if m, _ := filepath.Glob(filepath.Join(dir, "*", contractgen.SourceName)); len(m) > 0 {
		return dir
	}
	if st, err := os.Stat(filepath.Join(dir, "soap")); err == nil && st.IsDir() {
		return filepath.Join(dir, "soap")
	}
	return dir
}
