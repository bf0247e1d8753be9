// Package golden stores recorded request/response pairs ("golden files") per
// service, version, operation and case, and compares live exchanges with
// them after normalising volatile fields.
//
// Layout under the golden root (see golden/README.md):
//
//	<soap|rest>/<service>/<version>/<operation>/<case>.request.xml
//	                                            <case>.response.xml
//	                                            <case>.meta.json
//
// REST cases use .request.json and .response.json. Every byte written goes
// through internal/redact first and is replaced atomically through
// internal/atomicfile. XML is compared in xmltree's canonical form (prefix-
// and white-space-insensitive), JSON semantically (key order and white space
// ignored, numbers compared as written); a mismatch is reported as
// contract findings plus a unified diff.
package golden

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Kind is the protocol family of a golden case; it picks the file
// extension and how bodies are parsed.
type Kind string

// Kinds of golden cases.
const (
	SOAP Kind = "soap"
	REST Kind = "rest"
)

// ext is the body file extension of the kind.
func (k Kind) ext() string {
	if k == REST {
		return ".json"
	}
	return ".xml"
}

// Key identifies one golden case.
type Key struct {
	Kind      Kind   // SOAP or REST
	Service   string // e.g. ManageDeviceService
	Version   string // e.g. v3, base
	Operation string // e.g. searchDevices
	Case      string // e.g. by-name
}

// maxComponent bounds a path component; well under every file system's
// name limit once the suffixes are added.
const maxComponent = 128

// Validate checks that every component is a safe single path element, so a
// key can never address a file outside the golden root.
func (k Key) Validate() error {
	if k.Kind != SOAP && k.Kind != REST {
		return fmt.Errorf("golden key: kind %q is not %q or %q", string(k.Kind), SOAP, REST)
	}
	for _, c := range []struct{ field, v string }{
		{"service", k.Service}, {"version", k.Version}, {"operation", k.Operation}, {"case", k.Case},
	} {
		if err := checkComponent(c.v); err != nil {
			return fmt.Errorf("golden key %s: %s %w", k, c.field, err)
		}
	}
	return nil
}

func checkComponent(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("is empty (every key component names a directory or file)")
	case s == "." || s == "..":
		return fmt.Errorf("is %q, which would leave the golden directory", s)
	case len(s) > maxComponent:
		return fmt.Errorf("is longer than %d characters", maxComponent)
	case strings.HasPrefix(s, "."):
		return fmt.Errorf("starts with '.', which hides the file and collides with temporary files")
	}
	for _, r := range s {
		ok := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
			r == '-' || r == '_' || r == '.'
		if !ok {
			if r == '/' || r == '\\' {
				return fmt.Errorf("contains a path separator; use one key component per directory level")
			}
			return fmt.Errorf("contains %q; use letters, digits, '-', '_' and '.'", r)
		}
	}
	return nil
}

// String is the slash-separated relative directory plus case:
// soap/ManageDeviceService/v3/searchDevices/by-name.
func (k Key) String() string {
	return path.Join(string(k.Kind), k.Service, k.Version, k.Operation, k.Case)
}

// Part names one file of a case.
type Part string

// Parts of a golden case.
const (
	PartRequest  Part = "request"
	PartResponse Part = "response"
	PartMeta     Part = "meta"
)

// File is the slash-separated path of a part relative to the golden root,
// e.g. soap/ManageDeviceService/v3/searchDevices/by-name.response.xml.
func (k Key) File(p Part) string {
	ext := k.Kind.ext()
	if p == PartMeta {
		ext = ".json"
	}
	return k.String() + "." + string(p) + ext
}

func (k Key) path(root string, p Part) string {
	return filepath.Join(root, filepath.FromSlash(k.File(p)))
}
