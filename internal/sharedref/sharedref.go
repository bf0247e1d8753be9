// Package sharedref finds the project's shared reference material (the vendor
// WSDLs in ../shared/reference/fno-wsdl) for tests and benchmarks that use it
// when it is present and skip when it is not.
package sharedref

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared directory: $FNOKIT_SHARED if set, else ../shared next
// to the repository root (the directory holding go.mod). It returns "" when
// neither exists.
func Dir() string {
	if d := os.Getenv("FNOKIT_SHARED"); d != "" {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
		return ""
	}
	wd, err := os.Getwd()
	if err != nil {
		return ""
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			// k6ext/ is a module of its own inside the repository.
			if _, err := os.Stat(filepath.Join(filepath.Dir(d), "go.mod")); err == nil {
				continue
			}
			s := filepath.Join(filepath.Dir(d), "shared")
			if st, err := os.Stat(s); err == nil && st.IsDir() {
				return s
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// WSDLDir returns the reference WSDL directory, or "" when absent.
func WSDLDir() string {
	d := Dir()
	if d == "" {
		return ""
	}
	w := filepath.Join(d, "reference", "fno-wsdl")
	if st, err := os.Stat(w); err == nil && st.IsDir() {
		return w
	}
	return ""
}

// WSDLs returns every reference WSDL path, or skips tb when there are none.
func WSDLs(tb testing.TB) []string {
	tb.Helper()
	dir := WSDLDir()
	if dir == "" {
		tb.Skip("../shared/reference/fno-wsdl not present; set FNOKIT_SHARED to run this test")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.wsdl"))
	if len(files) == 0 {
		tb.Skip("no reference WSDLs found in " + dir)
	}
	return files
}

// WSDL returns the reference WSDL of one version ("base", "v1" …) and
// service, or skips tb when it is absent.
func WSDL(tb testing.TB, version, service string) string {
	tb.Helper()
	dir := WSDLDir()
	if dir == "" {
		tb.Skip("../shared/reference/fno-wsdl not present; set FNOKIT_SHARED to run this test")
	}
	p := filepath.Join(dir, version, service+".wsdl")
	if _, err := os.Stat(p); err != nil {
		tb.Skip("reference WSDL " + version + "/" + service + " not present")
	}
	return p
}
