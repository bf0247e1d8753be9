package suite

import "github.com/fnokit/fnokit/internal/conformance"

// liveRecords finds records of a live target with read operations.
func (e *Env) liveRecords() conformance.Records {
	return conformance.Records{}
}
