package openapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxDocumentBytes caps every file the loader reads (the document and each
// file it refers to); real OpenAPI documents are far smaller.
const maxDocumentBytes = 16 << 20

// ErrRefRefused marks a $ref the loader will not follow: a URL, or a file
// outside the directory the document may read from. Match it with errors.Is.
var ErrRefRefused = errors.New("external reference refused")

// LoadFile loads the OpenAPI document at path (YAML or JSON). External
// references resolve only to local files under the document's directory;
// a $ref to a URL (http:, https:, or any scheme but file:) or a file outside
// that directory is refused without being read or fetched.
//
// The document is loaded, not validated; call Validate or Lint for that.
func LoadFile(path string) (*openapi3.T, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document %s: %w", path, err)
	}
	return load(filepath.Dir(abs), func(l *openapi3.Loader) (*openapi3.T, error) {
		return l.LoadFromFile(abs)
	}, path)
}

// LoadBytes loads an OpenAPI document (YAML or JSON) held in memory.
// Relative external references resolve against baseDir and may not leave
// it; with baseDir empty, every external reference is refused.
func LoadBytes(data []byte, baseDir string) (*openapi3.T, error) {
	if baseDir == "" {
		return load("", func(l *openapi3.Loader) (*openapi3.T, error) {
			return l.LoadFromData(data)
		}, "(in memory)")
	}
	abs, err := filepath.Abs(baseDir)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document: base directory %s: %w", baseDir, err)
	}
	// The file name is never read: it only anchors relative references.
	loc := &url.URL{Path: filepath.ToSlash(filepath.Join(abs, "document.yaml"))}
	return load(abs, func(l *openapi3.Loader) (*openapi3.T, error) {
		return l.LoadFromDataWithPath(data, loc)
	}, "(in memory)")
}

// LoadFS loads the document name of fsys (schemas.FS(), say), read whole
// up to the loader's size cap. The document may not reference other files:
// an fs.FS gives it no directory the loader could confine references to.
func LoadFS(fsys fs.FS, name string) (*openapi3.T, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxDocumentBytes+1))
	if err != nil {
		return nil, fmt.Errorf("load OpenAPI document %s: %w", name, err)
	}
	if len(data) > maxDocumentBytes {
		return nil, fmt.Errorf("load OpenAPI document %s: larger than %d bytes", name, maxDocumentBytes)
	}
	return load("", func(l *openapi3.Loader) (*openapi3.T, error) {
		return l.LoadFromData(data)
	}, name)
}

// Open loads the document at path (LoadFile) and builds its Validator
// (New): what every check against a contract file starts with.
func Open(path string, opts Options) (*Validator, error) {
	doc, err := LoadFile(path)
	if err != nil {
		return nil, err
	}
	return New(doc, opts)
}

func load(root string, run func(*openapi3.Loader) (*openapi3.T, error), name string) (*openapi3.T, error) {
	l := openapi3.NewLoader()
	l.Context = context.Background()
	// The custom reader below owns the access policy (kin-openapi does not
	// check IsExternalRefsAllowed once ReadFromURIFunc is set); the flag is
	// set so the loader walks into the files the reader accepts.
	l.IsExternalRefsAllowed = true
	r := &localReader{root: root}
	defer r.close()
	l.ReadFromURIFunc = r.read
	doc, err := run(l)
	if err != nil {
		// kin-openapi wraps a refusal with the $ref as written, which may
		// carry credentials in a URL; our own error names it redacted.
		var re *refusedError
		if errors.As(err, &re) {
			err = re
		}
		return nil, fmt.Errorf("load OpenAPI document %s: %w", name, err)
	}
	return doc, nil
}

// refusedError is a refused reference; it matches ErrRefRefused.
type refusedError struct{ msg string }

func (e *refusedError) Error() string        { return ErrRefRefused.Error() + ": " + e.msg }
func (e *refusedError) Is(target error) bool { return target == ErrRefRefused }

func refused(format string, args ...any) error {
	return &refusedError{msg: fmt.Sprintf(format, args...)}
}

// localReader reads only local files under root, through os.Root so that
// neither ".." nor a symbolic link can lead outside it. It has no HTTP
// client at all: refusing a URL cannot cost a network round trip.
type localReader struct {
	root string
	r    *os.Root
}

func (lr *localReader) close() {
	if lr.r != nil {
		lr.r.Close()
	}
}

func (lr *localReader) read(_ *openapi3.Loader, loc *url.URL) ([]byte, error) {
	if loc.Scheme != "" && loc.Scheme != "file" || loc.Host != "" || loc.Opaque != "" {
		return nil, refused("%s is not a local file (only files beside the document may be referenced)", redactURL(loc))
	}
	if lr.root == "" {
		return nil, refused("%s (a document loaded from bytes without a base directory may not reference files)", loc.Path)
	}
	p := filepath.FromSlash(loc.Path)
	if !filepath.IsAbs(p) {
		p = filepath.Join(lr.root, p)
	}
	rel, err := filepath.Rel(lr.root, filepath.Clean(p))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil, refused("%s is outside %s", loc.Path, lr.root)
	}
	if lr.r == nil {
		if lr.r, err = os.OpenRoot(lr.root); err != nil {
			return nil, err
		}
	}
	f, err := lr.r.Open(rel)
	if err != nil {
		// os.Root says "path escapes from parent" for a symlink leading out.
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxDocumentBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxDocumentBytes {
		return nil, fmt.Errorf("%s is larger than %d bytes", loc.Path, maxDocumentBytes)
	}
	return data, nil
}

// redactURL drops user info and query from a URL before it goes into an
// error: a $ref URL could carry a token.
func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.Fragment = ""
	return c.String()
}
