//go:build !cgo

package fno

import "github.com/fnokit/fnokit/internal/contract"

// validationAvailable is false without cgo: libxml2 is out of reach, and a
// client asking for validation is refused at construction.
const validationAvailable = false

type validatorCache struct{}

func newValidatorCache() *validatorCache { return &validatorCache{} }

func (*validatorCache) validate(string, contract.Version, []byte) (contract.Findings, error) {
	return nil, errNoValidation
}

func (*validatorCache) warm(string, contract.Version) error { return errNoValidation }
