#include <stdlib.h>
#include <string.h>
#include <libxml/parserInternals.h>
#include "fnokit_xsd.h"
#include "_cgo_export.h"

// Payload parse options: no network, no entity substitution (NOENT unset),
// no DTD loading, errors kept off stderr (we read ctxt->lastError instead).
#define FK_PAYLOAD_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_COMPACT)

// fk_token names the compile in progress on this thread (0: none). The
// entity loader is process-global in libxml2, so it needs this to know which
// directories the current compile may read. A cgo call runs on one thread
// from start to end, so a thread-local is exact.
static __thread uintptr_t fk_token;

static void fk_stop(xmlParserCtxtPtr ctxt) {
	xmlStopParser(ctxt);
}

// A SOAP message never carries a DTD: stop at <!DOCTYPE, before any entity
// declaration of the internal subset is even read.
static void fk_payload_internal_subset(void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid) {
	xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
	fk_parse_state *st = (fk_parse_state *)ctxt->_private;
	if (st != NULL) st->dtd = 1;
	fk_stop(ctxt);
}

static void fk_payload_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pid, const xmlChar *sid, xmlChar *content) {
	fk_payload_internal_subset(ctx, NULL, NULL, NULL);
}

static void fk_start_element_ns(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *URI,
                                int nb_namespaces, const xmlChar **namespaces, int nb_attributes, int nb_defaulted,
                                const xmlChar **attributes) {
	xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
	fk_parse_state *st = (fk_parse_state *)ctxt->_private;
	if (st != NULL && ++st->depth > st->max_depth) {
		st->too_deep = 1;
		fk_stop(ctxt);
		return;
	}
	xmlSAX2StartElementNs(ctx, localname, prefix, URI, nb_namespaces, namespaces, nb_attributes, nb_defaulted, attributes);
}

static void fk_end_element_ns(void *ctx, const xmlChar *localname, const xmlChar *prefix, const xmlChar *URI) {
	xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
	fk_parse_state *st = (fk_parse_state *)ctxt->_private;
	if (st != NULL) st->depth--;
	xmlSAX2EndElementNs(ctx, localname, prefix, URI);
}

xmlDocPtr fk_parse(const char *buf, int len, fk_parse_state *st) {
	xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
	if (ctxt == NULL) {
		st->err_code = XML_ERR_NO_MEMORY;
		return NULL;
	}
	// The context owns its SAX handler copy, so these hooks stay local.
	ctxt->sax->internalSubset = fk_payload_internal_subset;
	ctxt->sax->externalSubset = fk_payload_internal_subset;
	ctxt->sax->entityDecl = fk_payload_entity_decl;
	ctxt->sax->startElementNs = fk_start_element_ns;
	ctxt->sax->endElementNs = fk_end_element_ns;
	ctxt->_private = st;
	xmlDocPtr doc = xmlCtxtReadMemory(ctxt, buf, len, "payload.xml", NULL, FK_PAYLOAD_OPTIONS);
	if (doc == NULL || st->dtd || st->too_deep || !ctxt->wellFormed) {
		xmlErrorPtr e = xmlCtxtGetLastError(ctxt);
		if (e != NULL && e->code != 0) {
			st->err_code = e->code;
			st->err_line = e->line;
			st->err_col = e->int2;
			if (e->message != NULL) {
				strncpy(st->err_msg, e->message, sizeof(st->err_msg) - 1);
				st->err_msg[sizeof(st->err_msg) - 1] = 0;
			}
		} else if (st->err_code == 0) {
			st->err_code = XML_ERR_DOCUMENT_END;
		}
		if (doc != NULL) xmlFreeDoc(doc);
		doc = NULL;
	}
	ctxt->_private = NULL;
	xmlFreeParserCtxt(ctxt);
	return doc;
}

// In schema documents libxml2 forces XML_PARSE_NOENT (SCHEMAS_PARSE_OPTIONS
// in xmlschemas.c), so the only way to keep entities unexpanded there is to
// refuse the DTD that would declare them.
static void fk_schema_internal_subset(void *ctx, const xmlChar *name, const xmlChar *eid, const xmlChar *sid) {
	xmlParserCtxtPtr ctxt = (xmlParserCtxtPtr)ctx;
	fkSchemaDTDRefused(fk_token, ctxt->input != NULL ? (char *)ctxt->input->filename : NULL);
	fk_stop(ctxt);
}

static void fk_schema_entity_decl(void *ctx, const xmlChar *name, int type, const xmlChar *pid, const xmlChar *sid, xmlChar *content) {
	fk_schema_internal_subset(ctx, NULL, NULL, NULL);
}

