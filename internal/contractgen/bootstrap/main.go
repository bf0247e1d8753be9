// Command bootstrap is the one-off authoring aid that wrote the base–v3 part
// of schemas/soap/<Service>/contract.yaml from the vendor's reference WSDLs
// (../shared/reference/fno-wsdl, never copied into the repository).
//
// For each service it reads every reference version, keeps the in-scope
// operations and the types their messages reach, and merges the versions
// into one contract: each type's sequence is aligned across versions by a
// longest common subsequence on (name, type, occurrence, nillable), so an
// element added in a version gets since:, a removed one until:, and a
// changed one becomes two entries with disjoint ranges; enumeration values,
// types, global elements and operations are merged the same way.
//
// It then checks its work: it reads the written YAML back, expands each
// reference version as the contract format defines it and compares the
// expansion structurally with the reference (names, order, types, min/max,
// nillable, enumeration values, extension bases). -check does only that, so
// the committed files can be re-verified after hand edits:
//
//	go run ./internal/contractgen/bootstrap -check            # all services
//	go run ./internal/contractgen/bootstrap -service ManageDeviceService
//
// Writing refuses to overwrite a contract that already lists versions the
// references do not have (hand-written v4+), unless -force.
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/fnokit/fnokit/internal/atomicfile"
	"github.com/fnokit/fnokit/internal/sharedref"
)

var referenceVersions = []string{"base", "v1", "v2", "v3"}

func main() {
	var (
		only  = flag.String("service", "", "one service (default: all)")
		check = flag.Bool("check", false, "only verify the committed contract.yaml files against the references")
		force = flag.Bool("force", false, "overwrite a contract.yaml that lists versions beyond the references")
		out   = flag.String("out", "schemas/soap", "directory holding <Service>/contract.yaml")
		ref   = flag.String("ref", "", "reference WSDL directory (default: ../shared/reference/fno-wsdl)")
	)
	flag.Parse()
	dir := *ref
	if dir == "" {
		dir = sharedref.WSDLDir()
	}
	if dir == "" {
		fmt.Fprintln(os.Stderr, "bootstrap: reference WSDLs not found; set FNOKIT_SHARED or -ref")
		os.Exit(3)
	}
	failed := false
	for _, svc := range services {
		if *only != "" && svc.Name != *only {
			continue
		}
		if err := run(svc, dir, *out, *check, *force); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", svc.Name, err)
			failed = true
		}
	}
	if failed {
		os.Exit(2)
	}
}

func run(svc *serviceSpec, refDir, outDir string, checkOnly, force bool) error {
	var vs []*version
	for _, v := range referenceVersions {
		data, err := os.ReadFile(filepath.Join(refDir, v, svc.Name+".wsdl"))
		if errors.Is(err, os.ErrNotExist) {
			fmt.Printf("%s %s: no reference WSDL\n", svc.Name, v)
			continue
		}
		if err != nil {
			return err
		}
		x, missing, err := extract(data, v, svc.InScope)
		if err != nil {
			return fmt.Errorf("%s: %w", v, err)
		}
		if len(x.Ops) == 0 {
			fmt.Printf("%s %s: reference WSDL has no operations; version left out\n", svc.Name, v)
			continue
		}
		fmt.Printf("%s %s: %d in-scope operations, %d types; not in this version: %s\n", svc.Name, v, len(x.Ops), len(x.Schema.Order), strings.Join(missing, " "))
		vs = append(vs, x)
	}
	if len(vs) == 0 {
		return errors.New("no reference version has in-scope operations")
	}
	renames, err := unifyElementTypes(vs)
	if err != nil {
		return err
	}
	for _, r := range renames {
		fmt.Printf("%s %s: type %s of element %s written as %s\n", svc.Name, r.Version, r.From, r.Element, r.To)
		if svc.TypeDocs == nil {
			svc.TypeDocs = map[string]string{}
		}
		if svc.TypeDocs[r.To] != "" {
			svc.TypeDocs[r.To] += " "
		}
		svc.TypeDocs[r.To] += fmt.Sprintf("%s publishes this type as %s (type names are not on the wire; %s is).", r.Version, r.From, r.Element)
	}
	path := filepath.Join(outDir, svc.Name, "contract.yaml")
	if !checkOnly {
		if old, err := os.ReadFile(path); err == nil && !force {
			if c, err := parseContract(old); err == nil && slices.ContainsFunc(c.versions, func(v string) bool { return !slices.Contains(referenceVersions, v) }) {
				return fmt.Errorf("%s lists versions beyond the references (%v); re-run with -force to overwrite, or -check", path, c.versions)
			}
		}
		m, err := mergeVersions(vs)
		if err != nil {
			return err
		}
		changes := map[string]string{}
		derived := derivedChanges(m)
		for _, v := range m.Versions {
			var b bytes.Buffer
			if n := svc.Changes[v]; n != "" {
				b.WriteString(strings.TrimSpace(n) + "\n")
			}
			if d := derived[v]; len(d) > 0 {
				b.WriteString("From the reference WSDLs (in-scope operations only):\n")
				for _, l := range d {
					b.WriteString(wrap("- "+l, "  ", 100))
				}
			}
			if b.Len() > 0 {
				changes[v] = b.String()
			}
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := atomicfile.WriteFile(path, render(svc, m, changes), 0o644); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w (run without -check to write it)", path, err)
	}
	c, err := parseContract(data)
	if err != nil {
		return fmt.Errorf("parse %s: %w", path, err)
	}
	var diffs []string
	for _, want := range vs {
		if !slices.Contains(c.versions, want.Name) {
			diffs = append(diffs, want.Name+": not listed in versions:")
			continue
		}
		got, err := c.expand(want.Name)
		if err != nil {
			diffs = append(diffs, err.Error())
			continue
		}
		diffs = append(diffs, compare(want, got)...)
	}
	if len(diffs) > 0 {
		for _, d := range diffs {
			fmt.Fprintln(os.Stderr, "  "+d)
		}
		return fmt.Errorf("%d differences between %s and the references", len(diffs), path)
	}
	fmt.Printf("%s: %s matches the references for %d versions (%d operations in the last)\n", svc.Name, path, len(vs), len(vs[len(vs)-1].Ops))
	return nil
}

// wrap breaks text at spaces so no line passes width, indenting
// continuation lines.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+1+len(w) > width {
			b.WriteString(line + "\n")
			line = indent + w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	b.WriteString(line + "\n")
	return b.String()
}
