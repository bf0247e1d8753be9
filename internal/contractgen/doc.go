// Package contractgen turns a SOAP service's contract source,
// schemas/soap/<Service>/contract.yaml, into one WSDL 1.1 document per
// published version (schemas/soap/<Service>/<version>/<Service>.wsdl).
//
// The contract source describes every version at once: types, sequence
// entries, enumeration values, elements and operations carry since/until
// bounds, and the generator writes, for each version, only what that version
// has and what its operations can reach. This keeps the shared types in one
// place and makes each version's change a visible line in one file, while the
// WSDLs stay plain document/literal files that any SOAP client, libxml2 and
// the emulator's ?wsdl can use unchanged.
//
// The pipeline is Parse (YAML to a checked Contract, every problem reported
// with file and line) → Contract.WSDL (one version, deterministic bytes) →
// Plan/Apply (a folder of contracts against the files on disk). The format is
// specified in schemas/soap/README.md.
package contractgen
