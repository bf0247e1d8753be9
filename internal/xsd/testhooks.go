package xsd

/*
#include <stdlib.h>
#include "fnokit_xsd.h"
*/
import "C"

import "unsafe"

// parseWithEntitiesForTest parses data with DTD loading and entity
// substitution switched on and reports whether libxml2 produced a document
// and its text. It exists for the tests (cgo is not allowed in _test.go
// files): they prove the entity loader alone keeps files unread.
func parseWithEntitiesForTest(data []byte) (string, bool) {
	initLibxml2()
	doc := C.fk_test_parse_with_entities((*C.char)(unsafe.Pointer(&data[0])), C.int(len(data)))
	if doc == nil {
		return "", false
	}
	defer C.xmlFreeDoc(doc)
	root := C.xmlDocGetRootElement(doc)
	if root == nil {
		return "", true
	}
	txt := C.xmlNodeGetContent(root)
	if txt == nil {
		return "", true
	}
	defer C.free(unsafe.Pointer(txt))
	return C.GoString((*C.char)(unsafe.Pointer(txt))), true
}
