package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/fnokit/fnokit/internal/conformance"
	"github.com/fnokit/fnokit/internal/migrate"
	"github.com/fnokit/fnokit/internal/report"
	"github.com/fnokit/fnokit/internal/soap"
)

const migrateSynopsis = `migrate --service <Service> --from <version> --to <version> [flags]

The version-migration check: what moving a client from one service version
to the next changes for it. Prints the schema diff of the two versions
(as 'fnokit schemas diff --service'), then replays the old version's
requests — its golden requests (--golden) where an operation has some,
else its valid request sample (--samples) — against the new version with
the namespace rewritten, and says for each whether it still validates
against the new WSDL, whether the new version answers it successfully,
and which diff rules touch it (what to change). A request the new version
fails is sent unchanged to the old one too: failing there as well, it is
inconclusive, not blamed on the migration.

The target is a fresh in-process emulator per version (loopback, the seed
and data set of the golden files), or --target URL with credentials from
FNOKIT_USER and FNOKIT_PASSWORD, or FNOKIT_TOKEN (never printed); there,
only read operations are sent unless --allow-writes.

  fnokit migrate --service ManageDeviceService --from v6 --to v7

Exits 2 when a replayed request needs a change or the diff breaks (see
--fail-on), 3 when a request could not be replayed, 0 otherwise.`

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const envToken = "FNOKIT_TOKEN"
	fs := newFlags("migrate", migrateSynopsis, stderr)
	var o outputFlags
	o.register(fs)
	service := fs.String("service", "", "the `service`, e.g. ManageDeviceService (required)")
	from := fs.String("from", "", "the `version` the client uses now: base, v1, … (required)")
	to := fs.String("to", "", "the `version` it moves to (required)")
	target := fs.String("target", "", "a live FNO `URL` (scheme://host[:port]) instead of the in-process emulator")
	allowWrites := fs.Bool("allow-writes", false, "send write operations to the --target too (the emulator always gets them)")
	goldenDir := fs.String("golden", "golden", "the golden files `folder` whose requests are replayed")
	samplesDir := fs.String("samples", filepath.Join("schemas", "testdata"), "the request samples `folder`, for operations without golden requests")
	pos, code, ok := parseInterspersed(fs, args)
	if !ok {
		return code
	}
	failOn, err := o.check()
	switch {
	case err != nil:
		return usageError(stderr, fs, "%v", err)
	case len(pos) > 0:
		return usageError(stderr, fs, "migrate takes flags only (got %d argument(s))", len(pos))
	case *service == "" || *from == "" || *to == "":
		return usageError(stderr, fs, "--service, --from and --to are required")
	case *allowWrites && *target == "":
		return usageError(stderr, fs, "--allow-writes is for a --target: the emulator always gets writes")
	}
	if st, err := os.Stat(*samplesDir); err != nil || !st.IsDir() {
		return cannotRun(stderr, fmt.Errorf("request samples folder %s not found", *samplesDir), "run fnokit from the repository root, or pass --samples (the layout of schemas/testdata)")
	}

	opts := migrate.Options{Service: *service, From: *from, To: *to, Golden: *goldenDir, Samples: *samplesDir,
		Live: *target != "", AllowWrites: *allowWrites}
	tgt := conformance.Emulators(conformance.EmulatorConfig())
	if *target != "" {
		user, password, token := os.Getenv(envUser), os.Getenv(envPassword), os.Getenv(envToken)
		var creds soap.Credentials
		switch {
		case token != "" && (user != "" || password != ""):
			return usageError(stderr, fs, "set %s and %s, or %s, not both", envUser, envPassword, envToken)
		case token != "":
			creds = soap.Bearer(token)
		case user != "" && password != "":
			creds = soap.Basic(user, password)
		default:
			return usageError(stderr, fs, "a --target needs credentials: %s and %s, or %s", envUser, envPassword, envToken)
		}
		if tgt, err = migrate.LiveTarget(*target, creds); err != nil {
			return usageError(stderr, fs, "--target: %v", err)
		}
	}

	start := time.Now()
	r, err := migrate.Run(ctx, tgt, opts)
	if err != nil {
		hint := "the services and their versions are the folders of schemas/soap (see schemas/soap/VERSIONS.md)"
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			hint = ""
		}
		return cannotRun(stderr, err, hint)
	}
	err = o.write(stdout,
		func(w io.Writer) error { return migrate.WriteText(w, r) },
		func(w io.Writer) error { return migrate.WriteJSON(w, r) },
		func() *report.Report { return migrate.Report(r, failOn, "fnokit migrate", Version, start) })
	if err != nil {
		return cannotRun(stderr, err, "check that the output folder exists and is writable")
	}
	if o.out != "" {
		fmt.Fprintf(stdout, "%d request(s): %d ok, %d needs-change, %d inconclusive, %d not-sent, %d error: %s\n", len(r.Cases),
			r.Count(migrate.OK), r.Count(migrate.NeedsChange), r.Count(migrate.Inconclusive), r.Count(migrate.NotSent), r.Count(migrate.Error), o.out)
	}
	switch {
	case r.Count(migrate.Error) > 0:
		return ExitCannotRun
	case r.Count(migrate.NeedsChange) > 0 || r.Diff.Fails(failOn):
		return ExitViolations
	}
	return ExitOK
}
