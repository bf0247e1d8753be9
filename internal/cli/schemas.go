package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/internal/xsd"
)

func runSchemas(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runSubcommands(ctx, "schemas", "schemas lint <files or folders…> | schemas generate [--check] [folder] | schemas fidelity | schemas diff <old> <new>", []command{
		{name: "lint", run: runSchemasLint},
		{name: "generate", run: runSchemasGenerate},
		{name: "fidelity", run: runSchemasFidelity},
		{name: "diff", run: runSchemasDiff},
	}, args, stdout, stderr)
}

func runSchemasLint(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("schemas lint", "schemas lint [--json] <files or folders…>\n\n"+
		"Compiles every XSD and WSDL (inline schemas) with libxml2 and validates every\n"+
		"OpenAPI document (.yaml, .yml, .json with an openapi field). Folders are walked.", stderr)
	asJSON := fs.Bool("json", false, "print the findings as JSON")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() == 0 {
		return usageError(stderr, fs, "name at least one schema file or folder")
	}
	files, err := schemaFiles(fs.Args())
	if err != nil {
		return cannotRun(stderr, err, "check the paths you gave")
	}
	if len(files) == 0 {
		return cannotRun(stderr, errors.New("no XSD, WSDL or OpenAPI files found"), "lint looks for *.xsd, *.wsdl, *.yaml, *.yml and *.json")
	}
	var all contract.Findings
	broken := 0
	for _, f := range files {
		if ctx.Err() != nil {
			return cannotRun(stderr, ctx.Err(), "")
		}
		found := lintFile(f)
		if found.HasErrors() {
			broken++
		}
		all = append(all, found...)
		if !*asJSON {
			printLintResult(stdout, f, found)
		}
	}
	if *asJSON {
		if err := writeJSON(stdout, all); err != nil {
			return cannotRun(stderr, err, "")
		}
	} else {
		fmt.Fprintf(stdout, "%d schema files, %d broken\n", len(files), broken)
	}
	if broken > 0 {
		return ExitViolations
	}
	return ExitOK
}

func printLintResult(w io.Writer, file string, found contract.Findings) {
	if !found.HasErrors() {
		fmt.Fprintf(w, "ok     %s\n", file)
		return
	}
	fmt.Fprintf(w, "BROKEN %s\n", file)
	for _, f := range found {
		loc := ""
		if f.Location != "" {
			loc = " at " + f.Location
		}
		fmt.Fprintf(w, "       %s [%s]%s: %s\n", f.Severity, f.Rule, loc, indentRest(f.Message, "       "))
	}
}

func indentRest(s, indent string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n"+indent)
}

// lintFile checks one schema file; every problem, even an unreadable file,
// is a finding so one bad file never hides the others.
func lintFile(path string) contract.Findings {
	switch schemaKind(path) {
	case kindXSD:
		found, err := xsd.LintFile(path)
		if err != nil {
			return contract.Findings{contract.New(contract.RuleSchemaLoad, path, "", err.Error())}
		}
		return found
	case kindOpenAPI:
		found, err := openapi.Lint(path)
		if err != nil {
			return contract.Findings{contract.New(contract.RuleSchemaLoad, path, "", err.Error())}
		}
		return found
	}
	return nil
}

type schemaFileKind int

const (
	kindNone schemaFileKind = iota
	kindXSD                 // .xsd and .wsdl: compiled by libxml2
	kindOpenAPI
)

// schemaKind tells schema files apart by extension, and JSON/YAML files by
// whether they declare an OpenAPI version (JSON Schema files are not OpenAPI).
func schemaKind(path string) schemaFileKind {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xsd", ".wsdl":
		return kindXSD
	case ".yaml", ".yml", ".json":
		if looksLikeOpenAPI(path) {
			return kindOpenAPI
		}
	}
	return kindNone
}

func looksLikeOpenAPI(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return true // let the linter report the unreadable file
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	h := string(head[:n])
	return strings.Contains(h, "openapi:") || strings.Contains(h, `"openapi"`) || strings.Contains(h, "swagger")
}

// schemaFiles expands folders into the schema files below them, sorted.
func schemaFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		err = filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p != a && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && schemaKind(p) != kindNone {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	return out, nil
}
