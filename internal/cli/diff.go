package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fnokit/fnokit/internal/atomicfile"
	"github.com/fnokit/fnokit/internal/report"
	"github.com/fnokit/fnokit/internal/versiondiff"
)

const diffSynopsis = `schemas diff [flags] <old> <new>
       schemas diff [flags] --service <Service> --from <version> --to <version>

Compares two versions of a contract from the client's point of view and
judges every added, removed or changed operation, element, type,
cardinality, enumeration value and namespace breaking, needs-attention or
non-breaking, separately for requests and responses (rules and reasons:
schemas/DIFF-RULES.md).

<old> and <new> are two files (.wsdl, .xsd, or OpenAPI .yaml/.json, the
latter compared with oasdiff) or two folders of them, matched by file name.
--service/--from/--to compares two versions embedded in fnokit:
  fnokit schemas diff --service ManageDeviceService --from v6 --to v7

Exits 2 when a change breaks (or, with --fail-on needs-attention, needs
attention), 0 otherwise.`

// outputFlags are the output options diff and migrate share.
type outputFlags struct {
	format, out, failOn string
}

func (o *outputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.format, "format", "text", "output `format`: text, json, junit or html")
	fs.StringVar(&o.out, "out", "", "write the output to `file` (replaced atomically) instead of stdout")
	fs.StringVar(&o.failOn, "fail-on", versiondiff.Breaking.String(), "exit 2 from this `level` up: breaking or needs-attention")
}

// check validates the flags; it returns the fail-on level.
func (o *outputFlags) check() (versiondiff.Level, error) {
	switch o.format {
	case "text", "json", "junit", "html":
	default:
		return 0, fmt.Errorf("--format %q: use text, json, junit or html", o.format)
	}
	l, err := versiondiff.ParseLevel(o.failOn)
	if err != nil || l == versiondiff.NonBreaking {
		return 0, fmt.Errorf("--fail-on %q: use breaking or needs-attention", o.failOn)
	}
	return l, nil
}

// write renders the output in the chosen format to --out or stdout: text
// and json with their own writers, junit and html through internal/report.
func (o *outputFlags) write(stdout io.Writer, text, asJSON func(io.Writer) error, rep func() *report.Report) error {
	render := func(w io.Writer) error {
		switch o.format {
		case "json":
			return asJSON(w)
		case "junit":
			return report.WriteJUnit(w, rep())
		case "html":
			return report.WriteHTML(w, rep())
		}
		return text(w)
	}
	if o.out == "" {
		return render(stdout)
	}
	return atomicfile.Write(o.out, 0o644, render)
}

func runSchemasDiff(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("schemas diff", diffSynopsis, stderr)
	var o outputFlags
	o.register(fs)
	service := fs.String("service", "", "compare two embedded versions of this `service` (with --from and --to)")
	from := fs.String("from", "", "the old `version` of --service (base, v1, …)")
	to := fs.String("to", "", "the new `version` of --service")
	pos, code, ok := parseInterspersed(fs, args)
	if !ok {
		return code
	}
	failOn, err := o.check()
	if err != nil {
		return usageError(stderr, fs, "%v", err)
	}
	embedded := *service != "" || *from != "" || *to != ""
	switch {
	case embedded && len(pos) > 0:
		return usageError(stderr, fs, "give two paths or --service/--from/--to, not both")
	case embedded && (*service == "" || *from == "" || *to == ""):
		return usageError(stderr, fs, "--service, --from and --to go together")
	case !embedded && len(pos) != 2:
		return usageError(stderr, fs, "give the old and the new file or folder (got %d argument(s))", len(pos))
	}
	start := time.Now()
	var r versiondiff.Result
	if embedded {
		r, err = versiondiff.CompareEmbedded(*service, *from, *to)
	} else {
		r, err = versiondiff.ComparePaths(pos[0], pos[1])
	}
	if err != nil {
		hint := "check both paths: files of one kind, or two folders"
		if embedded {
			hint = "the services and their versions are the folders of schemas/soap (see schemas/soap/VERSIONS.md)"
		}
		var pe *os.PathError
		if errors.As(err, &pe) {
			hint = "check the path"
		}
		return cannotRun(stderr, err, hint)
	}
	err = o.write(stdout,
		func(w io.Writer) error { return versiondiff.WriteText(w, r) },
		func(w io.Writer) error { return versiondiff.WriteJSON(w, r) },
		func() *report.Report { return versiondiff.Report(r, failOn, "fnokit schemas diff", Version, start) })
	if err != nil {
		return cannotRun(stderr, err, "check that the output folder exists and is writable")
	}
	if o.out != "" {
		c := r.Counts()
		fmt.Fprintf(stdout, "%d breaking, %d needs-attention, %d non-breaking: %s\n",
			c[versiondiff.Breaking], c[versiondiff.NeedsAttention], c[versiondiff.NonBreaking], o.out)
	}
	if r.Fails(failOn) {
		return ExitViolations
	}
	return ExitOK
}
