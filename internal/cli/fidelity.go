package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fnokit/fnokit/internal/schemadiff"
	"github.com/fnokit/fnokit/internal/sharedref"
)

const fidelitySynopsis = `schemas fidelity [--reference DIR] [--soap DIR]

Compares our generated WSDLs with the vendor's reference WSDLs of the same
service and version, structurally, from every operation ours defines: element
names, order, types, cardinalities, nillable, enumerations, extension bases.
Prints each difference; exits 2 when there is one.`

func runSchemasFidelity(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("schemas fidelity", fidelitySynopsis, stderr)
	ref := fs.String("reference", "", "the reference WSDL `folder` (<version>/<Service>.wsdl); default ../shared/reference/fno-wsdl")
	soapDir := fs.String("soap", filepath.Join("schemas", "soap"), "our SOAP contracts `folder`")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(stderr, fs, "fidelity takes flags only")
	}
	if *ref == "" {
		*ref = sharedref.WSDLDir()
		if *ref == "" {
			return cannotRun(stderr, errors.New("no reference WSDLs: ../shared/reference/fno-wsdl is not beside the repository"),
				"pass --reference DIR or set FNOKIT_SHARED")
		}
	}
	for _, d := range []string{*ref, *soapDir} {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return cannotRun(stderr, fmt.Errorf("folder %s not found", d), "")
		}
	}
	n, err := schemadiff.Fidelity(*soapDir, *ref, stdout)
	if err != nil {
		return cannotRun(stderr, err, "")
	}
	if n > 0 {
		fmt.Fprintf(stdout, "%d differences from the reference WSDLs\n", n)
		return ExitViolations
	}
	fmt.Fprintln(stdout, "no differences from the reference WSDLs")
	return ExitOK
}
