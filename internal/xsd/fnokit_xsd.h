// C side of package xsd: the few libxml2 calls lestrrat-go/libxml2 does not
// expose (SAX hooks, structured errors, xmlSchemaValidateOneElement, the
// external entity loader). Kept in a .c file because cgo forbids C
// definitions in the preamble of a file that uses //export.
#ifndef FNOKIT_XSD_H
#define FNOKIT_XSD_H

#include <stdint.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>

// fk_parse_state is what one payload parse reports back to Go. It lives in
// Go memory for the duration of one fk_parse call only.
typedef struct {
	int max_depth;   // refuse elements nested deeper than this
	int depth;       // current element depth
	int dtd;         // a DOCTYPE was seen and refused
	int too_deep;    // max_depth was exceeded
	int err_code;    // libxml2 error code of the first fatal error
	int err_line;    // its line
	int err_col;     // its column
	char err_msg[256];
	// Filled by fk_check:
	int outcome;        // FK_OK or why no element was validated
	xmlNodePtr target;  // the element validated (valid during fk_check only)
	char root_name[128]; // local name of the root element, for locations
} fk_parse_state;

// fk_check outcomes.
enum {
	FK_OK = 0,           // the target element was validated; see return value
	FK_PARSE_FAILED = 1, // not parsed; see dtd, too_deep, err_*
	FK_NO_ENVELOPE = 2,  // envelope mode, root is not a SOAP 1.1 Envelope
	FK_NO_BODY = 3,      // the envelope has no Body
	FK_EMPTY_BODY = 4    // the Body has no element child
};

// fk_check modes.
enum { FK_PAYLOAD = 0, FK_ENVELOPE = 1, FK_AUTO = 2 };

void fk_init(void);
xmlDocPtr fk_parse(const char *buf, int len, fk_parse_state *st);
xmlSchemaPtr fk_compile(const char *path, uintptr_t token);
int fk_validate(xmlSchemaValidCtxtPtr vctxt, xmlNodePtr elem, uintptr_t handle);
int fk_check(const char *buf, int len, int mode, xmlSchemaValidCtxtPtr vctxt, uintptr_t handle, fk_parse_state *st);

// fk_test_parse_with_entities parses with DTD loading and entity
// substitution switched ON, so a test can prove that the entity loader, not
// the parse options alone, keeps libxml2 from opening files.
xmlDocPtr fk_test_parse_with_entities(const char *buf, int len);

#endif
