package xsd

/*
#include "fnokit_xsd.h"
*/
import "C"

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/fnokit/fnokit/internal/wsdl"
)

// nsXSD is the XML Schema namespace.
const nsXSD = "http://www.w3.org/2001/XMLSchema"

// driverNS is the target namespace of the generated driver schema that
// imports the inline schemas of a WSDL; it is ours and never validated.
const driverNS = "urn:fnokit:xsd:driver"

// maxCompileMessages bounds how many libxml2 messages a compile keeps.
const maxCompileMessages = 20

// Limits bound what validation accepts. A zero field means the default.
type Limits struct {
	// MaxBytes is the largest document handed to libxml2. Larger ones get
	// an xml-too-large finding without being parsed. libxml2's tree takes a
	// few times the document's size, so C memory per validation in flight
	// is bounded by a small multiple of MaxBytes.
	MaxBytes int64
	// MaxDepth is the deepest element nesting accepted. libxml2 refuses
	// more than 256 levels on its own unless XML_PARSE_HUGE is set (which
	// would lift its other safety limits too), so larger values act as 256.
	MaxDepth int
	// MaxFindings caps the schema violations listed per document; one final
	// finding says how many more there were.
	MaxFindings int
}

// DefaultLimits fit the largest FNO responses (2000 records per batch).
var DefaultLimits = Limits{MaxBytes: 64 << 20, MaxDepth: 256, MaxFindings: 100}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultLimits.MaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultLimits.MaxDepth
	}
	if l.MaxFindings <= 0 {
		l.MaxFindings = DefaultLimits.MaxFindings
	}
	return l
}

// Option configures a compile.
type Option func(*config)

type config struct {
	limits  Limits
	allowed []string
}

// WithLimits sets the validation limits of the compiled schema.
func WithLimits(l Limits) Option { return func(c *config) { c.limits = l } }

// WithAllowedDir lets xs:include/xs:import read local files under dir too
// (by default only the schema's own directory is readable).
func WithAllowedDir(dir string) Option {
	return func(c *config) { c.allowed = append(c.allowed, dir) }
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		o(&c)
	}
	c.limits = c.limits.withDefaults()
	return c
}

// CompileError says why a schema did not compile: the file the user named,
// libxml2's problems as file:line: message, and what to do about them.
type CompileError struct {
	File     string
	Problems []string
	Hint     string
}

func (e *CompileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "compile schema %s", e.File)
	switch len(e.Problems) {
	case 0:
	case 1:
		b.WriteString(": " + e.Problems[0])
	default:
		fmt.Fprintf(&b, ": %d problems:", len(e.Problems))
		for _, p := range e.Problems {
			b.WriteString("\n  " + p)
		}
	}
	if e.Hint != "" {
		b.WriteString("\nhint: " + e.Hint)
	}
	return b.String()
}

// compileState is what one compile shares with the C callbacks: the
// directories the entity loader may read, and what libxml2 reported.
type compileState struct {
	allowed []string
	refused []string
	dtd     []string
	msgs    []compileMsg
	more    int
}

type compileMsg struct {
	file    string
	line    int
	text    string
	warning bool
}

func (st *compileState) allowDir(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return err
	}
	st.allowed = append(st.allowed, real)
	return nil
}

// CompileFile compiles an XSD file or the inline schemas of a WSDL file,
// telling them apart by content (a wsdl:definitions root is a WSDL).
func CompileFile(path string, opts ...Option) (*Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w (check the path)", err)
	}
	if wsdl.IsWSDL(data) {
		defs, err := wsdl.Parse(data)
		if err != nil {
			return nil, &CompileError{File: path, Problems: []string{err.Error()},
				Hint: "the file looks like a WSDL but could not be read; check that it is well-formed WSDL 1.1"}
		}
		return compileDefinitions(path, filepath.Dir(path), data, defs, newConfig(opts))
	}
	return compileXSD(path, newConfig(opts))
}

