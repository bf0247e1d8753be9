package xsd

import (
	"errors"
	"regexp"

	"github.com/fnokit/fnokit/internal/contract"
)

// problemLocation splits "file:line: message" as CompileError writes it.
var problemLocation = regexp.MustCompile(`^(.+?):(\d+): (.*)$`)

// LintFile compiles an XSD or WSDL file for `fnokit schemas lint` and turns
// the outcome into findings: each compile problem is a schema-compile-failed
// error located at file:line, each libxml2 warning of a schema that did
// compile the same rule at warning level. An error means the file could not
// be read at all.
func LintFile(path string, opts ...Option) (contract.Findings, error) {
	s, err := CompileFile(path, opts...)
	if err != nil {
		var ce *CompileError
		if !errors.As(err, &ce) {
			return nil, err
		}
		fs := make(contract.Findings, 0, len(ce.Problems))
		for _, p := range ce.Problems {
			fs = append(fs, problemFinding(path, p, contract.Error, ce.Hint))
		}
		return fs, nil
	}
	defer s.Close()
	var fs contract.Findings
	for _, w := range s.Warnings() {
		fs = append(fs, problemFinding(path, w, contract.Warning, ""))
	}
	return fs, nil
}

func problemFinding(target, problem string, sev contract.Severity, hint string) contract.Finding {
	loc, msg := "", problem
	if m := problemLocation.FindStringSubmatch(problem); m != nil {
		loc, msg = m[1]+":"+m[2], m[3]
	}
	if hint != "" {
		msg += " (" + hint + ")"
	}
	f := contract.New(contract.RuleSchemaCompile, target, loc, msg)
	f.Severity = sev
	return f
}