// Deny by default: Go decides (fkResolve) whether URL names a local file
// under a directory the compile in progress allowed; everything else (http,
// ftp, /etc/passwd, any load outside a compile) is refused and recorded.
static xmlParserInputPtr fk_loader(const char *URL, const char *ID, xmlParserCtxtPtr ctxt) {
	char *path = fkResolve((char *)URL, fk_token);
	if (path == NULL) {
		return NULL;
	}
	xmlParserInputPtr in = xmlNewInputFromFile(ctxt, path);
	free(path);
	if (in != NULL && ctxt != NULL && ctxt->sax != NULL) {
		ctxt->sax->internalSubset = fk_schema_internal_subset;
		ctxt->sax->externalSubset = fk_schema_internal_subset;
		ctxt->sax->entityDecl = fk_schema_entity_decl;
	}
	return in;
}

static void fk_compile_error(void *ud, xmlErrorPtr e) {
	fkCompileError((uintptr_t)ud, e);
}

void fk_init(void) {
	xmlInitParser();
	xmlSetExternalEntityLoader(fk_loader);
}

xmlSchemaPtr fk_compile(const char *path, uintptr_t token) {
	xmlSchemaPtr schema = NULL;
	fk_token = token;
	// Errors of the documents libxml2 parses for xs:include/xs:import go
	// through the thread's structured handler, not the schema parser's.
	xmlSetStructuredErrorFunc((void *)token, fk_compile_error);
	xmlSchemaParserCtxtPtr pctxt = xmlSchemaNewParserCtxt(path);
	if (pctxt != NULL) {
		xmlSchemaSetParserStructuredErrors(pctxt, fk_compile_error, (void *)token);
		schema = xmlSchemaParse(pctxt);
		xmlSchemaFreeParserCtxt(pctxt);
	}
	xmlSetStructuredErrorFunc(NULL, NULL);
	fk_token = 0;
	return schema;
}

static void fk_valid_error(void *ud, xmlErrorPtr e) {
	fkValidError((uintptr_t)ud, e);
}

int fk_validate(xmlSchemaValidCtxtPtr vctxt, xmlNodePtr elem, uintptr_t handle) {
	xmlSchemaSetValidStructuredErrors(vctxt, fk_valid_error, (void *)handle);
	int rc = xmlSchemaValidateOneElement(vctxt, elem);
	xmlSchemaSetValidStructuredErrors(vctxt, NULL, NULL);
	return rc;
}

static void fk_silent(void *ctx, const char *msg, ...) {}

xmlDocPtr fk_test_parse_with_entities(const char *buf, int len) {
	xmlSetGenericErrorFunc(NULL, fk_silent);
	xmlDocPtr doc = xmlReadMemory(buf, len, "test.xml", NULL,
		XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlSetGenericErrorFunc(NULL, NULL);
	return doc;
}

static const xmlChar fk_soap11[] = "http://schemas.xmlsoap.org/soap/envelope/";

static int fk_is_soap(xmlNodePtr n, const char *local) {
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
		xmlStrEqual(n->ns->href, fk_soap11) && xmlStrEqual(n->name, (const xmlChar *)local);
}

static xmlNodePtr fk_first_element(xmlNodePtr n) {
	for (n = n ? n->children : NULL; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE) return n;
	}
	return NULL;
}

// fk_check parses, finds the element to validate, validates it and frees
// the document in one C call: every cgo call long enough for Go's sysmon to
// retake the P costs a thread hand-off, so one per document beats three.
int fk_check(const char *buf, int len, int mode, xmlSchemaValidCtxtPtr vctxt, uintptr_t handle, fk_parse_state *st) {
	xmlDocPtr doc = fk_parse(buf, len, st);
	if (doc == NULL) {
		st->outcome = FK_PARSE_FAILED;
		return 0;
	}
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (root == NULL) {
		xmlFreeDoc(doc);
		st->outcome = FK_PARSE_FAILED;
		return 0;
	}
	strncpy(st->root_name, (const char *)root->name, sizeof(st->root_name) - 1);
	st->root_name[sizeof(st->root_name) - 1] = 0;
	xmlNodePtr target = root;
	if (mode == FK_ENVELOPE || (mode == FK_AUTO && fk_is_soap(root, "Envelope"))) {
		target = NULL;
		if (!fk_is_soap(root, "Envelope")) {
			st->outcome = FK_NO_ENVELOPE;
		} else {
			xmlNodePtr body = NULL;
			for (xmlNodePtr c = root->children; c != NULL; c = c->next) {
				if (fk_is_soap(c, "Body")) { body = c; break; }
			}
			if (body == NULL) {
				st->outcome = FK_NO_BODY;
			} else if ((target = fk_first_element(body)) == NULL) {
				st->outcome = FK_EMPTY_BODY;
			}
		}
		if (target == NULL) {
			xmlFreeDoc(doc);
			return 0;
		}
	}
	st->outcome = FK_OK;
	st->target = target;
	int rc = fk_validate(vctxt, target, handle);
	st->target = NULL;
	xmlFreeDoc(doc);
	return rc;
}
