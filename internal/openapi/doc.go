// Package openapi validates REST traffic against OpenAPI documents with
// kin-openapi: it loads a document (3.0, and 3.1 as far as kin-openapi
// supports it) from a file, bytes or an fs.FS with external references
// confined to local files beside the document, lints the document itself, and checks
// requests and responses, reporting every violation as a contract.Finding
// with a JSON Pointer into the body or to the parameter.
//
// Two things set it apart from calling openapi3filter directly:
//
//   - FNO's documents use ECMAScript patterns (lookaheads such as
//     ^(?!\s*$)...) that Go's regexp cannot compile. They are enforced, not
//     skipped: patterns compile with regexp2 in ECMAScript mode, with a match
//     timeout so a backtracking pattern yields a finding instead of a hang.
//   - Bodies are hostile until proven otherwise: a size cap, UTF-8, nesting
//     depth and JSON syntax are checked before kin-openapi decodes anything,
//     and no message ever quotes a value from the body.
//
// Locations are JSON Pointers. The rule tells what they point into: a body
// for openapi-body-schema (/activatableItem/0/entitlementId), a parameter
// for openapi-parameter-invalid (/query/batchSize, /path/group), a header
// for openapi-response-invalid and openapi-media-type (/header/X-Request-Id).
package openapi
