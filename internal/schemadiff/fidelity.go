package schemadiff

import (
	"fmt"
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