// CompileWSDLBytes compiles the inline schemas of a WSDL held in memory;
// name labels it in errors. Relative schemaLocations resolve against the
// directories given with WithAllowedDir (the first one), if any.
func CompileWSDLBytes(name string, data []byte, opts ...Option) (*Schema, error) {
	defs, err := wsdl.Parse(data)
	if err != nil {
		return nil, &CompileError{File: name, Problems: []string{err.Error()},
			Hint: "check that it is well-formed WSDL 1.1"}
	}
	cfg := newConfig(opts)
	base := ""
	if len(cfg.allowed) > 0 {
		base = cfg.allowed[0]
	}
	return compileDefinitions(name, base, data, defs, cfg)
}

// CompileDefinitions compiles the inline schemas of an already parsed WSDL;
// name labels it in errors and baseDir (may be "") resolves relative
// schemaLocations.
func CompileDefinitions(name, baseDir string, defs *wsdl.Definitions, opts ...Option) (*Schema, error) {
	return compileDefinitions(name, baseDir, nil, defs, newConfig(opts))
}

func compileXSD(path string, cfg config) (*Schema, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", path, err)
	}
	st := &compileState{}
	for _, d := range append([]string{filepath.Dir(abs)}, cfg.allowed...) {
		if err := st.allowDir(d); err != nil {
			return nil, fmt.Errorf("compile schema %s: allowed directory: %w", path, err)
		}
	}
	ptr := compileC(abs, st)
	locate := func(f string, line int) (string, int) {
		f = strings.TrimPrefix(f, "file://")
		if f == abs {
			f = path
		}
		return f, line
	}
	if ptr == nil {
		return nil, st.failure(path, locate)
	}
	return newSchema(path, ptr, cfg.limits, st.warnings(locate)), nil
}

