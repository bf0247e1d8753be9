// Package xsd validates SOAP payloads against XML Schemas with libxml2. It
// compiles XSD files and the inline schemas of WSDL files once, then
// validates bare payload documents or the Body payload of SOAP 1.1 envelopes
// from any number of goroutines, and reports contract.Findings with an
// XPath-like location and a message that never echoes payload values.
//
// It is the only fnokit package that uses cgo. What comes from where:
//
//   - github.com/lestrrat-go/libxml2 is the Go face of libxml2 for callers
//     that hold a parsed document: ValidateElement takes its types.Node and
//     validates that element through Pointer(). Its xsd package does not fit
//     our needs (parse options 0, no compile error detail, message-only
//     validation errors through a fixed array), so it is not used.
//   - Our own C layer (fnokit_xsd.c) does the rest. It parses payloads with
//     XML_PARSE_NONET and without entity substitution, refusing a DOCTYPE at
//     its first SAX event and bounding depth; it compiles schemas with
//     structured errors (file and line); it validates one element subtree
//     (xmlSchemaValidateOneElement) with structured errors that carry the
//     node, from which the location is built; and it installs the external
//     entity loader. Parse, payload lookup, validation and free happen in
//     one C call per document (fk_check): each cgo call long enough for Go's
//     sysmon to retake the P costs a thread hand-off, and lestrrat's parser
//     would also copy the input three times (string conversion and two
//     C.CString), which is why payloads are not parsed through it.
//
// The entity loader (xmlSetExternalEntityLoader, process-wide) refuses by
// default: during a compile it lets libxml2 open only local files under the
// directories that compile allowed (the schema's own directory, our temporary
// directory); outside a compile it opens nothing, so no payload can make
// libxml2 read a file or the network. Schema documents get their DTD refused,
// because libxml2 forces entity substitution when it reads them.
//
// A WSDL's inline schemas are written to a private temporary directory and
// compiled through a generated driver schema that imports each by namespace;
// imports between inline schemas (FNO-style: by namespace, without
// schemaLocation) are pointed at the sibling's file. The directory is
// removed once libxml2 has compiled them.
package xsd
