// Package xsd validates SOAP payloads against XML Schemas with libxml2. It
// compiles XSD files and the inline schemas of WSDL files once, then
// validates bare payload documents or the Body payload of SOAP 1.1 envelopes
// from any number of goroutines, and reports contract.Findings with an
// XPath-like location and a message that never echoes payload values.
//
// It is the only fnokit package that uses cgo. What comes from where:
//
//   - github.com/lestrrat-go/libxml2 (the dom package) owns parsed documents
//     (dom.Document, Free) and walks the SOAP envelope to the payload
//     element through types.Node.
//   - Our own C layer (fnokit_xsd.c) does what lestrrat does not expose: it
//     parses with XML_PARSE_NONET, without entity substitution, refusing a
//     DOCTYPE at the first SAX event and bounding depth; it compiles schemas
//     with structured errors (file and line) where lestrrat's XMLSchemaParse
//     uses parse options 0 and reports nothing; it validates one element
//     subtree (xmlSchemaValidateOneElement) with structured errors that carry
//     the node, where lestrrat's callback gives message text only through a
//     fixed array; and it installs the external entity loader.
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
