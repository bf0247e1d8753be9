// Package rest holds fnokit's OpenAPI contracts for the REST APIs of FlexNet
// Operations (one <api>.yaml per API) and the tests that prove them: every
// document loads and validates, and the sample messages in testdata/<api>/
// are judged as their names say (valid or invalid).
//
// The package has no code of its own; it exists so that `go test` runs the
// contract tests beside the documents they test.
package rest
