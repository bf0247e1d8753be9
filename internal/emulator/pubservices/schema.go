package pubservices

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/fnokit/fnokit/internal/xsd"
	"github.com/fnokit/fnokit/schemas"
)

// schemaDir is the folder of the Public Service schemas in schemas.FS().
const schemaDir = "pubservices"

// compileSchemas compiles each API's schema from the embedded contracts.
// The schemas include common.xsd by relative schemaLocation and libxml2
// resolves that against a file, so they are written to a private temporary
// directory first (internal/xsd lets a compile read the schema's own
// directory only), which is removed once libxml2 holds the compiled form.
func compileSchemas(maxBody int64) (map[string]*xsd.Schema, error) {
	dir, err := os.MkdirTemp("", "fnokit-pubservices-*")
	if err != nil {
		return nil, fmt.Errorf("compile schemas: %w", err)
	}
	defer os.RemoveAll(dir)
	names, err := fs.Glob(schemas.FS(), schemaDir+"/*.xsd")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("compile schemas: no %s/*.xsd in the embedded contracts", schemaDir)
	}
	for _, n := range names {
		data, err := fs.ReadFile(schemas.FS(), n)
		if err != nil {
			return nil, fmt.Errorf("compile schemas: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, path.Base(n)), data, 0o600); err != nil {
			return nil, fmt.Errorf("compile schemas: %w", err)
		}
	}
	lim := xsd.Limits{MaxBytes: maxBody, MaxDepth: maxDepth, MaxFindings: 10}
	out := make(map[string]*xsd.Schema, len(APIs))
	for _, api := range APIs {
		s, err := xsd.CompileFile(filepath.Join(dir, api+".xsd"), xsd.WithLimits(lim))
		if err != nil {
			for _, c := range out {
				c.Close()
			}
			return nil, err
		}
		out[api] = s
	}
	return out, nil
}
