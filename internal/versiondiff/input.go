package versiondiff

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/wsdl"
	"github.com/fnokit/fnokit/schemas"
)

// maxFile bounds a schema file read from disk: far above the largest FNO
// WSDL (a few MiB), far below what would hurt.
const maxFile = 64 << 20

// maxFiles bounds the files of one folder side.
const maxFiles = 10_000

// ComparePaths compares two schema files, or two folders of them. Files are
// told apart by extension: .wsdl, .xsd, and .yaml/.yml/.json holding an
// OpenAPI document. Folders are walked (hidden folders skipped) and their
// files matched by file name, so <old>/v2/ManageDeviceService.wsdl meets
// <new>/ManageDeviceService.wsdl; a name on one side only is a service
// added or removed.
func ComparePaths(old, new string) (Result, error) {
	r := Result{Old: old, New: new}
	so, err := os.Stat(old)
	if err != nil {
		return r, fmt.Errorf("old side: %w", err)
	}
	sn, err := os.Stat(new)
	if err != nil {
		return r, fmt.Errorf("new side: %w", err)
	}
	switch {
	case !so.IsDir() && !sn.IsDir():
		name := strings.TrimSuffix(filepath.Base(new), filepath.Ext(new))
		p, err := compareFiles(name, old, new)
		if err != nil {
			return r, err
		}
		r.Pairs = []Pair{p}
		return r, nil
	case so.IsDir() != sn.IsDir():
		return r, errors.New("compare a file with a file or a folder with a folder, not one with the other")
	}
	fo, err := schemaFiles(old)
	if err != nil {
		return r, err
	}
	fn, err := schemaFiles(new)
	if err != nil {
		return r, err
	}
	if len(fo) == 0 && len(fn) == 0 {
		return r, fmt.Errorf("no .wsdl, .xsd or OpenAPI files in %s or %s", old, new)
	}
	names := map[string]bool{}
	for n := range fo {
		names[n] = true
	}
	for n := range fn {
		names[n] = true
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		a, inOld := fo[n]
		b, inNew := fn[n]
		service := strings.TrimSuffix(n, filepath.Ext(n))
		if !inOld || !inNew {
			id, p := RuleServiceAdded, Pair{Service: service, Format: FormatMissing, Old: "absent", New: b}
			if !inNew {
				id, p = RuleServiceRemoved, Pair{Service: service, Format: FormatMissing, Old: a, New: "absent"}
			}
			p.Findings = []Finding{ruleFinding(id, service, "")}
			r.Pairs = append(r.Pairs, p)
			continue
		}
		p, err := compareFiles(service, a, b)
		if err != nil {
			return r, err
		}
		r.Pairs = append(r.Pairs, p)
	}
	return r, nil
}

// compareFiles compares two files of the same format.
func compareFiles(service, old, new string) (Pair, error) {
	a, err := readFile(old)
	if err != nil {
		return Pair{}, err
	}
	b, err := readFile(new)
	if err != nil {
		return Pair{}, err
	}
	ka, kb := formatOf(old, a), formatOf(new, b)
	if ka == "" || kb == "" {
		bad := old
		if ka != "" {
			bad = new
		}
		return Pair{}, fmt.Errorf("%s: not a WSDL, XSD or OpenAPI document (by its extension and content)", bad)
	}
	if ka != kb {
		return Pair{}, fmt.Errorf("%s is %s and %s is %s: compare documents of one kind", old, ka, new, kb)
	}
	switch ka {
	case FormatWSDL:
		da, err := wsdl.Parse(a)
		if err != nil {
			return Pair{}, fmt.Errorf("%s: %w", old, err)
		}
		db, err := wsdl.Parse(b)
		if err != nil {
			return Pair{}, fmt.Errorf("%s: %w", new, err)
		}
		p, err := CompareWSDL(service, da, db, old, new)
		if err != nil {
			return p, fmt.Errorf("%s: %w", service, err)
		}
		return p, nil
	case FormatXSD:
		return CompareXSD(service, a, b, old, new)
	}
	return CompareOpenAPI(service, a, b, old, new)
}