// compileDefinitions writes each inline schema to a private temporary
// directory and compiles a generated driver schema that imports them all by
// namespace, because libxml2 compiles one schema document (with what it
// includes and imports), never a list of them.
func compileDefinitions(name, baseDir string, data []byte, defs *wsdl.Definitions, cfg config) (*Schema, error) {
	tmp, err := os.MkdirTemp("", "fnokit-xsd-*")
	if err != nil {
		return nil, fmt.Errorf("compile schema %s: temporary directory: %w", name, err)
	}
	defer os.RemoveAll(tmp)

	st := &compileState{}
	if err := st.allowDir(tmp); err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", name, err)
	}
	tmpReal := st.allowed[0]
	if baseDir != "" {
		if err := st.allowDir(baseDir); err != nil {
			return nil, fmt.Errorf("compile schema %s: schema directory: %w", name, err)
		}
		if baseDir, err = filepath.Abs(baseDir); err != nil {
			return nil, fmt.Errorf("compile schema %s: %w", name, err)
		}
	}
	for _, d := range cfg.allowed {
		if err := st.allowDir(d); err != nil {
			return nil, fmt.Errorf("compile schema %s: allowed directory: %w", name, err)
		}
	}

	// Where each namespace lives: its one schema, or a wrapper that
	// includes all schemas sharing that namespace.
	byNS := map[string][]int{}
	var order []string
	for i, s := range defs.Schemas {
		if _, ok := byNS[s.TargetNamespace]; !ok {
			order = append(order, s.TargetNamespace)
		}
		byNS[s.TargetNamespace] = append(byNS[s.TargetNamespace], i)
	}
	schemaFile := func(i int) string { return fmt.Sprintf("schema-%d.xsd", i+1) }
	nsFile := map[string]string{}
	for k, ns := range order {
		if idx := byNS[ns]; len(idx) == 1 {
			nsFile[ns] = schemaFile(idx[0])
		} else {
			nsFile[ns] = fmt.Sprintf("namespace-%d.xsd", k+1)
		}
	}

	labels := map[string]int{} // temp path → index of its inline schema
	for i, s := range defs.Schemas {
		src, err := relocate(s.Source, s.TargetNamespace, nsFile, baseDir)
		if err != nil {
			return nil, &CompileError{File: name, Problems: []string{fmt.Sprintf("inline schema %d: %v", i+1, err)},
				Hint: "the inline schema is not well-formed; fix it in the WSDL"}
		}
		p := filepath.Join(tmpReal, schemaFile(i))
		if err := os.WriteFile(p, src, 0o600); err != nil {
			return nil, fmt.Errorf("compile schema %s: %w", name, err)
		}
		labels[p] = i
	}
	for ns, f := range nsFile {
		if len(byNS[ns]) < 2 {
			continue
		}
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
		fmt.Fprintf(&b, `<xs:schema xmlns:xs="%s"`, nsXSD)
		if ns != "" {
			b.WriteString(` targetNamespace="`)
			xml.EscapeText(&b, []byte(ns))
			b.WriteString(`"`)
		}
		b.WriteString(">\n")
		for _, i := range byNS[ns] {
			fmt.Fprintf(&b, "  <xs:include schemaLocation=%q/>\n", schemaFile(i))
		}
		b.WriteString("</xs:schema>\n")
		if err := os.WriteFile(filepath.Join(tmpReal, f), b.Bytes(), 0o600); err != nil {
			return nil, fmt.Errorf("compile schema %s: %w", name, err)
		}
	}
	var drv bytes.Buffer
	drv.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&drv, `<xs:schema xmlns:xs="%s" targetNamespace="%s">`+"\n", nsXSD, driverNS)
	for _, ns := range order {
		drv.WriteString("  <xs:import")
		if ns != "" {
			drv.WriteString(` namespace="`)
			xml.EscapeText(&drv, []byte(ns))
			drv.WriteString(`"`)
		}
		fmt.Fprintf(&drv, " schemaLocation=%q/>\n", nsFile[ns])
	}
	drv.WriteString("</xs:schema>\n")
	driver := filepath.Join(tmpReal, "driver.xsd")
	if err := os.WriteFile(driver, drv.Bytes(), 0o600); err != nil {
		return nil, fmt.Errorf("compile schema %s: %w", name, err)
	}

	ptr := compileC(driver, st)
	// Report inline schemas as places in the WSDL, not as our temp files.
	locate := func(f string, line int) (string, int) {
		f = strings.TrimPrefix(f, "file://")
		if i, ok := labels[f]; ok {
			s := defs.Schemas[i]
			if shift, ok := wsdlLineShift(data, s.Source); ok && line > 0 {
				return name, line + shift
			}
			return fmt.Sprintf("%s (inline schema %d, targetNamespace %q)", name, i+1, s.TargetNamespace), line
		}
		if strings.HasPrefix(f, tmpReal) {
			return name, 0
		}
		return f, line
	}
	if ptr == nil {
		err := st.failure(name, locate)
		if ce := (*CompileError)(nil); errors.As(err, &ce) {
			for i, p := range ce.Problems {
				ce.Problems[i] = strings.ReplaceAll(p, tmpReal+string(filepath.Separator), "")
			}
		}
		return nil, err
	}
	return newSchema(name, ptr, cfg.limits, st.warnings(locate)), nil
}

// wsdlLineShift finds how many lines to add to a line of an inline schema's
// standalone source to get the line in the WSDL: the source repeats the
// WSDL's text from the end of the schema's start tag on.
func wsdlLineShift(wsdlData, src []byte) (int, bool) {
	if len(wsdlData) == 0 {
		return 0, false
	}
	decl := bytes.Index(src, []byte("?>"))
	if decl < 0 {
		return 0, false
	}
	gt := bytes.IndexByte(src[decl+2:], '>')
	if gt < 0 {
		return 0, false
	}
	k := decl + 2 + gt + 1
	at := bytes.Index(wsdlData, src[k:])
	if at < 0 {
		return 0, false
	}
	return bytes.Count(wsdlData[:at], []byte("\n")) - bytes.Count(src[:k], []byte("\n")), true
}

