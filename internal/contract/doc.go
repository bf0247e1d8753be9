// Package contract holds the types every fnokit check shares: the identity of
// an operation (service, version, name), the FNO namespace and endpoint rules,
// and the Finding a check reports when a message breaks its contract.
//
// It is the leaf of the dependency graph: it imports nothing from fnokit, and
// the validators, the emulator, the suites, the k6 extension and the CLI all
// import it.
package contract