func readFile(p string) ([]byte, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxFile {
		return nil, fmt.Errorf("%s: larger than %d MiB; is it really a schema?", p, maxFile>>20)
	}
	return os.ReadFile(p)
}

// formatOf tells a schema document's format from its extension, and JSON
// or YAML files by whether they declare an OpenAPI version.
func formatOf(path string, data []byte) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".wsdl":
		return FormatWSDL
	case ".xsd":
		return FormatXSD
	case ".yaml", ".yml", ".json":
		head := data[:min(len(data), 4096)]
		if bytes.Contains(head, []byte("openapi")) {
			return FormatOpenAPI
		}
	}
	return ""
}

// schemaFiles maps the file names of the schema files below dir to their
// paths. Two files of one name are an error: they could not be matched.
func schemaFiles(dir string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".wsdl", ".xsd", ".yaml", ".yml", ".json":
		default:
			return nil
		}
		if strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") {
			data, err := readFile(p)
			if err != nil {
				return err
			}
			if formatOf(p, data) == "" {
				return nil // JSON or YAML that is not OpenAPI: not a contract
			}
		}
		name := d.Name()
		if prev, dup := out[name]; dup {
			return fmt.Errorf("%s and %s have the same file name: compare their folders one by one", prev, p)
		}
		if len(out) >= maxFiles {
			return fmt.Errorf("more than %d schema files below %s: pass a narrower folder", maxFiles, dir)
		}
		out[name] = p
		return nil
	})
	return out, err
}

// CompareEmbedded compares two versions of a service from the contracts
// embedded in the binary (schemas/soap/<Service>/<version>/<Service>.wsdl).
// It reads the two WSDLs directly rather than through schemas.Find, whose
// index parses every embedded WSDL on first use (six times the cost of the
// comparison for a one-shot command); Find only explains a miss.
func CompareEmbedded(service, from, to string) (Result, error) {
	r := Result{Old: "embedded " + service + " " + from, New: "embedded " + service + " " + to}
	var (
		defs [2]*wsdl.Definitions
		vs   [2]contract.Version
	)
	for i, v := range []string{from, to} {
		pv, err := contract.ParseVersion(v)
		if err != nil {
			return r, err
		}
		vs[i] = pv
		p := path.Join("soap", service, pv.String(), service+".wsdl")
		data, err := fs.ReadFile(schemas.FS(), p)
		if err != nil {
			if _, serr := fs.Stat(schemas.FS(), path.Join("soap", service)); serr != nil {
				return r, fmt.Errorf("no contract for service %s: the services are %s", service, strings.Join(embeddedServices(), ", "))
			}
			if _, ferr := schemas.Find(service, v); ferr != nil {
				return r, ferr
			}
			return r, fmt.Errorf("read %s: %w", p, err)
		}
		if defs[i], err = wsdl.Parse(data); err != nil {
			return r, fmt.Errorf("%s: %w", p, err)
		}
	}
	r.Old, r.New = "embedded "+service+" "+vs[0].String(), "embedded "+service+" "+vs[1].String()
	p, err := CompareWSDL(service, defs[0], defs[1], vs[0].String(), vs[1].String())
	if err != nil {
		return r, fmt.Errorf("%s %s → %s: %w", service, vs[0], vs[1], err)
	}
	r.Pairs = []Pair{p}
	return r, nil
}

// embeddedServices lists the SOAP services embedded in schemas/.
func embeddedServices() []string {
	entries, _ := fs.ReadDir(schemas.FS(), "soap")
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// VersionPair is two consecutive versions of one embedded service.
type VersionPair struct {
	Service  string
	From, To contract.Version
}

func (p VersionPair) String() string {
	return p.Service + " " + p.From.String() + "→" + p.To.String()
}

// ConsecutivePairs lists every pair of consecutive versions of every SOAP
// service embedded in schemas/, by service then version.
func ConsecutivePairs() ([]VersionPair, error) {
	all, err := schemas.Services()
	if err != nil {
		return nil, err
	}
	var out []VersionPair
	for _, s := range all {
		for i := 1; i < len(s.Versions); i++ {
			out = append(out, VersionPair{Service: s.Name, From: s.Versions[i-1].Version, To: s.Versions[i].Version})
		}
	}
	return out, nil
}
