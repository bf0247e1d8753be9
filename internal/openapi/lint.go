package openapi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/jsontree"
)

// Validate checks the document itself against the OpenAPI specification,
// compiling every pattern as ECMAScript (the same compiler the request and
// response checks use, so a pattern that passes here is one they enforce).
// It returns every problem found, not just the first, as a MultiError.
func Validate(ctx context.Context, doc *openapi3.T) error {
	return doc.Validate(ctx,
		openapi3.EnableMultiError(),
		openapi3.EnableSchemaPatternValidation(),
		openapi3.SetRegexCompiler(CompileECMAScript),
	)
}

// Lint loads and validates the OpenAPI document at path, as `fnokit schemas
// lint` does. A document that cannot be parsed or whose references cannot be
// resolved gives a schema-load-failed finding; each problem in a document
// that loads gives a schema-invalid finding located by a JSON Pointer into
// the document (#/paths/~1devices/post). Findings carry path as their target.
//
// The error is for a file that cannot be read at all.
func Lint(path string) (contract.Findings, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("lint %s: %w (check the path)", path, err)
	}
	doc, err := LoadFile(path)
	if err != nil {
		return contract.Findings{contract.New(contract.RuleSchemaLoad, path, "", loadMessage(err))}, nil
	}
	err = Validate(context.Background(), doc)
	if err == nil {
		return nil, nil
	}
	var errs []error
	var me openapi3.MultiError
	if errors.As(err, &me) {
		errs = me
	} else {
		errs = []error{err}
	}
	var out contract.Findings
	for _, e := range errs {
		out = append(out, contract.New(contract.RuleSchemaInvalid, path, docPointer(e), e.Error()))
	}
	out.Sort()
	return out, nil
}

// loadMessage strips the wrapping LoadFile adds (the target already names
// the file) and adds a hint for refused references.
func loadMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 && strings.HasPrefix(msg, "load OpenAPI document ") {
		msg = msg[i+2:]
	}
	if errors.Is(err, ErrRefRefused) {
		msg += " (copy the referenced schema next to the document and refer to it by a relative path)"
	}
	return msg
}

// componentKeys maps kin-openapi's component section labels to the keys of
// the components object.
var componentKeys = map[string]string{
	"schema":          "schemas",
	"parameter":       "parameters",
	"header":          "headers",
	"request body":    "requestBodies",
	"response":        "responses",
	"security scheme": "securitySchemes",
	"example":         "examples",
	"link":            "links",
	"callback":        "callbacks",
}

// docPointer builds a JSON Pointer into the document from the context
// wrappers kin-openapi puts around a validation error (section, path,
// operation, component, parameter). It stops at the first wrapper it does
// not know, so the pointer is a prefix of the true location, never wrong.
func docPointer(err error) string {
	var b strings.Builder
	b.WriteString("#")
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch w := e.(type) {
		case *openapi3.SectionValidationError:
			if strings.ContainsAny(w.Section, " \"") {
				return b.String()
			}
			b.WriteString("/" + jsontree.EscapePointer(w.Section))
		case *openapi3.PathValidationError:
			if !strings.HasSuffix(b.String(), "/paths") {
				b.WriteString("/paths")
			}
			b.WriteString("/" + jsontree.EscapePointer(w.Path))
		case *openapi3.OperationValidationError:
			b.WriteString("/" + strings.ToLower(w.Method))
		case *openapi3.ComponentValidationError:
			key, ok := componentKeys[w.Section]
			if !ok {
				return b.String()
			}
			if !strings.HasSuffix(b.String(), "/components") {
				b.WriteString("/components")
			}
			b.WriteString("/" + key + "/" + jsontree.EscapePointer(w.Name))
		case *openapi3.PathParametersError:
			return "#/paths/" + jsontree.EscapePointer(w.Path) + "/" + strings.ToLower(w.Method)
		case *openapi3.ParameterFieldValidationError, *openapi3.TagValidationError:
			// Parameters and tags are lists: the wrapper names the
			// entry, not its index, so the pointer stops here.
			return b.String()
		}
	}
	return b.String()
}
