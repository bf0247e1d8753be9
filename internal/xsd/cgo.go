package xsd

/*
#cgo pkg-config: libxml-2.0
#include <stdlib.h>
#include "fnokit_xsd.h"
*/
import "C"

import (
	"net/url"
	"os"
	"path/filepath"
	"runtime/cgo"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

var initOnce sync.Once

// initLibxml2 initialises libxml2 once per process and installs the
// deny-by-default external entity loader before any parse can happen.
func initLibxml2() {
	initOnce.Do(func() { C.fk_init() })
}

// loaderStats records what the external entity loader did, so tests can prove
// that hostile input made libxml2 open nothing.
var loaderStats struct {
	opened  atomic.Int64 // files the loader let libxml2 open
	refused atomic.Int64 // requests it refused

	mu   sync.Mutex
	last []string // the most recent refused URLs (bounded)
}

func recordRefusal(u string) {
	loaderStats.refused.Add(1)
	loaderStats.mu.Lock()
	defer loaderStats.mu.Unlock()
	if len(loaderStats.last) >= 32 {
		loaderStats.last = loaderStats.last[1:]
	}
	loaderStats.last = append(loaderStats.last, u)
}

// fkResolve is libxml2's external entity loader, called back from C. It
// returns a malloc'd absolute path that libxml2 may open, or NULL to refuse.
//
//export fkResolve
func fkResolve(curl *C.char, token C.uintptr_t) *C.char {
	raw := C.GoString(curl)
	if token == 0 {
		// No compile in progress: payload parses never load anything.
		recordRefusal(raw)
		return nil
	}
	st := cgo.Handle(token).Value().(*compileState)
	path, ok := st.allow(raw)
	if !ok {
		recordRefusal(raw)
		st.refused = append(st.refused, raw)
		return nil
	}
	loaderStats.opened.Add(1)
	return C.CString(path)
}

// allow maps a URL or path libxml2 wants to read to a local file under one of
// the compile's allowed directories.
func (st *compileState) allow(raw string) (string, bool) {
	p := raw
	if i := strings.Index(raw, ":"); i > 1 { // a scheme, not a path
		u, err := url.Parse(raw)
		if err != nil || !strings.EqualFold(u.Scheme, "file") || (u.Host != "" && u.Host != "localhost") {
			return "", false
		}
		p = u.Path
	}
	if !filepath.IsAbs(p) {
		return "", false // relative to the working directory: not ours to read
	}
	real, err := filepath.EvalSymlinks(filepath.Clean(p))
	if err != nil {
		return "", false
	}
	if fi, err := os.Stat(real); err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	for _, dir := range st.allowed {
		if rel, err := filepath.Rel(dir, real); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return real, true
		}
	}
	return "", false
}

//export fkSchemaDTDRefused
func fkSchemaDTDRefused(token C.uintptr_t, file *C.char) {
	if token == 0 {
		return
	}
	st := cgo.Handle(token).Value().(*compileState)
	st.dtd = append(st.dtd, C.GoString(file))
}

//export fkCompileError
func fkCompileError(token C.uintptr_t, e *C.xmlError) {
	if token == 0 || e == nil {
		return
	}
	st := cgo.Handle(token).Value().(*compileState)
	if len(st.msgs) >= maxCompileMessages {
		st.more++
		return
	}
	m := compileMsg{
		file:    C.GoString(e.file),
		line:    int(e.line),
		text:    strings.TrimSpace(C.GoString(e.message)),
		warning: e.level == C.XML_ERR_WARNING,
	}
	st.msgs = append(st.msgs, m)
}

//export fkValidError
func fkValidError(handle C.uintptr_t, e *C.xmlError) {
	if e == nil {
		return
	}
	handleValue(handle).add(e)
}

func handleValue(h C.uintptr_t) *collector {
	return cgo.Handle(h).Value().(*collector)
}

// compileC compiles the schema at path (a local file) under st's allowlist.
func compileC(path string, st *compileState) *C.xmlSchema {
	initLibxml2()
	h := cgo.NewHandle(st)
	defer h.Delete()
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	return C.fk_compile(cpath, C.uintptr_t(h))
}