func (st *compileState) failure(name string, locate func(string, int) (string, int)) error {
	ce := &CompileError{File: name}
	for _, r := range st.refused {
		ce.Problems = append(ce.Problems, fmt.Sprintf("refused to read %s: only local files next to the schema may be read", r))
	}
	for _, f := range st.dtd {
		f, _ := locate(f, 0)
		ce.Problems = append(ce.Problems, fmt.Sprintf("%s: has a DOCTYPE; DTDs and entities are refused in schemas", f))
	}
	for _, m := range st.msgs {
		if m.warning && !strings.Contains(m.text, "Skipping the import") {
			continue
		}
		ce.Problems = append(ce.Problems, m.format(locate))
	}
	if st.more > 0 {
		ce.Problems = append(ce.Problems, fmt.Sprintf("… and %d more", st.more))
	}
	switch {
	case len(st.refused) > 0:
		ce.Hint = "xs:include and xs:import must name local files in the schema's directory; download remote schemas next to it and point schemaLocation at the copy"
	case len(st.dtd) > 0:
		ce.Hint = "remove the DOCTYPE (and any entities) from the schema file"
	case len(ce.Problems) == 0:
		ce.Problems = []string{"libxml2 gave no detail"}
		ce.Hint = "check that the file is an XML Schema (root xs:schema) or a WSDL 1.1 document"
	default:
		ce.Hint = "fix the schema at the lines given; every type, element and prefix used must be declared or imported"
	}
	return ce
}

func (m compileMsg) format(locate func(string, int) (string, int)) string {
	if m.file == "" {
		return m.text
	}
	file, line := locate(m.file, m.line)
	text := strings.ReplaceAll(m.text, m.file, file)
	if line > 0 {
		return fmt.Sprintf("%s:%d: %s", file, line, text)
	}
	return fmt.Sprintf("%s: %s", file, text)
}

func (st *compileState) warnings(locate func(string, int) (string, int)) []string {
	var out []string
	for _, r := range st.refused {
		out = append(out, fmt.Sprintf("refused to read %s: only local files next to the schema may be read", r))
	}
	for _, m := range st.msgs {
		out = append(out, m.format(locate))
	}
	return out
}

var schemaLocationAttr = regexp.MustCompile(`\s+schemaLocation\s*=\s*("[^"]*"|'[^']*')`)

// relocate rewrites the schemaLocation of xs:import and xs:include in one
// inline schema: imports of a namespace another inline schema provides point
// at that schema's temporary file (FNO-style WSDLs import siblings by
// namespace alone, which libxml2 cannot resolve), and relative locations
// become absolute under baseDir. The rest of the text is left byte for byte,
// since QName-valued attributes depend on the prefixes declared in it.
func relocate(src []byte, ownNS string, nsFile map[string]string, baseDir string) ([]byte, error) {
	dec := xml.NewDecoder(bytes.NewReader(src))
	type edit struct {
		start, end int64
		loc        string
	}
	var edits []edit
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Space != nsXSD || (se.Name.Local != "import" && se.Name.Local != "include") {
			continue
		}
		var ns, loc string
		hasNS := false
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "namespace":
				ns, hasNS = a.Value, true
			case "schemaLocation":
				loc = a.Value
			}
		}
		newLoc := ""
		if f, ok := nsFile[ns]; ok && se.Name.Local == "import" && hasNS && ns != ownNS {
			newLoc = f
		} else if loc != "" && baseDir != "" && !strings.Contains(loc, ":") && !filepath.IsAbs(loc) {
			newLoc = filepath.Join(baseDir, filepath.FromSlash(loc))
		}
		if newLoc != "" {
			edits = append(edits, edit{start, dec.InputOffset(), newLoc})
		}
	}
	if len(edits) == 0 {
		return src, nil
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].start < edits[j].start })
	var out bytes.Buffer
	prev := int64(0)
	for _, e := range edits {
		out.Write(src[prev:e.start])
		tag := schemaLocationAttr.ReplaceAllString(string(src[e.start:e.end]), "")
		// Insert right after the element name.
		i := strings.IndexAny(tag[1:], " \t\r\n/>") + 1
		var loc bytes.Buffer
		xml.EscapeText(&loc, []byte(filepath.ToSlash(e.loc)))
		out.WriteString(tag[:i] + ` schemaLocation="` + loc.String() + `"` + tag[i:])
		prev = e.end
	}
	out.Write(src[prev:])
	return out.Bytes(), nil
}
