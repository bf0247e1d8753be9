package entapi

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fnokit/fnokit/internal/contract"
	"github.com/fnokit/fnokit/internal/openapi"
	"github.com/fnokit/fnokit/schemas"
)

// DocumentPath is the contract inside schemas.FS().
const DocumentPath = "rest/entitlements-beta.yaml"

// document loads the embedded contract once: it is immutable, and every
// handler of the process validates against the same one.
var document = sync.OnceValues(func() (*openapi3.T, error) {
	doc, err := openapi.LoadFS(schemas.FS(), DocumentPath)
	if err != nil {
		return nil, fmt.Errorf("entapi: load the contract: %w", err)
	}
	return doc, nil
})

func newValidator(maxBody int64) (*openapi.Validator, error) {
	doc, err := document()
	if err != nil {
		return nil, err
	}
	v, err := openapi.New(doc, openapi.Options{MaxBodyBytes: maxBody})
	if err != nil {
		return nil, fmt.Errorf("entapi: %w", err)
	}
	return v, nil
}

// check validates the request (path, query and the body already read)
// against the contract. It returns 0 when the request may proceed, else
// the status to answer with the violations: 415 for a media type the
// operation does not declare, 400 for the rest.
func (h *Handler) check(r *http.Request, body []byte) (int, []fieldError) {
	vr := r.Clone(r.Context())
	// The document's paths have no trailing slash; the routes forgive one.
	vr.URL.Path, vr.URL.RawPath = strings.TrimSuffix(vr.URL.Path, "/"), strings.TrimSuffix(vr.URL.RawPath, "/")
	vr.Body, vr.ContentLength = http.NoBody, 0
	if body != nil {
		vr.Body, vr.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	fs, err := h.v.ValidateRequest(vr)
	if err != nil {
		return http.StatusBadRequest, []fieldError{{Message: "the request could not be checked against the contract"}}
	}
	status := 0
	var errs []fieldError
	for _, f := range fs {
		if f.Severity < contract.Error {
			continue
		}
		switch f.Rule {
		case contract.RuleOpenAPIMediaType:
			status = http.StatusUnsupportedMediaType
		case contract.RuleOpenAPINoRoute:
			// The route matched here but not in the document: the path's
			// entitlementId holds an encoded slash, which the pattern
			// forbids anyway.
			f.Location, f.Message = "/path/entitlementId", "the entitlementId does not match the pattern of the contract"
		}
		errs = append(errs, fieldError{Location: f.Location, Message: f.Message})
	}
	if len(errs) > 0 && status == 0 {
		status = http.StatusBadRequest
	}
	return status, errs
}
