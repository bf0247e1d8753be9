package schemadiff

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
)

// FidelityVersions are the versions with a public vendor WSDL, which our
// contracts must match structurally (issue 3).
var FidelityVersions = []string{"base", "v1", "v2", "v3"}

// Pair is one of our WSDLs and the vendor's reference WSDL of the same
// service and version.
type Pair struct {
	Service, Version string
	Ours, Reference  string
}

// ReferencePairs lists, for each service directory of soapDir and each of
// versions, our soapDir/<Service>/<version>/<Service>.wsdl that has a
// reference refDir/<version>/<Service>.wsdl, sorted by service then in
// versions order.
func ReferencePairs(soapDir, refDir string, versions []string) ([]Pair, error) {
	entries, err := os.ReadDir(soapDir)
	if err != nil {
		return nil, fmt.Errorf("list services: %w (pass the schemas/soap directory)", err)
	}
	var services []string
	for _, e := range entries {
		if e.IsDir() {
			services = append(services, e.Name())
		}
	}
	sort.Strings(services)
	var out []Pair
	for _, s := range services {
		for _, v := range versions {
			ours := filepath.Join(soapDir, s, v, s+".wsdl")
			ref := filepath.Join(refDir, v, s+".wsdl")
			if !exists(ours) || !exists(ref) {
				continue
			}
			out = append(out, Pair{Service: s, Version: v, Ours: ours, Reference: ref})
		}
	}
	return out, nil
}

func exists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// Fidelity compares every pair ReferencePairs finds for FidelityVersions
// (our WSDL as new, the reference as old, every operation ours defines) and
// writes each report to w. It returns the number of differences; a CLI
// command exits 2 when it is not zero.
func Fidelity(soapDir, refDir string, w io.Writer) (int, error) {
	pairs, err := ReferencePairs(soapDir, refDir, FidelityVersions)
	if err != nil {
		return 0, err
	}
	if len(pairs) == 0 {
		return 0, fmt.Errorf("no WSDL under %s has a reference in %s; check both directories", soapDir, refDir)
	}
	total := 0
	for _, p := range pairs {
		r, err := CompareWSDL(p.Ours, p.Reference, nil)
		if err != nil {
			return total, fmt.Errorf("%s %s: %w", p.Service, p.Version, err)
		}
		r.Old, r.New = "reference "+p.Version+"/"+p.Service, "ours "+p.Ours
		if err := r.WriteText(w); err != nil {
			return total, err
		}
		total += len(r.Differences())
	}
	return total, nil
}
