// Package schemas carries fnokit's contracts inside the binary and indexes
// the SOAP ones: every service, its versions, and per version the
// operations with their message elements, namespace and endpoint. The
// suites iterate over the index, and the emulator serves the WSDLs at ?wsdl
// and routes requests by it.
//
// The SOAP WSDLs are generated from soap/<Service>/contract.yaml by
// `fnokit schemas generate` (internal/contractgen); the index reads the
// generated WSDLs, the very files a client sees, rather than the sources.
package schemas

import (
	"embed"
	"encoding/xml"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/wsdl"
)

// Each pattern must match a file, or the build fails: that is wanted, a
// binary without its contracts is useless. Test files and testdata of the
// folders that are Go packages (rest, pubservices) stay out.
//
//go:embed soap/*/contract.yaml soap/*/*/*.wsdl
//go:embed rest/*.yaml callout/*.json pubservices/*.xsd
var files embed.FS

// FS returns the embedded contract files, with paths relative to the
// schemas folder: soap/<Service>/contract.yaml,
// soap/<Service>/<version>/<Service>.wsdl, rest/<api>.yaml,
// callout/*.json and pubservices/*.xsd.
func FS() fs.FS { return files }

// Service is one SOAP service with the versions fnokit has contracts for.
type Service struct {
	Name     string    // as in the endpoint, e.g. ManageDeviceService
	Versions []Version // oldest first
}

// Version is one published version of a SOAP service.
type Version struct {
	Service    string
	Version    contract.Version // contract.Base or vN; String() gives the folder name
	Namespace  string           // target namespace of the payloads
	Endpoint   string           // /flexnet/services/[vN/]<Service>
	Path       string           // the WSDL's path in FS()
	Operations []Operation      // in WSDL order
}

// Operation is one document/literal operation of a service version.
type Operation struct {
	Name       string
	Input      xml.Name // global element of the request payload
	Output     xml.Name // global element of the response payload
	SOAPAction string
}

// Operation returns the named operation of the version.
func (v Version) Operation(name string) (Operation, bool) {
	for _, op := range v.Operations {
		if op.Name == name {
			return op, true
		}
	}
	return Operation{}, false
}

// index is built once, on first use, and only read afterwards.
var index = sync.OnceValues(func() ([]Service, error) { return buildIndex(files) })

// Services returns every SOAP service, sorted by name, each with its
// versions. The result is the caller's own copy.
func Services() ([]Service, error) {
	all, err := index()
	if err != nil {
		return nil, err
	}
	out := make([]Service, len(all))
	for i, s := range all {
		out[i] = Service{Name: s.Name, Versions: make([]Version, len(s.Versions))}
		for j, v := range s.Versions {
			v.Operations = slices.Clone(v.Operations)
			out[i].Versions[j] = v
		}
	}
	return out, nil
}

// Find returns one service version; version is "base", "v3" or anything
// contract.ParseVersion accepts.
func Find(service, version string) (Version, error) {
	v, err := contract.ParseVersion(version)
	if err != nil {
		return Version{}, err
	}
	all, err := index()
	if err != nil {
		return Version{}, err
	}
	for _, s := range all {
		if s.Name != service {
			continue
		}
		for _, sv := range s.Versions {
			if sv.Version == v {
				sv.Operations = slices.Clone(sv.Operations)
				return sv, nil
			}
		}
		return Version{}, fmt.Errorf("no contract for %s %s: its versions are %s", service, v, versionList(s))
	}
	return Version{}, fmt.Errorf("no contract for service %s: see Services() for the list", service)
}

// WSDL returns the WSDL document of a service version, as the emulator
// serves it at ?wsdl.
func WSDL(service, version string) ([]byte, error) {
	v, err := Find(service, version)
	if err != nil {
		return nil, err
	}
	return fs.ReadFile(files, v.Path)
}

func versionList(s Service) string {
	names := make([]string, len(s.Versions))
	for i, v := range s.Versions {
		names[i] = v.Version.String()
	}
	return strings.Join(names, ", ")
}

// buildIndex reads soap/<Service>/<version>/<Service>.wsdl from fsys.
func buildIndex(fsys fs.FS) ([]Service, error) {
	paths, err := fs.Glob(fsys, "soap/*/*/*.wsdl")
	if err != nil {
		return nil, err
	}
	byName := map[string]*Service{}
	for _, p := range paths {
		dir, file := path.Split(p)
		verDir := path.Base(dir)
		svc := path.Base(path.Dir(path.Clean(dir)))
		if file != svc+".wsdl" {
			continue // only <Service>.wsdl is the service's contract
		}
		v, err := contract.ParseVersion(verDir)
		if err != nil || v.String() != verDir {
			return nil, fmt.Errorf("%s: folder %q is not a version name (base, v1, …)", p, verDir)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, err
		}
		defs, err := wsdl.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		sv := Version{
			Service:   svc,
			Version:   v,
			Namespace: defs.TargetNamespace,
			Endpoint:  contract.Endpoint(svc, v),
			Path:      p,
		}
		for _, op := range defs.Operations {
			if op.Input.Local == "" || op.Output.Local == "" {
				return nil, fmt.Errorf("%s: operation %s has a message without an element part", p, op.Name)
			}
			sv.Operations = append(sv.Operations, Operation{
				Name:       op.Name,
				Input:      xml.Name{Space: op.Input.Space, Local: op.Input.Local},
				Output:     xml.Name{Space: op.Output.Space, Local: op.Output.Local},
				SOAPAction: op.SOAPAction,
			})
		}
		s := byName[svc]
		if s == nil {
			s = &Service{Name: svc}
			byName[svc] = s
		}
		s.Versions = append(s.Versions, sv)
	}
	out := make([]Service, 0, len(byName))
	for _, s := range byName {
		sort.Slice(s.Versions, func(i, j int) bool { return s.Versions[i].Version.Number() < s.Versions[j].Version.Number() })
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
