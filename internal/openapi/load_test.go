package openapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
)

func TestLoadFileFollowsLocalRefs(t *testing.T) {
	t.Parallel()
	doc, err := LoadFile("testdata/refs/main.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := doc.Paths.Value("/things").Get.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
	if s == nil || s.Properties["id"] == nil || s.Properties["id"].Value.Pattern != idPattern {
		t.Fatalf("the schema from sub/common.yaml was not resolved: %+v", s)
	}
}

func TestLoadBytesYAMLAndJSON(t *testing.T) {
	t.Parallel()
	yamlDoc := []byte("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n")
	jsonDoc := []byte(`{"openapi":"3.0.3","info":{"title":"t","version":"1"},"paths":{}}`)
	for _, data := range [][]byte{yamlDoc, jsonDoc} {
		doc, err := LoadBytes(data, "")
		if err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if doc.Info.Title != "t" {
			t.Errorf("%s: title %q", data, doc.Info.Title)
		}
	}
}

func TestLoadRefusesRefsOutsideTheDocumentDirectory(t *testing.T) {
	t.Parallel()
	_, err := LoadFile("testdata/refs/escape.yaml")
	if !errors.Is(err, ErrRefRefused) {
		t.Fatalf("a $ref to ../ must be refused with ErrRefRefused, got %v", err)
	}
}

func TestLoadBytesWithoutBaseDirRefusesFileRefs(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/refs/main.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadBytes(data, ""); !errors.Is(err, ErrRefRefused) {
		t.Fatalf("want ErrRefRefused without a base directory, got %v", err)
	}
	if _, err := LoadBytes(data, "testdata/refs"); err != nil {
		t.Fatalf("with its base directory the same document loads: %v", err)
	}
}

// A $ref to a URL is refused before any connection: the server below counts
// every request it receives and must see none.
func TestLoadRefusesURLRefsWithoutNetwork(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "openapi: 3.0.3\ninfo: {title: remote, version: '1'}\npaths: {}\ncomponents: {schemas: {X: {type: string}}}\n")
	}))
	defer srv.Close()
	for _, ref := range []string{
		srv.URL + "/remote.yaml#/components/schemas/X",
		strings.Replace(srv.URL, "http://", "https://user:token@", 1) + "/remote.yaml?key=abc#/components/schemas/X",
		"file://" + srv.Listener.Addr().String() + "/etc/passwd#/x",
	} {
		doc := fmt.Sprintf(`openapi: 3.0.3
info: {title: remote ref, version: '1'}
paths:
  /x:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '%s'
`, ref)
		dir := t.TempDir()
		path := filepath.Join(dir, "doc.yaml")
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		for name, load := range map[string]func() error{
			"file":  func() error { _, err := LoadFile(path); return err },
			"bytes": func() error { _, err := LoadBytes([]byte(doc), dir); return err },
		} {
			err := load()
			if !errors.Is(err, ErrRefRefused) {
				t.Errorf("%s, $ref %s: want ErrRefRefused, got %v", name, ref, err)
			}
			if err != nil && (strings.Contains(err.Error(), "token") || strings.Contains(err.Error(), "key=abc")) {
				t.Errorf("the error repeats credentials from the URL: %v", err)
			}
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the loader made %d HTTP requests; it must make none", n)
	}
}

func TestLoadRefusesSymlinkOutOfTheDirectory(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("components: {schemas: {X: {type: string}}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "link.yaml")); err != nil {
		t.Skipf("cannot make a symlink here: %v", err)
	}
	doc := "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: 'link.yaml#/components/schemas/X'\n"
	if _, err := LoadBytes([]byte(doc), dir); err == nil {
		t.Fatal("a symlink leading out of the document directory was followed")
	}
}

func TestLoadOpenAPI31(t *testing.T) {
	t.Parallel()
	doc, err := LoadFile("testdata/fno-rest-31.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("version %q not seen as 3.1", doc.OpenAPI)
	}
	if _, err := New(doc, Options{}); err != nil {
		t.Fatalf("a valid 3.1 document gives no validator: %v", err)
	}
}

func TestLoadFS(t *testing.T) {
	t.Parallel()
	main, err := os.ReadFile("testdata/refs/main.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"doc.yaml":  {Data: []byte("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n")},
		"refs.yaml": {Data: main},
		"big.yaml":  {Data: []byte("openapi: 3.0.3\n#" + strings.Repeat("x", maxDocumentBytes))},
	}
	doc, err := LoadFS(fsys, "doc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if doc.Info.Title != "t" {
		t.Errorf("title %q", doc.Info.Title)
	}
	if _, err := LoadFS(fsys, "refs.yaml"); !errors.Is(err, ErrRefRefused) {
		t.Errorf("a document of an fs.FS referencing a file: want ErrRefRefused, got %v", err)
	}
	if _, err := LoadFS(fsys, "big.yaml"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("a document over the size cap: %v", err)
	}
	if _, err := LoadFS(fsys, "missing.yaml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing document: want fs.ErrNotExist, got %v", err)
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	v, err := Open("testdata/fno-rest.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Document().Paths.Len() == 0 {
		t.Error("the validator's document has no paths")
	}
	if _, err := Open("testdata/no-such.yaml", Options{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: want fs.ErrNotExist, got %v", err)
	}
	if _, err := Open("testdata/lint/invalid.yaml", Options{}); err == nil {
		t.Error("an invalid document gave a validator")
	}
}
